/**
 * Latency loads for the map bench. Map requests take milliseconds, so the HTTP side is timed per
 * request (performance.now(), sub-millisecond) by closed-loop clients in a worker thread rather than
 * through autocannon's 1 ms histogram; the SQL side runs a request's statements one after the other
 * through the driver. Phases alternate in rounds so background load weighs on every side alike.
 */
import { performance } from 'node:perf_hooks';
import { Worker } from 'node:worker_threads';
import type { BenchDatabase, DirectDriver } from './backends.ts';
import type { CapturedQuery } from './capture-sql.ts';
import { averageCpu, type CpuUsage, measureCpu } from './cpu.ts';
import { percentile, round, SampleBuffer } from './stats.ts';

export interface RoundLimits {
  concurrency: number;
  /** Run at least this long… */
  minMs: number;
  /** …and until this many samples, but never longer than maxMs. */
  minSamples: number;
  maxMs: number;
}

export interface Latency {
  samples: number;
  seconds: number;
  rps: number;
  p50: number;
  p99: number;
  max: number;
  errors: number;
  rounds: number;
  cpu: CpuUsage;
}

export interface PhaseLoad {
  round(limits: RoundLimits): Promise<void>;
  samples: SampleBuffer;
  errors: number;
  seconds: number;
}

/** Runs inside the worker: plain JavaScript, keep-alive sockets, one sample per complete response. */
const WORKER_SOURCE = `
const { parentPort } = require('node:worker_threads');
const http = require('node:http');
const { performance } = require('node:perf_hooks');
const agent = new http.Agent({ keepAlive: true, maxSockets: 256 });
function once(url) {
  return new Promise((resolve) => {
    const request = http.get(url, { agent }, (response) => {
      let bytes = 0;
      response.on('data', (chunk) => { bytes += chunk.length; });
      response.on('end', () => resolve({ ok: response.statusCode === 200, bytes }));
      response.on('error', () => resolve({ ok: false, bytes }));
    });
    request.on('error', () => resolve({ ok: false, bytes: 0 }));
  });
}
parentPort.on('message', async ({ id, url, concurrency, minMs, minSamples, maxMs }) => {
  const samples = [];
  let errors = 0;
  const started = performance.now();
  const loop = async () => {
    for (;;) {
      const elapsed = performance.now() - started;
      if (elapsed >= maxMs || (elapsed >= minMs && samples.length >= minSamples)) return;
      const sent = performance.now();
      const result = await once(url);
      if (result.ok) samples.push(performance.now() - sent);
      else errors++;
    }
  };
  await Promise.all(Array.from({ length: concurrency }, loop));
  parentPort.postMessage({ id, samples: Float64Array.from(samples), errors, ms: performance.now() - started });
});
`;

interface WorkerReply {
  id: number;
  samples: Float64Array;
  errors: number;
  ms: number;
}

export class HttpLatencyClient {
  private readonly worker = new Worker(WORKER_SOURCE, { eval: true });
  private readonly pending = new Map<number, (reply: WorkerReply) => void>();
  private nextId = 0;

  constructor() {
    this.worker.on('message', (reply: WorkerReply) => {
      this.pending.get(reply.id)?.(reply);
      this.pending.delete(reply.id);
    });
  }

  run(url: string, limits: RoundLimits): Promise<WorkerReply> {
    const id = this.nextId++;
    return new Promise((resolve) => {
      this.pending.set(id, resolve);
      this.worker.postMessage({ id, url, ...limits });
    });
  }

  phase(url: string): PhaseLoad {
    const load: PhaseLoad = {
      samples: new SampleBuffer(),
      errors: 0,
      seconds: 0,
      round: async (limits) => {
        const reply = await this.run(url, limits);
        for (const sample of reply.samples) load.samples.push(sample);
        load.errors += reply.errors;
        load.seconds += reply.ms / 1000;
      },
    };
    return load;
  }

  async close(): Promise<void> {
    await this.worker.terminate();
  }
}

/** A request's statements in order through the driver, in `concurrency` closed loops; one sample per sequence. */
export function statementPhase(driver: DirectDriver, statements: readonly CapturedQuery[]): PhaseLoad {
  const load: PhaseLoad = {
    samples: new SampleBuffer(),
    errors: 0,
    seconds: 0,
    round: async ({ concurrency, minMs, minSamples, maxMs }) => {
      const started = performance.now();
      let taken = 0;
      const loop = async (): Promise<void> => {
        for (;;) {
          const elapsed = performance.now() - started;
          if (elapsed >= maxMs || (elapsed >= minMs && taken >= minSamples)) return;
          const sent = performance.now();
          try {
            for (const statement of statements) await driver.query(statement.sql, statement.parameters);
            load.samples.push(performance.now() - sent);
            taken++;
          } catch {
            load.errors++;
          }
        }
      };
      await Promise.all(Array.from({ length: concurrency }, loop));
      load.seconds += (performance.now() - started) / 1000;
    },
  };
  return load;
}

export interface InterleaveOptions {
  concurrency: number;
  rounds: number;
  /** Measured time per phase, split over the rounds. */
  durationSeconds: number;
  /** Unrecorded time per phase before the first round. */
  warmupSeconds: number;
  /** Samples per phase at least (split over the rounds), within maxSeconds. */
  minSamples: number;
  maxSeconds: number;
}

/**
 * Unrecorded warm-up of each phase, then `rounds` rounds of every phase in turn (A, B, C, A, B, C…),
 * each with the CPU it took from this process, the PostgreSQL backends and everything else.
 */
export async function interleaved(
  bench: BenchDatabase,
  options: InterleaveOptions,
  makers: readonly (() => PhaseLoad)[],
): Promise<Latency[]> {
  const { concurrency, rounds } = options;
  for (const make of makers) {
    await make().round({ concurrency, minMs: options.warmupSeconds * 1000, minSamples: 1, maxMs: 10_000 });
  }
  const limits: RoundLimits = {
    concurrency,
    minMs: (options.durationSeconds * 1000) / rounds,
    minSamples: Math.ceil(options.minSamples / rounds),
    maxMs: (options.maxSeconds * 1000) / rounds,
  };
  const phases = makers.map((make) => ({ load: make(), cpu: [] as { cpu: CpuUsage; seconds: number }[] }));
  for (let index = 0; index < rounds; index++) {
    for (const phase of phases) {
      phase.cpu.push(
        await measureCpu(
          () => bench.backendPids(),
          () => phase.load.round(limits),
        ),
      );
    }
  }
  return phases.map(({ load, cpu }) => {
    const sorted = load.samples.sorted();
    return {
      samples: load.samples.count,
      seconds: round(load.seconds, 2),
      rps: round(load.samples.count / load.seconds, 1),
      p50: round(percentile(sorted, 0.5), 2),
      p99: round(percentile(sorted, 0.99), 2),
      max: round(sorted[sorted.length - 1] ?? Number.NaN, 2),
      errors: load.errors,
      rounds,
      cpu: averageCpu(cpu),
    };
  });
}
