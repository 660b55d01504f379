import { readFileSync } from 'node:fs';
import { sql } from 'kysely';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { INVENTORY_IMPORT_BODY_LIMIT } from '../../src/api/routes/v1/inventory.routes.ts';
import { type Backend, describeEachBackend } from '../support/backends.ts';
import { createTestCore, type TestCore } from '../support/core-app.ts';

type Json = Record<string, unknown>;
const fixture = (name: string): Json & { results: Json[] } =>
  JSON.parse(readFileSync(new URL(`./fixtures/${name}`, import.meta.url), 'utf8'));
const NETBOX = fixture('netbox-4-devices.json');
const NAUTOBOT = fixture('nautobot-2-devices.json');

/** Nautobot at ?depth=0: nested objects are only {id, object_type, url}. */
function depthZero(device: Json): Json {
  return Object.fromEntries(
    Object.entries(device).map(([key, value]) =>
      value && typeof value === 'object' && !Array.isArray(value) && 'object_type' in value
        ? [key, { id: (value as Json).id, object_type: (value as Json).object_type, url: (value as Json).url }]
        : [key, value],
    ),
  );
}

interface Result {
  dry_run: boolean;
  created: number;
  matched_existing: number;
  ip_written: number;
  metadata_written: number;
  skipped: number;
  devices?: Json[];
}
interface Envelope {
  error: { code: string; message: string; details?: Json };
}
interface Device {
  id: string;
  display_name?: string;
  primary_ip?: string;
  metadata?: Record<string, string>;
}

describeEachBackend('NetBox and Nautobot import', (backend: Backend) => {
  let core: TestCore;
  beforeAll(async () => {
    core = await createTestCore(backend);
  });
  afterAll(() => core.close());

  const post = (source: 'netbox' | 'nautobot', payload: unknown, query = '') =>
    core.json<Result & Envelope>({
      method: 'POST',
      url: `/api/v1/inventory/${source}/import${query}`,
      payload: { payload } as Json,
    });
  const devices = async () =>
    (await core.json<{ devices: Device[] }>({ method: 'GET', url: '/api/v1/devices?limit=200' })).body.devices;
  const byName = async (name: string) => (await devices()).find((device) => device.display_name === name);
  const tableCounts = async () =>
    (
      await sql<Json>`SELECT (SELECT count(*)::int FROM devices) AS devices, (SELECT count(*)::int FROM device_events) AS events,
                             (SELECT count(*)::int FROM device_metadata) AS metadata, (SELECT count(*)::int FROM ip_addresses) AS ips,
                             (SELECT max(updated_at) FROM devices) AS touched`.execute(core.database.db)
    ).rows[0];

  it('a dry run reports per device what would change and writes nothing', async () => {
    // A discovered device that owns core-sw-01's IP, with curated metadata and no name yet.
    const discovered = (
      await core.json<Device>({
        method: 'POST',
        url: '/api/v1/devices',
        payload: { metadata: { owner: 'Alice (curated)', notes: '  ' } },
      })
    ).body.id;
    await sql`INSERT INTO ip_addresses (device_id, ip, source) VALUES (${discovered}, '10.0.0.2', 'arp')`.execute(
      core.database.db,
    );
    const before = await tableCounts();
    const dry = await post('netbox', NETBOX, '?dry_run=true');
    expect(dry.status).toBe(200);
    expect(dry.body).toMatchObject({
      dry_run: true,
      created: 1,
      matched_existing: 1,
      ip_written: 1,
      metadata_written: 2,
      skipped: 1,
    });
    expect(dry.body.devices).toEqual([
      {
        index: 0,
        name: 'core-sw-01',
        action: 'match',
        device_id: discovered,
        matched_by: 'ip',
        ip: '10.0.0.2',
        ip_added: false,
        filled: ['display_name', 'location', 'notes'],
      },
      {
        index: 1,
        name: 'printer-2f',
        action: 'create',
        ip: '10.0.20.15',
        ip_added: true,
        filled: ['owner', 'location'],
      },
      { index: 2, action: 'skip', ip_added: false, filled: [], reason: 'no name' },
    ]);
    expect(await tableCounts()).toEqual(before);

    // The real run does what the dry run said.
    const real = await post('netbox', NETBOX);
    const { devices: _list, ...counts } = dry.body;
    expect(real.body).toEqual({ ...counts, dry_run: false });
  });

  it('maps NetBox 4.x fields and never clobbers curated values', async () => {
    const core1 = await byName('core-sw-01');
    expect(core1?.metadata).toEqual({
      owner: 'Alice (curated)',
      location: 'DC1 Amsterdam / Hall A',
      notes: 'Core switch. Do not reboot during business hours.',
    });
    const printer = await byName('printer-2f');
    expect(printer).toMatchObject({
      primary_ip: '10.0.20.15',
      metadata: { owner: 'Facilities', location: 'HQ Utrecht' },
    });
    const { rows } = await sql<{ kind: string }>`
      SELECT kind FROM device_events WHERE actor = 'import:netbox' ORDER BY id`.execute(core.database.db);
    expect(rows.map((row) => row.kind).sort()).toEqual(
      ['device_created', 'display_name_changed', 'ip_added', 'metadata_changed', 'metadata_changed'].sort(),
    );

    // Curated name and metadata stay when the inventory disagrees; a second import changes nothing.
    await core.request({
      method: 'PUT',
      url: `/api/v1/devices/${printer?.id}`,
      payload: { display_name: 'Printer 2nd floor', metadata: { location: 'Room 2.14' } },
    });
    const again = await post('netbox', NETBOX);
    expect(again.body).toEqual({
      dry_run: false,
      created: 0,
      matched_existing: 2,
      ip_written: 0,
      metadata_written: 0,
      skipped: 1,
    });
    const kept = await core.json<Device>({ method: 'GET', url: `/api/v1/devices/${printer?.id}` });
    expect(kept.body).toMatchObject({
      display_name: 'Printer 2nd floor',
      metadata: { owner: 'Facilities', location: 'Room 2.14' },
    });
  });

  it('reads Nautobot 2.x: location, tenant, IPv6 fallback; depth 0 fills only what it names', async () => {
    const result = await post('nautobot', NAUTOBOT);
    expect(result.body).toMatchObject({
      created: 2,
      matched_existing: 0,
      ip_written: 2,
      metadata_written: 2,
      skipped: 0,
    });
    expect(await byName('ams-edge-rtr-01')).toMatchObject({
      primary_ip: '192.0.2.1',
      metadata: { owner: 'Branch Operations', location: 'AMS-Branch-3', notes: 'ISP handoff on Gi0/0/0' },
    });
    expect(await byName('ams-ap-07')).toMatchObject({ primary_ip: '2001:db8:10::37' });

    // depth=0: the nested objects carry no names, so nothing new is learnt and nothing is overwritten.
    const shallow = { ...NAUTOBOT, results: NAUTOBOT.results.map(depthZero) };
    const again = await post('nautobot', shallow);
    expect(again.body).toMatchObject({ created: 0, matched_existing: 2, ip_written: 0, metadata_written: 0 });
  });

  it('accepts a bare array (G-10) and {devices: […]}; matches an IP-less device by its unique name', async () => {
    const bare = await post('netbox', [{ name: 'lab-nas', comments: 'Synology in the lab', tenant: { name: 'Lab' } }]);
    expect(bare.body).toMatchObject({ created: 1, metadata_written: 1 });
    const wrapped = await post('nautobot', {
      devices: [{ name: 'LAB-NAS', primary_ip4: { address: '10.77.0.9/24' } }, 'not a device'],
    });
    expect(wrapped.body).toMatchObject({ created: 0, matched_existing: 1, ip_written: 1, skipped: 1 });
    expect(await byName('lab-nas')).toMatchObject({ primary_ip: '10.77.0.9', metadata: { owner: 'Lab' } });
    // An empty results list falls back to devices (SPEC §7.3).
    const fallback = await post('netbox', { count: 0, results: [], devices: [{ name: 'lab-nas' }] });
    expect(fallback.body).toMatchObject({ matched_existing: 1 });
  });

  it('answers 400 for payloads it cannot read, with the source in details', async () => {
    const notAList = await post('netbox', { name: 'x' });
    expect(notAList.status).toBe(400);
    expect(notAList.body.error).toMatchObject({ code: 'validation_failed', message: 'invalid payload json' });
    expect(notAList.body.error.details?.source).toBe('netbox');
    const empty = await post('nautobot', { count: 0, next: null, previous: null, results: [] });
    expect(empty.body.error).toEqual({
      code: 'validation_failed',
      message: 'payload contained no devices',
      details: { source: 'nautobot' },
    });
    const scalar = await post('netbox', 'devices');
    expect(scalar.body.error.message).toBe('invalid payload json');
    const missing = await core.json<Envelope>({ method: 'POST', url: '/api/v1/inventory/netbox/import', payload: {} });
    expect(missing.status).toBe(400);
    expect(missing.body.error.message).toBe('invalid json body');
    const extra = await core.json<Envelope>({
      method: 'POST',
      url: '/api/v1/inventory/netbox/import',
      payload: { payload: [], source: 'x' },
    });
    expect(extra.body.error.details?.error).toBe('unknown field "source"');
    const badFlag = await post('netbox', [{ name: 'x' }], '?dry_run=maybe');
    expect(badFlag.status).toBe(400);
    expect(badFlag.body.error.message).toBe('invalid dry_run value');
  });

  it('answers 413 above its 16 MiB limit', async () => {
    const response = await core.json<Envelope>({
      method: 'POST',
      url: '/api/v1/inventory/nautobot/import',
      payload: Buffer.alloc(INVENTORY_IMPORT_BODY_LIMIT + 1, 0x20),
      headers: { 'content-type': 'application/json' },
    });
    expect(response.status).toBe(413);
    expect(response.body.error.details).toEqual({ limit_bytes: INVENTORY_IMPORT_BODY_LIMIT });
  });
});
