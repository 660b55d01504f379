import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { NeighbourSighting, SnmpDeviceReport, SnmpInterface } from '../../src/domain/enrichment.types.ts';
import { EnrichmentRepository } from '../../src/storage/enrichment.repository.ts';
import { FoldRepository } from '../../src/storage/fold.repository.ts';
import { describeEachBackend } from '../support/backends.ts';
import { createTestCore, type TestCore } from '../support/core-app.ts';

interface Device {
  id: string;
  display_name?: string;
  primary_ip?: string;
  vendor?: string;
  tags?: string[];
}
interface TagRow {
  tag: string;
  source: 'auto' | 'manual';
  confidence: number;
  evidence?: Record<string, unknown>;
  updated_at: string;
}
interface Envelope {
  error: { code: string; message: string; details?: Record<string, unknown> };
}
type Row = Record<string, unknown>;
interface Facts {
  device_id: string;
  ips: Row[];
  macs: Row[];
  interfaces: (Row & { id: string; name?: string })[];
  services: Row[];
  snmp?: Row;
  links: Row[];
  vlans: Row[];
  fdb: Row[];
  switch_ports: Row[];
}

const UNKNOWN = '00000000-0000-4000-8000-000000000000';
const CISCO = 'Cisco Systems, Inc';

const iface = (ifIndex: number, name: string, mac: string | null = null): SnmpInterface => ({
  ifIndex,
  name,
  descr: name,
  alias: null,
  mac,
  adminStatus: 1,
  operStatus: 1,
  mtu: 1500,
  speedBps: 1_000_000_000,
});

const neighbour = (fields: Partial<NeighbourSighting> & Pick<NeighbourSighting, 'protocol'>): NeighbourSighting => ({
  localIfIndex: null,
  remoteChassisMac: null,
  remoteChassisId: null,
  remoteSysName: null,
  remoteSysDescr: null,
  remotePortId: null,
  remotePortDescr: null,
  remotePortMac: null,
  remoteManagementIp: null,
  ...fields,
});

describeEachBackend('devices: tags, taxonomy and enriched facts', (backend) => {
  let core: TestCore;
  beforeAll(async () => {
    core = await createTestCore(backend);
  });
  afterAll(() => core.close());

  const createDevice = async (name?: string): Promise<string> =>
    (
      await core.json<{ id: string }>({
        method: 'POST',
        url: '/api/v1/devices',
        payload: name ? { display_name: name } : {},
      })
    ).body.id;
  const getTags = (id: string) => core.json<TagRow[]>({ method: 'GET', url: `/api/v1/devices/${id}/tags` });
  const putTags = (id: string, payload?: unknown) =>
    core.json<TagRow[] & Envelope>({
      method: 'PUT',
      url: `/api/v1/devices/${id}/tags`,
      ...(payload === undefined ? {} : { payload: payload as Record<string, unknown> }),
    });
  const getDevice = async (id: string) =>
    (await core.json<Device>({ method: 'GET', url: `/api/v1/devices/${id}` })).body;
  const newRun = async (): Promise<string> =>
    (
      await sql<{ id: string }>`INSERT INTO discovery_runs (status) VALUES ('running') RETURNING id`.execute(
        core.database.db,
      )
    ).rows[0]?.id as string;

  describe('GET and PUT /devices/{id}/tags', () => {
    let id: string;
    beforeAll(async () => {
      id = await createDevice('lobby-printer');
    });

    it('lists no tags for a device that has none', async () => {
      const { status, body } = await getTags(id);
      expect(status).toBe(200);
      expect(body).toEqual([]);
      expect(await getDevice(id)).not.toHaveProperty('tags');
    });

    it('normalises, de-duplicates and sorts manual tags, with confidence 100 and manual evidence', async () => {
      const { status, body } = await putTags(id, {
        tags: [' Switch', 'router', 'ROUTER', '', '   ', 'switch ', 'iot'],
      });
      expect(status).toBe(200);
      expect(body.map(({ tag, source, confidence, evidence }) => ({ tag, source, confidence, evidence }))).toEqual(
        ['iot', 'router', 'switch'].map((tag) => ({
          tag,
          source: 'manual',
          confidence: 100,
          evidence: { signal: 'manual' },
        })),
      );
      expect((await getTags(id)).body).toEqual(body);
      expect((await getDevice(id)).tags).toEqual(['iot', 'router', 'switch']);
    });

    it('rejects more than 32 entries and unknown tags before anything changes', async () => {
      const before = (await getTags(id)).body;
      const tooMany = await putTags(id, { tags: Array.from({ length: 33 }, () => 'router') });
      expect(tooMany.status).toBe(400);
      expect(tooMany.body.error).toEqual({
        code: 'validation_failed',
        message: 'invalid device tags',
        details: { error: 'too many tags (max 32)' },
      });
      const unknown = await putTags(id, { tags: ['router', ' Gizmo '] });
      expect(unknown.status).toBe(400);
      expect(unknown.body.error).toEqual({
        code: 'validation_failed',
        message: 'invalid device tags',
        details: { error: 'unknown tag "gizmo"' },
      });
      expect((await getTags(id)).body).toEqual(before);
      expect((await getDevice(id)).tags).toEqual(['iot', 'router', 'switch']);
      // Validation comes before the existence check.
      const unknownDevice = await putTags(UNKNOWN, { tags: ['toaster'] });
      expect(unknownDevice.status).toBe(400);
      expect(unknownDevice.body.error.details).toEqual({ error: 'unknown tag "toaster"' });
      // Counted as sent: 33 copies of one tag are too many, 32 are fine.
      expect((await putTags(id, { tags: Array.from({ length: 32 }, () => 'nas') })).status).toBe(200);
      expect((await getTags(id)).body.map((row) => row.tag)).toEqual(['nas']);
    });

    it('leaves auto tags alone, lists manual first and clears manual tags with an empty or missing list', async () => {
      const run = await newRun();
      const enrichment = new EnrichmentRepository(core.database.db, run);
      await enrichment.saveServices(id, {
        scannedTcpPorts: [9100],
        open: [{ protocol: 'tcp', port: 9100, name: 'jetdirect', source: 'nmap' }],
      });
      await enrichment.reclassify([id]);
      await sql`
        INSERT INTO device_tags (device_id, tag, source, confidence, evidence)
        VALUES (${id}, 'router', 'auto', 70, '{"signal":"name","name":"gw","match":"router"}')`.execute(
        core.database.db,
      );
      const autoRows = (await getTags(id)).body.filter((row) => row.source === 'auto');
      expect(autoRows.map(({ tag, confidence, evidence }) => ({ tag, confidence, evidence }))).toEqual([
        { tag: 'printer', confidence: 85, evidence: { signal: 'ports', ports: [9100] } },
        { tag: 'router', confidence: 70, evidence: { signal: 'name', name: 'gw', match: 'router' } },
      ]);

      const { status, body } = await putTags(id, { tags: ['router', 'switch'] });
      expect(status).toBe(200);
      expect(body.map((row) => `${row.source}:${row.tag}:${row.confidence}`)).toEqual([
        'manual:router:100',
        'manual:switch:100',
        'auto:printer:85',
        'auto:router:70',
      ]);
      expect(body.filter((row) => row.source === 'auto')).toEqual(autoRows);
      // Effective tags: manual first, each tag once.
      expect((await getDevice(id)).tags).toEqual(['router', 'switch', 'printer']);

      const cleared = await putTags(id, { tags: [] });
      expect(cleared.status).toBe(200);
      expect(cleared.body).toEqual(autoRows);
      expect((await getDevice(id)).tags).toEqual(['printer', 'router']);

      await putTags(id, { tags: ['camera'] });
      const noBody = await putTags(id);
      expect(noBody.status).toBe(200);
      expect(noBody.body).toEqual(autoRows);
    });

    it('answers 404 for an unknown device and 400 invalid_id for a malformed id', async () => {
      const notFound = { code: 'not_found', message: 'device not found', details: { id: UNKNOWN } };
      const get = await getTags(UNKNOWN);
      expect(get.status).toBe(404);
      expect((get.body as unknown as Envelope).error).toEqual(notFound);
      const put = await putTags(UNKNOWN, { tags: ['router'] });
      expect(put.status).toBe(404);
      expect(put.body.error).toEqual(notFound);
      const names = await core.json<Envelope>({ method: 'GET', url: `/api/v1/devices/${UNKNOWN}/name-candidates` });
      expect(names.status).toBe(404);
      expect(names.body.error).toEqual(notFound);
      expect(await core.json<Envelope>({ method: 'GET', url: `/api/v1/devices/${UNKNOWN}/facts` })).toMatchObject({
        status: 404,
      });

      const invalid = { code: 'invalid_id', message: 'device id is not a valid uuid', details: { id: 'not-a-uuid' } };
      for (const response of [
        await core.json<Envelope>({ method: 'GET', url: '/api/v1/devices/not-a-uuid/tags' }),
        await core.json<Envelope>({ method: 'PUT', url: '/api/v1/devices/not-a-uuid/tags', payload: { tags: [] } }),
        await core.json<Envelope>({ method: 'GET', url: '/api/v1/devices/not-a-uuid/name-candidates' }),
      ]) {
        expect(response.status).toBe(400);
        expect(response.body.error).toEqual(invalid);
      }
    });
  });

  it('lists the 11-tag taxonomy in SPEC order, server and workstation manual-only', async () => {
    const { status, body } = await core.json<{ tag: string; label: string; description: string; auto: boolean }[]>({
      method: 'GET',
      url: '/api/v1/device-tags/taxonomy',
    });
    expect(status).toBe(200);
    expect(body.map((entry) => entry.tag)).toEqual([
      'router',
      'switch',
      'access_point',
      'firewall',
      'printer',
      'server',
      'workstation',
      'nas',
      'camera',
      'vm_host',
      'iot',
    ]);
    expect(body.filter((entry) => !entry.auto).map((entry) => entry.tag)).toEqual(['server', 'workstation']);
    expect(body[0]).toEqual({ tag: 'router', label: 'Router', description: 'gateway / router', auto: true });
    expect(body.every((entry) => entry.label !== '' && entry.description !== '')).toBe(true);
  });

  describe('facts written by enrichment', () => {
    let switchId: string;
    let hostId: string;
    let coreId: string;
    let facts: (id: string) => Promise<Facts>;

    const switchReport = (run: 1 | 2): SnmpDeviceReport => ({
      address: '10.50.0.1',
      credential: 'lab-v2c',
      system: {
        sysName: 'dist-sw-1',
        sysDescr: 'Cisco IOS Software, C2960 Software',
        sysObjectId: '1.3.6.1.4.1.9.1.1208',
        sysContact: null,
        sysLocation: 'rack 4',
        sysUpTime: 8_640_000,
      },
      interfaces: {
        ok: true,
        value: [iface(1, 'Gi0/1', '00:00:0c:bb:00:01'), ...(run === 1 ? [iface(2, 'Gi0/2')] : []), iface(5, 'Gi0/5')],
      },
      addresses: { ok: true, value: [{ ifIndex: 1, ip: '10.50.0.1', prefixLength: 24 }] },
      vlans: {
        ok: true,
        value: {
          vlans: [
            { vlanId: 10, name: 'users' },
            { vlanId: 20, name: 'voice' },
            ...(run === 1 ? [{ vlanId: 30, name: 'mgmt' }] : []),
          ],
          memberships: [
            { ifIndex: 5, vlanId: 10, role: 'pvid' },
            { ifIndex: 5, vlanId: 10, role: 'untagged' },
            { ifIndex: 5, vlanId: 20, role: 'tagged' },
            ...(run === 1
              ? [
                  { ifIndex: 5, vlanId: 30, role: 'tagged' as const },
                  { ifIndex: 2, vlanId: 20, role: 'tagged' as const },
                ]
              : []),
          ],
        },
      },
      fdb: {
        ok: true,
        value: [
          { mac: 'b8:27:eb:00:00:20', ifIndex: 5, vlanId: 10 },
          ...(run === 1 ? [{ mac: '02:00:00:00:00:aa', ifIndex: 5, vlanId: 10 }] : []),
        ],
      },
      lldp: {
        ok: true,
        value: [
          neighbour({
            protocol: 'lldp',
            localIfIndex: 1,
            remoteChassisMac: '00:1b:21:00:00:02',
            remoteChassisId: '00:1b:21:00:00:02',
            remoteSysName: 'core-sw',
            remotePortId: 'eth0',
          }),
        ],
      },
      ...(run === 2
        ? {
            cdp: {
              ok: true as const,
              value: [
                neighbour({
                  protocol: 'cdp',
                  localIfIndex: 1,
                  remoteChassisId: 'core-sw',
                  remoteSysName: 'core-sw',
                  remotePortId: 'eth0',
                  remoteManagementIp: '10.50.0.2',
                }),
              ],
            },
          }
        : {}),
      durationMs: 120,
    });

    beforeAll(async () => {
      facts = async (id: string) => {
        const response = await core.json<Facts>({ method: 'GET', url: `/api/v1/devices/${id}/facts` });
        expect(response.status).toBe(200);
        return response.body;
      };
      const db = core.database.db;
      switchId = await createDevice('dist-sw-1');
      const run1 = await newRun();
      const folded = await new FoldRepository(db).fold(run1, [
        { ip: '10.50.0.20', mac: 'b8:27:eb:00:00:20' },
        { ip: '10.50.0.2', mac: '00:1b:21:00:00:02' },
      ]);
      [hostId, coreId] = folded.targets.map((target) => target.deviceId) as [string, string];
      await core.json({ method: 'PUT', url: `/api/v1/devices/${hostId}`, payload: { display_name: 'pi-20' } });
      await new EnrichmentRepository(db, run1).saveSnmp(switchId, switchReport(1));
      await new EnrichmentRepository(db, await newRun()).saveSnmp(switchId, switchReport(2));
    });

    it('shows interfaces with VLAN membership and stale flags, VLANs, SNMP, MACs and IPs of the switch', async () => {
      const body = await facts(switchId);
      expect(body.interfaces.map((entry) => entry.name)).toEqual(['Gi0/1', 'Gi0/2', 'Gi0/5']);
      const [gi1, gi2, gi5] = body.interfaces;
      expect(gi1).toMatchObject({ ifindex: 1, mac: '00:00:0c:bb:00:01', source: 'snmp', stale: false });
      expect(gi1).not.toHaveProperty('stale_since');
      expect(gi2).toMatchObject({ ifindex: 2, stale: true, stale_since: expect.any(String) });
      expect(gi5).toMatchObject({ pvid: 10, untagged_vlans: [10], tagged_vlans: [20], stale: false });
      expect(body.vlans).toEqual([
        { vlan_id: 10, name: 'users', stale: false, observed_at: expect.any(String) },
        { vlan_id: 20, name: 'voice', stale: false, observed_at: expect.any(String) },
        {
          vlan_id: 30,
          name: 'mgmt',
          stale: true,
          stale_since: expect.any(String),
          observed_at: expect.any(String),
        },
      ]);
      expect(body.snmp).toMatchObject({
        address: '10.50.0.1',
        sys_name: 'dist-sw-1',
        sys_uptime: 8_640_000,
        credential: 'lab-v2c',
        last_success_at: expect.any(String),
      });
      expect(body.snmp).not.toHaveProperty('last_error');
      expect(body.macs).toEqual([
        expect.objectContaining({
          mac: '00:00:0c:bb:00:01',
          interface_name: 'Gi0/1',
          vendor: CISCO,
          locally_administered: false,
          source: 'snmp',
          stale: false,
        }),
      ]);
      expect(body.ips).toEqual([
        expect.objectContaining({
          ip: '10.50.0.1',
          interface_name: 'Gi0/1',
          prefix_length: 24,
          source: 'snmp',
          stale: false,
        }),
      ]);
      expect((await getDevice(switchId)).vendor).toBe(CISCO);
    });

    it("lists the switch's forwarding table with whose MAC each entry is", async () => {
      const { fdb } = await facts(switchId);
      expect(fdb).toEqual([
        {
          mac: '02:00:00:00:00:aa',
          vlan_id: 10,
          interface_id: expect.any(String),
          interface_name: 'Gi0/5',
          stale: true,
          stale_since: expect.any(String),
          observed_at: expect.any(String),
        },
        {
          mac: 'b8:27:eb:00:00:20',
          vlan_id: 10,
          interface_id: expect.any(String),
          interface_name: 'Gi0/5',
          device_id: hostId,
          device_name: 'pi-20',
          stale: false,
          observed_at: expect.any(String),
        },
      ]);
    });

    it('shows from the host side which switch port its MAC was learnt behind', async () => {
      const body = await facts(hostId);
      const gi5 = (await facts(switchId)).interfaces.find((entry) => entry.name === 'Gi0/5');
      expect(body.switch_ports).toEqual([
        {
          mac: 'b8:27:eb:00:00:20',
          switch_device_id: switchId,
          switch_name: 'dist-sw-1',
          interface_id: gi5?.id,
          interface_name: 'Gi0/5',
          vlan_id: 10,
          stale: false,
          observed_at: expect.any(String),
        },
      ]);
      expect(body.macs).toEqual([
        expect.objectContaining({
          mac: 'b8:27:eb:00:00:20',
          vendor: 'Raspberry Pi Foundation',
          locally_administered: false,
          source: 'arp',
          stale: false,
        }),
      ]);
      expect(body.ips).toEqual([expect.objectContaining({ ip: '10.50.0.20', source: 'presence', stale: false })]);
      expect(await getDevice(hostId)).toMatchObject({ vendor: 'Raspberry Pi Foundation', primary_ip: '10.50.0.20' });
      const found = await core.json<{ devices: Device[] }>({ method: 'GET', url: '/api/v1/devices?q=raspberry' });
      expect(found.body.devices.map((device) => device.id)).toEqual([hostId]);
    });

    it('shows one link per cable with both protocols and names from either end', async () => {
      const switchSide = await facts(switchId);
      expect(switchSide.links).toEqual([
        expect.objectContaining({
          peer_device_id: coreId,
          peer_device_name: 'core-sw',
          local_interface_name: 'Gi0/1',
          peer_interface_name: 'eth0',
          link_type: 'ethernet',
          protocols: ['cdp', 'lldp'],
          stale: false,
        }),
      ]);
      const coreSide = await facts(coreId);
      expect(coreSide.links).toEqual([
        expect.objectContaining({
          id: switchSide.links[0]?.id,
          peer_device_id: switchId,
          peer_device_name: 'dist-sw-1',
          local_interface_name: 'eth0',
          peer_interface_name: 'Gi0/1',
          protocols: ['cdp', 'lldp'],
        }),
      ]);
      // The remote port is a stub known only from the neighbour tables.
      expect(coreSide.interfaces).toEqual([
        expect.objectContaining({ name: 'eth0', source: 'lldp', stale: false, tagged_vlans: [], untagged_vlans: [] }),
      ]);
      expect(coreSide.interfaces[0]).not.toHaveProperty('ifindex');
      const names = await core.json<{ name: string; source: string; last_seen_at: string }[]>({
        method: 'GET',
        url: `/api/v1/devices/${coreId}/name-candidates`,
      });
      expect(names.status).toBe(200);
      expect(names.body.map((row) => `${row.source}:${row.name}`).sort()).toEqual(['cdp:core-sw', 'lldp:core-sw']);
      expect(names.body[0]?.last_seen_at).toEqual(expect.any(String));
    });
  });
});
