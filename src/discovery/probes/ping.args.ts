/** iputils ping, one echo, numeric output, a reply deadline in (fractional) seconds. */
export function pingArgs(ip: string, timeoutMs: number): string[] {
  return ['-c', '1', '-n', '-W', formatSeconds(timeoutMs), ip];
}

/** The SPEC's preflight: one echo to loopback. */
export function pingPreflightArgs(): string[] {
  return ['-c', '1', '-W', '1', '127.0.0.1'];
}

function formatSeconds(ms: number): string {
  const seconds = Math.max(0.001, ms / 1000);
  return Number.isInteger(seconds) ? String(seconds) : seconds.toFixed(3).replace(/0+$/, '');
}

/** SPEC §5.6: a refused preflight reads as a privilege problem when its output says so. */
export function classifyPingFailure(output: string): 'not_permitted' | 'failed' {
  return /operation not permitted|permission denied/i.test(output) ? 'not_permitted' : 'failed';
}
