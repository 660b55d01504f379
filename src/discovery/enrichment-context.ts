import type {
  NameHint,
  ServiceSighting,
  SnmpDeviceReport,
  SnmpSaved,
  SnmpSystem,
  WalkOutcome,
} from '../domain/enrichment.types.ts';
import type { NameCandidate } from '../domain/naming.ts';
import type { SnmpCredential } from '../shared/snmp-credential.types.ts';

/** Settings of enrichment and port scan that presets never change (SPEC §5.3: they come from configuration). */
export interface EnrichmentConfig {
  names: {
    dnsServers: readonly string[];
    dnsTimeoutMs: number;
    mdnsTimeoutMs: number;
    mdnsBrowseMs: number;
    netbiosTimeoutMs: number;
  };
  snmp: {
    credentials: readonly SnmpCredential[];
    /** CIDRs; empty = every target. */
    allowlist: readonly string[];
    port: number;
    timeoutMs: number;
    retries: number;
    maxRepetitions: number;
  };
  /** CIDRs asked for LLDP/CDP neighbours; empty = nobody. */
  topologyAllowlist: readonly string[];
  portScan: { allowlist: readonly string[]; ports: readonly number[] };
}

/** Name lookups of one run: sockets opened once (one per interface for mDNS), closed at the end. */
export interface NameLookups {
  /** Reverse DNS, mDNS reverse and NetBIOS for one address, each under its own budget. */
  resolve(ip: string, signal: AbortSignal): Promise<{ hints: NameHint[]; errors: string[] }>;
  /** What DNS-SD announced on the local segments (started when the session opened). */
  browse(): Promise<{ names: ReadonlyMap<string, NameHint[]>; services: ReadonlyMap<string, ServiceSighting[]> }>;
  close(): Promise<void>;
}

export type SnmpProbe =
  | { ok: true; credential: string; system: SnmpSystem; device: SnmpDevice }
  | { ok: false; error: string };

/** An SNMP agent that answered with one of the credential sets; walks reuse that credential. */
export interface SnmpDevice {
  read(options: { lldp: boolean; cdp: boolean; signal: AbortSignal }): Promise<Omit<SnmpDeviceReport, 'credential'>>;
  close(): void;
}

/** The probes enrichment uses, behind one seam (the real ones live in snmp/ and names/). */
export interface EnrichmentProbes {
  openNameLookups(config: EnrichmentConfig['names'], interfaceAddresses: readonly string[]): Promise<NameLookups>;
  probeSnmp(
    address: string,
    config: EnrichmentConfig['snmp'],
    preferredCredential: string | undefined,
    signal: AbortSignal,
  ): Promise<SnmpProbe>;
}

export type { SnmpSaved };

/** Where enrichment results go (storage, wired by the worker). */
export interface EnrichmentSink {
  snmpCredentialHints(deviceIds: readonly string[]): Promise<Map<string, string>>;
  saveNames(deviceId: string, address: string | null, candidates: readonly NameCandidate[]): Promise<number>;
  saveSnmp(deviceId: string, report: SnmpDeviceReport): Promise<SnmpSaved>;
  saveSnmpFailure(deviceId: string, address: string, error: string): Promise<void>;
  saveServices(
    deviceId: string,
    scan: { scannedTcpPorts: readonly number[]; open: readonly ServiceSighting[] },
  ): Promise<number>;
  reclassify(deviceIds: readonly string[]): Promise<void>;
  markPresence(scopeCidrs: readonly string[]): Promise<void>;
}

export type { WalkOutcome };
