import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Fastify, { type FastifyInstance } from 'fastify';
import type { Kysely } from 'kysely';
import { buildCoreApp } from '../src/api/app.ts';
import { createMetrics } from '../src/api/metrics.ts';
import { loadConfig } from '../src/config/config.ts';
import { createLogger } from '../src/shared/logger.ts';
import type { Database } from '../src/storage/database.ts';
import { openPglite } from '../src/storage/database.ts';
import { Migrator } from '../src/storage/migrator.ts';
import type { Schema } from '../src/storage/schema.ts';
import { type RunningUi, startUi } from '../src/ui-server/ui-server.ts';
import { hashPassword } from '../src/ui-server/users/password-hash.ts';
import { writeUsersFile } from '../src/ui-server/users/users-file.ts';
import { seedDevices } from './seed.ts';

export interface RunningServer {
  /** http://127.0.0.1:<port> */
  origin: string;
  close(): Promise<void>;
}

/** The real core app, as `roller core` builds it with nothing configured, logging silenced. */
export async function startCoreApi(database: Database, apiToken?: string): Promise<RunningServer> {
  // The defaults of every setting come from the one config parser rather than a copy here. Built as
  // a value rather than an inline literal so that dependencies buildCoreApp does not take are ignored.
  const dependencies = {
    database,
    discovery: loadConfig({}).discovery,
    migrator: new Migrator(database),
    logger: createLogger('core', 'silent'),
    metrics: createMetrics(),
    version: 'bench',
    apiToken,
  };
  return listen(await buildCoreApp(dependencies));
}

/**
 * The ceiling of the HTTP stack on this machine: a fresh Fastify with one route that sends a
 * precomputed body, so nothing but request parsing and socket I/O is measured.
 */
export async function startBareServer(path: string, body: string): Promise<RunningServer> {
  const app = Fastify({ logger: false });
  app.get(path, async (_request, reply) => reply.type('application/json; charset=utf-8').send(body));
  return listen(app);
}

async function listen(app: FastifyInstance): Promise<RunningServer> {
  // Loopback only, port chosen by the OS: the bench never listens on a reachable interface.
  await app.listen({ host: '127.0.0.1', port: 0 });
  const { port } = app.server.address() as AddressInfo;
  return { origin: `http://127.0.0.1:${port}`, close: () => app.close() };
}

export const BENCH_USER = { username: 'bench', password: 'bench-password-1' } as const;

export interface UiStack {
  /** Core's origin; requests need `authorization: Bearer <token>`. */
  coreUrl: string;
  token: string;
  ui: RunningUi;
  close(): Promise<void>;
}

/**
 * An embedded database seeded with `devices` devices, the real core behind a random bearer token, and
 * the real UI server in front of it (one admin, BENCH_USER), all in this process on loopback.
 */
export async function startSeededUiStack(options: {
  devices: number;
  log: (text: string) => void;
  /** Seeds the migrated database instead of the plain device list (e.g. the map dataset). */
  seed?: (db: Kysely<Schema>) => Promise<void>;
  webRoot?: string;
  env?: Record<string, string>;
}): Promise<UiStack> {
  const dir = mkdtempSync(join(tmpdir(), 'roller-bench-ui-'));
  const database = await openPglite({});
  const closers: (() => Promise<unknown>)[] = [
    async () => rmSync(dir, { recursive: true, force: true }),
    () => database.close(),
  ];
  const close = async () => {
    for (const closer of closers.reverse()) await closer().catch(() => undefined);
  };
  try {
    await new Migrator(database).up(Number.POSITIVE_INFINITY);
    options.log(`seeding ${options.devices} devices`);
    if (options.seed) await options.seed(database.db);
    else await seedDevices(database.db, options.devices, options.log);
    const token = randomBytes(24).toString('base64url');
    const core = await startCoreApi(database, token);
    closers.push(() => core.close());
    const usersFile = join(dir, 'users.json');
    await writeUsersFile(usersFile, [
      { username: BENCH_USER.username, role: 'admin', passwordHash: await hashPassword(BENCH_USER.password) },
    ]);
    const config = loadConfig({
      ROLLER_DATA_DIR: dir,
      UI_ADDR: '127.0.0.1:0',
      AUTH_USERS_FILE: usersFile,
      AUTH_SESSION_SECRET: randomBytes(32).toString('hex'),
      ...options.env,
    });
    const ui = await startUi(config, createLogger('ui', 'silent'), {
      coreAddress: { url: core.origin },
      coreToken: token,
      ...(options.webRoot ? { webRoot: options.webRoot } : {}),
    });
    closers.push(() => ui.close());
    return { coreUrl: core.origin, token, ui, close };
  } catch (error) {
    await close();
    throw error;
  }
}
