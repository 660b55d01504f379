/**
 * fping for the whole target list in one process (targets on stdin): `-a` prints alive hosts,
 * `-q` drops per-probe noise, `-r` retries, `-t` per-target timeout in ms, `-i` the interval
 * between packets in ms, `-B 1` keeps the timeout flat across retries so the run time is predictable.
 */
export interface FpingOptions {
  timeoutMs: number;
  retries: number;
  intervalMs: number;
}

export function fpingSweepArgs(options: FpingOptions): string[] {
  return [
    '-a',
    '-q',
    '-r',
    String(options.retries),
    '-t',
    String(Math.max(1, Math.round(options.timeoutMs))),
    '-i',
    String(Math.max(1, Math.round(options.intervalMs))),
    '-B',
    '1',
  ];
}

/** One echo to loopback: succeeds only when fping may open a raw ICMP socket. */
export function fpingPreflightArgs(timeoutMs: number): string[] {
  return ['-c', '1', '-q', '-t', String(Math.max(1, Math.round(timeoutMs))), '127.0.0.1'];
}

/** Alive targets, one per line; anything that is not an address is ignored. */
export function parseFpingAlive(stdout: string): string[] {
  return stdout
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => /^[0-9a-f.:]+$/i.test(line) && line.length > 0);
}
