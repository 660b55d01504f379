// The net-snmp session against a real agent (Debian's net-snmp snmpd): SNMP v1, v2c and v3
// authPriv (SHA/AES), the error texts a caller sees, credential fall-through, and the time bounds
// of timeouts and aborts. Every packet goes to 127.0.77.x. Needs root and snmpd/snmpsimd; skipped
// with a printed reason elsewhere, failing instead under CI=true.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openWithCredentials } from '../../src/discovery/snmp/open-with-credentials.ts';
import type { SnmpCredential, SnmpSession } from '../../src/discovery/snmp/snmp.types.ts';
import { openSnmpSession } from '../../src/discovery/snmp/snmp-session.ts';
import { decodeText } from '../../src/discovery/snmp/varbind.decode.ts';
import { IN_CI } from '../support/test-env.ts';
import { type Daemon, freeUdpPort, prerequisitesMissing, startSnmpd, V3_USER } from './snmp-daemons.ts';

const AGENT = '127.0.77.161';
/** Nothing listens here: requests to it can only time out. */
const SILENT = '127.0.77.163';
const SYS_NAME = '1.3.6.1.2.1.1.5.0';
const IF_DESCR = '1.3.6.1.2.1.2.2.1.2';
/** hrSWRun and friends: thousands of rows on any Linux host, enough to keep a walk busy. */
const BIG_SUBTREE = '1.3.6.1.2.1.25';

const v1: SnmpCredential = { name: 'v1-public', version: '1', community: 'public' };
const v2c: SnmpCredential = { name: 'v2c-public', version: '2c', community: 'public' };
const v3: SnmpCredential = {
  name: 'v3-authpriv',
  version: '3',
  user: V3_USER.user,
  level: 'authPriv',
  authProtocol: 'sha',
  authKey: V3_USER.authKey,
  privProtocol: 'aes',
  privKey: V3_USER.privKey,
};

const reason = prerequisitesMissing();
if (reason && !IN_CI) process.stderr.write(`\n[roller tests] real snmpd tests skipped: ${reason}\n`);

if (reason && IN_CI) {
  describe('SNMP session against snmpd', () => {
    it('can run (CI=true requires root, snmpd and snmpsimd)', () => {
      throw new Error(`real snmpd tests cannot run under CI=true: ${reason}`);
    });
  });
} else {
  describe.skipIf(reason !== null)('SNMP session against snmpd', () => {
    let daemon: Daemon | undefined;
    let port = 0;
    let silentPort = 0;
    const sessions: SnmpSession[] = [];
    const open = (target: string, credential: SnmpCredential, options: Parameters<typeof openSnmpSession>[2] = {}) => {
      const session = openSnmpSession(target, credential, { port, timeoutMs: 1000, retries: 0, ...options });
      sessions.push(session);
      return session;
    };

    beforeAll(async () => {
      port = await freeUdpPort(AGENT);
      silentPort = await freeUdpPort(SILENT);
      daemon = await startSnmpd(AGENT, port);
    });

    afterAll(async () => {
      for (const session of sessions) session.close();
      await daemon?.stop();
    });

    it.each([
      ['v1', v1],
      ['v2c', v2c],
      ['v3 authPriv SHA/AES', v3],
    ])('%s: GETs the system group and walks ifDescr', async (_label, credential) => {
      const session = open(AGENT, credential);
      const [name, missing] = await session.get([SYS_NAME, '1.3.6.1.2.1.1.99.0']);
      expect(decodeText(name)).toBe('roller-snmpd');
      expect(missing?.type).toMatch(/^noSuch/);
      const rows = await session.walk(IF_DESCR);
      expect(rows.length).toBeGreaterThan(0);
      expect(rows.map((row) => decodeText(row))).toContain('lo');
      expect(rows.every((row) => row.oid.startsWith(`${IF_DESCR}.`))).toBe(true);
    });

    it('returns the same rows whatever the bulk size, v1 GETNEXT included', async () => {
      const big = await open(AGENT, v2c, { maxRepetitions: 50 }).walk('1.3.6.1.2.1.2.2.1');
      const small = await open(AGENT, v2c, { maxRepetitions: 1 }).walk('1.3.6.1.2.1.2.2.1');
      const next = await open(AGENT, v1).walk('1.3.6.1.2.1.2.2.1');
      expect(small.map((row) => row.oid)).toEqual(big.map((row) => row.oid));
      expect(next.map((row) => row.oid)).toEqual(big.map((row) => row.oid));
      expect(big.length).toBeGreaterThan(10);
    });

    it('reads Counter64 values as bigint', async () => {
      const rows = await open(AGENT, v2c).walk('1.3.6.1.2.1.31.1.1.1.6');
      expect(rows.length).toBeGreaterThan(0);
      expect(rows.every((row) => row.type === 'counter64' && typeof row.value === 'bigint')).toBe(true);
    });

    it('bounds a walk by its row limit', async () => {
      await expect(open(AGENT, v2c).walk(BIG_SUBTREE, { maxRows: 20 })).rejects.toThrow(
        `walk of ${BIG_SUBTREE} exceeded 20 rows`,
      );
    });

    it('reports a wrong community as a timeout, after timeout × (retries + 1)', async () => {
      const started = performance.now();
      const session = open(
        AGENT,
        { name: 'wrong', version: '2c', community: 'not-public' },
        { timeoutMs: 300, retries: 1 },
      );
      await expect(session.get([SYS_NAME])).rejects.toThrow(/^timeout$/);
      const elapsed = performance.now() - started;
      expect(elapsed).toBeGreaterThanOrEqual(550);
      expect(elapsed).toBeLessThan(3000);
    });

    it('names v3 failures: wrong password, unknown user, insufficient level', async () => {
      await expect(open(AGENT, { ...v3, authKey: 'not-the-auth-pass' }).get([SYS_NAME])).rejects.toThrow(
        /^authentication failure$/,
      );
      await expect(open(AGENT, { ...v3, user: 'nobody-here' }).get([SYS_NAME])).rejects.toThrow(/^unknown user name$/);
      await expect(open(AGENT, { ...v3, authProtocol: 'md5' }).get([SYS_NAME])).rejects.toThrow(
        /^authentication failure$/,
      );
      await expect(open(AGENT, { ...v3, level: 'noAuthNoPriv' }).get([SYS_NAME])).rejects.toThrow(
        /^agent error: authorizationError$/,
      );
      // A wrong privacy key cannot be decrypted by the agent, which then stays silent.
      await expect(
        open(AGENT, { ...v3, privKey: 'not-the-priv-pass' }, { timeoutMs: 300 }).get([SYS_NAME]),
      ).rejects.toThrow(/^timeout$/);
    });

    it('falls through the credential list in order and reports every failure', async () => {
      const credentials: SnmpCredential[] = [
        { name: 'bad-community', version: '2c', community: 'nope' },
        { ...v3, name: 'bad-v3', authKey: 'wrong-auth-pass' },
        v3,
        v2c,
      ];
      const opened = await openWithCredentials(AGENT, credentials, { port, timeoutMs: 300, retries: 0 });
      if (!opened.ok) throw new Error(opened.error);
      sessions.push(opened.session);
      expect(opened.credential).toBe('v3-authpriv');
      expect(opened.system.sysName).toBe('roller-snmpd');
      expect(opened.system.sysLocation).toBe('roller test lab');
      expect(opened.attempts).toEqual([
        { credential: 'bad-community', error: 'timeout' },
        { credential: 'bad-v3', error: 'authentication failure' },
        { credential: 'v3-authpriv', error: null },
      ]);
      expect((await opened.session.walk(IF_DESCR)).length).toBeGreaterThan(0);

      const preferred = await openWithCredentials(AGENT, credentials, {
        port,
        timeoutMs: 300,
        retries: 0,
        preferred: 'v2c-public',
      });
      if (preferred.ok) sessions.push(preferred.session);
      expect(preferred.ok && preferred.attempts).toEqual([{ credential: 'v2c-public', error: null }]);

      const none = await openWithCredentials(AGENT, credentials.slice(0, 2), { port, timeoutMs: 200, retries: 0 });
      expect(none).toMatchObject({ ok: false, error: 'bad-community: timeout; bad-v3: authentication failure' });
    });

    it('aborting closes the session: a pending request ends at once with "aborted"', async () => {
      const controller = new AbortController();
      const session = open(SILENT, v2c, { port: silentPort, timeoutMs: 5000, retries: 2, signal: controller.signal });
      const started = performance.now();
      const pending = session.get([SYS_NAME]);
      setTimeout(() => controller.abort(), 100);
      await expect(pending).rejects.toThrow(/^aborted$/);
      expect(performance.now() - started).toBeLessThan(1500);
      await expect(session.walk(IF_DESCR)).rejects.toThrow(/^aborted$/);
    });

    it('aborting stops a long walk between requests', async () => {
      const controller = new AbortController();
      const session = open(AGENT, v2c, { maxRepetitions: 1, signal: controller.signal });
      const started = performance.now();
      const walk = session.walk(BIG_SUBTREE);
      setTimeout(() => controller.abort(), 50);
      await expect(walk).rejects.toThrow(/^aborted$/);
      expect(performance.now() - started).toBeLessThan(2000);
    });

    it('an already aborted signal sends nothing', async () => {
      const controller = new AbortController();
      controller.abort();
      await expect(open(AGENT, v2c, { signal: controller.signal }).get([SYS_NAME])).rejects.toThrow(/^aborted$/);
    });

    it('times out against a silent address within the configured bound', async () => {
      const started = performance.now();
      await expect(open(SILENT, v3, { port: silentPort, timeoutMs: 200, retries: 1 }).walk(IF_DESCR)).rejects.toThrow(
        /^timeout$/,
      );
      const elapsed = performance.now() - started;
      expect(elapsed).toBeGreaterThanOrEqual(350);
      expect(elapsed).toBeLessThan(3000);
    });

    it('refuses to work after close()', async () => {
      const session = open(AGENT, v2c);
      session.close();
      session.close();
      await expect(session.get([SYS_NAME])).rejects.toThrow(/^session closed$/);
    });
  });
}
