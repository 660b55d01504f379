import { compareOids, isInSubtree } from './oid.ts';
import { SnmpError, type Varbind } from './snmp.types.ts';

/** One GETNEXT or GETBULK round: the rows that follow `oid`, in the order the agent sent them. */
export type NextRows = (oid: string) => Promise<Varbind[]>;

export const DEFAULT_MAX_ROWS = 50_000;

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
