import { type Kysely, type RawBuilder, sql } from 'kysely';
import type { DeviceCreateInput, DevicePatch, MetadataValues } from '../domain/device-input.ts';
import { METADATA_FIELDS } from '../domain/device-input.ts';
import type { CursorPosition } from '../shared/cursor.ts';
import { recordDeviceEvents } from './device-events.writer.ts';
import { refreshDeviceSummaries } from './device-summary.ts';
import { ownedMacs } from './owned-facts.sql.ts';
import type { Schema } from './schema.ts';

export type DeviceSort = 'created_desc' | 'last_seen_desc' | 'last_change_desc';
export type DeviceStatus = 'online' | 'offline' | 'unknown' | 'changed';

export interface DeviceRow {
  id: string;
  display_name: string | null;
  primary_ip: string | null;
  vendor: string | null;
  /** Lexicographically first current MAC (stale ones only when there is no other). */
  primary_mac: string | null;
  last_seen_at: string | null;
  last_change_at: string;
  created_at: string;
  updated_at: string;
  owner: string | null;
  location: string | null;
  notes: string | null;
  tags: string[] | null;
  /** Presence (issue 11): the state, since when, and the last sighting and its probes. */
  presence: 'online' | 'offline' | 'unknown';
  presence_since: string | null;
  presence_missed_scans: number;
  presence_checked_at: string | null;
  presence_seen_at: string | null;
  presence_seen_by: string[] | null;
  sort_at: string;
}

export interface DeviceListQuery {
  q?: string;
  status?: DeviceStatus;
  /** Devices carrying this tag, auto or manual. */
  tag?: string;
  /** Case-insensitive equality with devices.vendor. */
  vendor?: string;
  /** A CIDR prefix: devices with any IP row (direct or through an interface) inside it. */
  subnet?: string;
  sort: DeviceSort;
  limit: number;
  after?: CursorPosition;
  /** Accepted for compatibility; online/offline follow the stored presence state now. */
  seenWithinSeconds: number;
  changedWithinSeconds: number;
}

/** The epoch stands in for "never seen" so the last-seen sort has a total order (SPEC §4.4). */
const NEVER = sql`'1970-01-01 00:00:00+00'::timestamptz`;

/** Sort expressions; each matches an index in 001_devices.up.sql exactly. */
const SORT_KEYS: Record<DeviceSort, RawBuilder<unknown>> = {
  created_desc: sql`d.created_at`,
  last_seen_desc: sql`COALESCE(d.last_seen_at, ${NEVER})`,
  last_change_desc: sql`d.last_change_at`,
};

/**
 * The page is chosen from `devices` alone (filter, sort, limit) and only its rows are joined to
 * their metadata and first MAC: joining before the LIMIT would fetch them for every match of a search.
 */
function selectPage(sortKey: RawBuilder<unknown>, where: RawBuilder<unknown>, limit: number): RawBuilder<unknown> {
  return sql`
    SELECT p.*, md.owner, md.location, md.notes, pm.mac::text AS primary_mac,
           ps.last_seen_at AS presence_seen_at, ps.probes AS presence_seen_by
      FROM (
        SELECT d.id, d.display_name, d.primary_ip, d.vendor, d.last_seen_at, d.last_change_at, d.created_at, d.updated_at,
               d.tags, d.presence, d.presence_since, d.presence_missed_scans, d.presence_checked_at, ${sortKey} AS sort_at
          FROM devices d
          ${where}
         ORDER BY ${sortKey} DESC, d.id DESC
         LIMIT ${limit}
      ) p
      LEFT JOIN device_metadata md ON md.device_id = p.id
      LEFT JOIN LATERAL (
        SELECT o.mac FROM ${ownedMacs(sql.ref('p.id'))} o ORDER BY (o.stale_since IS NULL) DESC, o.mac LIMIT 1
      ) pm ON true
      -- The last sighting, and every probe that answered in the same run (or at the same moment).
      LEFT JOIN LATERAL (
        SELECT l.last_seen_at,
               ARRAY(SELECT s.probe FROM device_sightings s
                      WHERE s.device_id = p.id AND (s.run_id = l.run_id OR s.last_seen_at = l.last_seen_at)
                      ORDER BY s.probe) AS probes
          FROM device_sightings l WHERE l.device_id = p.id ORDER BY l.last_seen_at DESC, l.probe LIMIT 1
      ) ps ON true
     ORDER BY p.sort_at DESC, p.id DESC`;
}

/** Escapes LIKE wildcards so `%` and `_` in a search match literally (G-22). */
export function likeContains(text: string): string {
  return `%${text.replace(/[\\%_]/g, (char) => `\\${char}`)}%`;
}

export class DeviceRepository {
  constructor(private readonly db: Kysely<Schema>) {}

  async list(query: DeviceListQuery): Promise<DeviceRow[]> {
    const sortKey = SORT_KEYS[query.sort];
    const conditions: RawBuilder<unknown>[] = [];
    const q = query.q?.trim().toLowerCase();
    if (q) {
      const pattern = likeContains(q);
      // The first test is served by the trigram index on the translated text; the second is exact.
      conditions.push(sql`translate(d.search_text, '.:-', 'qqq') LIKE ${pattern.replace(/[.:-]/g, 'q')}`);
      conditions.push(sql`d.search_text LIKE ${pattern}`);
    }
    if (query.status === 'online' || query.status === 'offline' || query.status === 'unknown') {
      // Presence as the scans judged it (issue 11), not a time window on last_seen_at.
      conditions.push(sql`d.presence = ${query.status}`);
    } else if (query.status === 'changed') {
      conditions.push(sql`d.last_change_at >= now() - make_interval(secs => ${query.changedWithinSeconds})`);
    }
    if (query.tag) {
      // device_tags_tag_idx finds the few devices with the tag; auto and manual rows alike.
      conditions.push(sql`d.id IN (SELECT t.device_id FROM device_tags t WHERE t.tag = ${query.tag})`);
    }
    if (query.vendor) {
      // Served by devices_vendor_idx (lower(vendor)).
      conditions.push(sql`lower(d.vendor) = lower(${query.vendor})`);
    }
    if (query.subnet) {
      // `<<=` on ip_addresses_ip_idx becomes a range scan; interface-owned IPs count as the device's (SPEC §3.2).
      const subnet = sql`${query.subnet}::inet`;
      conditions.push(sql`d.id IN (
        SELECT a.device_id FROM ip_addresses a WHERE a.ip <<= ${subnet} AND a.device_id IS NOT NULL
        UNION
        SELECT i.device_id FROM ip_addresses a JOIN interfaces i ON i.id = a.interface_id WHERE a.ip <<= ${subnet}
      )`);
    }
    if (query.after) {
      conditions.push(sql`(${sortKey}, d.id) < (${query.after.at}::timestamptz, ${query.after.id}::uuid)`);
    }
    const where = conditions.length > 0 ? sql`WHERE ${sql.join(conditions, sql` AND `)}` : sql``;
    const { rows } = await sql<DeviceRow>`${selectPage(sortKey, where, query.limit + 1)}`.execute(this.db);
    return rows;
  }

  async get(id: string): Promise<DeviceRow | undefined> {
    const { rows } = await sql<DeviceRow>`${selectPage(SORT_KEYS.created_desc, sql`WHERE d.id = ${id}`, 1)}`.execute(
      this.db,
    );
    return rows[0];
  }

  async exists(id: string): Promise<boolean> {
    const row = await this.db.selectFrom('devices').select('id').where('id', '=', id).executeTakeFirst();
    return row !== undefined;
  }

  async create(input: DeviceCreateInput, actor = 'api'): Promise<DeviceRow> {
    const id = await this.db.transaction().execute(async (trx) => {
      const device = await trx
        .insertInto('devices')
        .values({ display_name: input.displayName })
        .returning('id')
        .executeTakeFirstOrThrow();
      const metadata = Object.fromEntries(
        METADATA_FIELDS.filter((field) => input.metadata[field] !== null).map((field) => [
          field,
          input.metadata[field],
        ]),
      );
      if (Object.keys(metadata).length > 0) {
        await trx
          .insertInto('device_metadata')
          .values({ device_id: device.id, ...input.metadata })
          .execute();
      }
      await recordDeviceEvents(trx, [
        {
          deviceId: device.id,
          kind: 'device_created',
          actor,
          summary: input.displayName ? `Device ${input.displayName} created by hand` : 'Device created by hand',
          details: {
            source: 'manual',
            ...(input.displayName ? { display_name: input.displayName } : {}),
            ...(Object.keys(metadata).length > 0 ? { metadata } : {}),
          },
        },
      ]);
      await refreshDeviceSummaries(trx, [device.id]);
      return device.id;
    });
    const row = await this.get(id);
    if (!row) throw new Error(`device ${id} vanished right after it was created`);
    return row;
  }

  /** Applies a merge patch; returns undefined when the device does not exist. */
  async update(id: string, patch: DevicePatch, actor = 'api'): Promise<DeviceRow | undefined> {
    const found = await this.db.transaction().execute(async (trx) => {
      const device = await trx
        .selectFrom('devices')
        .select(['id', 'display_name'])
        .where('id', '=', id)
        .forUpdate()
        .executeTakeFirst();
      if (!device) return false;
      let changed = false;
      if (patch.displayName !== undefined && patch.displayName !== device.display_name) {
        await trx
          .updateTable('devices')
          .set({ display_name: patch.displayName, display_name_auto: false, updated_at: sql<string>`now()` })
          .where('id', '=', id)
          .execute();
        changed = true;
        const from = device.display_name?.trim() ? device.display_name : null;
        const to = patch.displayName?.trim() ? patch.displayName : null;
        await recordDeviceEvents(trx, [
          {
            deviceId: id,
            kind: 'display_name_changed',
            actor,
            summary: to
              ? from
                ? `Display name changed from ${from} to ${to}`
                : `Named ${to}`
              : `Display name ${from} cleared`,
            details: { from, to, automatic: false },
          },
        ]);
      }
      if (patch.metadata && Object.keys(patch.metadata).length > 0) {
        const changes = await upsertMetadata(trx, id, patch.metadata);
        if (Object.keys(changes).length > 0) {
          changed = true;
          const fields = Object.keys(changes);
          await recordDeviceEvents(trx, [
            {
              deviceId: id,
              kind: 'metadata_changed',
              actor,
              summary: `${fields.map((field) => field[0]?.toUpperCase() + field.slice(1)).join(', ')} changed`,
              details: changes,
            },
          ]);
        }
      }
      if (changed) await refreshDeviceSummaries(trx, [id]);
      return true;
    });
    return found ? this.get(id) : undefined;
  }
}

/** Writes only the given metadata fields; bumps updated_at only when a value really changes. Returns what changed. */
async function upsertMetadata(
  db: Kysely<Schema>,
  deviceId: string,
  patch: Partial<MetadataValues>,
): Promise<Record<string, { from: string | null; to: string | null }>> {
  const fields = METADATA_FIELDS.filter((field) => patch[field] !== undefined);
  const values: MetadataValues = { owner: null, location: null, notes: null };
  for (const field of fields) values[field] = patch[field] ?? null;
  const existing = await db
    .selectFrom('device_metadata')
    .select(['owner', 'location', 'notes'])
    .where('device_id', '=', deviceId)
    .executeTakeFirst();
  const before: MetadataValues = existing ?? { owner: null, location: null, notes: null };
  const changed = fields.filter((field) => before[field] !== values[field]);
  const diff = Object.fromEntries(changed.map((field) => [field, { from: before[field], to: values[field] }]));
  if (!existing) {
    if (fields.every((field) => values[field] === null)) return {};
    await db
      .insertInto('device_metadata')
      .values({ device_id: deviceId, ...values })
      .execute();
    return diff;
  }
  if (changed.length === 0) return {};
  await db
    .updateTable('device_metadata')
    .set({ ...Object.fromEntries(changed.map((field) => [field, values[field]])), updated_at: sql<string>`now()` })
    .where('device_id', '=', deviceId)
    .execute();
  return diff;
}
