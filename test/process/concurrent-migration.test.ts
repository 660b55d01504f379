import pg from 'pg';
import { afterEach, describe, expect, it } from 'vitest';
import { loadMigrations } from '../../src/storage/migrator.ts';
import { POSTGRES, type TestDatabase } from '../support/backends.ts';
import {
  baseUrlFor,
  freePort,
  killAllRollers,
  type RollerProcess,
  registerProcessCleanup,
  requestJson,
  spawnRoller,
  waitForReady,
} from '../support/process.ts';
import { IN_CI } from '../support/test-env.ts';

registerProcessCleanup();

const MIGRATIONS = loadMigrations();
const LATEST = MIGRATIONS.at(-1)?.version ?? 0;
const ALL_VERSIONS = MIGRATIONS.map((migration) => migration.version);

let databases: TestDatabase[] = [];
afterEach(async () => {
  await killAllRollers(); // before the drop, so no child reconnects to a database being dropped
  for (const database of databases) await database.dispose();
  databases = [];
}, 60_000);

async function emptyDatabase(): Promise<string> {
  const database = await POSTGRES.empty();
  databases.push(database);
  if (!database.url) throw new Error('the PostgreSQL backend gave no URL');
  return database.url;
}

async function schemaMigrationsRows(url: string): Promise<{ version: number; dirty: boolean }[]> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 5000 });
  await client.connect();
  try {
    const { rows } = await client.query<{ version: string; dirty: boolean }>(
      'SELECT version, dirty FROM schema_migrations',
    );
    return rows.map((row) => ({ version: Number(row.version), dirty: row.dirty }));
  } finally {
    await client.end();
  }
}

async function tableCount(url: string): Promise<number> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 5000 });
  await client.connect();
  try {
    const { rows } = await client.query<{ count: string }>(
      `SELECT count(*) AS count FROM information_schema.tables WHERE table_schema = 'public' AND table_name = 'devices'`,
    );
    return Number(rows[0]?.count);
  } finally {
    await client.end();
  }
}

/** The versions named by "migration applied" lines across all processes, in order of appearance per process. */
function appliedVersions(processes: RollerProcess[]): number[] {
  return processes
    .flatMap((roller) => roller.logsWithMessage('migration applied'))
    .map((log) => Number(log.version))
    .sort((a, b) => a - b);
}

const unavailable = POSTGRES.unavailable;
describe.skipIf(unavailable !== undefined && !IN_CI)(
  `two processes migrating one PostgreSQL database at once${unavailable && !IN_CI ? ` (skipped: ${unavailable})` : ''}`,
  () => {
    it('two `roller migrate up` started together apply each migration exactly once', async () => {
      const url = await emptyDatabase();
      const env = { DATABASE_URL: url };
      const processes = [spawnRoller(['migrate', 'up'], { env }), spawnRoller(['migrate', 'up'], { env })];
      const results = await Promise.all(processes.map((roller) => roller.waitForExit()));
      for (const [index, result] of results.entries()) {
        expect(result.code, (processes[index] as RollerProcess).describe()).toBe(0);
      }

      expect(await schemaMigrationsRows(url)).toEqual([{ version: LATEST, dirty: false }]);
      expect(await tableCount(url)).toBe(1);
      expect(appliedVersions(processes), processes.map((roller) => roller.describe()).join('\n')).toEqual(ALL_VERSIONS);

      // Each process reports what it did; between them they applied every migration once.
      let appliedTotal = 0;
      for (const roller of processes) {
        const summary = roller.textLines.at(-1) ?? '';
        const match = /^(?:applied (\d+)|no change); schema version (\d+)$/.exec(summary);
        expect(match, roller.describe()).not.toBeNull();
        expect(Number(match?.[2])).toBe(LATEST);
        const applied = Number(match?.[1] ?? 0);
        expect(applied).toBe(roller.logsWithMessage('migration applied').length);
        appliedTotal += applied;
      }
      expect(appliedTotal).toBe(LATEST);
    }, 120_000);

    it('two `roller core` started together both become ready and migrate exactly once', async () => {
      const url = await emptyDatabase();
      const ports = [await freePort(), await freePort()];
      const processes = ports.map((port) =>
        spawnRoller(['core'], { env: { DATABASE_URL: url, HTTP_ADDR: `127.0.0.1:${port}` } }),
      );
      await Promise.all(processes.map((roller, index) => waitForReady(roller, baseUrlFor(ports[index] as number))));
      await Promise.all(processes.map((roller) => roller.waitForLog('core listening')));

      expect(await schemaMigrationsRows(url)).toEqual([{ version: LATEST, dirty: false }]);
      expect(appliedVersions(processes), processes.map((roller) => roller.describe()).join('\n')).toEqual(ALL_VERSIONS);
      for (const [index, roller] of processes.entries()) {
        const ready = roller.logsWithMessage('database schema ready');
        expect(ready, roller.describe()).toHaveLength(1);
        expect(ready[0]?.schema_version).toBe(LATEST);
        expect(ready[0]?.applied).toBe(roller.logsWithMessage('migration applied').length);
        const readyz = await requestJson(baseUrlFor(ports[index] as number), 'GET', '/readyz');
        expect(readyz).toEqual({
          status: 200,
          body: { ready: true, schema_version: LATEST, database: 'postgres' },
        });
      }

      // Both serve the same database: a write through one is visible through the other.
      const [firstUrl, secondUrl] = ports.map(baseUrlFor) as [string, string];
      const created = await requestJson<{ id: string }>(firstUrl, 'POST', '/api/v1/devices', {
        display_name: 'shared',
      });
      expect(created.status).toBe(201);
      const seen = await requestJson<{ id: string; display_name: string }>(
        secondUrl,
        'GET',
        `/api/v1/devices/${created.body.id}`,
      );
      expect(seen.status).toBe(200);
      expect(seen.body.display_name).toBe('shared');

      for (const roller of processes) {
        const exit = await roller.kill('SIGTERM');
        expect(exit.code, roller.describe()).toBe(0);
      }
    }, 120_000);
  },
);
