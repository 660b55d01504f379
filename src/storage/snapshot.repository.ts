import { randomUUID } from 'node:crypto';
import { type Kysely, sql } from 'kysely';
import type { NewDeviceEvent } from '../domain/device-events.ts';
import { METADATA_FIELDS, type MetadataValues } from '../domain/device-input.ts';
import { isLocallyAdministered, macVendor } from '../domain/mac-vendor.ts';
import type { SnapshotExportRow, SnapshotRow } from '../domain/snapshot.ts';
import { recordDeviceEvents } from './device-events.writer.ts';
import { refreshDeviceSummaries } from './device-summary.ts';
import { ownedIps, ownedMacs } from './owned-facts.sql.ts';
import type { Schema } from './schema.ts';

export interface SnapshotImportCounts {
  created: number;
  updated: number;
  unchanged: number;
}

interface ExistingDevice {
  id: string;
  display_name: string | null;
  owner: string | null;
  location: string | null;
  notes: string | null;
  has_metadata: boolean;
  tags: string[];
}

const ACTOR = 'import:snapshot';

/** Reads devices for the export page by page, and writes a whole import in one transaction. */
export class SnapshotRepository {
  constructor(
    private readonly db: Kysely<Schema>,
    /** Rows per statement batch of the import (every batch runs in the one transaction). */
    private readonly batchSize = 1000,
  ) {}

  /**
   * One page of the export, by id (the primary key: a deep page costs what the first does). Only
   * current IPs and MACs are carried: a stale address has likely moved to another host.
   */
  async exportPage(afterId: string | null, limit: number): Promise<SnapshotExportRow[]> {
    // Correlated subqueries: one index probe per device and table. (Joining each fact table to
    // the page instead makes the planner hash whole tables: eight times slower at 100k devices.)
    const device = sql.ref('d.id');
    const { rows } = await sql<SnapshotExportRow>`
      SELECT d.id, d.display_name, md.owner, md.location, md.notes, d.created_at,
             (SELECT array_agg(t.tag ORDER BY t.tag) FROM device_tags t
               WHERE t.device_id = d.id AND t.source = 'manual') AS tags,
             (SELECT array_agg(host(x.ip) ORDER BY x.ip) FROM (
                SELECT DISTINCT o.ip FROM ${ownedIps(device)} o WHERE o.stale_since IS NULL) x) AS ips,
             (SELECT array_agg(x.mac::text ORDER BY x.mac) FROM (
                SELECT DISTINCT o.mac FROM ${ownedMacs(device)} o WHERE o.stale_since IS NULL) x) AS macs
        FROM devices d
        LEFT JOIN device_metadata md ON md.device_id = d.id
       ${afterId === null ? sql`` : sql`WHERE d.id > ${afterId}::uuid`}
       ORDER BY d.id
       LIMIT ${limit}`.execute(this.db);
    return rows;
  }

  /** All or nothing: any failure rolls back every row, including the batches already written. */
  async importRows(rows: readonly SnapshotRow[]): Promise<SnapshotImportCounts> {
    return this.db.transaction().execute(async (trx) => {
      const counts: SnapshotImportCounts = { created: 0, updated: 0, unchanged: 0 };
      for (let start = 0; start < rows.length; start += this.batchSize) {
        await importBatch(trx, rows.slice(start, start + this.batchSize), counts);
      }
      return counts;
    });
  }
}

async function loadExisting(trx: Kysely<Schema>, ids: string[]): Promise<Map<string, ExistingDevice>> {
  const { rows } = await sql<ExistingDevice>`
    SELECT d.id, d.display_name, md.owner, md.location, md.notes, (md.device_id IS NOT NULL) AS has_metadata,
           COALESCE((SELECT array_agg(t.tag ORDER BY t.tag) FROM device_tags t
                      WHERE t.device_id = d.id AND t.source = 'manual'), '{}') AS tags
      FROM devices d
      LEFT JOIN device_metadata md ON md.device_id = d.id
     WHERE d.id = ANY(${sql.val(ids)}::uuid[])
       FOR UPDATE OF d`.execute(trx);
  return new Map(rows.map((row) => [row.id, row]));
}

const sameMetadata = (a: MetadataValues, b: MetadataValues): boolean =>
  METADATA_FIELDS.every((field) => a[field] === b[field]);

async function importBatch(trx: Kysely<Schema>, batch: readonly SnapshotRow[], counts: SnapshotImportCounts) {
  const rows = batch.map((row) => ({ ...row, id: row.id ?? randomUUID() }));
  const existing = await loadExisting(
    trx,
    rows.map((row) => row.id),
  );
  const events: NewDeviceEvent[] = [];
  const changed = new Set<string>();
  const created = rows.filter((row) => !existing.has(row.id));
  const names: { id: string; name: string | null }[] = [];
  const metadata: { id: string; values: MetadataValues }[] = [];
  const tagsAdded: { id: string; tag: string }[] = [];
  const tagsRemoved: { id: string; tag: string }[] = [];

  for (const row of created) {
    events.push({
      deviceId: row.id,
      kind: 'device_created',
      actor: ACTOR,
      summary: row.displayName ? `Device ${row.displayName} imported` : 'Device imported',
      details: {
        source: 'import',
        display_name: row.displayName,
        ...(METADATA_FIELDS.some((field) => row.metadata[field] !== null) ? { metadata: row.metadata } : {}),
      },
    });
    if (METADATA_FIELDS.some((field) => row.metadata[field] !== null)) {
      metadata.push({ id: row.id, values: row.metadata });
    }
    for (const tag of row.tags) tagsAdded.push({ id: row.id, tag });
  }
  for (const row of rows) {
    const before = existing.get(row.id);
    if (!before) continue;
    if (before.display_name !== row.displayName) {
      names.push({ id: row.id, name: row.displayName });
      changed.add(row.id);
      events.push({
        deviceId: row.id,
        kind: 'display_name_changed',
        actor: ACTOR,
        summary: row.displayName ? `Display name set to ${row.displayName}` : 'Display name cleared',
        details: { from: before.display_name, to: row.displayName, automatic: false },
      });
    }
    if (!sameMetadata(before, row.metadata) && (before.has_metadata || Object.values(row.metadata).some(Boolean))) {
      metadata.push({ id: row.id, values: row.metadata });
      changed.add(row.id);
      const fields = METADATA_FIELDS.filter((field) => before[field] !== row.metadata[field]);
      events.push({
        deviceId: row.id,
        kind: 'metadata_changed',
        actor: ACTOR,
        summary: `Metadata changed: ${fields.join(', ')}`,
        details: Object.fromEntries(fields.map((field) => [field, { from: before[field], to: row.metadata[field] }])),
      });
    }
    const keep = new Set(row.tags);
    for (const tag of before.tags) if (!keep.has(tag)) tagsRemoved.push({ id: row.id, tag });
    for (const tag of row.tags) if (!before.tags.includes(tag)) tagsAdded.push({ id: row.id, tag });
  }
  for (const { id, tag } of tagsAdded) {
    if (existing.has(id)) changed.add(id);
    events.push({
      deviceId: id,
      kind: 'tag_added',
      actor: ACTOR,
      summary: `Tag ${tag} added`,
      details: { tag, source: 'manual' },
    });
  }
  for (const { id, tag } of tagsRemoved) {
    changed.add(id);
    events.push({
      deviceId: id,
      kind: 'tag_removed',
      actor: ACTOR,
      summary: `Tag ${tag} removed`,
      details: { tag, source: 'manual' },
    });
  }

  if (created.length > 0) {
    await sql`
      INSERT INTO devices (id, display_name, display_name_auto, created_at, updated_at, last_change_at)
      SELECT v.id, v.name, false, COALESCE(v.created_at, now()), now(), now()
        FROM unnest(${sql.val(created.map((row) => row.id))}::uuid[], ${sql.val(created.map((row) => row.displayName))}::text[],
                    ${sql.val(created.map((row) => row.createdAt))}::timestamptz[]) AS v(id, name, created_at)`.execute(
      trx,
    );
  }
  if (names.length > 0) {
    await sql`
      UPDATE devices d SET display_name = v.name, display_name_auto = false, updated_at = now()
        FROM unnest(${sql.val(names.map((n) => n.id))}::uuid[], ${sql.val(names.map((n) => n.name))}::text[]) AS v(id, name)
       WHERE d.id = v.id`.execute(trx);
  }
  if (metadata.length > 0) {
    const column = (field: (typeof METADATA_FIELDS)[number]) => sql.val(metadata.map((m) => m.values[field]));
    await sql`
      INSERT INTO device_metadata (device_id, owner, location, notes)
      SELECT * FROM unnest(${sql.val(metadata.map((m) => m.id))}::uuid[], ${column('owner')}::text[],
                           ${column('location')}::text[], ${column('notes')}::text[])
      ON CONFLICT (device_id) DO UPDATE
         SET owner = EXCLUDED.owner, location = EXCLUDED.location, notes = EXCLUDED.notes, updated_at = now()`.execute(
      trx,
    );
  }
  if (tagsRemoved.length > 0) {
    await sql`
      DELETE FROM device_tags t
       USING unnest(${sql.val(tagsRemoved.map((t) => t.id))}::uuid[], ${sql.val(tagsRemoved.map((t) => t.tag))}::text[]) AS v(id, tag)
       WHERE t.device_id = v.id AND t.tag = v.tag AND t.source = 'manual'`.execute(trx);
  }
  if (tagsAdded.length > 0) {
    await sql`
      INSERT INTO device_tags (device_id, tag, source, confidence, evidence)
      SELECT v.id, v.tag, 'manual', 100, '{"signal":"manual"}'::jsonb
        FROM unnest(${sql.val(tagsAdded.map((t) => t.id))}::uuid[], ${sql.val(tagsAdded.map((t) => t.tag))}::text[]) AS v(id, tag)
      ON CONFLICT (device_id, tag, source) DO NOTHING`.execute(trx);
  }

  for (const id of await addAddresses(trx, rows, events)) changed.add(id);

  const createdIds = new Set(created.map((row) => row.id));
  const updatedIds = [...changed].filter((id) => !createdIds.has(id));
  if (updatedIds.length > 0) {
    await sql`UPDATE devices SET updated_at = now() WHERE id = ANY(${sql.val(updatedIds)}::uuid[])`.execute(trx);
  }
  await refreshDeviceSummaries(trx, [...createdIds, ...updatedIds]);
  await recordDeviceEvents(trx, events);
  counts.created += created.length;
  counts.updated += updatedIds.length;
  counts.unchanged += rows.length - created.length - updatedIds.length;
}

/**
 * Adds the file's IPs and MACs a device does not own yet (directly or on one of its interfaces) as
 * device-level facts with source `import`; never removes one. Returns the devices that gained any.
 */
async function addAddresses(
  trx: Kysely<Schema>,
  rows: readonly (SnapshotRow & { id: string })[],
  events: NewDeviceEvent[],
): Promise<Set<string>> {
  const gained = new Set<string>();
  const ipPairs = rows.flatMap((row) => row.ips.map((ip) => ({ id: row.id, ip })));
  if (ipPairs.length > 0) {
    const { rows: added } = await sql<{ device_id: string; ip: string }>`
      INSERT INTO ip_addresses (device_id, ip, source)
      SELECT v.id, v.ip, 'import'
        FROM unnest(${sql.val(ipPairs.map((p) => p.id))}::uuid[], ${sql.val(ipPairs.map((p) => p.ip))}::inet[]) AS v(id, ip)
       WHERE NOT EXISTS (SELECT 1 FROM ip_addresses a JOIN interfaces i ON i.id = a.interface_id
                          WHERE i.device_id = v.id AND a.ip = v.ip)
      ON CONFLICT (device_id, ip) WHERE device_id IS NOT NULL DO NOTHING
      RETURNING device_id, host(ip) AS ip`.execute(trx);
    for (const row of added) {
      gained.add(row.device_id);
      events.push({
        deviceId: row.device_id,
        kind: 'ip_added',
        actor: ACTOR,
        summary: `IP ${row.ip} imported`,
        details: { ip: row.ip, source: 'import' },
      });
    }
  }
  const macPairs = rows.flatMap((row) => row.macs.map((mac) => ({ id: row.id, mac })));
  if (macPairs.length > 0) {
    const { rows: added } = await sql<{ device_id: string; mac: string }>`
      INSERT INTO mac_addresses (device_id, mac, source, vendor, locally_administered)
      SELECT v.id, v.mac, 'import', v.vendor, v.local
        FROM unnest(${sql.val(macPairs.map((p) => p.id))}::uuid[], ${sql.val(macPairs.map((p) => p.mac))}::macaddr[],
                    ${sql.val(macPairs.map((p) => macVendor(p.mac)))}::text[],
                    ${sql.val(macPairs.map((p) => isLocallyAdministered(p.mac)))}::boolean[]) AS v(id, mac, vendor, local)
       WHERE NOT EXISTS (SELECT 1 FROM mac_addresses a JOIN interfaces i ON i.id = a.interface_id
                          WHERE i.device_id = v.id AND a.mac = v.mac)
      ON CONFLICT (device_id, mac) WHERE device_id IS NOT NULL DO NOTHING
      RETURNING device_id, mac::text AS mac`.execute(trx);
    for (const row of added) {
      gained.add(row.device_id);
      events.push({
        deviceId: row.device_id,
        kind: 'mac_added',
        actor: ACTOR,
        summary: `MAC ${row.mac} imported`,
        details: { mac: row.mac, source: 'import' },
      });
    }
  }
  return gained;
}
