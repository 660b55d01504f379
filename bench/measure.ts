import type { RawResult } from 'autocannon';
import type { BenchDatabase } from './backends.ts';
import { type CapturedQuery, captureListQuery } from './capture-sql.ts';
import { averageCpu, type CpuUsage, measureCpu } from './cpu.ts';
import { explainQuery, type PlanCheck } from './explain.ts';
import { HttpLoadGenerator, summariseHttp } from './load-http.ts';
import { type LoopOptions, SqlLoad } from './load-sql.ts';
import type { BenchOptions } from './options.ts';
import { buildScenarios, PAGE_SIZE, type Scenario } from './scenarios.ts';
import { type SeedReport, seedDevices } from './seed.ts';
import { type RunningServer, startBareServer, startCoreApi } from './servers.ts';
import { type LoadResult, round } from './stats.ts';

export type Measured = LoadResult & { rounds: number; cpu: CpuUsage };

export interface ScenarioResult {
  scenario: string;
  search: boolean;
  detail: string;
  path: string;
  matches: number;
  /** Devices in the measured response. */
  returned: number;
  api: Measured;
  sql: Measured;
  apiToSql: number;
  apiToBare: number;
  explain: PlanCheck;
}

export interface GroupResult {
  backend: BenchDatabase['backend'];
  size: number;
  location: string;
  seed: SeedReport;
  bare: Measured;
  scenarios: ScenarioResult[];
}

type Progress = (text: string) => void;

/** A load that runs in rounds and reports the merged result of all of them at the end. */
interface PhaseLoad {
  round(options: LoopOptions): Promise<void>;
  result(): LoadResult;
}

/** Seeds one backend at one size, then measures every scenario three ways. */
export async function measureGroup(
  bench: BenchDatabase,
  size: number,
  options: BenchOptions,
  progress: Progress,
): Promise<GroupResult> {
  const seed = await seedDevices(bench.database.db, size, progress);
  progress(`seeded in ${round(seed.insertSeconds + seed.summarySeconds + seed.analyzeSeconds, 1)} s`);
  const scenarios = await buildScenarios(bench.database.db, size);
  const api = await startCoreApi(bench.database);
  const generator = new HttpLoadGenerator();
  try {
    const firstPage = await fetchPage(api, scenarios[0]?.path ?? '/api/v1/devices');
    progress('bare Fastify');
    const bare = await measureBare(bench, generator, firstPage.body, options);
    const results: ScenarioResult[] = [];
    for (const scenario of scenarios) {
      progress(scenario.name);
      results.push(await measureScenario(bench, api, generator, scenario, options, bare));
    }
    return { backend: bench.backend, size, location: bench.location, seed, bare, scenarios: results };
  } finally {
    await generator.close();
    await api.close();
  }
}

/** A round lasts at least this many times the warm-up p50, so its edges weigh little. */
const ROUND_PER_LATENCY = 10;

/**
 * Runs phases in alternating rounds (SQL, API, SQL, API, …) after an unrecorded warm-up of each (JIT,
 * plan and buffer caches, pool connections). Whatever else the machine does then weighs on both
 * sides of a ratio alike instead of on whichever phase it happened to coincide with.
 *
 * autocannon drops the requests still in flight when a round ends while the server goes on working
 * through them, so a round must be long next to the latency, and the next round waits until that
 * backlog is served; otherwise a slow scenario would be measured mostly at its edges.
 */
async function interleaved(
  bench: BenchDatabase,
  options: BenchOptions,
  phases: readonly (() => PhaseLoad)[],
): Promise<Measured[]> {
  const { concurrency } = options;
  // Typical and worst latency seen in the warm-ups; with no answer at all, at least the warm-up itself.
  let typicalMs = 0;
  let slowestMs = 0;
  if (options.warmupSeconds > 0) {
    for (const make of phases) {
      const warmup = make();
      await warmup.round({ concurrency, durationSeconds: options.warmupSeconds });
      const result = warmup.result();
      const unanswered = result.requests === 0 ? options.warmupSeconds * 1000 : 0;
      typicalMs = Math.max(typicalMs, unanswered || result.p50);
      slowestMs = Math.max(slowestMs, unanswered || result.p99);
    }
  }
  // Whole seconds: autocannon only stops on its once-a-second sample tick.
  const roundSeconds = Math.ceil(
    Math.max(options.durationSeconds / options.rounds, (ROUND_PER_LATENCY * typicalMs) / 1000),
  );
  const rounds = Math.max(1, Math.floor(options.durationSeconds / roundSeconds));
  const durationSeconds = Math.max(roundSeconds, Math.floor(options.durationSeconds / rounds));
  const settle = (): Promise<void> => new Promise((resolve) => setTimeout(resolve, Math.min(slowestMs, 5000)));

  const loads = phases.map((make) => ({ load: make(), cpu: [] as { cpu: CpuUsage; seconds: number }[] }));
  for (let index = 0; index < rounds; index++) {
    for (const entry of loads) {
      entry.cpu.push(
        await measureCpu(
          () => bench.backendPids(),
          () => entry.load.round({ concurrency, durationSeconds }),
        ),
      );
      await settle();
    }
  }
  return loads.map(({ load, cpu }) => ({ ...load.result(), rounds, cpu: averageCpu(cpu) }));
}

function httpPhase(generator: HttpLoadGenerator, url: string, concurrency: number): () => PhaseLoad {
  return () => {
    const rounds: RawResult[] = [];
    return {
      round: async (load) => {
        rounds.push(await generator.round(url, load));
      },
      result: () => summariseHttp(url, concurrency, rounds),
    };
  };
}

async function measureBare(
  bench: BenchDatabase,
  generator: HttpLoadGenerator,
  body: string,
  options: BenchOptions,
): Promise<Measured> {
  const path = '/api/v1/devices';
  const bare = await startBareServer(path, body);
  try {
    const url = `${bare.origin}${path}?limit=${PAGE_SIZE}`;
    const [result] = await interleaved(bench, options, [httpPhase(generator, url, options.concurrency)]);
    if (!result) throw new Error('the bare phase produced no result');
    return result;
  } finally {
    await bare.close();
  }
}

async function measureScenario(
  bench: BenchDatabase,
  api: RunningServer,
  generator: HttpLoadGenerator,
  scenario: Scenario,
  options: BenchOptions,
  bare: LoadResult,
): Promise<ScenarioResult> {
  const query = await captureListQuery(scenario.query);
  const page = await fetchPage(api, scenario.path);
  await assertSameRows(bench, query, page.ids, scenario.name);
  const explain = await explainQuery(bench.direct, query);
  const [sql, http] = await interleaved(bench, options, [
    () => new SqlLoad(bench.direct, query),
    httpPhase(generator, `${api.origin}${scenario.path}`, options.concurrency),
  ]);
  if (!sql || !http) throw new Error(`${scenario.name}: a phase produced no result`);
  return {
    scenario: scenario.name,
    search: scenario.search,
    detail: scenario.detail,
    path: scenario.path,
    matches: scenario.matches,
    returned: page.ids.length,
    api: http,
    sql,
    apiToSql: round(http.rps / sql.rps, 3),
    apiToBare: round(http.rps / bare.rps, 3),
    explain,
  };
}

async function fetchPage(server: RunningServer, path: string): Promise<{ body: string; ids: string[] }> {
  const response = await fetch(`${server.origin}${path}`);
  const body = await response.text();
  if (response.status !== 200) throw new Error(`GET ${path} answered ${response.status}: ${body.slice(0, 300)}`);
  const parsed = JSON.parse(body) as { devices: { id: string }[] };
  return { body, ids: parsed.devices.map((device) => device.id) };
}

/** Guards the comparison: the replayed statement must return exactly the page the API serves. */
async function assertSameRows(
  bench: BenchDatabase,
  query: CapturedQuery,
  apiIds: readonly string[],
  name: string,
): Promise<void> {
  const rows = await bench.direct.query(query.sql, query.parameters);
  const sqlIds = rows.slice(0, PAGE_SIZE).map((row) => String(row.id));
  if (sqlIds.join() !== apiIds.join()) {
    throw new Error(`${name}: the direct SQL returned other rows than the API (${sqlIds.length} vs ${apiIds.length})`);
  }
}
