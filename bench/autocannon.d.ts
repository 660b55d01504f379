// autocannon ships no types; this declares only the part of its programmatic API the bench uses.
declare module 'autocannon' {
  /** A round run with skipAggregateResult: totals plus encoded histograms, for aggregateResult. */
  interface RawResult {
    duration: number;
    errors: number;
    timeouts: number;
    non2xx: number;
    '2xx': number;
  }

  interface Result extends RawResult {
    latency: { average: number; p50: number; p99: number; max: number };
  }

  function aggregateResult(results: RawResult[], options: { url: string; connections: number }): Result;

  const autocannon: { aggregateResult: typeof aggregateResult };

  export type { RawResult, Result };
  export default autocannon;
}
