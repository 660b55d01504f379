// Two shutdown races of DiscoveryWorker.stop(), made deterministic with PostgreSQL table locks held
// by the test (so PostgreSQL only): SIGTERM must leave no run `running` (issue 3 item 2: "SIGTERM
// stops claiming, cancels running runs (status canceled, a log line says why) … exits within 10 s").
import { sql } from 'kysely';
import pg from 'pg';
import { afterEach, expect, it } from 'vitest';
import type { Database } from '../../src/storage/database.ts';
import type { RunRow } from '../../src/storage/discovery-run.repository.ts';
import { createHarness, describePostgres, sleep, type WorkerHarness } from './worker-harness.ts';

let harness: WorkerHarness | undefined;
let locker: pg.Client | undefined;

afterEach(async () => {
  await locker?.query('ROLLBACK').catch(() => {});
  await locker?.end().catch(() => {});
  locker = undefined;
  // A run the worker left behind keeps executing on its own; let it end before the database goes.
  if (harness) {
    const running = await harness.database.db
      .selectFrom('discovery_runs')
      .select('id')
      .where('status', '=', 'running')
      .execute();
    for (const row of running) await harness.waitForFinal(row.id, 15_000).catch(() => {});
    await harness.close();
  }
  harness = undefined;
}, 40_000);

/** Waits (bounded) until a session of this database waits for a lock with a statement containing `pattern`. */
async function waitForLockWait(database: Database, pattern: string): Promise<void> {
  for (let tries = 0; tries < 250; tries++) {
    const { rows } = await sql<{ query: string }>`
      SELECT query FROM pg_stat_activity
       WHERE datname = current_database() AND wait_event_type = 'Lock' AND query LIKE ${`%${pattern}%`}`.execute(
      database.db,
    );
    if (rows.length > 0) return;
    await sleep(20);
  }
  throw new Error(`no session waited for a lock on "${pattern}" within 5 s`);
}

// The races are staged with a second PostgreSQL session holding table locks.
describePostgres('discovery worker stop() races', (backend) => {
  it('cancels a run that stop() interrupts before its run delay began (already-aborted signal)', async () => {
    // The delay (9 s) is longer than stop()'s 8 s grace: a delay that ignores the abort outlives stop().
    harness = await createHarness(backend, { DISCOVERY_RUN_DELAY: '9s' });
    locker = new pg.Client({ connectionString: harness.url });
    await locker.connect();
    const worker = await harness.startWorker();

    // Hold the run-log table: the run is claimed, then blocks writing `discovery run started`.
    await locker.query('BEGIN');
    await locker.query('LOCK TABLE discovery_run_logs IN ACCESS EXCLUSIVE MODE');
    const queued = await harness.runs.enqueue({ scope: '127.0.0.1', stats: { stage: 'queued', preset: 'normal' } });
    await harness.waitForRun(queued.id, (run) => run.status === 'running', 'running');
    await waitForLockWait(harness.database, 'discovery_run_logs');

    const stopAt = performance.now();
    const stopping = worker.stop(); // aborts the run's signal while it is still announcing itself
    await sleep(200);
    await locker.query('COMMIT');
    await stopping;
    const stopMs = performance.now() - stopAt;

    const run = (await harness.runs.get(queued.id)) as RunRow;
    expect({ status: run.status, last_error: run.last_error, stop_ms_below_3000: stopMs < 3000 }).toEqual({
      status: 'canceled',
      last_error: 'worker shutting down',
      stop_ms_below_3000: true,
    });
  });

  it('cancels a run whose claim was in flight when stop() was called', async () => {
    harness = await createHarness(backend, { DISCOVERY_RUN_DELAY: '3s', DISCOVERY_POLL_INTERVAL: '100ms' });
    locker = new pg.Client({ connectionString: harness.url });
    await locker.connect();
    const worker = await harness.startWorker();

    // A queued run, committed together with the lock release: the worker's claim blocks on the lock first.
    await locker.query('BEGIN');
    const inserted = await locker.query<{ id: string }>(
      `INSERT INTO discovery_runs (status, scope, stats) VALUES ('queued', '127.0.0.1', '{"stage":"queued","preset":"normal"}')
       RETURNING id`,
    );
    const id = inserted.rows[0]?.id as string;
    await locker.query('LOCK TABLE discovery_runs IN ACCESS EXCLUSIVE MODE');
    await waitForLockWait(harness.database, 'UPDATE discovery_runs');

    const stopping = worker.stop();
    await sleep(200);
    await locker.query('COMMIT'); // the blocked claim now takes the run
    await stopping;

    // stop() has returned: the run must not be left running by a worker that is gone.
    const run = (await harness.runs.get(id)) as RunRow;
    const claimed = worker.logsWithMessage('discovery run claimed').length;
    expect(
      claimed === 0 ? { status: run.status } : { status: run.status, last_error: run.last_error },
      `claimed ${claimed} run(s) during stop; row: ${JSON.stringify(run)}`,
    ).toEqual(claimed === 0 ? { status: 'queued' } : { status: 'canceled', last_error: 'worker shutting down' });
  });
});
