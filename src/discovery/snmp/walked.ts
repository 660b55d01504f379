import type { WalkOutcome } from '../../domain/enrichment.types.ts';
import { indexOf } from './oid.ts';
import type { Varbind } from './snmp.types.ts';

/**
 * The results of the column walks of one device, keyed by column OID. Readers are pure functions
 * of this map, so one walk feeds every reader that needs it and tests can build it from text.
 */
export type Walked = ReadonlyMap<string, WalkOutcome<Varbind[]>>;

/** A column's rows keyed by their index text (`"3"`, `"0.27.1"`); empty when missing or failed. */
export function rowsOf(walked: Walked, column: string): Map<string, Varbind> {
  const rows = new Map<string, Varbind>();
  const outcome = walked.get(column);
  if (!outcome?.ok) return rows;
  for (const varbind of outcome.value) {
    const index = indexOf(column, varbind.oid);
    // The first answer wins if an agent repeats an OID.
    if (index && index.length > 0 && !rows.has(index.join('.'))) rows.set(index.join('.'), varbind);
  }
  return rows;
}

/** Like rowsOf, keyed by a single-number index (ifIndex, bridge port); other indexes are skipped. */
export function rowsByNumber(walked: Walked, column: string): Map<number, Varbind> {
  const rows = new Map<number, Varbind>();
  for (const [index, varbind] of rowsOf(walked, column)) {
    if (/^\d+$/.test(index)) rows.set(Number(index), varbind);
  }
  return rows;
}

/**
 * The combined error when every one of `columns` failed, else null. A table is only "failed" when
 * nothing could be read: a missing or failing column alone just leaves its values null.
 */
export function allFailed(walked: Walked, columns: readonly string[]): string | null {
  const errors: string[] = [];
  for (const column of columns) {
    const outcome = walked.get(column);
    if (!outcome || outcome.ok) return null;
    errors.push(outcome.error);
  }
  if (errors.length === 0) return null;
  return [...new Set(errors)].join('; ');
}
