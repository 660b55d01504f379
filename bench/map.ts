/**
 * `npx tsx bench/map.ts` (npm run bench:map): the map projections of issue 8 on the dataset
 * (10 000 devices, 500 subnets, ~100 VLANs, 5 000 links, services, zones), per layer, focus type and
 * depth, on PGlite and PostgreSQL. Each scenario is measured three ways in the same run, alternating
 * in rounds:
 *
 *   API       GET /api/v1/map/{layer}?focusType=&focusId=&depth= against the real core app
 *   repo SQL  the statements that request ran (captured from a second core app), replayed in order
 *   bare SQL  the hand-written reference: the fewest indexed statements reading the rows shown
 *
 * and every captured statement is run under EXPLAIN ANALYZE (sequential scans and over-wide index
 * reads are reported). Nothing is asserted; the table goes to stdout and, with the JSON document, to
 * bench/results/map-<timestamp>.json.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import type { MapProjection } from '../src/domain/map/model.ts';
import { type BenchDatabase, openBenchDatabase, postgresUnavailable, redact } from './backends.ts';
import type { CapturedQuery } from './capture-sql.ts';
import { machineLoad } from './cpu.ts';
import { HttpLatencyClient, type InterleaveOptions, interleaved, type Latency, statementPhase } from './map-load.ts';
import { capturingDatabase, explainStatement, type StatementPlan, statementLabel, tableSizes } from './map-plan.ts';
import { renderFindings, renderTable } from './map-report.ts';
import { BARE_STATEMENTS, type MapScenario, mapScenarios } from './map-scenarios.ts';
import { type MapSeedReport, seedMapDataset } from './map-seed.ts';
import { type BackendName, type BenchOptions, machineInfo, OptionsError, parseOptions } from './options.ts';
import { type RunningServer, startCoreApi } from './servers.ts';

const RESULTS_DIR = new URL('./results/', import.meta.url);

export interface MapOptions extends InterleaveOptions {
  backends: BackendName[];
  postgresUrl: string;
  poolSize: number;
  devices: number;
  links: number | undefined;
  /** Only scenarios whose name contains one of these (all when empty). */
  only: string[];
}

const USAGE = `usage: npx tsx bench/map.ts [--backends=pglite,postgres] [--devices=10000] [--links=5000]
       [--concurrency=1] [--duration=2] [--rounds=3] [--warmup=1] [--min-samples=40] [--max-seconds=4]
       [--only=l3,physical] [--pool-size=10] [--postgres-url=postgres://…@127.0.0.1:5432/db]
Each flag can also be given as an environment variable: BENCH_BACKENDS, BENCH_MAP_DEVICES, BENCH_MAP_LINKS,
BENCH_MAP_CONCURRENCY, BENCH_MAP_DURATION, BENCH_MAP_ROUNDS, BENCH_WARMUP, BENCH_MAP_MIN_SAMPLES,
BENCH_MAP_MAX_SECONDS, BENCH_MAP_ONLY, BENCH_POOL_SIZE, BENCH_POSTGRES_URL.`;

const OWN_FLAGS: Record<string, string> = {
  devices: 'BENCH_MAP_DEVICES',
  links: 'BENCH_MAP_LINKS',
  concurrency: 'BENCH_MAP_CONCURRENCY',
  duration: 'BENCH_MAP_DURATION',
  rounds: 'BENCH_MAP_ROUNDS',
  'min-samples': 'BENCH_MAP_MIN_SAMPLES',
  'max-seconds': 'BENCH_MAP_MAX_SECONDS',
  only: 'BENCH_MAP_ONLY',
};
const SHARED_FLAGS = new Set(['backends', 'postgres-url', 'pool-size', 'warmup']);

export function parseMapOptions(argv: readonly string[], env: NodeJS.ProcessEnv): MapOptions {
  const flags = new Map<string, string>();
  for (const arg of argv) {
    if (arg === '--help' || arg === '-h') throw new OptionsError(USAGE);
    const match = /^--([a-z-]+)=(.*)$/.exec(arg);
    if (!match?.[1] || match[2] === undefined || !(match[1] in OWN_FLAGS || SHARED_FLAGS.has(match[1]))) {
      throw new OptionsError(`unknown argument ${arg}\n${USAGE}`);
    }
    flags.set(match[1], match[2]);
  }
  // Backends, the loopback-only PostgreSQL URL, pool size and warm-up keep their shared meaning and checks.
  const shared: BenchOptions = parseOptions(
    argv.filter((arg) => SHARED_FLAGS.has(/^--([a-z-]+)=/.exec(arg)?.[1] ?? '')),
    env,
  );
  const value = (flag: string): string | undefined => flags.get(flag) ?? env[OWN_FLAGS[flag] ?? ''];
  const integer = (flag: string, fallback: number, min: number): number => {
    const text = value(flag) ?? String(fallback);
    const number = Number(text.replace(/_/g, ''));
    if (!Number.isInteger(number) || number < min)
      throw new OptionsError(`${flag}: ${text} is not an integer ≥ ${min}`);
    return number;
  };
  const links = value('links');
  return {
    backends: shared.backends,
    postgresUrl: shared.postgresUrl,
    poolSize: shared.poolSize,
    warmupSeconds: shared.warmupSeconds,
    devices: integer('devices', 10_000, 200),
    links: links === undefined ? undefined : integer('links', 0, 0),
    concurrency: integer('concurrency', 1, 1),
    durationSeconds: integer('duration', 2, 1),
    rounds: integer('rounds', 3, 1),
    minSamples: integer('min-samples', 40, 1),
    maxSeconds: integer('max-seconds', 4, 1),
    only: (value('only') ?? '')
      .split(',')
      .map((item) => item.trim())
      .filter((item) => item.length > 0),
  };
}

export interface MapScenarioResult {
  scenario: string;
  layer: string;
  focusType: string;
  focusId: string;
  depth: number;
  detail: string;
  path: string;
  shape: { regions: number; nodes: number; edges: number; truncated: string[]; bytes: number; guidance: boolean };
  repoStatements: { label: string; sql: string; parameters: readonly unknown[] }[];
  bareStatements: string[];
  /** undefined when the reference read the rows the projection shows. */
  bareCheck: string | undefined;
  api: Latency;
  repoSql: Latency;
  bareSql: Latency;
  /** API ÷ bare SQL, and API ÷ repository SQL, at p50 and p99. */
  ratios: { apiToBareP50: number; apiToBareP99: number; apiToRepoP50: number; repoToBareP50: number };
  repoPlans: (StatementPlan & { label: string })[];
  barePlans: (StatementPlan & { label: string })[];
}

export interface MapGroup {
  backend: BackendName;
  location: string;
  seed: MapSeedReport;
  tableSizes: Record<string, number>;
  scenarios: MapScenarioResult[];
}

type Progress = (text: string) => void;

async function measureBackend(bench: BenchDatabase, options: MapOptions, progress: Progress): Promise<MapGroup> {
  const seed = await seedMapDataset(bench.database.db, {
    devices: options.devices,
    ...(options.links === undefined ? {} : { links: options.links }),
    onProgress: progress,
  });
  const sizes = await tableSizes(bench.direct);
  const scenarios = mapScenarios(seed.targets).filter(
    (scenario) => options.only.length === 0 || options.only.some((part) => scenario.name.includes(part)),
  );
  const api = await startCoreApi(bench.database);
  const capturing = capturingDatabase(bench.database);
  const captureApi = await startCoreApi(capturing.database);
  const client = new HttpLatencyClient();
  try {
    const results: MapScenarioResult[] = [];
    for (const scenario of scenarios) {
      progress(scenario.name);
      results.push(await measureScenario(bench, options, scenario, { api, captureApi, take: capturing.take, client }));
    }
    return { backend: bench.backend, location: bench.location, seed, tableSizes: sizes, scenarios: results };
  } finally {
    await client.close();
    await captureApi.close();
    await api.close();
  }
}

async function measureScenario(
  bench: BenchDatabase,
  options: MapOptions,
  scenario: MapScenario,
  servers: { api: RunningServer; captureApi: RunningServer; take: () => CapturedQuery[]; client: HttpLatencyClient },
): Promise<MapScenarioResult> {
  const { body, projection } = await fetchProjection(servers.api, scenario.path);
  servers.take();
  const again = await fetchProjection(servers.captureApi, scenario.path);
  const repo = servers.take();
  if (again.body !== body) throw new Error(`${scenario.name}: two answers to the same request differ`);
  const bare = scenario.bare(projection);
  const bareRows: Record<string, unknown>[][] = [];
  for (const statement of bare.statements) bareRows.push(await bench.direct.query(statement.sql, statement.parameters));
  const bareCheck = bare.check(bareRows);
  const repoPlans = [];
  for (const statement of repo) {
    repoPlans.push({ label: statementLabel(statement.sql), ...(await explainStatement(bench.direct, statement)) });
  }
  const barePlans = [];
  for (const [index, statement] of bare.statements.entries()) {
    barePlans.push({ label: bare.names[index] ?? '?', ...(await explainStatement(bench.direct, statement)) });
  }
  const [apiLatency, repoLatency, bareLatency] = await interleaved(bench, options, [
    () => servers.client.phase(`${servers.api.origin}${scenario.path}`),
    () => statementPhase(bench.direct, repo),
    () => statementPhase(bench.direct, bare.statements),
  ]);
  if (!apiLatency || !repoLatency || !bareLatency) throw new Error(`${scenario.name}: a phase produced no result`);
  const truncated = (['regions', 'nodes', 'edges'] as const).filter((part) => projection.truncation[part].truncated);
  const ratio = (a: number, b: number): number => Math.round((a / b) * 10) / 10;
  return {
    scenario: scenario.name,
    layer: scenario.layer,
    focusType: scenario.focusType,
    focusId: scenario.focusId,
    depth: scenario.depth,
    detail: scenario.detail,
    path: scenario.path,
    shape: {
      regions: projection.regions.length,
      nodes: projection.nodes.length,
      edges: projection.edges.length,
      truncated,
      bytes: Buffer.byteLength(body),
      guidance: projection.guidance !== undefined,
    },
    repoStatements: repo.map((statement) => ({ label: statementLabel(statement.sql), ...statement })),
    bareStatements: bare.names,
    bareCheck,
    api: apiLatency,
    repoSql: repoLatency,
    bareSql: bareLatency,
    ratios: {
      apiToBareP50: ratio(apiLatency.p50, bareLatency.p50),
      apiToBareP99: ratio(apiLatency.p99, bareLatency.p99),
      apiToRepoP50: ratio(apiLatency.p50, repoLatency.p50),
      repoToBareP50: ratio(repoLatency.p50, bareLatency.p50),
    },
    repoPlans,
    barePlans,
  };
}

/** One GET on a fresh connection: a pooled keep-alive socket may have been closed by the server meanwhile. */
function fetchProjection(server: RunningServer, path: string): Promise<{ body: string; projection: MapProjection }> {
  return new Promise((resolve, reject) => {
    const request = http.get(`${server.origin}${path}`, { agent: false }, (response) => {
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.on('error', reject);
      response.on('end', () => {
        const body = Buffer.concat(chunks).toString('utf8');
        if (response.statusCode !== 200) {
          reject(new Error(`GET ${path} answered ${response.statusCode}: ${body.slice(0, 300)}`));
        } else {
          resolve({ body, projection: JSON.parse(body) as MapProjection });
        }
      });
    });
    request.on('error', reject);
  });
}

async function main(): Promise<void> {
  const options = parseMapOptions(process.argv.slice(2), process.env);
  const machine = machineInfo();
  const load = machineLoad();
  log(`machine: ${machine.cores} cores (${machine.cpu}), node ${machine.node}, load ${load.loadAverage}`);
  log(
    `backends ${options.backends.join(', ')} · ${options.devices} devices · concurrency ${options.concurrency} · ` +
      `${options.durationSeconds} s per phase in ${options.rounds} rounds (≥ ${options.minSamples} samples, ≤ ${options.maxSeconds} s)`,
  );
  const warnings: string[] = [];
  if (load.loadAverage > load.cores * 0.25) {
    warnings.push(`load average ${load.loadAverage} on ${load.cores} cores at start; other work distorts the figures`);
    log(`warning: ${warnings[warnings.length - 1]}`);
  }
  const skipped: { backend: BackendName; reason: string }[] = [];
  const groups: MapGroup[] = [];
  for (const backend of options.backends) {
    const reason = backend === 'postgres' ? await postgresUnavailable({ ...sharedOptions(options) }) : undefined;
    if (reason) {
      log(`skipping postgres: ${reason}`);
      skipped.push({ backend, reason });
      continue;
    }
    // One backend failing (e.g. a migration half-written in a shared tree) must not lose the other's figures.
    try {
      const bench = await openBenchDatabase(backend, sharedOptions(options));
      const release = releaseOnSignal(bench);
      try {
        groups.push(await measureBackend(bench, options, (text) => log(`[${backend}] ${text}`)));
      } finally {
        release();
        await bench.dispose();
      }
    } catch (error) {
      const reason = `failed: ${error instanceof Error ? error.message : String(error)}`;
      log(`${backend} ${reason}`);
      skipped.push({ backend, reason });
    }
  }
  const document = {
    benchmark: 'map',
    generatedAt: new Date().toISOString(),
    machine: { ...machine, loadAverageAtStart: load.loadAverage },
    options: { ...options, postgresUrl: redact(options.postgresUrl) },
    skipped,
    warnings,
    notes: [
      'latencies in ms, per request, at the given concurrency; API timed by a keep-alive client in a worker thread',
      'repo SQL = the statements the API request ran (captured from a second core app), replayed one after another',
      'bare SQL = the hand-written reference statements (bench/map-scenarios.ts, bench/README.md), one after another',
      'cpu: cores used during the phase by this process, by the PostgreSQL backends, and by everything else',
    ],
    bareStatements: BARE_STATEMENTS,
    groups,
  };
  mkdirSync(RESULTS_DIR, { recursive: true });
  const file = new URL(`map-${document.generatedAt.replace(/[:.]/g, '-')}.json`, RESULTS_DIR);
  writeFileSync(file, `${JSON.stringify(document, null, 2)}\n`);
  process.stdout.write(`\n${renderTable(groups)}\n\n${renderFindings(groups)}\n`);
  for (const warning of warnings) process.stdout.write(`WARNING: ${warning}\n`);
  for (const skip of skipped) process.stdout.write(`SKIPPED ${skip.backend}: ${skip.reason}\n`);
  log(`written to ${file.pathname}`);
}

function sharedOptions(options: MapOptions): BenchOptions {
  return {
    sizes: [options.devices],
    backends: options.backends,
    durationSeconds: options.durationSeconds,
    rounds: options.rounds,
    warmupSeconds: options.warmupSeconds,
    concurrency: options.concurrency,
    poolSize: options.poolSize,
    postgresUrl: options.postgresUrl,
  };
}

/** Ctrl-C must still drop the bench database and remove the temporary directory. */
function releaseOnSignal(bench: BenchDatabase): () => void {
  const handler = (): void => {
    log('interrupted: cleaning up');
    bench.dispose().finally(() => process.exit(130));
  };
  process.once('SIGINT', handler);
  process.once('SIGTERM', handler);
  return () => {
    process.off('SIGINT', handler);
    process.off('SIGTERM', handler);
  };
}

/** Progress goes to stderr so stdout holds only the tables. */
function log(text: string): void {
  process.stderr.write(`${new Date().toISOString().slice(11, 19)} ${text}\n`);
}

main().catch((error: unknown) => {
  if (error instanceof OptionsError) {
    process.stderr.write(`${error.message}\n`);
    process.exit(2);
  }
  process.stderr.write(`bench failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});
