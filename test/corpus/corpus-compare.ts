import { BRIDGE } from '../../src/discovery/snmp/mib-oids.ts';
import { parseSnmprec } from '../../src/discovery/snmp/snmprec.ts';
import { maskToPrefixLength, parseMacText } from '../../src/discovery/snmp/varbind.decode.ts';
import { normaliseNameCandidate } from '../../src/domain/naming.ts';
import { bigIntToIpv6, ipv6ToBigInt, isIdentityAddress } from '../../src/shared/ip-math.ts';

/**
 * What one recording's `.truth.json` says the device serves, turned into the facts Roller should
 * show through `GET /api/v1/devices/{id}/facts`, and the comparison of the two per category. The
 * expectations apply the reading rules of docs/snmp.md to the truth (trimmed text, blank = none,
 * PVID 0 = none, the Cisco fallback when Q-BRIDGE is absent); nothing here knows a recording by name.
 */

// ---- the truth file, as far as the comparison reads it ----
export interface TruthInterface {
  ifDescr: string | null;
  ifName: string | null;
  ifAlias: string | null;
  ifMtu: number | null;
  ifPhysAddress: string | null;
  speed_bps: number | null;
  adminStatus: string | null;
  operStatus: string | null;
}
interface TruthPortSet {
  ifIndexes: number[];
}
interface TruthVlan {
  name?: string;
  fdbId?: number;
  current_egress?: TruthPortSet;
  current_untagged?: TruthPortSet;
}
export interface TruthLldp {
  local_ifindex: number;
  chassisIdSubtype: string;
  chassisId: string;
  portIdSubtype: string;
  portId: string;
  portDesc: string;
  sysName: string;
  managementAddresses: { subtype: number; address: string }[];
}
export interface TruthCdp {
  ifIndex: number;
  deviceId: string;
  devicePort: string;
  address: string;
}
export interface Truth {
  sysName: string | null;
  sysDescr: string | null;
  sysObjectID: string | null;
  interfaces: Record<string, TruthInterface>;
  ipv4: { address: string; ifIndex: number; netmask: string }[];
  ip_address_mib: { type: string; address: string; ifIndex: number }[];
  bridge_ports: Record<string, number>;
  pvid: { by_ifIndex: Record<string, number>; unmapped_index_is_ifIndex: Record<string, number> };
  vlans: Record<string, TruthVlan>;
  lldp: TruthLldp[];
  cdp: TruthCdp[];
  fdb: { dot1dTpFdbPort: number; dot1qTpFdbPort: number; dot1q_per_fdbid: Record<string, number> };
  cisco?: { vmVlan_by_ifIndex: Record<string, number>; vtp_vlans: Record<string, string> };
}

// ---- the facts API, as far as the comparison reads it (null columns are absent) ----
export interface ApiInterface {
  id: string;
  name?: string;
  ifindex?: number;
  descr?: string;
  alias?: string;
  mac?: string;
  admin_status?: number;
  oper_status?: number;
  mtu?: number;
  speed_bps?: number;
  pvid?: number;
  tagged_vlans: number[];
  untagged_vlans: number[];
  source?: string;
  stale: boolean;
}
export interface ApiFacts {
  device_id: string;
  ips: { ip: string; interface_id?: string; prefix_length?: number; source?: string; stale: boolean }[];
  macs: { mac: string; interface_id?: string; source?: string; stale: boolean }[];
  interfaces: ApiInterface[];
  snmp?: { address?: string; sys_name?: string; sys_descr?: string; sys_object_id?: string; last_error?: string };
  links: {
    id: string;
    peer_device_id: string;
    local_interface_id?: string;
    peer_interface_id?: string;
    local_interface_name?: string;
    peer_interface_name?: string;
    protocols: string[];
    stale: boolean;
  }[];
  vlans: { vlan_id: number; name?: string; stale: boolean }[];
  fdb: { mac: string; vlan_id?: number; interface_id?: string; interface_name?: string; stale: boolean }[];
}
export interface ApiNameCandidate {
  name: string;
  source: string;
}
/** A device as the comparison sees it: its facts and its name candidates. */
export interface ApiDeviceView {
  facts: ApiFacts;
  candidates: ApiNameCandidate[];
}

// ---- scoring ----
export interface Score {
  matched: number;
  total: number;
  misses: string[];
}
export const CATEGORIES = ['system', 'interfaces', 'pvid', 'vlans', 'ipv4', 'lldp', 'cdp', 'fdb'] as const;
export type Category = (typeof CATEGORIES)[number];

/** Keyed expectations against keyed observations; an observation nobody expected is a miss too. */
export function score<T>(expected: ReadonlyMap<string, T>, actual: ReadonlyMap<string, T>): Score {
  const result: Score = { matched: 0, total: 0, misses: [] };
  for (const [key, want] of expected) {
    result.total++;
    const got = actual.get(key);
    if (JSON.stringify(got) === JSON.stringify(want)) result.matched++;
    else result.misses.push(`${key}: expected ${JSON.stringify(want)} got ${JSON.stringify(got ?? null)}`);
  }
  for (const [key, got] of actual) {
    if (expected.has(key)) continue;
    result.total++;
    result.misses.push(`${key}: unexpected ${JSON.stringify(got)}`);
  }
  return result;
}

// ---- reading rules applied to the truth (docs/snmp.md) ----
const text = (value: string | null | undefined): string | null => (value?.trim() ? value.trim() : null);
const mac = (value: string | null | undefined): string | null => (value ? parseMacText(value) : null);
const STATUS: Record<string, number> = {
  up: 1,
  down: 2,
  testing: 3,
  unknown: 4,
  dormant: 5,
  notPresent: 6,
  lowerLayerDown: 7,
};
const status = (value: string | null): number | null => (value === null ? null : (STATUS[value] ?? null));
const sorted = (values: Iterable<number>): number[] => [...values].sort((a, b) => a - b);
export const canonicalIp = (address: string): string =>
  address.includes(':') ? bigIntToIpv6(ipv6ToBigInt(address)) : address;
const MAX_VLAN_ID = 4094;

/** Q-BRIDGE absent and Cisco's vmVlan present: the Cisco fallback of docs/snmp.md applies. */
function ciscoFallback(truth: Truth): Truth['cisco'] {
  return Object.keys(truth.vlans).length === 0 && Object.keys(truth.pvid.by_ifIndex).length === 0
    ? truth.cisco
    : undefined;
}

export function expectedPvids(truth: Truth): Map<string, number> {
  const cisco = ciscoFallback(truth);
  return new Map(
    Object.entries(
      cisco ? cisco.vmVlan_by_ifIndex : { ...truth.pvid.by_ifIndex, ...truth.pvid.unmapped_index_is_ifIndex },
    ).filter(([, vlanId]) => vlanId > 0), // PVID 0 means "none"
  );
}

interface VlanFacts {
  name: string | null;
  tagged: number[];
  untagged: number[];
}

export function expectedVlans(truth: Truth): Map<string, VlanFacts> {
  const cisco = ciscoFallback(truth);
  const vlans = new Map<string, VlanFacts>();
  if (cisco) {
    for (const [vlanId, name] of Object.entries(cisco.vtp_vlans))
      vlans.set(vlanId, { name: text(name), tagged: [], untagged: [] });
  } else {
    // Garbled port lists: the truth's ifIndexes are the recovered reading (docs/snmp.md, Corpus suite).
    for (const [vlanId, vlan] of Object.entries(truth.vlans)) {
      const untagged = new Set(vlan.current_untagged?.ifIndexes ?? []);
      const tagged = (vlan.current_egress?.ifIndexes ?? []).filter((ifIndex) => !untagged.has(ifIndex));
      vlans.set(vlanId, { name: text(vlan.name), tagged: sorted(tagged), untagged: sorted(untagged) });
    }
  }
  // A VLAN in use as a PVID exists on the device even when no VLAN table lists it; a Cisco access
  // VLAN is also the port's untagged VLAN.
  for (const [ifIndex, vlanId] of expectedPvids(truth)) {
    const entry = vlans.get(String(vlanId)) ?? { name: null, tagged: [], untagged: [] };
    if (cisco) entry.untagged = sorted(new Set([...entry.untagged, Number(ifIndex)]));
    vlans.set(String(vlanId), entry);
  }
  return vlans;
}

/** FDB id → VLAN id as docs/snmp.md (FDB) says: the unique paired VLAN, else the id itself when unpaired. */
function fdbVlanResolver(truth: Truth): (fdbId: number) => number | null {
  const vlansByFdb = new Map<number, number[]>();
  for (const [vlanId, vlan] of Object.entries(truth.vlans)) {
    if (vlan.fdbId !== undefined) vlansByFdb.set(vlan.fdbId, [...(vlansByFdb.get(vlan.fdbId) ?? []), Number(vlanId)]);
  }
  return (fdbId) => {
    const paired = vlansByFdb.get(fdbId);
    if (paired) return paired.length === 1 ? (paired[0] as number) : null;
    return fdbId >= 1 && fdbId <= MAX_VLAN_ID ? fdbId : null;
  };
}

/**
 * FDB expectations: the entry count and the per-VLAN counts the truth states, plus, per port, the
 * count of the recording's raw forwarding rows whose bridge port the truth maps to that ifIndex
 * (the truth gives only counts; its bridge-port map places the raw rows).
 */
export function expectedFdb(truth: Truth, recording: string): Map<string, number> {
  const useQ = truth.fdb.dot1qTpFdbPort > 0;
  const expected = new Map<string, number>([['entries', useQ ? truth.fdb.dot1qTpFdbPort : truth.fdb.dot1dTpFdbPort]]);
  if (useQ) {
    const vlanOf = fdbVlanResolver(truth);
    for (const [fdbId, count] of Object.entries(truth.fdb.dot1q_per_fdbid)) {
      const key = `vlan ${vlanOf(Number(fdbId)) ?? 'none'}`;
      expected.set(key, (expected.get(key) ?? 0) + count);
    }
  }
  const column = `${useQ ? BRIDGE.dot1qTpFdbPort : BRIDGE.dot1dTpFdbPort}.`;
  for (const row of parseSnmprec(recording)) {
    if (!row.oid.startsWith(column) || typeof row.value !== 'number') continue;
    const ifIndex = truth.bridge_ports[String(row.value)];
    const key = `port ${ifIndex ? ifIndex : 'none'}`;
    expected.set(key, (expected.get(key) ?? 0) + 1);
  }
  return expected;
}

// ---- the comparison of one recording with its device's facts ----
export interface DeviceComparison {
  scores: Record<Category, Score>;
}

/**
 * Compares everything the truth states with what the API shows for the device, per category.
 * `peers` holds the facts and name candidates of every device a link points at.
 */
export function compareDevice(
  truth: Truth,
  recording: string,
  device: ApiDeviceView,
  peers: ReadonlyMap<string, ApiDeviceView>,
): Record<Category, Score> {
  const facts = device.facts;
  const interfaces = live(facts.interfaces).filter((entry) => entry.ifindex !== undefined);
  const ifIndexOf = new Map(facts.interfaces.map((entry) => [entry.id, entry.ifindex ?? null]));

  const system = score(
    new Map<string, string | null>([
      ['sysName', text(truth.sysName)],
      ['sysDescr', text(truth.sysDescr)],
      ['sysObjectID', truth.sysObjectID?.replace(/^\./, '') ?? null],
    ]),
    new Map<string, string | null>([
      ['sysName', facts.snmp?.sys_name ?? null],
      ['sysDescr', facts.snmp?.sys_descr ?? null],
      ['sysObjectID', facts.snmp?.sys_object_id ?? null],
    ]),
  );

  const interfaceScore = score(
    new Map(
      Object.entries(truth.interfaces).map(([ifIndex, row]) => [
        `ifIndex ${ifIndex}`,
        {
          name: text(row.ifName),
          descr: text(row.ifDescr),
          alias: text(row.ifAlias),
          mac: mac(row.ifPhysAddress),
          mtu: row.ifMtu,
          speed_bps: row.speed_bps,
          admin_status: status(row.adminStatus),
          oper_status: status(row.operStatus),
        },
      ]),
    ),
    new Map(
      interfaces.map((entry) => [
        `ifIndex ${entry.ifindex}`,
        {
          name: entry.name ?? null,
          descr: entry.descr ?? null,
          alias: entry.alias ?? null,
          mac: entry.mac ?? null,
          mtu: entry.mtu ?? null,
          speed_bps: entry.speed_bps ?? null,
          admin_status: entry.admin_status ?? null,
          oper_status: entry.oper_status ?? null,
        },
      ]),
    ),
  );

  const pvid = score(
    new Map([...expectedPvids(truth)].map(([ifIndex, vlanId]) => [`ifIndex ${ifIndex}`, vlanId])),
    new Map(
      interfaces
        .filter((entry) => entry.pvid !== undefined)
        .map((entry) => [`ifIndex ${entry.ifindex}`, entry.pvid as number]),
    ),
  );

  const actualVlans = new Map<string, VlanFacts>(
    live(facts.vlans).map((vlan) => [String(vlan.vlan_id), { name: vlan.name ?? null, tagged: [], untagged: [] }]),
  );
  for (const entry of interfaces) {
    for (const [role, ids] of [
      ['tagged', entry.tagged_vlans],
      ['untagged', entry.untagged_vlans],
    ] as const) {
      for (const vlanId of ids) {
        const vlan = actualVlans.get(String(vlanId)) ?? { name: null, tagged: [], untagged: [] };
        vlan[role] = sorted([...vlan[role], entry.ifindex as number]);
        actualVlans.set(String(vlanId), vlan);
      }
    }
  }
  const vlans = score(
    new Map([...expectedVlans(truth)].map(([vlanId, vlan]) => [`vlan ${vlanId}`, vlan])),
    new Map([...actualVlans].map(([vlanId, vlan]) => [`vlan ${vlanId}`, vlan])),
  );

  // Interface addresses: ipAddrTable rows with their prefix; ipAddressTable rows (no prefix in the
  // truth) by presence on the interface.
  const fromIpv4Table = new Set(truth.ipv4.map((row) => `${row.ifIndex}|${row.address}`));
  const ipv4 = score(
    new Map<string, number | null | 'present'>([
      ...truth.ipv4.map((row) => [`${row.ifIndex}|${row.address}`, maskToPrefixLength(row.netmask)] as const),
      ...truth.ip_address_mib.map((row) => [`${row.ifIndex}|${canonicalIp(row.address)}`, 'present'] as const),
    ]),
    new Map<string, number | null | 'present'>(
      live(facts.ips)
        .filter((row) => row.interface_id !== undefined)
        .map((row) => {
          const key = `${ifIndexOf.get(row.interface_id as string) ?? '?'}|${row.ip}`;
          return [key, fromIpv4Table.has(key) ? (row.prefix_length ?? null) : 'present'] as const;
        }),
    ),
  );

  const links = live(facts.links);
  const lldp = compareNeighbours(
    'lldp',
    truth.lldp.map((row) => lldpExpectation(row)),
    links,
    ifIndexOf,
    peers,
  );
  const cdp = compareNeighbours(
    'cdp',
    truth.cdp.map((row) => cdpExpectation(row)),
    links,
    ifIndexOf,
    peers,
  );

  const fdbRows = live(facts.fdb);
  const actualFdb = new Map<string, number>([['entries', fdbRows.length]]);
  const bump = (key: string): void => {
    actualFdb.set(key, (actualFdb.get(key) ?? 0) + 1);
  };
  const expectedFdbFacts = expectedFdb(truth, recording);
  // VLANs are counted when the truth counts them (Q-BRIDGE) or when an entry names one anyway.
  const countsVlans = [...expectedFdbFacts.keys()].some((key) => key.startsWith('vlan '));
  for (const row of fdbRows) {
    if (countsVlans || row.vlan_id !== undefined) bump(`vlan ${row.vlan_id ?? 'none'}`);
    const ifIndex = row.interface_id === undefined ? null : (ifIndexOf.get(row.interface_id) ?? null);
    bump(`port ${ifIndex ?? 'none'}`);
  }
  const fdb = score(expectedFdbFacts, actualFdb);

  return { system, interfaces: interfaceScore, pvid, vlans, ipv4, lldp, cdp, fdb };
}

// ---- neighbours ----
/** What the truth says about one neighbour row, as the API can show it. */
interface NeighbourExpectation {
  key: string;
  localIfIndex: number;
  /** The chassis id as a MAC (a peer MAC), or as an address (a peer IP), or null when it is neither. */
  chassisMac: string | null;
  chassisIp: string | null;
  /** Name candidate of the peer from this protocol (normalised as storage normalises it). */
  name: string | null;
  /** The remote port: by MAC when the port id is one, else by name; its description when given. */
  portMac: string | null;
  portName: string | null;
  portDescr: string | null;
  /** The advertised address that can identify the peer (never 0.0.0.0 or 127/8). */
  managementIp: string | null;
}

function lldpExpectation(row: TruthLldp): NeighbourExpectation {
  const management = row.managementAddresses.map((entry) => entry.address).filter(isIdentityAddress);
  const chassisIsAddress = row.chassisIdSubtype === 'networkAddress';
  const chassisIp = chassisIsAddress && isIdentityAddress(row.chassisId) ? row.chassisId : null;
  const portMac = row.portIdSubtype === 'macAddress' ? mac(row.portId) : null;
  const name = text(row.sysName);
  return {
    key: `ifIndex ${row.local_ifindex} ← ${row.chassisId}`,
    localIfIndex: row.local_ifindex,
    chassisMac: chassisIsAddress ? null : mac(row.chassisId),
    chassisIp,
    name: name === null ? null : normaliseNameCandidate('lldp', name).name,
    portMac,
    portName: portMac ? null : text(row.portId),
    portDescr: text(row.portDesc),
    managementIp: management.find((ip) => !ip.includes(':')) ?? management[0] ?? chassisIp,
  };
}

function cdpExpectation(row: TruthCdp): NeighbourExpectation {
  const name = text(row.deviceId);
  return {
    key: `ifIndex ${row.ifIndex} ← ${row.deviceId} ${row.devicePort}`,
    localIfIndex: row.ifIndex,
    chassisMac: mac(row.deviceId),
    chassisIp: null,
    name: name === null ? null : normaliseNameCandidate('cdp', name).name,
    portMac: null,
    portName: text(row.devicePort),
    portDescr: null,
    managementIp: isIdentityAddress(row.address) ? row.address : null,
  };
}

type ObservedNeighbour = Omit<NeighbourExpectation, 'key'>;

/**
 * Each truth row against the links of its protocol: the link on the same local interface whose peer
 * carries the expected identity (chassis MAC or address, name, port) is the observation; every
 * field is then read from the API the same way. Links no truth row claims are misses too.
 */
function compareNeighbours(
  protocol: 'lldp' | 'cdp',
  expected: readonly NeighbourExpectation[],
  links: ApiFacts['links'],
  ifIndexOf: ReadonlyMap<string, number | null>,
  peers: ReadonlyMap<string, ApiDeviceView>,
): Score {
  const candidates = links.filter((link) => link.protocols.includes(protocol));
  const observe = (link: ApiFacts['links'][number], want: NeighbourExpectation): ObservedNeighbour => {
    const peer = peers.get(link.peer_device_id);
    const peerMacs = new Set(live(peer?.facts.macs ?? []).map((row) => row.mac));
    const peerIps = new Set(live(peer?.facts.ips ?? []).map((row) => row.ip));
    const names = (peer?.candidates ?? []).filter((row) => row.source === protocol).map((row) => row.name);
    const port = peer?.facts.interfaces.find((entry) => entry.id === link.peer_interface_id);
    const pick = <T>(wanted: T | null, present: (value: T) => boolean, fallback: T | null): T | null =>
      wanted !== null && present(wanted) ? wanted : fallback;
    return {
      localIfIndex: link.local_interface_id === undefined ? -1 : (ifIndexOf.get(link.local_interface_id) ?? -1),
      chassisMac: pick(want.chassisMac, (value) => peerMacs.has(value), want.chassisMac === null ? null : 'absent'),
      chassisIp: pick(want.chassisIp, (value) => peerIps.has(value), want.chassisIp === null ? null : 'absent'),
      name: pick(want.name, (value) => names.includes(value), names[0] ?? null),
      portMac: want.portMac === null ? null : (port?.mac ?? null),
      portName: want.portMac === null ? (port?.name ?? null) : null,
      portDescr: want.portDescr === null ? null : (port?.descr ?? null),
      managementIp: pick(
        want.managementIp,
        (value) => peerIps.has(value),
        [...peerIps].find((ip) => !isIdentityAddress(ip)) ?? null,
      ),
    };
  };
  // Exact observations first, then the same peer identity, then the same local port: a wrong field
  // is reported against the neighbour it belongs to rather than against whichever link came first.
  const used = new Set<string>();
  const expectedMap = new Map<string, ObservedNeighbour>();
  const actualMap = new Map<string, ObservedNeighbour>();
  for (const want of expected) expectedMap.set(want.key, withoutKey(want));
  const passes: ((seen: ObservedNeighbour, want: NeighbourExpectation) => boolean)[] = [
    (seen, want) => JSON.stringify(seen) === JSON.stringify(withoutKey(want)),
    (seen, want) =>
      seen.localIfIndex === want.localIfIndex &&
      seen.chassisMac === want.chassisMac &&
      seen.chassisIp === want.chassisIp &&
      seen.name === want.name,
    (seen, want) => seen.localIfIndex === want.localIfIndex,
  ];
  for (const accept of passes) {
    for (const want of expected) {
      if (actualMap.has(want.key)) continue;
      for (const link of candidates) {
        if (used.has(link.id)) continue;
        const seen = observe(link, want);
        if (!accept(seen, want)) continue;
        used.add(link.id);
        actualMap.set(want.key, seen);
        break;
      }
    }
  }
  for (const link of candidates) {
    if (used.has(link.id)) continue;
    const peer = peers.get(link.peer_device_id);
    actualMap.set(`link ${link.local_interface_name ?? '?'} → ${link.peer_interface_name ?? '?'}`, {
      localIfIndex: link.local_interface_id === undefined ? -1 : (ifIndexOf.get(link.local_interface_id) ?? -1),
      chassisMac: live(peer?.facts.macs ?? [])[0]?.mac ?? null,
      chassisIp: live(peer?.facts.ips ?? [])[0]?.ip ?? null,
      name: (peer?.candidates ?? []).find((row) => row.source === protocol)?.name ?? null,
      portMac: null,
      portName: link.peer_interface_name ?? null,
      portDescr: null,
      managementIp: null,
    });
  }
  return score(expectedMap, actualMap);
}

function withoutKey({ key: _key, ...fields }: NeighbourExpectation): ObservedNeighbour {
  return fields;
}

function live<T extends { stale: boolean }>(rows: readonly T[]): T[] {
  return rows.filter((row) => !row.stale);
}
