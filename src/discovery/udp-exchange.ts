import { createSocket, type Socket } from 'node:dgram';
import { isIPv6 } from 'node:net';

/**
 * One question, one answer over UDP, with the timeout Node's own resolvers lack for NetBIOS and the
 * detail dns.Resolver hides (ENOTFOUND for both "no name" and "dead server"). The socket is
 * connected, so the kernel drops datagrams from anyone but the peer and reports an ICMP port
 * unreachable as ECONNREFUSED — which tells "nothing listens there" from "nobody answers".
 */
export interface UdpExchangeRequest<T> {
  address: string;
  port: number;
  payload: Uint8Array;
  timeoutMs: number;
  /** Sends the payload once more after this long without an accepted answer (UDP may drop it). */
  retransmitAfterMs?: number;
  /** The value for a datagram that answers us, or undefined to keep waiting (stray or stale reply). */
  accept: (message: Buffer) => T | undefined;
  signal?: AbortSignal;
}

export type UdpExchangeResult<T> =
  | { status: 'answered'; value: T; elapsedMs: number }
  | { status: 'timeout' }
  | { status: 'refused' }
  | { status: 'aborted' }
  | { status: 'error'; error: string };

export function udpExchange<T>(request: UdpExchangeRequest<T>): Promise<UdpExchangeResult<T>> {
  const started = performance.now();
  return new Promise((resolve) => {
    if (request.signal?.aborted) {
      resolve({ status: 'aborted' });
      return;
    }
    let socket: Socket;
    try {
      socket = createSocket(isIPv6(request.address) ? 'udp6' : 'udp4');
    } catch (error) {
      resolve({ status: 'error', error: (error as Error).message });
      return;
    }
    const timers: NodeJS.Timeout[] = [];
    let settled = false;
    const finish = (result: UdpExchangeResult<T>): void => {
      if (settled) return;
      settled = true;
      for (const timer of timers) clearTimeout(timer);
      request.signal?.removeEventListener('abort', onAbort);
      try {
        socket.close();
      } catch {
        // already closed: nothing to release
      }
      resolve(result);
    };
    const onAbort = (): void => finish({ status: 'aborted' });
    request.signal?.addEventListener('abort', onAbort, { once: true });

    const send = (): void => {
      if (settled) return;
      try {
        socket.send(request.payload, (error) => {
          if (error) finish(sendFailure(error));
        });
      } catch (error) {
        // Thrown from a timer: it must become a value, never an uncaught exception.
        finish(sendFailure(error as Error));
      }
    };
    socket.on('error', (error) => finish(sendFailure(error)));
    socket.on('message', (message) => {
      let value: T | undefined;
      try {
        value = request.accept(message);
      } catch (error) {
        // A parser bug must not escape from an event listener where no caller can see it.
        finish({ status: 'error', error: `answer not understood: ${(error as Error).message}` });
        return;
      }
      if (value !== undefined) finish({ status: 'answered', value, elapsedMs: performance.now() - started });
    });
    timers.push(setTimeout(() => finish({ status: 'timeout' }), Math.max(1, request.timeoutMs)));
    try {
      // Node calls this back with the error when connecting fails (ENETUNREACH where there is no
      // route): the socket is then not connected, and sending on it would throw.
      socket.connect(request.port, request.address, (error?: Error) => {
        if (settled) return;
        if (error) {
          finish(sendFailure(error));
          return;
        }
        send();
        const again = request.retransmitAfterMs;
        if (again !== undefined && again > 0 && again < request.timeoutMs) {
          timers.push(setTimeout(send, again));
        }
      });
    } catch (error) {
      finish(sendFailure(error as Error)); // bad port or address: a caller bug, reported as a value
    }
  });
}

function sendFailure(error: NodeJS.ErrnoException | Error): UdpExchangeResult<never> {
  const code = (error as NodeJS.ErrnoException).code;
  if (code === 'ECONNREFUSED') return { status: 'refused' };
  return { status: 'error', error: code ? `${code}: ${error.message}` : error.message };
}
