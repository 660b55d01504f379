import { type Kysely, sql } from 'kysely';
import type { NewDeviceEvent } from '../domain/device-events.ts';
import type { Schema } from './schema.ts';

/**
 * Appends device events in the caller's transaction, so an event exists exactly when its change
 * committed. One statement for any number of events.
 */
export async function recordDeviceEvents(trx: Kysely<Schema>, events: readonly NewDeviceEvent[]): Promise<void> {
  if (events.length === 0) return;
  await sql`
    INSERT INTO device_events (device_id, kind, summary, details, run_id, actor)
    SELECT d, k, s, x, r, a
      FROM unnest(${sql.val(events.map((e) => e.deviceId))}::uuid[], ${sql.val(events.map((e) => e.kind))}::text[],
                  ${sql.val(events.map((e) => e.summary))}::text[],
                  ${sql.val(events.map((e) => JSON.stringify(e.details ?? {})))}::jsonb[],
                  ${sql.val(events.map((e) => e.runId ?? null))}::uuid[], ${sql.val(events.map((e) => e.actor ?? null))}::text[])
           WITH ORDINALITY AS t(d, k, s, x, r, a, n)
     ORDER BY n`.execute(trx);
}
