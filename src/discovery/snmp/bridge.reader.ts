import type { SnmpVlanMembership, SnmpVlanReport, WalkOutcome } from '../../domain/enrichment.types.ts';
import { BRIDGE, CISCO_VLAN } from './mib-oids.ts';
import { decodePortList } from './port-list.decode.ts';
import type { Varbind } from './snmp.types.ts';
import { decodeInt, decodeText } from './varbind.decode.ts';
import { allFailed, rowsByNumber, rowsOf, type Walked } from './walked.ts';

export const BRIDGE_PORT_COLUMNS: readonly string[] = [BRIDGE.dot1dBasePortIfIndex];

export const Q_BRIDGE_VLAN_COLUMNS: readonly string[] = [
  BRIDGE.dot1qPvid,
  BRIDGE.dot1qVlanStaticName,
  BRIDGE.dot1qVlanStaticEgressPorts,
  BRIDGE.dot1qVlanStaticUntaggedPorts,
  BRIDGE.dot1qVlanFdbId,
  BRIDGE.dot1qVlanCurrentEgressPorts,
  BRIDGE.dot1qVlanCurrentUntaggedPorts,
];

export const CISCO_VLAN_COLUMNS: readonly string[] = Object.values(CISCO_VLAN);

const MAX_VLAN_ID = 4094;

/** Bridge port → ifIndex. Port 0 and ports mapped to ifIndex 0 (internal/CPU ports) mean nothing. */
export function readBridgePorts(walked: Walked): Map<number, number> {
  const ports = new Map<number, number>();
  for (const [port, varbind] of rowsByNumber(walked, BRIDGE.dot1dBasePortIfIndex)) {
    const ifIndex = decodeInt(varbind);
    if (port > 0 && ifIndex !== null && ifIndex > 0) ports.set(port, ifIndex);
  }
  return ports;
}

export interface PortContext {
  /** Bridge port → ifIndex (readBridgePorts). */
  bridgePorts: ReadonlyMap<number, number>;
  /** Every ifIndex the interface walk reported. */
  ifIndexes: ReadonlySet<number>;
}

/**
 * A bridge port as an ifIndex. When the agent has no dot1dBasePortIfIndex table at all, a port
 * number that is also an ifIndex is taken as one: small agents number both the same way.
 */
export function bridgePortToIfIndex(port: number, context: PortContext): number | null {
  const mapped = context.bridgePorts.get(port);
  if (mapped !== undefined) return mapped;
  if (context.bridgePorts.size === 0 && context.ifIndexes.has(port)) return port;
  return null;
}

/** True when the agent answered any Q-BRIDGE VLAN or PVID row (then vendor VLAN MIBs are not needed). */
export function hasQBridgeVlans(walked: Walked): boolean {
  return Q_BRIDGE_VLAN_COLUMNS.some((column) => rowsOf(walked, column).size > 0);
}

/**
 * How dot1qPvid is keyed. The MIB says bridge port, but some agents key it by ifIndex. Decided for
 * the whole table, so one coincidence cannot flip a single row:
 *  - every index is a mapped bridge port → bridge ports (the standard reading);
 *  - else every index is a known ifIndex → ifIndexes;
 *  - else row by row: a mapped bridge port, otherwise a known ifIndex, otherwise dropped.
 */
export function pvidKeying(indexes: readonly number[], context: PortContext): 'bridgePort' | 'ifIndex' | 'mixed' {
  if (indexes.every((index) => bridgePortToIfIndex(index, context) !== null)) return 'bridgePort';
  if (indexes.every((index) => context.ifIndexes.has(index))) return 'ifIndex';
  return 'mixed';
}

export function readPvids(walked: Walked, context: PortContext): Map<number, number> {
  const rows = rowsByNumber(walked, BRIDGE.dot1qPvid);
  const keying = pvidKeying([...rows.keys()], context);
  const pvids = new Map<number, number>();
  for (const [index, varbind] of rows) {
    const vlanId = decodeInt(varbind);
    // PVID 0 is "none" on some agents; only a real VLAN id is a PVID.
    if (vlanId === null || vlanId < 1 || vlanId > MAX_VLAN_ID) continue;
    const ifIndex =
      keying === 'ifIndex'
        ? index
        : (bridgePortToIfIndex(index, context) ?? (keying === 'mixed' && context.ifIndexes.has(index) ? index : null));
    if (ifIndex !== null && ifIndex > 0) pvids.set(ifIndex, vlanId);
  }
  return pvids;
}

/**
 * VLANs, their names and per-interface membership. Q-BRIDGE first: PVIDs, then port lists from
 * dot1qVlanCurrentTable (what is in effect) or else dot1qVlanStaticTable (what is configured);
 * untagged ports are `untagged`, the other egress ports `tagged`. When the agent has no Q-BRIDGE
 * VLAN data at all, Cisco's vendor MIBs: the access VLAN of each port (vmVlan) is its PVID and
 * its untagged VLAN, and the VTP table lists VLANs and names.
 */
export function readVlans(walked: Walked, context: PortContext): WalkOutcome<SnmpVlanReport> {
  if (hasQBridgeVlans(walked)) {
    // Q-BRIDGE speaks in bridge ports: without the port map nothing can be placed on an interface.
    const ports = walked.get(BRIDGE.dot1dBasePortIfIndex);
    if (ports && !ports.ok) return { ok: false, error: `bridge port table: ${ports.error}` };
    return { ok: true, value: readQBridgeVlans(walked, context) };
  }
  if ([...CISCO_VLAN_COLUMNS].some((column) => rowsOf(walked, column).size > 0)) {
    return { ok: true, value: readCiscoVlans(walked) };
  }
  const error = allFailed(walked, Q_BRIDGE_VLAN_COLUMNS);
  if (error) return { ok: false, error };
  return { ok: true, value: { vlans: [], memberships: [] } };
}

function readQBridgeVlans(walked: Walked, context: PortContext): SnmpVlanReport {
  const report = new VlanCollector();
  for (const [ifIndex, vlanId] of readPvids(walked, context)) {
    report.addVlan(vlanId);
    report.addMember(ifIndex, vlanId, 'pvid');
  }
  const names = rowsByNumber(walked, BRIDGE.dot1qVlanStaticName);
  const staticEgress = rowsByNumber(walked, BRIDGE.dot1qVlanStaticEgressPorts);
  const staticUntagged = rowsByNumber(walked, BRIDGE.dot1qVlanStaticUntaggedPorts);
  const currentEgress = byVlanLatest(rowsOf(walked, BRIDGE.dot1qVlanCurrentEgressPorts));
  const currentUntagged = byVlanLatest(rowsOf(walked, BRIDGE.dot1qVlanCurrentUntaggedPorts));
  const currentFdb = byVlanLatest(rowsOf(walked, BRIDGE.dot1qVlanFdbId));
  const vlanIds = new Set([
    ...names.keys(),
    ...staticEgress.keys(),
    ...staticUntagged.keys(),
    ...currentEgress.keys(),
    ...currentUntagged.keys(),
    ...currentFdb.keys(),
  ]);
  for (const vlanId of vlanIds) {
    if (vlanId < 1 || vlanId > MAX_VLAN_ID) continue;
    report.addVlan(vlanId, decodeText(names.get(vlanId)));
    const egress = portsOf(currentEgress.get(vlanId) ?? staticEgress.get(vlanId), context);
    const untagged = portsOf(currentUntagged.get(vlanId) ?? staticUntagged.get(vlanId), context);
    for (const ifIndex of untagged) report.addMember(ifIndex, vlanId, 'untagged');
    for (const ifIndex of egress) if (!untagged.has(ifIndex)) report.addMember(ifIndex, vlanId, 'tagged');
  }
  return report.finish();
}

function readCiscoVlans(walked: Walked): SnmpVlanReport {
  const report = new VlanCollector();
  const names = rowsOf(walked, CISCO_VLAN.vtpVlanName);
  for (const index of new Set([...rowsOf(walked, CISCO_VLAN.vtpVlanState).keys(), ...names.keys()])) {
    const vlanId = Number(index.split('.').at(-1));
    if (vlanId >= 1 && vlanId <= MAX_VLAN_ID) report.addVlan(vlanId, decodeText(names.get(index)));
  }
  for (const [ifIndex, varbind] of rowsByNumber(walked, CISCO_VLAN.vmVlan)) {
    const vlanId = decodeInt(varbind);
    if (vlanId === null || vlanId < 1 || vlanId > MAX_VLAN_ID || ifIndex < 1) continue;
    report.addVlan(vlanId);
    report.addMember(ifIndex, vlanId, 'pvid');
    report.addMember(ifIndex, vlanId, 'untagged');
  }
  return report.finish();
}

/** dot1qVlanCurrentTable is indexed timeMark.vlanId; walk order puts the newest timeMark last. */
function byVlanLatest(rows: Map<string, Varbind>): Map<number, Varbind> {
  const byVlan = new Map<number, Varbind>();
  for (const [index, varbind] of rows) {
    const parts = index.split('.');
    if (parts.length !== 2) continue;
    byVlan.set(Number(parts[1]), varbind);
  }
  return byVlan;
}

/** dot1qVlanCurrentFdbId per VLAN, for turning FDB ids back into VLAN ids. */
export function readVlanFdbIds(walked: Walked): Map<number, number> {
  const fdbIds = new Map<number, number>();
  for (const [vlanId, varbind] of byVlanLatest(rowsOf(walked, BRIDGE.dot1qVlanFdbId))) {
    const fdbId = decodeInt(varbind);
    if (fdbId !== null) fdbIds.set(vlanId, fdbId);
  }
  return fdbIds;
}

function portsOf(varbind: Varbind | undefined, context: PortContext): Set<number> {
  const ifIndexes = new Set<number>();
  if (!varbind || !Buffer.isBuffer(varbind.value)) return ifIndexes;
  for (const port of decodePortList(varbind.value)) {
    const ifIndex = bridgePortToIfIndex(port, context);
    if (ifIndex !== null) ifIndexes.add(ifIndex);
  }
  return ifIndexes;
}

class VlanCollector {
  private readonly names = new Map<number, string | null>();
  private readonly members = new Map<string, SnmpVlanMembership>();

  addVlan(vlanId: number, name: string | null = null): void {
    const known = this.names.get(vlanId);
    if (known === undefined || (known === null && name !== null)) this.names.set(vlanId, name);
  }

  addMember(ifIndex: number, vlanId: number, role: SnmpVlanMembership['role']): void {
    this.members.set(`${ifIndex}|${vlanId}|${role}`, { ifIndex, vlanId, role });
  }

  finish(): SnmpVlanReport {
    return {
      vlans: [...this.names].sort(([a], [b]) => a - b).map(([vlanId, name]) => ({ vlanId, name })),
      memberships: [...this.members.values()].sort(
        (a, b) => a.ifIndex - b.ifIndex || a.vlanId - b.vlanId || a.role.localeCompare(b.role),
      ),
    };
  }
}
