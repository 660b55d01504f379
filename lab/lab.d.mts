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
  /** Lower case, locally administered. */
  mac: string;
  prefixLength: number;
  /** Name of the veth end enslaved to the segment's bridge (in the bridge namespace): `<node>-<name>`. */
  peer: string;
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
}

export interface LabTimings {
  teardownMs: number;
  networkMs: number;
  reachableMs: number;
  daemonsMs: number;
  totalMs: number;
}

export interface Lab {
  prefix: string;
  topology: LabTopology;
  timings: LabTimings;
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
    ready?: () => Promise<boolean>;
    timeoutMs?: number;
    env?: Record<string, string>;
  },
): Promise<{ node: string; name: string; pid: number; argv: string[]; log: string }>;
export declare function labUp(options?: LabUpOptions): Promise<Lab>;
export declare function labDown(options?: LabOptions): Promise<LabDownResult>;
export declare function reapStaleLabs(prefixStart: string): Promise<string[]>;
export declare function labStatus(options?: LabOptions): Promise<Record<string, unknown>>;
