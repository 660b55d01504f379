import { type Kysely, sql } from 'kysely';
import type { PresenceOverride } from '../domain/presence.ts';
import { tagOverrides } from './presence.repository.ts';
import type { Schema } from './schema.ts';

export interface StoredOverride extends PresenceOverride {
  updatedAt: string;
  updatedBy: string | null;
}

/** Per-device and per-tag presence thresholds (issue 11); the rules that combine them are in domain/presence.ts. */
export class PresenceSettingsRepository {
  constructor(private readonly db: Kysely<Schema>) {}

  async device(deviceId: string): Promise<StoredOverride | undefined> {
    const row = await this.db
      .selectFrom('device_presence_settings')
      .select(['missed_scans', 'grace_s', 'updated_at', 'updated_by'])
      .where('device_id', '=', deviceId)
      .executeTakeFirst();
    return row ? stored(row) : undefined;
  }

  /** The device's effective tags (auto and manual) with the overrides stored for them. */
  async tagsOf(deviceId: string): Promise<Map<string, PresenceOverride>> {
    const device = await this.db.selectFrom('devices').select('tags').where('id', '=', deviceId).executeTakeFirst();
    const all = await tagOverrides(this.db);
    const result = new Map<string, PresenceOverride>();
    for (const tag of device?.tags ?? []) {
      const override = all.get(tag);
      if (override) result.set(tag, override);
    }
    return result;
  }

  /** Replaces the device's override; false when the device does not exist. */
  async saveDevice(deviceId: string, override: PresenceOverride, updatedBy: string | null): Promise<boolean> {
    const { rows } = await sql<{ device_id: string }>`
      INSERT INTO device_presence_settings (device_id, missed_scans, grace_s, updated_at, updated_by)
      SELECT d.id, ${override.missedScans}::integer, ${override.graceS}::integer, now(), ${updatedBy}
        FROM devices d WHERE d.id = ${deviceId}::uuid
      ON CONFLICT (device_id) DO UPDATE
         SET missed_scans = EXCLUDED.missed_scans, grace_s = EXCLUDED.grace_s,
             updated_at = EXCLUDED.updated_at, updated_by = EXCLUDED.updated_by
      RETURNING device_id`.execute(this.db);
    return rows.length > 0;
  }

  async deleteDevice(deviceId: string): Promise<void> {
    await this.db.deleteFrom('device_presence_settings').where('device_id', '=', deviceId).execute();
  }

  async tag(tag: string): Promise<StoredOverride | undefined> {
    const row = await this.db
      .selectFrom('tag_presence_settings')
      .select(['missed_scans', 'grace_s', 'updated_at', 'updated_by'])
      .where('tag', '=', tag)
      .executeTakeFirst();
    return row ? stored(row) : undefined;
  }

  async tags(): Promise<(StoredOverride & { tag: string })[]> {
    const rows = await this.db
      .selectFrom('tag_presence_settings')
      .select(['tag', 'missed_scans', 'grace_s', 'updated_at', 'updated_by'])
      .orderBy('tag')
      .execute();
    return rows.map((row) => ({ tag: row.tag, ...stored(row) }));
  }

  async saveTag(tag: string, override: PresenceOverride, updatedBy: string | null): Promise<void> {
    await sql`
      INSERT INTO tag_presence_settings (tag, missed_scans, grace_s, updated_at, updated_by)
      VALUES (${tag}, ${override.missedScans}::integer, ${override.graceS}::integer, now(), ${updatedBy})
      ON CONFLICT (tag) DO UPDATE
         SET missed_scans = EXCLUDED.missed_scans, grace_s = EXCLUDED.grace_s,
             updated_at = EXCLUDED.updated_at, updated_by = EXCLUDED.updated_by`.execute(this.db);
  }

  async deleteTag(tag: string): Promise<void> {
    await this.db.deleteFrom('tag_presence_settings').where('tag', '=', tag).execute();
  }
}

function stored(row: {
  missed_scans: number | null;
  grace_s: number | null;
  updated_at: string;
  updated_by: string | null;
}): StoredOverride {
  return { missedScans: row.missed_scans, graceS: row.grace_s, updatedAt: row.updated_at, updatedBy: row.updated_by };
}
