import { type Kysely, type RawBuilder, sql } from 'kysely';
import type { CursorPosition } from '../shared/cursor.ts';
import type { Schema } from './schema.ts';

export interface DeviceEventRow {
  id: string;
  device_id: string;
  event_at: string;
  kind: string;
  summary: string;
  details: Record<string, unknown>;
  run_id: string | null;
  actor: string | null;
}

export interface DeviceEventQuery {
  deviceId?: string;
  kinds?: readonly string[];
  /** Inclusive lower bound on event_at, honoured on every page (G-11). */
  since?: string;
  /** Exclusive upper bound on event_at. */
  until?: string;
  /** The last event of the previous page: (event_at, id). */
  after?: CursorPosition;
  limit: number;
}

/**
 * Read side of the recorded history: newest first by (event_at, id), keyset paged. Each shape of
 * query has an index that serves the order directly (migration 007): the feed uses
 * (event_at, id), a device's timeline (device_id, event_at, id), a kind filter
 * (kind, event_at, id) merged per kind.
 */
export class DeviceEventsRepository {
  constructor(private readonly db: Kysely<Schema>) {}

  /** Returns up to limit + 1 rows, so the caller knows whether another page exists. */
  async list(query: DeviceEventQuery): Promise<DeviceEventRow[]> {
    const conditions: RawBuilder<unknown>[] = [];
    if (query.deviceId) conditions.push(sql`e.device_id = ${query.deviceId}::uuid`);
    if (query.since) conditions.push(sql`e.event_at >= ${query.since}::timestamptz`);
    if (query.until) conditions.push(sql`e.event_at < ${query.until}::timestamptz`);
    if (query.after) {
      conditions.push(sql`(e.event_at, e.id) < (${query.after.at}::timestamptz, ${query.after.id}::bigint)`);
    }
    const limit = query.limit + 1;
    const kinds = query.kinds && query.kinds.length > 0 ? [...new Set(query.kinds)] : undefined;
    if (kinds && !query.deviceId) {
      // One (kind, event_at, id) index range per kind, each already in order and limited, then
      // merged: `kind = ANY(…)` would either read every matching row and sort, or walk the
      // (event_at, id) index filtering out the other kinds (slow for a rare kind).
      const branches = kinds.map(
        (kind) =>
          sql`(SELECT * FROM device_events e WHERE ${sql.join([...conditions, sql`e.kind = ${kind}`], sql` AND `)}
                ORDER BY e.event_at DESC, e.id DESC LIMIT ${limit})`,
      );
      const { rows } = await sql<DeviceEventRow>`
        SELECT e.id::text AS id, e.device_id, e.event_at, e.kind, e.summary, e.details, e.run_id, e.actor
          FROM (${sql.join(branches, sql` UNION ALL `)}) e
         ORDER BY e.event_at DESC, e.id DESC
         LIMIT ${limit}`.execute(this.db);
      return rows;
    }
    if (kinds) conditions.push(sql`e.kind = ANY(${sql.val(kinds)}::text[])`);
    const where = conditions.length > 0 ? sql`WHERE ${sql.join(conditions, sql` AND `)}` : sql``;
    const { rows } = await sql<DeviceEventRow>`
      SELECT e.id::text AS id, e.device_id, e.event_at, e.kind, e.summary, e.details, e.run_id, e.actor
        FROM device_events e
        ${where}
       ORDER BY e.event_at DESC, e.id DESC
       LIMIT ${limit}`.execute(this.db);
    return rows;
  }
}
