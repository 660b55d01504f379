import { sql } from 'kysely';
import { afterAll, afterEach, beforeAll, beforeEach, expect, it } from 'vitest';
import type {
  NeighbourSighting,
  SnmpDeviceReport,
  SnmpInterface,
  WalkOutcome,
} from '../../src/domain/enrichment.types.ts';
import { EnrichmentRepository } from '../../src/storage/enrichment.repository.ts';
import { Migrator } from '../../src/storage/migrator.ts';
import { describeEachBackend, type TestDatabase } from '../support/backends.ts';
import { createTestCore, type TestCore } from '../support/core-app.ts';

interface Envelope {
  error: { code: string; message: string; details?: Record<string, unknown> };
}
interface LinkEnd {
  device_id: string;
  device_name?: string;
  interface_id?: string;
  interface_name?: string;
}
interface Link {
  id: string;
  link_key: string;
  a: LinkEnd;
  b: LinkEnd;
  link_type?: string;
  label?: string;
  notes?: string;
  source: string;
  protocols: string[];
  created_at: string;
  updated_at: string;
}
interface Zone {
  id: string;
  name: string;
  description?: string;
  color?: string;
  device_count: number;
}
interface Policy {
  id: string;
  from_zone_id: string;
  to_zone_id: string;
  protocol?: string;
  ports?: string;
  action: string;
  description?: string;
}
interface Dependency {
  id: string;
  from: { device_id: string; device_name?: string; service_id?: string };
  to: { device_id: string; device_name?: string; service_id?: string };
  level: 'service' | 'device';
  source: string;
  description?: string;
}

const MISSING = '00000000-0000-4000-8000-000000000000';

const ok = <T>(value: T): WalkOutcome<T> => ({ ok: true, value });

const iface = (ifIndex: number, name: string): SnmpInterface => ({
  ifIndex,
  name,
  descr: name,
  alias: null,
  mac: null,
  adminStatus: 1,
  operStatus: 1,
  mtu: 1500,
  speedBps: 1_000_000_000,
});

const lldpSighting = (localIfIndex: number, managementIp: string, remotePortId: string): NeighbourSighting => ({
  protocol: 'lldp',
  localIfIndex,
  remoteChassisMac: null,
  remoteChassisId: null,
  remoteSysName: null,
  remoteSysDescr: null,
  remotePortId,
  remotePortDescr: null,
  remotePortMac: null,
  remoteManagementIp: managementIp,
});

const switchReport = (lldp: NeighbourSighting[]): SnmpDeviceReport => ({
  address: '10.20.0.1',
  credential: 'lab-v2c',
  system: {
    sysName: 'dist-sw-1',
    sysDescr: null,
    sysObjectId: '1.3.6.1.4.1.9.1.1208',
    sysContact: null,
    sysLocation: null,
    sysUpTime: 1,
  },
  interfaces: ok([iface(1, 'Gi0/1'), iface(2, 'Gi0/2')]),
  addresses: ok([]),
  vlans: ok({ vlans: [], memberships: [] }),
  fdb: ok([]),
  lldp: ok(lldp),
  durationMs: 1,
});

describeEachBackend('map build mode', (backend) => {
  let core: TestCore;
  beforeAll(async () => {
    core = await createTestCore(backend);
  });
  afterAll(() => core.close());

  const db = () => core.database.db;
  const call = <T = Record<string, unknown>>(method: string, url: string, payload?: unknown) =>
    core.json<T>({
      method: method as 'GET',
      url,
      ...(payload === undefined ? {} : { payload: payload as Record<string, unknown> }),
      headers: { 'x-roller-user': 'alice' },
    });
  const newDevice = async (name: string, ip?: string): Promise<string> => {
    const { status, body } = await call<{ id: string }>('POST', '/api/v1/devices', { display_name: name });
    expect(status).toBe(201);
    if (ip) await sql`INSERT INTO ip_addresses (device_id, ip) VALUES (${body.id}, ${ip}::inet)`.execute(db());
    return body.id;
  };
  const newRun = async (): Promise<string> => {
    const { rows } = await sql<{ id: string }>`
      INSERT INTO discovery_runs (status) VALUES ('running') RETURNING id`.execute(db());
    return rows[0]?.id as string;
  };
  const linksBetween = async (x: string, y: string) =>
    (
      await sql<{
        id: string;
        source: string;
        protocols: string[];
        a_interface_id: string | null;
        b_interface_id: string | null;
        label: string | null;
        stale: boolean;
      }>`
        SELECT id, source, protocols, a_interface_id, b_interface_id, label, (stale_since IS NOT NULL) AS stale
          FROM links WHERE (a_device_id = ${x} AND b_device_id = ${y}) OR (a_device_id = ${y} AND b_device_id = ${x})
         ORDER BY id`.execute(db())
    ).rows;
  const events = async (deviceId: string, kinds: string[]) =>
    (
      await sql<{ kind: string; actor: string | null; details: Record<string, unknown> }>`
        SELECT kind, actor, details FROM device_events
         WHERE device_id = ${deviceId} AND kind = ANY(${sql.val(kinds)}::text[]) ORDER BY id`.execute(db())
    ).rows;
  const expectError = (
    response: { status: number; body: unknown },
    status: number,
    code: string,
    message?: string,
  ): Envelope['error'] => {
    expect(response.status).toBe(status);
    const { error } = response.body as Envelope;
    expect(error.code).toBe(code);
    if (message !== undefined) expect(error.message).toBe(message);
    return error;
  };

  // ---- Manual links ----

  it('creates, lists, edits and deletes a manual link, with device history for both ends', async () => {
    const a = await newDevice('fw-1');
    const b = await newDevice('core-1');
    const created = await call<Link>('POST', '/api/v1/manual-links', {
      a: { device_id: a, interface_name: ' port1 ' },
      b: { device_id: b },
      link_type: 'ethernet',
      label: '  uplink ',
      notes: 'patch panel 3',
    });
    expect(created.status).toBe(201);
    const link = created.body;
    expect(link).toMatchObject({ source: 'manual', protocols: ['manual'], label: 'uplink', link_type: 'ethernet' });
    const ends = [link.a, link.b];
    const end = (id: string) => ends.find((candidate) => candidate.device_id === id);
    expect(end(a)).toMatchObject({ device_name: 'fw-1', interface_name: 'port1' });
    expect(end(b)).toEqual({ device_id: b, device_name: 'core-1' });
    expect(await linksBetween(a, b)).toHaveLength(1);
    // The named port did not exist: a stub interface was made for it.
    const { rows: stub } = await sql<{ source: string }>`
      SELECT source FROM interfaces WHERE id = ${end(a)?.interface_id ?? MISSING}`.execute(db());
    expect(stub).toEqual([{ source: 'manual' }]);

    expect((await call<Link>('GET', `/api/v1/manual-links/${link.id}`)).body).toEqual(link);
    // The device facts show the curated link like any other.
    const facts = await call<{ links: { id: string; source: string; protocols: string[] }[] }>(
      'GET',
      `/api/v1/devices/${b}/facts`,
    );
    expect(facts.body.links).toEqual([
      expect.objectContaining({ id: link.id, source: 'manual', protocols: ['manual'] }),
    ]);
    const list = await call<{ links: Link[] }>('GET', '/api/v1/manual-links');
    expect(list.body.links.map((entry) => entry.id)).toContain(link.id);

    const edited = await call<Link>('PATCH', `/api/v1/manual-links/${link.id}`, {
      label: 'core uplink',
      notes: '  ',
      link_type: null,
    });
    expect(edited.status).toBe(200);
    expect(edited.body.label).toBe('core uplink');
    expect(edited.body).not.toHaveProperty('notes');
    expect(edited.body).not.toHaveProperty('link_type');

    expect(await events(a, ['manual_link_added'])).toEqual([
      {
        kind: 'manual_link_added',
        actor: 'alice',
        details: expect.objectContaining({ link_id: link.id, peer_device_id: b, label: 'uplink' }),
      },
    ]);
    expect(await events(b, ['manual_link_added'])).toHaveLength(1);

    const deleted = await core.request({ method: 'DELETE', url: `/api/v1/manual-links/${link.id}` });
    expect(deleted.statusCode).toBe(204);
    expect(await linksBetween(a, b)).toEqual([]);
    expectError(await call('GET', `/api/v1/manual-links/${link.id}`), 404, 'not_found', 'link not found');
    expect((await events(b, ['manual_link_removed'])).map((event) => event.actor)).toEqual(['api']);
    const history = await call<{ events: { kind: string }[] }>(
      'GET',
      `/api/v1/devices/${a}/history?kind=manual_link_added,manual_link_removed`,
    );
    expect(history.status).toBe(200);
    expect(history.body.events.map((event) => event.kind).sort()).toEqual(['manual_link_added', 'manual_link_removed']);
  });

  it('validates manual links and answers 404 and 409 like the other routes', async () => {
    const a = await newDevice('val-a');
    const b = await newDevice('val-b');
    const other = await newDevice('val-other');
    const { rows } = await sql<{ id: string }>`
      INSERT INTO interfaces (device_id, name) VALUES (${other}, 'x1') RETURNING id`.execute(db());
    const foreignPort = rows[0]?.id as string;

    const unknownField = expectError(
      await call('POST', '/api/v1/manual-links', { a: { device_id: a }, b: { device_id: b }, colour: 'red' }),
      400,
      'validation_failed',
      'invalid json body',
    );
    expect(unknownField.details).toEqual({ error: 'unknown field "colour"' });
    expectError(
      await call('POST', '/api/v1/manual-links', { a: { device_id: 'nope' }, b: { device_id: b } }),
      400,
      'validation_failed',
      'invalid json body',
    );
    expectError(
      await call('POST', '/api/v1/manual-links', { a: { device_id: a }, b: { device_id: a } }),
      400,
      'validation_failed',
      'a link needs two different devices',
    );
    expect(
      expectError(
        await call('POST', '/api/v1/manual-links', {
          a: { device_id: a, interface_id: foreignPort, interface_name: 'x1' },
          b: { device_id: b },
        }),
        400,
        'validation_failed',
        'invalid link end',
      ).details,
    ).toEqual({ end: 'a', error: 'give interface_id or interface_name, not both' });
    expectError(
      await call('POST', '/api/v1/manual-links', { a: { device_id: a }, b: { device_id: MISSING } }),
      404,
      'not_found',
      'device not found',
    );
    expectError(
      await call('POST', '/api/v1/manual-links', {
        a: { device_id: a, interface_id: foreignPort },
        b: { device_id: b },
      }),
      404,
      'not_found',
      'interface not found',
    );
    expectError(await call('GET', '/api/v1/manual-links/not-a-uuid'), 400, 'invalid_id', 'link id is not a valid uuid');
    expectError(await call('PATCH', `/api/v1/manual-links/${MISSING}`, { label: 'x' }), 404, 'not_found');
    expectError(await call('DELETE', `/api/v1/manual-links/${MISSING}`), 404, 'not_found');

    const first = await call<Link>('POST', '/api/v1/manual-links', { a: { device_id: a }, b: { device_id: b } });
    expect(first.status).toBe(201);
    // The same cable from the other end is the same link.
    const again = expectError(
      await call('POST', '/api/v1/manual-links', { a: { device_id: b }, b: { device_id: a } }),
      409,
      'conflict',
      'a manual link for this cable already exists',
    );
    expect(again.details).toEqual({ id: first.body.id });
    expect(await linksBetween(a, b)).toHaveLength(1);
    // Nothing failed half-way: no events for the refused requests.
    expect(await events(a, ['manual_link_added'])).toHaveLength(1);
  });

  it('curates the link LLDP already reported instead of adding a second one, and discovery leaves it alone', async () => {
    const switchId = await newDevice('dist-sw-1');
    const coreId = await newDevice('core-sw', '10.20.0.2');
    const edgeId = await newDevice('edge-rtr', '10.20.0.3');

    const lldp = new EnrichmentRepository(db(), await newRun());
    await lldp.saveSnmp(switchId, switchReport([lldpSighting(1, '10.20.0.2', 'eth0')]));
    await lldp.recordLinkChanges();
    const [discovered] = await linksBetween(switchId, coreId);
    expect(discovered).toMatchObject({ source: 'lldp', protocols: ['lldp'] });

    // The operator names only the core's port; the switch end is filled from the LLDP link.
    const curated = await call<Link>('POST', '/api/v1/manual-links', {
      a: { device_id: coreId, interface_name: 'eth0' },
      b: { device_id: switchId },
      label: 'core uplink',
    });
    expect(curated.status).toBe(201);
    expect(curated.body).toMatchObject({ id: discovered?.id, source: 'manual', protocols: ['lldp', 'manual'] });
    const switchEnd = [curated.body.a, curated.body.b].find((end) => end.device_id === switchId);
    expect(switchEnd?.interface_name).toBe('Gi0/1');
    expect(await linksBetween(switchId, coreId)).toHaveLength(1);
    expect((await events(coreId, ['manual_link_added']))[0]?.details).toMatchObject({ discovered: true });

    // A cable only the operator knows about, without ports.
    const manualOnly = await call<Link>('POST', '/api/v1/manual-links', {
      a: { device_id: switchId },
      b: { device_id: edgeId },
    });
    expect(manualOnly.status).toBe(201);

    // Next run: LLDP no longer sees the core, and sees the edge router on a named port.
    const run2 = new EnrichmentRepository(db(), await newRun());
    await run2.saveSnmp(switchId, switchReport([lldpSighting(2, '10.20.0.3', 'ge-0/0/0')]));
    await run2.recordLinkChanges();
    // Not marked stale, label kept, still one row.
    expect(await linksBetween(switchId, coreId)).toEqual([
      expect.objectContaining({ id: discovered?.id, stale: false, label: 'core uplink', source: 'manual' }),
    ]);
    expect(await events(coreId, ['link_removed'])).toEqual([]);
    // The sighting confirms the manual link but does not change its ends.
    expect(await linksBetween(switchId, edgeId)).toEqual([
      expect.objectContaining({
        id: manualOnly.body.id,
        a_interface_id: null,
        b_interface_id: null,
        stale: false,
        source: 'manual',
        protocols: ['lldp', 'manual'],
      }),
    ]);

    // Removing the curation of a cable discovery reports keeps it as a discovered link.
    expect((await core.request({ method: 'DELETE', url: `/api/v1/manual-links/${discovered?.id}` })).statusCode).toBe(
      204,
    );
    expect(await linksBetween(switchId, coreId)).toEqual([
      expect.objectContaining({ id: discovered?.id, source: 'lldp', protocols: ['lldp'], label: null }),
    ]);
    expectError(await call('GET', `/api/v1/manual-links/${discovered?.id}`), 404, 'not_found');
    const list = await call<{ links: Link[] }>('GET', '/api/v1/manual-links');
    expect(list.body.links.map((link) => link.id)).not.toContain(discovered?.id);
    // A discovered link is not a manual link: PATCH does not reach it.
    expectError(await call('PATCH', `/api/v1/manual-links/${discovered?.id}`, { label: 'x' }), 404, 'not_found');
  });

  // ---- Zones ----

  it('creates, edits and deletes zones, deriving the id from the name', async () => {
    const created = await call<Zone>('POST', '/api/v1/zones', {
      name: ' Office LAN (2nd floor) ',
      description: 'desks',
      color: '#00AAFF',
    });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({
      id: 'office-lan-2nd-floor',
      name: 'Office LAN (2nd floor)',
      description: 'desks',
      color: '#00aaff',
      device_count: 0,
    });
    const dmz = await call<Zone>('POST', '/api/v1/zones', { id: 'dmz', name: 'DMZ' });
    expect(dmz.status).toBe(201);
    expect(dmz.body).not.toHaveProperty('color');

    const list = await call<{ zones: Zone[] }>('GET', '/api/v1/zones');
    const names = list.body.zones.map((zone) => zone.name);
    expect(names.indexOf('DMZ')).toBeLessThan(names.indexOf('Office LAN (2nd floor)'));

    const edited = await call<Zone>('PATCH', '/api/v1/zones/office-lan-2nd-floor', {
      name: 'Office',
      color: null,
      description: ' ',
    });
    expect(edited.status).toBe(200);
    expect(edited.body).toEqual(expect.objectContaining({ id: 'office-lan-2nd-floor', name: 'Office' }));
    expect(edited.body).not.toHaveProperty('color');
    expect(edited.body).not.toHaveProperty('description');

    expect(
      expectError(
        await call('POST', '/api/v1/zones', { id: 'dmz-2', name: 'dmz' }),
        409,
        'conflict',
        'a zone with this name already exists',
      ).details,
    ).toEqual({ name: 'dmz' });
    expectError(
      await call('POST', '/api/v1/zones', { id: 'dmz', name: 'Other' }),
      409,
      'conflict',
      'a zone with this id already exists',
    );
    expectError(await call('PATCH', '/api/v1/zones/dmz', { name: 'OFFICE' }), 409, 'conflict');
    expectError(
      await call('POST', '/api/v1/zones', { name: '   ' }),
      400,
      'validation_failed',
      'zone name is required',
    );
    expectError(await call('POST', '/api/v1/zones', { name: '!!!' }), 400, 'validation_failed', 'invalid zone id');
    expectError(
      await call('POST', '/api/v1/zones', { id: 'Bad_Id', name: 'Bad' }),
      400,
      'validation_failed',
      'invalid zone id',
    );
    expectError(
      await call('POST', '/api/v1/zones', { name: 'Red', color: 'red' }),
      400,
      'validation_failed',
      'invalid zone color',
    );
    expectError(
      await call('POST', '/api/v1/zones', { name: 'Extra', owner: 'x' }),
      400,
      'validation_failed',
      'invalid json body',
    );
    expectError(await call('GET', '/api/v1/zones/Not_A_Zone'), 400, 'invalid_id', 'zone id is not a valid zone id');
    expectError(await call('GET', '/api/v1/zones/nowhere'), 404, 'not_found', 'zone not found');
    expectError(await call('PATCH', '/api/v1/zones/nowhere', { name: 'x' }), 404, 'not_found');

    expect((await core.request({ method: 'DELETE', url: '/api/v1/zones/dmz' })).statusCode).toBe(204);
    expectError(await call('DELETE', '/api/v1/zones/dmz'), 404, 'not_found');
  });

  it('adds and removes zone members, recording zone_joined and zone_left', async () => {
    const web = await newDevice('web-1');
    const db1 = await newDevice('db-1');
    expect((await call('POST', '/api/v1/zones', { id: 'servers', name: 'Servers' })).status).toBe(201);

    const added = await call<{ device_id: string; display_name?: string }>(
      'POST',
      `/api/v1/zones/servers/devices/${web}`,
    );
    expect(added.status).toBe(201);
    expect(added.body).toMatchObject({ device_id: web, display_name: 'web-1' });
    expect((await call('POST', `/api/v1/zones/servers/devices/${db1}`, {})).status).toBe(201);
    expectError(
      await call('POST', `/api/v1/zones/servers/devices/${web}`),
      409,
      'conflict',
      'device is already in the zone',
    );
    expectError(await call('POST', `/api/v1/zones/servers/devices/${MISSING}`), 404, 'not_found', 'device not found');
    expectError(await call('POST', `/api/v1/zones/nowhere/devices/${web}`), 404, 'not_found', 'zone not found');
    expectError(
      await call('POST', '/api/v1/zones/servers/devices/not-a-uuid'),
      400,
      'invalid_id',
      'device id is not a valid uuid',
    );
    expectError(
      await call('POST', `/api/v1/zones/servers/devices/${web}`, { force: true }),
      400,
      'validation_failed',
      'invalid json body',
    );

    const members = await call<{ devices: { device_id: string }[] }>('GET', '/api/v1/zones/servers/devices');
    expect(members.body.devices.map((member) => member.device_id)).toEqual([db1, web]);
    expect((await call<Zone>('GET', '/api/v1/zones/servers')).body.device_count).toBe(2);

    expect((await core.request({ method: 'DELETE', url: `/api/v1/zones/servers/devices/${web}` })).statusCode).toBe(
      204,
    );
    expectError(
      await call('DELETE', `/api/v1/zones/servers/devices/${web}`),
      404,
      'not_found',
      'device is not in the zone',
    );
    expect(await events(web, ['zone_joined', 'zone_left'])).toEqual([
      { kind: 'zone_joined', actor: 'alice', details: { zone_id: 'servers', zone_name: 'Servers' } },
      { kind: 'zone_left', actor: 'api', details: { zone_id: 'servers', zone_name: 'Servers' } },
    ]);

    // Deleting the zone ends the remaining membership, as history too.
    expect((await core.request({ method: 'DELETE', url: '/api/v1/zones/servers' })).statusCode).toBe(204);
    expect((await events(db1, ['zone_joined', 'zone_left'])).map((event) => event.kind)).toEqual([
      'zone_joined',
      'zone_left',
    ]);
    const { rows } = await sql`SELECT 1 FROM device_zones WHERE device_id = ${db1}`.execute(db());
    expect(rows).toEqual([]);
  });

  // ---- Zone policies ----

  it('creates, edits and deletes zone policies with canonical ports', async () => {
    for (const [id, name] of [
      ['lan', 'LAN'],
      ['wan', 'WAN'],
      ['mgmt', 'Management'],
    ]) {
      expect((await call('POST', '/api/v1/zones', { id, name })).status).toBe(201);
    }
    const web = await call<Policy>('POST', '/api/v1/zone-policies', {
      from_zone_id: 'lan',
      to_zone_id: 'wan',
      protocol: 'tcp',
      ports: '443, 80,81-90,85',
      description: 'web',
    });
    expect(web.status).toBe(201);
    expect(web.body).toMatchObject({ from_zone_id: 'lan', to_zone_id: 'wan', protocol: 'tcp', ports: '80-90,443' });
    expect(web.body.action).toBe('allow');
    const any = await call<Policy>('POST', '/api/v1/zone-policies', {
      from_zone_id: 'wan',
      to_zone_id: 'mgmt',
      action: 'deny',
    });
    expect(any.status).toBe(201);
    expect(any.body).not.toHaveProperty('protocol');

    expectError(
      await call('POST', '/api/v1/zone-policies', {
        from_zone_id: 'lan',
        to_zone_id: 'wan',
        protocol: 'tcp',
        ports: '443,80-90',
        action: 'deny',
      }),
      409,
      'conflict',
      'a policy for this flow already exists',
    );
    expectError(
      await call('POST', '/api/v1/zone-policies', { from_zone_id: 'lan', to_zone_id: 'nowhere' }),
      404,
      'not_found',
      'zone not found',
    );
    expectError(
      await call('POST', '/api/v1/zone-policies', { from_zone_id: 'lan', to_zone_id: 'wan', ports: '22' }),
      400,
      'validation_failed',
      'invalid ports',
    );
    expectError(
      await call('POST', '/api/v1/zone-policies', {
        from_zone_id: 'lan',
        to_zone_id: 'wan',
        protocol: 'udp',
        ports: '0-70000',
      }),
      400,
      'validation_failed',
      'invalid ports',
    );
    expectError(
      await call('POST', '/api/v1/zone-policies', { from_zone_id: 'lan', to_zone_id: 'wan', action: 'maybe' }),
      400,
      'validation_failed',
      'invalid json body',
    );

    const list = await call<{ policies: Policy[] }>('GET', '/api/v1/zone-policies');
    expect(list.body.policies.map((policy) => policy.id)).toEqual([web.body.id, any.body.id]);
    const ofMgmt = await call<{ policies: Policy[] }>('GET', '/api/v1/zone-policies?zone=mgmt');
    expect(ofMgmt.body.policies.map((policy) => policy.id)).toEqual([any.body.id]);
    expectError(await call('GET', '/api/v1/zone-policies?zone=nowhere'), 404, 'not_found');
    expectError(await call('GET', '/api/v1/zone-policies?colour=red'), 400, 'validation_failed');

    const edited = await call<Policy>('PATCH', `/api/v1/zone-policies/${web.body.id}`, {
      protocol: 'icmp',
      action: 'deny',
    });
    expect(edited.status).toBe(200);
    expect(edited.body).toMatchObject({ protocol: 'icmp', action: 'deny', description: 'web' });
    expect(edited.body).not.toHaveProperty('ports');
    expectError(await call('PATCH', `/api/v1/zone-policies/${MISSING}`, { action: 'allow' }), 404, 'not_found');
    expectError(await call('GET', '/api/v1/zone-policies/x'), 400, 'invalid_id', 'policy id is not a valid uuid');

    expect((await core.request({ method: 'DELETE', url: `/api/v1/zone-policies/${web.body.id}` })).statusCode).toBe(
      204,
    );
    expectError(await call('GET', `/api/v1/zone-policies/${web.body.id}`), 404, 'not_found', 'policy not found');
    // Deleting a zone deletes its policies.
    expect((await core.request({ method: 'DELETE', url: '/api/v1/zones/mgmt' })).statusCode).toBe(204);
    expectError(await call('GET', `/api/v1/zone-policies/${any.body.id}`), 404, 'not_found');
  });

  // ---- Service dependencies ----

  it('records service and device dependencies', async () => {
    const app = await newDevice('app-1');
    const dbHost = await newDevice('db-host');
    const bare = await newDevice('bare-host');
    const service = async (deviceId: string, port: number, name: string) =>
      (
        await sql<{ id: string }>`
          INSERT INTO services (device_id, protocol, port, name, state) VALUES (${deviceId}, 'tcp', ${port}, ${name}, 'open')
          RETURNING id`.execute(db())
      ).rows[0]?.id as string;
    const http = await service(app, 443, 'https');
    const postgres = await service(dbHost, 5432, 'postgresql');

    const onService = await call<Dependency>('POST', '/api/v1/service-dependencies', {
      from: { service_id: http },
      to: { service_id: postgres },
      description: ' orders DB ',
    });
    expect(onService.status).toBe(201);
    expect(onService.body).toMatchObject({
      from: { device_id: app, device_name: 'app-1', service_id: http },
      to: { device_id: dbHost, service_id: postgres },
      level: 'service',
      source: 'manual',
      description: 'orders DB',
    });
    const onDevice = await call<Dependency>('POST', '/api/v1/service-dependencies', {
      from: { device_id: app },
      to: { device_id: bare },
    });
    expect(onDevice.status).toBe(201);
    expect(onDevice.body).toMatchObject({ level: 'device', to: { device_id: bare } });
    expect(onDevice.body.to).not.toHaveProperty('service_id');

    expectError(
      await call('POST', '/api/v1/service-dependencies', { from: { service_id: http }, to: { service_id: postgres } }),
      409,
      'conflict',
      'this dependency already exists',
    );
    expectError(
      await call('POST', '/api/v1/service-dependencies', {
        from: { device_id: app, service_id: http },
        to: { device_id: bare },
      }),
      400,
      'validation_failed',
      'invalid dependency end',
    );
    expectError(
      await call('POST', '/api/v1/service-dependencies', { from: {}, to: { device_id: bare } }),
      400,
      'validation_failed',
      'invalid dependency end',
    );
    expectError(
      await call('POST', '/api/v1/service-dependencies', { from: { device_id: bare }, to: { device_id: bare } }),
      400,
      'validation_failed',
      'a dependency needs two different ends',
    );
    expectError(
      await call('POST', '/api/v1/service-dependencies', { from: { service_id: MISSING }, to: { device_id: bare } }),
      404,
      'not_found',
      'service not found',
    );
    expectError(
      await call('POST', '/api/v1/service-dependencies', { from: { device_id: app }, to: { device_id: MISSING } }),
      404,
      'not_found',
      'device not found',
    );

    const list = await call<{ dependencies: Dependency[] }>('GET', `/api/v1/service-dependencies?device_id=${bare}`);
    expect(list.body.dependencies.map((dependency) => dependency.id)).toEqual([onDevice.body.id]);
    const all = await call<{ dependencies: Dependency[] }>('GET', '/api/v1/service-dependencies');
    expect(all.body.dependencies.map((dependency) => dependency.id)).toEqual([onService.body.id, onDevice.body.id]);

    const edited = await call<Dependency>('PATCH', `/api/v1/service-dependencies/${onDevice.body.id}`, {
      description: 'backups',
    });
    expect(edited.body.description).toBe('backups');
    expectError(
      await call('PATCH', `/api/v1/service-dependencies/${onDevice.body.id}`, { from: { device_id: app } }),
      400,
      'validation_failed',
      'invalid json body',
    );
    expectError(
      await call('PATCH', `/api/v1/service-dependencies/${MISSING}`, { description: null }),
      404,
      'not_found',
    );

    expect(
      (await core.request({ method: 'DELETE', url: `/api/v1/service-dependencies/${onDevice.body.id}` })).statusCode,
    ).toBe(204);
    expectError(
      await call('GET', `/api/v1/service-dependencies/${onDevice.body.id}`),
      404,
      'not_found',
      'dependency not found',
    );
    expectError(
      await call('DELETE', '/api/v1/service-dependencies/nope'),
      400,
      'invalid_id',
      'dependency id is not a valid uuid',
    );
  });
});

describeEachBackend('map build mode: migration 009', (backend) => {
  let test: TestDatabase;
  beforeEach(async () => {
    test = await backend.empty();
  });
  afterEach(() => test.dispose());

  it('goes down to 008 keeping discovered links, and up again', async () => {
    const db = test.database.db;
    const migrator = new Migrator(test.database);
    await migrator.up(9);
    expect((await migrator.state()).version).toBe(9);
    const { rows } = await sql<{
      id: string;
    }>`INSERT INTO devices (display_name) VALUES ('a'), ('b'), ('c') RETURNING id`.execute(db);
    const [a, b, c] = rows.map((row) => row.id) as [string, string, string];
    await sql`
      INSERT INTO links (link_key, a_device_id, b_device_id, source, protocols, label)
      VALUES ('k1', ${a}, ${b}, 'manual', ARRAY['lldp', 'manual'], 'curated'),
             ('k2', ${a}, ${c}, 'manual', ARRAY['manual'], NULL)`.execute(db);
    await sql`INSERT INTO zones (id, name) VALUES ('dmz', 'DMZ')`.execute(db);

    await migrator.down(1);
    expect((await migrator.state()).version).toBe(8);
    const { rows: tables } = await sql<{ name: string }>`
      SELECT table_name AS name FROM information_schema.tables
       WHERE table_schema = 'public' AND table_name IN ('zones', 'device_zones', 'zone_policies', 'service_dependencies')`.execute(
      db,
    );
    expect(tables).toEqual([]);
    const { rows: columns } = await sql<{ name: string }>`
      SELECT column_name AS name FROM information_schema.columns
       WHERE table_name = 'links' AND column_name IN ('label', 'notes')`.execute(db);
    expect(columns).toEqual([]);
    expect((await sql`SELECT link_key, source, protocols FROM links ORDER BY link_key`.execute(db)).rows).toEqual([
      { link_key: 'k1', source: 'lldp', protocols: ['lldp'] },
    ]);

    await migrator.up(1);
    expect((await migrator.state()).version).toBe(9);
    expect((await sql`SELECT count(*)::int AS n FROM zones`.execute(db)).rows).toEqual([{ n: 0 }]);
  });
});
