import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import type { TestProject } from 'vitest/node';
import { openPglite, openPostgres } from '../src/storage/database.ts';
import { Migrator } from '../src/storage/migrator.ts';
import { databaseUrlFor, IN_CI, TEST_DATABASE_URL } from './support/test-env.ts';

declare module 'vitest' {
  export interface ProvidedContext {
    /** A migrated PGlite data directory as a dumpDataDir() tarball; tests clone it (~0.5 s instead of ~6 s). */
    pgliteTemplate: string;
    /** Name of a migrated PostgreSQL template database, or null with the reason PostgreSQL is unavailable. */
    postgresTemplate: string | null;
    postgresUnavailableReason: string | null;
    /** Prefix of every database this test run creates, so teardown never touches another run's. */
    postgresRunPrefix: string;
  }
}

/** Builds the migrated templates once per test run and removes them afterwards. */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  // The end-to-end tests serve the built web app; build it once here (skipped when up to date).
  const build = spawnSync(process.execPath, [fileURLToPath(new URL('../scripts/build-web.mjs', import.meta.url))], {
    encoding: 'utf8',
  });
  if (build.status !== 0) throw new Error(`building the web app failed:\n${build.stderr}`);
  const workDir = mkdtempSync(join(tmpdir(), 'roller-test-'));
  const lite = await openPglite({});
  await new Migrator(lite).up();
  const dump = await lite.pglite?.dumpDataDir('none');
  await lite.close();
  if (!dump) throw new Error('PGlite did not produce a data dump');
  const templatePath = join(workDir, 'pglite-template.tar');
  writeFileSync(templatePath, Buffer.from(await dump.arrayBuffer()));
  project.provide('pgliteTemplate', templatePath);

  const runPrefix = `roller_t_${randomBytes(3).toString('hex')}_`;
  project.provide('postgresRunPrefix', runPrefix);
  let postgresTemplate: string | null = null;
  let reason: string | null = null;
  const admin = new pg.Client({ connectionString: TEST_DATABASE_URL, connectionTimeoutMillis: 3000 });
  try {
    await admin.connect();
    postgresTemplate = `${runPrefix}tpl`;
    await admin.query(`CREATE DATABASE ${postgresTemplate}`);
    const database = await openPostgres({
      url: databaseUrlFor(postgresTemplate),
      poolSize: 1,
      description: 'template',
    });
    await new Migrator(database).up();
    await database.close();
  } catch (error) {
    reason = `PostgreSQL at ${TEST_DATABASE_URL.replace(/:[^:@/]+@/, ':***@')} is not usable: ${(error as Error).message}`;
    postgresTemplate = null;
    if (IN_CI) throw new Error(`CI=true requires PostgreSQL for the test suite. ${reason}`);
    process.stderr.write(`\n[roller tests] PostgreSQL suites will be skipped: ${reason}\n`);
  }
  project.provide('postgresTemplate', postgresTemplate);
  project.provide('postgresUnavailableReason', reason);

  return async () => {
    rmSync(workDir, { recursive: true, force: true });
    if (postgresTemplate) {
      // Drop this run's template and every database it created that a crashed worker left behind.
      const { rows } = await admin.query<{ datname: string }>(
        'SELECT datname FROM pg_database WHERE starts_with(datname, $1)',
        [runPrefix],
      );
      for (const row of rows) await admin.query(`DROP DATABASE IF EXISTS ${row.datname} WITH (FORCE)`);
    }
    await admin.end().catch(() => {});
  };
}
