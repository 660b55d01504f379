import { sql } from 'kysely';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { refreshDeviceSummaries } from '../../src/storage/device-summary.ts';
import { describeEachBackend } from '../support/backends.ts';
import { createTestCore, type TestCore } from '../support/core-app.ts';
import { addFacts } from '../support/fixtures.ts';

interface Device {
  id: string;
  display_name?: string;
  vendor?: string;
  primary_mac?: string;
  tags?: string[];
}
interface Page {
  devices: Device[];
  cursor?: string;
}
interface Envelope {
  error: { code: string; message: string; details?: Record<string, unknown> };
}

/** The tag, vendor and subnet filters of GET /api/v1/devices (issue 7), alone and combined. */
describeEachBackend('devices: list filters tag, vendor, subnet', (backend) => {
  let core: TestCore;
  const ids: Record<string, string> = {};

  const list = (query: string) => core.json<Page>({ method: 'GET', url: `/api/v1/devices${query}` });
  const listError = (query: string) => core.json<Envelope>({ method: 'GET', url: `/api/v1/devices${query}` });
  const names = async (query: string) =>
    (await list(query)).body.devices.map((device) => device.display_name as string).sort();

  beforeAll(async () => {
    core = await createTestCore(backend);
    const create = async (name: string) => {
      const response = await core.json<Device>({
        method: 'POST',
        url: '/api/v1/devices',
        payload: { display_name: name },
      });
      ids[name] = response.body.id;
      return response.body.id;
    };
    await addFacts(core.database, await create('edge-gw'), {
      ips: [{ ip: '10.1.0.1' }, { ip: '192.168.50.1' }],
      macs: [{ mac: '00:1b:a9:00:00:01' }],
    });
    await addFacts(core.database, await create('office-printer'), {
      ips: [{ ip: '10.1.0.77' }],
      macs: [{ mac: '00:1b:a9:00:00:02' }],
    });
    // An IP held through an interface counts as the device's own.
    await addFacts(core.database, await create('lab-switch'), {
      interfaces: [{ name: 'vlan10', ifindex: 10 }],
      ips: [{ ip: '10.2.0.5', viaInterface: 'vlan10' }],
      macs: [{ mac: '5e:00:00:00:00:03' }],
    });
    await addFacts(core.database, await create('v6-host'), { ips: [{ ip: '2001:db8::5' }] });
    await create('bare');
    const db = core.database.db;
    await sql`UPDATE mac_addresses SET vendor = 'Brother Industries, Ltd' WHERE mac::text LIKE '00:1b:a9:%'`.execute(
      db,
    );
    await sql`UPDATE mac_addresses SET vendor = 'Cisco Systems, Inc' WHERE mac = '5e:00:00:00:00:03'::macaddr`.execute(
      db,
    );
    // An automatic tag written the way enrichment writes it.
    await sql`
      INSERT INTO device_tags (device_id, tag, source, confidence, evidence)
      VALUES (${ids['lab-switch'] as string}, 'switch', 'auto', 80, '{"rule":"test"}'::jsonb),
             (${ids['edge-gw'] as string}, 'printer', 'auto', 40, '{"rule":"test"}'::jsonb)`.execute(db);
    await refreshDeviceSummaries(db, Object.values(ids));
    const manual = await core.json({
      method: 'PUT',
      url: `/api/v1/devices/${ids['office-printer']}/tags`,
      payload: { tags: ['printer'] },
    });
    expect(manual.status).toBe(200);
  });
  afterAll(() => core.close());

  it('filters by tag, automatic or manual', async () => {
    expect(await names('?tag=printer')).toEqual(['edge-gw', 'office-printer']);
    expect(await names('?tag=switch')).toEqual(['lab-switch']);
    expect(await names('?tag=camera')).toEqual([]);
  });

  it('filters by vendor, case-insensitively and exactly', async () => {
    expect(await names('?vendor=brother%20industries,%20ltd')).toEqual(['edge-gw', 'office-printer']);
    expect(await names('?vendor=CISCO%20SYSTEMS,%20INC')).toEqual(['lab-switch']);
    expect(await names('?vendor=Brother')).toEqual([]);
    expect((await list('?vendor=Cisco%20Systems,%20Inc')).body.devices[0]?.vendor).toBe('Cisco Systems, Inc');
  });

  it('filters by subnet: any current IP inside the prefix, interface IPs included', async () => {
    expect(await names(`?subnet=${encodeURIComponent('10.1.0.0/24')}`)).toEqual(['edge-gw', 'office-printer']);
    expect(await names(`?subnet=${encodeURIComponent('10.0.0.0/8')}`)).toEqual([
      'edge-gw',
      'lab-switch',
      'office-printer',
    ]);
    expect(await names(`?subnet=${encodeURIComponent('192.168.50.0/24')}`)).toEqual(['edge-gw']);
    // Host bits are masked; a bare IP is a /32.
    expect(await names(`?subnet=${encodeURIComponent('10.2.0.9/16')}`)).toEqual(['lab-switch']);
    expect(await names('?subnet=10.1.0.77')).toEqual(['office-printer']);
    expect(await names(`?subnet=${encodeURIComponent('2001:db8::/32')}`)).toEqual(['v6-host']);
    expect(await names(`?subnet=${encodeURIComponent('172.16.0.0/12')}`)).toEqual([]);
  });

  it('combines the filters with each other, with search and with paging', async () => {
    expect(await names(`?tag=printer&subnet=${encodeURIComponent('192.168.50.0/24')}`)).toEqual(['edge-gw']);
    expect(await names('?tag=printer&vendor=brother%20industries,%20ltd&q=office')).toEqual(['office-printer']);
    expect(await names('?tag=switch&vendor=brother%20industries,%20ltd')).toEqual([]);
    const first = await list(`?subnet=${encodeURIComponent('10.0.0.0/8')}&limit=2`);
    expect(first.body.devices).toHaveLength(2);
    expect(first.body.cursor).toBeDefined();
    const second = await list(`?subnet=${encodeURIComponent('10.0.0.0/8')}&limit=2&cursor=${first.body.cursor}`);
    expect(second.body.devices).toHaveLength(1);
    expect(second.body.cursor).toBeUndefined();
    const all = [...first.body.devices, ...second.body.devices].map((device) => device.display_name).sort();
    expect(all).toEqual(['edge-gw', 'lab-switch', 'office-printer']);
  });

  it('returns the first current MAC of each device', async () => {
    const byName = new Map((await list('')).body.devices.map((device) => [device.display_name, device]));
    expect(byName.get('edge-gw')?.primary_mac).toBe('00:1b:a9:00:00:01');
    expect(byName.get('lab-switch')?.primary_mac).toBe('5e:00:00:00:00:03');
    expect(byName.get('bare')?.primary_mac).toBeUndefined();
    const one = await core.json<Device>({ method: 'GET', url: `/api/v1/devices/${ids['office-printer']}` });
    expect(one.body.primary_mac).toBe('00:1b:a9:00:00:02');
  });

  it('treats empty filter values as absent', async () => {
    expect(await names('?tag=&vendor=&subnet=')).toHaveLength(5);
  });

  it('rejects bad filter values with clear messages', async () => {
    const tag = await listError('?tag=toaster');
    expect(tag.status).toBe(400);
    expect(tag.body.error.code).toBe('validation_failed');
    expect(tag.body.error.message).toBe('invalid tag value');
    expect(tag.body.error.details).toMatchObject({ tag: 'toaster' });
    expect(String(tag.body.error.details?.error)).toMatch(/^tag must be one of: router, switch/);
    for (const subnet of ['10.0.0.0/33', 'not-a-net', '10.0.0.0/24,10.0.1.0/24', '10.0.0/8', 'x'.repeat(65)]) {
      const bad = await listError(`?subnet=${encodeURIComponent(subnet)}`);
      expect(bad.status, subnet).toBe(400);
      expect(bad.body.error).toMatchObject({
        code: 'validation_failed',
        message: 'invalid subnet value',
        details: { error: 'subnet must be a CIDR prefix (e.g. 10.0.0.0/24) or a single IP (e.g. 10.0.0.5)' },
      });
    }
    const vendor = await listError(`?vendor=${'v'.repeat(201)}`);
    expect(vendor.status).toBe(400);
    expect(vendor.body.error.message).toBe('invalid vendor value');
    expect(vendor.body.error.details).toMatchObject({ error: 'vendor must be at most 200 characters' });
  });
});
