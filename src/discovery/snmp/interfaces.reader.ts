import type { SnmpInterface, WalkOutcome } from '../../domain/enrichment.types.ts';
import { IF } from './mib-oids.ts';
import { decodeInt, decodeMac, decodeText } from './varbind.decode.ts';
import { allFailed, rowsByNumber, type Walked } from './walked.ts';

export const INTERFACE_COLUMNS: readonly string[] = Object.values(IF);

const MBIT = 1_000_000;

/**
 * One row per ifIndex seen in any column: agents drop whole columns or keep some interfaces only
 * in ifTable, so no single column decides which interfaces exist. Only when every column failed
 * is the interface walk an error.
 */
export function readInterfaces(walked: Walked): WalkOutcome<SnmpInterface[]> {
  const error = allFailed(walked, INTERFACE_COLUMNS);
  if (error) return { ok: false, error };
  const columns = Object.fromEntries(
    Object.entries(IF).map(([name, oid]) => [name, rowsByNumber(walked, oid)]),
  ) as Record<keyof typeof IF, ReturnType<typeof rowsByNumber>>;
  const indexes = new Set<number>();
  for (const rows of Object.values(columns)) for (const index of rows.keys()) indexes.add(index);
  const interfaces = [...indexes]
    .sort((a, b) => a - b)
    .map(
      (ifIndex): SnmpInterface => ({
        ifIndex,
        name: decodeText(columns.ifName.get(ifIndex)),
        descr: decodeText(columns.ifDescr.get(ifIndex)),
        alias: decodeText(columns.ifAlias.get(ifIndex)),
        mac: decodeMac(columns.ifPhysAddress.get(ifIndex)),
        adminStatus: decodeInt(columns.ifAdminStatus.get(ifIndex)),
        operStatus: decodeInt(columns.ifOperStatus.get(ifIndex)),
        mtu: decodeInt(columns.ifMtu.get(ifIndex)),
        speedBps: speed(decodeInt(columns.ifHighSpeed.get(ifIndex)), decodeInt(columns.ifSpeed.get(ifIndex))),
      }),
    );
  return { ok: true, value: interfaces };
}

/**
 * ifHighSpeed (Mbit/s) wins because ifSpeed saturates at 4.29 Gbit/s. The one exception: a link
 * slower than 1 Mbit/s reports ifHighSpeed 0, and then a non-zero ifSpeed is the better number.
 */
export function speed(highSpeedMbit: number | null, speedBps: number | null): number | null {
  if (highSpeedMbit === null) return speedBps;
  if (highSpeedMbit === 0 && speedBps !== null && speedBps > 0) return speedBps;
  return highSpeedMbit * MBIT;
}
