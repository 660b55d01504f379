import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { pg_trgm } from '@electric-sql/pglite/contrib/pg_trgm';
import { createPgConfig } from '@electric-sql/pglite/node-postgres';
import { Kysely, PostgresDialect, sql } from 'kysely';
import pg from 'pg';
import { pgTimestampToRfc3339 } from '../shared/timestamps.ts';
import { type DataDirLock, lockDataDir } from './data-dir-lock.ts';
import type { Schema } from './schema.ts';

export type DatabaseKind = 'pglite' | 'postgres';

/** The one database handle every repository receives; both backends share the query code path. */
export interface Database {
  readonly kind: DatabaseKind;
  readonly db: Kysely<Schema>;
  /** Human description for logs (never contains a password). */
  readonly description: string;
  /** The embedded engine, when there is one (backups, LISTEN). */
  readonly pglite: PGlite | undefined;
  ping(timeoutMs: number): Promise<void>;
  /**
   * Calls `onNotify` for every NOTIFY on `channel` until the returned function is called. On
   * PostgreSQL this holds one dedicated connection (reconnecting after errors); PGlite delivers
   * notifications in-process.
   */
  listen(channel: string, onNotify: (payload: string) => void): Promise<() => Promise<void>>;
  close(): Promise<void>;
}

const OID = { int8: 20, timestamptz: 1184 } as const;

/** pg type parsers: timestamps stay exact (µs) as RFC 3339 strings, bigint becomes number. */
function typeParsers(): pg.CustomTypesConfig {
  return {
    getTypeParser: ((oid: number, format?: 'text' | 'binary') => {
      if (oid === OID.timestamptz) return (value: string) => pgTimestampToRfc3339(value);
      if (oid === OID.int8) return (value: string) => Number(value);
      return pg.types.getTypeParser(oid, format);
    }) as pg.CustomTypesConfig['getTypeParser'],
  };
}

export interface PostgresOptions {
  url: string;
  poolSize: number;
  /** Shown in logs; the caller redacts the password. */
  description: string;
}

export async function openPostgres(options: PostgresOptions): Promise<Database> {
  const pool = new pg.Pool({
    connectionString: options.url,
    max: options.poolSize,
    types: typeParsers(),
    // JIT compilation costs seconds on the fold's summary UPDATE and never pays off for Roller's
    // short OLTP statements.
    options: '-c TimeZone=UTC -c jit=off',
    connectionTimeoutMillis: 5000,
    application_name: 'roller',
  });
  // An idle client that loses its server emits 'error' on the pool; without a listener that would
  // crash the process. The next query reconnects.
  pool.on('error', () => {});
  const db = new Kysely<Schema>({ dialect: new PostgresDialect({ pool }) });
  const database: Database = {
    kind: 'postgres',
    db,
    description: options.description,
    pglite: undefined,
    ping: (timeoutMs) => pingWith(db, timeoutMs),
    listen: (channel, onNotify) => listenPostgres(options.url, channel, onNotify),
    close: () => db.destroy(),
  };
  await database.ping(5000);
  return database;
}

export interface PgliteOptions {
  /** Directory to persist in; undefined = in memory. */
  dataDir?: string;
  /** A `dumpDataDir()` tarball to start from (tests clone a migrated template this way). */
  loadDataDir?: Blob;
}

export async function openPglite(options: PgliteOptions): Promise<Database> {
  let lock: DataDirLock | undefined;
  let pgliteDir: string | undefined;
  if (options.dataDir !== undefined) {
    const dataDir = resolve(options.dataDir);
    lock = lockDataDir(dataDir);
    pgliteDir = join(dataDir, 'pglite');
    mkdirSync(pgliteDir, { recursive: true });
  }
  try {
    const pglite = await PGlite.create({
      ...(pgliteDir ? { dataDir: pgliteDir } : {}),
      ...(options.loadDataDir ? { loadDataDir: options.loadDataDir } : {}),
      extensions: { pg_trgm },
    });
    // One session for the whole process, so a session setting holds for every query.
    await pglite.exec(`SET TIME ZONE 'UTC'`);
    const pool = new pg.Pool({ ...createPgConfig(pglite), types: typeParsers() } as pg.PoolConfig);
    const db = new Kysely<Schema>({ dialect: new PostgresDialect({ pool }) });
    return {
      kind: 'pglite',
      db,
      description: pgliteDir ? `embedded PGlite in ${pgliteDir}` : 'embedded PGlite in memory',
      pglite,
      ping: (timeoutMs) => pingWith(db, timeoutMs),
      async listen(channel, onNotify) {
        const unsubscribe = await pglite.listen(channel, onNotify);
        return async () => unsubscribe();
      },
      async close() {
        try {
          await db.destroy();
          await pglite.close();
        } finally {
          lock?.release();
        }
      },
    };
  } catch (error) {
    lock?.release();
    throw error;
  }
}

async function pingWith(db: Kysely<Schema>, timeoutMs: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`database did not answer within ${timeoutMs}ms`)), timeoutMs);
  });
  try {
    await Promise.race([sql`SELECT 1`.execute(db), timeout]);
  } finally {
    clearTimeout(timer);
  }
}

const LISTEN_RETRY_MS = 1000;

/** A dedicated LISTEN connection that comes back after the server drops it. */
async function listenPostgres(
  url: string,
  channel: string,
  onNotify: (payload: string) => void,
): Promise<() => Promise<void>> {
  let client: pg.Client | undefined;
  let stopped = false;
  let retry: NodeJS.Timeout | undefined;
  // Missed notifications are harmless: workers also poll. This only restores the fast path.
  const reconnectLater = (): void => {
    if (!stopped) retry = setTimeout(() => connect().catch(reconnectLater), LISTEN_RETRY_MS);
  };
  const connect = async (): Promise<void> => {
    const next = new pg.Client({ connectionString: url, application_name: 'roller-listen' });
    next.on('notification', (message) => {
      if (message.channel === channel) onNotify(message.payload ?? '');
    });
    next.on('error', () => {
      next.end().catch(() => {});
      reconnectLater();
    });
    await next.connect();
    await next.query(`LISTEN ${pg.escapeIdentifier(channel)}`);
    if (stopped) await next.end();
    else client = next;
  };
  await connect();
  return async () => {
    stopped = true;
    clearTimeout(retry);
    await client?.end().catch(() => {});
  };
}
