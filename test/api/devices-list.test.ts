import { sql } from 'kysely';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeEachBackend } from '../support/backends.ts';
import { createTestCore, type TestCore } from '../support/core-app.ts';
import { addFacts } from '../support/fixtures.ts';

interface Device {
  id: string;
  display_name?: string;
  primary_ip?: string;
  last_seen_at?: string;
  last_change_at: string;
  created_at: string;
  tags?: string[];
}
interface Page {
  devices: Device[];
  cursor?: string;
}
interface Envelope {
  error: { code: string; message: string; details?: Record<string, unknown> };
}

describeEachBackend('devices: list, search, filter, sort, page', (backend) => {
  let core: TestCore;
  const ids: Record<string, string> = {};

  const list = (query: string) => core.json<Page>({ method: 'GET', url: `/api/v1/devices${query}` });
  const listError = (query: string) => core.json<Envelope>({ method: 'GET', url: `/api/v1/devices${query}` });

  async function walk(query: string, limit: number): Promise<Device[]> {
    const seen: Device[] = [];
    let cursor: string | undefined;
    for (let pages = 0; pages < 100; pages++) {
      const separator = query ? '&' : '?';
      const page = await list(`${query}${separator}limit=${limit}${cursor ? `&cursor=${cursor}` : ''}`);
      expect(page.status).toBe(200);
      expect(page.body.devices.length).toBeLessThanOrEqual(limit);
      seen.push(...page.body.devices);
      cursor = page.body.cursor;
      if (!cursor) return seen;
    }
    throw new Error('cursor chain did not end');
  }

  beforeAll(async () => {
    core = await createTestCore(backend);
    const create = async (name: string, metadata?: Record<string, string>) => {
      const response = await core.json<Device>({
        method: 'POST',
        url: '/api/v1/devices',
        payload: { display_name: name, ...(metadata ? { metadata } : {}) },
      });
      ids[name] = response.body.id;
      return response.body.id;
    };
    await addFacts(core.database, await create('core-sw-01'), {
      ips: [{ ip: '10.20.30.1', ageSeconds: 10 }],
      macs: [{ mac: '5e:a1:0c:00:00:01', ageSeconds: 10 }],
      snmp: { sysName: 'core-sw-01.lab', sysDescr: 'ProCurve J9729A Switch 2920' },
    });
    await addFacts(core.database, await create('printer-3f', { owner: 'Facilities', location: 'floor 3' }), {
      ips: [{ ip: '10.20.31.7', ageSeconds: 7200 }],
      macs: [{ mac: '00:1b:a9:12:34:56', ageSeconds: 7200 }],
    });
    await create('spare-laptop', { notes: '100% done_soon' });
    // Interface-owned facts count as the device's own (SPEC §3.2).
    await addFacts(core.database, await create('ap-lobby'), {
      interfaces: [{ name: 'wlan0', ifindex: 3 }],
      ips: [{ ip: '192.0.2.44', ageSeconds: 60, viaInterface: 'wlan0' }],
    });
    for (let i = 0; i < 23; i++) await create(`host-${String(i).padStart(3, '0')}`);
    // Spread creation times so created_desc has ties and distinct values alike.
    await sql`UPDATE devices SET created_at = now() - make_interval(secs => (abs(hashtext(id::text)) % 5))`.execute(
      core.database.db,
    );
  });
  afterAll(() => core.close());

  it('pages through every device exactly once, newest first, for each sort', async () => {
    for (const sort of ['created_desc', 'last_seen_desc', 'last_change_desc']) {
      const all = await walk(`?sort=${sort}`, 4);
      expect(all).toHaveLength(27);
      expect(new Set(all.map((device) => device.id)).size).toBe(27);
      const keys = all.map((device) =>
        sort === 'created_desc'
          ? device.created_at
          : sort === 'last_seen_desc'
            ? (device.last_seen_at ?? '1970-01-01T00:00:00Z')
            : device.last_change_at,
      );
      for (let i = 1; i < keys.length; i++) {
        const previous = Date.parse(keys[i - 1] as string);
        const current = Date.parse(keys[i] as string);
        expect(previous).toBeGreaterThanOrEqual(current);
        if (previous === current) expect((all[i - 1] as Device).id > (all[i] as Device).id).toBe(true);
      }
    }
  });

  it('puts recently seen devices first with last_seen_desc', async () => {
    const page = await list('?sort=last_seen_desc&limit=3');
    expect(page.body.devices.map((device) => device.display_name)).toEqual(['core-sw-01', 'ap-lobby', 'printer-3f']);
  });

  it('searches names, IP and MAC fragments, metadata and SNMP text, case-insensitively', async () => {
    const names = async (q: string) =>
      (await list(`?q=${encodeURIComponent(q)}`)).body.devices.map((device) => device.display_name).sort();
    expect(await names('PRINTER-3')).toEqual(['printer-3f']);
    expect(await names('10.20.3')).toEqual(['core-sw-01', 'printer-3f']);
    expect(await names('10.20.30.1')).toEqual(['core-sw-01']);
    expect(await names('5e:a1:0c')).toEqual(['core-sw-01']);
    expect(await names('facilities')).toEqual(['printer-3f']);
    expect(await names('procurve')).toEqual(['core-sw-01']);
    expect(await names('192.0.2.44')).toEqual(['ap-lobby']);
    expect(await names(ids['spare-laptop'] as string)).toEqual(['spare-laptop']);
    expect(await names('no-such-thing')).toEqual([]);
  });

  it('treats % and _ in the search literally (G-22)', async () => {
    const found = await list(`?q=${encodeURIComponent('100%')}`);
    expect(found.body.devices.map((device) => device.display_name)).toEqual(['spare-laptop']);
    expect((await list(`?q=${encodeURIComponent('done_s')}`)).body.devices).toHaveLength(1);
    expect((await list(`?q=${encodeURIComponent('done%soon')}`)).body.devices).toHaveLength(0);
    expect((await list(`?q=${encodeURIComponent('host_00')}`)).body.devices).toHaveLength(0);
  });

  it('filters online, offline and unknown by presence state, and changed with its window', async () => {
    const names = async (query: string) =>
      (await walk(query, 200)).map((device) => device.display_name).sort() as string[];
    // Presence is judged from scans (issue 11, test/storage/presence.test.ts); set it as scans would have.
    await sql`UPDATE devices SET presence = 'online' WHERE display_name IN ('ap-lobby', 'core-sw-01')`.execute(
      core.database.db,
    );
    await sql`UPDATE devices SET presence = 'offline' WHERE display_name = 'printer-3f'`.execute(core.database.db);
    expect(await names('?status=online')).toEqual(['ap-lobby', 'core-sw-01']);
    // The window no longer decides online/offline: a recent last_seen_at is not presence.
    expect(await names('?status=online&seen_within_seconds=86400')).toEqual(['ap-lobby', 'core-sw-01']);
    expect(await names('?status=offline')).toEqual(['printer-3f']);
    expect(await names('?status=unknown')).toHaveLength(24);
    expect(await names('?status=changed')).toHaveLength(27);
    await sql`UPDATE devices SET last_change_at = now() - interval '3 days' WHERE display_name LIKE 'host-%'`.execute(
      core.database.db,
    );
    expect(await names('?status=changed')).toEqual(['ap-lobby', 'core-sw-01', 'printer-3f', 'spare-laptop']);
  });

  it('combines search, filter and paging', async () => {
    const all = await walk('?q=host-0&status=unknown', 5);
    expect(all).toHaveLength(23);
  });

  it('clamps limit to 200 and treats empty values as defaults', async () => {
    const page = await list('?limit=100000&q=&status=&sort=');
    expect(page.status).toBe(200);
    expect(page.body.devices).toHaveLength(27);
    expect(page.body.cursor).toBeUndefined();
  });

  it('rejects bad parameters with the SPEC messages', async () => {
    expect((await listError('?limit=abc')).body.error).toEqual({
      code: 'validation_failed',
      message: 'invalid query parameter',
      details: { limit: 'abc', error: 'invalid limit' },
    });
    expect((await listError('?limit=0')).body.error.details).toMatchObject({ error: 'limit must be positive' });
    expect((await listError('?limit=-3')).body.error.details).toMatchObject({ error: 'limit must be positive' });
    const status = await listError('?status=sleeping');
    expect(status.status).toBe(400);
    expect(status.body.error.message).toBe('invalid status value');
    expect(status.body.error.details).toMatchObject({ status: 'sleeping' });
    expect((await listError('?sort=name')).body.error.message).toBe('invalid sort value');
    expect((await listError('?seen_within_seconds=x')).body.error.details).toMatchObject({
      error: 'invalid seen_within_seconds',
    });
    expect((await listError('?changed_within_seconds=0')).body.error.details).toMatchObject({
      error: 'changed_within_seconds must be positive',
    });
    for (const cursor of ['%%%', 'bm9zZXBhcmF0b3I', Buffer.from('yesterday|x').toString('base64url')]) {
      const bad = await listError(`?cursor=${cursor}`);
      expect(bad.status).toBe(400);
      expect(bad.body.error.message).toBe('invalid cursor');
    }
    expect((await listError('?unknown=1')).status).toBe(400);
    expect((await listError(`?q=${'x'.repeat(201)}`)).status).toBe(400);
  });
});
