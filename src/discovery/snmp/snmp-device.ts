import type { SnmpDeviceReport, SnmpFdbEntry, WalkOutcome } from '../../domain/enrichment.types.ts';
import {
  BRIDGE_PORT_COLUMNS,
  CISCO_VLAN_COLUMNS,
  hasQBridgeVlans,
  type PortContext,
  Q_BRIDGE_VLAN_COLUMNS,
  readBridgePorts,
  readVlanFdbIds,
  readVlans,
} from './bridge.reader.ts';
import { CDP_COLUMNS, readCdp } from './cdp.reader.ts';
import { FDB_COLUMNS, FDB_FALLBACK_COLUMNS, readFdb } from './fdb.reader.ts';
import { INTERFACE_COLUMNS, readInterfaces } from './interfaces.reader.ts';
import { IP_ADDRESS_COLUMNS, readAddresses } from './ip-addresses.reader.ts';
import { LLDP_COLUMNS, readLldp } from './lldp.reader.ts';
import { BRIDGE } from './mib-oids.ts';
import { type CredentialAttempt, type OpenOptions, openWithCredentials } from './open-with-credentials.ts';
import type { SnmpCredential, SnmpSession } from './snmp.types.ts';
import { DEFAULT_WALK_CONCURRENCY, WalkRunner } from './walk-runner.ts';
import { rowsOf, type Walked } from './walked.ts';

export interface ReadDeviceOptions {
  lldp: boolean;
  cdp: boolean;
  signal?: AbortSignal;
  /** Walks in flight at once against this agent (default 4). */
  concurrency?: number;
  /** Row bound per walk; the session's default applies when unset. */
  maxRows?: number;
}

/** What readSnmpDevice learns; address, credential and system come from openWithCredentials. */
export type SnmpDeviceWalks = Omit<SnmpDeviceReport, 'address' | 'credential' | 'system'>;

/**
 * Every table Roller reads from one agent. Independent walks run concurrently; the vendor VLAN
 * MIBs are walked only when Q-BRIDGE had nothing, and BRIDGE-MIB's FDB only when Q-BRIDGE's FDB
 * had no rows. Each part is its own outcome: a failing walk never hides the others.
 */
export async function readSnmpDevice(session: SnmpSession, options: ReadDeviceOptions): Promise<SnmpDeviceWalks> {
  const started = performance.now();
  const runner = new WalkRunner(
    session,
    options.concurrency ?? DEFAULT_WALK_CONCURRENCY,
    options.signal,
    options.maxRows,
  );
  const first = [
    ...INTERFACE_COLUMNS,
    ...BRIDGE_PORT_COLUMNS,
    ...IP_ADDRESS_COLUMNS,
    ...Q_BRIDGE_VLAN_COLUMNS,
    ...FDB_COLUMNS,
    ...(options.lldp ? LLDP_COLUMNS : []),
    ...(options.cdp ? CDP_COLUMNS : []),
  ];
  let walked = await runner.walkAll(first);
  const second = [
    ...(hasQBridgeVlans(walked) ? [] : CISCO_VLAN_COLUMNS),
    ...(rowsOf(walked, BRIDGE.dot1qTpFdbPort).size > 0 ? [] : FDB_FALLBACK_COLUMNS),
  ];
  if (second.length > 0) walked = await runner.walkAll(second);

  const interfaces = readInterfaces(walked);
  const interfaceList = interfaces.ok ? interfaces.value : [];
  const bridgePorts = readBridgePorts(walked);
  const context: PortContext = { bridgePorts, ifIndexes: new Set(interfaceList.map((entry) => entry.ifIndex)) };
  const report: SnmpDeviceWalks = {
    interfaces,
    addresses: readAddresses(walked),
    vlans: readVlans(walked, context),
    fdb: withBridgePorts(walked, readFdb(walked, { ...context, fdbIdByVlan: readVlanFdbIds(walked) })),
    durationMs: 0,
  };
  if (options.lldp) report.lldp = readLldp(walked, { interfaces: interfaceList, bridgePorts });
  if (options.cdp) report.cdp = readCdp(walked);
  report.durationMs = Math.round(performance.now() - started);
  return report;
}

/** FDB ports are bridge ports: entries are meaningless when the port map could not be read. */
function withBridgePorts(walked: Walked, fdb: WalkOutcome<SnmpFdbEntry[]>): WalkOutcome<SnmpFdbEntry[]> {
  const ports = walked.get(BRIDGE.dot1dBasePortIfIndex);
  if (fdb.ok && fdb.value.length > 0 && ports && !ports.ok)
    return { ok: false, error: `bridge port table: ${ports.error}` };
  return fdb;
}

export type CollectResult =
  | { ok: true; report: SnmpDeviceReport; attempts: CredentialAttempt[] }
  | { ok: false; error: string; attempts: CredentialAttempt[] };

/**
 * The whole SNMP part of enrichment for one address: find the credential that answers, read
 * every table, close the session. Never throws for agent or network trouble.
 */
export async function collectSnmpDevice(
  target: string,
  credentials: readonly SnmpCredential[],
  options: OpenOptions & Omit<ReadDeviceOptions, 'signal'>,
): Promise<CollectResult> {
  const { lldp, cdp, concurrency, maxRows, ...openOptions } = options;
  const opened = await openWithCredentials(target, credentials, openOptions);
  if (!opened.ok) return opened;
  try {
    const walks = await readSnmpDevice(opened.session, {
      lldp,
      cdp,
      ...(options.signal ? { signal: options.signal } : {}),
      ...(concurrency === undefined ? {} : { concurrency }),
      ...(maxRows === undefined ? {} : { maxRows }),
    });
    return {
      ok: true,
      report: { address: target, credential: opened.credential, system: opened.system, ...walks },
      attempts: opened.attempts,
    };
  } finally {
    opened.session.close();
  }
}
