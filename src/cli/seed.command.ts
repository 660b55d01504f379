import type { Command } from 'commander';
import type { Config } from '../config/config.ts';
import { describeBackend } from '../storage/backup/backup-file.ts';
import { DataDirLockedError } from '../storage/data-dir-lock.ts';
import { Migrator } from '../storage/migrator.ts';
import { findForeignData, seedDevelopmentData } from '../storage/seed/dev-seed.ts';
import { openConfiguredDatabase } from './open-storage.ts';

type LoadConfig = () => Config;

interface SeedOptions {
  force?: boolean;
  json?: boolean;
}

/**
 * `roller seed [--force]`: development fixtures (documentation addresses only, never contacted).
 * Idempotent. Refuses a database that holds anything the seed did not write unless --force, so
 * that pointing it at a production DATABASE_URL by mistake changes nothing.
 */
export function registerSeedCommand(program: Command, loadConfig: LoadConfig): void {
  program
    .command('seed')
    .description('write development fixtures (devices, runs, logs, links, VLANs, services); safe to repeat')
    .option('--force', 'seed even though the database holds data the seed did not write (never on production)')
    .option('--json', 'print what was written as JSON')
    .action(async (options: SeedOptions) => {
      const config = loadConfig();
      let database: Awaited<ReturnType<typeof openConfiguredDatabase>>;
      try {
        database = await openConfiguredDatabase(config);
      } catch (error) {
        if (error instanceof DataDirLockedError) {
          throw new Error(
            `seed refused: Roller (pid ${error.owner.pid}) has the embedded database in ${error.dataDir} open; stop it first`,
          );
        }
        throw error;
      }
      try {
        const migrator = new Migrator(database);
        const state = await migrator.state();
        if (state.version === null && !state.dirty) {
          // A brand-new development database: give it the schema first.
          await migrator.up();
        } else if (state.dirty || state.version !== migrator.latestVersion) {
          throw new Error(
            `the database schema is at version ${state.version ?? 'none'}${state.dirty ? ' (dirty)' : ''}, ` +
              `this build needs ${migrator.latestVersion}: run \`roller migrate up\` first`,
          );
        }
        const foreign = await findForeignData(database.db);
        if (foreign.length > 0 && !options.force) {
          const found = foreign.map((entry) => `${entry.rows} ${entry.table}`).join(', ');
          throw new Error(
            `seed refused: the ${describeBackend(database.kind)} (${database.description}) holds data the seed did not write ` +
              `(${found}). The seed is for development databases only; if this really is one, run it again with --force`,
          );
        }
        const report = await seedDevelopmentData(database.db);
        if (options.json) {
          process.stdout.write(`${JSON.stringify(report)}\n`);
        } else if (report.written.length === 0) {
          process.stdout.write(`already seeded: nothing to do (${report.devices} devices)\n`);
        } else {
          process.stdout.write(
            `seeded the ${describeBackend(database.kind)}: ${report.written.length} steps wrote data; ${report.devices} devices\n`,
          );
        }
      } finally {
        await database.close();
      }
    });
}
