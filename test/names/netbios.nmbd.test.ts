// NetBIOS node status against a real Samba nmbd bound to 127.0.78.2 (its "interface" on the
// loopback /8), and against a hand-built responder for the cases nmbd cannot show (a MAC, stray
// answers, loss, malformed answers). Needs root and nmbd; skipped with a printed reason otherwise,
// failing instead under CI=true. nmbd also binds 0.0.0.0:137/138, so no other test may run one.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { netbiosNodeStatus } from '../../src/discovery/names/netbios.ts';
import {
  announceSkip,
  blackHole,
  closeSocket,
  Daemon,
  failInCi,
  findTool,
  freeUdpPort,
  scratchDir,
  stopAll,
  waitFor,
  whyNot,
} from './support/daemons.ts';
import { NbstatResponder } from './support/nbstat-responder.ts';

const NMBD_IP = '127.0.78.2';
const FAKE_IP = '127.0.78.12';

const reason = whyNot(['nmbd'], 'apt-get install -y samba');
const skip = announceSkip('NetBIOS against nmbd', reason);

let scratch: ReturnType<typeof scratchDir> | undefined;
let nmbd: Daemon | undefined;
const responders: NbstatResponder[] = [];
const fake = async (behaviour: Parameters<typeof NbstatResponder.start>[1]): Promise<NbstatResponder> => {
  const responder = await NbstatResponder.start(FAKE_IP, behaviour);
  responders.push(responder);
  return responder;
};

describe.skipIf(skip)('netbiosNodeStatus', () => {
  beforeAll(async () => {
    failInCi(reason);
    scratch = scratchDir('roller-nmbd-');
    const dir = scratch.path;
    const config = join(dir, 'smb.conf');
    writeFileSync(
      config,
      [
        '[global]',
        '  netbios name = ROLLERNB',
        '  workgroup = ROLLERWG',
        `  interfaces = ${NMBD_IP}/8`,
        '  bind interfaces only = yes',
        `  lock directory = ${dir}`,
        `  state directory = ${dir}`,
        `  cache directory = ${dir}`,
        `  pid directory = ${dir}`,
        `  private dir = ${dir}`,
        `  log file = ${join(dir, 'log.%m')}`,
        '  local master = no',
        '  domain master = no',
        '  preferred master = no',
        '  wins support = no',
        '  dns proxy = no',
        '',
      ].join('\n'),
    );
    nmbd = new Daemon('nmbd', [
      findTool('nmbd') as string,
      '--foreground',
      '--no-process-group',
      '--debug-stdout',
      '--debuglevel=1',
      `--configfile=${config}`,
    ]);
    // nmbd answers node status once it has registered its names (1–3 s after start).
    const ready = await waitFor(async () => {
      const outcome = await netbiosNodeStatus(NMBD_IP, { timeoutMs: 200 });
      return outcome.ok && outcome.value.names.length > 0;
    }, 20_000);
    if (!ready) throw new Error(`nmbd did not answer node status: ${nmbd.describe()}`);
  });

  afterAll(async () => {
    await Promise.all(responders.map((responder) => responder.close()));
    await stopAll();
    scratch?.remove();
  });

  it('reads the unique machine name from a real nmbd (group names dropped, zero MAC is no MAC)', async () => {
    const started = performance.now();
    const outcome = await netbiosNodeStatus(NMBD_IP);
    expect(outcome).toEqual({ ok: true, value: { names: [{ source: 'netbios', name: 'ROLLERNB' }], mac: null } });
    expect(performance.now() - started).toBeLessThan(250);
  });

  it('returns the MAC and the preferred names of a hand-built answer', async () => {
    const responder = await fake({
      names: [
        { name: 'WORKSTATION', suffix: 0x00 },
        { name: 'FILESERVER', suffix: 0x20 },
        { name: 'OFFICE', suffix: 0x00, group: true },
      ],
      mac: [0x00, 0x1b, 0x21, 0xab, 0xcd, 0xef],
    });
    expect(await netbiosNodeStatus(FAKE_IP, { port: responder.port })).toEqual({
      ok: true,
      value: {
        names: [
          { source: 'netbios', name: 'FILESERVER' },
          { source: 'netbios', name: 'WORKSTATION' },
        ],
        mac: '00:1b:21:ab:cd:ef',
      },
    });
  });

  it('ignores an answer to another transaction and waits for its own', async () => {
    const responder = await fake({ names: [{ name: 'REAL', suffix: 0x20 }], strayFirst: true });
    const outcome = await netbiosNodeStatus(FAKE_IP, { port: responder.port });
    expect(outcome.ok && outcome.value.names).toEqual([{ source: 'netbios', name: 'REAL' }]);
  });

  it('resends once at half the timeout when the first query is lost', async () => {
    const responder = await fake({ names: [{ name: 'LATE', suffix: 0x20 }], dropFirst: 1 });
    const started = performance.now();
    const outcome = await netbiosNodeStatus(FAKE_IP, { port: responder.port, timeoutMs: 400 });
    expect(outcome.ok && outcome.value.names).toEqual([{ source: 'netbios', name: 'LATE' }]);
    expect(responder.queries).toBe(2);
    expect(performance.now() - started).toBeGreaterThanOrEqual(190);
  });

  it('reports a malformed answer as a failure, not a crash', async () => {
    const responder = await fake({ raw: Buffer.from('12', 'hex') });
    const outcome = await netbiosNodeStatus(FAKE_IP, { port: responder.port });
    expect(outcome).toEqual({
      ok: false,
      kind: 'failed',
      error: `unusable NetBIOS answer from ${FAKE_IP}: response too short (1 bytes)`,
    });
  });

  it('times out within its budget when nobody answers', async () => {
    const silent = await blackHole(FAKE_IP, 0);
    try {
      const started = performance.now();
      const outcome = await netbiosNodeStatus(FAKE_IP, { port: silent.address().port, timeoutMs: 300 });
      const elapsed = performance.now() - started;
      expect(outcome).toEqual({ ok: false, kind: 'timeout', error: `no NetBIOS answer from ${FAKE_IP} within 300 ms` });
      expect(elapsed).toBeGreaterThanOrEqual(280);
      expect(elapsed).toBeLessThan(600);
    } finally {
      await closeSocket(silent);
    }
  });

  it('tells at once when nothing listens on the port', async () => {
    const port = await freeUdpPort(FAKE_IP);
    const started = performance.now();
    const outcome = await netbiosNodeStatus(FAKE_IP, { port, timeoutMs: 2_000 });
    expect(outcome).toMatchObject({ ok: false, kind: 'unreachable' });
    expect(performance.now() - started).toBeLessThan(500);
  });

  it('does not apply to IPv6 and honours an abort', async () => {
    expect(await netbiosNodeStatus('::1')).toMatchObject({ ok: false, kind: 'not_applicable' });
    const silent = await blackHole(FAKE_IP, 0);
    try {
      const controller = new AbortController();
      setTimeout(() => controller.abort(), 30);
      const outcome = await netbiosNodeStatus(FAKE_IP, {
        port: silent.address().port,
        timeoutMs: 5_000,
        signal: controller.signal,
      });
      expect(outcome).toEqual({ ok: false, kind: 'aborted', error: 'NetBIOS lookup aborted' });
    } finally {
      await closeSocket(silent);
    }
  });
});
