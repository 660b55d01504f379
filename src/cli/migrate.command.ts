import type { Command } from 'commander';
import type { Config } from '../config/config.ts';
import { createLogger } from '../shared/logger.ts';
import { Migrator } from '../storage/migrator.ts';
import { openConfiguredDatabase } from './open-storage.ts';

type LoadConfig = () => Config;

function parseCount(text: string | undefined, what: string): number | undefined {
  if (text === undefined) return undefined;
  if (!/^\d+$/.test(text) || Number(text) < 1)
    throw new Error(`${what} must be a positive whole number, got "${text}"`);
  return Number(text);
}

async function withMigrator<T>(loadConfig: LoadConfig, work: (migrator: Migrator) => Promise<T>): Promise<T> {
  const database = await openConfiguredDatabase(loadConfig());
  try {
    return await work(new Migrator(database));
  } finally {
    await database.close();
  }
}

/** `roller migrate up [N] | down [N] | down --all | version | force V` (golang-migrate semantics). */
export function registerMigrateCommands(program: Command, loadConfig: LoadConfig): void {
  const migrate = program.command('migrate').description('apply, revert or inspect schema migrations');
  const log = (): ReturnType<typeof createLogger> => createLogger('cli', loadConfig().logLevel);

  migrate
    .command('up [N]')
    .description('apply all pending migrations, or the next N')
    .action(async (count?: string) => {
      const steps = parseCount(count, 'N') ?? Number.POSITIVE_INFINITY;
      const logger = log();
      await withMigrator(loadConfig, async (migrator) => {
        const events = await migrator.up(steps, (event) =>
          logger.info(
            { version: event.version, name: event.name, duration_ms: Math.round(event.durationMs) },
            'migration applied',
          ),
        );
        const state = await migrator.state();
        process.stdout.write(
          `${events.length === 0 ? 'no change' : `applied ${events.length}`}; schema version ${state.version ?? 'none'}\n`,
        );
      });
    });

  migrate
    .command('down [N]')
    .description('revert the newest N migrations (default 1); --all reverts every migration')
    .option('--all', 'revert every migration (drops all Roller data)')
    .action(async (count: string | undefined, options: { all?: boolean }) => {
      if (options.all && count !== undefined) throw new Error('give either N or --all, not both');
      const steps = options.all ? Number.POSITIVE_INFINITY : (parseCount(count, 'N') ?? 1);
      const logger = log();
      await withMigrator(loadConfig, async (migrator) => {
        const events = await migrator.down(steps, (event) =>
          logger.info(
            { version: event.version, name: event.name, duration_ms: Math.round(event.durationMs) },
            'migration reverted',
          ),
        );
        const state = await migrator.state();
        process.stdout.write(`reverted ${events.length}; schema version ${state.version ?? 'none'}\n`);
      });
    });

  migrate
    .command('version')
    .description('print the current schema version and whether it is dirty')
    .action(async () => {
      await withMigrator(loadConfig, async (migrator) => {
        const state = await migrator.state();
        const version = state.version === null ? 'none' : String(state.version);
        process.stdout.write(`${version}${state.dirty ? ' (dirty)' : ''} (latest ${migrator.latestVersion})\n`);
      });
    });

  migrate
    .command('force <V>')
    .description('set the schema version without running migrations and clear the dirty flag')
    .action(async (versionText: string) => {
      if (!/^-?\d+$/.test(versionText)) throw new Error(`V must be a whole number, got "${versionText}"`);
      await withMigrator(loadConfig, async (migrator) => {
        await migrator.force(Number(versionText));
        const state = await migrator.state();
        process.stdout.write(`schema version forced to ${state.version ?? 'none'}\n`);
      });
    });
}
