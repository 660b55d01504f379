import type { AddressInfo } from 'node:net';
import Fastify, { type FastifyInstance } from 'fastify';
import { buildCoreApp } from '../src/api/app.ts';
import { createMetrics } from '../src/api/metrics.ts';
import { loadConfig } from '../src/config/config.ts';
import { createLogger } from '../src/shared/logger.ts';
import type { Database } from '../src/storage/database.ts';
import { Migrator } from '../src/storage/migrator.ts';

export interface RunningServer {
  /** http://127.0.0.1:<port> */
  origin: string;
  close(): Promise<void>;
}

/** The real core app, as `roller core` builds it with nothing configured, logging silenced. */
export async function startCoreApi(database: Database): Promise<RunningServer> {
  // The defaults of every setting come from the one config parser rather than a copy here. Built as
  // a value rather than an inline literal so that dependencies buildCoreApp does not take are ignored.
  const dependencies = {
    database,
    discovery: loadConfig({}).discovery,
    migrator: new Migrator(database),
    logger: createLogger('core', 'silent'),
    metrics: createMetrics(),
    version: 'bench',
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
