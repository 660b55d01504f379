import { describe, expect, it } from 'vitest';
import { credentialOrder, openWithCredentials, type SessionFactory } from './open-with-credentials.ts';
import { type SnmpCredential, SnmpError, type SnmpSession } from './snmp.types.ts';
import { probeSnmp } from './snmp-probe.ts';
import { MemorySession } from './snmprec.ts';

const AGENT = '1.3.6.1.2.1.1.5.0|4|sw1\n1.3.6.1.2.1.1.1.0|4|Test switch\n1.3.6.1.2.1.2.2.1.2.1|4|eth0';

const credentials: SnmpCredential[] = [
  { name: 'legacy', version: '1', community: 'old' },
  { name: 'campus', version: '2c', community: 'public' },
  {
    name: 'secure',
    version: '3',
    user: 'roller',
    level: 'authPriv',
    authProtocol: 'sha',
    authKey: 'a',
    privProtocol: 'aes',
    privKey: 'p',
  },
];

/** Only the listed credential names answer; the others fail with the given text. */
function agent(answering: string[], failure = 'timeout') {
  const opened: { name: string; session: SnmpSession; closed: boolean }[] = [];
  const factory: SessionFactory = (_target, credential) => {
    const inner = new MemorySession(AGENT);
    const entry = { name: credential.name, closed: false, session: inner as SnmpSession };
    entry.session = {
      get: async (oids) => {
        if (!answering.includes(credential.name)) throw new SnmpError(failure);
        return inner.get(oids);
      },
      walk: (root, options) => inner.walk(root, options),
      close: () => {
        entry.closed = true;
        inner.close();
      },
    };
    opened.push(entry);
    return entry.session;
  };
  return { factory, opened };
}

describe('credentialOrder', () => {
  it('puts the preferred credential first and keeps the rest in order', () => {
    expect(credentialOrder(credentials, 'secure').map((entry) => entry.name)).toEqual(['secure', 'legacy', 'campus']);
    expect(credentialOrder(credentials, 'unknown').map((entry) => entry.name)).toEqual(['legacy', 'campus', 'secure']);
    expect(credentialOrder(credentials).map((entry) => entry.name)).toEqual(['legacy', 'campus', 'secure']);
  });
});

describe('openWithCredentials', () => {
  it('falls through the list to the first credential that answers and keeps only that session open', async () => {
    const { factory, opened } = agent(['campus', 'secure']);
    const result = await openWithCredentials('127.0.77.9', credentials, { openSession: factory });
    expect(result).toMatchObject({
      ok: true,
      credential: 'campus',
      system: { sysName: 'sw1', sysDescr: 'Test switch' },
      attempts: [
        { credential: 'legacy', error: 'timeout' },
        { credential: 'campus', error: null },
      ],
    });
    expect(opened.map((entry) => [entry.name, entry.closed])).toEqual([
      ['legacy', true],
      ['campus', false],
    ]);
    if (result.ok) expect(await result.session.walk('1.3.6.1.2.1.2.2.1.2')).toHaveLength(1);
  });

  it('starts with the preferred credential', async () => {
    const { factory, opened } = agent(['legacy', 'secure']);
    const result = await openWithCredentials('127.0.77.9', credentials, { openSession: factory, preferred: 'secure' });
    expect(result.ok && result.credential).toBe('secure');
    expect(opened.map((entry) => entry.name)).toEqual(['secure']);
  });

  it('combines every error when nothing answers', async () => {
    const { factory, opened } = agent([], 'authentication failure');
    const result = await openWithCredentials('127.0.77.9', credentials, { openSession: factory });
    expect(result).toEqual({
      ok: false,
      error: 'legacy: authentication failure; campus: authentication failure; secure: authentication failure',
      attempts: [
        { credential: 'legacy', error: 'authentication failure' },
        { credential: 'campus', error: 'authentication failure' },
        { credential: 'secure', error: 'authentication failure' },
      ],
    });
    expect(opened.every((entry) => entry.closed)).toBe(true);
    expect(await openWithCredentials('127.0.77.9', [], { openSession: factory })).toMatchObject({
      ok: false,
      error: 'no SNMP credentials configured',
    });
  });

  it('tries nothing more once aborted', async () => {
    const controller = new AbortController();
    controller.abort();
    const { factory, opened } = agent(['campus']);
    const result = await openWithCredentials('127.0.77.9', credentials, {
      openSession: factory,
      signal: controller.signal,
    });
    expect(result).toEqual({ ok: false, error: 'aborted', attempts: [] });
    expect(opened).toEqual([]);
  });
});

describe('probeSnmp', () => {
  it('hands the stage a device whose read() returns the full report minus the credential, and close()', async () => {
    const { factory, opened } = agent(['campus']);
    const config = { credentials, port: 161, timeoutMs: 100, retries: 0, maxRepetitions: 10 };
    const probe = await probeSnmp('127.0.77.9', config, 'campus', new AbortController().signal, factory);
    if (!probe.ok) throw new Error(probe.error);
    expect(probe.credential).toBe('campus');
    const report = await probe.device.read({ lldp: false, cdp: false, signal: new AbortController().signal });
    expect(report).toMatchObject({ address: '127.0.77.9', system: { sysName: 'sw1' }, interfaces: { ok: true } });
    probe.device.close();
    expect(opened[0]?.closed).toBe(true);
    expect(
      await probeSnmp('127.0.77.9', { ...config, credentials: [] }, undefined, new AbortController().signal),
    ).toEqual({
      ok: false,
      error: 'no SNMP credentials configured',
    });
  });
});
