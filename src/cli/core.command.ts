import type { FastifyListenOptions } from 'fastify';
import { buildCoreApp } from '../api/app.ts';
import { type CoreMetrics, createMetrics } from '../api/metrics.ts';
import type { Config } from '../config/config.ts';
import { VERSION } from '../config/version.ts';
import { realEnrichmentProbes } from '../discovery/enrichment-probes.ts';
import { ChildProcessRunner } from '../discovery/exec/process-runner.ts';
import { createLogger, type Logger } from '../shared/logger.ts';
import type { Database } from '../storage/database.ts';
import { Migrator } from '../storage/migrator.ts';
import { DiscoveryWorker, type WorkerMetrics } from '../worker/discovery-worker.ts';
import type { RetentionMetrics } from '../worker/retention-job.ts';
import { openConfiguredDatabase } from './open-storage.ts';

const SHUTDOWN_TIMEOUT_MS = 10_000;

export interface RunningCore {
  url: string;
  close(): Promise<void>;
}

/** Opens the configured database and brings its schema to the latest version. */
export async function openAndMigrate(
  config: Config,
  logger: Logger,
): Promise<{ database: Database; migrator: Migrator }> {
  let database: Database;
  try {
    database = await openConfiguredDatabase(config);
  } catch (error) {
    logger.fatal({ err: error }, 'failed to connect to database');
    throw error;
  }
  logger.info({ database: database.description }, 'database opened');
  const migrator = new Migrator(database);
  try {
    const applied = await migrator.up(Number.POSITIVE_INFINITY, (event) =>
      logger.info(
        { version: event.version, name: event.name, duration_ms: Math.round(event.durationMs) },
        'migration applied',
      ),
    );
    logger.info({ schema_version: migrator.latestVersion, applied: applied.length }, 'database schema ready');
  } catch (error) {
    logger.fatal({ err: error }, (error as Error).message);
    await database.close();
    throw error;
  }
  return { database, migrator };
}

export function workerMetrics(metrics: CoreMetrics): WorkerMetrics {
  return {
    runClaimed: () => metrics.discoveryRuns.inc(),
    runFinished: (status, seconds) => {
      metrics.discoveryRunDuration.observe(seconds);
      metrics.discoveryRunsFinished.inc({ status });
    },
  };
}

export function retentionMetrics(metrics: CoreMetrics): RetentionMetrics {
  return {
    runFinished: (outcome, deleted, finishedAt) => {
      metrics.retentionRuns.inc({ outcome });
      for (const [table, rows] of Object.entries(deleted ?? {})) {
        if (rows > 0) metrics.retentionDeletedRows.inc({ table }, rows);
      }
      if (outcome === 'succeeded') metrics.retentionLastSuccess.set(finishedAt.getTime() / 1000);
    },
  };
}

export function startWorker(config: Config, database: Database, logger: Logger, metrics: CoreMetrics): DiscoveryWorker {
  return new DiscoveryWorker({
    database,
    config: config.discovery,
    logger,
    metrics: workerMetrics(metrics),
    runner: new ChildProcessRunner(),
    soleOwner: database.kind === 'pglite',
    enrichmentProbes: realEnrichmentProbes,
    presence: config.presence,
    retention: { config: config.retention, metrics: retentionMetrics(metrics) },
    alerts: {
      config: config.alerts,
      observe: (channelType, outcome) => metrics.alertDeliveries.inc({ channel_type: channelType, outcome }),
    },
  });
}

/** Opens storage, migrates, serves the core API (and runs a worker unless disabled). */
export async function startCore(
  config: Config,
  logger: Logger = createLogger('core', config.logLevel),
): Promise<RunningCore> {
  const startedAt = performance.now();
  const { database, migrator } = await openAndMigrate(config, logger);
  const metrics = createMetrics();
  const app = await buildCoreApp({
    database,
    migrator,
    logger,
    metrics,
    version: VERSION,
    discovery: config.discovery,
    apiToken: config.coreApiToken,
    metricsToken: config.metricsToken,
    alertSendTimeoutMs: config.alerts.sendTimeoutMs,
  });
  const listen: FastifyListenOptions =
    'path' in config.httpAddr
      ? { path: config.httpAddr.path }
      : { host: config.httpAddr.host, port: config.httpAddr.port };
  try {
    await app.listen(listen);
  } catch (error) {
    logger.fatal({ err: error }, 'failed to listen');
    await app.close();
    await database.close();
    throw error;
  }
  let worker: DiscoveryWorker | undefined;
  if (config.discovery.worker.enabled) {
    worker = startWorker(config, database, logger, metrics);
    await worker.start();
  }
  const url = listenUrl(app.server.address(), config);
  logger.info({ url, ready_ms: Math.round(performance.now() - startedAt), version: VERSION }, 'core listening');
  let closing: Promise<void> | undefined;
  return {
    url,
    close() {
      closing ??= (async () => {
        await worker?.stop();
        await app.close();
        await database.close();
        logger.info('core stopped');
      })();
      return closing;
    },
  };
}

function listenUrl(address: ReturnType<import('node:net').Server['address']>, config: Config): string {
  if ('path' in config.httpAddr) return `unix:${config.httpAddr.path}`;
  const port = typeof address === 'object' && address ? address.port : config.httpAddr.port;
  const host = config.httpAddr.host.includes(':') ? `[${config.httpAddr.host}]` : config.httpAddr.host;
  return `http://${host === '0.0.0.0' ? '127.0.0.1' : host}:${port}`;
}

/** Stops cleanly on SIGINT/SIGTERM, and hard after the SPEC's 10 s grace period. */
export function stopOnSignals(logger: Logger, stop: () => Promise<void>): void {
  let stopping = false;
  const handler = (signal: NodeJS.Signals): void => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'shutting down');
    const timer = setTimeout(() => {
      logger.error('shutdown took longer than 10s; exiting');
      process.exit(1);
    }, SHUTDOWN_TIMEOUT_MS);
    timer.unref();
    stop().then(
      () => process.exit(0),
      (error: unknown) => {
        logger.error({ err: error }, 'shutdown failed');
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', handler);
  process.on('SIGTERM', handler);
}
