import { readdirSync, readFileSync } from 'node:fs';
import { sql } from 'kysely';
import { describe } from 'vitest';
import { buildCoreApp, type CoreApp } from '../../src/api/app.ts';
import { type CoreMetrics, createMetrics } from '../../src/api/metrics.ts';
import { startWorker } from '../../src/cli/core.command.ts';
import { type Config, loadConfig } from '../../src/config/config.ts';
import { VERSION } from '../../src/config/version.ts';
import { createLogger } from '../../src/shared/logger.ts';
import { type Database, openPostgres } from '../../src/storage/database.ts';
import { DiscoveryRunRepository, FINAL_STATUSES, type RunRow } from '../../src/storage/discovery-run.repository.ts';
import { Migrator } from '../../src/storage/migrator.ts';
import type { DiscoveryWorker } from '../../src/worker/discovery-worker.ts';
import { type Backend, POSTGRES, type TestDatabase } from '../support/backends.ts';
import { IN_CI } from '../support/test-env.ts';

/**
 * In-process worker tests: a fresh database, the core API on it (for `inject`), and any number of
 * DiscoveryWorkers built exactly as `roller core` builds them (`startWorker` with `loadConfig`),
 * each with its own metrics registry and an in-memory JSON log.
 */

export type LogLine = Record<string, unknown> & { message?: string };

const POLL_MS = 25;

export interface TestWorker {
  worker: DiscoveryWorker;
  metrics: CoreMetrics;
  /** The worker's structured log (what `roller worker` prints on stdout). */
  logs: LogLine[];
  logsWithMessage(message: string): LogLine[];
  stop(): Promise<void>;
}

export interface WorkerHarness {
  backend: Backend;
  database: Database;
  /** PostgreSQL URL of the fresh database (undefined for PGlite). */
  url: string | undefined;
  config: Config;
  app: CoreApp;
  runs: DiscoveryRunRepository;
  /** Builds and starts a worker; `database` defaults to the harness database. */
  startWorker(options?: { env?: Record<string, string>; database?: Database }): Promise<TestWorker>;
  /** A second connection pool to the same PostgreSQL database (another "process"); closed with the harness. */
  openSecondPool(): Promise<Database>;
  api<T = Record<string, unknown>>(method: 'GET' | 'POST', url: string, body?: unknown): Promise<ApiResponse<T>>;
  /** POST /api/v1/discovery/run; asserts 202 and returns the run. */
  enqueueViaApi(body: Record<string, unknown>): Promise<RunRow>;
  waitForRun(id: string, until: (run: RunRow) => boolean, what: string, limitMs?: number): Promise<RunRow>;
  waitForFinal(id: string, limitMs?: number): Promise<RunRow>;
  /** The run's log messages, oldest first. */
  runLog(id: string): Promise<{ level: string; message: string }[]>;
  close(): Promise<void>;
}

export interface ApiResponse<T> {
  status: number;
  body: T;
  headers: Record<string, unknown>;
}

export async function createHarness(backend: Backend, env: Record<string, string> = {}): Promise<WorkerHarness> {
  const testDatabase: TestDatabase = await backend.fresh();
  const { database } = testDatabase;
  const config = loadConfig(env);
  const app = await buildCoreApp({
    database,
    migrator: new Migrator(database),
    logger: createLogger('core', 'silent'),
    metrics: createMetrics(),
    version: VERSION,
    discovery: config.discovery,
  });
  await app.ready();
  const runs = new DiscoveryRunRepository(database.db);
  const workers: TestWorker[] = [];
  const pools: Database[] = [];

  const harness: WorkerHarness = {
    backend,
    database,
    url: testDatabase.url,
    config,
    app,
    runs,
    async startWorker(options = {}) {
      const logs: LogLine[] = [];
      const destination = {
        write(line: string) {
          logs.push(JSON.parse(line) as LogLine);
        },
      };
      const metrics = createMetrics();
      const workerConfig = options.env ? loadConfig({ ...env, ...options.env }) : config;
      const worker = startWorker(
        workerConfig,
        options.database ?? database,
        createLogger('worker', 'info', destination),
        metrics,
      );
      await worker.start();
      const handle: TestWorker = {
        worker,
        metrics,
        logs,
        logsWithMessage: (message) => logs.filter((log) => log.message === message),
        stop: () => worker.stop(),
      };
      workers.push(handle);
      return handle;
    },
    async openSecondPool() {
      if (!testDatabase.url) throw new Error('a second pool needs PostgreSQL');
      const pool = await openPostgres({ url: testDatabase.url, poolSize: 3, description: 'second pool' });
      pools.push(pool);
      return pool;
    },
    async api<T>(method: 'GET' | 'POST', url: string, body?: unknown) {
      const response = await app.inject({ method, url, ...(body === undefined ? {} : { payload: body as object }) });
      return { status: response.statusCode, body: response.json() as T, headers: response.headers };
    },
    async enqueueViaApi(body) {
      const response = await harness.api<RunRow>('POST', '/api/v1/discovery/run', body);
      if (response.status !== 202) {
        throw new Error(`POST /api/v1/discovery/run answered ${response.status}: ${JSON.stringify(response.body)}`);
      }
      return response.body;
    },
    async waitForRun(id, until, what, limitMs = 10_000) {
      const deadline = performance.now() + limitMs;
      let last: RunRow | undefined;
      for (;;) {
        last = await runs.get(id);
        if (last && until(last)) return last;
        if (performance.now() > deadline) {
          throw new Error(`run ${id} never became ${what} within ${limitMs} ms; last: ${JSON.stringify(last)}`);
        }
        await sleep(POLL_MS);
      }
    },
    waitForFinal(id, limitMs = 15_000) {
      return harness.waitForRun(id, (run) => FINAL_STATUSES.includes(run.status), 'final', limitMs);
    },
    async runLog(id) {
      const { rows } = await sql<{ level: string; message: string }>`
        SELECT level, message FROM discovery_run_logs WHERE run_id = ${id} ORDER BY id`.execute(database.db);
      return rows;
    },
    async close() {
      const errors: unknown[] = [];
      for (const handle of workers) await handle.stop().catch((error: unknown) => errors.push(error));
      await app.close().catch((error: unknown) => errors.push(error));
      for (const pool of pools) await pool.close().catch((error: unknown) => errors.push(error));
      await testDatabase.dispose().catch((error: unknown) => errors.push(error));
      if (errors.length > 0) throw errors[0];
    },
  };
  return harness;
}

/**
 * A suite that needs PostgreSQL only (several sessions or processes on one database). Skipped with
 * the reason in its title when PostgreSQL is unavailable locally; under CI=true the global setup has
 * already failed the run instead.
 */
export function describePostgres(title: string, body: (backend: Backend) => void): void {
  const reason = POSTGRES.unavailable;
  const skip = reason !== undefined && !IN_CI;
  describe.skipIf(skip)(`${title} [postgres]${skip ? ` (skipped: ${reason})` : ''}`, () => body(POSTGRES));
}

/** The value of one sample in Prometheus text (`name` or `name{labels}`), or undefined when absent. */
export function metricValue(text: string, sample: string): number | undefined {
  for (const line of text.split('\n')) {
    if (line.startsWith(`${sample} `)) return Number(line.slice(sample.length + 1));
  }
  return undefined;
}

export function ms(timestamp: string | null): number {
  if (timestamp === null) throw new Error('timestamp is null');
  return Date.parse(timestamp);
}

export function sleep(milliseconds: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, milliseconds));
}

/** A live (not zombie) process. */
export function isRunning(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return !/^[ZX]/.test(stat.slice(stat.lastIndexOf(')') + 2));
  } catch {
    return false;
  }
}

export interface MarkedProcess {
  pid: number;
  comm: string;
}

/**
 * Live processes whose environment contains `marker` (tests put a unique, non-existent directory
 * on a roller process's PATH; Roller hands its PATH to every probe it spawns). Scoped this way,
 * probes of other test files running at the same time are never counted.
 */
export function processesWithMarker(marker: string): MarkedProcess[] {
  const found: MarkedProcess[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const pid = Number(entry);
    try {
      if (!readFileSync(`/proc/${pid}/environ`, 'latin1').includes(marker)) continue;
      if (!isRunning(pid)) continue;
      found.push({ pid, comm: readFileSync(`/proc/${pid}/comm`, 'utf8').trim() });
    } catch {
      // exited meanwhile, or not ours to read
    }
  }
  return found;
}
