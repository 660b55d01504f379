import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { refreshDeviceSummaries } from '../../src/storage/device-summary.ts';
import { describeEachBackend } from '../support/backends.ts';
import { createTestCore, type TestCore } from '../support/core-app.ts';
import { addFacts } from '../support/fixtures.ts';

interface Device {
  id: string;
  display_name?: string;
  primary_ip?: string;
  tags?: string[];
  metadata?: { owner?: string; location?: string; notes?: string };
  last_seen_at?: string;
  last_change_at: string;
  created_at: string;
  presence?: { state: string; last_seen_by: string[]; missed_scans: number };
}
interface Envelope {
  error: { code: string; message: string; details?: Record<string, unknown> };
}

describeEachBackend('devices: create, get, update', (backend) => {
  let core: TestCore;
  beforeAll(async () => {
    core = await createTestCore(backend);
  });
  afterAll(() => core.close());

  const create = (payload: unknown) =>
    core.json<Device>({ method: 'POST', url: '/api/v1/devices', payload: payload as Record<string, unknown> });
  const put = (id: string, payload: unknown) =>
    core.json<Device>({ method: 'PUT', url: `/api/v1/devices/${id}`, payload: payload as Record<string, unknown> });
  const get = (id: string) => core.json<Device>({ method: 'GET', url: `/api/v1/devices/${id}` });

  it('creates a device, trimming metadata and dropping blank fields', async () => {
    const created = await create({
      display_name: '  Core Switch ',
      metadata: { owner: '  Network Team ', location: '   ', notes: 'rack 4' },
    });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({
      display_name: '  Core Switch ',
      metadata: { owner: 'Network Team', notes: 'rack 4' },
    });
    expect(created.body.metadata).not.toHaveProperty('location');
    expect(created.body.created_at).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$/);
    expect(created.body.last_change_at).toBeDefined();
  });

  it('creates a device from an empty body and omits absent fields', async () => {
    const created = await create({});
    expect(created.status).toBe(201);
    expect(Object.keys(created.body).sort()).toEqual(['created_at', 'id', 'last_change_at', 'presence']);
    // Presence is always there: a device no scan has judged is unknown (issue 11).
    expect(created.body.presence).toEqual({ state: 'unknown', last_seen_by: [], missed_scans: 0 });
  });

  it('returns the same derived fields from get as the list does (G-07)', async () => {
    const { body } = await create({ display_name: 'printer-3f' });
    await addFacts(core.database, body.id, {
      ips: [
        { ip: '10.1.2.3', ageSeconds: 30 },
        { ip: '10.1.2.4', ageSeconds: 5 },
      ],
      macs: [{ mac: 'aa:bb:cc:00:11:22', ageSeconds: 10 }],
    });
    const fetched = await get(body.id);
    expect(fetched.status).toBe(200);
    expect(fetched.body.primary_ip).toBe('10.1.2.4');
    expect(fetched.body.last_seen_at).toBeDefined();
    const list = await core.json<{ devices: Device[] }>({ method: 'GET', url: '/api/v1/devices?q=printer-3f' });
    expect(list.body.devices).toEqual([fetched.body]);
  });

  it('answers 404 for an unknown id and 400 invalid_id for a malformed one', async () => {
    const unknown = '00000000-0000-4000-8000-000000000000';
    const missing = await core.json<Envelope>({ method: 'GET', url: `/api/v1/devices/${unknown}` });
    expect(missing.status).toBe(404);
    expect(missing.body.error).toEqual({ code: 'not_found', message: 'device not found', details: { id: unknown } });
    const malformed = await core.json<Envelope>({ method: 'GET', url: '/api/v1/devices/not-a-uuid' });
    expect(malformed.status).toBe(400);
    expect(malformed.body.error).toEqual({
      code: 'invalid_id',
      message: 'device id is not a valid uuid',
      details: { id: 'not-a-uuid' },
    });
    for (const path of ['facts', 'name-candidates']) {
      expect((await core.json<Envelope>({ method: 'GET', url: `/api/v1/devices/${unknown}/${path}` })).status).toBe(
        404,
      );
      expect((await core.json<Envelope>({ method: 'GET', url: `/api/v1/devices/xyz/${path}` })).body.error.code).toBe(
        'invalid_id',
      );
    }
    const putMissing = await put(unknown, { display_name: 'x' });
    expect(putMissing.status).toBe(404);
  });

  describe('merge semantics of PUT (G-06)', () => {
    let id: string;
    beforeAll(async () => {
      id = (await create({ display_name: 'edge-router', metadata: { owner: 'ops', location: 'dc1', notes: 'n1' } }))
        .body.id;
    });

    it('keeps the name when only metadata is sent, and keeps metadata fields that are not sent', async () => {
      const updated = await put(id, { metadata: { location: 'dc2' } });
      expect(updated.status).toBe(200);
      expect(updated.body.display_name).toBe('edge-router');
      expect(updated.body.metadata).toEqual({ owner: 'ops', location: 'dc2', notes: 'n1' });
    });

    it('keeps metadata when only the name is sent', async () => {
      const updated = await put(id, { display_name: 'edge-router-2' });
      expect(updated.body).toMatchObject({
        display_name: 'edge-router-2',
        metadata: { owner: 'ops', location: 'dc2', notes: 'n1' },
      });
    });

    it('clears a field with null or a blank string, and the name with null', async () => {
      const updated = await put(id, { display_name: null, metadata: { owner: null, notes: '  ' } });
      expect(updated.body.display_name).toBeUndefined();
      expect(updated.body.metadata).toEqual({ location: 'dc2' });
      expect((await get(id)).body).toEqual(updated.body);
    });

    it('clears all metadata with metadata: null', async () => {
      await put(id, { metadata: { owner: 'x', notes: 'y' } });
      const updated = await put(id, { metadata: null });
      expect(updated.body.metadata).toBeUndefined();
    });

    it('changes nothing, not even last_change_at, for an empty patch', async () => {
      const before = await get(id);
      const updated = await put(id, {});
      expect(updated.status).toBe(200);
      expect(updated.body).toEqual(before.body);
    });

    it('moves last_change_at forward on a real change', async () => {
      const before = await get(id);
      await new Promise((resolve) => setTimeout(resolve, 5));
      const updated = await put(id, { display_name: 'renamed' });
      expect(Date.parse(updated.body.last_change_at)).toBeGreaterThan(Date.parse(before.body.last_change_at));
    });
  });
});

describeEachBackend('devices: effective tags', (backend) => {
  let core: TestCore;
  beforeAll(async () => {
    core = await createTestCore(backend);
  });
  afterAll(() => core.close());

  it('lists manual tags first and each tag once (G-08), in the list and in get', async () => {
    const { body } = await core.json<Device>({
      method: 'POST',
      url: '/api/v1/devices',
      payload: { display_name: 'edge' },
    });
    await sql`
      INSERT INTO device_tags (device_id, tag, source, confidence, updated_at) VALUES
        (${body.id}, 'router', 'auto', 88, now() - interval '1 hour'),
        (${body.id}, 'firewall', 'auto', 90, now()),
        (${body.id}, 'router', 'manual', 100, now() - interval '2 hours'),
        (${body.id}, 'switch', 'auto', 70, now())`.execute(core.database.db);
    await refreshDeviceSummaries(core.database.db, [body.id]);
    const fetched = await core.json<Device>({ method: 'GET', url: `/api/v1/devices/${body.id}` });
    expect(fetched.body.tags).toEqual(['router', 'firewall', 'switch']);
    const list = await core.json<{ devices: Device[] }>({ method: 'GET', url: '/api/v1/devices?q=edge' });
    expect(list.body.devices[0]?.tags).toEqual(['router', 'firewall', 'switch']);
  });
});
