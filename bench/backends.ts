import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { pgTimestampToRfc3339 } from '../src/shared/timestamps.ts';
import { type Database, openPglite, openPostgres } from '../src/storage/database.ts';
import { Migrator } from '../src/storage/migrator.ts';
import type { BackendName, BenchOptions } from './options.ts';

/** The reference path: one statement through the backend's own driver, no Kysely, no HTTP. */
export interface DirectDriver {
  query(text: string, params: readonly unknown[]): Promise<Record<string, unknown>[]>;
}

export interface BenchDatabase {
  backend: BackendName;
  database: Database;
  direct: DirectDriver;
  /** Where the data lives, for the report. */
  location: string;
  /** Server processes serving this database's connections (none for the in-process PGlite). */
  backendPids(): Promise<number[]>;
  dispose(): Promise<void>;
}

const TIMESTAMPTZ_OID = 1184;
const INT8_OID = 20;

/**
 * The direct path decodes rows the way Roller's pool does (database.ts): timestamps as exact RFC 3339
 * strings, bigint as number. Otherwise the reference would skip work the API has to do.
 */
const pgTypes: pg.CustomTypesConfig = {
  getTypeParser: ((oid: number, format?: 'text' | 'binary') => {
    if (oid === TIMESTAMPTZ_OID) return (value: string) => pgTimestampToRfc3339(value);
    if (oid === INT8_OID) return (value: string) => Number(value);
    return pg.types.getTypeParser(oid, format);
  }) as pg.CustomTypesConfig['getTypeParser'],
};

/** undefined when PostgreSQL answers at the admin URL; otherwise why the backend is skipped. */
export async function postgresUnavailable(options: BenchOptions): Promise<string | undefined> {
  const client = new pg.Client({ connectionString: options.postgresUrl, connectionTimeoutMillis: 3000 });
  try {
    await client.connect();
    await client.query('SELECT 1');
    return undefined;
  } catch (error) {
    return `PostgreSQL at ${redact(options.postgresUrl)} is unreachable: ${(error as Error).message}`;
  } finally {
    await client.end().catch(() => {});
  }
}

export function openBenchDatabase(backend: BackendName, options: BenchOptions): Promise<BenchDatabase> {
  return backend === 'pglite' ? openPgliteBench() : openPostgresBench(options);
}

async function openPgliteBench(): Promise<BenchDatabase> {
  const dir = mkdtempSync(join(tmpdir(), 'roller-bench-'));
  try {
    const database = await openPglite({ dataDir: dir });
    await new Migrator(database).up();
    const pglite = database.pglite;
    if (!pglite) throw new Error('openPglite returned no PGlite engine');
    const parsers = { [TIMESTAMPTZ_OID]: pgTimestampToRfc3339, [INT8_OID]: Number };
    return {
      backend: 'pglite',
      database,
      location: dir,
      backendPids: async () => [],
      direct: {
        async query(text, params) {
          const result = await pglite.query<Record<string, unknown>>(text, [...params], { parsers });
          return result.rows;
        },
      },
      async dispose() {
        try {
          await database.close();
        } finally {
          rmSync(dir, { recursive: true, force: true });
        }
      },
    };
  } catch (error) {
    rmSync(dir, { recursive: true, force: true });
    throw error;
  }
}

async function openPostgresBench(options: BenchOptions): Promise<BenchDatabase> {
  const name = `roller_bench_${randomBytes(5).toString('hex')}`;
  await admin(options, `CREATE DATABASE ${name}`);
  const url = new URL(options.postgresUrl);
  url.pathname = `/${name}`;
  let database: Database | undefined;
  let pool: pg.Pool | undefined;
  try {
    database = await openPostgres({ url: url.toString(), poolSize: options.poolSize, description: name });
    await new Migrator(database).up();
    // Same size and session settings as the API's pool, so both sides get the same parallelism.
    pool = new pg.Pool({
      connectionString: url.toString(),
      max: options.poolSize,
      types: pgTypes,
      options: '-c TimeZone=UTC -c jit=off',
    });
    // Dropping the database at the end terminates idle connections; that must not crash the bench.
    pool.on('error', () => {});
    const directPool = pool;
    const opened = database;
    return {
      backend: 'postgres',
      database: opened,
      location: `${name} on ${url.host}`,
      async backendPids() {
        const { rows } = await directPool.query<{ pid: number }>(
          'SELECT pid FROM pg_stat_activity WHERE datname = current_database()',
        );
        return rows.map((row) => row.pid);
      },
      direct: {
        async query(text, params) {
          const result = await directPool.query<Record<string, unknown>>(text, [...params]);
          return result.rows;
        },
      },
      async dispose() {
        try {
          await opened.close();
          await directPool.end();
        } finally {
          await admin(options, `DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
        }
      },
    };
  } catch (error) {
    await database?.close().catch(() => {});
    await pool?.end().catch(() => {});
    await admin(options, `DROP DATABASE IF EXISTS ${name} WITH (FORCE)`).catch(() => {});
    throw error;
  }
}

async function admin(options: BenchOptions, statement: string): Promise<void> {
  const client = new pg.Client({ connectionString: options.postgresUrl, connectionTimeoutMillis: 3000 });
  await client.connect();
  try {
    await client.query(statement);
  } finally {
    await client.end();
  }
}

/** The URL without its password, for logs and the results file. */
export function redact(url: string): string {
  const parsed = new URL(url);
  if (parsed.password) parsed.password = '***';
  return parsed.toString();
}
