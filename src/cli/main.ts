import { randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { Command } from 'commander';
import { stringify } from 'yaml';
import { createMetrics } from '../api/metrics.ts';
import { ConfigError, loadConfig } from '../config/config.ts';
import { coreAddress } from '../config/parsers.ts';
import { VERSION } from '../config/version.ts';
import type { Logger } from '../shared/logger.ts';
import { createLogger } from '../shared/logger.ts';
import { type RunningUi, startUi } from '../ui-server/ui-server.ts';
import { registerBackupCommand } from './backup.command.ts';
import { openAndMigrate, startCore, startWorker, stopOnSignals } from './core.command.ts';
import { registerDoctorCommand } from './doctor.command.ts';
import { registerMigrateCommands } from './migrate.command.ts';
import { buildOpenApiDocument } from './openapi.command.ts';
import { registerRestoreCommand } from './restore.command.ts';
import { registerRetentionCommands } from './retention.command.ts';
import { registerSeedCommand } from './seed.command.ts';
import { registerUsersCommands } from './users.command.ts';

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
      'Core has no logins of its own: keep it private and let the UI server (roller ui) face users.\n\n',
  );
  stopOnSignals(logger, () => core.close());
  ignoreHangup(logger);
}

/**
 * Core and the worker have nothing to reload (their configuration is the environment), but a Node.js
 * process without a SIGHUP handler exits on one: a stray `kill -HUP` or a `systemctl reload` must not
 * stop them.
 */
function ignoreHangup(logger: Logger): void {
  process.on('SIGHUP', () => logger.info('SIGHUP ignored: only the UI server reloads (roller ui, roller start)'));
}

/** Everything in one process: core (+ worker) on loopback behind a random token, and the UI server. */
async function serveAll(): Promise<void> {
  const coreLogger = createLogger('core', config().logLevel);
  const uiLogger = createLogger('ui', config().logLevel);
  // Core is reachable only with this token, so another local user cannot bypass the UI's logins.
  const coreToken = config().coreApiToken ?? randomBytes(32).toString('base64url');
  const core = await startCore({ ...config(), coreApiToken: coreToken }, coreLogger);
  const address = coreAddress(core.url);
  if (!address.ok) throw new Error(`cannot reach the core just started at ${core.url}`);
  let ui: RunningUi;
  try {
    ui = await startUi(config(), uiLogger, { coreAddress: address.value, coreToken });
  } catch (error) {
    await core.close();
    throw error;
  }
  printSignInBanner(ui, `core API (private, token-protected): ${core.url}/api/v1`);
  reloadOnSighup(uiLogger, ui);
  stopOnSignals(coreLogger, async () => {
    await ui.close();
    await core.close();
  });
}

async function serveUi(): Promise<void> {
  const logger = createLogger('ui', config().logLevel);
  const ui = await startUi(config(), logger);
  printSignInBanner(ui);
  reloadOnSighup(logger, ui);
  stopOnSignals(logger, () => ui.close());
}

function printSignInBanner(ui: RunningUi, extra?: string): void {
  const lines = ['', `Roller is running. Sign in at ${ui.url}`];
  const usersFile = ui.usersFile === undefined ? undefined : resolve(ui.usersFile);
  if (ui.bootstrapPassword !== undefined) {
    lines.push(
      `  First user: admin  password: ${ui.bootstrapPassword}`,
      `  (shown only this once; stored hashed in ${usersFile}. Change it after signing in, or: roller users set-password admin)`,
    );
  } else {
    lines.push(`  Users: ${usersFile ?? 'from AUTH_USERS / AUTH_PASSWORD'}  (roller users list)`);
  }
  if (extra) lines.push(`  ${extra}`);
  process.stderr.write(`${lines.join('\n')}\n\n`);
}

/** SIGHUP re-reads users and the session secret; a failure is logged and the old ones stay. */
function reloadOnSighup(logger: Logger, ui: RunningUi): void {
  process.on('SIGHUP', () => {
    ui.reload().catch((error: unknown) =>
      logger.error({ err: error }, 'reload failed; keeping the previous users and secret'),
    );
  });
}

program
  .command('start')
  .description('run everything in one process: core API, discovery worker and UI server (the default)')
  .action(serveAll);

program
  .command('ui')
  .description('run the UI server: sign-in, sessions, roles, the web app, and the /api proxy to core')
  .action(serveUi);

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
    ignoreHangup(logger);
  });

registerMigrateCommands(program, config);
registerRetentionCommands(program, config);
registerUsersCommands(program, config);
registerBackupCommand(program, config);
registerRestoreCommand(program, config);
registerSeedCommand(program, config);
registerDoctorCommand(program, config);

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
