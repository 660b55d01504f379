// Presence over the API (issue 11), both backends: the device's presence object, the list's status
// filter following the presence state, and the per-device and per-tag settings endpoints.
import { sql } from 'kysely';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { FoldRepository } from '../../src/storage/fold.repository.ts';
import { PresenceRepository } from '../../src/storage/presence.repository.ts';
import { describeEachBackend } from '../support/backends.ts';
import { createTestCore, type TestCore } from '../support/core-app.ts';

interface Presence {
  state: string;
  since?: string;
  last_seen_at?: string;
  last_seen_by: string[];
  missed_scans: number;
  checked_at?: string;
}
interface Device {
  id: string;
  display_name?: string;
  presence?: Presence;
}
interface Settings {
  override: { missed_scans?: number; grace_s?: number; updated_by?: string };
  effective: { missed_scans: number; grace_s: number; missed_scans_source: string; grace_s_source: string };
}

describeEachBackend('api: presence', (backend) => {
  let core: TestCore;
  const ids: Record<string, string> = {};

  async function finishedRun(scope: string): Promise<string> {
    const { rows } = await sql<{ id: string }>`
      INSERT INTO discovery_runs (status, scope, stats, started_at, completed_at)
      VALUES ('succeeded', ${scope}, '{}'::jsonb, now(), now()) RETURNING id`.execute(core.database.db);
    return rows[0]?.id as string;
  }

  beforeAll(async () => {
    core = await createTestCore(backend, { env: { PRESENCE_MISSED_SCANS: '1', PRESENCE_GRACE: '0' } });
    const db = core.database.db;
    const first = await finishedRun('10.60.0.0/24');
    await new FoldRepository(db).fold(first, [
      { ip: '10.60.0.1', mac: '02:00:00:60:00:01', probes: ['arp'] },
      { ip: '10.60.0.2', mac: '02:00:00:60:00:02', probes: ['arp'] },
    ]);
    const second = await finishedRun('10.60.0.0/24');
    await new FoldRepository(db).fold(second, [{ ip: '10.60.0.1', mac: '02:00:00:60:00:01', probes: ['arp', 'icmp'] }]);
    const presence = new PresenceRepository(db);
    await presence.recordScan(second);
    await presence.evaluate({ missedScans: 1, graceS: 0 });
    const { rows } = await sql<{ ip: string; device_id: string }>`
      SELECT host(ip) AS ip, device_id FROM ip_addresses`.execute(db);
    for (const row of rows) ids[row.ip] = row.device_id;
    const created = await core.json<Device>({
      method: 'POST',
      url: '/api/v1/devices',
      payload: { display_name: 'hand' },
    });
    ids.hand = created.body.id;
  });
  afterAll(() => core.close());

  it('shows the presence state, since when, the last sighting and its probes', async () => {
    const up = await core.json<Device>({ method: 'GET', url: `/api/v1/devices/${ids['10.60.0.1']}` });
    expect(up.status).toBe(200);
    expect(up.body.presence).toMatchObject({ state: 'online', last_seen_by: ['arp', 'icmp'], missed_scans: 0 });
    expect(typeof up.body.presence?.since).toBe('string');
    expect(typeof up.body.presence?.last_seen_at).toBe('string');
    const down = await core.json<Device>({ method: 'GET', url: `/api/v1/devices/${ids['10.60.0.2']}` });
    expect(down.body.presence).toMatchObject({ state: 'offline', last_seen_by: ['arp'], missed_scans: 1 });
    const hand = await core.json<Device>({ method: 'GET', url: `/api/v1/devices/${ids.hand}` });
    expect(hand.body.presence).toEqual({ state: 'unknown', last_seen_by: [], missed_scans: 0 });
  });

  it('filters the list by presence state', async () => {
    const names = async (status: string) =>
      (await core.json<{ devices: Device[] }>({ method: 'GET', url: `/api/v1/devices?status=${status}` })).body.devices
        .map((device) => device.id)
        .sort();
    expect(await names('online')).toEqual([ids['10.60.0.1']]);
    expect(await names('offline')).toEqual([ids['10.60.0.2']]);
    expect(await names('unknown')).toEqual([ids.hand]);
  });

  it('stores a device override and shows where each value comes from', async () => {
    const url = `/api/v1/devices/${ids['10.60.0.1']}/presence-settings`;
    const initial = await core.json<Settings>({ method: 'GET', url });
    expect(initial.body).toEqual({
      device_id: ids['10.60.0.1'],
      override: {},
      effective: { missed_scans: 1, grace_s: 0, missed_scans_source: 'global', grace_s_source: 'global' },
    });
    await sql`UPDATE devices SET tags = '{printer}' WHERE id = ${ids['10.60.0.1']}`.execute(core.database.db);
    const tag = await core.json<Settings>({
      method: 'PUT',
      url: '/api/v1/presence/tag-settings/printer',
      payload: { missed_scans: 5, grace_s: 900 },
      headers: { 'x-roller-user': 'alice' },
    });
    expect(tag.status).toBe(200);
    expect(tag.body.override).toMatchObject({ missed_scans: 5, grace_s: 900, updated_by: 'alice' });
    const saved = await core.json<Settings>({ method: 'PUT', url, payload: { missed_scans: 3, grace_s: null } });
    expect(saved.status).toBe(200);
    expect(saved.body.effective).toEqual({
      missed_scans: 3,
      grace_s: 900,
      missed_scans_source: 'device',
      grace_s_source: 'tag:printer',
    });
    expect((await core.request({ method: 'DELETE', url })).statusCode).toBe(204);
    expect((await core.json<Settings>({ method: 'GET', url })).body.effective.missed_scans_source).toBe('tag:printer');
    const list = await core.json<{ tag: string }[]>({ method: 'GET', url: '/api/v1/presence/tag-settings' });
    expect(list.body.map((row) => row.tag)).toEqual(['printer']);
    expect((await core.request({ method: 'DELETE', url: '/api/v1/presence/tag-settings/printer' })).statusCode).toBe(
      204,
    );
    expect((await core.json<Settings>({ method: 'GET', url })).body.effective.missed_scans_source).toBe('global');
  });

  it('answers 404 for an unknown device and 400 for bad values and unknown tags', async () => {
    const missing = '00000000-0000-4000-8000-000000000000';
    for (const method of ['GET', 'PUT', 'DELETE'] as const) {
      const response = await core.request({
        method,
        url: `/api/v1/devices/${missing}/presence-settings`,
        ...(method === 'PUT' ? { payload: { missed_scans: 2 } } : {}),
      });
      expect(response.statusCode).toBe(404);
    }
    const url = `/api/v1/devices/${ids.hand}/presence-settings`;
    expect((await core.request({ method: 'PUT', url, payload: { missed_scans: 0 } })).statusCode).toBe(400);
    expect((await core.request({ method: 'PUT', url, payload: { grace_s: -1 } })).statusCode).toBe(400);
    expect((await core.request({ method: 'PUT', url, payload: { other: 1 } })).statusCode).toBe(400);
    const tag = await core.json<{ error: { message: string } }>({
      method: 'GET',
      url: '/api/v1/presence/tag-settings/sleeping',
    });
    expect(tag.status).toBe(400);
    expect(tag.body.error.message).toBe('invalid tag value');
  });
});
