import { createServer, type Server } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LIVENESS_PORTS, tcpAlive } from './tcp-liveness.ts';

/** A port on loopback that nothing listens on (bound, then released). */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

describe('tcpAlive', () => {
  let server: Server;
  let openPort: number;
  let accepted = 0;
  beforeAll(async () => {
    server = createServer((socket) => {
      accepted += 1;
      socket.destroy();
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    openPort = (server.address() as { port: number }).port;
  });
  afterAll(() => new Promise((resolve) => server.close(resolve)));

  it('probes a few well-known ports', () => {
    expect([...LIVENESS_PORTS]).toEqual([22, 80, 443, 445, 3389, 8080]);
  });

  it('counts an accepted connection as alive', async () => {
    const before = accepted;
    expect(await tcpAlive('127.0.0.1', [openPort], 1000)).toBe(true);
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(accepted).toBe(before + 1);
  });

  it('counts a refused connection as alive: the RST came from the host', async () => {
    expect(await tcpAlive('127.0.0.1', [await closedPort()], 1000)).toBe(true);
  });

  it('is not alive with no ports to try', async () => {
    expect(await tcpAlive('127.0.0.1', [], 1000)).toBe(false);
  });

  it('does not connect at all once the signal has fired', async () => {
    const controller = new AbortController();
    controller.abort();
    const before = accepted;
    expect(await tcpAlive('127.0.0.1', [openPort], 1000, controller.signal)).toBe(false);
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(accepted).toBe(before);
  });
});
