/**
 * What enrichment learns about one device, as plain values. The discovery engine produces these
 * (SNMP readers, name lookups, nmap) and storage writes them; neither side sees the other's
 * libraries. MACs are lower-case colon-separated hex; IPs are bare (no prefix length).
 */

/** A sub-walk either produced rows or failed on its own; one failing walk never hides the others. */
export type WalkOutcome<T> = { ok: true; value: T } | { ok: false; error: string };

export interface SnmpSystem {
  sysName: string | null;
  sysDescr: string | null;
  /** Dotted numeric form, e.g. 1.3.6.1.4.1.9.1.1208. */
  sysObjectId: string | null;
  sysContact: string | null;
  sysLocation: string | null;
  /** sysUpTime in hundredths of a second, when reported. */
  sysUpTime: number | null;
}

export interface SnmpInterface {
  ifIndex: number;
  name: string | null;
  descr: string | null;
  alias: string | null;
  mac: string | null;
  /** 1 up, 2 down, 3 testing (IF-MIB). */
  adminStatus: number | null;
  operStatus: number | null;
  mtu: number | null;
  /** ifHighSpeed × 10^6 when reported, else ifSpeed. */
  speedBps: number | null;
}

export interface SnmpInterfaceAddress {
  ifIndex: number;
  ip: string;
  prefixLength: number | null;
}

export type VlanRole = 'pvid' | 'tagged' | 'untagged';

export interface SnmpVlanMembership {
  ifIndex: number;
  vlanId: number;
  role: VlanRole;
}

export interface SnmpVlanReport {
  /** VLAN id → name, for every VLAN the device reports (names may be null). */
  vlans: { vlanId: number; name: string | null }[];
  memberships: SnmpVlanMembership[];
}

export interface SnmpFdbEntry {
  mac: string;
  /** Port the MAC was learnt on, mapped to an ifIndex; null when the bridge port does not map. */
  ifIndex: number | null;
  vlanId: number | null;
}

export type NeighbourProtocol = 'lldp' | 'cdp';

export interface NeighbourSighting {
  protocol: NeighbourProtocol;
  /** The local interface the neighbour was seen on, mapped to an ifIndex; null when unknown. */
  localIfIndex: number | null;
  /** Remote chassis id as a MAC when it encodes one (6 raw bytes or MAC text). */
  remoteChassisMac: string | null;
  /** Remote chassis id as reported, in readable form (for logs and names when nothing else). */
  remoteChassisId: string | null;
  remoteSysName: string | null;
  remoteSysDescr: string | null;
  /** Remote port identifier (LLDP port id / CDP device port), readable form. */
  remotePortId: string | null;
  /** Remote port description (LLDP), null for CDP. */
  remotePortDescr: string | null;
  /** Remote port id as a MAC when its subtype says so. */
  remotePortMac: string | null;
  /** A management IPv4/IPv6 address the neighbour advertises (never loopback/unspecified). */
  remoteManagementIp: string | null;
}

/** Everything one SNMP-speaking device told us in one run. */
export interface SnmpDeviceReport {
  /** The address that was queried. */
  address: string;
  /** Label of the credential set that answered (never the secret). */
  credential: string;
  system: SnmpSystem;
  interfaces: WalkOutcome<SnmpInterface[]>;
  addresses: WalkOutcome<SnmpInterfaceAddress[]>;
  vlans: WalkOutcome<SnmpVlanReport>;
  fdb: WalkOutcome<SnmpFdbEntry[]>;
  /** Absent when the protocol was not asked for (disabled or outside the topology allowlist). */
  lldp?: WalkOutcome<NeighbourSighting[]>;
  cdp?: WalkOutcome<NeighbourSighting[]>;
  /** Wall time of all walks of this device. */
  durationMs: number;
}

/** What storage wrote from one device's SNMP report (counters for the run's stats). */
export interface SnmpSaved {
  interfaces: number;
  addresses: number;
  vlans: number;
  fdb: number;
  links: number;
  devicesCreated: number;
}

export type NameSource = 'reverse_dns' | 'mdns' | 'netbios' | 'snmp' | 'lldp' | 'cdp';

export interface NameHint {
  source: NameSource;
  /** Raw name as the source gave it; normalised by domain/naming.ts before storing. */
  name: string;
}

/** A service seen open on a device (nmap, or advertised over DNS-SD). */
export interface ServiceSighting {
  protocol: 'tcp' | 'udp';
  port: number;
  name: string | null;
  source: 'nmap' | 'mdns';
}

/** One auto-tag suggestion (SPEC §5.12). */
export interface TagSuggestion {
  tag: string;
  confidence: number;
  evidence: Record<string, unknown>;
}
