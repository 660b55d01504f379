import type { NeighbourEntry } from './neighbour-table.parse.ts';

/**
 * `ip -s -j -4 neigh show`: kernel neighbour entries with their state (REACHABLE, STALE, FAILED …)
 * and, with `-s`, how many seconds ago the MAC was last confirmed.
 */
export const IP_NEIGH_ARGS = ['-s', '-j', '-4', 'neigh', 'show'] as const;

/** States that mean "this MAC answered for this IP recently". */
const FRESH_STATES = new Set(['REACHABLE', 'DELAY', 'PROBE', 'PERMANENT']);

export interface StatefulNeighbour extends NeighbourEntry {
  fresh: boolean;
  /** Seconds since the kernel last confirmed this MAC; undefined when unknown. */
  confirmedAgoSeconds?: number;
}

export function parseIpNeighJson(stdout: string): StatefulNeighbour[] {
  let rows: unknown;
  try {
    rows = JSON.parse(stdout || '[]');
  } catch {
    return [];
  }
  if (!Array.isArray(rows)) return [];
  const entries: StatefulNeighbour[] = [];
  for (const row of rows as {
    dst?: unknown;
    dev?: unknown;
    lladdr?: unknown;
    state?: unknown;
    confirmed?: unknown;
  }[]) {
    if (typeof row.dst !== 'string' || typeof row.lladdr !== 'string') continue;
    const mac = row.lladdr.toLowerCase();
    if (!/^[0-9a-f]{2}(:[0-9a-f]{2}){5}$/.test(mac) || mac === '00:00:00:00:00:00') continue;
    const states = Array.isArray(row.state) ? (row.state as string[]) : [];
    entries.push({
      ip: row.dst,
      mac,
      device: typeof row.dev === 'string' ? row.dev : '',
      fresh: states.some((state) => FRESH_STATES.has(state)),
      ...(typeof row.confirmed === 'number' ? { confirmedAgoSeconds: row.confirmed } : {}),
    });
  }
  return entries;
}
