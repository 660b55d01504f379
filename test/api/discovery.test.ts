// Discovery API (SPEC §4.5 with G-12, G-13, G-14, G-27, G-32): runs, logs, cancel, events,
// scope suggestions and schedules. The test core runs no worker: runs stay queued unless a test
// drives them through the repository.
import { networkInterfaces } from 'node:os';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { nextRunAt, scheduledRunStats } from '../../src/domain/schedule.ts';
import { SCOPE_FORMAT_ERROR } from '../../src/domain/scope.ts';
import { DiscoveryRunRepository } from '../../src/storage/discovery-run.repository.ts';
import { DiscoveryScheduleRepository } from '../../src/storage/discovery-schedule.repository.ts';
import { describeEachBackend } from '../support/backends.ts';
import { createTestCore, type TestCore } from '../support/core-app.ts';
import { countRows } from '../support/fixtures.ts';

interface Run {
  id: string;
  status: string;
  scope?: string;
  stats: Record<string, unknown>;
  queued_at: string;
  started_at?: string;
  completed_at?: string;
  last_error?: string;
  cancel_requested_at?: string;
  schedule_id?: string;
}
interface LogLine {
  id: number;
  level: string;
  message: string;
  created_at: string;
}
interface Schedule {
  id: string;
  name?: string;
  scope: string;
  preset: string;
  tags: string[];
  interval_seconds?: number;
  cron?: string;
  enabled: boolean;
  next_run_at?: string;
  last_run_id?: string;
  last_enqueued_at?: string;
  created_at: string;
  updated_at: string;
}
interface Envelope {
  error: { code: string; message: string; details?: Record<string, unknown> };
}

const RUN = '/api/v1/discovery/run';
const RUNS = '/api/v1/discovery/runs';
const SCHEDULES = '/api/v1/discovery/schedules';
const UNKNOWN_ID = '00000000-0000-4000-8000-00000000abcd';
/** Plenty of room for the suites that do not test the rate limit. */
const UNLIMITED = { DISCOVERY_RUN_RATE_LIMIT: '100000' };

const cursorOf = (at: string, id: string) => Buffer.from(`${at}|${id}`, 'utf8').toString('base64url');

function api(core: TestCore) {
  return {
    enqueue: (payload?: unknown) =>
      core.json<Run & Envelope>({
        method: 'POST',
        url: RUN,
        ...(payload === undefined ? {} : { payload: payload as Record<string, unknown> }),
      }),
    get: <T = Run & Envelope>(url: string) => core.json<T>({ method: 'GET', url }),
    cancel: (id: string) => core.json<Run & Envelope>({ method: 'POST', url: `${RUNS}/${id}/cancel` }),
    runs: new DiscoveryRunRepository(core.database.db),
  };
}

/** Enqueues a run through the API and claims it the way a worker would (needs an otherwise empty queue). */
async function startRunning(core: TestCore): Promise<Run> {
  const { enqueue, runs } = api(core);
  const queued = await enqueue({ scope: '10.9.0.0/29' });
  expect(queued.status).toBe(202);
  const claimed = await runs.claimNext('test-worker');
  expect(claimed?.id).toBe(queued.body.id);
  return queued.body;
}

describeEachBackend('discovery API: queueing runs', (backend) => {
  let core: TestCore;
  beforeAll(async () => {
    core = await createTestCore(backend, { env: UNLIMITED });
  });
  afterAll(() => core.close());

  it('reports idle before any run exists, then the latest run', async () => {
    const { enqueue, get } = api(core);
    const idle = await get<{ status: string }>('/api/v1/discovery/status');
    expect(idle).toMatchObject({ status: 200, body: { status: 'idle' } });
    expect(Object.keys(idle.body)).toEqual(['status']);
    await enqueue({ scope: '10.0.0.1' });
    const second = await enqueue({ scope: '10.0.0.2' });
    const status = await get<{ status: string; latest_run: Run }>('/api/v1/discovery/status');
    expect(status.status).toBe(200);
    expect(status.body).toEqual({ status: 'queued', latest_run: second.body });
  });

  it('answers 202 with the queued run in canonical, masked form (G-32)', async () => {
    const { status, body } = await api(core).enqueue({
      scope: ' 10.0.0.5/24 ',
      preset: ' Deep ',
      tags: [' SNMP', 'names', 'snmp', ''],
    });
    expect(status).toBe(202);
    expect(body).toEqual({
      id: expect.stringMatching(/^[0-9a-f-]{36}$/),
      status: 'queued',
      scope: '10.0.0.0/24',
      stats: { stage: 'queued', preset: 'deep', tags: ['names', 'snmp'] },
      queued_at: expect.any(String),
    });
    // G-12: a queued run has no started_at yet; the enqueue time is queued_at.
    expect(Date.now() - Date.parse(body.queued_at)).toBeLessThan(60_000);
    const fetched = await api(core).get(`${RUNS}/${body.id}`);
    expect(fetched).toMatchObject({ status: 200, body });
  });

  it('canonicalises lists: masked, de-duplicated, single IPs bare', async () => {
    const { status, body } = await api(core).enqueue({ scope: '10.0.0.9/30, 192.168.1.1/32,10.0.0.8/30 ,2001:DB8::1' });
    expect(status).toBe(202);
    expect(body.scope).toBe('10.0.0.8/30,192.168.1.1,2001:db8::1');
  });

  it('queues a run without scope from an empty object, a blank scope or no body at all', async () => {
    const { enqueue } = api(core);
    for (const response of [
      await enqueue({}),
      await enqueue({ scope: '   ' }),
      await enqueue(),
      await core.json<Run>({
        method: 'POST',
        url: RUN,
        headers: { 'content-type': 'application/json', 'content-length': '0' },
      }),
    ]) {
      expect(response.status).toBe(202);
      expect(response.body).not.toHaveProperty('scope');
      expect(response.body.stats).toEqual({ stage: 'queued', preset: 'normal' });
    }
  });

  it.each([
    [{ scope: 'nope' }, 'invalid discovery scope', `${SCOPE_FORMAT_ERROR}; "nope" is neither`],
    [{ scope: ',' }, 'invalid discovery scope', SCOPE_FORMAT_ERROR],
    [{ scope: '10.0.0.0/33' }, 'invalid discovery scope', `${SCOPE_FORMAT_ERROR}; "10.0.0.0/33" is neither`],
    [{ scope: '10.0.0.0/16' }, 'invalid discovery scope', 'scope too large (65536 targets); max targets is 1024'],
    [{ scope: '0.0.0.0/0' }, 'invalid discovery scope', 'scope too large (/0); max targets is 1024'],
    [{ scope: '2001:db8::/64' }, 'invalid discovery scope', 'ipv6 scope must be a single IP (/128) for now'],
    [{ preset: 'turbo' }, 'invalid scan preset', 'preset must be one of: fast, normal, deep'],
    [{ tags: ['x'] }, 'invalid scan tags', 'unknown tag "x"'],
    [{ tags: ['a', 'b', 'c', 'd', 'e', 'f', 'g', 'h', 'i'] }, 'invalid scan tags', 'too many tags (max 8)'],
  ])('refuses %j with 400 %s and queues nothing', async (payload, message, error) => {
    const before = await countRows(core.database, 'discovery_runs');
    const { status, body } = await api(core).enqueue(payload);
    expect(status).toBe(400);
    expect(body).toEqual({ error: { code: 'validation_failed', message, details: { error } } });
    expect(await countRows(core.database, 'discovery_runs')).toBe(before);
  });

  it('checks scope, then preset, then tags, in the order SPEC §4.5 gives', async () => {
    const { enqueue } = api(core);
    expect((await enqueue({ preset: 'turbo', tags: ['x'] })).body.error.message).toBe('invalid scan preset');
    expect((await enqueue({ scope: 'nope', tags: ['x'] })).body.error.message).toBe('invalid discovery scope');
    expect((await enqueue({ scope: 'nope', preset: 'turbo' })).body.error.message).toBe('invalid discovery scope');
  });

  it('starts every scope error with the SPEC sentence', async () => {
    const { body } = await api(core).enqueue({ scope: 'host.example' });
    expect(String(body.error.details?.error).startsWith(SCOPE_FORMAT_ERROR)).toBe(true);
  });

  it('accepts a scope the preset allows: deep raises the target limit', async () => {
    const { enqueue } = api(core);
    expect((await enqueue({ scope: '10.0.0.0/20' })).status).toBe(400);
    const deep = await enqueue({ scope: '10.0.0.0/20', preset: 'deep' });
    expect(deep.status).toBe(202);
    expect(deep.body.scope).toBe('10.0.0.0/20');
  });

  it('decodes bodies strictly: unknown fields, wrong types and broken JSON are 400', async () => {
    const { enqueue } = api(core);
    expect((await enqueue({ scope: '10.0.0.1', extra: true })).body).toEqual({
      error: { code: 'validation_failed', message: 'invalid json body', details: { error: 'unknown field "extra"' } },
    });
    const wrongType = await enqueue({ tags: 'snmp' });
    expect(wrongType.status).toBe(400);
    expect(wrongType.body.error).toMatchObject({ code: 'validation_failed', message: 'invalid json body' });
    const broken = await core.json<Envelope>({
      method: 'POST',
      url: RUN,
      headers: { 'content-type': 'application/json' },
      payload: '{"scope":',
    });
    expect(broken.status).toBe(400);
    expect(broken.body.error).toMatchObject({ code: 'validation_failed', message: 'invalid json body' });
  });
});

describeEachBackend('discovery API: rate limit on run creation (G-14)', (backend) => {
  let core: TestCore;
  beforeAll(async () => {
    core = await createTestCore(backend, { env: { DISCOVERY_RUN_RATE_LIMIT: '2' } });
  });
  afterAll(() => core.close());

  it('does not spend the budget on refused requests', async () => {
    for (let i = 0; i < 3; i++) expect((await api(core).enqueue({ preset: 'turbo' })).status).toBe(400);
  });

  it('answers the third run in the window with 429 and Retry-After, queueing nothing', async () => {
    const { enqueue } = api(core);
    expect((await enqueue({ scope: '10.0.0.1' })).status).toBe(202);
    expect((await enqueue()).status).toBe(202);
    const limited = await enqueue({ scope: '10.0.0.2' });
    expect(limited.status).toBe(429);
    expect(limited.body.error).toMatchObject({ code: 'rate_limited' });
    const retryAfter = Number(limited.headers['retry-after']);
    expect(Number.isInteger(retryAfter)).toBe(true);
    expect(retryAfter).toBeGreaterThanOrEqual(1);
    expect(retryAfter).toBeLessThanOrEqual(60);
    expect(limited.body.error.details).toEqual({ retry_after_seconds: retryAfter });
    expect(await countRows(core.database, 'discovery_runs')).toBe(2);
    // Reading is never limited.
    expect((await api(core).get(RUNS)).status).toBe(200);
  });
});

describeEachBackend('discovery API: default scope', (backend) => {
  let core: TestCore;
  beforeAll(async () => {
    core = await createTestCore(backend, { env: { ...UNLIMITED, DISCOVERY_DEFAULT_SCOPE: '192.168.50.7/24' } });
  });
  afterAll(() => core.close());

  it('uses DISCOVERY_DEFAULT_SCOPE, masked, when the scope is absent or blank', async () => {
    const { enqueue } = api(core);
    for (const response of [await enqueue(), await enqueue({}), await enqueue({ scope: ' \t ' })]) {
      expect(response.status).toBe(202);
      expect(response.body.scope).toBe('192.168.50.0/24');
    }
  });

  it('lets a given scope win over the default', async () => {
    const { status, body } = await api(core).enqueue({ scope: '10.0.0.1' });
    expect(status).toBe(202);
    expect(body.scope).toBe('10.0.0.1');
  });
});

describeEachBackend('discovery API: reading runs and logs', (backend) => {
  let core: TestCore;
  beforeAll(async () => {
    core = await createTestCore(backend, { env: UNLIMITED });
  });
  afterAll(() => core.close());

  it('pages runs newest first with cursors until the last page', async () => {
    const { enqueue, get } = api(core);
    const created: string[] = [];
    for (let i = 0; i < 7; i++) created.push((await enqueue({ scope: `10.0.1.${i}` })).body.id);
    const all = await get<{ runs: Run[]; cursor?: string }>(`${RUNS}?limit=200`);
    expect(all.body.cursor).toBeUndefined();
    expect(all.body.runs.map((run) => run.id)).toEqual([...created].reverse());

    const seen: string[] = [];
    let url = `${RUNS}?limit=3`;
    const pageSizes: number[] = [];
    for (;;) {
      const page = await get<{ runs: Run[]; cursor?: string }>(url);
      expect(page.status).toBe(200);
      pageSizes.push(page.body.runs.length);
      seen.push(...page.body.runs.map((run) => run.id));
      if (!page.body.cursor) break;
      const last = page.body.runs.at(-1) as Run;
      expect(Buffer.from(page.body.cursor, 'base64url').toString()).toBe(`${last.queued_at}|${last.id}`);
      url = `${RUNS}?limit=3&cursor=${page.body.cursor}`;
    }
    expect(pageSizes).toEqual([3, 3, 1]);
    expect(seen).toEqual(all.body.runs.map((run) => run.id));
  });

  it('uses the default limit of 20 and clamps limits above 200', async () => {
    const { get } = api(core);
    // Enough rows for the clamp to show (the API's rate limit is not what is tested here).
    await sql`INSERT INTO discovery_runs (status, stats) SELECT 'queued', '{"stage":"queued"}'::jsonb FROM generate_series(1, 210)`.execute(
      core.database.db,
    );
    const page = await get<{ runs: Run[]; cursor?: string }>(RUNS);
    expect(page.body.runs).toHaveLength(20);
    expect(page.body.cursor).toEqual(expect.any(String));
    const clamped = await get<{ runs: Run[]; cursor?: string }>(`${RUNS}?limit=100000`);
    expect(clamped.status).toBe(200);
    expect(clamped.body.runs).toHaveLength(200);
    expect(clamped.body.cursor).toEqual(expect.any(String));
  });

  it.each([
    ['limit=0', 'invalid query parameter', 'limit must be positive'],
    ['limit=abc', 'invalid query parameter', 'invalid limit'],
    ['cursor=!!!', 'invalid cursor', 'cursor is not base64url'],
    [`cursor=${Buffer.from('no separator').toString('base64url')}`, 'invalid cursor', 'cursor has no separator'],
    [`cursor=${cursorOf('yesterday', UNKNOWN_ID)}`, 'invalid cursor', 'cursor timestamp is not RFC 3339'],
    [`cursor=${cursorOf('2025-01-01T00:00:00Z', '42')}`, 'invalid cursor', 'cursor id is not a uuid'],
  ])('refuses runs?%s with 400 %s', async (query, message, error) => {
    const { status, body } = await api(core).get<Envelope>(`${RUNS}?${query}`);
    expect(status).toBe(400);
    expect(body.error).toMatchObject({ code: 'validation_failed', message });
    expect(body.error.details?.error).toBe(error);
  });

  it('answers the SPEC texts for a malformed or unknown run id', async () => {
    const { get } = api(core);
    for (const suffix of ['', '/logs']) {
      const malformed = await get<Envelope>(`${RUNS}/not-a-uuid${suffix}`);
      expect(malformed.status).toBe(400);
      expect(malformed.body).toEqual({
        error: { code: 'invalid_id', message: 'run id is not a valid uuid', details: { id: 'not-a-uuid' } },
      });
      const unknown = await get<Envelope>(`${RUNS}/${UNKNOWN_ID}${suffix}`);
      expect(unknown.status).toBe(404);
      expect(unknown.body).toEqual({
        error: { code: 'not_found', message: 'discovery run not found', details: { id: UNKNOWN_ID } },
      });
    }
  });

  it('lists log lines newest first and pages them with integer-id cursors', async () => {
    const { enqueue, get, runs } = api(core);
    const run = (await enqueue({ scope: '10.0.2.0/30' })).body;
    for (let i = 1; i <= 5; i++) await runs.appendLog(run.id, i === 4 ? 'warn' : 'info', `line ${i}`);
    const first = await get<{ logs: LogLine[]; cursor?: string }>(`${RUNS}/${run.id}/logs?limit=2`);
    expect(first.status).toBe(200);
    expect(first.body.logs.map((line) => line.message)).toEqual(['line 5', 'line 4']);
    expect(first.body.logs[1]).toEqual({
      id: expect.any(Number),
      level: 'warn',
      message: 'line 4',
      created_at: expect.any(String),
    });
    const last = first.body.logs[1] as LogLine;
    expect(Buffer.from(first.body.cursor as string, 'base64url').toString()).toBe(`${last.created_at}|${last.id}`);
    const second = await get<{ logs: LogLine[]; cursor?: string }>(
      `${RUNS}/${run.id}/logs?limit=2&cursor=${first.body.cursor}`,
    );
    expect(second.body.logs.map((line) => line.message)).toEqual(['line 3', 'line 2']);
    const third = await get<{ logs: LogLine[]; cursor?: string }>(
      `${RUNS}/${run.id}/logs?limit=2&cursor=${second.body.cursor}`,
    );
    expect(third.body.logs.map((line) => line.message)).toEqual(['line 1']);
    expect(third.body.cursor).toBeUndefined();
    const all = await get<{ logs: LogLine[]; cursor?: string }>(`${RUNS}/${run.id}/logs`);
    expect(all.body.logs).toHaveLength(5);
    expect(all.body.cursor).toBeUndefined();
  });

  it('breaks ties of equal timestamps by log id, newest first, across pages', async () => {
    const { enqueue, get } = api(core);
    const run = (await enqueue({ scope: '10.0.3.0/30' })).body;
    await sql`
      INSERT INTO discovery_run_logs (run_id, level, message, created_at)
      VALUES (${run.id}, 'info', 'tie a', '2030-01-01T00:00:00Z'),
             (${run.id}, 'info', 'tie b', '2030-01-01T00:00:00Z'),
             (${run.id}, 'info', 'tie c', '2030-01-01T00:00:00Z')`.execute(core.database.db);
    const messages: string[] = [];
    let url = `${RUNS}/${run.id}/logs?limit=1`;
    for (let pages = 0; pages < 5; pages++) {
      const page = await get<{ logs: LogLine[]; cursor?: string }>(url);
      messages.push(...page.body.logs.map((line) => line.message));
      if (!page.body.cursor) break;
      url = `${RUNS}/${run.id}/logs?limit=1&cursor=${page.body.cursor}`;
    }
    expect(messages).toEqual(['tie c', 'tie b', 'tie a']);
  });

  it('refuses a log cursor whose id is not an integer', async () => {
    const { enqueue, get, runs } = api(core);
    const run = (await enqueue()).body;
    await runs.appendLog(run.id, 'info', 'only line');
    for (const id of ['abc', UNKNOWN_ID, '1.5']) {
      const { status, body } = await get<Envelope>(
        `${RUNS}/${run.id}/logs?cursor=${cursorOf('2025-01-01T00:00:00Z', id)}`,
      );
      expect(status).toBe(400);
      expect(body.error).toEqual({
        code: 'validation_failed',
        message: 'invalid cursor',
        details: { error: 'cursor id is not an integer' },
      });
    }
  });

  it('suggests only IPv4 scopes a deep run accepts, sorted by scope (G-27)', async () => {
    const { status, body } = await api(core).get<{
      scopes: { scope: string; interface?: string; address?: string; targets: number }[];
    }>('/api/v1/discovery/scope-suggestions');
    expect(status).toBe(200);
    // Computed independently from this host's interfaces.
    const expected = new Map<string, { scope: string; interface: string; address: string; targets: number }>();
    for (const [name, addresses] of Object.entries(networkInterfaces())) {
      for (const address of addresses ?? []) {
        if (address.family !== 'IPv4' || address.internal) continue;
        const bits = Number(address.cidr?.split('/')[1]);
        if (!(bits >= 8) || 2 ** (32 - bits) > 4096) continue;
        const mask = bits === 0 ? 0 : (0xffffffff << (32 - bits)) >>> 0;
        const value = address.address.split('.').reduce((acc, part) => (acc << 8) + Number(part), 0) >>> 0;
        const network = (value & mask) >>> 0;
        const text = [24, 16, 8, 0].map((shift) => (network >>> shift) & 255).join('.');
        const scope = bits === 32 ? text : `${text}/${bits}`;
        if (!expected.has(scope))
          expected.set(scope, { scope, interface: name, address: address.address, targets: 2 ** (32 - bits) });
      }
    }
    expect(body.scopes).toEqual(
      [...expected.values()].sort((a, b) => (a.scope < b.scope ? -1 : a.scope > b.scope ? 1 : 0)),
    );
    for (const suggestion of body.scopes) {
      expect(suggestion.scope).not.toContain(':');
      expect(suggestion.targets).toBeLessThanOrEqual(4096);
      const accepted = await api(core).enqueue({ scope: suggestion.scope, preset: 'deep' });
      expect(accepted.status, suggestion.scope).toBe(202);
    }
  });
});

describeEachBackend('discovery API: cancel and events', (backend) => {
  let core: TestCore;
  beforeAll(async () => {
    core = await createTestCore(backend, { env: UNLIMITED });
  });
  afterAll(() => core.close());

  /** `event:`/`data:` blocks of a text/event-stream body, comments skipped. */
  function parseEvents(body: string): { event: string; data: Record<string, unknown> }[] {
    return body
      .split('\n\n')
      .filter((block) => block.trim() !== '' && !block.startsWith(':'))
      .map((block) => ({
        event: /^event: (.*)$/m.exec(block)?.[1] ?? '',
        data: JSON.parse(/^data: (.*)$/m.exec(block)?.[1] ?? 'null'),
      }));
  }

  it('cancels a queued run at once, with a log line, so no worker claims it', async () => {
    const { enqueue, cancel, get, runs } = api(core);
    const run = (await enqueue({ scope: '10.0.0.0/30' })).body;
    const canceled = await cancel(run.id);
    expect(canceled.status).toBe(202);
    expect(canceled.body).toMatchObject({
      id: run.id,
      status: 'canceled',
      last_error: 'canceled before it started',
      cancel_requested_at: expect.any(String),
      completed_at: expect.any(String),
      stats: { stage: 'canceled', preset: 'normal' },
    });
    expect(canceled.body.started_at).toBeUndefined();
    const logs = await get<{ logs: LogLine[] }>(`${RUNS}/${run.id}/logs`);
    expect(logs.body.logs.map(({ level, message }) => ({ level, message }))).toEqual([
      { level: 'info', message: 'discovery run canceled: requested by operator before it started' },
    ]);
    expect(await runs.claimNext('test-worker')).toBeUndefined();
  });

  it('answers 409 for a run that already ended', async () => {
    const { enqueue, cancel, runs } = api(core);
    const run = (await enqueue()).body;
    expect((await cancel(run.id)).status).toBe(202);
    const again = await cancel(run.id);
    expect(again.status).toBe(409);
    expect(again.body).toEqual({
      error: {
        code: 'conflict',
        message: 'discovery run already canceled',
        details: { id: run.id, status: 'canceled' },
      },
    });
    const done = await startRunning(core);
    await runs.finish(done.id, 'test-worker', { status: 'succeeded', lastError: null, stats: { stage: 'completed' } });
    expect((await cancel(done.id)).body.error).toMatchObject({
      code: 'conflict',
      message: 'discovery run already succeeded',
    });
  });

  it('asks the worker of a running run to stop: 202, still running, cancel_requested_at set', async () => {
    const { cancel, get, runs } = api(core);
    const run = await startRunning(core);
    const claimed = await get(`${RUNS}/${run.id}`);
    // G-12: started_at is the claim time, after queued_at.
    expect(claimed.body.status).toBe('running');
    expect(Date.parse(claimed.body.started_at as string)).toBeGreaterThanOrEqual(Date.parse(claimed.body.queued_at));
    const requested = await cancel(run.id);
    expect(requested.status).toBe(202);
    expect(requested.body).toMatchObject({ id: run.id, status: 'running', cancel_requested_at: expect.any(String) });
    expect(requested.body.completed_at).toBeUndefined();
    const repeated = await cancel(run.id);
    expect(repeated.status).toBe(202);
    expect(repeated.body.cancel_requested_at).toBe(requested.body.cancel_requested_at);
    expect(await runs.heartbeat([run.id], 'test-worker')).toEqual([run.id]);
    expect(await runs.heartbeat([run.id], 'other-worker')).toEqual([]);
    await runs.finish(run.id, 'test-worker', {
      status: 'canceled',
      lastError: 'requested by operator',
      stats: { stage: 'canceled' },
    });
  });

  it('answers 404 and 400 for unknown and malformed ids', async () => {
    const unknown = await api(core).cancel(UNKNOWN_ID);
    expect(unknown.status).toBe(404);
    expect(unknown.body.error).toEqual({
      code: 'not_found',
      message: 'discovery run not found',
      details: { id: UNKNOWN_ID },
    });
    const malformed = await api(core).cancel('nope');
    expect(malformed.status).toBe(400);
    expect(malformed.body.error).toMatchObject({ code: 'invalid_id', message: 'run id is not a valid uuid' });
  });

  it('streams a finished run: status, its log lines oldest first, end — then closes', async () => {
    const { runs } = api(core);
    const run = await startRunning(core);
    await runs.appendLog(run.id, 'info', 'discovery run started');
    await runs.appendLog(run.id, 'info', 'discovery run completed');
    await runs.finish(run.id, 'test-worker', { status: 'succeeded', lastError: null, stats: { stage: 'completed' } });
    const response = await core.request({ method: 'GET', url: `${RUNS}/${run.id}/events` });
    expect(response.statusCode).toBe(200);
    expect(response.headers['content-type']).toMatch(/^text\/event-stream/);
    expect(response.headers['cache-control']).toContain('no-cache');
    const events = parseEvents(response.body);
    expect(events.map((event) => event.event)).toEqual(['status', 'log', 'log', 'end']);
    expect(events[0]?.data).toMatchObject({ id: run.id, status: 'succeeded', stats: { stage: 'completed' } });
    expect(events.slice(1, 3).map((event) => event.data.message)).toEqual([
      'discovery run started',
      'discovery run completed',
    ]);
    expect(events[3]?.data).toEqual({ status: 'succeeded' });
  });

  it('follows a running run: new log lines and status changes until it ends', async () => {
    const { runs } = api(core);
    const run = await startRunning(core);
    const streaming = core.request({ method: 'GET', url: `${RUNS}/${run.id}/events` });
    await new Promise((resolve) => setTimeout(resolve, 400));
    await runs.mergeStats(run.id, { progress: { stage: 'sweep', done: 3, total: 8 } });
    await runs.appendLog(run.id, 'info', 'ping sweep: attempted=8 succeeded=3');
    await new Promise((resolve) => setTimeout(resolve, 400));
    await runs.finish(run.id, 'test-worker', {
      status: 'failed',
      lastError: 'runtime budget exceeded',
      stats: { stage: 'failed' },
    });
    const response = await streaming;
    const events = parseEvents(response.body);
    expect(events[0]).toMatchObject({ event: 'status', data: { status: 'running' } });
    expect(events).toContainEqual({
      event: 'status',
      data: expect.objectContaining({
        stats: expect.objectContaining({ progress: { stage: 'sweep', done: 3, total: 8 } }),
      }),
    });
    expect(events).toContainEqual({
      event: 'log',
      data: expect.objectContaining({ message: 'ping sweep: attempted=8 succeeded=3' }),
    });
    expect(events.at(-1)).toEqual({ event: 'end', data: { status: 'failed', last_error: 'runtime budget exceeded' } });
  });

  it('streams the cancel line of a run canceled while queued', async () => {
    const { enqueue, cancel } = api(core);
    const run = (await enqueue()).body;
    await cancel(run.id);
    const events = parseEvents((await core.request({ method: 'GET', url: `${RUNS}/${run.id}/events` })).body);
    expect(events.map((event) => event.event)).toEqual(['status', 'log', 'end']);
    expect(events[1]?.data.message).toBe('discovery run canceled: requested by operator before it started');
    expect(events[2]?.data).toEqual({ status: 'canceled', last_error: 'canceled before it started' });
  });

  it('answers a JSON 404 envelope for the events of an unknown run, 400 for a malformed id', async () => {
    const unknown = await core.request({ method: 'GET', url: `${RUNS}/${UNKNOWN_ID}/events` });
    expect(unknown.statusCode).toBe(404);
    expect(unknown.headers['content-type']).toMatch(/^application\/json/);
    expect(unknown.json()).toEqual({
      error: { code: 'not_found', message: 'discovery run not found', details: { id: UNKNOWN_ID } },
    });
    const malformed = await core.request({ method: 'GET', url: `${RUNS}/nope/events` });
    expect(malformed.statusCode).toBe(400);
    expect(malformed.json().error).toMatchObject({ code: 'invalid_id', message: 'run id is not a valid uuid' });
  });
});

describeEachBackend('discovery API: schedules', (backend) => {
  let core: TestCore;
  beforeAll(async () => {
    core = await createTestCore(backend, { env: UNLIMITED });
  });
  afterAll(() => core.close());

  const create = (payload: Record<string, unknown>) =>
    core.json<Schedule & Envelope>({ method: 'POST', url: SCHEDULES, payload });
  const update = (id: string, payload: Record<string, unknown>) =>
    core.json<Schedule & Envelope>({ method: 'PUT', url: `${SCHEDULES}/${id}`, payload });
  const get = (id: string) => core.json<Schedule & Envelope>({ method: 'GET', url: `${SCHEDULES}/${id}` });
  /** Next hh:00 UTC strictly after now. */
  const nextUtcHour = (hour: number): string => {
    const next = new Date();
    next.setUTCHours(hour, 0, 0, 0);
    if (next.getTime() <= Date.now()) next.setUTCDate(next.getUTCDate() + 1);
    return next.toISOString();
  };
  const secondsFromNow = (iso: string | undefined) => (Date.parse(iso as string) - Date.now()) / 1000;

  it('creates an interval schedule with canonical scope and defaults', async () => {
    const { status, body } = await create({ scope: '10.0.0.5/24', interval_seconds: 3600 });
    expect(status).toBe(201);
    expect(body).toEqual({
      id: expect.any(String),
      scope: '10.0.0.0/24',
      preset: 'normal',
      tags: [],
      interval_seconds: 3600,
      enabled: true,
      next_run_at: expect.any(String),
      created_at: expect.any(String),
      updated_at: expect.any(String),
    });
    expect(secondsFromNow(body.next_run_at)).toBeGreaterThan(3590);
    expect(secondsFromNow(body.next_run_at)).toBeLessThanOrEqual(3600);
  });

  it('creates a cron schedule due at the next matching UTC time', async () => {
    const { status, body } = await create({
      name: ' nightly ',
      scope: '192.168.1.1',
      cron: ' 0 3 * * * ',
      preset: 'DEEP',
      tags: ['SNMP', 'names'],
    });
    expect(status).toBe(201);
    expect(body).toMatchObject({
      name: 'nightly',
      scope: '192.168.1.1',
      cron: '0 3 * * *',
      preset: 'deep',
      tags: ['names', 'snmp'],
    });
    expect(body.interval_seconds).toBeUndefined();
    expect(Date.parse(body.next_run_at as string)).toBe(Date.parse(nextUtcHour(3)));
  });

  it('creates a disabled schedule without a next run', async () => {
    const { status, body } = await create({ scope: '10.0.0.1', interval_seconds: 600, enabled: false });
    expect(status).toBe(201);
    expect(body.enabled).toBe(false);
    expect(body.next_run_at).toBeUndefined();
  });

  it.each([
    [{ scope: '10.0.0.0/24' }, 'invalid schedule timing', 'give exactly one of interval_seconds or cron'],
    [{ scope: '10.0.0.0/24', cron: '   ' }, 'invalid schedule timing', 'give exactly one of interval_seconds or cron'],
    [
      { scope: '10.0.0.0/24', interval_seconds: 600, cron: '0 3 * * *' },
      'invalid schedule timing',
      'give exactly one of interval_seconds or cron',
    ],
    [
      { scope: '10.0.0.0/24', interval_seconds: null, cron: null },
      'invalid schedule timing',
      'give exactly one of interval_seconds or cron',
    ],
    [{ scope: 'nope', interval_seconds: 600 }, 'invalid discovery scope', `${SCOPE_FORMAT_ERROR}; "nope" is neither`],
    [{ scope: '  ', interval_seconds: 600 }, 'invalid discovery scope', 'a schedule needs a scope'],
    [
      { scope: '10.0.0.0/16', interval_seconds: 600 },
      'invalid discovery scope',
      'scope too large (65536 targets); max targets is 1024',
    ],
    [
      { scope: '10.0.0.0/24', interval_seconds: 600, preset: 'turbo' },
      'invalid scan preset',
      'preset must be one of: fast, normal, deep',
    ],
    [{ scope: '10.0.0.0/24', interval_seconds: 600, tags: ['x'] }, 'invalid scan tags', 'unknown tag "x"'],
  ])('refuses %j with 400 %s', async (payload, message, error) => {
    const before = await countRows(core.database, 'discovery_schedules');
    const { status, body } = await create(payload);
    expect(status).toBe(400);
    expect(body).toEqual({ error: { code: 'validation_failed', message, details: { error } } });
    expect(await countRows(core.database, 'discovery_schedules')).toBe(before);
  });

  it('refuses an invalid cron with the parser explanation', async () => {
    const { status, body } = await create({ scope: '10.0.0.0/24', cron: '61 * * * *' });
    expect(status).toBe(400);
    expect(body.error).toMatchObject({ code: 'validation_failed', message: 'invalid schedule timing' });
    expect(body.error.details?.error).toMatch(/^invalid cron: .*minute/i);
  });

  it('validates the body schema: short intervals, unknown fields, missing scope', async () => {
    for (const payload of [
      { scope: '10.0.0.0/24', interval_seconds: 59 },
      { scope: '10.0.0.0/24', interval_seconds: 600, every: 'day' },
      { interval_seconds: 600 },
    ]) {
      const { status, body } = await create(payload);
      expect(status, JSON.stringify(payload)).toBe(400);
      expect(body.error).toMatchObject({ code: 'validation_failed', message: 'invalid json body' });
    }
  });

  it('lists, gets, and answers 404/400 for unknown and malformed ids', async () => {
    const created = (await create({ scope: '10.7.0.0/24', interval_seconds: 900 })).body;
    const list = await core.json<{ schedules: Schedule[] }>({ method: 'GET', url: SCHEDULES });
    expect(list.status).toBe(200);
    expect(list.body.schedules[0]).toEqual(created); // newest first
    expect((await get(created.id)).body).toEqual(created);
    for (const response of [
      await get(UNKNOWN_ID),
      await update(UNKNOWN_ID, { enabled: false }),
      await core.json<Envelope>({ method: 'DELETE', url: `${SCHEDULES}/${UNKNOWN_ID}` }),
    ]) {
      expect(response.status).toBe(404);
      expect(response.body).toEqual({
        error: { code: 'not_found', message: 'discovery schedule not found', details: { id: UNKNOWN_ID } },
      });
    }
    const malformed = await get('nope');
    expect(malformed.status).toBe(400);
    expect(malformed.body.error).toMatchObject({ code: 'invalid_id', message: 'schedule id is not a valid uuid' });
  });

  it('updates with merge semantics and switches timing between interval and cron', async () => {
    const original = (await create({ name: 'lab', scope: '10.8.0.0/24', interval_seconds: 3600, tags: ['names'] }))
      .body;

    const renamedPreset = await update(original.id, { preset: 'fast' });
    expect(renamedPreset.status).toBe(200);
    expect(renamedPreset.body).toMatchObject({
      name: 'lab',
      scope: '10.8.0.0/24',
      preset: 'fast',
      tags: ['names'],
      interval_seconds: 3600,
    });
    expect(renamedPreset.body.next_run_at).toBe(original.next_run_at); // timing unchanged: not rescheduled
    expect(Date.parse(renamedPreset.body.updated_at)).toBeGreaterThanOrEqual(Date.parse(original.updated_at));

    const toCron = await update(original.id, { cron: '0 4 * * *' });
    expect(toCron.status).toBe(200);
    expect(toCron.body).toMatchObject({ cron: '0 4 * * *', preset: 'fast', name: 'lab' });
    expect(toCron.body.interval_seconds).toBeUndefined();
    expect(Date.parse(toCron.body.next_run_at as string)).toBe(Date.parse(nextUtcHour(4)));

    const toInterval = await update(original.id, { interval_seconds: 600 });
    expect(toInterval.body.cron).toBeUndefined();
    expect(toInterval.body.interval_seconds).toBe(600);
    expect(secondsFromNow(toInterval.body.next_run_at)).toBeGreaterThan(590);

    const disabled = await update(original.id, { enabled: false });
    expect(disabled.body.enabled).toBe(false);
    expect(disabled.body.next_run_at).toBeUndefined();
    const enabled = await update(original.id, { enabled: true });
    expect(secondsFromNow(enabled.body.next_run_at)).toBeGreaterThan(590);

    const unnamed = await update(original.id, { name: null, scope: '10.8.0.77/24' });
    expect(unnamed.body.name).toBeUndefined();
    expect(unnamed.body.scope).toBe('10.8.0.0/24');
    expect(unnamed.body.tags).toEqual(['names']);
  });

  it('refuses updates that leave no timing, two timings or a bad scope, and keeps the schedule', async () => {
    const original = (await create({ scope: '10.9.0.0/24', interval_seconds: 3600 })).body;
    for (const [payload, message] of [
      [{ interval_seconds: null }, 'invalid schedule timing'],
      [{ interval_seconds: 600, cron: '0 3 * * *' }, 'invalid schedule timing'],
      [{ scope: 'nope' }, 'invalid discovery scope'],
      [{ cron: 'not a cron' }, 'invalid schedule timing'],
    ] as const) {
      const { status, body } = await update(original.id, payload);
      expect(status, JSON.stringify(payload)).toBe(400);
      expect(body.error).toMatchObject({ code: 'validation_failed', message });
    }
    expect((await update(original.id, { sometimes: true })).status).toBe(400);
    expect((await get(original.id)).body).toEqual(original);
  });

  it('deletes with 204; the schedule is gone afterwards', async () => {
    const { id } = (await create({ scope: '10.10.0.0/24', interval_seconds: 3600 })).body;
    const deleted = await core.request({ method: 'DELETE', url: `${SCHEDULES}/${id}` });
    expect(deleted.statusCode).toBe(204);
    expect(deleted.body).toBe('');
    expect((await get(id)).status).toBe(404);
    expect((await core.request({ method: 'DELETE', url: `${SCHEDULES}/${id}` })).statusCode).toBe(404);
  });

  describe('enqueueDue', () => {
    const repository = () => new DiscoveryScheduleRepository(core.database.db);
    const enqueueDue = () => repository().enqueueDue((schedule) => nextRunAt(schedule), scheduledRunStats);
    const makeDue = (ids: string[]) =>
      sql`UPDATE discovery_schedules SET next_run_at = now() - interval '5 minutes' WHERE id = ANY(${sql.val(ids)}::uuid[])`.execute(
        core.database.db,
      );
    const runsPerSchedule = async () => {
      const { rows } = await sql<{ schedule_id: string; n: number }>`
        SELECT schedule_id, count(*)::int AS n FROM discovery_runs WHERE schedule_id IS NOT NULL GROUP BY schedule_id`.execute(
        core.database.db,
      );
      return Object.fromEntries(rows.map((row) => [row.schedule_id, row.n]));
    };

    beforeAll(async () => {
      // Only the schedules of these tests may be due.
      await sql`DELETE FROM discovery_schedules`.execute(core.database.db);
    });

    it('enqueues a due schedule exactly once when three callers race for it', async () => {
      const { id } = (await create({ scope: '10.20.0.0/24', interval_seconds: 3600, preset: 'fast', tags: ['names'] }))
        .body;
      await makeDue([id]);
      const results = await Promise.all([enqueueDue(), enqueueDue(), enqueueDue()]);
      const enqueued = results.filter((result) => result !== undefined);
      expect(enqueued).toHaveLength(1);
      expect(await runsPerSchedule()).toEqual({ [id]: 1 });
      const run = enqueued[0]?.run;
      expect(run).toMatchObject({
        status: 'queued',
        scope: '10.20.0.0/24',
        schedule_id: id,
        stats: { stage: 'queued', preset: 'fast', tags: ['names'], schedule_id: id },
      });
      const after = (await get(id)).body;
      expect(after.last_run_id).toBe(run?.id);
      expect(after.last_enqueued_at).toEqual(expect.any(String));
      expect(secondsFromNow(after.next_run_at)).toBeGreaterThan(3500);
      expect(await enqueueDue()).toBeUndefined();
      const viaApi = await api(core).get(`${RUNS}/${run?.id}`);
      expect(viaApi.body).toMatchObject({ status: 'queued', schedule_id: id });
    });

    it('with several due schedules and concurrent callers, makes one run per due schedule and none for the rest', async () => {
      const due = await Promise.all(
        [1, 2, 3, 4].map(async (n) => (await create({ scope: `10.30.${n}.0/24`, interval_seconds: 600 })).body.id),
      );
      const disabled = (await create({ scope: '10.31.0.0/24', interval_seconds: 600, enabled: false })).body.id;
      const future = (await create({ scope: '10.32.0.0/24', interval_seconds: 600 })).body.id;
      await makeDue([...due, disabled]);
      const before = await runsPerSchedule();
      const drain = async () => {
        let count = 0;
        while (await enqueueDue()) count += 1;
        return count;
      };
      const counts = await Promise.all([drain(), drain(), drain()]);
      expect(counts.reduce((sum, n) => sum + n, 0)).toBe(4);
      const after = await runsPerSchedule();
      for (const id of due) expect(after[id], id).toBe(1);
      expect(after[disabled]).toBeUndefined();
      expect(after[future]).toBeUndefined();
      expect(Object.keys(after).length - Object.keys(before).length).toBe(4);
    });

    it('keeps past runs when their schedule is deleted', async () => {
      const { id } = (await create({ scope: '10.40.0.0/24', interval_seconds: 600 })).body;
      await makeDue([id]);
      const enqueued = await enqueueDue();
      expect(enqueued?.schedule.id).toBe(id);
      expect((await core.request({ method: 'DELETE', url: `${SCHEDULES}/${id}` })).statusCode).toBe(204);
      const run = await api(core).get(`${RUNS}/${enqueued?.run.id}`);
      expect(run.status).toBe(200);
      expect(run.body.schedule_id).toBeUndefined();
    });
  });
});
