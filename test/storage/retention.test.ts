// Retention (issue 5 item 5, G-18) on both backends: each table pruned by its window, the latest
// observation of every device and value kept however old, unfinished runs never deleted, a dry run
// that deletes nothing and reports exactly what the real run then deletes, bounded batches, the
// once-only claim of a scheduled run, and device summaries refreshed after stale facts go.
import { type Kysely, type RawBuilder, sql } from 'kysely';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { createMetrics } from '../../src/api/metrics.ts';
import { retentionMetrics } from '../../src/cli/core.command.ts';
import type { RetentionConfig } from '../../src/config/config.ts';
import {
  RETENTION_TABLES,
  type RetentionCounts,
  type RetentionWindows,
  retentionCutoffs,
  zeroCounts,
} from '../../src/domain/retention.ts';
import { createLogger } from '../../src/shared/logger.ts';
import { openPostgres } from '../../src/storage/database.ts';
import { refreshDeviceSummaries } from '../../src/storage/device-summary.ts';
import { RetentionRepository } from '../../src/storage/retention.repository.ts';
import type { Schema } from '../../src/storage/schema.ts';
import { RETENTION_JOB, RetentionJob, runRetention } from '../../src/worker/retention-job.ts';
import { describeEachBackend, type TestDatabase } from '../support/backends.ts';

const DAY = 86_400_000;
const WINDOWS: RetentionWindows = {
  observationsMs: 10 * DAY,
  runLogsMs: 10 * DAY,
  runsMs: 30 * DAY,
  eventsMs: 20 * DAY,
  auditMs: 40 * DAY,
  staleFactsMs: 5 * DAY,
  alertsMs: 30 * DAY,
};
const FOREVER: RetentionWindows = {
  observationsMs: 0,
  runLogsMs: 0,
  runsMs: 0,
  eventsMs: 0,
  auditMs: 0,
  staleFactsMs: 0,
  alertsMs: 0,
};

const ago = (days: number): RawBuilder<unknown> => sql`now() - make_interval(days => ${days})`;
const silent = createLogger('worker', 'silent');

async function one<T>(db: Kysely<Schema>, query: RawBuilder<T>): Promise<T> {
  const { rows } = await query.execute(db);
  return rows[0] as T;
}

async function tableCounts(db: Kysely<Schema>): Promise<RetentionCounts> {
  const counts = zeroCounts();
  for (const table of RETENTION_TABLES) {
    counts[table] = (await one(db, sql<{ n: number }>`SELECT count(*)::int AS n FROM ${sql.table(table)}`)).n;
  }
  return counts;
}

interface Seeded {
  a: string;
  b: string;
  runs: Record<string, string>;
}

/** Old and new rows in every table retention touches; the comments say which must go. */
async function seed(db: Kysely<Schema>): Promise<Seeded> {
  const device = async () => (await one(db, sql<{ id: string }>`INSERT INTO devices DEFAULT VALUES RETURNING id`)).id;
  const a = await device();
  const b = await device();
  const schedule = (
    await one(
      db,
      sql<{
        id: string;
      }>`INSERT INTO discovery_schedules (scope, interval_seconds) VALUES ('10.0.0.0/24', 3600) RETURNING id`,
    )
  ).id;
  const run = async (status: string, days: number, scheduleId: string | null = null) =>
    (
      await one(
        db,
        sql<{ id: string }>`
        INSERT INTO discovery_runs (status, queued_at, started_at, completed_at, schedule_id)
        VALUES (${status}, ${ago(days)}, ${status === 'queued' ? null : ago(days)},
                ${['succeeded', 'failed', 'canceled'].includes(status) ? ago(days) : null}, ${scheduleId})
        RETURNING id`,
      )
    ).id;
  const runs = {
    oldDone: await run('succeeded', 60), // goes: old, and all its observations go too
    oldFailed: await run('failed', 45), // goes
    oldWithLatest: await run('succeeded', 60), // stays: holds the latest observation of a value
    oldQueued: await run('queued', 60), // stays: never finished
    oldRunning: await run('running', 60), // stays: never finished
    scheduledOld: await run('succeeded', 60, schedule), // goes: a newer finished run of its schedule exists
    scheduledLatest: await run('succeeded', 50, schedule), // stays: the schedule's latest finished run
    scheduledQueued: await run('queued', 1, schedule), // stays
    recent: await run('succeeded', 1), // stays
  };
  await sql`UPDATE discovery_schedules SET last_run_id = ${runs.scheduledQueued} WHERE id = ${schedule}`.execute(db);

  const ipObs = (runId: string, deviceId: string, ip: string, days: number) =>
    sql`INSERT INTO ip_observations (run_id, device_id, ip, observed_at) VALUES (${runId}, ${deviceId}, ${ip}::inet, ${ago(days)})`.execute(
      db,
    );
  await ipObs(runs.oldDone, a, '10.0.0.1', 20); // goes
  await ipObs(runs.oldFailed, a, '10.0.0.1', 15); // goes
  await ipObs(runs.recent, a, '10.0.0.1', 1); // stays (recent)
  await ipObs(runs.oldDone, a, '10.0.0.9', 55); // goes: a newer one of (a, 10.0.0.9) exists
  await ipObs(runs.oldWithLatest, a, '10.0.0.9', 50); // stays: the latest of (a, 10.0.0.9)
  await ipObs(runs.oldWithLatest, b, '10.0.0.1', 30); // stays: the latest of (b, 10.0.0.1)
  const macObs = (runId: string, deviceId: string, mac: string, days: number) =>
    sql`INSERT INTO mac_observations (run_id, device_id, mac, observed_at) VALUES (${runId}, ${deviceId}, ${mac}::macaddr, ${ago(days)})`.execute(
      db,
    );
  await macObs(runs.oldDone, a, 'aa:00:00:00:00:01', 20); // goes
  await macObs(runs.recent, a, 'aa:00:00:00:00:01', 1); // stays
  await macObs(runs.oldWithLatest, b, 'bb:00:00:00:00:01', 40); // stays: latest of its value

  const log = (runId: string, days: number) =>
    sql`INSERT INTO discovery_run_logs (run_id, message, created_at) VALUES (${runId}, 'line', ${ago(days)})`.execute(
      db,
    );
  await log(runs.recent, 20); // goes (window)
  await log(runs.recent, 1); // stays
  await log(runs.oldDone, 60); // goes (window)
  await log(runs.oldDone, 5); // goes with its run
  await log(runs.scheduledOld, 60); // goes
  await log(runs.oldRunning, 60); // goes (window; the run stays)
  await log(runs.oldRunning, 1); // stays

  const event = (deviceId: string, days: number) =>
    sql`INSERT INTO device_events (device_id, kind, summary, event_at) VALUES (${deviceId}, 'ip_added', 'x', ${ago(days)})`.execute(
      db,
    );
  await event(a, 25); // goes
  await event(a, 1); // stays
  await event(b, 19); // stays
  const audit = (days: number) =>
    sql`INSERT INTO audit_events (actor, action, created_at) VALUES ('admin', 'device.update', ${ago(days)})`.execute(
      db,
    );
  await audit(50); // goes
  await audit(30); // stays

  // Facts, stale for 10 days (go), 2 days (stay) or current (stay).
  const stale = (days: number | null) => (days === null ? null : ago(days));
  const ip = (fields: { device?: string; iface?: string; ip: string; stale: number | null }) =>
    sql`INSERT INTO ip_addresses (device_id, interface_id, ip, stale_since)
        VALUES (${fields.device ?? null}, ${fields.iface ?? null}, ${fields.ip}::inet, ${stale(fields.stale)})`.execute(
      db,
    );
  const iface = async (name: string, ifindex: number, days: number | null) =>
    (
      await one(
        db,
        sql<{ id: string }>`INSERT INTO interfaces (device_id, name, ifindex, stale_since)
        VALUES (${a}, ${name}, ${ifindex}, ${stale(days)}) RETURNING id`,
      )
    ).id;
  await ip({ device: a, ip: '10.0.0.1', stale: null });
  await ip({ device: a, ip: '10.0.0.7', stale: 10 }); // goes
  await ip({ device: a, ip: '10.0.0.8', stale: 2 });
  const eth1 = await iface('eth1', 1, 10); // goes: nothing that stays refers to it
  await ip({ iface: eth1, ip: '10.0.1.1', stale: 10 }); // goes
  await sql`INSERT INTO interface_vlans (interface_id, vlan_id, role, source, stale_since)
            VALUES (${eth1}, 10, 'pvid', 'snmp', ${ago(10)})`.execute(db); // goes
  const eth2 = await iface('eth2', 2, 10); // stays: a current IP is on it
  await ip({ device: a, iface: eth2, ip: '10.0.2.1', stale: null });
  await sql`INSERT INTO mac_addresses (device_id, mac, stale_since) VALUES (${b}, 'bb:00:00:00:00:02', ${ago(10)}),
            (${b}, 'bb:00:00:00:00:03', NULL)`.execute(db); // the first goes
  await sql`INSERT INTO services (device_id, protocol, port, state, stale_since) VALUES
            (${a}, 'tcp', 22, 'open', ${ago(10)}), (${a}, 'tcp', 80, 'open', NULL)`.execute(db); // 22 goes
  await sql`INSERT INTO links (link_key, a_device_id, b_device_id, source, stale_since) VALUES
            ('cable-1', ${a}, ${b}, 'lldp', ${ago(10)}), ('cable-2', ${a}, ${b}, 'lldp', ${ago(2)})`.execute(db); // 1 goes
  await sql`INSERT INTO fdb_entries (device_id, mac, vlan_id, stale_since) VALUES
            (${a}, 'cc:00:00:00:00:01', 1, ${ago(10)}), (${a}, 'cc:00:00:00:00:02', 1, NULL)`.execute(db); // first goes
  await sql`INSERT INTO device_vlans (device_id, vlan_id, stale_since) VALUES
            (${a}, 10, ${ago(10)}), (${a}, 20, NULL)`.execute(db); // 10 goes
  // Alerts (issue 11): finished deliveries older than the window go with their attempts; alerts that
  // old go unless pending or still listed by an unfinished delivery.
  const channel = (
    await one(db, sql<{ id: string }>`INSERT INTO alert_channels (name, type) VALUES ('hook', 'webhook') RETURNING id`)
  ).id;
  const rule = (
    await one(
      db,
      sql<{ id: string }>`INSERT INTO alert_rules (name, event) VALUES ('offline', 'device_offline') RETURNING id`,
    )
  ).id;
  const alert = async (key: string, status: string, days: number) =>
    (
      await one(
        db,
        sql<{ id: string }>`INSERT INTO alerts (rule_id, kind, dedupe_key, severity, status, title, message, created_at)
          VALUES (${rule}, 'device_offline', ${key}, 'warning', ${status}, 't', 'm', ${ago(days)}) RETURNING id`,
      )
    ).id;
  const oldFired = await alert('e1', 'fired', 40); // goes
  await alert('e2', 'suppressed', 40); // goes
  await alert('e3', 'pending', 40); // stays: pending
  await alert('e4', 'fired', 5); // stays: recent
  const inDigest = await alert('e5', 'fired', 40); // stays: a digest still collecting lists it
  const delivery = async (status: string, days: number, alertIds: string[]) =>
    (
      await one(
        db,
        sql<{
          id: string;
        }>`INSERT INTO alert_deliveries (channel_id, kind, alert_ids, severity, title, status, max_attempts, created_at, updated_at)
          VALUES (${channel}, 'alert', ${alertIds}::uuid[], 'warning', 't', ${status}, 5, ${ago(days)}, ${ago(days)}) RETURNING id`,
      )
    ).id;
  const sentOld = await delivery('sent', 40, [oldFired]); // goes (its attempt cascades)
  await sql`INSERT INTO alert_delivery_attempts (delivery_id, attempt, outcome, duration_ms) VALUES (${sentOld}, 1, 'sent', 12)`.execute(
    db,
  );
  await delivery('failed', 35, []); // goes
  await delivery('sent', 3, []); // stays: recent
  await delivery('retrying', 40, []); // stays: unfinished
  await sql`INSERT INTO alert_deliveries (channel_id, kind, alert_ids, severity, title, status, max_attempts, created_at, updated_at)
            VALUES (${channel}, 'digest', ${[inDigest]}::uuid[], 'warning', 'digest', 'collecting', 5, ${ago(40)}, ${ago(40)})`.execute(
    db,
  ); // stays: collecting
  await refreshDeviceSummaries(db, [a, b]);
  return { a, b, runs };
}

const EXPECTED: RetentionCounts = {
  ip_observations: 3,
  mac_observations: 1,
  discovery_run_logs: 5,
  discovery_runs: 3,
  device_events: 1,
  audit_events: 1,
  ip_addresses: 2,
  mac_addresses: 1,
  interface_vlans: 1,
  fdb_entries: 1,
  links: 1,
  services: 1,
  device_vlans: 1,
  interfaces: 1,
  alert_deliveries: 2,
  alerts: 2,
};

const retentionConfig = (schedule: string, windows: RetentionWindows = WINDOWS): RetentionConfig => ({
  enabled: true,
  schedule,
  ...windows,
});

describeEachBackend('retention', (backend) => {
  let test: TestDatabase;
  let db: Kysely<Schema>;
  beforeEach(async () => {
    test = await backend.fresh();
    db = test.database.db;
  });
  afterEach(() => test.dispose());

  it('a dry run deletes nothing and counts exactly what the real run then deletes, per table and window', async () => {
    const seeded = await seed(db);
    const repository = new RetentionRepository(db);
    const before = await tableCounts(db);
    const searchBefore = await one(
      db,
      sql<{ a: string; b: string }>`SELECT
        (SELECT search_text FROM devices WHERE id = ${seeded.a}) AS a,
        (SELECT search_text FROM devices WHERE id = ${seeded.b}) AS b`,
    );
    expect(searchBefore.a).toContain('10.0.0.7');
    expect(searchBefore.b).toContain('bb:00:00:00:00:02');

    const cutoffs = retentionCutoffs(WINDOWS, new Date());
    const dry = await repository.prune(cutoffs, { dryRun: true });
    expect(dry.deleted).toEqual(EXPECTED);
    expect(dry.batches).toEqual(zeroCounts());
    expect(await tableCounts(db)).toEqual(before);

    const real = await repository.prune(cutoffs, { dryRun: false });
    expect(real.deleted).toEqual(dry.deleted);
    expect(real.complete).toBe(true);
    expect(real.total).toBe(Object.values(EXPECTED).reduce((sum, n) => sum + n, 0));
    const after = await tableCounts(db);
    for (const table of RETENTION_TABLES) expect(after[table], table).toBe(before[table] - EXPECTED[table]);

    // Nothing is left to do: a second pass deletes nothing.
    expect((await repository.prune(cutoffs, { dryRun: false })).total).toBe(0);

    // Alerts: the attempts of a deleted delivery went with it; pending, recent and still-needed alerts stay.
    expect((await one(db, sql<{ n: number }>`SELECT count(*)::int AS n FROM alert_delivery_attempts`)).n).toBe(0);
    const alertsLeft = await sql<{ dedupe_key: string }>`SELECT dedupe_key FROM alerts ORDER BY dedupe_key`.execute(db);
    expect(alertsLeft.rows.map((row) => row.dedupe_key)).toEqual(['e3', 'e4', 'e5']);
    const deliveriesLeft = await sql<{ status: string }>`SELECT status FROM alert_deliveries ORDER BY status`.execute(
      db,
    );
    expect(deliveriesLeft.rows.map((row) => row.status)).toEqual(['collecting', 'retrying', 'sent']);

    // The latest observation of each device and value stays however old; the others went.
    const ips = await sql<{ device_id: string; ip: string; days: number }>`
      SELECT device_id, host(ip) AS ip, round(extract(epoch FROM now() - observed_at) / 86400)::int AS days
        FROM ip_observations ORDER BY device_id = ${seeded.a} DESC, ip, observed_at`.execute(db);
    expect(ips.rows).toEqual([
      { device_id: seeded.a, ip: '10.0.0.1', days: 1 },
      { device_id: seeded.a, ip: '10.0.0.9', days: 50 },
      { device_id: seeded.b, ip: '10.0.0.1', days: 30 },
    ]);
    const macs = await sql<{ mac: string }>`SELECT mac::text AS mac FROM mac_observations ORDER BY observed_at`.execute(
      db,
    );
    expect(macs.rows.map((row) => row.mac)).toEqual(['bb:00:00:00:00:01', 'aa:00:00:00:00:01']);

    // Unfinished runs, the latest finished run of a schedule and runs holding kept observations stay.
    const runs = await sql<{ id: string }>`SELECT id FROM discovery_runs`.execute(db);
    const { oldDone, oldFailed, scheduledOld, ...kept } = seeded.runs;
    expect(runs.rows.map((row) => row.id).sort()).toEqual(Object.values(kept).sort());
    const logs = await sql<{ run_id: string }>`SELECT run_id FROM discovery_run_logs ORDER BY run_id`.execute(db);
    expect(logs.rows.map((row) => row.run_id).sort()).toEqual([seeded.runs.recent, seeded.runs.oldRunning].sort());

    // Stale facts: only those stale for longer than the window went; the interface with a current IP stayed.
    const facts = await one(
      db,
      sql<{ ips: string[]; ifaces: string[]; services: number[]; links: string[]; vlans: number[] }>`SELECT
        (SELECT array_agg(host(ip) ORDER BY ip) FROM ip_addresses) AS ips,
        (SELECT array_agg(name ORDER BY name) FROM interfaces) AS ifaces,
        (SELECT array_agg(port ORDER BY port) FROM services) AS services,
        (SELECT array_agg(link_key ORDER BY link_key) FROM links) AS links,
        (SELECT array_agg(vlan_id ORDER BY vlan_id) FROM device_vlans) AS vlans`,
    );
    expect(facts).toEqual({
      ips: ['10.0.0.1', '10.0.0.8', '10.0.2.1'],
      ifaces: ['eth2'],
      services: [80],
      links: ['cable-2'],
      vlans: [20],
    });

    // The summaries of the devices whose facts went were refreshed in the same pass.
    const searchAfter = await one(
      db,
      sql<{ a: string; b: string }>`SELECT
        (SELECT search_text FROM devices WHERE id = ${seeded.a}) AS a,
        (SELECT search_text FROM devices WHERE id = ${seeded.b}) AS b`,
    );
    expect(searchAfter.a).not.toContain('10.0.0.7');
    expect(searchAfter.a).toContain('10.0.0.8');
    expect(searchAfter.b).not.toContain('bb:00:00:00:00:02');
    expect(searchAfter.b).toContain('bb:00:00:00:00:03');
  });

  it('keeps everything when every window is 0 (forever)', async () => {
    await seed(db);
    const before = await tableCounts(db);
    const repository = new RetentionRepository(db);
    const cutoffs = retentionCutoffs(FOREVER, new Date());
    expect((await repository.prune(cutoffs, { dryRun: true })).total).toBe(0);
    expect((await repository.prune(cutoffs, { dryRun: false })).total).toBe(0);
    expect(await tableCounts(db)).toEqual(before);
  });

  it('keeps runs whose observations are kept forever, and prunes run logs on their own window', async () => {
    const seeded = await seed(db);
    const cutoffs = retentionCutoffs({ ...WINDOWS, observationsMs: 0, staleFactsMs: 0 }, new Date());
    const result = await new RetentionRepository(db).prune(cutoffs, { dryRun: false });
    // Only the runs without any observation go: the failed one holds one, so just the schedule's old run.
    expect(result.deleted).toMatchObject({ ip_observations: 0, mac_observations: 0, discovery_runs: 1 });
    const gone = await sql`SELECT 1 FROM discovery_runs WHERE id = ${seeded.runs.scheduledOld}`.execute(db);
    expect(gone.rows).toEqual([]);
    expect(result.deleted.discovery_run_logs).toBe(4);
  });

  it('deletes in bounded batches and goes on where it stopped', async () => {
    const device = (await one(db, sql<{ id: string }>`INSERT INTO devices DEFAULT VALUES RETURNING id`)).id;
    await sql`INSERT INTO device_events (device_id, kind, summary, event_at)
              SELECT ${device}, 'ip_added', 'x', now() - make_interval(days => 30 + g) FROM generate_series(1, 5) g`.execute(
      db,
    );
    await sql`INSERT INTO device_events (device_id, kind, summary) VALUES (${device}, 'ip_added', 'new')`.execute(db);
    const repository = new RetentionRepository(db);
    const cutoffs = retentionCutoffs(WINDOWS, new Date());

    const limited = await repository.prune(cutoffs, { dryRun: false, batchSize: 2, maxBatches: 1 });
    expect(limited.deleted.device_events).toBe(2);
    expect(limited.batches.device_events).toBe(1);
    expect(limited.complete).toBe(false);

    const rest = await repository.prune(cutoffs, { dryRun: false, batchSize: 2 });
    expect(rest.deleted.device_events).toBe(3);
    expect(rest.batches.device_events).toBe(2); // 2 + 1: the short batch ends the loop
    expect(rest.complete).toBe(true);
    const left = await sql<{ summary: string }>`SELECT summary FROM device_events`.execute(db);
    expect(left.rows).toEqual([{ summary: 'new' }]);

    // Every table loops the same way: the full data set with one row per statement.
    await seed(db);
    const single = await repository.prune(cutoffs, { dryRun: false, batchSize: 1 });
    expect(single.deleted).toEqual(EXPECTED);
    for (const table of RETENTION_TABLES) expect(single.batches[table], table).toBeGreaterThan(EXPECTED[table]);
  });

  it('claims a scheduled slot exactly once, even with concurrent claimers', async () => {
    const other = test.url
      ? await openPostgres({ url: test.url, poolSize: 2, description: 'second process' })
      : test.database;
    try {
      const slot = new Date('2026-11-27T03:30:00Z');
      const first = new RetentionRepository(db);
      const second = new RetentionRepository(other.db);
      const claims = await Promise.all([
        first.claimSlot(RETENTION_JOB, slot, 'w1'),
        second.claimSlot(RETENTION_JOB, slot, 'w2'),
        first.claimSlot(RETENTION_JOB, slot, 'w1'),
        second.claimSlot(RETENTION_JOB, slot, 'w2'),
      ]);
      expect(claims.filter((id) => id !== undefined)).toHaveLength(1);
      expect(await first.claimSlot(RETENTION_JOB, new Date('2026-11-28T03:30:00Z'), 'w2')).toBeDefined();

      // Two workers' jobs at the same moment: one runs, the other finds the slot taken.
      await seed(db);
      const now = () => new Date('2026-12-01T04:00:00Z');
      const metrics = [createMetrics(), createMetrics()];
      const jobs = [db, other.db].map(
        (handle, index) =>
          new RetentionJob({
            db: handle,
            config: retentionConfig('30 3 * * *'),
            logger: silent,
            metrics: retentionMetrics(metrics[index] as ReturnType<typeof createMetrics>),
            workerId: `w${index}`,
            now,
          }),
      );
      const reports = await Promise.all(jobs.map((job) => job.runDue()));
      const ran = reports.filter((report) => report !== undefined);
      expect(ran).toHaveLength(1);
      // The job's own clock is December; the seeded rows are relative to the database's now().
      expect(await Promise.all(jobs.map((job) => job.runDue()))).toEqual([undefined, undefined]);

      const recorded = await new RetentionRepository(db).runs(RETENTION_JOB);
      const scheduled = recorded.filter((row) => row.scheduled_for === '2026-12-01T03:30:00Z');
      expect(scheduled).toHaveLength(1);
      expect(scheduled[0]).toMatchObject({ trigger: 'schedule', status: 'succeeded', dry_run: false });
      const texts = await Promise.all(metrics.map((registry) => registry.registry.metrics()));
      expect(texts.filter((text) => /roller_retention_runs_total\{outcome="succeeded"\} 1/.test(text))).toHaveLength(1);
    } finally {
      if (other !== test.database) await other.close();
    }
  });

  it('records, logs and counts a run in the metrics; dry runs leave the metrics alone', async () => {
    await seed(db);
    const lines: Record<string, unknown>[] = [];
    const logger = createLogger('cli', 'info', { write: (line: string) => lines.push(JSON.parse(line)) });
    const metrics = createMetrics();
    const options = {
      db,
      windows: WINDOWS,
      logger,
      metrics: retentionMetrics(metrics),
      workerId: 'test',
    };
    const dry = await runRetention({ ...options, dryRun: true });
    expect(dry.deleted).toEqual(EXPECTED);
    expect(await metrics.registry.metrics()).not.toMatch(/roller_retention_runs_total\{/);
    const real = await runRetention({ ...options, dryRun: false });
    expect(real.deleted).toEqual(EXPECTED);

    const finished = lines.filter((line) => line.message === 'retention run finished');
    expect(finished.map((line) => [line.dry_run, line.total, line.deleted])).toEqual([
      [true, dry.total, EXPECTED],
      [false, real.total, EXPECTED],
    ]);
    const text = await metrics.registry.metrics();
    expect(text).toMatch(/roller_retention_runs_total\{outcome="succeeded"\} 1/);
    expect(text).toMatch(/roller_retention_deleted_rows_total\{table="ip_observations"\} 3/);
    expect(text).toMatch(/roller_retention_deleted_rows_total\{table="discovery_run_logs"\} 5/);
    const lastSuccess = /^roller_retention_last_success_timestamp_seconds (\S+)$/m.exec(text)?.[1];
    expect(Math.abs(Number(lastSuccess) - Date.now() / 1000)).toBeLessThan(60);

    const recorded = await new RetentionRepository(db).runs(RETENTION_JOB);
    expect(recorded.map((row) => [row.trigger, row.dry_run, row.status, row.scheduled_for])).toEqual([
      ['manual', true, 'succeeded', null],
      ['manual', false, 'succeeded', null],
    ]);
    expect(recorded[1]?.deleted).toEqual(EXPECTED);
  });
});
