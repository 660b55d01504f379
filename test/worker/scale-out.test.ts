// Scale-out on PostgreSQL (issue 3 item 5): three `roller worker` processes share one queue; 30
// queued runs are each executed exactly once. And a worker killed with SIGKILL mid-run has its run
// failed with "worker lost" by a surviving worker after the stale period. Loopback scopes only.
import { randomBytes } from 'node:crypto';
import { expect, it } from 'vitest';
import { DiscoveryRunRepository, FINAL_STATUSES, type RunRow } from '../../src/storage/discovery-run.repository.ts';
import type { TestDatabase } from '../support/backends.ts';
import { type RollerProcess, registerProcessCleanup, spawnRoller } from '../support/process.ts';
import { describePostgres, ms, processesWithMarker, sleep } from './worker-harness.ts';

registerProcessCleanup();

const RUNS = 30;
const WORKERS = 3;
const START_LIMIT_MS = 30_000;

/** Single loopback IPs and loopback /30s, all distinct, all inside 127.0.0.0/8. */
function scopeFor(index: number): string {
  return index % 2 === 0 ? `127.0.1.${index + 1}` : `127.0.2.${index * 4}/30`;
}

function spawnWorker(url: string, marker: string, env: Record<string, string> = {}): RollerProcess {
  return spawnRoller(['worker'], {
    env: {
      DATABASE_URL: url,
      DATABASE_POOL_SIZE: '3',
      // Roller passes its PATH to every probe: the marker finds this test's probes in /proc.
      PATH: `${process.env.PATH ?? '/usr/bin:/bin'}:${marker}`,
      ...env,
    },
  });
}

async function waitForFinal(runs: DiscoveryRunRepository, ids: readonly string[], limitMs: number): Promise<RunRow[]> {
  const deadline = performance.now() + limitMs;
  for (;;) {
    const rows = await Promise.all(ids.map((id) => runs.get(id)));
    if (rows.every((row) => row && FINAL_STATUSES.includes(row.status))) return rows as RunRow[];
    if (performance.now() > deadline) {
      const open = rows.filter((row) => !row || !FINAL_STATUSES.includes(row.status));
      throw new Error(`${open.length} run(s) not final after ${limitMs} ms: ${JSON.stringify(open.slice(0, 3))}`);
    }
    await sleep(50);
  }
}

async function waitForRun(
  runs: DiscoveryRunRepository,
  id: string,
  until: (run: RunRow) => boolean,
  limitMs = 10_000,
): Promise<RunRow> {
  const deadline = performance.now() + limitMs;
  for (;;) {
    const row = await runs.get(id);
    if (row && until(row)) return row;
    if (performance.now() > deadline)
      throw new Error(`run ${id} not as expected after ${limitMs} ms: ${JSON.stringify(row)}`);
    await sleep(50);
  }
}

async function countLogs(database: TestDatabase, message: string): Promise<Map<string, number>> {
  const rows = await database.database.db
    .selectFrom('discovery_run_logs')
    .select(['run_id', (eb) => eb.fn.countAll<number>().as('count')])
    .where('message', '=', message)
    .groupBy('run_id')
    .execute();
  return new Map(rows.map((row) => [row.run_id, Number(row.count)]));
}

// `roller worker` needs PostgreSQL: with the embedded database the worker runs inside core only.
describePostgres('scale-out: roller worker processes on one queue', (backend) => {
  it(`executes ${RUNS} queued runs exactly once across ${WORKERS} worker processes`, async () => {
    const database = await backend.fresh();
    const marker = `/nonexistent/roller-scale-out-${randomBytes(6).toString('hex')}`;
    const workers: RollerProcess[] = [];
    try {
      const url = database.url as string;
      for (let index = 0; index < WORKERS; index++) workers.push(spawnWorker(url, marker));
      const started = await Promise.all(
        workers.map((worker) => worker.waitForLog('discovery worker started', START_LIMIT_MS)),
      );
      const workerIds = started.map((log) => log.worker_id as string);
      expect(new Set(workerIds).size).toBe(WORKERS);

      const runs = new DiscoveryRunRepository(database.database.db);
      const wallStart = performance.now();
      const ids: string[] = [];
      for (let index = 0; index < RUNS; index++) {
        const run = await runs.enqueue({ scope: scopeFor(index), stats: { stage: 'queued', preset: 'fast' } });
        ids.push(run.id);
      }
      const done = await waitForFinal(runs, ids, 60_000);
      const wallSeconds = (performance.now() - wallStart) / 1000;

      // Every run succeeded, on exactly one worker.
      expect(
        done.filter((run) => run.status !== 'succeeded'),
        'runs that did not succeed',
      ).toEqual([]);
      const startedLines = await countLogs(database, 'discovery run started');
      const completedLines = await countLogs(database, 'discovery run completed');
      for (const id of ids) {
        expect(startedLines.get(id), `"discovery run started" lines of ${id}`).toBe(1);
        expect(completedLines.get(id), `"discovery run completed" lines of ${id}`).toBe(1);
      }

      // The claim lines of all three processes name each run exactly once, and the claimer is the owner.
      // (Output arrives through pipes: allow the last lines a moment.)
      const allClaims = () =>
        workers.flatMap((worker, index) =>
          worker.logsWithMessage('discovery run claimed').map((log) => ({ run: log.run_id as string, worker: index })),
        );
      for (let tries = 0; tries < 100 && allClaims().length < RUNS; tries++) await sleep(20);
      const claims = allClaims();
      expect(claims.map((claim) => claim.run).sort()).toEqual([...ids].sort());
      const byId = new Map(done.map((run) => [run.id, run]));
      for (const claim of claims) expect(byId.get(claim.run)?.worker_id).toBe(workerIds[claim.worker]);
      const perWorker = workers.map((_, index) => claims.filter((claim) => claim.worker === index).length);
      expect(perWorker.filter((count) => count > 0).length).toBeGreaterThanOrEqual(2);
      const latencies = done.map((run) => ms(run.started_at) - ms(run.queued_at));
      console.log(
        `[figures] scale-out ${RUNS} runs / ${WORKERS} workers: ${wallSeconds.toFixed(2)}s ` +
          `(claims per worker ${perWorker.join('/')}, max queue wait ${Math.round(Math.max(...latencies))}ms)`,
      );

      // SIGTERM: all exit cleanly, and no probe of theirs is left.
      const exits = await Promise.all(workers.map((worker) => worker.kill('SIGTERM', 10_000)));
      expect(exits).toEqual(workers.map(() => ({ code: 0, signal: null })));
      expect(processesWithMarker(marker)).toEqual([]);
    } finally {
      await Promise.all(workers.map((worker) => worker.kill('SIGKILL').catch(() => {})));
      await database.dispose();
    }
  });

  it('a surviving worker fails the run of a SIGKILLed worker with "worker lost" after the stale period', async () => {
    const database = await backend.fresh();
    const marker = `/nonexistent/roller-scale-out-${randomBytes(6).toString('hex')}`;
    try {
      const url = database.url as string;
      // Both with a long run delay: whichever claims the run sits in it; the other one is the survivor.
      const env = { DISCOVERY_WORKER_STALE_AFTER: '3s', DISCOVERY_RUN_DELAY: '60s' };
      const pair = [spawnWorker(url, marker, env), spawnWorker(url, marker, env)];
      const ids = await Promise.all(
        pair.map(async (worker) => (await worker.waitForLog('discovery worker started', START_LIMIT_MS)).worker_id),
      );
      const runs = new DiscoveryRunRepository(database.database.db);
      const run = await runs.enqueue({ scope: '127.0.0.1', stats: { stage: 'queued', preset: 'normal' } });
      const claimed = await waitForRun(runs, run.id, (row) => row.status === 'running');
      const victimIndex = ids.indexOf(claimed.worker_id);
      expect(victimIndex, `claimed by ${claimed.worker_id}, workers ${ids.join(', ')}`).toBeGreaterThanOrEqual(0);
      const victim = pair[victimIndex] as RollerProcess;
      const survivor = pair[1 - victimIndex] as RollerProcess;
      const victimId = claimed.worker_id;
      // Longer than the stale period: the victim's heartbeats keep its run alive meanwhile.
      await sleep(4000);
      const beforeKill = await runs.get(run.id);
      expect(beforeKill?.status).toBe('running');
      expect(beforeKill?.worker_id).toBe(victimId);
      expect(ms(beforeKill?.heartbeat_at ?? null)).toBeGreaterThan(ms(claimed.heartbeat_at));

      const exit = await victim.kill('SIGKILL');
      const killedAt = performance.now();
      expect(exit.signal).toBe('SIGKILL');
      const row = await waitForRun(runs, run.id, (current) => current.status !== 'running');
      const detectedMs = performance.now() - killedAt;
      console.log(`[figures] worker lost detected ${Math.round(detectedMs)}ms after SIGKILL (stale after 3s)`);

      expect(row.status).toBe('failed');
      expect(row.last_error).toBe('worker lost');
      expect(row.worker_id).toBe(victimId);
      // Not before the stale period since the last heartbeat, and soon after it.
      expect(ms(row.completed_at) - ms(row.heartbeat_at)).toBeGreaterThanOrEqual(3000);
      expect(detectedMs).toBeLessThan(3000 + 2000 + 1500);
      const messages = (await runs.logs(run.id, 100)).map((line) => line.message).reverse();
      expect(messages.at(-1)).toBe('discovery run failed: worker lost');
      expect(messages.filter((message) => message === 'discovery run failed: worker lost')).toHaveLength(1);
      const reported = await survivor.waitForLog('failed runs of a lost worker');
      expect(reported.run_ids).toEqual([run.id]);
      // Recovered, not re-run.
      expect(survivor.logsWithMessage('discovery run claimed')).toEqual([]);
      expect((await survivor.kill('SIGTERM', 10_000)).code).toBe(0);
      expect(processesWithMarker(marker)).toEqual([]);
    } finally {
      await database.dispose();
    }
  });
});
