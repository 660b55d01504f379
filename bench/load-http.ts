import { Worker } from 'node:worker_threads';
import autocannon, { type RawResult } from 'autocannon';
import type { LoopOptions } from './load-sql.ts';
import { type LoadResult, round } from './stats.ts';

type Reply = { id: number; result: RawResult } | { id: number; error: string };

/**
 * autocannon in a worker thread (http-load.worker.mjs): closed-loop connections, like a real client
 * on another core. One generator serves every round of a run.
 */
export class HttpLoadGenerator {
  private readonly worker = new Worker(new URL('./http-load.worker.mjs', import.meta.url));
  private readonly pending = new Map<number, { resolve: (raw: RawResult) => void; reject: (error: Error) => void }>();
  private nextId = 0;

  constructor() {
    this.worker.on('message', (reply: Reply) => {
      const waiter = this.pending.get(reply.id);
      this.pending.delete(reply.id);
      if ('error' in reply) waiter?.reject(new Error(`autocannon: ${reply.error}`));
      else waiter?.resolve(reply.result);
    });
    this.worker.on('error', (error) => {
      for (const waiter of this.pending.values()) waiter.reject(error);
      this.pending.clear();
    });
  }

  round(
    url: string,
    { concurrency, durationSeconds }: LoopOptions,
    headers?: Record<string, string>,
  ): Promise<RawResult> {
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      this.worker.postMessage({ id, url, connections: concurrency, duration: durationSeconds, headers });
    });
  }

  async close(): Promise<void> {
    await this.worker.terminate();
  }
}

/**
 * Merges the rounds of one phase: latency percentiles from the combined histogram (autocannon's has
 * 1 ms resolution, so sub-millisecond p50s read as 0 or 1), rate from the summed totals.
 */
export function summariseHttp(url: string, concurrency: number, rounds: RawResult[]): LoadResult {
  const merged = autocannon.aggregateResult(rounds, { url, connections: concurrency });
  const ok = rounds.reduce((sum, raw) => sum + raw['2xx'], 0);
  const seconds = rounds.reduce((sum, raw) => sum + raw.duration, 0);
  const errors = rounds.reduce((sum, raw) => sum + raw.errors + raw.timeouts + raw.non2xx, 0);
  return {
    requests: ok,
    seconds: round(seconds, 2),
    rps: round(ok / seconds, 1),
    p50: merged.latency.p50,
    p99: merged.latency.p99,
    errors,
  };
}
