import { Socket } from 'node:net';

/** Ports that most hosts either serve or actively refuse (either answer proves the host is up). */
export const LIVENESS_PORTS = [22, 80, 443, 445, 3389, 8080] as const;

/**
 * A host is alive when a TCP connect to any of a few common ports is accepted OR refused: a RST
 * comes from the host itself. Timeouts and unreachable errors say nothing. Needs no privileges,
 * which makes it the fallback when ICMP is not permitted.
 */
export async function tcpAlive(
  ip: string,
  ports: readonly number[],
  timeoutMs: number,
  signal?: AbortSignal,
): Promise<boolean> {
  if (signal?.aborted) return false;
  const attempts = ports.map((port) => connectVerdict(ip, port, timeoutMs, signal));
  return new Promise((resolve) => {
    let pending = attempts.length;
    if (pending === 0) resolve(false);
    for (const attempt of attempts) {
      void attempt.then((alive) => {
        pending -= 1;
        if (alive) resolve(true);
        else if (pending === 0) resolve(false);
      });
    }
  });
}

function connectVerdict(ip: string, port: number, timeoutMs: number, signal?: AbortSignal): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = new Socket();
    let settled = false;
    const finish = (alive: boolean): void => {
      if (settled) return;
      settled = true;
      socket.destroy();
      signal?.removeEventListener('abort', onAbort);
      resolve(alive);
    };
    const onAbort = (): void => finish(false);
    signal?.addEventListener('abort', onAbort, { once: true });
    socket.setTimeout(timeoutMs, () => finish(false));
    socket.once('connect', () => finish(true));
    socket.once('error', (error: NodeJS.ErrnoException) => finish(error.code === 'ECONNREFUSED'));
    socket.connect({ host: ip, port });
  });
}
