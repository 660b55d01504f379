import { performance } from 'node:perf_hooks';
import type { DirectDriver } from './backends.ts';
import type { CapturedQuery } from './capture-sql.ts';
import { type LoadResult, percentile, round, SampleBuffer } from './stats.ts';

export interface LoopOptions {
  concurrency: number;
  durationSeconds: number;
}

/**
 * The reference: the API's statement replayed through the driver by `concurrency` closed loops, the
 * same shape of load autocannon puts on the API (each loop waits for its answer before the next).
 * Samples accumulate over rounds, so a phase can be interleaved with another one.
 */
export class SqlLoad {
  private readonly samples = new SampleBuffer();
  private errors = 0;
  private seconds = 0;

  constructor(
    private readonly driver: DirectDriver,
    private readonly query: CapturedQuery,
  ) {}

  async round({ concurrency, durationSeconds }: LoopOptions): Promise<void> {
    const started = performance.now();
    const deadline = started + durationSeconds * 1000;
    const loop = async (): Promise<void> => {
      while (performance.now() < deadline) {
        const sent = performance.now();
        try {
          await this.driver.query(this.query.sql, this.query.parameters);
          this.samples.push(performance.now() - sent);
        } catch {
          this.errors++;
        }
      }
    };
    await Promise.all(Array.from({ length: concurrency }, loop));
    this.seconds += (performance.now() - started) / 1000;
  }

  result(): LoadResult {
    const sorted = this.samples.sorted();
    return {
      requests: this.samples.count,
      seconds: round(this.seconds, 2),
      rps: round(this.samples.count / this.seconds, 1),
      p50: round(percentile(sorted, 0.5), 2),
      p99: round(percentile(sorted, 0.99), 2),
      errors: this.errors,
    };
  }
}
