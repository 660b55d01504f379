import { type Kysely, sql } from 'kysely';
import type { NewDeviceEvent } from '../domain/device-events.ts';
import { METADATA_FIELDS, type MetadataField } from '../domain/device-input.ts';
import type { InventoryDevice, InventorySource } from '../domain/inventory-payload.ts';
import { recordDeviceEvents } from './device-events.writer.ts';
import { refreshDeviceSummaries } from './device-summary.ts';
import type { Schema } from './schema.ts';

export type FillableField = 'display_name' | MetadataField;

export interface InventoryOutcome {
  index: number;
  name: string | null;
  action: 'create' | 'match' | 'skip';
  deviceId: string | null;
  matchedBy: 'ip' | 'name' | null;
  ip: string | null;
  ipAdded: boolean;
  filled: FillableField[];
  reason: string | null;
}

export interface InventoryImportReport {
  created: number;
  matched_existing: number;
  ip_written: number;
  metadata_written: number;
  skipped: number;
  outcomes: InventoryOutcome[];
}

/** Thrown inside the transaction of a dry run so that everything it did is rolled back. */
class DryRunRollback extends Error {
  constructor(readonly report: InventoryImportReport) {
    super('dry run');
  }
}

const isBlank = (value: string | null | undefined): boolean =>
  value === null || value === undefined || value.trim() === '';

/**
 * NetBox/Nautobot import (SPEC §7.3, in one transaction): match by IP (the oldest owner), else by
 * a display name exactly one device has (case-insensitive); otherwise create. Only blank fields
 * are ever filled. A dry run does exactly the same work and rolls it back, so its report is what a
 * real run would do.
 */
export class InventoryImportRepository {
  constructor(private readonly db: Kysely<Schema>) {}

  async import(source: InventorySource, devices: readonly InventoryDevice[], dryRun: boolean) {
    try {
      return await this.db.transaction().execute(async (trx) => {
        const report = await importAll(trx, source, devices);
        if (dryRun) throw new DryRunRollback(report);
        return report;
      });
    } catch (error) {
      if (error instanceof DryRunRollback) return error.report;
      throw error;
    }
  }
}

async function findByIp(trx: Kysely<Schema>, ip: string): Promise<string | undefined> {
  const { rows } = await sql<{ id: string }>`
    SELECT COALESCE(a.device_id, i.device_id) AS id
      FROM ip_addresses a LEFT JOIN interfaces i ON i.id = a.interface_id
     WHERE a.ip = ${ip}::inet AND COALESCE(a.device_id, i.device_id) IS NOT NULL
     ORDER BY a.created_at, a.id LIMIT 1`.execute(trx);
  return rows[0]?.id;
}

/**
 * Devices by lower-cased, trimmed display name, for the names of this payload: one scan up front
 * instead of one per entry; kept current as the import creates and names devices.
 */
async function loadNames(trx: Kysely<Schema>, devices: readonly InventoryDevice[]): Promise<Map<string, string[]>> {
  const keys = [...new Set(devices.flatMap((device) => (device.name ? [device.name.toLowerCase()] : [])))];
  const byName = new Map<string, string[]>();
  if (keys.length === 0) return byName;
  const { rows } = await sql<{ id: string; key: string }>`
    SELECT id, lower(btrim(display_name)) AS key FROM devices
     WHERE lower(btrim(display_name)) = ANY(${sql.val(keys)}::text[])`.execute(trx);
  for (const row of rows) byName.set(row.key, [...(byName.get(row.key) ?? []), row.id]);
  return byName;
}

async function importAll(trx: Kysely<Schema>, source: InventorySource, devices: readonly InventoryDevice[]) {
  const actor = `import:${source}`;
  const report: InventoryImportReport = {
    created: 0,
    matched_existing: 0,
    ip_written: 0,
    metadata_written: 0,
    skipped: 0,
    outcomes: [],
  };
  const events: NewDeviceEvent[] = [];
  const touched = new Set<string>();
  const names = await loadNames(trx, devices);
  const remember = (name: string, id: string) =>
    names.set(name.toLowerCase(), [...(names.get(name.toLowerCase()) ?? []), id]);
  for (const entry of devices) {
    const outcome: InventoryOutcome = {
      index: entry.index,
      name: entry.name,
      action: 'skip',
      deviceId: null,
      matchedBy: null,
      ip: entry.ip,
      ipAdded: false,
      filled: [],
      reason: null,
    };
    report.outcomes.push(outcome);
    if (entry.name === null) {
      outcome.reason = 'no name';
      report.skipped += 1;
      continue;
    }
    const byIp = entry.ip ? await findByIp(trx, entry.ip) : undefined;
    // By name only when exactly one device has it: a guess between several would merge strangers.
    const sameName = names.get(entry.name.toLowerCase()) ?? [];
    const matchId = byIp ?? (sameName.length === 1 ? sameName[0] : undefined);
    let deviceId: string;
    if (matchId) {
      deviceId = matchId;
      outcome.action = 'match';
      outcome.matchedBy = byIp ? 'ip' : 'name';
      report.matched_existing += 1;
      const { rows } = await sql<{ display_name: string | null }>`
        SELECT display_name FROM devices WHERE id = ${deviceId} FOR UPDATE`.execute(trx);
      const current = rows[0]?.display_name ?? null;
      if (isBlank(current)) {
        await sql`UPDATE devices SET display_name = ${entry.name}, display_name_auto = false, updated_at = now()
                   WHERE id = ${deviceId}`.execute(trx);
        outcome.filled.push('display_name');
        remember(entry.name, deviceId);
        touched.add(deviceId);
        events.push({
          deviceId,
          kind: 'display_name_changed',
          actor,
          summary: `Display name set to ${entry.name}`,
          details: { from: current, to: entry.name, automatic: false },
        });
      }
    } else {
      const { rows } = await sql<{ id: string }>`
        INSERT INTO devices (display_name, display_name_auto) VALUES (${entry.name}, false) RETURNING id`.execute(trx);
      deviceId = (rows[0] as { id: string }).id;
      outcome.action = 'create';
      report.created += 1;
      remember(entry.name, deviceId);
      touched.add(deviceId);
      events.push({
        deviceId,
        kind: 'device_created',
        actor,
        summary: `Device ${entry.name} imported from ${source}`,
        details: { source, display_name: entry.name },
      });
    }
    outcome.deviceId = deviceId;

    if (entry.ip && byIp === undefined) {
      const { rows } = await sql<{ ip: string }>`
        INSERT INTO ip_addresses (device_id, ip, source) VALUES (${deviceId}, ${entry.ip}::inet, ${source})
        ON CONFLICT (device_id, ip) WHERE device_id IS NOT NULL DO NOTHING
        RETURNING host(ip) AS ip`.execute(trx);
      if (rows[0]) {
        outcome.ipAdded = true;
        report.ip_written += 1;
        touched.add(deviceId);
        events.push({
          deviceId,
          kind: 'ip_added',
          actor,
          summary: `IP ${rows[0].ip} imported from ${source}`,
          details: { ip: rows[0].ip, source },
        });
      }
    }

    const filled = await fillBlankMetadata(trx, deviceId, entry);
    if (filled.fields.length > 0) {
      outcome.filled.push(...filled.fields);
      report.metadata_written += 1;
      touched.add(deviceId);
      events.push({
        deviceId,
        kind: 'metadata_changed',
        actor,
        summary: `Metadata filled from ${source}: ${filled.fields.join(', ')}`,
        details: Object.fromEntries(
          filled.fields.map((field) => [field, { from: filled.before[field], to: entry[field] }]),
        ),
      });
    }
  }
  await refreshDeviceSummaries(trx, [...touched]);
  await recordDeviceEvents(trx, events);
  return report;
}

/** Sets each given field only where the stored value is missing or blank (curated values stay). */
async function fillBlankMetadata(trx: Kysely<Schema>, deviceId: string, entry: InventoryDevice) {
  const before: Record<MetadataField, string | null> = { owner: null, location: null, notes: null };
  const stored = await trx
    .selectFrom('device_metadata')
    .select(['owner', 'location', 'notes'])
    .where('device_id', '=', deviceId)
    .executeTakeFirst();
  if (stored) Object.assign(before, stored);
  const fields = METADATA_FIELDS.filter((field) => entry[field] !== null && isBlank(before[field]));
  if (fields.length === 0) return { fields, before };
  const values = Object.fromEntries(fields.map((field) => [field, entry[field]]));
  if (stored) {
    await trx
      .updateTable('device_metadata')
      .set({ ...values, updated_at: sql<string>`now()` })
      .where('device_id', '=', deviceId)
      .execute();
  } else {
    await trx
      .insertInto('device_metadata')
      .values({ device_id: deviceId, owner: null, location: null, notes: null, ...values })
      .execute();
  }
  return { fields, before };
}
