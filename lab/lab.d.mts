// Types for lab/lab.mjs (plain Node ESM), so TypeScript tests can import it.

export declare const LAB_DIR: string;
export declare const TOPOLOGY_PATH: string;
export declare const STATE_ROOT: string;

export declare class LabError extends Error {}

export interface LabRoute {
  to: string;
  via: string;
}

export interface LabService {
  proto: 'tcp';
  port: number;
  banner?: string;
  http?: { server?: string; title?: string };
}

export interface LabInterface {
  /** Name inside the node's namespace (eth0, eth1). */
  name: string;
  segment: string;
  ip: string;
  /** Lower case; locally administered unless the node's expect.vendor names its (real) OUI. */
  mac: string;
  prefixLength: number;
  /** Name of the veth end enslaved to the segment's bridge (in the bridge namespace): `<node>-<name>`. */
  peer: string;
}

/** An SNMP credential set, in the shape Roller's DISCOVERY_SNMP_CREDENTIALS takes. Lab-only secrets. */
export type LabSnmpCredential =
  | { name: string; version: '1' | '2c'; community: string }
  | {
      name: string;
      version: '3';
      user: string;
      level: 'authPriv' | 'authNoPriv';
      authProtocol: 'md5' | 'sha';
      authKey: string;
      privProtocol?: 'des' | 'aes';
      privKey?: string;
    };

export interface LabSnmpSystem {
  sysName: string;
  sysDescr: string;
  /** Dotted numeric. */
  sysObjectID: string;
  sysContact?: string;
  sysLocation?: string;
  /** snmpsim only: sysUpTime in hundredths of a second. */
  sysUpTime?: number;
}

/** Real net-snmp snmpd on the node's first IP; its interfaces are the namespace's real ones. */
export interface LabSnmpd {
  system: LabSnmpSystem;
  credentials: LabSnmpCredential[];
}

export type LabNeighbourProtocol = 'lldp' | 'cdp';
export type LabLldpCapability =
  | 'other'
  | 'repeater'
  | 'bridge'
  | 'wlanAccessPoint'
  | 'router'
  | 'telephone'
  | 'docsisCableDevice'
  | 'stationOnly';

export interface LabSwitchNeighbour {
  /** Node reference: `rtr` (its interface on the switch's segment) or `rtr.eth0`. */
  node: string;
  /** The neighbour's port name (LLDP port description / CDP device port). */
  port: string;
  /** What the neighbour advertises as its name (lldpRemSysName / cdpCacheDeviceId). */
  sysName: string;
  sysDescr?: string;
  capabilities?: LabLldpCapability[];
  /** Both = the same cable seen twice: Roller must store ONE link. */
  protocols: LabNeighbourProtocol[];
  /** lldpRemTable index timeMark.localPort.remIndex; portIdSubtype 5 (name) or 3 (MAC of the neighbour's port). */
  lldp?: { timeMark: number; remIndex: number; portIdSubtype: 'interfaceName' | 'macAddress' };
  /** cdpCacheTable index ifIndex.deviceIndex. */
  cdp?: { deviceIndex: number; platform?: string };
}

export interface LabSwitchPort {
  ifIndex: number;
  /** BRIDGE-MIB base port; deliberately different from ifIndex. */
  bridgePort: number;
  /** ifName = lldpLocPortId. */
  name: string;
  descr: string;
  alias?: string;
  mac: string;
  speedMbps: number;
  mtu: number;
  admin: 'up' | 'down';
  oper: 'up' | 'down';
  pvid: number;
  untagged: number[];
  tagged: number[];
  neighbour?: LabSwitchNeighbour;
  /** Node references whose MACs the FDB places behind this port (in the port's PVID). */
  behind?: string[];
}

/** A switch simulated by snmpsimd; its snmprec is generated from this block at `up`. */
export interface LabSnmpsim {
  credentials: LabSnmpCredential[];
  system: LabSnmpSystem;
  /** The interface holding the management IP (the node's eth0 IP and MAC). */
  management: { ifIndex: number; name: string; descr?: string; mtu?: number; speedMbps?: number };
  /** A loopback interface with 127.0.0.1/8 (says nothing about identity). */
  loopback?: { ifIndex: number; name: string; descr?: string };
  /** What lldpLocPortNum (and the lldpRemTable local port) counts: bridge ports (default) or ifIndexes. */
  lldpLocalPortNumber?: 'bridgePort' | 'ifIndex';
  vlans: { id: number; name: string }[];
  ports: LabSwitchPort[];
}

export interface LabAvahi {
  /** Published as `<hostName>.local`. */
  hostName: string;
  /** Static DNS-SD services; each port must have a listener in the node's `services`. */
  services?: { name: string; type: string; port: number; txt?: string[] }[];
}

export interface LabNmbd {
  netbiosName: string;
  workgroup: string;
  serverString?: string;
}

export interface LabDnsmasq {
  domain: string;
  /** A + PTR records: node reference → name. */
  records: { node: string; name: string }[];
}

export type LabNameSource = 'reverse_dns' | 'mdns' | 'netbios' | 'snmp' | 'lldp' | 'cdp';

/** What Roller's enrichment must conclude about a node. */
export interface LabExpect {
  /** Every name candidate enrichment collects for the device (source + raw name as the source gives it). */
  names: { source: LabNameSource; name: string }[];
  /** The display name SPEC §5.11 picks from `names` (null: no candidate). */
  displayName: string | null;
  /** Auto tags (SPEC §5.12) from names, sysDescr and open ports. */
  tags: string[];
  /** oui-data organisation of a globally administered MAC; null for locally administered (randomised) MACs. */
  vendor: string | null;
}

export interface LabNode {
  name: string;
  role: 'scanner' | 'router' | 'host';
  /** false: answers ARP but drops ICMP echo (net.ipv4.icmp_echo_ignore_all=1). */
  icmp: boolean;
  interfaces: LabInterface[];
  routes: LabRoute[];
  sysctls: Record<string, string>;
  services: LabService[];
  snmpd: LabSnmpd | null;
  snmpsim: LabSnmpsim | null;
  avahi: LabAvahi | null;
  nmbd: LabNmbd | null;
  dnsmasq: LabDnsmasq | null;
  /** Defaults: no names, no display name, no tags, no vendor. */
  expect: LabExpect;
}

/** One interface address of a node, flattened: what a scan can observe. */
export interface LabAddress {
  node: string;
  role: LabNode['role'];
  interface: string;
  ip: string;
  mac: string;
  segment: string;
  icmp: boolean;
}

export interface LabSegment {
  name: string;
  cidr: string;
  prefixLength: number;
  bridge: string;
  bridgeOptions: Record<string, number>;
}

export interface LabTopology {
  path: string;
  version: number;
  /** Default prefix (ROLLER_LAB_PREFIX or an explicit prefix override it). */
  prefix: string;
  ipv6: boolean;
  bridgeNamespace: string;
  segments: LabSegment[];
  /** Scanner first, then router, then hosts. The bridge namespace is not a node. */
  nodes: LabNode[];
  scanner: LabNode & { ip: string; mac: string; segment: string };
  /** Every interface of every node (the scanner's own included). */
  addresses: LabAddress[];
  /** Scopes tests use, e.g. { main: '10.250.0.0/24', routed: '10.251.0.0/24' }. */
  scopes: Record<string, string>;
  raw: unknown;
}

export interface RunResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  timedOut: boolean;
  ms: number;
}

export interface RunOptions {
  /** Hard timeout, SIGKILL on expiry (default 10 s). */
  timeoutMs?: number;
  input?: string;
  env?: Record<string, string>;
}

export interface LabOptions {
  prefix?: string;
  topologyPath?: string;
}

export interface LabUpOptions extends LabOptions {
  /** Bound on waiting until the scanner reaches every host (default 5000). */
  readyTimeoutMs?: number;
  /** Flush every node's neighbour table at the end of up, so scans start cold (default true). */
  flushNeighbours?: boolean;
  /** The lab belongs to this process; reapStaleLabs() removes it once the process is gone. */
  ownerPid?: number;
  /** Fail when a daemon's program is missing, instead of skipping that daemon kind (default false). */
  requireDaemons?: boolean;
}

export interface LabTimings {
  teardownMs: number;
  networkMs: number;
  /** From network ready until the scanner reached every node. */
  reachableMs: number;
  /** From network ready until every daemon answered (runs alongside the reachability check). */
  daemonsMs: number;
  totalMs: number;
}

export interface LabDaemon {
  node: string;
  /** services | snmpd | snmpsim | avahi | nmbd | dnsmasq */
  name: string;
  pid: number;
  argv: string[];
  log: string;
  readyMs: number;
}

export interface SkippedDaemon {
  kind: string;
  nodes: string[];
  missing: string[];
  package: string;
}

export interface Lab {
  prefix: string;
  topology: LabTopology;
  timings: LabTimings;
  daemons: LabDaemon[];
  /** Daemon kinds not started because their programs are missing (only without requireDaemons). */
  skippedDaemons: SkippedDaemon[];
  /** Full namespace name of a node: ns('scan') → `<prefix>-scan`. */
  ns(name: string): string;
  /** exec() inside a node's namespace by logical name. */
  exec(name: string, argv: string[], options?: RunOptions): Promise<RunResult>;
  down(): Promise<LabDownResult>;
}

export interface LabDownResult {
  prefix: string;
  namespacesDeleted: number;
  processesKilled: number;
  ms: number;
}

export interface NeighbourEntry {
  dst: string;
  dev?: string;
  lladdr?: string;
  state?: string[];
}

export declare function parseCidr(cidr: string): { base: number; size: number; prefixLength: number };
export declare function cidrContains(cidr: string, ip: string): boolean;
export declare function loadTopology(path?: string): LabTopology;
export declare function resolvePrefix(options?: LabOptions, topology?: LabTopology): string;
export declare function nsName(logical: string, prefix?: string): string;
export declare function labNamespaces(topology: LabTopology, prefix: string): string[];
export declare function run(argv: string[], options?: RunOptions): Promise<RunResult>;
/** Runs argv inside namespace `ns` (full name) via `ip netns exec`, with a timeout; never throws on exit codes. */
export declare function exec(ns: string, argv: string[], options?: RunOptions): Promise<RunResult>;
export declare function checkPrerequisites(): Promise<{ ok: true } | { ok: false; reason: string }>;
export declare function listNamespaces(): Promise<string[]>;
export declare function assertNoDefaultRoutes(topology: LabTopology, prefix: string): Promise<void>;
export declare function neighbours(ns: string): Promise<NeighbourEntry[]>;
export declare function startDaemon(
  lab: { prefix: string; state: { daemons: unknown[] } },
  spec: {
    node: string;
    name: string;
    argv: string[];
    readyPattern?: RegExp;
    ready?: (log: string) => boolean | Promise<boolean>;
    timeoutMs?: number;
    env?: Record<string, string>;
  },
): Promise<LabDaemon>;
export declare function findProgram(program: string): string | null;
export declare const DAEMON_PROGRAMS: Record<string, { programs: string[]; package: string }>;
export declare function missingDaemonPrograms(topology?: LabTopology): SkippedDaemon[];

// Derived from the topology (lab/daemons.mjs), shared by set-up and tests.

export interface LabSwitchModel {
  node: string;
  credentials: LabSnmpCredential[];
  communities: string[];
  system: LabSnmpSystem;
  management: LabSnmpsim['management'] & { mac: string; ip: string; prefixLength: number };
  loopback: LabSnmpsim['loopback'] | null;
  lldpLocalPortNumber: 'bridgePort' | 'ifIndex';
  vlans: { id: number; name: string; egressPorts: number[]; untaggedPorts: number[] }[];
  vlanName(id: number): string | null;
  ports: (Omit<LabSwitchPort, 'behind' | 'neighbour'> & {
    alias: string;
    /** lldpLocPortNum of this port. */
    lldpPortNum: number;
    behind: { node: string; interface: string; mac: string; vlan: number }[];
    neighbour:
      | (LabSwitchNeighbour & {
          chassisMac: string;
          managementIp: string;
          portMac: string;
          sysDescr: string;
          capabilities: LabLldpCapability[];
        })
      | null;
  })[];
}

export interface LabFdbEntry {
  mac: string;
  node: string;
  port: string;
  ifIndex: number;
  bridgePort: number;
  vlan: number;
}

export interface LabLink {
  localPort: string;
  localIfIndex: number;
  node: string;
  remotePort: string;
  remoteName: string;
  managementIp: string;
  chassisMac: string;
  protocols: LabNeighbourProtocol[];
}

export interface LabPortVlans {
  port: string;
  ifIndex: number;
  bridgePort: number;
  pvid: number;
  untagged: number[];
  tagged: number[];
}

export declare function switchModel(topology: LabTopology, node: string): LabSwitchModel;
/** [oid, tag, value] sorted by numeric OID: exactly what snmpsimd serves. */
export declare function switchSnmprec(model: LabSwitchModel): [string, string, string][];
export declare function expectedFdb(model: LabSwitchModel): LabFdbEntry[];
/** One entry per cable, whatever protocols describe it. */
export declare function expectedLinks(model: LabSwitchModel): LabLink[];
export declare function expectedPortVlans(model: LabSwitchModel): LabPortVlans[];
/** TCP ports a connect scan finds open: the node's `services`, plus 53 on a dnsmasq node. */
export declare function openTcpPorts(node: LabNode): number[];
export declare function dnsRecords(topology: LabTopology): { server: string; name: string; node: string; ip: string }[];
export declare function reverseName(ip: string): string;
export declare function isLocallyAdministered(mac: string): boolean;
/** oui-data key: first three octets as 6 upper-case hex digits. */
export declare function ouiKey(mac: string): string;
export declare function labUp(options?: LabUpOptions): Promise<Lab>;
export declare function labDown(options?: LabOptions): Promise<LabDownResult>;
export declare function reapStaleLabs(prefixStart: string): Promise<string[]>;
export declare function labStatus(options?: LabOptions): Promise<Record<string, unknown>>;
