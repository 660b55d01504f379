import { performance } from 'node:perf_hooks';
import { type Kysely, sql } from 'kysely';
import { refreshDeviceSummaries } from '../src/storage/device-summary.ts';
import type { Schema } from '../src/storage/schema.ts';
import { type SeedDevice, SeedGenerator } from './seed-data.ts';

/** Rows per INSERT … SELECT FROM unnest(…) and device ids per refreshDeviceSummaries call. */
const BATCH = 5000;
const PROGRESS_EVERY = 25_000;

export interface SeedReport {
  devices: number;
  ipAddresses: number;
  macAddresses: number;
  metadata: number;
  insertSeconds: number;
  summarySeconds: number;
  analyzeSeconds: number;
}

export async function seedDevices(
  db: Kysely<Schema>,
  size: number,
  onProgress: (text: string) => void,
): Promise<SeedReport> {
  const report: SeedReport = {
    devices: 0,
    ipAddresses: 0,
    macAddresses: 0,
    metadata: 0,
    insertSeconds: 0,
    summarySeconds: 0,
    analyzeSeconds: 0,
  };
  let started = performance.now();
  const ids: string[] = [];
  let batch: SeedDevice[] = [];
  for (const device of new SeedGenerator(size).devices()) {
    batch.push(device);
    if (batch.length === BATCH) {
      await insertBatch(db, batch, report);
      ids.push(...batch.map((row) => row.id));
      batch = [];
      if (report.devices % PROGRESS_EVERY === 0) onProgress(`inserted ${report.devices}/${size}`);
    }
  }
  if (batch.length > 0) {
    await insertBatch(db, batch, report);
    ids.push(...batch.map((row) => row.id));
  }
  report.insertSeconds = seconds(started);

  started = performance.now();
  for (let offset = 0; offset < ids.length; offset += BATCH) {
    await refreshDeviceSummaries(db, ids.slice(offset, offset + BATCH));
    const done = Math.min(offset + BATCH, ids.length);
    if (done % PROGRESS_EVERY === 0 || done === ids.length) onProgress(`summaries ${done}/${ids.length}`);
  }
  report.summarySeconds = seconds(started);

  started = performance.now();
  // Fresh statistics, as autovacuum would have gathered on a live system (PGlite has no autovacuum).
  await sql`VACUUM ANALYZE`.execute(db);
  report.analyzeSeconds = seconds(started);
  return report;
}

async function insertBatch(db: Kysely<Schema>, devices: readonly SeedDevice[], report: SeedReport): Promise<void> {
  const ips = devices.flatMap((device) => device.ips.map((ip) => ({ deviceId: device.id, ...ip })));
  const withMetadata = devices.filter((device) => device.metadata !== null);
  await db.transaction().execute(async (trx) => {
    await sql`
      INSERT INTO devices (id, display_name, created_at, updated_at, last_change_at)
      SELECT id, name, created, updated, updated
        FROM unnest(${column(devices, (d) => d.id)}::uuid[], ${column(devices, (d) => d.displayName)}::text[],
                    ${column(devices, (d) => d.createdAt)}::timestamptz[],
                    ${column(devices, (d) => d.updatedAt)}::timestamptz[]) AS t(id, name, created, updated)`.execute(
      trx,
    );
    await sql`
      INSERT INTO ip_addresses (device_id, ip, created_at, updated_at)
      SELECT * FROM unnest(${column(ips, (a) => a.deviceId)}::uuid[], ${column(ips, (a) => a.value)}::inet[],
                           ${column(ips, (a) => a.createdAt)}::timestamptz[],
                           ${column(ips, (a) => a.updatedAt)}::timestamptz[])`.execute(trx);
    await sql`
      INSERT INTO mac_addresses (device_id, mac, created_at, updated_at)
      SELECT * FROM unnest(${column(devices, (d) => d.id)}::uuid[], ${column(devices, (d) => d.mac.value)}::macaddr[],
                           ${column(devices, (d) => d.mac.createdAt)}::timestamptz[],
                           ${column(devices, (d) => d.mac.updatedAt)}::timestamptz[])`.execute(trx);
    if (withMetadata.length > 0) {
      await sql`
        INSERT INTO device_metadata (device_id, owner, location, notes, created_at, updated_at)
        SELECT id, owner, location, notes, at, at
          FROM unnest(${column(withMetadata, (d) => d.id)}::uuid[],
                      ${column(withMetadata, (d) => d.metadata?.owner ?? null)}::text[],
                      ${column(withMetadata, (d) => d.metadata?.location ?? null)}::text[],
                      ${column(withMetadata, (d) => d.metadata?.notes ?? null)}::text[],
                      ${column(withMetadata, (d) => d.createdAt)}::timestamptz[]) AS t(id, owner, location, notes, at)`.execute(
        trx,
      );
    }
  });
  report.devices += devices.length;
  report.ipAddresses += ips.length;
  report.macAddresses += devices.length;
  report.metadata += withMetadata.length;
}

/** One array parameter per column: a whole batch travels as a handful of parameters. */
function column<T, V>(rows: readonly T[], pick: (row: T) => V) {
  return sql.val(rows.map(pick));
}

function seconds(since: number): number {
  return Math.round((performance.now() - since) / 10) / 100;
}
