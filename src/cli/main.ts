import { writeFileSync } from 'node:fs';
import { Command } from 'commander';
import { stringify } from 'yaml';
import { createMetrics } from '../api/metrics.ts';
import { ConfigError, loadConfig } from '../config/config.ts';
import { VERSION } from '../config/version.ts';
import { createLogger } from '../shared/logger.ts';
import { openAndMigrate, startCore, startWorker, stopOnSignals } from './core.command.ts';
import { registerMigrateCommands } from './migrate.command.ts';
import { buildOpenApiDocument } from './openapi.command.ts';
import { registerRetentionCommands } from './retention.command.ts';

const program = new Command('roller')
  .description('Roller: a self-hosted network tracker and mapper')
  .version(VERSION)
  .showHelpAfterError();

let cachedConfig: ReturnType<typeof loadConfig> | undefined;
const config = (): ReturnType<typeof loadConfig> => {
  cachedConfig ??= loadConfig();
  return cachedConfig;
};

async function serveCore(): Promise<void> {
  const logger = createLogger('core', config().logLevel);
  const core = await startCore(config(), logger);
  // Human-readable banner on stderr, so stdout stays one JSON log object per line.
  process.stderr.write(
    `\nRoller core API: ${core.url}/api/v1  (reference: ${core.url}/api/docs, health: ${core.url}/readyz)\n` +
      'The web UI and its login arrive with the UI server; until then use the API reference above.\n\n',
  );
  stopOnSignals(logger, () => core.close());
}

program
  .command('start')
  .description('run everything in one process: core API (and, as they land, the discovery worker and UI server)')
  .action(serveCore);

program.command('core').description('run the headless core API').action(serveCore);

program
  .command('worker')
  .description('run a discovery worker alone (a scanner node); needs DATABASE_URL (PostgreSQL)')
  .action(async () => {
    if (!config().databaseUrl) {
      throw new Error(
        'roller worker shares the database with core and needs PostgreSQL: set DATABASE_URL. ' +
          'With the embedded database, `roller start` or `roller core` already run a worker.',
      );
    }
    const logger = createLogger('worker', config().logLevel);
    const { database } = await openAndMigrate(config(), logger);
    const worker = startWorker(config(), database, logger, createMetrics());
    await worker.start();
    stopOnSignals(logger, async () => {
      await worker.stop();
      await database.close();
    });
  });

registerMigrateCommands(program, config);
registerRetentionCommands(program, config);

program
  .command('openapi')
  .description('print the OpenAPI document of the core API as YAML')
  .option('--write <file>', 'write it to a file instead of stdout')
  .action(async (options: { write?: string }) => {
    const yaml = stringify(await buildOpenApiDocument(), { lineWidth: 0, aliasDuplicateObjects: false });
    if (options.write) writeFileSync(options.write, yaml);
    else process.stdout.write(yaml);
  });

try {
  await program.parseAsync(process.argv);
} catch (error) {
  if (error instanceof ConfigError) {
    process.stderr.write(`roller: ${error.message}\n`);
  } else {
    process.stderr.write(`roller: ${(error as Error).message}\n`);
  }
  process.exit(1);
}
