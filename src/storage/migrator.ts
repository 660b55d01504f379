import { readdirSync, readFileSync } from 'node:fs';
import { crc32 } from 'node:zlib';
import { type Kysely, sql } from 'kysely';
import type { Database } from './database.ts';
import type { Schema } from './schema.ts';

/**
 * A golang-migrate compatible migrator: the same file layout (`NNN_name.up.sql`/`.down.sql`), the
 * same bookkeeping table (`schema_migrations(version bigint primary key, dirty boolean not null)`
 * holding one row) and the same advisory lock id, so the external `migrate` CLI can take over a
 * Roller database and the two never run at once.
 */
export interface Migration {
  version: number;
  name: string;
  up: string;
  down: string;
}

export interface MigrationState {
  /** null = no migration applied (empty bookkeeping table). */
  version: number | null;
  dirty: boolean;
}

export interface MigrationEvent {
  direction: 'up' | 'down';
  version: number;
  name: string;
  durationMs: number;
}

export const MIGRATIONS_DIR = new URL('./migrations/', import.meta.url);

export function loadMigrations(dir: URL = MIGRATIONS_DIR): Migration[] {
  const files = readdirSync(dir).filter((file) => file.endsWith('.sql'));
  const byVersion = new Map<number, Partial<Migration> & { files: string[] }>();
  for (const file of files) {
    const match = /^(\d+)_([a-z0-9_]+)\.(up|down)\.sql$/.exec(file);
    if (!match) throw new Error(`migration file ${file} does not match NNN_name.up.sql / NNN_name.down.sql`);
    const version = Number(match[1]);
    const entry = byVersion.get(version) ?? { version, name: match[2], files: [] };
    if (entry.name !== match[2]) throw new Error(`migration ${version} has two names: ${entry.name}, ${match[2]}`);
    entry[match[3] as 'up' | 'down'] = readFileSync(new URL(file, dir), 'utf8');
    entry.files.push(file);
    byVersion.set(version, entry);
  }
  const migrations = [...byVersion.values()].sort((a, b) => (a.version ?? 0) - (b.version ?? 0));
  migrations.forEach((migration, index) => {
    if (migration.version !== index + 1) {
      throw new Error(
        `migrations must be numbered 1, 2, 3… without gaps; found ${migration.version} at position ${index + 1}`,
      );
    }
    if (migration.up === undefined || migration.down === undefined) {
      throw new Error(`migration ${migration.version}_${migration.name} needs both an .up.sql and a .down.sql file`);
    }
  });
  return migrations as Migration[];
}

export class DirtySchemaError extends Error {
  constructor(readonly version: number) {
    const up = version - 1 > 0 ? String(version - 1) : '-1';
    super(
      `the database schema is dirty at version ${version}: a migration to or from that version failed part-way. ` +
        'Roller runs each migration file in a transaction, so none of it took effect (check the log of the failed run ' +
        'for the cause). If it was `migrate up`, run `roller migrate force ' +
        up +
        '`; if it was `migrate down`, run `roller migrate force ' +
        String(version + 1) +
        '`. Then start again.',
    );
    this.name = 'DirtySchemaError';
  }
}

type Connection = Kysely<Schema>;

export class Migrator {
  readonly migrations: readonly Migration[];

  constructor(
    private readonly database: Database,
    migrations: readonly Migration[] = loadMigrations(),
  ) {
    this.migrations = migrations;
  }

  get latestVersion(): number {
    return this.migrations.at(-1)?.version ?? 0;
  }

  async state(): Promise<MigrationState> {
    return this.withConnection(false, (conn) => readState(conn));
  }

  /** Applies up to `steps` pending migrations (all by default). */
  async up(steps = Number.POSITIVE_INFINITY, onEvent?: (event: MigrationEvent) => void): Promise<MigrationEvent[]> {
    return this.withConnection(true, async (conn) => {
      const state = await readState(conn);
      if (state.dirty) throw new DirtySchemaError(state.version ?? -1);
      const current = state.version ?? 0;
      if (current > this.latestVersion) {
        throw new Error(
          `the database is at schema version ${current}, newer than this Roller build knows (${this.latestVersion}); upgrade Roller`,
        );
      }
      const pending = this.migrations.filter((migration) => migration.version > current).slice(0, steps);
      const events: MigrationEvent[] = [];
      for (const migration of pending) {
        const event = await applyStep(conn, migration, 'up', migration.version);
        events.push(event);
        onEvent?.(event);
      }
      return events;
    });
  }

  /** Reverts `steps` applied migrations (newest first). */
  async down(steps: number, onEvent?: (event: MigrationEvent) => void): Promise<MigrationEvent[]> {
    return this.withConnection(true, async (conn) => {
      const state = await readState(conn);
      if (state.dirty) throw new DirtySchemaError(state.version ?? -1);
      const current = state.version ?? 0;
      const applied = this.migrations
        .filter((migration) => migration.version <= current)
        .reverse()
        .slice(0, steps);
      const events: MigrationEvent[] = [];
      for (const migration of applied) {
        const event = await applyStep(conn, migration, 'down', migration.version - 1);
        events.push(event);
        onEvent?.(event);
      }
      return events;
    });
  }

  /** Sets the version without running anything and clears the dirty flag (golang-migrate `force`). */
  async force(version: number): Promise<void> {
    if (!Number.isInteger(version) || version < -1)
      throw new Error('force takes a version number ≥ 0 (or -1 for none)');
    await this.withConnection(true, async (conn) => {
      await sql`BEGIN`.execute(conn);
      try {
        await writeState(conn, version <= 0 ? null : version, false);
        await sql`COMMIT`.execute(conn);
      } catch (error) {
        await sql`ROLLBACK`.execute(conn);
        throw error;
      }
    });
  }

  /**
   * Exclusive work takes golang-migrate's advisory lock first and only then touches the
   * bookkeeping table: two processes migrating an empty database at once must not race on
   * CREATE TABLE. Read-only work (`state`, used by /readyz) never creates anything.
   */
  private async withConnection<T>(exclusive: boolean, work: (conn: Connection) => Promise<T>): Promise<T> {
    return this.database.db.connection().execute(async (conn) => {
      if (!exclusive) return work(conn);
      const lockId = await advisoryLockId(conn);
      await sql`SELECT pg_advisory_lock(${lockId}::bigint)`.execute(conn);
      try {
        await ensureTable(conn);
        return await work(conn);
      } finally {
        await sql`SELECT pg_advisory_unlock(${lockId}::bigint)`.execute(conn);
      }
    });
  }
}

async function ensureTable(conn: Connection): Promise<void> {
  await sql`CREATE TABLE IF NOT EXISTS schema_migrations (version bigint NOT NULL PRIMARY KEY, dirty boolean NOT NULL)`.execute(
    conn,
  );
}

async function readState(conn: Connection): Promise<MigrationState> {
  const exists = await sql<{
    present: boolean;
  }>`SELECT to_regclass('schema_migrations') IS NOT NULL AS present`.execute(conn);
  if (!exists.rows[0]?.present) return { version: null, dirty: false };
  const { rows } = await sql<{
    version: number;
    dirty: boolean;
  }>`SELECT version, dirty FROM schema_migrations LIMIT 1`.execute(conn);
  const row = rows[0];
  return row ? { version: Number(row.version), dirty: row.dirty } : { version: null, dirty: false };
}

/** golang-migrate keeps exactly one row; "no version" is an empty table. */
async function writeState(conn: Connection, version: number | null, dirty: boolean): Promise<void> {
  await sql`TRUNCATE schema_migrations`.execute(conn);
  if (version !== null)
    await sql`INSERT INTO schema_migrations (version, dirty) VALUES (${version}, ${dirty})`.execute(conn);
}

/**
 * Like golang-migrate: mark the target version dirty, run the file, mark it clean. The file itself
 * runs in a transaction, so a failure rolls its changes back and leaves only the dirty mark, which
 * stops every later start until an operator looks.
 */
async function applyStep(
  conn: Connection,
  migration: Migration,
  direction: 'up' | 'down',
  resultingVersion: number,
): Promise<MigrationEvent> {
  const started = performance.now();
  // golang-migrate marks the version it is moving to; "no version" while dirty is stored as -1.
  const markVersion = direction === 'up' ? migration.version : resultingVersion > 0 ? resultingVersion : -1;
  await writeState(conn, markVersion, true);
  await sql`BEGIN`.execute(conn);
  try {
    await sql.raw(direction === 'up' ? migration.up : migration.down).execute(conn);
    await writeState(conn, resultingVersion <= 0 ? null : resultingVersion, false);
    await sql`COMMIT`.execute(conn);
  } catch (error) {
    await sql`ROLLBACK`.execute(conn);
    throw new Error(
      `migration ${migration.version}_${migration.name} (${direction}) failed: ${(error as Error).message}`,
      {
        cause: error,
      },
    );
  }
  return { direction, version: migration.version, name: migration.name, durationMs: performance.now() - started };
}

/** golang-migrate's lock id: crc32(schema \0 table \0 database) × salt, as an unsigned 32-bit value. */
async function advisoryLockId(conn: Connection): Promise<string> {
  const { rows } = await sql<{ schema: string; database: string }>`
    SELECT current_schema() AS schema, current_database() AS database`.execute(conn);
  const row = rows[0] ?? { schema: 'public', database: 'postgres' };
  const sum = crc32(Buffer.from(`${row.schema}\u0000schema_migrations\u0000${row.database}`, 'utf8'));
  return String(Math.imul(sum, 1486364155) >>> 0);
}
