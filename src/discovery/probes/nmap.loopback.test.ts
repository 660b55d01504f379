import { createServer, type Server } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { IN_CI } from '../../../test/support/test-env.ts';
import { ChildProcessRunner } from '../exec/process-runner.ts';
import { nmapProcessTimeoutMs, nmapScanArgs } from './nmap.args.ts';
import { parseNmapXml } from './nmap.parse.ts';

// The real nmap against listeners on loopback addresses of our own (127.0.78.4x): the argv we
// build is accepted, and the XML it prints parses into exactly the ports we opened.
const runner = new ChildProcessRunner();
const nmap = runner.which('nmap');
const reason = nmap ? null : 'nmap not found in PATH (apt-get install -y nmap)';
if (reason && !IN_CI) process.stderr.write(`\n[roller tests] nmap loopback test skipped: ${reason}\n`);

const LISTENERS = [
  { host: '127.0.78.41', port: 18_080 },
  { host: '127.0.78.41', port: 18_022 },
  { host: '127.0.78.42', port: 18_443 },
];
const servers: Server[] = [];

describe.skipIf(reason !== null && !IN_CI)('nmap on loopback', () => {
  beforeAll(async () => {
    if (reason) throw new Error(`CI=true requires nmap: ${reason}`);
    for (const { host, port } of LISTENERS) {
      const server = createServer((socket) => socket.destroy());
      await new Promise<void>((resolve, reject) => {
        server.once('error', reject);
        server.listen(port, host, () => resolve());
      });
      servers.push(server);
    }
  });

  afterAll(async () => {
    await Promise.all(servers.map((server) => new Promise((resolve) => server.close(resolve))));
    expect(runner.running).toBe(0);
  });

  it('scans three hosts in one call and reports each, open ports only', async () => {
    const args = nmapScanArgs(['127.0.78.41', '127.0.78.42', '127.0.78.43'], {
      ports: [18_022, 18_080, 18_443, 18_444],
      hostTimeoutMs: 3000,
      maxRttTimeoutMs: 500,
    });
    const result = await runner.run({ command: nmap as string, args, timeoutMs: nmapProcessTimeoutMs(3000) });
    expect(result.exitCode, result.stderr).toBe(0);
    expect(result.timedOut).toBe(false);
    const parsed = parseNmapXml(result.stdout);
    expect(parsed).toEqual({
      ok: true,
      value: {
        hosts: [
          {
            ip: '127.0.78.41',
            mac: null,
            timedOut: false,
            services: [
              { protocol: 'tcp', port: 18_022, name: null, source: 'nmap' },
              { protocol: 'tcp', port: 18_080, name: null, source: 'nmap' },
            ],
          },
          {
            ip: '127.0.78.42',
            mac: null,
            timedOut: false,
            services: [{ protocol: 'tcp', port: 18_443, name: null, source: 'nmap' }],
          },
          { ip: '127.0.78.43', mac: null, timedOut: false, services: [] },
        ],
        truncated: false,
        nmapError: null,
      },
    });
  });
});
