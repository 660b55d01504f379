import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Command } from 'commander';
import { sql } from 'kysely';
import type { Config } from '../config/config.ts';
import {
  type BackupHeader,
  checkRestorable,
  describeBackend,
  payloadStream,
  readBackupHeader,
  verifyPayload,
} from '../storage/backup/backup-file.ts';
import { RestoreRefusedError, restoreEmbedded } from '../storage/backup/embedded-backup.ts';
import { dataRowTotal, rowCounts, tablesWithData } from '../storage/backup/table-contents.ts';
import { DataDirLockedError } from '../storage/data-dir-lock.ts';
import { loadMigrations, Migrator } from '../storage/migrator.ts';
import { runningRollerError } from './existing-database.ts';
import { openConfiguredDatabase } from './open-storage.ts';
import { CLEAR_PUBLIC_SCHEMA, psqlRestore, schemaVersionInDump } from './postgres-tools.ts';

type LoadConfig = () => Config;

interface RestoreOptions {
  force?: boolean;
}

interface RestoreOutcome {
  replacedTables: string[];
  rowCounts: Record<string, number>;
}

/** Header, payload digest, backend and schema version: all checked before anything is touched. */
async function validate(file: string, config: Config): Promise<BackupHeader> {
  const header = readBackupHeader(file);
  await verifyPayload(file, header);
  const latest = loadMigrations().at(-1)?.version ?? 0;
  checkRestorable(header.manifest, config.databaseUrl ? 'postgres' : 'pglite', latest);
  if (header.manifest.backend === 'postgres') {
    const inDump = await schemaVersionInDump(file, header.payloadOffset);
    if (inDump?.version !== header.manifest.schemaVersion) {
      throw new Error(
        `${file} is not consistent: its header says schema version ${header.manifest.schemaVersion}, ` +
          `its dump holds ${inDump ? inDump.version : 'no schema_migrations row'}`,
      );
    }
  }
  return header;
}

async function restoreEmbeddedFile(config: Config, file: string, header: BackupHeader, force: boolean) {
  const payload = readFileSync(file).subarray(header.payloadOffset);
  try {
    return await restoreEmbedded({
      dataDir: config.dataDir,
      tarball: payload,
      expectedSchemaVersion: header.manifest.schemaVersion,
      force,
    });
  } catch (error) {
    if (error instanceof DataDirLockedError) throw runningRollerError(error, 'restore');
    throw error;
  }
}

async function restorePostgres(
  config: Config,
  file: string,
  header: BackupHeader,
  force: boolean,
): Promise<RestoreOutcome> {
  const url = config.databaseUrl as string;
  const database = await openConfiguredDatabase(config);
  let replacedTables: string[];
  try {
    // A running core or worker would block the DROPs and then write into the restored data.
    const { rows: others } = await sql<{ pid: number; application_name: string; client: string | null }>`
      SELECT pid, application_name, host(client_addr) AS client FROM pg_stat_activity
       WHERE datname = current_database() AND pid <> pg_backend_pid() AND application_name LIKE 'roller%'`.execute(
      database.db,
    );
    if (others.length > 0) {
      const who = others.map(
        (row) => `pid ${row.pid} ${row.application_name}${row.client ? ` from ${row.client}` : ''}`,
      );
      throw new RestoreRefusedError(
        `Roller is connected to this database (${who.join('; ')}): stop every roller core, worker and start process first`,
      );
    }
    replacedTables = await tablesWithData(database.db);
    if (replacedTables.length > 0 && !force) {
      throw new RestoreRefusedError(
        `the PostgreSQL database already holds data (${replacedTables.join(', ')}): restore refuses to overwrite it; ` +
          'take a backup of it first, then run restore again with --force to replace it',
      );
    }
  } finally {
    await database.close();
  }
  await psqlRestore(url, CLEAR_PUBLIC_SCHEMA, payloadStream(file, header));
  const restored = await openConfiguredDatabase(config);
  try {
    const state = await new Migrator(restored).state();
    if (state.version !== header.manifest.schemaVersion) {
      throw new Error(
        `after the restore the schema is at version ${state.version ?? 'none'}, expected ${header.manifest.schemaVersion}`,
      );
    }
    return { replacedTables, rowCounts: await rowCounts(restored.db) };
  } finally {
    await restored.close();
  }
}

/**
 * `roller restore <file> [--force]`: validates the file, refuses to replace a database that holds
 * data unless --force, and restores so that a failure leaves the old database as it was (a staging
 * directory swapped in by rename for PGlite, one psql transaction for PostgreSQL).
 */
export function registerRestoreCommand(program: Command, loadConfig: LoadConfig): void {
  program
    .command('restore <file>')
    .description('replace the database with a backup file written by roller backup (stop Roller first)')
    .option('--force', 'replace a database that already holds data')
    .action(async (target: string, options: RestoreOptions) => {
      const config = loadConfig();
      const file = resolve(target);
      const header = await validate(file, config);
      const force = options.force === true;
      const outcome =
        header.manifest.backend === 'pglite'
          ? await restoreEmbeddedFile(config, file, header, force)
          : await restorePostgres(config, file, header, force);
      const latest = loadMigrations().at(-1)?.version ?? 0;
      const lines = [
        `restored the ${describeBackend(header.manifest.backend)} from ${file} ` +
          `(taken ${header.manifest.createdAt}, schema version ${header.manifest.schemaVersion}, ${dataRowTotal(outcome.rowCounts)} rows)` +
          (outcome.replacedTables.length > 0 ? '; the data that was there is replaced' : ''),
      ];
      if (header.manifest.schemaVersion < latest) {
        lines.push(
          `the schema is older than this build's (${latest}): roller migrate up (or the next start) brings it up to date`,
        );
      }
      process.stdout.write(`${lines.join('\n')}\n`);
    });
}
