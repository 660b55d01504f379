// `roller backup` / `roller restore` as real child processes on both backends: seeded data (devices
// with history, runs with logs, links, VLANs, services) goes through a backup file into a fresh
// database and every table must come back row for row; and every refusal (non-empty target,
// damaged, foreign or too-new file, Roller still running, a restore that fails half-way) must
// leave the target as it was.
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { type BackupManifest, encodeHeader, readBackupHeader } from '../../src/storage/backup/backup-file.ts';
import { tableContents } from '../../src/storage/backup/table-contents.ts';
import { lockDataDir } from '../../src/storage/data-dir-lock.ts';
import { openPglite, openPostgres } from '../../src/storage/database.ts';
import { loadMigrations } from '../../src/storage/migrator.ts';
import { dropPostgresDatabase, POSTGRES } from '../support/backends.ts';
import { makeTempDir, type RunResult, registerProcessCleanup, runRoller } from '../support/process.ts';
import { databaseUrlFor, IN_CI, TEST_DATABASE_URL } from '../support/test-env.ts';

registerProcessCleanup();

const LATEST = loadMigrations().at(-1)?.version ?? 0;
/** Each step is a process that opens PGlite (seconds each, more on a busy machine). */
const SLOW_TEST_MS = 240_000;

async function roller(args: string[], env: Record<string, string | undefined>): Promise<RunResult> {
  return runRoller(args, { cwd: makeTempDir('roller-backup-cwd-'), env: { LOG_LEVEL: 'warn', ...env } });
}

async function ok(args: string[], env: Record<string, string | undefined>): Promise<RunResult> {
  const result = await roller(args, env);
  expect(result.code, result.process.describe()).toBe(0);
  return result;
}

async function refused(args: string[], env: Record<string, string | undefined>, message: RegExp): Promise<RunResult> {
  const result = await roller(args, env);
  expect(result.code, result.process.describe()).toBe(1);
  expect(result.stderr, result.process.describe()).toMatch(message);
  return result;
}

/** The same file with a different manifest (its payload digest stays valid). */
function rewriteManifest(file: string, target: string, change: (manifest: BackupManifest) => BackupManifest): void {
  const header = readBackupHeader(file);
  const payload = readFileSync(file).subarray(header.payloadOffset);
  writeFileSync(target, Buffer.concat([Buffer.from(encodeHeader(change(header.manifest))), payload]));
}

/** The file with `edit` applied to its payload and the manifest's size and digest made to match. */
function rewritePayload(file: string, target: string, edit: (payload: Buffer) => Buffer): void {
  const header = readBackupHeader(file);
  const payload = edit(readFileSync(file).subarray(header.payloadOffset));
  const manifest = {
    ...header.manifest,
    payloadBytes: payload.length,
    payloadSha256: createHash('sha256').update(payload).digest('hex'),
  };
  writeFileSync(target, Buffer.concat([Buffer.from(encodeHeader(manifest)), payload]));
}

function expectSeeded(contents: Record<string, string[]>): void {
  for (const table of ['devices', 'device_events', 'discovery_runs', 'discovery_run_logs', 'links', 'services']) {
    expect(contents[table]?.length ?? 0, table).toBeGreaterThan(0);
  }
  expect(contents.interface_vlans?.length ?? 0).toBeGreaterThan(0);
  expect(contents.ip_addresses?.join('\n')).toContain('192.0.2.254');
}

describe('roller backup / restore on the embedded database (PGlite)', () => {
  const contentsOf = async (dataDir: string): Promise<Record<string, string[]>> => {
    const database = await openPglite({ dataDir });
    try {
      return await tableContents(database.db);
    } finally {
      await database.close();
    }
  };

  it(
    'round-trips seeded data into a fresh data directory, row for row',
    async () => {
      const root = makeTempDir('roller-backup-pglite-');
      const source = { ROLLER_DATA_DIR: join(root, 'source') };
      const target = { ROLLER_DATA_DIR: join(root, 'target') };
      const file = join(root, 'roller.backup');
      await ok(['seed'], source);
      const backup = await ok(['backup', file], source);
      expect(backup.text.join('\n')).toMatch(
        /^backed up the embedded database \(PGlite\) \(schema version \d+, \d+ rows\)/,
      );
      expect(existsSync(join(source.ROLLER_DATA_DIR, 'roller.lock')), 'backup released the data dir').toBe(false);
      const header = readBackupHeader(file);
      expect(header.manifest).toMatchObject({
        backend: 'pglite',
        payload: 'pglite-datadir-tgz',
        schemaVersion: LATEST,
      });

      const restore = await ok(['restore', file], target);
      expect(restore.text.join('\n')).toContain(`restored the embedded database (PGlite) from ${file}`);
      const before = await contentsOf(source.ROLLER_DATA_DIR);
      const after = await contentsOf(target.ROLLER_DATA_DIR);
      expectSeeded(before);
      expect(Object.keys(after)).toEqual(Object.keys(before));
      for (const table of Object.keys(before)) expect(after[table], table).toEqual(before[table]);
      expect(Object.fromEntries(Object.entries(before).map(([table, rows]) => [table, rows.length]))).toEqual(
        header.manifest.rowCounts,
      );

      // The target now holds data: a second restore needs --force, and then replaces it.
      await refused(['restore', file], target, /already holds data \(.*devices.*\).*--force/);
      await ok(['restore', '--force', file], target);
      expect(await contentsOf(target.ROLLER_DATA_DIR)).toEqual(before);

      // A file whose header passes but whose database says otherwise fails in the staging directory:
      // the live database stays as it was, and no staging directory is left behind.
      const lying = join(root, 'lying.backup');
      rewriteManifest(file, lying, (manifest) => ({ ...manifest, schemaVersion: LATEST - 1 }));
      await refused(['restore', '--force', lying], target, /not a consistent Roller backup/);
      expect(await contentsOf(target.ROLLER_DATA_DIR)).toEqual(before);
      expect(readdirSync(target.ROLLER_DATA_DIR).filter((name) => name.startsWith('pglite'))).toEqual(['pglite']);
    },
    SLOW_TEST_MS,
  );

  it(
    'refuses damaged, foreign, too-new and mismatched files before touching the target',
    async () => {
      const root = makeTempDir('roller-backup-bad-');
      const source = { ROLLER_DATA_DIR: join(root, 'source') };
      const target = { ROLLER_DATA_DIR: join(root, 'target') };
      const file = join(root, 'good.backup');
      await ok(['migrate', 'up'], source);
      await ok(['backup', file], source);

      const garbage = join(root, 'garbage.backup');
      writeFileSync(garbage, 'SELECT 1;\n');
      await refused(['restore', garbage], target, /is not a Roller backup/);

      const truncated = join(root, 'truncated.backup');
      const bytes = readFileSync(file);
      writeFileSync(truncated, bytes.subarray(0, bytes.length - 1));
      await refused(['restore', truncated], target, /is incomplete or damaged: the payload has/);

      const edited = join(root, 'edited.backup');
      const flipped = Buffer.from(bytes);
      flipped[flipped.length - 10] = (flipped[flipped.length - 10] as number) ^ 0xff;
      writeFileSync(edited, flipped);
      await refused(['restore', edited], target, /is damaged: the payload's SHA-256 does not match/);

      const tooNew = join(root, 'too-new.backup');
      rewriteManifest(file, tooNew, (manifest) => ({ ...manifest, schemaVersion: LATEST + 1 }));
      await refused(
        ['restore', tooNew],
        target,
        new RegExp(`schema version ${LATEST + 1}, newer than this Roller build`),
      );

      // The old database of a restore that died between its two renames is never thrown away.
      mkdirSync(join(target.ROLLER_DATA_DIR, 'pglite.replaced-12345'), { recursive: true });
      await refused(['restore', file], target, /an earlier restore was interrupted: .*pglite\.replaced-12345/);
      rmSync(join(target.ROLLER_DATA_DIR, 'pglite.replaced-12345'), { recursive: true });

      // An embedded backup cannot go into PostgreSQL: refused on the header, no connection needed.
      await refused(
        ['restore', file],
        { DATABASE_URL: 'postgres://nobody@127.0.0.1:1/none' },
        /backup of the embedded/,
      );

      expect(existsSync(join(target.ROLLER_DATA_DIR, 'pglite', 'PG_VERSION')), 'no database was created').toBe(false);
    },
    SLOW_TEST_MS,
  );

  it(
    'refuses while a Roller process holds the data directory, and never overwrites a backup file',
    async () => {
      const root = makeTempDir('roller-backup-locked-');
      const env = { ROLLER_DATA_DIR: join(root, 'data') };
      const file = join(root, 'roller.backup');
      await ok(['migrate', 'up'], env);
      await ok(['backup', file], env);
      await refused(['backup', file], env, /already exists: choose another name, or give --force/);
      await ok(['backup', '--force', file], env);

      // This test process plays the running `roller start`: it holds the lock.
      const lock = lockDataDir(env.ROLLER_DATA_DIR);
      try {
        const busy = new RegExp(`refused: Roller \\(pid ${process.pid} .*stop Roller`);
        await refused(['backup', join(root, 'other.backup')], env, busy);
        expect(existsSync(join(root, 'other.backup'))).toBe(false);
        await refused(['restore', '--force', file], env, busy);
      } finally {
        lock.release();
      }

      const nowhere = { ROLLER_DATA_DIR: join(root, 'missing') };
      await refused(['backup', join(root, 'x.backup')], nowhere, /there is no embedded database in/);
      expect(existsSync(nowhere.ROLLER_DATA_DIR), 'backup does not create a data dir').toBe(false);
    },
    SLOW_TEST_MS,
  );
});

const postgresReason = POSTGRES.unavailable;
describe.skipIf(postgresReason !== undefined && !IN_CI)(
  `roller backup / restore on PostgreSQL${postgresReason && !IN_CI ? ` (skipped: ${postgresReason})` : ''}`,
  () => {
    const created: string[] = [];
    afterAll(async () => {
      for (const name of created) await dropPostgresDatabase(name);
    });

    /** A new empty database of this test run (dropped at the end, or by the global teardown). */
    const newDatabase = async (): Promise<string> => {
      const name = `${inject('postgresRunPrefix')}bk_${randomBytes(4).toString('hex')}`;
      const admin = new pg.Client({ connectionString: TEST_DATABASE_URL });
      await admin.connect();
      try {
        await admin.query(`CREATE DATABASE ${name}`);
      } finally {
        await admin.end();
      }
      created.push(name);
      return databaseUrlFor(name);
    };

    const contentsOf = async (url: string): Promise<Record<string, string[]>> => {
      const database = await openPostgres({ url, poolSize: 1, description: 'test' });
      try {
        return await tableContents(database.db);
      } finally {
        await database.close();
      }
    };

    it(
      'round-trips seeded data into a fresh database, row for row, and replaces data only with --force',
      async () => {
        const root = makeTempDir('roller-backup-pg-');
        const source = { DATABASE_URL: await newDatabase() };
        const target = { DATABASE_URL: await newDatabase() };
        const file = join(root, 'roller.backup');
        await ok(['seed'], source);
        await ok(['backup', file], source);
        const header = readBackupHeader(file);
        expect(header.manifest).toMatchObject({ backend: 'postgres', payload: 'pg_dump-plain', schemaVersion: LATEST });
        // The payload is a plain pg_dump script: the whole file stays a psql script.
        expect(readFileSync(file, 'utf8')).toContain('PostgreSQL database dump complete');

        await ok(['restore', file], target);
        const before = await contentsOf(source.DATABASE_URL);
        expectSeeded(before);
        const after = await contentsOf(target.DATABASE_URL);
        expect(Object.keys(after)).toEqual(Object.keys(before));
        for (const table of Object.keys(before)) expect(after[table], table).toEqual(before[table]);

        // The source still holds its data: refused without --force, replaced with it.
        await refused(['restore', file], source, /already holds data \(.*devices.*\).*--force/);
        await ok(['restore', '--force', file], source);
        expect(await contentsOf(source.DATABASE_URL)).toEqual(before);
      },
      SLOW_TEST_MS,
    );

    it(
      'leaves the database exactly as it was when the restore fails half-way or Roller is connected',
      async () => {
        const root = makeTempDir('roller-restore-pg-');
        const env = { DATABASE_URL: await newDatabase() };
        const file = join(root, 'roller.backup');
        await ok(['seed'], env);
        await ok(['backup', file], env);
        const before = await contentsOf(env.DATABASE_URL);

        // A statement that fails after the tables were dropped and refilled: the transaction must roll back.
        const failing = join(root, 'failing.backup');
        rewritePayload(file, failing, (payload) => {
          const text = payload.toString('utf8');
          const end = text.lastIndexOf('-- PostgreSQL database dump complete');
          return Buffer.from(`${text.slice(0, end)}SELECT 1 / 0;\n${text.slice(end)}`);
        });
        const result = await refused(
          ['restore', '--force', failing],
          env,
          /psql failed .*rolled back.*division by zero/s,
        );
        expect(result.stdout).toBe('');
        expect(await contentsOf(env.DATABASE_URL)).toEqual(before);

        // A running core or worker connects as application_name "roller".
        const running = new pg.Client({ connectionString: env.DATABASE_URL, application_name: 'roller' });
        await running.connect();
        try {
          await refused(['restore', '--force', file], env, /Roller is connected to this database \(pid \d+ roller/);
        } finally {
          await running.end();
        }
        expect(await contentsOf(env.DATABASE_URL)).toEqual(before);
      },
      SLOW_TEST_MS,
    );
  },
);
