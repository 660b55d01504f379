import { describe, expect, it } from 'vitest';
import type { SnmpVlanMembership } from '../../domain/enrichment.types.ts';
import {
  BRIDGE_PORT_COLUMNS,
  CISCO_VLAN_COLUMNS,
  type PortContext,
  pvidKeying,
  Q_BRIDGE_VLAN_COLUMNS,
  readBridgePorts,
  readPvids,
  readVlans,
} from './bridge.reader.ts';
import { BRIDGE } from './mib-oids.ts';
import { MemorySession } from './snmprec.ts';
import { WalkRunner } from './walk-runner.ts';

const COLUMNS = [...BRIDGE_PORT_COLUMNS, ...Q_BRIDGE_VLAN_COLUMNS, ...CISCO_VLAN_COLUMNS];
const walk = (records: string, failing: [string, string][] = []) =>
  new WalkRunner(new MemorySession(records, { failingWalks: new Map(failing) })).walkAll(COLUMNS);

const context = (bridgePorts: [number, number][], ifIndexes: number[]): PortContext => ({
  bridgePorts: new Map(bridgePorts),
  ifIndexes: new Set(ifIndexes),
});

const member = (ifIndex: number, vlanId: number, role: SnmpVlanMembership['role']): SnmpVlanMembership => ({
  ifIndex,
  vlanId,
  role,
});

const STANDARD = `
1.3.6.1.2.1.17.1.4.1.2.0|2|5
1.3.6.1.2.1.17.1.4.1.2.1|2|1001
1.3.6.1.2.1.17.1.4.1.2.2|2|1002
1.3.6.1.2.1.17.1.4.1.2.3|2|1003
1.3.6.1.2.1.17.1.4.1.2.4|2|0
1.3.6.1.2.1.17.7.1.4.2.1.4.0.10|4x|80
1.3.6.1.2.1.17.7.1.4.2.1.4.5.10|4x|E0
1.3.6.1.2.1.17.7.1.4.2.1.5.5.10|4x|C0
1.3.6.1.2.1.17.7.1.4.3.1.1.10|4|users
1.3.6.1.2.1.17.7.1.4.3.1.1.20|4|voice
1.3.6.1.2.1.17.7.1.4.3.1.1.30|4|mgmt
1.3.6.1.2.1.17.7.1.4.3.1.2.20|4x|60
1.3.6.1.2.1.17.7.1.4.3.1.4.20|4x|20
1.3.6.1.2.1.17.7.1.4.5.1.1.1|66|10
1.3.6.1.2.1.17.7.1.4.5.1.1.2|66|10
1.3.6.1.2.1.17.7.1.4.5.1.1.3|66|20
1.3.6.1.2.1.17.7.1.4.5.1.1.4|66|0
`;

describe('readBridgePorts', () => {
  it('maps bridge ports to ifIndexes and ignores port 0 and ifIndex 0', async () => {
    expect([...readBridgePorts(await walk(STANDARD))]).toEqual([
      [1, 1001],
      [2, 1002],
      [3, 1003],
    ]);
  });
});

describe('readVlans with Q-BRIDGE', () => {
  it('reads PVIDs, names and tagged/untagged membership from bridge-port bitmaps', async () => {
    const walked = await walk(STANDARD);
    const result = readVlans(walked, { bridgePorts: readBridgePorts(walked), ifIndexes: new Set([1001, 1002, 1003]) });
    expect(result).toEqual({
      ok: true,
      value: {
        vlans: [
          { vlanId: 10, name: 'users' },
          { vlanId: 20, name: 'voice' },
          { vlanId: 30, name: 'mgmt' },
        ],
        memberships: [
          // Current table, newest timeMark (5): ports 1-3 egress, 1-2 untagged.
          member(1001, 10, 'pvid'),
          member(1001, 10, 'untagged'),
          member(1002, 10, 'pvid'),
          member(1002, 10, 'untagged'),
          // VLAN 20 has no current row: the static table says egress 2-3, untagged 3.
          member(1002, 20, 'tagged'),
          member(1003, 10, 'tagged'),
          member(1003, 20, 'pvid'),
          member(1003, 20, 'untagged'),
        ],
      },
    });
  });

  it('fails when the bridge port table failed, since no port can be placed', async () => {
    const walked = await walk(STANDARD, [[BRIDGE.dot1dBasePortIfIndex, 'timeout']]);
    expect(readVlans(walked, context([], [1001]))).toEqual({ ok: false, error: 'bridge port table: timeout' });
  });

  it('is empty for a router without bridge data and an error when every VLAN walk failed', async () => {
    expect(readVlans(await walk(''), context([], []))).toEqual({ ok: true, value: { vlans: [], memberships: [] } });
    const failing = Q_BRIDGE_VLAN_COLUMNS.map((column): [string, string] => [column, 'timeout']);
    expect(readVlans(await walk('', failing), context([], []))).toEqual({ ok: false, error: 'timeout' });
  });

  it('lists VLAN ids that only appear in dot1qVlanFdbId, without names or members', async () => {
    const walked = await walk('1.3.6.1.2.1.17.7.1.4.2.1.3.4400.200|66|200\n1.3.6.1.2.1.17.7.1.4.2.1.3.4400.999|66|999');
    expect(readVlans(walked, context([], []))).toEqual({
      ok: true,
      value: {
        vlans: [
          { vlanId: 200, name: null },
          { vlanId: 999, name: null },
        ],
        memberships: [],
      },
    });
  });
});

describe('PVID keying', () => {
  const pvids = async (records: string, ctx: PortContext) => [...readPvids(await walk(records), ctx)];

  it('follows the MIB (bridge port) when every index is a mapped bridge port', async () => {
    const ctx = context(
      [
        [1, 1001],
        [2, 1002],
      ],
      [1, 2, 1001, 1002],
    );
    expect(pvidKeying([1, 2], ctx)).toBe('bridgePort');
    expect(await pvids('1.3.6.1.2.1.17.7.1.4.5.1.1.1|66|5\n1.3.6.1.2.1.17.7.1.4.5.1.1.2|66|6', ctx)).toEqual([
      [1001, 5],
      [1002, 6],
    ]);
  });

  it('switches the whole table to ifIndex keying when its indexes are ifIndexes and not bridge ports', async () => {
    const ctx = context(
      [
        [1, 1001],
        [24, 1024],
      ],
      [1001, 1024],
    );
    expect(pvidKeying([1024], ctx)).toBe('ifIndex');
    expect(await pvids('1.3.6.1.2.1.17.7.1.4.5.1.1.1024|66|1', ctx)).toEqual([[1024, 1]]);
  });

  it('decides row by row when the table mixes both', async () => {
    const ctx = context([[1, 1001]], [1001, 1002]);
    expect(pvidKeying([1, 1002, 9], ctx)).toBe('mixed');
    expect(
      await pvids(
        '1.3.6.1.2.1.17.7.1.4.5.1.1.1|66|3\n1.3.6.1.2.1.17.7.1.4.5.1.1.9|66|4\n1.3.6.1.2.1.17.7.1.4.5.1.1.1002|66|5',
        ctx,
      ),
    ).toEqual([
      [1001, 3],
      [1002, 5],
    ]);
  });

  it('takes port numbers as ifIndexes when the agent has no bridge port table at all', async () => {
    expect(await pvids('1.3.6.1.2.1.17.7.1.4.5.1.1.7|66|12', context([], [7]))).toEqual([[7, 12]]);
    expect(await pvids('1.3.6.1.2.1.17.7.1.4.5.1.1.8|66|12', context([], [7]))).toEqual([]);
  });
});

describe('readVlans with Cisco vendor MIBs', () => {
  const CISCO = `
1.3.6.1.2.1.17.1.4.1.2.3|2|10103
1.3.6.1.4.1.9.9.46.1.3.1.1.2.1.1|2|1
1.3.6.1.4.1.9.9.46.1.3.1.1.2.1.99|2|1
1.3.6.1.4.1.9.9.46.1.3.1.1.4.1.1|4|default
1.3.6.1.4.1.9.9.46.1.3.1.1.4.1.99|4|VLAN0099
1.3.6.1.4.1.9.9.68.1.2.2.1.2.10101|2|525
1.3.6.1.4.1.9.9.68.1.2.2.1.2.10147|2|1
`;

  it('uses the access VLAN as PVID and untagged VLAN and VTP for names when Q-BRIDGE is absent', async () => {
    const walked = await walk(CISCO);
    expect(readVlans(walked, context([[3, 10103]], [10101, 10103, 10147]))).toEqual({
      ok: true,
      value: {
        vlans: [
          { vlanId: 1, name: 'default' },
          { vlanId: 99, name: 'VLAN0099' },
          { vlanId: 525, name: null },
        ],
        memberships: [
          member(10101, 525, 'pvid'),
          member(10101, 525, 'untagged'),
          member(10147, 1, 'pvid'),
          member(10147, 1, 'untagged'),
        ],
      },
    });
  });

  it('ignores the vendor MIBs when Q-BRIDGE has VLAN data', async () => {
    const walked = await walk(`${CISCO}\n1.3.6.1.2.1.17.7.1.4.5.1.1.3|66|7`);
    const result = readVlans(walked, context([[3, 10103]], [10101, 10103]));
    expect(result.ok && result.value.memberships).toEqual([member(10103, 7, 'pvid')]);
  });
});
