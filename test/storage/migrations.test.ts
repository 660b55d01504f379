import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { sql } from 'kysely';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openPostgres } from '../../src/storage/database.ts';
import { DirtySchemaError, loadMigrations, Migrator } from '../../src/storage/migrator.ts';
import { describeEachBackend, POSTGRES, type TestDatabase } from '../support/backends.ts';
import { IN_CI } from '../support/test-env.ts';

const userTables = async (database: TestDatabase['database']): Promise<string[]> => {
  const { rows } = await sql<{ name: string }>`
    SELECT table_name AS name FROM information_schema.tables
     WHERE table_schema = 'public' AND table_type = 'BASE TABLE' ORDER BY table_name`.execute(database.db);
  return rows.map((row) => row.name);
};

describeEachBackend('migrations', (backend) => {
  let test: TestDatabase;
  beforeEach(async () => {
    test = await backend.empty();
  });
  afterEach(() => test.dispose());

  it('goes up, down to zero and up again, leaving the same schema', async () => {
    const migrator = new Migrator(test.database);
    expect(await migrator.state()).toEqual({ version: null, dirty: false });
    const applied = await migrator.up();
    expect(applied.map((event) => event.version)).toEqual(migrator.migrations.map((migration) => migration.version));
    const tablesUp = await userTables(test.database);
    expect(tablesUp).toEqual(
      expect.arrayContaining([
        'audit_events',
        'device_metadata',
        'device_name_candidates',
        'device_snmp',
        'device_tags',
        'devices',
        'discovery_run_logs',
        'discovery_runs',
        'interface_vlans',
        'interfaces',
        'ip_addresses',
        'ip_observations',
        'links',
        'mac_addresses',
        'mac_observations',
        'schema_migrations',
        'services',
      ]),
    );
    expect(await migrator.state()).toEqual({ version: migrator.latestVersion, dirty: false });
    expect(await migrator.up()).toEqual([]);

    const reverted = await migrator.down(Number.POSITIVE_INFINITY);
    expect(reverted.map((event) => event.version)).toEqual([...applied.map((event) => event.version)].reverse());
    expect(await userTables(test.database)).toEqual(['schema_migrations']);
    expect(await migrator.state()).toEqual({ version: null, dirty: false });

    await migrator.up();
    expect(await userTables(test.database)).toEqual(tablesUp);
  });

  it('keeps schema_migrations exactly as golang-migrate does: one row, version bigint, dirty boolean', async () => {
    const migrator = new Migrator(test.database);
    await migrator.up(2);
    const { rows: columns } = await sql<{ column_name: string; data_type: string; is_nullable: string }>`
      SELECT column_name, data_type, is_nullable FROM information_schema.columns
       WHERE table_name = 'schema_migrations' ORDER BY ordinal_position`.execute(test.database.db);
    expect(columns).toEqual([
      { column_name: 'version', data_type: 'bigint', is_nullable: 'NO' },
      { column_name: 'dirty', data_type: 'boolean', is_nullable: 'NO' },
    ]);
    const { rows: keys } = await sql<{ column_name: string }>`
      SELECT k.column_name FROM information_schema.table_constraints c
        JOIN information_schema.key_column_usage k ON k.constraint_name = c.constraint_name
       WHERE c.table_name = 'schema_migrations' AND c.constraint_type = 'PRIMARY KEY'`.execute(test.database.db);
    expect(keys).toEqual([{ column_name: 'version' }]);
    const { rows } = await sql`SELECT version, dirty FROM schema_migrations`.execute(test.database.db);
    expect(rows).toEqual([{ version: 2, dirty: false }]);
    await migrator.down(1);
    expect((await sql`SELECT version, dirty FROM schema_migrations`.execute(test.database.db)).rows).toEqual([
      { version: 1, dirty: false },
    ]);
  });

  it('refuses to migrate a dirty schema until forced, with a message that says what to do', async () => {
    const migrator = new Migrator(test.database);
    await migrator.up(1);
    // What golang-migrate leaves behind when a migration dies half-way.
    await sql`UPDATE schema_migrations SET version = 2, dirty = true`.execute(test.database.db);
    await expect(migrator.up()).rejects.toThrow(DirtySchemaError);
    await expect(migrator.up()).rejects.toThrow(
      /dirty at version 2.*`migrate up`, run `roller migrate force 1`.*`migrate down`, run `roller migrate force 3`/,
    );
    await migrator.force(1);
    expect(await migrator.state()).toEqual({ version: 1, dirty: false });
    await migrator.up();
    expect((await migrator.state()).version).toBe(migrator.latestVersion);
  });

  it('rolls a failing migration back and leaves it marked dirty', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'roller-mig-'));
    try {
      writeFileSync(join(dir, '001_ok.up.sql'), 'CREATE TABLE t_ok (id int);');
      writeFileSync(join(dir, '001_ok.down.sql'), 'DROP TABLE t_ok;');
      writeFileSync(join(dir, '002_bad.up.sql'), 'CREATE TABLE t_half (id int); SELECT no_such_function();');
      writeFileSync(join(dir, '002_bad.down.sql'), 'DROP TABLE IF EXISTS t_half;');
      const migrator = new Migrator(test.database, loadMigrations(pathToFileURL(`${dir}/`)));
      await expect(migrator.up()).rejects.toThrow(/migration 2_bad \(up\) failed/);
      expect(await migrator.state()).toEqual({ version: 2, dirty: true });
      expect(await userTables(test.database)).toEqual(['schema_migrations', 't_ok']);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('migration files', () => {
  it('are numbered without gaps and each has an up and a down file', () => {
    const migrations = loadMigrations();
    expect(migrations.length).toBeGreaterThan(0);
    migrations.forEach((migration, index) => {
      expect(migration.version).toBe(index + 1);
      expect(migration.up.trim()).not.toBe('');
      expect(migration.down.trim()).not.toBe('');
    });
  });

  it('rejects a gap, a missing down file and a badly named file', () => {
    const cases: [Record<string, string>, RegExp][] = [
      [{ '001_a.up.sql': '', '001_a.down.sql': '', '003_c.up.sql': '', '003_c.down.sql': '' }, /without gaps/],
      [{ '001_a.up.sql': '' }, /needs both/],
      [{ '1-a.sql': '' }, /does not match/],
    ];
    for (const [files, error] of cases) {
      const dir = mkdtempSync(join(tmpdir(), 'roller-mig-'));
      try {
        for (const [name, body] of Object.entries(files)) writeFileSync(join(dir, name), body);
        expect(() => loadMigrations(pathToFileURL(`${dir}/`))).toThrow(error);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    }
  });
});

describe.skipIf(POSTGRES.unavailable !== undefined && !IN_CI)('concurrent migration [postgres]', () => {
  it('lets two migrators race on an empty database: each migration applied once, one clean row', async () => {
    const first = await POSTGRES.empty();
    const second = await openPostgres({ url: first.url as string, poolSize: 2, description: 'second' });
    try {
      for (let round = 0; round < 3; round++) {
        const [a, b] = await Promise.all([new Migrator(first.database).up(), new Migrator(second).up()]);
        const applied = [...a, ...b].map((event) => event.version).sort((x, y) => x - y);
        expect(applied).toEqual(new Migrator(first.database).migrations.map((migration) => migration.version));
        const { rows } = await sql`SELECT version, dirty FROM schema_migrations`.execute(first.database.db);
        expect(rows).toEqual([{ version: new Migrator(first.database).latestVersion, dirty: false }]);
        // Back to a database without any schema for the next round.
        await new Migrator(first.database).down(Number.POSITIVE_INFINITY);
        await sql`DROP TABLE schema_migrations`.execute(first.database.db);
      }
    } finally {
      await second.close();
      await first.dispose();
    }
  });

  it('reports "no version" without creating the bookkeeping table', async () => {
    const empty = await POSTGRES.empty();
    try {
      expect(await new Migrator(empty.database).state()).toEqual({ version: null, dirty: false });
      const { rows } = await sql<{
        present: boolean;
      }>`SELECT to_regclass('schema_migrations') IS NOT NULL AS present`.execute(empty.database.db);
      expect(rows[0]?.present).toBe(false);
    } finally {
      await empty.dispose();
    }
  });
});
