// `roller seed` as a real child process on both backends: the fixtures are realistic (devices with
// addresses, metadata and tags, runs with logs, SNMP ports and VLANs, LLDP and curated links,
// services, history), use documentation addresses only, a second seed changes nothing at all,
// and a database holding anything else is refused unless --force.
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { sql } from 'kysely';
import pg from 'pg';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { tableContents } from '../../src/storage/backup/table-contents.ts';
import { type Database, openPglite, openPostgres } from '../../src/storage/database.ts';
import { DeviceRepository } from '../../src/storage/device.repository.ts';
import { dropPostgresDatabase, POSTGRES } from '../support/backends.ts';
import { makeTempDir, type RunResult, registerProcessCleanup, runRoller } from '../support/process.ts';
import { databaseUrlFor, IN_CI, TEST_DATABASE_URL } from '../support/test-env.ts';

registerProcessCleanup();

/** Each step is a process that opens a database (PGlite: seconds each, more on a busy machine). */
const SLOW_TEST_MS = 240_000;

interface Target {
  env: Record<string, string>;
  open(): Promise<Database>;
}

interface SeedBackend {
  kind: 'pglite' | 'postgres';
  unavailable: string | undefined;
  create(): Promise<Target>;
}

const createdDatabases: string[] = [];
afterAll(async () => {
  for (const name of createdDatabases) await dropPostgresDatabase(name);
});

const BACKENDS: SeedBackend[] = [
  {
    kind: 'pglite',
    unavailable: undefined,
    async create() {
      const dataDir = join(makeTempDir('roller-seed-'), 'data');
      return { env: { ROLLER_DATA_DIR: dataDir }, open: () => openPglite({ dataDir }) };
    },
  },
  {
    kind: 'postgres',
    unavailable: POSTGRES.unavailable,
    async create() {
      const name = `${inject('postgresRunPrefix')}seed_${randomBytes(4).toString('hex')}`;
      const admin = new pg.Client({ connectionString: TEST_DATABASE_URL });
      await admin.connect();
      try {
        await admin.query(`CREATE DATABASE ${name}`);
      } finally {
        await admin.end();
      }
      createdDatabases.push(name);
      const url = databaseUrlFor(name);
      return { env: { DATABASE_URL: url }, open: () => openPostgres({ url, poolSize: 1, description: name }) };
    },
  },
];

async function seed(target: Target, ...args: string[]): Promise<RunResult> {
  return runRoller(['seed', ...args], {
    cwd: makeTempDir('roller-seed-cwd-'),
    env: { LOG_LEVEL: 'warn', ...target.env },
  });
}

async function withDatabase<T>(target: Target, work: (database: Database) => Promise<T>): Promise<T> {
  const database = await target.open();
  try {
    return await work(database);
  } finally {
    await database.close();
  }
}

async function column(database: Database, query: ReturnType<typeof sql>): Promise<unknown[]> {
  const { rows } = await query.execute(database.db);
  return rows.map((row) => Object.values(row as Record<string, unknown>)[0]);
}

for (const backend of BACKENDS) {
  const reason = backend.unavailable;
  describe.skipIf(reason !== undefined && !IN_CI)(
    `roller seed [${backend.kind}]${reason && !IN_CI ? ` (skipped: ${reason})` : ''}`,
    () => {
      it(
        'writes realistic fixtures on documentation addresses, and a second seed changes nothing',
        async () => {
          const target = await backend.create();
          const first = await seed(target);
          expect(first.code, first.process.describe()).toBe(0);
          expect(first.text).toEqual([expect.stringMatching(/^seeded the .*: \d+ steps wrote data; 8 devices$/)]);

          const before = await withDatabase(target, async (database) => {
            expect((await column(database, sql`SELECT display_name FROM devices ORDER BY 1`)).filter(Boolean)).toEqual(
              expect.arrayContaining(['Seeded Office Router', 'Lab UPS', 'Greenhouse sensor', 'Branch access point']),
            );
            expect(await column(database, sql`SELECT owner FROM device_metadata ORDER BY 1`)).toContain(
              'Infrastructure Team',
            );
            expect(await column(database, sql`SELECT status FROM discovery_runs ORDER BY status`)).toEqual([
              'failed',
              'succeeded',
              'succeeded',
            ]);
            // Every run has its log, ending with the outcome.
            expect(await column(database, sql`SELECT count(DISTINCT run_id)::int FROM discovery_run_logs`)).toEqual([
              3,
            ]);
            expect(await column(database, sql`SELECT DISTINCT source FROM links ORDER BY 1`)).toEqual([
              'lldp',
              'manual',
            ]);
            expect(await column(database, sql`SELECT count(*)::int FROM interface_vlans`)).toEqual([9]);
            expect(await column(database, sql`SELECT name FROM device_vlans ORDER BY vlan_id`)).toEqual([
              'default',
              'office',
              'servers',
              'guests',
            ]);
            expect(await column(database, sql`SELECT count(*)::int FROM services`)).toEqual([9]);
            expect(await column(database, sql`SELECT DISTINCT kind FROM device_events ORDER BY 1`)).toEqual(
              expect.arrayContaining([
                'device_created',
                'ip_removed',
                'manual_link_added',
                'metadata_changed',
                'tag_added',
                'zone_joined',
              ]),
            );
            expect(await column(database, sql`SELECT count(*)::int FROM device_zones`)).toEqual([6]);
            expect(await column(database, sql`SELECT count(*)::int FROM service_dependencies`)).toEqual([1]);
            // Documentation ranges only: nothing here could be a real host.
            expect(
              await column(
                database,
                sql`SELECT host(ip) FROM ip_addresses
                     WHERE NOT (ip <<= '192.0.2.0/24' OR ip <<= '198.51.100.0/24' OR ip <<= '2001:db8::/32')`,
              ),
            ).toEqual([]);
            expect(await column(database, sql`SELECT count(*)::int FROM ip_addresses`)).toEqual([9]);
            return tableContents(database.db);
          });

          const second = await seed(target);
          expect(second.code, second.process.describe()).toBe(0);
          expect(second.text).toEqual(['already seeded: nothing to do (8 devices)']);
          const after = await withDatabase(target, (database) => tableContents(database.db));
          for (const table of Object.keys(before)) expect(after[table], table).toEqual(before[table]);
          expect(Object.keys(after)).toEqual(Object.keys(before));
        },
        SLOW_TEST_MS,
      );

      it(
        'refuses a database that holds data the seed did not write, unless --force',
        async () => {
          const target = await backend.create();
          const migrated = await runRoller(['migrate', 'up'], {
            cwd: makeTempDir('roller-seed-cwd-'),
            env: { LOG_LEVEL: 'warn', ...target.env },
          });
          expect(migrated.code, migrated.process.describe()).toBe(0);
          await withDatabase(target, (database) =>
            new DeviceRepository(database.db).create(
              { displayName: 'production printer', metadata: { owner: null, location: null, notes: null } },
              'api',
            ),
          );

          const refused = await seed(target);
          expect(refused.code, refused.process.describe()).toBe(1);
          expect(refused.stderr).toMatch(
            /^roller: seed refused: .* holds data the seed did not write \(1 devices\)\. The seed is for development databases only; .*--force$/m,
          );
          expect(refused.stdout).toBe('');
          expect(
            await withDatabase(target, (database) =>
              column(
                database,
                sql`SELECT (SELECT count(*) FROM devices)::int + (SELECT count(*) FROM discovery_runs)::int`,
              ),
            ),
          ).toEqual([1]);

          const forced = await seed(target, '--force');
          expect(forced.code, forced.process.describe()).toBe(0);
          expect(forced.text).toEqual([expect.stringMatching(/; 9 devices$/)]);
          // The foreign device is still there, still foreign: a plain seed keeps refusing.
          const again = await seed(target);
          expect(again.code, again.process.describe()).toBe(1);
        },
        SLOW_TEST_MS,
      );
    },
  );
}
