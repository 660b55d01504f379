import { sql } from 'kysely';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { type Backend, describeEachBackend } from '../support/backends.ts';
import { createTestCore, type TestCore } from '../support/core-app.ts';

interface AuditEvent {
  id: string;
  actor: string;
  actor_role?: string;
  action: string;
  target_type?: string;
  target_id?: string;
  details: Record<string, unknown>;
  created_at: string;
}
interface Page {
  events: AuditEvent[];
  cursor?: string;
}
interface Envelope {
  error: { code: string; message: string; details?: Record<string, unknown> };
}

const DEVICE = '7d1c9e52-3f0a-4b8e-a6d2-91e4c0b7f3aa';

describeEachBackend('audit events', (backend: Backend) => {
  let core: TestCore;
  beforeAll(async () => {
    core = await createTestCore(backend);
  });
  afterAll(() => core.close());

  const record = (payload: Record<string, unknown>) =>
    core.json<{ ok: boolean } & Envelope>({ method: 'POST', url: '/api/v1/audit/events', payload });
  const list = (query = '') => core.json<Page & Envelope>({ method: 'GET', url: `/api/v1/audit/events${query}` });

  it('records an event (trimmed, blanks → null, details default {}) and lists it', async () => {
    const created = await record({
      actor: '  admin ',
      action: ' device.create ',
      actor_role: 'admin',
      target_type: 'device',
      target_id: DEVICE.toUpperCase(),
      details: { display_name: 'core-sw-01' },
    });
    expect(created).toMatchObject({ status: 201, body: { ok: true } });
    expect(
      (await record({ actor: 'viewer', action: 'GET /v1/devices', actor_role: ' ', target_type: null })).status,
    ).toBe(201);
    const page = await list();
    expect(page.body.events).toHaveLength(2);
    expect(page.body.events[1]).toEqual({
      id: expect.any(String),
      actor: 'admin',
      actor_role: 'admin',
      action: 'device.create',
      target_type: 'device',
      target_id: DEVICE,
      details: { display_name: 'core-sw-01' },
      created_at: expect.any(String),
    });
    expect(page.body.events[0]).toEqual({
      id: expect.any(String),
      actor: 'viewer',
      action: 'GET /v1/devices',
      details: {},
      created_at: expect.any(String),
    });
  });

  it('refuses bad bodies with the SPEC messages', async () => {
    expect((await record({ actor: ' ', action: 'x' })).body.error).toEqual({
      code: 'validation_failed',
      message: 'actor and action are required',
    });
    expect((await record({ actor: 'a', action: 'x', target_id: 'discovery' })).body.error).toEqual({
      code: 'validation_failed',
      message: 'invalid target_id',
      details: { target_id: 'discovery' },
    });
    const unknown = await record({ actor: 'a', action: 'x', extra: 1 });
    expect(unknown.status).toBe(400);
    expect(unknown.body.error).toMatchObject({
      message: 'invalid json body',
      details: { error: 'unknown field "extra"' },
    });
    const missing = await record({ actor: 'a' });
    expect(missing.status).toBe(400);
    const details = await record({ actor: 'a', action: 'x', details: [1, 2] });
    expect(details.status).toBe(400);
  });

  it('filters by actor, action, target and time, newest first, and pages with a cursor that keeps the filters', async () => {
    // Known timestamps, so the time filters and the order are exact.
    const db = core.database.db;
    await sql`DELETE FROM audit_events`.execute(db);
    for (let n = 0; n < 25; n++) {
      await sql`
        INSERT INTO audit_events (actor, action, target_type, target_id, details, created_at)
        VALUES (${n % 2 === 0 ? 'alice' : 'bob'}, ${n % 5 === 0 ? 'device.update' : 'discovery.trigger'},
                ${n % 5 === 0 ? 'device' : 'discovery_run'}, ${n % 5 === 0 ? DEVICE : null}, ${JSON.stringify({ n })}::jsonb,
                ${`2026-11-01T10:00:${String(n).padStart(2, '0')}.5Z`}::timestamptz)`.execute(db);
    }
    // Two events in the same instant: the id breaks the tie, so no page repeats or skips one.
    await sql`INSERT INTO audit_events (actor, action, details, created_at) VALUES
              ('carol', 'x', '{}', '2026-11-01T10:00:30Z'), ('carol', 'x', '{}', '2026-11-01T10:00:30Z')`.execute(db);

    const all: AuditEvent[] = [];
    let cursor: string | undefined;
    do {
      const page = await list(`?limit=4${cursor ? `&cursor=${cursor}` : ''}`);
      expect(page.status).toBe(200);
      all.push(...page.body.events);
      cursor = page.body.cursor;
    } while (cursor);
    expect(all).toHaveLength(27);
    expect(new Set(all.map((event) => event.id)).size).toBe(27);
    const order = all.map((event) => [event.created_at, event.id].join('|'));
    expect(order).toEqual([...order].sort().reverse());

    const alice = await list('?actor=alice&limit=200');
    expect(alice.body.events.map((event) => event.details.n)).toEqual([24, 22, 20, 18, 16, 14, 12, 10, 8, 6, 4, 2, 0]);
    const updates = await list(`?action=device.update&target_type=device&target_id=${DEVICE}`);
    expect(updates.body.events.map((event) => event.details.n)).toEqual([20, 15, 10, 5, 0]);

    const window = await list('?since=2026-11-01T10:00:10.5Z&until=2026-11-01T10:00:20.5Z&limit=3');
    expect(window.body.events.map((event) => event.details.n)).toEqual([19, 18, 17]);
    const next = await list(
      `?since=2026-11-01T10:00:10.5Z&until=2026-11-01T10:00:20.5Z&limit=200&cursor=${window.body.cursor}`,
    );
    // The cursor continues the filtered list: `since` is still honoured on later pages.
    expect(next.body.events.map((event) => event.details.n)).toEqual([16, 15, 14, 13, 12, 11, 10]);
    expect(next.body.cursor).toBeUndefined();
  });

  it('answers 400 for bad filters, limits and cursors', async () => {
    const since = await list('?since=yesterday');
    expect(since.status).toBe(400);
    expect(since.body.error).toMatchObject({ code: 'validation_failed', message: 'invalid since timestamp' });
    expect((await list('?target_id=nope')).body.error.message).toBe('invalid target_id');
    expect((await list('?limit=0')).body.error.details?.error).toBe('limit must be positive');
    expect((await list('?cursor=%%%')).body.error.message).toBe('invalid cursor');
    expect((await list('?colour=red')).body.error.message).toBe('invalid query parameter');
    // Above the maximum is clamped, not refused.
    expect((await list('?limit=100000')).status).toBe(200);
  });
});
