import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Config } from '../config/config.ts';
import { DataDirLockedError } from '../storage/data-dir-lock.ts';
import type { Database } from '../storage/database.ts';
import { openConfiguredDatabase } from './open-storage.ts';

/** Where the embedded cluster lives; a backup or doctor must never create it by opening it. */
export function embeddedDatabaseExists(dataDir: string): boolean {
  return existsSync(join(resolve(dataDir), 'pglite', 'PG_VERSION'));
}

/** The lock error, said for an operator who wanted a backup or restore. */
export function runningRollerError(error: DataDirLockedError, what: string): Error {
  return new Error(
    `${what} refused: Roller (pid ${error.owner.pid} on ${error.owner.host}) has the embedded database in ${error.dataDir} open. ` +
      'PGlite allows one process per data directory, and copying it while it runs could capture half-written state: ' +
      'stop Roller, run the command, start Roller again',
  );
}

/** Opens the configured database for an operation that needs an existing one. */
export async function openExisting(config: Config, what: string): Promise<Database> {
  if (!config.databaseUrl && !embeddedDatabaseExists(config.dataDir)) {
    throw new Error(
      `there is no embedded database in ${resolve(config.dataDir)} (ROLLER_DATA_DIR) to ${what}; ` +
        'set ROLLER_DATA_DIR to the data directory Roller uses, or DATABASE_URL for PostgreSQL',
    );
  }
  try {
    return await openConfiguredDatabase(config);
  } catch (error) {
    if (error instanceof DataDirLockedError) throw runningRollerError(error, what);
    throw error;
  }
}
