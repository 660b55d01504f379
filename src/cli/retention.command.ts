import { hostname } from 'node:os';
import type { Command } from 'commander';
import type { Config } from '../config/config.ts';
import { RETENTION_TABLES } from '../domain/retention.ts';
import { createLogger } from '../shared/logger.ts';
import { Migrator } from '../storage/migrator.ts';
import { type RetentionReport, runRetention } from '../worker/retention-job.ts';
import { openConfiguredDatabase } from './open-storage.ts';

type LoadConfig = () => Config;

function parseBatchSize(text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  if (!/^\d+$/.test(text) || Number(text) < 1)
    throw new Error(`--batch-size must be a positive whole number, got "${text}"`);
  return Number(text);
}

/** The per-table counts as an aligned two-column table, then the total. */
export function formatReport(report: RetentionReport): string {
  const heading = report.dry_run ? 'would delete' : 'deleted';
  const width = Math.max('table'.length, ...RETENTION_TABLES.map((table) => table.length), 'total'.length);
  const lines = [`${'table'.padEnd(width)}  ${heading}`];
  for (const table of RETENTION_TABLES) lines.push(`${table.padEnd(width)}  ${report.deleted[table]}`);
  lines.push(`${'total'.padEnd(width)}  ${report.total}`);
  if (!report.complete) lines.push('(stopped at the batch limit: run again to go on)');
  return `${lines.join('\n')}\n`;
}

/**
 * `roller retention run [--dry-run] [--json]`: one retention pass now, with the configured windows
 * (RETENTION_ENABLED only governs the daily worker job, not this command).
 */
export function registerRetentionCommands(program: Command, loadConfig: LoadConfig): void {
  const retention = program.command('retention').description('prune old history by the RETENTION_* windows');
  retention
    .command('run')
    .description('delete what the retention windows no longer keep (--dry-run: only count it)')
    .option('--dry-run', 'report per table what would be deleted, delete nothing')
    .option('--json', 'print the report as JSON')
    .option('--batch-size <N>', 'rows per DELETE statement (default 10000)')
    .action(async (options: { dryRun?: boolean; json?: boolean; batchSize?: string }) => {
      const batchSize = parseBatchSize(options.batchSize);
      const config = loadConfig();
      const logger = createLogger('cli', config.logLevel);
      const database = await openConfiguredDatabase(config);
      try {
        const migrator = new Migrator(database);
        const state = await migrator.state();
        if (state.dirty || state.version !== migrator.latestVersion) {
          throw new Error(
            `the database schema is at version ${state.version ?? 'none'}${state.dirty ? ' (dirty)' : ''}, ` +
              `this build needs ${migrator.latestVersion}: run \`roller migrate up\` (or start Roller) first`,
          );
        }
        const report = await runRetention({
          db: database.db,
          windows: config.retention,
          logger,
          dryRun: options.dryRun === true,
          workerId: `${hostname()}:${process.pid}:cli`,
          batchSize,
        });
        process.stdout.write(options.json ? `${JSON.stringify(report)}\n` : formatReport(report));
      } finally {
        await database.close();
      }
    });
}
