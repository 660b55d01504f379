import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import pg from 'pg';
import { describe, inject } from 'vitest';
import { type Database, type DatabaseKind, openPglite, openPostgres } from '../../src/storage/database.ts';
import { databaseUrlFor, IN_CI, TEST_DATABASE_URL } from './test-env.ts';

export interface TestDatabase {
  database: Database;
  /** Connection URL when the backend is PostgreSQL (for child processes). */
  url: string | undefined;
  dispose(): Promise<void>;
}

export interface Backend {
  kind: DatabaseKind;
  /** Why the backend cannot run here, or undefined when it can. */
  unavailable: string | undefined;
  /** A fresh, migrated, empty database of this backend. */
  fresh(): Promise<TestDatabase>;
  /** A fresh database with no schema at all (migration tests). */
  empty(): Promise<TestDatabase>;
}

const pglite: Backend = {
  kind: 'pglite',
  unavailable: undefined,
  async fresh() {
    const tarball = readFileSync(inject('pgliteTemplate'));
    const database = await openPglite({ loadDataDir: new Blob([tarball]) });
    return { database, url: undefined, dispose: () => database.close() };
  },
  async empty() {
    const database = await openPglite({});
    return { database, url: undefined, dispose: () => database.close() };
  },
};

async function createPostgresDatabase(template: string | null): Promise<TestDatabase> {
  const name = `${inject('postgresRunPrefix')}${randomBytes(5).toString('hex')}`;
  const admin = new pg.Client({ connectionString: TEST_DATABASE_URL });
  await admin.connect();
  try {
    await admin.query(template ? `CREATE DATABASE ${name} TEMPLATE ${template}` : `CREATE DATABASE ${name}`);
  } finally {
    await admin.end();
  }
  const url = databaseUrlFor(name);
  const database = await openPostgres({ url, poolSize: 5, description: name });
  return {
    database,
    url,
    async dispose() {
      await database.close();
      await dropPostgresDatabase(name);
    },
  };
}

export async function dropPostgresDatabase(name: string): Promise<void> {
  const admin = new pg.Client({ connectionString: TEST_DATABASE_URL });
  await admin.connect();
  try {
    await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
  } finally {
    await admin.end();
  }
}

const postgres: Backend = {
  kind: 'postgres',
  get unavailable() {
    return inject('postgresTemplate')
      ? undefined
      : (inject('postgresUnavailableReason') ?? 'PostgreSQL not configured');
  },
  fresh: () => createPostgresDatabase(inject('postgresTemplate')),
  empty: () => createPostgresDatabase(null),
};

export const BACKENDS: readonly Backend[] = [pglite, postgres];
export const POSTGRES = postgres;

/**
 * Runs a suite once per backend. A backend that is not available here is skipped with its reason
 * in the suite title; under CI=true the global setup has already failed the run instead.
 */
export function describeEachBackend(title: string, body: (backend: Backend) => void): void {
  for (const backend of BACKENDS) {
    const reason = backend.unavailable;
    const suiteTitle =
      reason && !IN_CI ? `${title} [${backend.kind}] (skipped: ${reason})` : `${title} [${backend.kind}]`;
    describe.skipIf(reason !== undefined && !IN_CI)(suiteTitle, () => body(backend));
  }
}
