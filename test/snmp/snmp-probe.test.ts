// probeSnmp, the enrichment stage's entry point, against a real agent and against a host port where
// no agent listens: credential sets in order (the preferred one first), and a closed port recognised
// from the ICMP port unreachable instead of waiting out every credential's timeout. Loopback only
// (127.0.77.x). Needs root and snmpd; skipped with a printed reason elsewhere, failing under CI=true.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SnmpCredential } from '../../src/discovery/snmp/snmp.types.ts';
import { probeSnmp, type SnmpProbeConfig } from '../../src/discovery/snmp/snmp-probe.ts';
import { IN_CI } from '../support/test-env.ts';
import { type Daemon, freeUdpPort, prerequisitesMissing, startSnmpd, V3_USER } from './snmp-daemons.ts';

const AGENT = '127.0.77.171';
/** Nothing listens on the chosen port here: the kernel answers ICMP port unreachable. */
const CLOSED = '127.0.77.172';

const wrong: SnmpCredential = { name: 'wrong-community', version: '2c', community: 'not-this-one' };
const right: SnmpCredential = { name: 'v2c-public', version: '2c', community: 'public' };
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
if (reason && IN_CI) {
  describe('probeSnmp', () => {
    it('can run (CI=true requires root and snmpd)', () => {
      throw new Error(`probeSnmp tests cannot run under CI=true: ${reason}`);
    });
  });
} else {
  if (reason) process.stderr.write(`\n[roller tests] probeSnmp tests skipped: ${reason}\n`);
  describe.skipIf(reason !== null)('probeSnmp', () => {
    let daemon: Daemon | undefined;
    let config: SnmpProbeConfig;

    beforeAll(async () => {
      const port = await freeUdpPort(AGENT);
      daemon = await startSnmpd(AGENT, port);
      config = { credentials: [wrong, right, v3], port, timeoutMs: 400, retries: 0, maxRepetitions: 20 };
    });
    afterAll(async () => {
      await daemon?.stop();
    });

    it('falls through the credential sets in order and names the one that answered', async () => {
      const probe = await probeSnmp(AGENT, config, undefined, new AbortController().signal);
      expect(probe.ok).toBe(true);
      if (!probe.ok) return;
      expect(probe.credential).toBe('v2c-public');
      expect(probe.system.sysName).toBe('roller-snmpd');
      const read = await probe.device.read({ lldp: false, cdp: false, signal: new AbortController().signal });
      expect(read.interfaces.ok).toBe(true);
      probe.device.close();
    });

    it('tries the preferred credential first', async () => {
      const probe = await probeSnmp(AGENT, config, 'v3-authpriv', new AbortController().signal);
      expect(probe.ok && probe.credential).toBe('v3-authpriv');
      if (probe.ok) probe.device.close();
    });

    it('reports a closed SNMP port as "no SNMP agent" instead of one timeout per credential set', async () => {
      const port = await freeUdpPort(CLOSED);
      const probe = await probeSnmp(CLOSED, { ...config, port }, undefined, new AbortController().signal);
      expect(probe).toEqual({ ok: false, error: 'port unreachable: no SNMP agent' });
    });

    it('still reports timeouts, per credential set, for an agent that ignores a wrong community', async () => {
      const probe = await probeSnmp(
        AGENT,
        { ...config, credentials: [wrong] },
        undefined,
        new AbortController().signal,
      );
      expect(probe).toEqual({ ok: false, error: 'wrong-community: timeout' });
    });
  });
}
