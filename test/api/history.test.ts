import { sql } from 'kysely';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeEachBackend } from '../support/backends.ts';
import { createTestCore, type TestCore } from '../support/core-app.ts';

interface DeviceEvent {
  event_id: string;
  device_id: string;
  event_at: string;
  kind: string;
  summary: string;
  details: Record<string, unknown>;
  run_id?: string;
  actor?: string;
}
interface EventList {
  events: DeviceEvent[];
  cursor?: string;
}
interface Envelope {
  error: { code: string; message: string; details?: Record<string, unknown> };
}

const RFC3339_US = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,6})?Z$/;

describeEachBackend('history: change feed and device timeline', (backend) => {
  let core: TestCore;
  /** Two devices with a fixed set of events: 4 per second for 5 seconds, alternating devices. */
  let a: string;
  let b: string;
  beforeAll(async () => {
    core = await createTestCore(backend);
    const db = core.database.db;
    const { rows } = await sql<{
      id: string;
    }>`INSERT INTO devices (display_name) VALUES ('a'), ('b') RETURNING id`.execute(db);
    a = rows[0]?.id as string;
    b = rows[1]?.id as string;
    await sql`
      INSERT INTO device_events (device_id, kind, summary, details, event_at)
      SELECT CASE WHEN g % 2 = 0 THEN ${a}::uuid ELSE ${b}::uuid END,
             CASE WHEN g % 3 = 0 THEN 'ip_added' WHEN g % 3 = 1 THEN 'mac_added' ELSE 'service_opened' END,
             'seeded ' || g, jsonb_build_object('n', g),
             '2026-01-01T00:00:00Z'::timestamptz + ((g / 4) * interval '1 second')
        FROM generate_series(0, 19) AS g`.execute(db);
  });
  afterAll(() => core.close());

  const get = <T = EventList>(url: string) => core.json<T>({ method: 'GET', url });
  const seeded = (events: DeviceEvent[]) => events.filter((event) => event.summary.startsWith('seeded '));
  const n = (event: DeviceEvent) => event.details.n as number;

  /** Follows cursors to the end; asserts every page respects the limit. */
  const pages = async (url: string, limit: number): Promise<DeviceEvent[][]> => {
    const result: DeviceEvent[][] = [];
    let cursor: string | undefined;
    for (let guard = 0; guard < 100; guard++) {
      const separator = url.includes('?') ? '&' : '?';
      const response = await get(
        `${url}${separator}limit=${limit}${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`,
      );
      expect(response.status).toBe(200);
      expect(response.body.events.length).toBeLessThanOrEqual(limit);
      result.push(response.body.events);
      cursor = response.body.cursor;
      if (!cursor) return result;
    }
    throw new Error('cursor never ended');
  };

  it('lists events newest first, ties broken by id, in the documented shape', async () => {
    const { status, body } = await get('/api/v1/devices/changes?limit=100');
    expect(status).toBe(200);
    const events = seeded(body.events);
    expect(events.map(n)).toEqual(Array.from({ length: 20 }, (_, index) => 19 - index));
    const first = events[0] as DeviceEvent;
    expect(first).toEqual({
      event_id: expect.any(String),
      device_id: b,
      event_at: '2026-01-01T00:00:04Z',
      kind: 'mac_added',
      summary: 'seeded 19',
      details: { n: 19 },
    });
    expect(first.event_id).toMatch(/^\d+$/);
    expect(body.events.every((event) => RFC3339_US.test(event.event_at))).toBe(true);
  });

  it('pages with deterministic cursors through identical timestamps and honours since/until on every page (G-11)', async () => {
    const all = (await pages('/api/v1/devices/changes', 3)).flat();
    expect(seeded(all).map(n)).toEqual(Array.from({ length: 20 }, (_, index) => 19 - index));
    expect(new Set(all.map((event) => event.event_id)).size).toBe(all.length);

    // Window [00:01, 00:03): seconds 1 and 2 only, i.e. g = 4..11, even across pages.
    const window = 'since=2026-01-01T00:00:01Z&until=2026-01-01T00:00:03.000000Z';
    const windowed = await pages(`/api/v1/devices/changes?${window}`, 3);
    expect(windowed.flat().map(n)).toEqual([11, 10, 9, 8, 7, 6, 5, 4]);
    expect(windowed.map((page) => page.length)).toEqual([3, 3, 2]);

    // The same cursor twice gives the same page.
    const first = await get(`/api/v1/devices/changes?${window}&limit=3`);
    const cursor = encodeURIComponent(first.body.cursor as string);
    const again1 = await get(`/api/v1/devices/changes?${window}&limit=3&cursor=${cursor}`);
    const again2 = await get(`/api/v1/devices/changes?${window}&limit=3&cursor=${cursor}`);
    expect(again1.body).toEqual(again2.body);
    expect(again1.body.events.map(n)).toEqual([8, 7, 6]);

    // A cursor with a since that lies after it: nothing older than since, ever.
    const late = await get(`/api/v1/devices/changes?since=2026-01-01T00:00:04Z&limit=3&cursor=${cursor}`);
    expect(late.body.events).toEqual([]);
    expect(late.body.cursor).toBeUndefined();

    // Offsets other than Z are accepted and normalised.
    const offset = await get('/api/v1/devices/changes?since=2026-01-01T01:00:04%2B01:00&limit=100');
    expect(seeded(offset.body.events).map(n)).toEqual([19, 18, 17, 16]);
  });

  it('filters by kind (repeated or comma list) and by device', async () => {
    const repeated = await get('/api/v1/devices/changes?kind=ip_added&kind=mac_added&limit=100');
    const comma = await get('/api/v1/devices/changes?kind=ip_added,mac_added&limit=100');
    expect(repeated.status).toBe(200);
    expect(seeded(repeated.body.events).map(n)).toEqual([19, 18, 16, 15, 13, 12, 10, 9, 7, 6, 4, 3, 1, 0]);
    expect(comma.body).toEqual(repeated.body);
    const paged = (await pages('/api/v1/devices/changes?kind=mac_added,ip_added', 4)).flat();
    expect(seeded(paged).map(n)).toEqual(seeded(repeated.body.events).map(n));

    const one = await get('/api/v1/devices/changes?kind=service_opened&limit=100');
    expect(seeded(one.body.events).map(n)).toEqual([17, 14, 11, 8, 5, 2]);

    const forA = await get(`/api/v1/devices/changes?device_id=${a}&kind=ip_added&limit=100`);
    expect(forA.body.events.map(n)).toEqual([18, 12, 6, 0]);
  });

  it('answers 400 for bad parameters', async () => {
    const bad = async (query: string, message: string, details?: Record<string, unknown>) => {
      const response = await get<Envelope>(`/api/v1/devices/changes?${query}`);
      expect(response.status, query).toBe(400);
      expect(response.body.error.code).toBe('validation_failed');
      expect(response.body.error.message).toBe(message);
      if (details) expect(response.body.error.details).toMatchObject(details);
      return response.body;
    };
    await bad('since=yesterday', 'invalid since timestamp', { since: 'yesterday', error: expect.any(String) });
    await bad('until=2026-13-01T00:00:00Z', 'invalid until timestamp', { until: '2026-13-01T00:00:00Z' });
    await bad('since=2026-01-01', 'invalid since timestamp');
    await bad('kind=ip_added,bogus', 'invalid kind value', { error: expect.stringContaining('kind must be one of') });
    await bad('cursor=not*base64', 'invalid cursor');
    // A devices-list cursor (uuid id) is not a history cursor.
    const uuidCursor = Buffer.from(`2026-01-01T00:00:00Z|${a}`).toString('base64url');
    await bad(`cursor=${uuidCursor}`, 'invalid cursor');
    await bad('limit=0', 'invalid query parameter', { error: 'limit must be positive' });
    await bad('limit=ten', 'invalid query parameter', { error: 'invalid limit' });
    await bad('device_id=nope', 'invalid device_id value');
    await bad('order=asc', 'invalid query parameter', { parameter: 'order' });

    const clamped = await get('/api/v1/devices/changes?limit=1000');
    expect(clamped.status).toBe(200);
    expect(clamped.body.events.length).toBeLessThanOrEqual(100);
  });

  it("serves a device's history, 404 for an unknown device and 400 for a bad id", async () => {
    const history = await get(`/api/v1/devices/${a}/history?limit=100`);
    expect(history.status).toBe(200);
    expect(seeded(history.body.events).map(n)).toEqual([18, 16, 14, 12, 10, 8, 6, 4, 2, 0]);
    expect(history.body.events.every((event) => event.device_id === a)).toBe(true);
    const windowed = (
      await pages(`/api/v1/devices/${a}/history?since=2026-01-01T00:00:01Z&until=2026-01-01T00:00:04Z&kind=ip_added`, 1)
    ).flat();
    expect(windowed.map(n)).toEqual([12, 6]);
    const paged = (await pages(`/api/v1/devices/${b}/history`, 3)).flat();
    expect(seeded(paged).map(n)).toEqual([19, 17, 15, 13, 11, 9, 7, 5, 3, 1]);

    const missing = await get<Envelope>('/api/v1/devices/0b8e5a4e-0000-4000-8000-000000000000/history');
    expect(missing.status).toBe(404);
    expect(missing.body.error).toMatchObject({ code: 'not_found', message: 'device not found' });
    const invalid = await get<Envelope>('/api/v1/devices/nope/history');
    expect(invalid.status).toBe(400);
    expect(invalid.body.error.code).toBe('invalid_id');
    const badSince = await get<Envelope>(`/api/v1/devices/${a}/history?since=soon`);
    expect(badSince.status).toBe(400);
    expect(badSince.body.error.message).toBe('invalid since timestamp');
  });

  it('routes /devices/changes to the feed, not to /devices/{id}', async () => {
    // /devices/{id} is registered first and would answer 400 invalid_id for "changes".
    const response = await core.request({ method: 'GET', url: '/api/v1/devices/changes' });
    expect(response.statusCode).toBe(200);
    expect(Object.keys(response.json())).toContain('events');
  });

  it('records API edits with the actor, and nothing for a repeated edit', async () => {
    const created = await core.json<{ id: string }>({
      method: 'POST',
      url: '/api/v1/devices',
      payload: { display_name: 'nas-1', metadata: { owner: 'IT' } },
    });
    const id = created.body.id;
    const put = (payload: Record<string, unknown>) =>
      core.json({ method: 'PUT', url: `/api/v1/devices/${id}`, payload });
    await put({ display_name: 'nas-2', metadata: { location: 'Rack A' } });
    await put({ display_name: 'nas-2', metadata: { location: 'Rack A' } });
    await core.json({ method: 'PUT', url: `/api/v1/devices/${id}/tags`, payload: { tags: ['server'] } });
    await core.json({ method: 'PUT', url: `/api/v1/devices/${id}/tags`, payload: { tags: ['server'] } });
    const { body } = await get(`/api/v1/devices/${id}/history`);
    expect(body.events.map((event) => [event.kind, event.actor, event.details])).toEqual([
      ['tag_added', 'api', { tag: 'server', source: 'manual' }],
      ['metadata_changed', 'api', { location: { from: null, to: 'Rack A' } }],
      ['display_name_changed', 'api', { from: 'nas-1', to: 'nas-2', automatic: false }],
      ['device_created', 'api', { source: 'manual', display_name: 'nas-1', metadata: { owner: 'IT' } }],
    ]);
    const feed = await get(`/api/v1/devices/changes?device_id=${id}&kind=device_created`);
    expect(feed.body.events).toHaveLength(1);
  });
});
