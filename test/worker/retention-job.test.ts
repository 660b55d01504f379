// The retention job inside the discovery worker, built exactly as `roller core` builds it: at start
// a worker runs the latest scheduled slot nobody has run yet; with several workers on one database
// exactly one of them runs it; RETENTION_ENABLED=false keeps the job out of the worker.
import { sql } from 'kysely';
import { afterEach, expect, it } from 'vitest';
import { describeEachBackend } from '../support/backends.ts';
import { createHarness, metricValue, sleep, type TestWorker, type WorkerHarness } from './worker-harness.ts';

let harness: WorkerHarness | undefined;

afterEach(async () => {
  await harness?.close();
  harness = undefined;
}, 30_000);

async function waitForLog(workers: TestWorker[], message: string, limitMs = 15_000): Promise<void> {
  const deadline = performance.now() + limitMs;
  while (!workers.some((worker) => worker.logsWithMessage(message).length > 0)) {
    if (performance.now() > deadline) throw new Error(`no worker logged "${message}" within ${limitMs} ms`);
    await sleep(25);
  }
}

describeEachBackend('retention job in the worker', (backend) => {
  it('runs the due slot once across workers, logs it and counts it in the metrics', async () => {
    // Daily, two minutes ago: that slot is unclaimed on a fresh database and the next is a day away.
    const slot = new Date(Date.now() - 120_000);
    const schedule = `${slot.getUTCMinutes()} ${slot.getUTCHours()} * * *`;
    harness = await createHarness(backend, { RETENTION_SCHEDULE: schedule, DISCOVERY_POLL_INTERVAL: '5s' });
    const old = await sql<{ id: string }>`INSERT INTO devices DEFAULT VALUES RETURNING id`.execute(harness.database.db);
    await sql`INSERT INTO device_events (device_id, kind, summary, event_at)
              VALUES (${old.rows[0]?.id as string}, 'ip_added', 'old', now() - interval '400 days')`.execute(
      harness.database.db,
    );
    // Two workers need PostgreSQL (two pools, as two processes would have); the embedded database
    // belongs to one process with one worker, whose claim races nobody.
    const workers = harness.url
      ? await Promise.all([harness.startWorker(), harness.startWorker({ database: await harness.openSecondPool() })])
      : [await harness.startWorker()];
    await waitForLog(workers, 'retention run finished');
    // Give the loser time to have tried (it claims at start as well).
    await sleep(500);

    const finished = workers.flatMap((worker) => worker.logsWithMessage('retention run finished'));
    expect(finished).toHaveLength(1);
    expect(finished[0]).toMatchObject({ dry_run: false, trigger: 'schedule', total: 1 });
    expect(finished[0]?.deleted).toMatchObject({ device_events: 1 });
    const { rows } = await sql<{ n: number }>`
      SELECT count(*)::int AS n FROM maintenance_runs WHERE job = 'retention' AND trigger = 'schedule'`.execute(
      harness.database.db,
    );
    expect(rows[0]?.n).toBe(1);
    const texts = await Promise.all(workers.map((worker) => worker.metrics.registry.metrics()));
    const counted = texts.map((text) =>
      metricValue(text, 'roller_retention_deleted_rows_total{table="device_events"}'),
    );
    expect(counted.filter((value) => value === 1)).toHaveLength(1);
    expect(counted.filter((value) => value === undefined)).toHaveLength(workers.length - 1);
  });

  it('stays out of the worker when RETENTION_ENABLED=false', async () => {
    harness = await createHarness(backend, { RETENTION_ENABLED: 'false', RETENTION_SCHEDULE: '* * * * *' });
    const worker = await harness.startWorker();
    await sleep(1000);
    expect(worker.logsWithMessage('retention job scheduled')).toEqual([]);
    const { rows } = await sql<{ n: number }>`SELECT count(*)::int AS n FROM maintenance_runs`.execute(
      harness.database.db,
    );
    expect(rows[0]?.n).toBe(0);
  });
});
