import { describe, expect, it } from 'vitest';
import { CISCO_VLAN_COLUMNS } from './bridge.reader.ts';
import { CDP_COLUMNS } from './cdp.reader.ts';
import { FDB_FALLBACK_COLUMNS } from './fdb.reader.ts';
import { INTERFACE_COLUMNS } from './interfaces.reader.ts';
import { LLDP_COLUMNS } from './lldp.reader.ts';
import { BRIDGE, IF } from './mib-oids.ts';
import type { SnmpSession, Varbind, WalkOptions } from './snmp.types.ts';
import { readSnmpDevice } from './snmp-device.ts';
import { MemorySession } from './snmprec.ts';

/** A small switch: two ports, one VLAN, one FDB entry, one LLDP neighbour. */
const SWITCH = `
1.0.8802.1.1.2.1.3.7.1.3.2|4|ge2
1.0.8802.1.1.2.1.4.1.1.4.0.2.1|2|4
1.0.8802.1.1.2.1.4.1.1.5.0.2.1|4x|0011223344AA
1.0.8802.1.1.2.1.4.1.1.9.0.2.1|4|core
1.3.6.1.2.1.2.2.1.2.1|4|port 1
1.3.6.1.2.1.2.2.1.2.2|4|port 2
1.3.6.1.2.1.31.1.1.1.1.1|4|ge1
1.3.6.1.2.1.31.1.1.1.1.2|4|ge2
1.3.6.1.2.1.4.20.1.2.192.0.2.10|2|1
1.3.6.1.2.1.17.1.4.1.2.1|2|1
1.3.6.1.2.1.17.1.4.1.2.2|2|2
1.3.6.1.2.1.17.7.1.2.2.1.2.10.0.17.34.51.68.85|2|2
1.3.6.1.2.1.17.7.1.4.3.1.1.10|4|users
1.3.6.1.2.1.17.7.1.4.5.1.1.1|66|10
`;

/** Wraps a session to observe walks: how many run at once and how long each takes. */
class ObservedSession implements SnmpSession {
  inFlight = 0;
  maxInFlight = 0;
  readonly roots: string[] = [];

  constructor(
    private readonly inner: SnmpSession,
    private readonly delayMs = 0,
    private readonly onWalk?: (root: string) => void,
  ) {}

  get(oids: readonly string[]): Promise<Varbind[]> {
    return this.inner.get(oids);
  }

  async walk(root: string, options?: WalkOptions): Promise<Varbind[]> {
    this.roots.push(root);
    this.onWalk?.(root);
    this.inFlight++;
    this.maxInFlight = Math.max(this.maxInFlight, this.inFlight);
    try {
      if (this.delayMs > 0) await new Promise((resolve) => setTimeout(resolve, this.delayMs));
      return await this.inner.walk(root, options);
    } finally {
      this.inFlight--;
    }
  }

  close(): void {
    this.inner.close();
  }
}

describe('readSnmpDevice', () => {
  it('reads every part from one session, walking each subtree exactly once', async () => {
    const session = new MemorySession(SWITCH);
    const report = await readSnmpDevice(session, { lldp: true, cdp: true });
    expect(new Set(session.walkCalls).size).toBe(session.walkCalls.length);
    expect(report.interfaces).toMatchObject({
      ok: true,
      value: [
        { ifIndex: 1, name: 'ge1' },
        { ifIndex: 2, name: 'ge2' },
      ],
    });
    expect(report.addresses).toEqual({ ok: true, value: [{ ifIndex: 1, ip: '192.0.2.10', prefixLength: null }] });
    expect(report.vlans).toEqual({
      ok: true,
      value: { vlans: [{ vlanId: 10, name: 'users' }], memberships: [{ ifIndex: 1, vlanId: 10, role: 'pvid' }] },
    });
    expect(report.fdb).toEqual({ ok: true, value: [{ mac: '00:11:22:33:44:55', ifIndex: 2, vlanId: 10 }] });
    // The LLDP local port id "ge2" was matched against ifName, which the interface walk supplied.
    expect(report.lldp).toMatchObject({
      ok: true,
      value: [{ localIfIndex: 2, remoteSysName: 'core', remoteChassisMac: '00:11:22:33:44:aa' }],
    });
    expect(report.cdp).toEqual({ ok: true, value: [] });
    expect(report.durationMs).toBeGreaterThanOrEqual(0);
  });

  it('walks vendor VLAN MIBs and BRIDGE-MIB FDB only when Q-BRIDGE had nothing', async () => {
    const withQ = new MemorySession(SWITCH);
    await readSnmpDevice(withQ, { lldp: false, cdp: false });
    for (const column of [...CISCO_VLAN_COLUMNS, ...FDB_FALLBACK_COLUMNS])
      expect(withQ.walkCalls).not.toContain(column);
    for (const column of [...LLDP_COLUMNS, ...CDP_COLUMNS]) expect(withQ.walkCalls).not.toContain(column);

    const withoutQ = new MemorySession('1.3.6.1.2.1.2.2.1.2.1|4|eth0');
    const report = await readSnmpDevice(withoutQ, { lldp: false, cdp: false });
    for (const column of [...CISCO_VLAN_COLUMNS, ...FDB_FALLBACK_COLUMNS]) expect(withoutQ.walkCalls).toContain(column);
    expect(report.lldp).toBeUndefined();
    expect(report.cdp).toBeUndefined();
  });

  it('keeps going when walks fail: each part carries its own outcome', async () => {
    const failing = new Map(INTERFACE_COLUMNS.map((column) => [column, 'agent error: tooBig']));
    failing.set(BRIDGE.dot1qTpFdbPort, 'agent error: genErr');
    failing.set(BRIDGE.dot1dTpFdbPort, 'agent error: genErr');
    const report = await readSnmpDevice(new MemorySession(SWITCH, { failingWalks: failing }), {
      lldp: true,
      cdp: false,
    });
    expect(report.interfaces).toEqual({ ok: false, error: 'agent error: tooBig' });
    expect(report.fdb).toEqual({ ok: false, error: 'agent error: genErr' });
    expect(report.addresses.ok).toBe(true);
    expect(report.vlans.ok).toBe(true);
    // Without interface names the local port falls back to the bridge port map.
    expect(report.lldp).toMatchObject({ ok: true, value: [{ localIfIndex: 2 }] });
  });

  it('stops sending walks to an agent that stopped answering', async () => {
    const everything = new Map(
      [...INTERFACE_COLUMNS, ...LLDP_COLUMNS, ...CDP_COLUMNS, BRIDGE.dot1qPvid, BRIDGE.dot1dBasePortIfIndex].map(
        (column) => [column, 'timeout'] as const,
      ),
    );
    const session = new MemorySession(SWITCH, { failingWalks: everything });
    const report = await readSnmpDevice(session, { lldp: true, cdp: true, concurrency: 2 });
    // The first four timeouts in a row are sent; nothing after them is.
    expect(session.walkCalls).toHaveLength(4);
    expect(report.interfaces).toEqual({ ok: false, error: 'timeout; agent stopped answering' });
    expect(report.cdp).toEqual({ ok: false, error: 'agent stopped answering' });
  });

  it('runs walks concurrently, never more than the limit', async () => {
    const session = new ObservedSession(new MemorySession(SWITCH), 5);
    await readSnmpDevice(session, { lldp: true, cdp: true, concurrency: 3 });
    expect(session.maxInFlight).toBe(3);
    const serial = new ObservedSession(new MemorySession(SWITCH), 1);
    await readSnmpDevice(serial, { lldp: false, cdp: false, concurrency: 1 });
    expect(serial.maxInFlight).toBe(1);
  });

  it('stops starting walks once aborted and reports them as aborted', async () => {
    const controller = new AbortController();
    const session = new ObservedSession(new MemorySession(SWITCH), 0, (root) => {
      if (root === IF.ifName) controller.abort();
    });
    const report = await readSnmpDevice(session, { lldp: true, cdp: true, concurrency: 1, signal: controller.signal });
    expect(report.lldp).toEqual({ ok: false, error: 'aborted' });
    expect(report.cdp).toEqual({ ok: false, error: 'aborted' });
    expect(session.roots.length).toBeLessThan(INTERFACE_COLUMNS.length + 1);
  });
});
