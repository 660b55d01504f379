import { existsSync, readdirSync, renameSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { pg_trgm } from '@electric-sql/pglite/contrib/pg_trgm';
import { createPgConfig } from '@electric-sql/pglite/node-postgres';
import { Kysely, PostgresDialect, sql } from 'kysely';
import pg from 'pg';
import { lockDataDir } from '../data-dir-lock.ts';
import type { Database } from '../database.ts';
import { rowCounts, tablesWithData } from './table-contents.ts';

/**
 * Backup and restore of the embedded database. PGlite keeps its cluster in ROLLER_DATA_DIR/pglite
 * and only one process may have it open (a second opener's writes are silently lost), so both
 * sides work only while they hold the data-directory lock: a running `roller start` holds it, and
 * then backup and restore refuse with the owner's pid instead of copying a directory in motion.
 */

/** The data directory as PGlite's gzip tarball, after a checkpoint, taken while nothing else writes. */
export async function dumpEmbedded(database: Database): Promise<Buffer> {
  if (!database.pglite) throw new Error('not an embedded database');
  // Every change is in the data files, not only in the WAL, before the files are copied.
  await database.pglite.exec('CHECKPOINT');
  const tarball = await database.pglite.dumpDataDir('gzip');
  return Buffer.from(await tarball.arrayBuffer());
}

export class RestoreRefusedError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'RestoreRefusedError';
  }
}

interface RawPglite {
  // biome-ignore lint/suspicious/noExplicitAny: catalogue queries only
  db: Kysely<any>;
  close(): Promise<void>;
}

/** PGlite on a directory this process already holds the lock for (openPglite would take it again). */
async function openLocked(dir: string, tarball?: Buffer): Promise<RawPglite> {
  const pglite = await PGlite.create({
    dataDir: dir,
    ...(tarball ? { loadDataDir: new Blob([new Uint8Array(tarball)]) } : {}),
    extensions: { pg_trgm },
  });
  const db = new Kysely({
    dialect: new PostgresDialect({ pool: new pg.Pool(createPgConfig(pglite) as pg.PoolConfig) }),
  });
  return {
    db,
    async close() {
      await db.destroy();
      await pglite.close();
    },
  };
}

// biome-ignore lint/suspicious/noExplicitAny: catalogue queries only
async function schemaVersion(db: Kysely<any>): Promise<{ version: number | null; dirty: boolean }> {
  const { rows: present } = await sql<{ present: boolean }>`
    SELECT to_regclass('schema_migrations') IS NOT NULL AS present`.execute(db);
  if (!present[0]?.present) return { version: null, dirty: false };
  const { rows } = await sql<{ version: string | number; dirty: boolean }>`
    SELECT version, dirty FROM schema_migrations LIMIT 1`.execute(db);
  return rows[0] ? { version: Number(rows[0].version), dirty: rows[0].dirty } : { version: null, dirty: false };
}

export interface EmbeddedRestoreOptions {
  dataDir: string;
  tarball: Buffer;
  /** The manifest's schema version: the unpacked cluster must say the same. */
  expectedSchemaVersion: number;
  /** Replace a database that holds data. */
  force: boolean;
}

export interface EmbeddedRestoreResult {
  /** Tables that held data before and were replaced (empty when the target was empty). */
  replacedTables: string[];
  rowCounts: Record<string, number>;
}

/**
 * Unpacks the tarball into a staging directory next to the live one, checks it opens and holds the
 * expected schema, and only then swaps the two directories with renames. A failure before the swap
 * leaves the live database untouched; the swap itself is two renames in one directory.
 */
export async function restoreEmbedded(options: EmbeddedRestoreOptions): Promise<EmbeddedRestoreResult> {
  const root = resolve(options.dataDir);
  const lock = lockDataDir(root);
  const live = join(root, 'pglite');
  const staging = join(root, `pglite.restoring-${process.pid}`);
  const previous = join(root, `pglite.replaced-${process.pid}`);
  try {
    const interrupted = readdirSync(root).filter((name) => name.startsWith('pglite.replaced-'));
    if (interrupted.length > 0) {
      throw new RestoreRefusedError(
        `an earlier restore was interrupted: ${join(root, interrupted[0] as string)} holds the database it was replacing. ` +
          `If ${live} is missing or empty, move that directory back to ${live}; otherwise delete it. Then run restore again`,
      );
    }
    for (const name of readdirSync(root)) {
      // Staging left by a restore that died: never swapped in, safe to drop.
      if (name.startsWith('pglite.restoring-')) rmSync(join(root, name), { recursive: true, force: true });
    }
    let replacedTables: string[] = [];
    if (existsSync(join(live, 'PG_VERSION'))) {
      const existing = await openLocked(live);
      try {
        replacedTables = await tablesWithData(existing.db);
      } finally {
        await existing.close();
      }
      if (replacedTables.length > 0 && !options.force) {
        throw new RestoreRefusedError(
          `the embedded database in ${live} already holds data (${replacedTables.join(', ')}): ` +
            'restore refuses to overwrite it; take a backup of it first, then run restore again with --force to replace it',
        );
      }
    }
    rmSync(staging, { recursive: true, force: true });
    let counts: Record<string, number>;
    const restored = await openLocked(staging, options.tarball);
    try {
      const state = await schemaVersion(restored.db);
      if (state.version !== options.expectedSchemaVersion || state.dirty) {
        throw new RestoreRefusedError(
          `the backup's database is at schema version ${state.version ?? 'none'}${state.dirty ? ' (dirty)' : ''}, ` +
            `but its header says ${options.expectedSchemaVersion}: the file is not a consistent Roller backup`,
        );
      }
      counts = await rowCounts(restored.db);
    } finally {
      await restored.close();
    }
    rmSync(previous, { recursive: true, force: true });
    if (existsSync(live)) renameSync(live, previous);
    renameSync(staging, live);
    rmSync(previous, { recursive: true, force: true });
    return { replacedTables, rowCounts: counts };
  } catch (error) {
    rmSync(staging, { recursive: true, force: true });
    // Put the old database back if the second rename failed.
    if (!existsSync(live) && existsSync(previous)) renameSync(previous, live);
    throw error;
  } finally {
    lock.release();
  }
}
