// `roller retention run [--dry-run]` as a real child process against a temporary embedded database:
// the dry run reports per table and deletes nothing, the real run then deletes exactly those rows.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { type Kysely, sql } from 'kysely';
import { describe, expect, it } from 'vitest';
import { RETENTION_TABLES } from '../../src/domain/retention.ts';
import { openPglite } from '../../src/storage/database.ts';
import type { Schema } from '../../src/storage/schema.ts';
import { makeTempDir, type RunResult, registerProcessCleanup, runRoller } from '../support/process.ts';

registerProcessCleanup();

async function withDataDir<T>(dataDir: string, work: (db: Kysely<Schema>) => Promise<T>): Promise<T> {
  const database = await openPglite({ dataDir });
  try {
    return await work(database.db);
  } finally {
    await database.close();
  }
}

/** The printed table as { table: count }, plus the total. */
function parseTable(lines: string[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const line of lines.slice(1)) {
    const match = /^(\w+)\s+(\d+)$/.exec(line);
    if (match) counts[match[1] as string] = Number(match[2]);
  }
  return counts;
}

describe('roller retention run on an embedded (PGlite) data dir', () => {
  it('reports with --dry-run without deleting, then deletes exactly that; refuses an unmigrated database', async () => {
    const dataDir = join(makeTempDir('roller-retention-'), 'data');
    const cwd = makeTempDir('roller-retention-cwd-');
    const env = { ROLLER_DATA_DIR: dataDir, RETENTION_ENABLED: 'false', RETENTION_OBSERVATIONS: '30d' };
    const roller = (...args: string[]): Promise<RunResult> => runRoller(args, { cwd, env });
    const ok = async (...args: string[]): Promise<RunResult> => {
      const result = await roller(...args);
      expect(result.code, result.process.describe()).toBe(0);
      expect(result.stderr, result.process.describe()).toBe('');
      expect(existsSync(join(dataDir, 'roller.lock')), 'the command released the data dir').toBe(false);
      return result;
    };

    const unmigrated = await roller('retention', 'run', '--dry-run');
    expect(unmigrated.code, unmigrated.process.describe()).toBe(1);
    expect(unmigrated.stderr).toMatch(/schema is at version none.*roller migrate up/);

    await ok('migrate', 'up');
    await withDataDir(dataDir, async (db) => {
      const { rows } = await sql<{ id: string }>`INSERT INTO devices DEFAULT VALUES RETURNING id`.execute(db);
      const device = rows[0]?.id as string;
      const run = await sql<{ id: string }>`
        INSERT INTO discovery_runs (status, queued_at, started_at, completed_at)
        VALUES ('succeeded', now() - interval '400 days', now() - interval '400 days', now() - interval '400 days')
        RETURNING id`.execute(db);
      const runId = run.rows[0]?.id as string;
      const current = await sql<{ id: string }>`
        INSERT INTO discovery_runs (status, completed_at) VALUES ('succeeded', now()) RETURNING id`.execute(db);
      await sql`INSERT INTO ip_observations (run_id, device_id, ip, observed_at) VALUES
        (${runId}, ${device}, '10.0.0.1', now() - interval '400 days'),
        (${runId}, ${device}, '10.0.0.2', now() - interval '399 days'),
        (${current.rows[0]?.id as string}, ${device}, '10.0.0.2', now())`.execute(db);
      await sql`INSERT INTO discovery_run_logs (run_id, message, created_at)
        SELECT ${runId}, 'line ' || g, now() - interval '400 days' FROM generate_series(1, 3) g`.execute(db);
      await sql`INSERT INTO device_events (device_id, kind, summary, event_at) VALUES
        (${device}, 'ip_added', 'old', now() - interval '400 days'), (${device}, 'ip_added', 'new', now())`.execute(db);
      await sql`INSERT INTO audit_events (actor, action, created_at) VALUES
        ('admin', 'x', now() - interval '400 days'), ('admin', 'y', now())`.execute(db);
    });

    const dry = await ok('retention', 'run', '--dry-run');
    expect(dry.text[0]).toMatch(/^table\s+would delete$/);
    // 10.0.0.1's old observation is the latest of its value (kept); 10.0.0.2's old one is past
    // RETENTION_OBSERVATIONS=30d and a newer one exists (goes). The old run holds a kept observation.
    const expected = {
      ip_observations: 1,
      mac_observations: 0,
      discovery_run_logs: 3,
      discovery_runs: 0,
      device_events: 1,
      audit_events: 1,
    };
    const dryCounts = parseTable(dry.text);
    expect(dryCounts).toMatchObject({ ...expected, total: 6 });
    expect(Object.keys(dryCounts)).toEqual([...RETENTION_TABLES, 'total']);
    expect(dry.logs.find((log) => log.message === 'retention run finished')).toMatchObject({
      dry_run: true,
      total: 6,
      deleted: expected,
    });

    const json = await ok('retention', 'run', '--dry-run', '--json');
    const report = json.logs.find((line) => 'dry_run' in line && line.message === undefined);
    expect(report).toMatchObject({ dry_run: true, trigger: 'manual', total: 6, deleted: expected, complete: true });

    const real = await ok('retention', 'run');
    expect(real.text[0]).toMatch(/^table\s+deleted$/);
    expect(parseTable(real.text)).toEqual(dryCounts);

    await withDataDir(dataDir, async (db) => {
      const left = await sql<{ logs: number; events: string[]; audit: string[]; ips: string[]; runs: number }>`SELECT
        (SELECT count(*)::int FROM discovery_run_logs) AS logs,
        (SELECT array_agg(summary) FROM device_events) AS events,
        (SELECT array_agg(action) FROM audit_events) AS audit,
        (SELECT array_agg(host(ip) || '@' || (observed_at > now() - interval '1 day')::text ORDER BY ip)
           FROM ip_observations) AS ips,
        (SELECT count(*)::int FROM discovery_runs) AS runs`.execute(db);
      expect(left.rows[0]).toEqual({
        logs: 0,
        events: ['new'],
        audit: ['y'],
        ips: ['10.0.0.1@false', '10.0.0.2@true'],
        runs: 2,
      });
      const recorded = await sql<{ trigger: string; dry_run: boolean; status: string }>`
        SELECT trigger, dry_run, status FROM maintenance_runs ORDER BY id`.execute(db);
      expect(recorded.rows).toEqual([
        { trigger: 'manual', dry_run: true, status: 'succeeded' },
        { trigger: 'manual', dry_run: true, status: 'succeeded' },
        { trigger: 'manual', dry_run: false, status: 'succeeded' },
      ]);
    });

    const badSchedule = await runRoller(['retention', 'run'], {
      cwd,
      env: { ...env, RETENTION_SCHEDULE: '0 30 3 * * *' },
    });
    expect(badSchedule.code).toBe(1);
    expect(badSchedule.stderr).toMatch(/RETENTION_SCHEDULE.*five fields/);
  }, 180_000); // seven short-lived processes, each opening the embedded database: slow on a busy machine
});
