import { existsSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import type { Command } from 'commander';
import type { Config } from '../config/config.ts';
import { VERSION } from '../config/version.ts';
import {
  BACKUP_FORMAT_VERSION,
  type BackupManifest,
  describeBackend,
  writeBackupFile,
} from '../storage/backup/backup-file.ts';
import { dumpEmbedded } from '../storage/backup/embedded-backup.ts';
import { dataRowTotal, rowCounts } from '../storage/backup/table-contents.ts';
import { Migrator } from '../storage/migrator.ts';
import { openExisting } from './existing-database.ts';
import { pgDump, schemaVersionInDump } from './postgres-tools.ts';

type LoadConfig = () => Config;

interface BackupOptions {
  force?: boolean;
  json?: boolean;
}

async function backup(config: Config, target: string, options: BackupOptions): Promise<BackupManifest> {
  const file = resolve(target);
  if (existsSync(file) && !options.force) {
    throw new Error(`${file} already exists: choose another name, or give --force to replace it`);
  }
  if (!existsSync(dirname(file))) throw new Error(`the directory ${dirname(file)} does not exist`);
  const database = await openExisting(config, 'back up');
  const payloadFile = `${file}.payload-${process.pid}`;
  try {
    const state = await new Migrator(database).state();
    if (state.version === null) {
      throw new Error(
        `the ${describeBackend(database.kind)} has no Roller schema yet: nothing to back up (start Roller once, or run roller migrate up)`,
      );
    }
    const counts = await rowCounts(database.db);
    let schema = { version: state.version, dirty: state.dirty };
    if (database.kind === 'pglite') {
      // The data dir lock is held for the whole dump: nothing else can write meanwhile.
      writeFileSync(payloadFile, await dumpEmbedded(database), { mode: 0o600 });
    } else {
      await pgDump(config.databaseUrl as string, payloadFile);
      // The dump's own snapshot decides the version (a migration may have run since the state was read).
      const dumped = await schemaVersionInDump(payloadFile);
      if (!dumped) throw new Error('pg_dump wrote no schema_migrations row: the dump is not a Roller database');
      schema = dumped;
    }
    return await writeBackupFile(
      file,
      {
        format: 'roller-backup',
        formatVersion: BACKUP_FORMAT_VERSION,
        backend: database.kind,
        payload: database.kind === 'pglite' ? 'pglite-datadir-tgz' : 'pg_dump-plain',
        schemaVersion: schema.version,
        schemaDirty: schema.dirty,
        rollerVersion: VERSION,
        createdAt: new Date().toISOString(),
        rowCounts: counts,
      },
      payloadFile,
    );
  } finally {
    rmSync(payloadFile, { force: true });
    await database.close();
  }
}

/**
 * `roller backup <file>`: the configured database (PostgreSQL through pg_dump, or the embedded
 * one as a tarball of its data directory) into one Roller backup file that `roller restore` reads.
 */
export function registerBackupCommand(program: Command, loadConfig: LoadConfig): void {
  program
    .command('backup <file>')
    .description('write the database (PostgreSQL via pg_dump, or the embedded PGlite) to a backup file')
    .option('--force', 'replace the file if it exists')
    .option('--json', 'print the backup manifest as JSON')
    .action(async (target: string, options: BackupOptions) => {
      const config = loadConfig();
      const manifest = await backup(config, target, options);
      const file = resolve(target);
      if (options.json) {
        process.stdout.write(`${JSON.stringify({ file, ...manifest })}\n`);
        return;
      }
      if (manifest.schemaDirty) {
        process.stderr.write(
          `roller: warning: the schema is dirty at version ${manifest.schemaVersion}; restore will refuse this backup\n`,
        );
      }
      process.stdout.write(
        `backed up the ${describeBackend(manifest.backend)} (schema version ${manifest.schemaVersion}, ` +
          `${dataRowTotal(manifest.rowCounts)} rows) to ${file} (${statSync(file).size} bytes)\n`,
      );
    });
}
