import { sql } from 'kysely';
import { afterAll, afterEach, beforeAll, beforeEach, expect, it } from 'vitest';
import { Migrator } from '../../src/storage/migrator.ts';
import { describeEachBackend, type TestDatabase } from '../support/backends.ts';
import { createTestCore, type TestCore } from '../support/core-app.ts';

interface Layout {
  layer: string;
  focus: { type: string; id: string };
  positions: Record<string, { x: number; y: number }>;
  updated_at: string | null;
  updated_by: string | null;
}
interface Envelope {
  error: { code: string; message: string; details?: Record<string, unknown> };
}

const DEVICE = '0b8e5a4e-1c2d-4e3f-8a9b-0c1d2e3f4a5b';
const SERVICE = 'c0ffee00-1234-4abc-8def-0123456789ab';

const layoutUrl = (layer: string, focusType?: string, focusId?: string): string => {
  const query = new URLSearchParams();
  if (focusType !== undefined) query.set('focusType', focusType);
  if (focusId !== undefined) query.set('focusId', focusId);
  const text = query.toString();
  return `/api/v1/map/${encodeURIComponent(layer)}/layout${text === '' ? '' : `?${text}`}`;
};

describeEachBackend('map layouts', (backend) => {
  let core: TestCore;
  beforeAll(async () => {
    core = await createTestCore(backend);
  });
  afterAll(() => core.close());
  beforeEach(async () => {
    await sql`DELETE FROM map_layouts`.execute(core.database.db);
  });

  const call = <T = Layout>(method: string, url: string, payload?: unknown, user?: string) =>
    core.json<T>({
      method: method as 'GET',
      url,
      ...(payload === undefined ? {} : { payload: payload as Record<string, unknown> }),
      ...(user === undefined ? {} : { headers: { 'x-roller-user': user } }),
    });
  const put = (url: string, positions: unknown, user?: string) => call('PUT', url, { positions }, user);
  const rows = async () =>
    (
      await sql<{ layer: string; focus_type: string; focus_id: string; positions: unknown; updated_by: string | null }>`
        SELECT layer, focus_type, focus_id, positions, updated_by FROM map_layouts
         ORDER BY layer, focus_type, focus_id`.execute(core.database.db)
    ).rows;
  const expectError = (response: { status: number; body: unknown }, code: string, message?: string) => {
    expect(response.status).toBe(400);
    const { error } = response.body as Envelope;
    expect(error.code).toBe(code);
    if (message !== undefined) expect(error.message).toBe(message);
    return error;
  };

  it('answers an empty layout with nulls when nothing is saved', async () => {
    const { status, body } = await call('GET', layoutUrl('l3', 'subnet', '10.0.1.0/24'));
    expect(status).toBe(200);
    expect(body).toEqual({
      layer: 'l3',
      focus: { type: 'subnet', id: '10.0.1.0/24' },
      positions: {},
      updated_at: null,
      updated_by: null,
    });
    expect(await rows()).toEqual([]);
  });

  it('saves, reads back, replaces and deletes a layout', async () => {
    const url = layoutUrl('l3', 'subnet', '10.0.1.0/24');
    const positions = {
      [DEVICE]: { x: 1.5, y: -20 },
      'subnet:10.0.1.0/24': { x: 0.1 + 0.2, y: 1e6 },
      e: { x: -1e6, y: 0 },
    };
    const saved = await put(url, positions, 'alice');
    expect(saved.status).toBe(200);
    expect(saved.body).toEqual({
      layer: 'l3',
      focus: { type: 'subnet', id: '10.0.1.0/24' },
      positions,
      updated_at: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$/),
      updated_by: 'alice',
    });
    expect((await call('GET', url)).body).toEqual(saved.body);

    // PUT replaces the whole layout: positions left out are gone.
    const replaced = await put(url, { other: { x: 3, y: 4 } }, 'bob');
    expect(replaced.status).toBe(200);
    expect(replaced.body.positions).toEqual({ other: { x: 3, y: 4 } });
    expect(replaced.body.updated_by).toBe('bob');
    expect(Date.parse(replaced.body.updated_at as string)).toBeGreaterThanOrEqual(
      Date.parse(saved.body.updated_at as string),
    );
    expect((await call('GET', url)).body).toEqual(replaced.body);
    expect(await rows()).toHaveLength(1);

    // An empty set of positions is a layout too (saved, with who saved it).
    const emptied = await put(url, {}, 'carol');
    expect(emptied.body).toMatchObject({ positions: {}, updated_by: 'carol' });
    expect(emptied.body.updated_at).not.toBeNull();

    const deleted = await core.request({ method: 'DELETE', url });
    expect(deleted.statusCode).toBe(204);
    expect(deleted.body).toBe('');
    expect((await call('GET', url)).body).toEqual({
      layer: 'l3',
      focus: { type: 'subnet', id: '10.0.1.0/24' },
      positions: {},
      updated_at: null,
      updated_by: null,
    });
    expect(await rows()).toEqual([]);
    // Nothing saved: still 204.
    expect((await core.request({ method: 'DELETE', url })).statusCode).toBe(204);
  });

  it('normalises the layer and focus as the map route does', async () => {
    const cases: [string, string, string, string, string][] = [
      // layer, focusType, focusId as sent → canonical focus id, and one other spelling of it
      [' L3 ', 'SUBNET', '10.0.1.7/24', '10.0.1.0/24', ' 10.0.1.200/24 '],
      ['l3', 'subnet', '2001:DB8::1/64', '2001:db8::/64', '2001:db8:0:0::/64'],
      ['physical', 'Device', DEVICE.toUpperCase(), DEVICE, ` ${DEVICE} `],
      ['l2', 'vlan', '0042', '42', ' 42 '],
      ['services', 'service', SERVICE.toUpperCase(), SERVICE, SERVICE],
      ['security', 'zone', '  dmz  ', 'dmz', 'dmz'],
    ];
    for (const [layer, focusType, sent, canonical, other] of cases) {
      const saved = await put(layoutUrl(layer, focusType, sent), { n: { x: 1, y: 2 } });
      expect(saved.status).toBe(200);
      const canonicalLayer = layer.trim().toLowerCase();
      const canonicalType = focusType.toLowerCase();
      expect(saved.body).toMatchObject({ layer: canonicalLayer, focus: { type: canonicalType, id: canonical } });
      for (const spelling of [canonical, other]) {
        const read = await call('GET', layoutUrl(canonicalLayer, canonicalType, spelling));
        expect(read.body).toMatchObject({ focus: { id: canonical }, positions: { n: { x: 1, y: 2 } } });
      }
    }
    expect((await rows()).map((row) => [row.layer, row.focus_type, row.focus_id])).toEqual([
      ['l2', 'vlan', '42'],
      ['l3', 'subnet', '10.0.1.0/24'],
      ['l3', 'subnet', '2001:db8::/64'],
      ['physical', 'device', DEVICE],
      ['security', 'zone', 'dmz'],
      ['services', 'service', SERVICE],
    ]);
    // Deleting under another spelling deletes the same layout.
    expect((await core.request({ method: 'DELETE', url: layoutUrl('L3', 'subnet', '10.0.1.99/24') })).statusCode).toBe(
      204,
    );
    expect((await call('GET', layoutUrl('l3', 'subnet', '10.0.1.0/24'))).body.positions).toEqual({});
  });

  it('keeps one layout per layer and per focus', async () => {
    const keys: [string, string, string][] = [
      ['l3', 'device', DEVICE],
      ['physical', 'device', DEVICE],
      ['l3', 'device', SERVICE],
      ['l3', 'service', DEVICE],
      ['l3', 'zone', DEVICE],
      ['l3', 'subnet', '10.0.1.0/24'],
      ['l3', 'subnet', '10.0.1.0/25'],
    ];
    for (const [index, [layer, type, id]] of keys.entries()) {
      expect((await put(layoutUrl(layer, type, id), { n: { x: index, y: 10 - index } }, `user${index}`)).status).toBe(
        200,
      );
    }
    for (const [index, [layer, type, id]] of keys.entries()) {
      expect((await call('GET', layoutUrl(layer, type, id))).body).toMatchObject({
        positions: { n: { x: index, y: 10 - index } },
        updated_by: `user${index}`,
      });
    }
    expect(await rows()).toHaveLength(keys.length);
    // Replacing or deleting one leaves the others alone.
    await put(layoutUrl('l3', 'device', DEVICE), { m: { x: 9, y: 9 } });
    expect((await core.request({ method: 'DELETE', url: layoutUrl('physical', 'device', DEVICE) })).statusCode).toBe(
      204,
    );
    expect((await call('GET', layoutUrl('l3', 'device', DEVICE))).body.positions).toEqual({ m: { x: 9, y: 9 } });
    expect((await call('GET', layoutUrl('physical', 'device', DEVICE))).body.positions).toEqual({});
    for (const [index, [layer, type, id]] of keys.entries()) {
      if (index < 2) continue;
      expect((await call('GET', layoutUrl(layer, type, id))).body.positions).toEqual({
        n: { x: index, y: 10 - index },
      });
    }
    expect(await rows()).toHaveLength(keys.length - 1);
  });

  it('refuses every invalid body with 400 validation_failed and keeps the stored layout', async () => {
    const url = layoutUrl('l2', 'vlan', '10');
    const original = await put(url, { a: { x: 1, y: 2 } }, 'alice');
    expect(original.status).toBe(200);
    const before = await rows();

    const manyPositions = Object.fromEntries(Array.from({ length: 2001 }, (_, i) => [`n${i}`, { x: i, y: i }]));
    const bodies: [string, unknown][] = [
      ['no positions', {}],
      ['an extra property', { positions: { b: { x: 1, y: 1 } }, zoom: 2 }],
      ['positions null', { positions: null }],
      ['positions an array', { positions: [{ x: 1, y: 1 }] }],
      ['a position not an object', { positions: { b: null } }],
      ['a position without y', { positions: { b: { x: 1 } } }],
      ['a position with an extra field', { positions: { b: { x: 1, y: 1, z: 1 } } }],
      ['a coordinate as text', { positions: { b: { x: '1', y: 1 } } }],
      ['x above 1e6', { positions: { b: { x: 1_000_000.5, y: 0 } } }],
      ['y below -1e6', { positions: { b: { x: 0, y: -1_000_001 } } }],
      ['an empty element id', { positions: { '': { x: 0, y: 0 } } }],
      ['an element id of 257 characters', { positions: { ['k'.repeat(257)]: { x: 0, y: 0 } } }],
      ['2001 positions', { positions: manyPositions }],
      // A key with a line break must be checked like any other (a `^.*$` pattern would skip it).
      ['a bad position under a key with a line break', { positions: { 'a\nb': { x: 'left' } } }],
    ];
    for (const [what, payload] of bodies) {
      const response = await call('PUT', url, payload, 'mallory');
      const error = expectError(response, 'validation_failed', 'invalid json body');
      expect(error.details?.error, what).toEqual(expect.any(String));
    }
    // Out of range as JSON text only: 1e400 parses as Infinity.
    for (const text of ['{"positions":{"b":{"x":1e400,"y":0}}}', '{"positions":{"b":{"x":0,"y":-1e400}}}']) {
      const response = await core.json({
        method: 'PUT',
        url,
        payload: text,
        headers: { 'content-type': 'application/json', 'x-roller-user': 'mallory' },
      });
      expectError(response, 'validation_failed', 'invalid json body');
    }
    expect(await rows()).toEqual(before);
    expect((await call('GET', url)).body).toEqual(original.body);
  });

  it('accepts the limits themselves', async () => {
    const url = layoutUrl('l3', 'zone', 'z'.repeat(64));
    const most = Object.fromEntries(Array.from({ length: 2000 }, (_, i) => [`n${i}`, { x: i, y: -i }]));
    most['k'.repeat(256)] = { x: 1_000_000, y: -1_000_000 };
    delete most.n0;
    const saved = await put(url, most);
    expect(saved.status).toBe(200);
    expect(Object.keys(saved.body.positions)).toHaveLength(2000);
    expect((await call('GET', url)).body.positions).toEqual(most);
  });

  it('refuses a bad layer or focus with the map route’s errors and keeps the stored layout', async () => {
    const url = layoutUrl('l3', 'device', DEVICE);
    const original = await put(url, { a: { x: 1, y: 2 } }, 'alice');
    const before = await rows();
    const cases: [string, string, string, Record<string, unknown>][] = [
      [layoutUrl('l9', 'device', DEVICE), 'validation_failed', 'invalid layer', { layer: 'l9' }],
      [
        layoutUrl('l3', 'device'),
        'validation_failed',
        'focusType and focusId must be provided together',
        { focusType: 'device', focusId: null },
      ],
      [
        layoutUrl('l3', undefined, DEVICE),
        'validation_failed',
        'focusType and focusId must be provided together',
        { focusType: null, focusId: DEVICE },
      ],
      [
        layoutUrl('l3'),
        'validation_failed',
        'focusType and focusId must be provided together',
        { focusType: null, focusId: null },
      ],
      [layoutUrl('l3', 'rack', DEVICE), 'validation_failed', 'invalid focusType', { focusType: 'rack' }],
      [layoutUrl('l3', 'device', 'sw-1'), 'invalid_id', 'device id is not a valid uuid', { id: 'sw-1' }],
      [layoutUrl('l3', 'service', 'ssh'), 'invalid_id', 'service id is not a valid uuid', { id: 'ssh' }],
      [layoutUrl('l3', 'subnet', '10.0.1.7'), 'invalid_id', 'subnet id must be a CIDR prefix', { id: '10.0.1.7' }],
      [layoutUrl('l2', 'vlan', '4095'), 'invalid_id', 'vlan id must be an integer between 1 and 4094', { id: '4095' }],
      [
        layoutUrl('l3', 'zone', 'z'.repeat(65)),
        'invalid_id',
        'zone id must be 1 to 64 characters',
        { id: 'z'.repeat(65) },
      ],
      [layoutUrl('l3', 'zone', '   '), 'invalid_id', 'zone id must be 1 to 64 characters', { id: '   ' }],
      [`${url}&depth=2`, 'validation_failed', 'invalid query parameter', { parameter: 'depth' }],
    ];
    for (const [target, code, message, details] of cases) {
      for (const method of ['GET', 'PUT', 'DELETE']) {
        const response = await call(method, target, method === 'PUT' ? { positions: {} } : undefined, 'mallory');
        const error = expectError(response, code, message);
        expect(error.details, `${method} ${target}`).toMatchObject(details);
      }
    }
    expect(await rows()).toEqual(before);
    expect((await call('GET', url)).body).toEqual(original.body);
  });

  it('records the user the UI server names in X-Roller-User, else null', async () => {
    const url = layoutUrl('security', 'zone', 'office');
    const by = async (user: string | undefined) => (await put(url, { a: { x: 0, y: 0 } }, user)).body.updated_by;
    expect(await by(undefined)).toBeNull();
    expect(await by('alice')).toBe('alice');
    expect((await call('GET', url)).body.updated_by).toBe('alice');
    expect(await by('  bob  ')).toBe('bob');
    expect(await by('   ')).toBeNull();
    expect(await by('u'.repeat(300))).toBe('u'.repeat(200));
    expect((await rows())[0]?.updated_by).toBe('u'.repeat(200));
  });

  it('keeps a layout whose device is deleted, without errors', async () => {
    const created = await call<{ id: string }>('POST', '/api/v1/devices', { display_name: 'gone-soon' });
    expect(created.status).toBe(201);
    const id = created.body.id;
    const url = layoutUrl('physical', 'device', id);
    await put(url, { [id]: { x: 5, y: 6 } });
    // Core has no device-delete endpoint; whatever removes a device, no foreign key stands in its way.
    await sql`DELETE FROM devices WHERE id = ${id}`.execute(core.database.db);
    expect((await call('GET', `/api/v1/map/physical?focusType=device&focusId=${id}`)).status).toBe(404);
    const read = await call('GET', url);
    expect(read.status).toBe(200);
    expect(read.body.positions).toEqual({ [id]: { x: 5, y: 6 } });
    expect((await core.request({ method: 'DELETE', url })).statusCode).toBe(204);
    expect(await rows()).toEqual([]);
  });
});

describeEachBackend('map layouts: migration 010', (backend) => {
  let test: TestDatabase;
  beforeEach(async () => {
    test = await backend.empty();
  });
  afterEach(() => test.dispose());

  const hasTable = async () =>
    (
      await sql<{ present: boolean }>`SELECT to_regclass('map_layouts') IS NOT NULL AS present`.execute(
        test.database.db,
      )
    ).rows[0]?.present;

  it('creates map_layouts with its checks, and goes down and up again', async () => {
    const db = test.database.db;
    const migrator = new Migrator(test.database);
    await migrator.up(10);
    expect((await migrator.state()).version).toBe(10);
    expect(await hasTable()).toBe(true);
    const insert = (layer: string, focusType: string, positions: string) =>
      sql`INSERT INTO map_layouts (layer, focus_type, focus_id, positions)
          VALUES (${layer}, ${focusType}, 'x', ${positions}::jsonb)`.execute(db);
    await insert('l3', 'zone', '{"a":{"x":1,"y":2}}');
    await expect(insert('l9', 'zone', '{}')).rejects.toThrow(/map_layouts_layer_chk/);
    await expect(insert('l2', 'rack', '{}')).rejects.toThrow(/map_layouts_focus_type_chk/);
    await expect(insert('l2', 'zone', '[]')).rejects.toThrow(/map_layouts_positions_chk/);
    await expect(insert('l3', 'zone', '{}')).rejects.toThrow(/map_layouts_pkey|duplicate key/);
    const { rows } = await sql<{ updated_at: string | null }>`SELECT updated_at FROM map_layouts`.execute(db);
    expect(rows[0]?.updated_at).not.toBeNull();

    await migrator.down(1);
    expect((await migrator.state()).version).toBe(9);
    expect(await hasTable()).toBe(false);
    await migrator.up(1);
    expect((await migrator.state()).version).toBe(10);
    expect(await hasTable()).toBe(true);
  });
});
