import type { SnmpFdbEntry, WalkOutcome } from '../../domain/enrichment.types.ts';
import { bridgePortToIfIndex, type PortContext } from './bridge.reader.ts';
import { BRIDGE } from './mib-oids.ts';
import type { Varbind } from './snmp.types.ts';
import { decodeInt, normaliseMacBytes } from './varbind.decode.ts';
import { rowsOf, type Walked } from './walked.ts';

/** Q-BRIDGE forwarding table, index fdbId + 6 MAC octets. */
export const FDB_COLUMNS: readonly string[] = [BRIDGE.dot1qTpFdbPort, BRIDGE.dot1qTpFdbStatus];
/** BRIDGE-MIB forwarding table, index = 6 MAC octets; walked only when Q-BRIDGE has no rows. */
export const FDB_FALLBACK_COLUMNS: readonly string[] = [BRIDGE.dot1dTpFdbPort, BRIDGE.dot1dTpFdbStatus];

/** invalid(2), self(4: the bridge's own address) and mgmt(5: a static entry) are not learnt hosts. */
const SKIPPED_STATUS = new Set([2, 4, 5]);
const MAX_VLAN_ID = 4094;

export interface FdbContext extends PortContext {
  /** VLAN id → FDB id from dot1qVlanCurrentTable (readVlanFdbIds); may be empty. */
  fdbIdByVlan: ReadonlyMap<number, number>;
}

/**
 * MAC → port from dot1qTpFdbTable, or from dot1dTpFdbTable when the Q-BRIDGE table has no rows.
 * A port that does not map (port 0, a CPU port) keeps the entry with ifIndex null: the MAC is
 * still behind this switch.
 */
export function readFdb(walked: Walked, context: FdbContext): WalkOutcome<SnmpFdbEntry[]> {
  const q = walked.get(BRIDGE.dot1qTpFdbPort);
  const d = walked.get(BRIDGE.dot1dTpFdbPort);
  const qRows = rowsOf(walked, BRIDGE.dot1qTpFdbPort);
  if (q?.ok && qRows.size > 0) {
    return { ok: true, value: entries(qRows, rowsOf(walked, BRIDGE.dot1qTpFdbStatus), context, vlanResolver(context)) };
  }
  if (d?.ok) {
    return {
      ok: true,
      value: entries(rowsOf(walked, BRIDGE.dot1dTpFdbPort), rowsOf(walked, BRIDGE.dot1dTpFdbStatus), context, null),
    };
  }
  const errors = [q, d].flatMap((outcome) => (outcome && !outcome.ok ? [outcome.error] : []));
  if (errors.length > 0) return { ok: false, error: [...new Set(errors)].join('; ') };
  return { ok: true, value: [] };
}

function entries(
  ports: Map<string, Varbind>,
  statuses: Map<string, Varbind>,
  context: PortContext,
  vlanOf: ((fdbId: number) => number | null) | null,
): SnmpFdbEntry[] {
  const result: SnmpFdbEntry[] = [];
  for (const [index, varbind] of ports) {
    const status = decodeInt(statuses.get(index));
    if (status !== null && SKIPPED_STATUS.has(status)) continue;
    const parts = index.split('.').map(Number);
    const octets = parts.slice(-6);
    if (parts.length !== (vlanOf ? 7 : 6) || octets.some((octet) => octet > 255)) continue;
    const mac = normaliseMacBytes(Uint8Array.from(octets));
    if (mac === null) continue;
    const port = decodeInt(varbind);
    result.push({
      mac,
      ifIndex: port === null || port < 1 ? null : bridgePortToIfIndex(port, context),
      vlanId: vlanOf ? vlanOf(parts[0] as number) : null,
    });
  }
  return result;
}

/**
 * FDB id → VLAN id. With independent learning each VLAN has its own FDB id and agents report the
 * pairing in dot1qVlanFdbId; an FDB id shared by several VLANs (shared learning) names no single
 * VLAN. Without any pairing the FDB id is taken as the VLAN id, which is what IVL bridges use.
 */
function vlanResolver(context: FdbContext): (fdbId: number) => number | null {
  const vlansByFdb = new Map<number, number[]>();
  for (const [vlanId, fdbId] of context.fdbIdByVlan) vlansByFdb.set(fdbId, [...(vlansByFdb.get(fdbId) ?? []), vlanId]);
  return (fdbId) => {
    const vlans = vlansByFdb.get(fdbId);
    if (vlans) return vlans.length === 1 ? (vlans[0] as number) : null;
    return fdbId >= 1 && fdbId <= MAX_VLAN_ID ? fdbId : null;
  };
}
