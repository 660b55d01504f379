// The discovery worker in-process (SPEC §5.1–§5.2, §5.14; issue 3 item 2), on both backends: built
// exactly as `roller core` builds it (startWorker + loadConfig), against a fresh database, with runs
// enqueued through the API or the repository. Every scope is loopback (127.0.0.0/8) only.
import { sql } from 'kysely';
import { afterEach, expect, it } from 'vitest';
import type { RunRow } from '../../src/storage/discovery-run.repository.ts';
import { describeEachBackend } from '../support/backends.ts';
import { createHarness, metricValue, ms, sleep, type WorkerHarness } from './worker-harness.ts';

let harness: WorkerHarness | undefined;

afterEach(async () => {
  await harness?.close();
  harness = undefined;
}, 30_000);

/** The hosts of 127.0.0.0/29: its network (.0) and broadcast (.7) addresses are not probed. */
const LOOPBACK_29 = ['127.0.0.1', '127.0.0.2', '127.0.0.3', '127.0.0.4', '127.0.0.5', '127.0.0.6'];

describeEachBackend('discovery worker (in-process)', (backend) => {
  it('claims a queued run at once on NOTIFY, runs it after the run delay and records loopback devices', async () => {
    harness = await createHarness(backend, { DISCOVERY_POLL_INTERVAL: '5s', DISCOVERY_RUN_DELAY: '1s' });
    const worker = await harness.startWorker();
    // Let the loop finish its first (empty) pass and fall asleep for the 5 s poll interval.
    await sleep(500);

    const queued = await harness.enqueueViaApi({ scope: '127.0.0.0/29' });
    expect(queued.status).toBe('queued');
    const run = await harness.waitForFinal(queued.id);

    expect(run.status, JSON.stringify(run)).toBe('succeeded');
    expect(run.last_error).toBeNull();
    expect(run.queued_at).toBe(queued.queued_at); // the enqueue time is kept, not overwritten by the claim
    expect(run.worker_id).toBe(worker.worker.id);
    const latencyMs = ms(run.started_at) - ms(run.queued_at);
    console.log(`[figures] claim latency (${backend.kind}, poll interval 5s): ${latencyMs.toFixed(1)}ms`);
    expect(latencyMs).toBeGreaterThanOrEqual(0);
    // Far below the 5 s poll interval: only NOTIFY can have woken the worker this early.
    expect(latencyMs).toBeLessThan(2000);
    // started_at is the claim: the 1 s run delay lies between it and completion.
    expect(ms(run.completed_at) - ms(run.started_at)).toBeGreaterThanOrEqual(1000);
    // The /29 counts 8 addresses; its network and broadcast addresses are not probed (G-25).
    expect(run.stats).toMatchObject({ stage: 'completed', scope_targets: 8, ping_attempted: 6, ping_succeeded: 6 });

    const messages = (await harness.runLog(run.id)).map((line) => line.message);
    expect(messages[0]).toBe('discovery run started');
    expect(messages).toContain('scan preset: normal');
    expect(messages).toContain('scope targets: 8 (max=1024)');
    expect(messages).toContain('ping sweep: attempted=6 succeeded=6');
    expect(messages.at(-1)).toBe('discovery run completed');

    // Every loopback address of the /29 answered and became a device of its own (no MAC: keyed by IP).
    const { rows } = await sql<{ ip: string; device_id: string }>`
      SELECT host(ip) AS ip, device_id FROM ip_addresses ORDER BY ip`.execute(harness.database.db);
    expect(rows.map((row) => row.ip)).toEqual(LOOPBACK_29);
    expect(new Set(rows.map((row) => row.device_id)).size).toBe(6);
    const observed = await sql<{ count: number }>`
      SELECT count(*)::int AS count FROM ip_observations WHERE run_id = ${run.id}`.execute(harness.database.db);
    expect(observed.rows[0]?.count).toBe(6);

    // SPEC §5.14: the claim is logged with the run id; the counters moved.
    expect(worker.logsWithMessage('discovery run claimed').map((log) => log.run_id)).toEqual([run.id]);
    const metrics = await worker.metrics.registry.metrics();
    expect(metricValue(metrics, 'roller_discovery_runs_total')).toBe(1);
    expect(metricValue(metrics, 'roller_discovery_runs_finished_total{status="succeeded"}')).toBe(1);
    expect(metricValue(metrics, 'roller_discovery_runs_finished_total{status="failed"}')).toBeUndefined();
    expect(metricValue(metrics, 'roller_discovery_run_duration_seconds_count')).toBe(1);
  });

  it('cancels a queued run at once and a running one within a few seconds (operator request)', async () => {
    harness = await createHarness(backend, { DISCOVERY_RUN_DELAY: '20s' });
    const worker = await harness.startWorker();
    const first = await harness.enqueueViaApi({ scope: '127.0.0.1' });
    const second = await harness.enqueueViaApi({ scope: '127.0.0.2' });
    await harness.waitForRun(first.id, (run) => run.status === 'running', 'running');

    // Concurrency 1: the second run waits in the queue; canceling it needs no worker.
    const canceledQueued = await harness.api<RunRow>('POST', `/api/v1/discovery/runs/${second.id}/cancel`);
    expect(canceledQueued.status).toBe(202);
    expect(canceledQueued.body).toMatchObject({ status: 'canceled', last_error: 'canceled before it started' });
    expect((await harness.runLog(second.id)).map((line) => line.message)).toEqual([
      'discovery run canceled: requested by operator before it started',
    ]);

    const requestedAt = performance.now();
    const cancel = await harness.api<RunRow>('POST', `/api/v1/discovery/runs/${first.id}/cancel`);
    expect(cancel.status).toBe(202);
    expect(cancel.body.status).toBe('running');
    expect(cancel.body.cancel_requested_at).toBeTruthy();
    const run = await harness.waitForFinal(first.id, 6000);
    const tookMs = performance.now() - requestedAt;
    console.log(`[figures] cancel of a running run (${backend.kind}): ${Math.round(tookMs)}ms`);

    expect(run.status).toBe('canceled');
    expect(run.last_error).toBe('requested by operator');
    expect(run.stats.stage).toBe('canceled');
    expect(ms(run.completed_at) - ms(run.started_at)).toBeLessThan(10_000); // not the 20 s delay
    const log = await harness.runLog(first.id);
    expect(log.map((line) => line.message).filter((message) => message.startsWith('discovery run canceled:'))).toEqual([
      'discovery run canceled: requested by operator',
    ]);
    expect(log.map((line) => line.message)).not.toContain('discovery run completed');

    const again = await harness.api<{ error: { code: string } }>('POST', `/api/v1/discovery/runs/${first.id}/cancel`);
    expect(again.status).toBe(409);
    // The worker counted the run it ended (the queued one never reached it).
    const metrics = await worker.metrics.registry.metrics();
    expect(metricValue(metrics, 'roller_discovery_runs_total')).toBe(1);
    expect(metricValue(metrics, 'roller_discovery_runs_finished_total{status="canceled"}')).toBe(1);
  });

  it('fails a run whose runtime budget expires during the run delay', async () => {
    harness = await createHarness(backend, { DISCOVERY_MAX_RUNTIME: '1s', DISCOVERY_RUN_DELAY: '5s' });
    const worker = await harness.startWorker();
    const queued = await harness.enqueueViaApi({ scope: '127.0.0.1' });
    const run = await harness.waitForFinal(queued.id, 8000);

    expect(run.status).toBe('failed');
    expect(run.last_error).toContain('runtime budget');
    expect(run.stats.stage).toBe('failed');
    const elapsed = ms(run.completed_at) - ms(run.started_at);
    expect(elapsed).toBeGreaterThanOrEqual(1000);
    expect(elapsed).toBeLessThan(4000); // the budget, not the 5 s delay, ended it
    const messages = (await harness.runLog(run.id)).map((line) => line.message);
    expect(messages.at(-1)).toBe(`discovery run failed: ${run.last_error}`);
    const metrics = await worker.metrics.registry.metrics();
    expect(metricValue(metrics, 'roller_discovery_runs_finished_total{status="failed"}')).toBe(1);
  });

  it('stop() cancels the running run ("worker shutting down"), waits for it and claims nothing more', async () => {
    harness = await createHarness(backend, { DISCOVERY_RUN_DELAY: '20s' });
    const worker = await harness.startWorker();
    const queued = await harness.enqueueViaApi({ scope: '127.0.0.1' });
    await harness.waitForRun(queued.id, (run) => run.status === 'running', 'running');
    await sleep(200); // inside its run delay

    const stopAt = performance.now();
    await worker.stop();
    const stopMs = performance.now() - stopAt;
    console.log(`[figures] worker stop with a running run (${backend.kind}): ${Math.round(stopMs)}ms`);
    expect(stopMs).toBeLessThan(3000);

    // Final before stop() returned: nothing is left running behind the stopped worker.
    const run = await harness.runs.get(queued.id);
    expect(run?.status).toBe('canceled');
    expect(run?.last_error).toBe('worker shutting down');
    const messages = (await harness.runLog(queued.id)).map((line) => line.message);
    expect(messages.at(-1)).toBe('discovery run canceled: worker shutting down');
    expect(worker.logsWithMessage('discovery worker stopped')).toHaveLength(1);

    // A stopped worker claims nothing, NOTIFY or not.
    const later = await harness.enqueueViaApi({ scope: '127.0.0.2' });
    await sleep(800);
    expect((await harness.runs.get(later.id))?.status).toBe('queued');
    expect(worker.logsWithMessage('discovery run claimed')).toHaveLength(1);
  });

  it('fails runs of a worker that stopped heart-beating with "worker lost"', async () => {
    harness = await createHarness(backend, { DISCOVERY_WORKER_STALE_AFTER: '3s' });
    const { db } = harness.database;
    const lost = await harness.runs.enqueue({ scope: '127.0.0.1', stats: { stage: 'queued', preset: 'normal' } });
    const alive = await harness.runs.enqueue({ scope: '127.0.0.2', stats: { stage: 'queued', preset: 'normal' } });
    // Left behind by other workers: one silent for a minute, one that heart-beat just now.
    await sql`
      UPDATE discovery_runs SET status = 'running', worker_id = 'elsewhere:4242:dead00',
        started_at = now() - interval '70 seconds', heartbeat_at = now() - interval '60 seconds',
        stats = stats || '{"stage":"running"}'::jsonb
      WHERE id = ${lost.id}`.execute(db);
    await sql`
      UPDATE discovery_runs SET status = 'running', worker_id = 'elsewhere:4343:a11ve0',
        started_at = now(), heartbeat_at = now(), stats = stats || '{"stage":"running"}'::jsonb
      WHERE id = ${alive.id}`.execute(db);
    const aliveRow = await harness.runs.get(alive.id);

    const worker = await harness.startWorker();
    const failed = await harness.waitForFinal(lost.id, 3000);
    expect(failed.status).toBe('failed');
    expect(failed.last_error).toBe('worker lost');
    expect(failed.worker_id).toBe('elsewhere:4242:dead00');
    expect((await harness.runLog(lost.id)).map((line) => line.message)).toEqual(['discovery run failed: worker lost']);

    if (backend.kind === 'postgres') {
      // Shared database: a run whose worker heart-beat recently belongs to that worker…
      expect(worker.logsWithMessage('failed runs left running by a lost worker')[0]?.run_ids).toEqual([lost.id]);
      expect((await harness.runs.get(alive.id))?.status).toBe('running');
      // …until its heartbeat is older than the stale period; then the live worker's periodic check fails it.
      const later = await harness.waitForFinal(alive.id, 8000);
      expect(later.last_error).toBe('worker lost');
      expect(ms(later.completed_at) - ms(aliveRow?.heartbeat_at ?? null)).toBeGreaterThanOrEqual(3000);
      expect(worker.logsWithMessage('failed runs of a lost worker')[0]?.run_ids).toEqual([alive.id]);
    } else {
      // Embedded database: this process is the only possible owner, so everything running is lost at start.
      const later = await harness.waitForFinal(alive.id, 3000);
      expect(later.last_error).toBe('worker lost');
      expect(worker.logsWithMessage('failed runs left running by a lost worker')[0]?.run_ids).toEqual(
        expect.arrayContaining([lost.id, alive.id]),
      );
    }
    expect((await harness.runLog(alive.id)).map((line) => line.message)).toEqual(['discovery run failed: worker lost']);
    // Recovered, not re-executed.
    expect(worker.logsWithMessage('discovery run claimed')).toEqual([]);
  });

  it('executes queued runs one at a time in queued order (concurrency 1)', async () => {
    harness = await createHarness(backend, { DISCOVERY_RUN_DELAY: '150ms' });
    const queued: RunRow[] = [];
    for (let index = 1; index <= 4; index++) {
      queued.push(
        await harness.runs.enqueue({ scope: `127.0.0.${index}`, stats: { stage: 'queued', preset: 'normal' } }),
      );
      await sleep(5); // distinct queued_at even at millisecond precision
    }
    const worker = await harness.startWorker();
    const done: RunRow[] = [];
    for (const run of queued) done.push(await harness.waitForFinal(run.id));

    expect(done.map((run) => run.status)).toEqual(['succeeded', 'succeeded', 'succeeded', 'succeeded']);
    expect(worker.logsWithMessage('discovery run claimed').map((log) => log.run_id)).toEqual(
      queued.map((run) => run.id),
    );
    for (let index = 1; index < done.length; index++) {
      const previous = done[index - 1] as RunRow;
      const current = done[index] as RunRow;
      expect(ms(current.queued_at)).toBeGreaterThan(ms(previous.queued_at));
      // One at a time: the next claim comes after the previous run ended.
      expect(ms(current.started_at)).toBeGreaterThanOrEqual(ms(previous.completed_at));
    }
  });

  it('turns a due schedule into exactly one run, even with two workers polling', async () => {
    harness = await createHarness(backend, { DISCOVERY_POLL_INTERVAL: '100ms' });
    const { db } = harness.database;
    const workers = [await harness.startWorker()];
    if (backend.kind === 'postgres')
      workers.push(await harness.startWorker({ database: await harness.openSecondPool() }));

    const created = await harness.api<{ id: string; next_run_at: string }>('POST', '/api/v1/discovery/schedules', {
      name: 'loopback hourly',
      scope: '127.0.0.1',
      preset: 'fast',
      interval_seconds: 3600,
    });
    expect(created.status).toBe(201);
    expect(ms(created.body.next_run_at)).toBeGreaterThan(Date.now() + 3_500_000); // not due yet
    await sleep(400);
    expect(await harness.runs.countActive()).toEqual({ queued: 0, running: 0 });

    const forcedAt = Date.now();
    await sql`UPDATE discovery_schedules SET next_run_at = now() - interval '10 minutes' WHERE id = ${created.body.id}`.execute(
      db,
    );
    const appeared = async (): Promise<number> =>
      (await sql<{ count: number }>`SELECT count(*)::int AS count FROM discovery_runs`.execute(db)).rows[0]?.count ?? 0;
    for (let tries = 0; tries < 100 && (await appeared()) === 0; tries++) await sleep(50);
    // Many more poll iterations of every worker.
    await sleep(1500);
    const { rows } = await sql<{ id: string; schedule_id: string | null }>`
      SELECT id, schedule_id FROM discovery_runs`.execute(db);
    expect(rows).toHaveLength(1);
    const runId = rows[0]?.id as string;
    expect(rows[0]?.schedule_id).toBe(created.body.id);
    const run = await harness.waitForFinal(runId);
    expect(run.status).toBe('succeeded');
    expect(run.stats).toMatchObject({ preset: 'fast', schedule_id: created.body.id });

    const schedule = await harness.api<{ next_run_at: string; last_run_id: string }>(
      'GET',
      `/api/v1/discovery/schedules/${created.body.id}`,
    );
    expect(schedule.body.last_run_id).toBe(runId);
    expect(ms(schedule.body.next_run_at)).toBeGreaterThanOrEqual(forcedAt + 3_590_000); // moved one interval on
    const enqueuedLogs = workers.flatMap((worker) => worker.logsWithMessage('scheduled discovery run enqueued'));
    expect(enqueuedLogs.map((log) => log.run_id)).toEqual([runId]);
    const claims = workers.flatMap((worker) => worker.logsWithMessage('discovery run claimed'));
    expect(claims.map((log) => log.run_id)).toEqual([runId]);
  });
});
