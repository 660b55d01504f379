import { cpus } from 'node:os';

export type BackendName = 'pglite' | 'postgres';

export interface BenchOptions {
  sizes: number[];
  backends: BackendName[];
  /** Measured seconds per phase (each API, direct-SQL and bare run), split into `rounds`. */
  durationSeconds: number;
  /** The API and SQL phases of a scenario alternate this many times, so background noise hits both. */
  rounds: number;
  /** Seconds of unrecorded load before each measured phase, so JIT and caches are warm. */
  warmupSeconds: number;
  concurrency: number;
  /** PostgreSQL connections of the API and of the direct-SQL pool (Roller's DATABASE_POOL_SIZE default). */
  poolSize: number;
  /** An admin URL of a role that may CREATE DATABASE; the bench database is created next to it. */
  postgresUrl: string;
}

const USAGE = `usage: npm run bench -- [--sizes=10000,100000] [--backends=pglite,postgres] [--duration=5]
       [--rounds=5] [--warmup=1] [--concurrency=16] [--pool-size=10] [--postgres-url=postgres://…@127.0.0.1:5432/db]
Each flag can also be given as an environment variable: BENCH_SIZES, BENCH_BACKENDS, BENCH_DURATION,
BENCH_ROUNDS, BENCH_WARMUP, BENCH_CONCURRENCY, BENCH_POOL_SIZE, BENCH_POSTGRES_URL.`;

const DEFAULT_POSTGRES_URL = 'postgres://roller:roller@127.0.0.1:5432/roller_test';

/** Hosts the bench may talk to: it generates load, so it must never aim at anything but this machine. */
const LOOPBACK = new Set(['127.0.0.1', 'localhost', '[::1]']);

export class OptionsError extends Error {
  override readonly name = 'OptionsError';
}

/** argv flags win over environment variables, which win over defaults. */
export function parseOptions(argv: readonly string[], env: NodeJS.ProcessEnv): BenchOptions {
  const flags = new Map<string, string>();
  for (const arg of argv) {
    if (arg === '--help' || arg === '-h') throw new OptionsError(USAGE);
    const match = /^--([a-z-]+)=(.*)$/.exec(arg);
    if (!match?.[1] || match[2] === undefined) throw new OptionsError(`unknown argument ${arg}\n${USAGE}`);
    flags.set(match[1], match[2]);
  }
  const value = (flag: string, envName: string): string | undefined => flags.get(flag) ?? env[envName];

  const sizes = list(value('sizes', 'BENCH_SIZES') ?? '10000,100000').map((text) => integer('sizes', text, 100));
  const backends = list(value('backends', 'BENCH_BACKENDS') ?? 'pglite,postgres').map((text) => {
    if (text !== 'pglite' && text !== 'postgres') throw new OptionsError(`backends: ${text} is not pglite or postgres`);
    return text;
  });
  const postgresUrl = value('postgres-url', 'BENCH_POSTGRES_URL') ?? DEFAULT_POSTGRES_URL;
  const host = new URL(postgresUrl).hostname;
  if (!LOOPBACK.has(host)) throw new OptionsError(`postgres-url: only 127.0.0.1 is allowed, not ${host}`);
  return {
    sizes,
    backends: [...new Set(backends)],
    durationSeconds: integer('duration', value('duration', 'BENCH_DURATION') ?? '5', 1),
    rounds: integer('rounds', value('rounds', 'BENCH_ROUNDS') ?? '5', 1),
    warmupSeconds: integer('warmup', value('warmup', 'BENCH_WARMUP') ?? '1', 0),
    concurrency: integer('concurrency', value('concurrency', 'BENCH_CONCURRENCY') ?? '16', 1),
    poolSize: integer('pool-size', value('pool-size', 'BENCH_POOL_SIZE') ?? '10', 1),
    postgresUrl,
  };
}

function list(text: string): string[] {
  return text
    .split(',')
    .map((item) => item.trim())
    .filter((item) => item.length > 0);
}

function integer(name: string, text: string, min: number): number {
  const number = Number(text.replace(/_/g, ''));
  if (!Number.isInteger(number) || number < min) throw new OptionsError(`${name}: ${text} is not an integer ≥ ${min}`);
  return number;
}

export function machineInfo(): { cores: number; cpu: string; node: string; platform: string } {
  const list = cpus();
  return { cores: list.length, cpu: list[0]?.model ?? 'unknown', node: process.version, platform: process.platform };
}
