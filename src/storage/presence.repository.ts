import { type Kysely, sql } from 'kysely';
import type { NewDeviceEvent } from '../domain/device-events.ts';
import { recordDeviceEvents } from './device-events.writer.ts';
import type { Schema } from './schema.ts';

export interface PresenceTransition {
  deviceId: string;
  presence: 'online' | 'offline';
  lastSeenAt: string;
}

/**
 * Presence as last evaluated (`devices.presence`): online when seen within the threshold, offline
 * otherwise; a device never seen stays unknown. Every transition is one went_offline/came_online
 * event.
 */
export class PresenceRepository {
  constructor(private readonly db: Kysely<Schema>) {}

  /**
   * One UPDATE moves every device whose presence differs from what its last_seen_at says, and
   * only those rows come back. The transition is its own guard: when two workers evaluate at once,
   * the second UPDATE waits for the first's row locks, re-checks `presence <> new state` on the
   * committed row, finds it equal and skips it, so each transition is recorded once.
   */
  async evaluate(offlineAfterMs: number): Promise<PresenceTransition[]> {
    const seconds = offlineAfterMs / 1000;
    return this.db.transaction().execute(async (trx) => {
      const { rows } = await sql<{ id: string; presence: 'online' | 'offline'; last_seen_at: string }>`
        UPDATE devices d
           SET presence = CASE WHEN d.last_seen_at >= now() - make_interval(secs => ${seconds}) THEN 'online' ELSE 'offline' END
         WHERE d.last_seen_at IS NOT NULL
           AND d.presence <> CASE WHEN d.last_seen_at >= now() - make_interval(secs => ${seconds}) THEN 'online' ELSE 'offline' END
        RETURNING d.id, d.presence, d.last_seen_at`.execute(trx);
      rows.sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
      const offlineAfterS = Math.round(seconds);
      await recordDeviceEvents(
        trx,
        rows.map(
          (row): NewDeviceEvent => ({
            deviceId: row.id,
            kind: row.presence === 'online' ? 'came_online' : 'went_offline',
            summary:
              row.presence === 'online'
                ? 'Came online'
                : `Went offline: not seen for more than ${describeSeconds(offlineAfterS)}`,
            details: { last_seen_at: row.last_seen_at, offline_after_s: offlineAfterS },
          }),
        ),
      );
      return rows.map((row) => ({ deviceId: row.id, presence: row.presence, lastSeenAt: row.last_seen_at }));
    });
  }
}

function describeSeconds(seconds: number): string {
  if (seconds % 86_400 === 0) return `${seconds / 86_400} d`;
  if (seconds % 3600 === 0) return `${seconds / 3600} h`;
  if (seconds % 60 === 0) return `${seconds / 60} min`;
  return `${seconds} s`;
}
