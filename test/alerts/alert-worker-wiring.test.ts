// The alert loops inside the discovery worker, built exactly as `roller core` builds it
// (`startWorker`): rules and channels made through the API, an event written as presence writes it,
// the webhook received by a real server, the outcome counted on the worker's metrics.
// ALERTS_ENABLED=false keeps the loops out of the worker.
import { afterAll, afterEach, beforeAll, expect, it } from 'vitest';
import { type Backend, describeEachBackend } from '../support/backends.ts';
import { createHarness, metricValue, sleep, type WorkerHarness } from '../worker/worker-harness.ts';
import { addEvent, newDevice } from './engine-support.ts';
import { type HttpReceiver, startHttpReceiver } from './receivers.ts';

let harness: WorkerHarness | undefined;
let receiver: HttpReceiver;

beforeAll(async () => {
  receiver = await startHttpReceiver();
});
afterAll(async () => {
  await receiver.close();
});
afterEach(async () => {
  await harness?.close();
  harness = undefined;
  receiver.requests.length = 0;
}, 30_000);

async function setUp(backend: Backend, env: Record<string, string>): Promise<WorkerHarness> {
  const h = await createHarness(backend, { ALERTS_INTERVAL: '100ms', ALERTS_SETTLE: '0', ...env });
  const channel = await h.api('POST', '/api/v1/alert-channels', {
    name: 'hook',
    type: 'webhook',
    config: { url: `${receiver.url}/wired` },
  });
  expect(channel.status).toBe(201);
  const rule = await h.api('POST', '/api/v1/alert-rules', {
    name: 'offline',
    event: 'device_offline',
    channel_ids: [channel.body.id],
  });
  expect(rule.status).toBe(201);
  return h;
}

describeEachBackend('alert loops in the worker', (backend) => {
  it('raises and delivers alerts on the worker timers and counts the outcome', async () => {
    harness = await setUp(backend, {});
    const worker = await harness.startWorker();
    await addEvent(harness.database, await newDevice(harness.database, { name: 'edge-1' }), 'went_offline');
    for (let i = 0; i < 200 && receiver.requests.length === 0; i++) await sleep(25);
    expect(receiver.requests).toHaveLength(1);
    expect(JSON.parse(receiver.requests[0]?.body ?? '{}').title).toBe('Offline: edge-1');
    let sent: number | undefined;
    for (let i = 0; i < 100 && sent === undefined; i++) {
      sent = metricValue(
        await worker.metrics.registry.metrics(),
        'roller_alert_deliveries_total{channel_type="webhook",outcome="sent"}',
      );
      if (sent === undefined) await sleep(25);
    }
    expect(sent).toBe(1);
  });

  it('runs no alert loops with ALERTS_ENABLED=false', async () => {
    harness = await setUp(backend, { ALERTS_ENABLED: 'false' });
    await harness.startWorker();
    await addEvent(harness.database, await newDevice(harness.database, { name: 'edge-2' }), 'went_offline');
    // Long enough for several passes at ALERTS_INTERVAL=100ms had the loops been started.
    await sleep(600);
    expect(receiver.requests).toHaveLength(0);
  });
});
