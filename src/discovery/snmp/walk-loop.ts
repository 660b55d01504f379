import { compareOids, isInSubtree } from './oid.ts';
import { SnmpError, type Varbind } from './snmp.types.ts';

/** One GETNEXT or GETBULK round: the rows that follow `oid`, in the order the agent sent them. */
export type NextRows = (oid: string) => Promise<Varbind[]>;

export const DEFAULT_MAX_ROWS = 50_000;

/**
 * Rows the first GETBULK of a walk asks for; each further request of the same walk asks for twice
 * the previous one, up to max-repetitions. A GETBULK answer is always full: past the end of a short
 * or empty column the agent keeps reading the next columns, work and bytes that are thrown away. Most
 * columns of most devices are short or empty (neighbour tables, VLAN tables on a router, address
 * tables), so starting small and growing costs a long column one or two extra round trips and saves
 * every short one the overshoot (docs/snmp.md, Corpus suite: measured on snmpsimd).
 */
export const FIRST_BULK_REPETITIONS = 4;

/** GETBULK max-repetitions of a walk's next request: the first is small, each later one doubles, up to `cap`. */
export function nextBulkRepetitions(previous: number | undefined, cap: number): number {
  const limit = Math.max(1, cap);
  return previous === undefined ? Math.min(limit, FIRST_BULK_REPETITIONS) : Math.min(limit, previous * 2);
}

/** GETBULK requests a walk of a subtree holding `rows` rows needs (the last answer reaches past it). */
export function bulkRequestsFor(rows: number, cap: number): number {
  let requests = 0;
  let fetched = 0;
  let size: number | undefined;
  // Every answer returns `size` rows; the walk ends with the answer that reaches past the last row.
  do {
    size = nextBulkRepetitions(size, cap);
    fetched += size;
    requests++;
  } while (fetched <= rows);
  return requests;
}

const END_MARKERS = new Set<Varbind['type']>(['endOfMibView', 'noSuchObject', 'noSuchInstance']);

/**
 * Walks `root` with any next-rows primitive. The loop owns every safety rule so the network session
 * and the in-memory one behave alike: stop at the first end marker (agents repeat endOfMibView for
 * the rest of a bulk answer) or the first row outside the subtree, refuse an agent that goes
 * backwards (a walk would never end), and fail past `maxRows` rather than run unbounded.
 */
export async function walkSubtree(
  root: string,
  next: NextRows,
  options: { maxRows?: number; signal?: AbortSignal } = {},
): Promise<Varbind[]> {
  const maxRows = options.maxRows ?? DEFAULT_MAX_ROWS;
  const rows: Varbind[] = [];
  let cursor = root;
  for (;;) {
    if (options.signal?.aborted) throw new SnmpError('aborted');
    const batch = await next(cursor);
    if (batch.length === 0) return rows;
    for (const varbind of batch) {
      if (END_MARKERS.has(varbind.type) || !isInSubtree(root, varbind.oid)) return rows;
      if (compareOids(varbind.oid, cursor) <= 0) {
        throw new SnmpError(`agent returned OIDs out of order (${varbind.oid} after ${cursor})`);
      }
      if (rows.length >= maxRows) throw new SnmpError(`walk of ${root} exceeded ${maxRows} rows`);
      rows.push(varbind);
      cursor = varbind.oid;
    }
  }
}
