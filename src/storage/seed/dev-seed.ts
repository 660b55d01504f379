import { type Kysely, sql } from 'kysely';
import { normaliseNameCandidate } from '../../domain/naming.ts';
import { DeviceRepository } from '../device.repository.ts';
import { DeviceFactsRepository } from '../device-facts.repository.ts';
import { DiscoveryRunRepository } from '../discovery-run.repository.ts';
import { EnrichmentRepository } from '../enrichment.repository.ts';
import { FoldRepository } from '../fold.repository.ts';
import { ManualLinkRepository } from '../manual-link.repository.ts';
import type { Schema } from '../schema.ts';
import { ServiceDependencyRepository } from '../service-dependency.repository.ts';
import { ZoneRepository } from '../zone.repository.ts';
import {
  SEED_ACTOR,
  SEED_BRANCH_HOST,
  SEED_HOSTS,
  SEED_MANUAL_DEVICE,
  SEED_RUNS,
  SEED_ZONES,
  type SeedHost,
  switchReport,
} from './dev-fixtures.ts';

/**
 * `roller seed`: development data written through the same repositories discovery and the API
 * use, so it looks like the real thing (devices created by folds, SNMP ports, VLANs and LLDP
 * links, services, names, auto tags, stale facts and their history events, then a person's names,
 * metadata, tags, a curated link, zones and a dependency). Each step first looks for its result by
 * a stable key and does nothing when it is there, so seeding twice leaves the data as it was.
 */

export interface ForeignData {
  table: string;
  rows: number;
}

/**
 * Rows that the seed did not write. The seed is for development databases only: finding any of
 * these means the database is in real use, and seeding must not mix fixtures into it.
 */
export async function findForeignData(db: Kysely<Schema>): Promise<ForeignData[]> {
  const { rows } = await sql<{ table: string; rows: string | number }>`
    WITH seed_runs AS (SELECT id FROM discovery_runs WHERE stats ? 'seed')
    SELECT 'devices' AS table, count(*) AS rows FROM devices d
     WHERE NOT EXISTS (SELECT 1 FROM device_events e WHERE e.device_id = d.id AND e.kind = 'device_created'
                         AND (e.actor = ${SEED_ACTOR} OR e.run_id IN (SELECT id FROM seed_runs)))
    UNION ALL SELECT 'discovery_runs', count(*) FROM discovery_runs WHERE NOT (stats ? 'seed')
    UNION ALL SELECT 'discovery_schedules', count(*) FROM discovery_schedules
    UNION ALL SELECT 'zones', count(*) FROM zones WHERE id NOT LIKE 'seed-%'
    UNION ALL SELECT 'audit_events', count(*) FROM audit_events`.execute(db);
  return rows.map((row) => ({ table: row.table, rows: Number(row.rows) })).filter((row) => row.rows > 0);
}

export interface SeedReport {
  /** Steps that wrote something (empty on a database that was already seeded). */
  written: string[];
  devices: number;
}

export async function seedDevelopmentData(db: Kysely<Schema>): Promise<SeedReport> {
  const written: string[] = [];
  const hosts = Object.fromEntries([...SEED_HOSTS, SEED_BRANCH_HOST].map((host) => [host.key, host]));
  const runs = new DiscoveryRunRepository(db);

  if (await ensureRun(db, runs, SEED_RUNS.first, (runId) => firstScan(db, runs, runId, hosts))) {
    written.push(`run ${SEED_RUNS.first.key}`);
  }
  if (await ensureRun(db, runs, SEED_RUNS.second, (runId) => secondScan(db, runs, runId))) {
    written.push(`run ${SEED_RUNS.second.key}`);
  }
  if (await ensureRun(db, runs, SEED_RUNS.failed, (runId) => failedScan(runs, runId))) {
    written.push(`run ${SEED_RUNS.failed.key}`);
  }

  const ids: Record<string, string> = {};
  for (const host of [...SEED_HOSTS, SEED_BRANCH_HOST]) ids[host.key] = await deviceAt(db, host.ip);
  const manualId = await ensureManualDevice(db, written);
  for (const host of [...SEED_HOSTS, SEED_BRANCH_HOST]) await curate(db, ids[host.key] as string, host, written);
  await ensureManualTags(db, manualId, SEED_MANUAL_DEVICE.manualTags, written, SEED_MANUAL_DEVICE.displayName);

  const links = new ManualLinkRepository(db);
  const cable = await links.create(
    {
      a: { deviceId: ids.sensor as string },
      b: { deviceId: ids.switch as string, interfaceName: 'ge3' },
      linkType: 'ethernet',
      label: 'patch panel B-07',
      notes: 'Runs through the greenhouse conduit',
    },
    SEED_ACTOR,
  );
  if (cable.kind === 'created') written.push('curated link sensor–switch');
  else if (cable.kind !== 'duplicate') throw new Error(`seed: the curated link was refused (${cable.kind})`);

  const zones = new ZoneRepository(db);
  for (const zone of SEED_ZONES) {
    if (!(await zones.get(zone.id))) {
      const result = await zones.create({
        id: zone.id,
        name: zone.name,
        description: zone.description,
        color: zone.color,
      });
      if (result.kind !== 'ok') throw new Error(`seed: zone ${zone.id} was refused (${result.kind})`);
      written.push(`zone ${zone.id}`);
    }
    for (const member of zone.members) {
      const added = await zones.addMember(zone.id, ids[member] as string, SEED_ACTOR);
      if (added.kind === 'ok') written.push(`zone ${zone.id} member ${member}`);
    }
  }

  const dependency = await new ServiceDependencyRepository(db).create(
    { serviceId: await serviceOf(db, ids.nas as string, 445) },
    { serviceId: await serviceOf(db, ids.router as string, 443) },
    'Off-site backups leave through the router',
  );
  if (dependency.kind === 'ok') written.push('service dependency nas→router');
  else if (dependency.kind !== 'duplicate') throw new Error(`seed: the dependency was refused (${dependency.kind})`);

  const { rows } = await sql<{ count: string | number }>`SELECT count(*) AS count FROM devices`.execute(db);
  return { written, devices: Number(rows[0]?.count ?? 0) };
}

/**
 * Runs `work` as the body of a seed run unless that run already finished. A run left half-done by
 * an interrupted seed is deleted (with its logs and observations) and done again; the facts it
 * wrote are upserts, so doing them twice adds nothing.
 */
async function ensureRun(
  db: Kysely<Schema>,
  runs: DiscoveryRunRepository,
  run: { key: string; scope: string },
  work: (runId: string) => Promise<void>,
): Promise<boolean> {
  const { rows } = await sql<{ id: string; status: string }>`
    SELECT id, status FROM discovery_runs WHERE stats ->> 'seed' = ${run.key}`.execute(db);
  if (rows.some((row) => ['succeeded', 'failed', 'canceled'].includes(row.status))) return false;
  for (const row of rows) await sql`DELETE FROM discovery_runs WHERE id = ${row.id}`.execute(db);
  // Queued and claimed in one transaction: a worker sharing this database never sees it queued.
  const id = await db.transaction().execute(async (trx) => {
    const queued = await runs.enqueue({ scope: run.scope, stats: { seed: run.key, preset: 'normal' } }, trx);
    await sql`
      UPDATE discovery_runs SET status = 'running', started_at = now(), heartbeat_at = now(), worker_id = ${SEED_ACTOR},
        stats = stats || '{"stage":"running"}'::jsonb
      WHERE id = ${queued.id}`.execute(trx);
    return queued.id;
  });
  await work(id);
  return true;
}

async function firstScan(
  db: Kysely<Schema>,
  runs: DiscoveryRunRepository,
  runId: string,
  hosts: Record<string, SeedHost>,
): Promise<void> {
  await runs.appendLog(runId, 'info', `discovery run started: scope ${SEED_RUNS.first.scope}, preset normal`);
  const observations = SEED_HOSTS.flatMap((host) => [
    { ip: host.ip, mac: host.mac },
    ...(host.extraIps ?? []).map((ip) => ({ ip, mac: host.mac })),
  ]);
  const folded = await new FoldRepository(db).fold(runId, observations);
  await runs.appendLog(runId, 'info', `presence: ${SEED_HOSTS.length} hosts answered (fping, arp)`);
  const enrichment = new EnrichmentRepository(db, runId);
  const switchId = await deviceAt(db, hosts.switch?.ip as string);
  const saved = await enrichment.saveSnmp(switchId, switchReport(hosts));
  await runs.appendLog(
    runId,
    'info',
    `snmp: core-sw1 answered: ${saved.interfaces} interfaces, ${saved.vlans} VLANs, ${saved.links} links`,
  );
  for (const host of SEED_HOSTS) {
    const deviceId = await deviceAt(db, host.ip);
    if (host.reverseDns) {
      await enrichment.saveNames(deviceId, host.ip, [normaliseNameCandidate('reverse_dns', host.reverseDns)]);
    }
    if (host.services) {
      await enrichment.saveServices(deviceId, {
        scannedTcpPorts: [22, 80, 443, 445, 631, 1883, 5000, 9100],
        open: host.services.map((service) => ({ ...service, source: 'nmap' as const })),
      });
    }
  }
  await runs.appendLog(runId, 'info', 'services: 8 TCP ports scanned on each host');
  await enrichment.reclassify(folded.deviceIds);
  await enrichment.recordLinkChanges();
  await finish(runs, runId, 'succeeded', null, {
    stage: 'completed',
    hosts_alive: SEED_HOSTS.length,
    devices_created: folded.devicesCreated,
    snmp_devices: 1,
  });
}

async function secondScan(db: Kysely<Schema>, runs: DiscoveryRunRepository, runId: string): Promise<void> {
  await runs.appendLog(runId, 'info', `discovery run started: scope ${SEED_RUNS.second.scope}, preset normal`);
  const present = [...SEED_HOSTS.filter((host) => host.key !== 'laptop'), SEED_BRANCH_HOST];
  const folded = await new FoldRepository(db).fold(
    runId,
    present.map((host) => ({ ip: host.ip, mac: host.mac })),
  );
  await runs.appendLog(runId, 'warn', 'presence: 192.0.2.50 did not answer');
  const enrichment = new EnrichmentRepository(db, runId);
  // The laptop's address was in scope and did not answer: it goes stale (an ip_removed event).
  await enrichment.markPresence(['192.0.2.0/24', '198.51.100.0/24']);
  await enrichment.reclassify(folded.deviceIds);
  await finish(runs, runId, 'succeeded', null, {
    stage: 'completed',
    hosts_alive: present.length,
    devices_created: folded.devicesCreated,
  });
}

async function failedScan(runs: DiscoveryRunRepository, runId: string): Promise<void> {
  await runs.appendLog(runId, 'info', `discovery run started: scope ${SEED_RUNS.failed.scope}, preset deep`);
  await runs.appendLog(runId, 'error', 'discovery run failed: nmap exited with status 1 (no route to the branch)');
  await finish(runs, runId, 'failed', 'nmap exited with status 1', { stage: 'failed' });
}

async function finish(
  runs: DiscoveryRunRepository,
  runId: string,
  status: 'succeeded' | 'failed',
  lastError: string | null,
  stats: Record<string, unknown>,
): Promise<void> {
  await runs.appendLog(runId, status === 'failed' ? 'error' : 'info', `discovery run ${status}`);
  const done = await runs.finish(runId, SEED_ACTOR, { status, lastError, stats });
  if (!done) throw new Error(`seed: run ${runId} could not be finished`);
}

async function deviceAt(db: Kysely<Schema>, ip: string): Promise<string> {
  const { rows } = await sql<{ device_id: string }>`
    SELECT device_id FROM ip_addresses WHERE ip = ${ip}::inet AND device_id IS NOT NULL
     ORDER BY created_at, id LIMIT 1`.execute(db);
  const id = rows[0]?.device_id;
  if (!id) throw new Error(`seed: no device holds ${ip} after the seed runs`);
  return id;
}

async function serviceOf(db: Kysely<Schema>, deviceId: string, port: number): Promise<string> {
  const { rows } = await sql<{ id: string }>`
    SELECT id FROM services WHERE device_id = ${deviceId} AND protocol = 'tcp' AND port = ${port}`.execute(db);
  if (!rows[0]) throw new Error(`seed: no tcp/${port} service on device ${deviceId}`);
  return rows[0].id;
}

async function ensureManualDevice(db: Kysely<Schema>, written: string[]): Promise<string> {
  const { rows } = await sql<{ id: string }>`
    SELECT d.id FROM devices d JOIN device_events e ON e.device_id = d.id AND e.kind = 'device_created'
     WHERE e.actor = ${SEED_ACTOR} AND d.display_name = ${SEED_MANUAL_DEVICE.displayName}`.execute(db);
  if (rows[0]) return rows[0].id;
  const created = await new DeviceRepository(db).create(
    { displayName: SEED_MANUAL_DEVICE.displayName, metadata: { ...SEED_MANUAL_DEVICE.metadata } },
    SEED_ACTOR,
  );
  written.push(`device ${SEED_MANUAL_DEVICE.displayName}`);
  return created.id;
}

/** A person's touch: display name, metadata and manual tags (each written only when it differs). */
async function curate(db: Kysely<Schema>, deviceId: string, host: SeedHost, written: string[]): Promise<void> {
  const devices = new DeviceRepository(db);
  const before = await devices.get(deviceId);
  const nameDiffers = host.displayName !== undefined && before?.display_name !== host.displayName;
  const metadataDiffers =
    host.metadata !== undefined &&
    (before?.owner !== host.metadata.owner ||
      before?.location !== host.metadata.location ||
      before?.notes !== host.metadata.notes);
  if (nameDiffers || metadataDiffers) {
    await devices.update(
      deviceId,
      {
        ...(host.displayName !== undefined ? { displayName: host.displayName } : {}),
        ...(host.metadata ? { metadata: { ...host.metadata } } : {}),
      },
      SEED_ACTOR,
    );
    written.push(`device ${host.key} name/metadata`);
  }
  if (host.manualTags) await ensureManualTags(db, deviceId, host.manualTags, written, host.key);
}

async function ensureManualTags(
  db: Kysely<Schema>,
  deviceId: string,
  tags: readonly string[],
  written: string[],
  label: string,
): Promise<void> {
  const { rows } = await sql<{ tag: string }>`
    SELECT tag FROM device_tags WHERE device_id = ${deviceId} AND source = 'manual' ORDER BY tag`.execute(db);
  const current = rows.map((row) => row.tag);
  const wanted = [...tags].sort();
  // replaceManualTags always touches updated_at: call it only when the tags really differ.
  if (current.join('\n') === wanted.join('\n')) return;
  await new DeviceFactsRepository(db).replaceManualTags(deviceId, wanted, SEED_ACTOR);
  written.push(`device ${label} tags`);
}
