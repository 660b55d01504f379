// Runs autocannon in its own thread, so the load generator never shares the event loop of the
// server under test. Each message is one round; the raw result (with its encoded latency
// histogram) goes back so the main thread can merge rounds with autocannon.aggregateResult.
import { parentPort } from 'node:worker_threads';
import autocannon from 'autocannon';

parentPort?.on('message', async ({ id, url, connections, duration, headers }) => {
  try {
    const result = await autocannon({ url, connections, duration, headers, timeout: 10, skipAggregateResult: true });
    parentPort?.postMessage({ id, result });
  } catch (error) {
    parentPort?.postMessage({ id, error: error instanceof Error ? error.message : String(error) });
  }
});
