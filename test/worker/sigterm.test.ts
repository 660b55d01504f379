// SIGTERM of a real `roller core` process (in-process worker) while it runs a discovery run
// (issue 3 item 2): the process exits within 10 s, the run ends `canceled` with the shutting-down log
// line, and no probe process (fping/ping) survives it. Every scope is loopback (127.0.0.0/8) only.
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect, inject, it } from 'vitest';
import { openPglite } from '../../src/storage/database.ts';
import { DiscoveryRunRepository, FINAL_STATUSES } from '../../src/storage/discovery-run.repository.ts';
import { type Backend, describeEachBackend, type TestDatabase } from '../support/backends.ts';
import {
  baseUrlFor,
  freePort,
  makeTempDir,
  type RollerProcess,
  registerProcessCleanup,
  requestJson,
  spawnRoller,
  waitForReady,
} from '../support/process.ts';
import { type MarkedProcess, processesWithMarker, sleep } from './worker-harness.ts';

registerProcessCleanup();

const EXIT_LIMIT_MS = 10_000;

interface Run {
  id: string;
  status: string;
  last_error?: string;
  started_at?: string;
  completed_at?: string;
}

interface Storage {
  env: Record<string, string>;
  /** The PostgreSQL test database, or undefined for PGlite. */
  database: TestDatabase | undefined;
  /** The PGlite data directory, or undefined for PostgreSQL. */
  dataDir: string | undefined;
  dispose(): Promise<void>;
}

async function storageFor(backend: Backend): Promise<Storage> {
  if (backend.kind === 'pglite') {
    // Seeded from the migrated template: a cold `roller core` would spend ~5 s migrating PGlite.
    const dataDir = join(makeTempDir('roller-sigterm-'), 'data');
    const seed = await openPglite({ dataDir, loadDataDir: new Blob([readFileSync(inject('pgliteTemplate'))]) });
    await seed.close();
    return { env: { ROLLER_DATA_DIR: dataDir }, database: undefined, dataDir, dispose: async () => {} };
  }
  const database = await backend.fresh();
  if (!database.url) throw new Error('the PostgreSQL backend gave no URL');
  return { env: { DATABASE_URL: database.url }, database, dataDir: undefined, dispose: () => database.dispose() };
}

/**
 * A unique directory that does not exist, appended to roller's PATH: Roller passes its PATH to every
 * probe it spawns, so the probes of this process (and only these) can be found in /proc.
 */
function markedPath(): { marker: string; path: string } {
  const marker = `/nonexistent/roller-sigterm-${randomBytes(6).toString('hex')}`;
  return { marker, path: `${process.env.PATH ?? '/usr/bin:/bin'}:${marker}` };
}

async function startCore(env: Record<string, string>): Promise<{ roller: RollerProcess; url: string }> {
  const port = await freePort();
  const url = baseUrlFor(port);
  const roller = spawnRoller(['core'], { env: { ...env, HTTP_ADDR: `127.0.0.1:${port}` } });
  await waitForReady(roller, url);
  return { roller, url };
}

async function waitForRunning(url: string, id: string): Promise<void> {
  for (let tries = 0; tries < 200; tries++) {
    const { body } = await requestJson<Run>(url, 'GET', `/api/v1/discovery/runs/${id}`);
    if (body.status === 'running') return;
    if ((FINAL_STATUSES as readonly string[]).includes(body.status))
      throw new Error(`run ended before SIGTERM: ${JSON.stringify(body)}`);
    await sleep(50);
  }
  throw new Error(`run ${id} was not claimed within 10 s`);
}

/**
 * The run and its log messages (oldest first) once the process is gone, straight from storage
 * (PostgreSQL: the test's connection; PGlite: the data directory opened in this process).
 */
async function readStorage(storage: Storage, id: string): Promise<{ run: Run; messages: string[] }> {
  const pglite = storage.dataDir ? await openPglite({ dataDir: storage.dataDir }) : undefined;
  const database = pglite ?? storage.database?.database;
  if (!database) throw new Error('no storage to read');
  try {
    const runs = new DiscoveryRunRepository(database.db);
    const run = (await runs.get(id)) as unknown as Run;
    const messages = (await runs.logs(id, 100)).map((line) => line.message).reverse();
    return { run, messages };
  } finally {
    await pglite?.close();
  }
}

/** SIGTERMs `roller` and returns how long it took to exit, asserting a clean exit within 10 s. */
async function terminate(roller: RollerProcess): Promise<number> {
  const signaledAt = performance.now();
  const exit = await roller.kill('SIGTERM', EXIT_LIMIT_MS);
  const exitMs = performance.now() - signaledAt;
  expect(exit, roller.describe()).toEqual({ code: 0, signal: null });
  expect(exitMs).toBeLessThan(EXIT_LIMIT_MS);
  return exitMs;
}

async function expectNoProbesLeft(marker: string): Promise<void> {
  let left: MarkedProcess[] = processesWithMarker(marker);
  for (let tries = 0; tries < 40 && left.length > 0; tries++) {
    await sleep(50);
    left = processesWithMarker(marker);
  }
  expect(left, 'processes spawned by the terminated roller are still running').toEqual([]);
}

describeEachBackend('SIGTERM of roller core with a running discovery run', (backend) => {
  it('exits within 10 s during the run delay and leaves the run canceled with the reason logged', async () => {
    const storage = await storageFor(backend);
    try {
      const { marker, path } = markedPath();
      const { roller, url } = await startCore({ ...storage.env, PATH: path, DISCOVERY_RUN_DELAY: '30s' });
      const created = await requestJson<Run>(url, 'POST', '/api/v1/discovery/run', { scope: '127.0.0.0/30' });
      expect(created.status).toBe(202);
      await waitForRunning(url, created.body.id);
      await roller.waitFor(
        () => roller.logsWithMessage('discovery run claimed').find((log) => log.run_id === created.body.id),
        'the claim of the run',
      );

      const exitMs = await terminate(roller);
      console.log(
        `[figures] roller core SIGTERM during run delay (${backend.kind}): exited in ${Math.round(exitMs)}ms`,
      );
      const messages = roller.logs.map((log) => log.message);
      expect(messages).toEqual(
        expect.arrayContaining(['shutting down', 'discovery run finished', 'discovery worker stopped', 'core stopped']),
      );
      expect(roller.logsWithMessage('discovery run finished')[0]).toMatchObject({
        run_id: created.body.id,
        status: 'canceled',
        recorded: true,
      });
      await expectNoProbesLeft(marker);

      const { run, messages: runLog } = await readStorage(storage, created.body.id);
      expect(run.status).toBe('canceled');
      expect(run.last_error).toBe('worker shutting down');
      expect(run.completed_at).toBeTruthy();
      expect(runLog.at(-1)).toBe('discovery run canceled: worker shutting down');
      expect(runLog).not.toContain('discovery run completed');
    } finally {
      await storage.dispose();
    }
  });

  it('kills the running sweep (fping or ping) on SIGTERM and leaves no probe process behind', async () => {
    const storage = await storageFor(backend);
    try {
      const { marker, path } = markedPath();
      // 16384 loopback targets keep fping busy for ~16 s (1 ms between packets); a ping pool even longer.
      const { roller, url } = await startCore({
        ...storage.env,
        PATH: path,
        DISCOVERY_MAX_TARGETS: '16384',
        DISCOVERY_MAX_RUNTIME: '60s',
      });
      const created = await requestJson<Run>(url, 'POST', '/api/v1/discovery/run', { scope: '127.0.0.0/18' });
      expect(created.status).toBe(202);

      // Wait (bounded) for the sweep itself: a probe process that is a child of this roller.
      let probes: MarkedProcess[] = [];
      for (let tries = 0; tries < 300; tries++) {
        const logs = await requestJson<{ logs: { message: string }[] }>(
          url,
          'GET',
          `/api/v1/discovery/runs/${created.body.id}/logs`,
        );
        const sweeping = logs.body.logs.some((line) => line.message.startsWith('liveness: '));
        probes = processesWithMarker(marker).filter(
          (probe) => probe.pid !== roller.pid && (probe.comm === 'fping' || probe.comm === 'ping'),
        );
        if (sweeping && probes.length > 0) break;
        await sleep(50);
      }
      expect(probes.length, `no fping/ping child of roller seen\n${roller.describe()}`).toBeGreaterThan(0);

      const exitMs = await terminate(roller);
      console.log(
        `[figures] roller core SIGTERM during a ${probes[0]?.comm} sweep (${backend.kind}): exited in ${Math.round(exitMs)}ms`,
      );
      await expectNoProbesLeft(marker);

      const { run, messages } = await readStorage(storage, created.body.id);
      expect(run.status).toBe('canceled');
      expect(run.last_error).toBe('worker shutting down');
      expect(messages.at(-1)).toBe('discovery run canceled: worker shutting down');
      expect(messages.some((message) => message.startsWith('ping sweep: '))).toBe(false); // cut short
    } finally {
      await storage.dispose();
    }
  });
});
