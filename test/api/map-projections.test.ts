import { type Kysely, sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Schema } from '../../src/storage/schema.ts';
import { describeEachBackend } from '../support/backends.ts';
import { createTestCore, type TestCore } from '../support/core-app.ts';
import { nameUuid } from '../support/name-uuid.ts';

interface Truncation {
  returned: number;
  limit: number;
  truncated: boolean;
  total?: number;
  warning?: string;
}
interface Projection {
  layer: string;
  focus?: { type: string; id: string; label?: string };
  guidance?: string;
  regions: { id: string; kind: string; label: string }[];
  nodes: { id: string; kind: string; label?: string; primary_region_id?: string; region_ids: string[] }[];
  edges: { id: string; kind: string; from: string; to: string; label?: string; meta?: Record<string, unknown> }[];
  inspector?: {
    title: string;
    identity: { label: string; value: string }[];
    status: { label: string; value: string }[];
    relationships: { label: string; layer: string; focus_type: string; focus_id: string }[];
  };
  truncation: { regions: Truncation; nodes: Truncation; edges: Truncation };
}
interface Envelope {
  error: { code: string; message: string; details?: Record<string, unknown> };
}

const uuid = nameUuid;

const FOCUS = uuid('focus');
const PEER1 = uuid('peer1');
const PEER2 = uuid('peer2');
const FAR = uuid('far');
const SWITCH = uuid('switch');
const SERVICE = uuid('svc-ssh');

type Step = (db: Kysely<Schema>) => Promise<unknown>;

const device =
  (id: string, name: string): Step =>
  (db) =>
    sql`INSERT INTO devices (id, display_name) VALUES (${id}::uuid, ${name})`.execute(db);
const ip =
  (owner: string, address: string, prefix: number | null = null): Step =>
  (db) =>
    sql`INSERT INTO ip_addresses (device_id, ip, prefix_length) VALUES (${owner}::uuid, ${address}::inet, ${prefix})`.execute(
      db,
    );
const pvid =
  (owner: string, ifName: string, vlan: number): Step =>
  async (db) => {
    const { rows } = await sql<{ id: string }>`
    INSERT INTO interfaces (device_id, name) VALUES (${owner}::uuid, ${ifName}) RETURNING id`.execute(db);
    await sql`INSERT INTO interface_vlans (interface_id, vlan_id, role, source)
            VALUES (${rows[0]?.id}::uuid, ${vlan}, 'pvid', 'snmp')`.execute(db);
  };
const link =
  (id: string, a: string, b: string, key: string): Step =>
  (db) =>
    sql`INSERT INTO links (id, link_key, a_device_id, b_device_id, source, protocols)
      VALUES (${id}::uuid, ${key}, ${a}::uuid, ${b}::uuid, 'lldp', '{lldp}')`.execute(db);
const service =
  (id: string, owner: string, port: number, name: string): Step =>
  (db) =>
    sql`INSERT INTO services (id, device_id, protocol, port, name, state, source, observed_at)
      VALUES (${id}::uuid, ${owner}::uuid, 'tcp', ${port}, ${name}, 'open', 'nmap', '2026-01-01T00:00:00Z')`.execute(
      db,
    );

/** The base network: devices first, then facts; `reverse` inserts facts in the opposite order. */
function baseSteps(): { devices: Step[]; facts: Step[] } {
  return {
    devices: [
      device(FOCUS, 'focus'),
      device(PEER1, 'peer-1'),
      device(PEER2, 'peer-2'),
      device(FAR, 'far'),
      device(SWITCH, 'switch'),
    ],
    facts: [
      // focus: a real /25 from SNMP, plus a host address whose prefix is inferred from PEER2's row.
      ip(FOCUS, '10.0.1.10', 25),
      ip(FOCUS, '10.0.9.10'),
      ip(FOCUS, '127.0.0.1', 8),
      ip(PEER1, '10.0.1.20'),
      ip(PEER1, '10.0.10.20', 24),
      ip(PEER2, '10.0.9.1', 26),
      ip(FAR, '10.0.10.30'),
      pvid(FOCUS, 'eth1', 10),
      pvid(FOCUS, 'eth2', 2),
      pvid(FOCUS, 'eth3', 30),
      pvid(PEER1, 'eth1', 2),
      pvid(PEER1, 'eth2', 100),
      pvid(FAR, 'eth1', 100),
      link(uuid('link-1'), FOCUS, SWITCH, 'k1'),
      link(uuid('link-2'), SWITCH, FOCUS, 'k2'),
      link(uuid('link-3'), FOCUS, PEER1, 'k3'),
      service(SERVICE, FOCUS, 22, 'ssh'),
      service(uuid('svc-http'), FOCUS, 80, 'http'),
    ],
  };
}

async function seed(db: Kysely<Schema>, reverse: boolean): Promise<void> {
  const { devices, facts } = baseSteps();
  for (const step of reverse ? [...devices].reverse() : devices) await step(db);
  for (const step of reverse ? [...facts].reverse() : facts) await step(db);
}

const FIVE = ['View in Physical', 'View in L2', 'View in L3', 'View in Services', 'View in Security'];

describeEachBackend('map projections', (backend) => {
  let core: TestCore;
  beforeAll(async () => {
    core = await createTestCore(backend);
    await seed(core.database.db, false);
  });
  afterAll(() => core.close());

  const get = <T = Projection>(url: string) => core.json<T>({ method: 'GET', url });
  const ok = async (url: string): Promise<Projection> => {
    const response = await get(url);
    expect(response.status, JSON.stringify(response.body)).toBe(200);
    return response.body;
  };
  const fails = async (url: string, status: number, code: string, message: string) => {
    const response = await get<Envelope>(url);
    expect(response.status).toBe(status);
    expect(response.body.error.code).toBe(code);
    expect(response.body.error.message).toBe(message);
    return response.body.error;
  };

  describe('validation', () => {
    it('rejects an unknown layer', async () => {
      const error = await fails('/api/v1/map/l4', 400, 'validation_failed', 'invalid layer');
      expect(error.details?.layer).toBe('l4');
    });
    it('accepts a padded, upper-case layer', async () => {
      expect((await ok('/api/v1/map/%20L3%20')).layer).toBe('l3');
    });
    it('needs focusType and focusId together', async () => {
      await fails(
        `/api/v1/map/l3?focusType=device`,
        400,
        'validation_failed',
        'focusType and focusId must be provided together',
      );
      await fails(
        `/api/v1/map/l3?focusId=${FOCUS}`,
        400,
        'validation_failed',
        'focusType and focusId must be provided together',
      );
    });
    it('rejects an unknown focusType', async () => {
      const error = await fails(
        `/api/v1/map/l3?focusType=rack&focusId=x`,
        400,
        'validation_failed',
        'invalid focusType',
      );
      expect(error.details?.focusType).toBe('rack');
    });
    it('rejects a bad depth and limit', async () => {
      for (const depth of ['-1', '1.5', 'deep']) {
        await fails(`/api/v1/map/l3?depth=${depth}`, 400, 'validation_failed', 'invalid depth');
      }
      for (const limit of ['0', 'x']) {
        await fails(`/api/v1/map/l3?limit=${limit}`, 400, 'validation_failed', 'invalid query parameter');
      }
      await fails('/api/v1/map/l3?color=red', 400, 'validation_failed', 'invalid query parameter');
    });
    it('validates each focus id', async () => {
      await fails('/api/v1/map/l3?focusType=device&focusId=nope', 400, 'invalid_id', 'device id is not a valid uuid');
      await fails(`/api/v1/map/l3?focusType=device&focusId=${uuid('missing')}`, 404, 'not_found', 'device not found');
      await fails(
        '/api/v1/map/l3?focusType=subnet&focusId=10.0.1.1',
        400,
        'invalid_id',
        'subnet id must be a CIDR prefix',
      );
      for (const vlan of ['0', '4095', 'ten']) {
        await fails(
          `/api/v1/map/l2?focusType=vlan&focusId=${vlan}`,
          400,
          'invalid_id',
          'vlan id must be an integer between 1 and 4094',
        );
      }
      await fails(
        '/api/v1/map/services?focusType=service&focusId=x',
        400,
        'invalid_id',
        'service id is not a valid uuid',
      );
      await fails(
        `/api/v1/map/services?focusType=service&focusId=${uuid('nosvc')}`,
        404,
        'not_found',
        'service not found',
      );
    });
  });

  it('answers without a focus with empty arrays, limits and guidance', async () => {
    for (const layer of ['physical', 'l2', 'l3', 'services', 'security']) {
      const body = await ok(`/api/v1/map/${layer}?limit=50`);
      expect(body).toMatchObject({ layer, regions: [], nodes: [], edges: [] });
      expect(body.focus).toBeUndefined();
      expect(body.inspector).toBeUndefined();
      expect(body.guidance).toContain('focusType');
      expect(body.truncation.regions).toMatchObject({ returned: 0, limit: 8, truncated: false });
      expect(body.truncation.nodes).toMatchObject({ returned: 0, limit: 50, truncated: false });
      expect(body.truncation.edges).toMatchObject({ returned: 0, limit: 50, truncated: false });
    }
  });

  it('l3, device focus: real and inferred prefixes, primary subnet, peers and edges', async () => {
    const body = await ok(`/api/v1/map/l3?focusType=device&focusId=${FOCUS}`);
    expect(body.focus).toEqual({ type: 'device', id: FOCUS, label: 'focus' });
    // 10.0.1.10 keeps its /25; 10.0.9.10 takes the /26 known from 10.0.9.1; loopback is skipped.
    expect(body.regions.map((r) => r.id)).toEqual(['10.0.1.0/25', '10.0.9.0/26']);
    const focus = body.nodes.find((n) => n.id === FOCUS);
    expect(focus?.region_ids).toEqual(['10.0.1.0/25', '10.0.9.0/26']);
    expect(body.nodes.map((n) => n.id)).toEqual([FOCUS, PEER1, PEER2].sort());
    expect(body.nodes.find((n) => n.id === PEER1)?.region_ids).toEqual(['10.0.1.0/25']);
    expect(body.edges.map((e) => e.id)).toEqual([`peer:${FOCUS}:${PEER1}`, `peer:${FOCUS}:${PEER2}`].sort());
    expect(body.inspector?.relationships.slice(0, 5).map((r) => r.label)).toEqual(FIVE);
    expect(body.inspector?.relationships.slice(0, 5).every((r) => r.focus_id === FOCUS)).toBe(true);
    const status = Object.fromEntries(body.inspector?.status.map((s) => [s.label, s.value]) ?? []);
    expect(status).toMatchObject({
      Projection: 'l3 (device focus)',
      Subnets: '2',
      Peers: '2',
      'Also in': '10.0.9.0/26',
    });
    expect(['10.0.1.0/25', '10.0.9.0/26']).toContain(status['Primary subnet']);
    expect(body.truncation.nodes).toMatchObject({ truncated: false, total: 3 });
  });

  it('l3: the primary subnet is the most specific one holding the primary IP', async () => {
    const db = core.database.db;
    const PRIM = uuid('prim');
    await device(PRIM, 'prim')(db);
    await ip(PRIM, '10.50.1.5', 24)(db);
    await ip(PRIM, '10.50.2.5', 16)(db);
    const primary = async (address: string) => {
      await sql`UPDATE devices SET primary_ip = ${address}::inet WHERE id = ${PRIM}::uuid`.execute(db);
      const body = await ok(`/api/v1/map/l3?focusType=device&focusId=${PRIM}`);
      expect(body.regions.map((r) => r.id)).toEqual(['10.50.0.0/16', '10.50.1.0/24']);
      expect(body.inspector?.identity).toContainEqual({ label: 'Primary IP', value: address });
      return body.nodes.find((n) => n.id === PRIM)?.primary_region_id;
    };
    expect(await primary('10.50.1.5')).toBe('10.50.1.0/24');
    expect(await primary('10.50.2.5')).toBe('10.50.0.0/16');
    // A peer host address takes the narrowest prefix known around it (FOCUS's /25), not /24.
    const peer = await ok(`/api/v1/map/l3?focusType=device&focusId=${PEER1}`);
    expect(peer.regions.map((r) => r.id)).toEqual(['10.0.1.0/25', '10.0.10.0/24']);
  });

  it('l3, depth 2 adds the peers’ other subnets and their members; depth 0 adds nothing', async () => {
    const body = await ok(`/api/v1/map/l3?focusType=device&focusId=${FOCUS}&depth=2`);
    // PEER1 (in 10.0.1.0/25) is also in 10.0.10.0/24, where FAR lives.
    expect(body.regions.map((r) => r.id)).toEqual(['10.0.1.0/25', '10.0.9.0/26', '10.0.10.0/24']);
    expect(body.nodes.map((n) => n.id)).toContain(FAR);
    expect(body.edges.map((e) => e.to)).not.toContain(FAR);
    const clamped = await ok(`/api/v1/map/l3?focusType=device&focusId=${FOCUS}&depth=99`);
    expect(clamped.regions.length).toBe(3);
    const capped = await ok(`/api/v1/map/l3?focusType=device&focusId=${FOCUS}&depth=2&limit=2`);
    expect(capped.regions.map((r) => r.id)).toEqual(['10.0.1.0/25', '10.0.9.0/26']);
    expect(capped.nodes.length).toBeLessThanOrEqual(2);
    const zero = await ok(`/api/v1/map/l3?focusType=device&focusId=${FOCUS}&depth=0`);
    expect(zero.regions).toEqual([]);
    expect(zero.nodes.map((n) => n.id)).toEqual([FOCUS]);
  });

  it('l3, subnet focus', async () => {
    const body = await ok('/api/v1/map/l3?focusType=subnet&focusId=10.0.1.77/24');
    expect(body.focus).toEqual({ type: 'subnet', id: '10.0.1.0/24', label: '10.0.1.0/24' });
    expect(body.regions).toEqual([{ id: '10.0.1.0/24', kind: 'subnet', label: '10.0.1.0/24' }]);
    expect(body.nodes.map((n) => n.id)).toEqual([FOCUS, PEER1].sort());
    expect(body.nodes.every((n) => n.primary_region_id === '10.0.1.0/24')).toBe(true);
    const empty = await ok('/api/v1/map/l3?focusType=subnet&focusId=192.168.77.0/24');
    expect(empty.nodes).toEqual([]);
    expect(empty.guidance).toContain('No devices observed');
  });

  it('l2, device focus: VLANs in numeric order, lowest is primary', async () => {
    const body = await ok(`/api/v1/map/l2?focusType=device&focusId=${FOCUS}`);
    expect(body.regions.map((r) => r.id)).toEqual(['2', '10', '30']);
    expect(body.regions[1]).toEqual({ id: '10', kind: 'vlan', label: 'VLAN 10' });
    const focus = body.nodes.find((n) => n.id === FOCUS);
    expect(focus?.region_ids).toEqual(['2', '10', '30']);
    expect(focus?.primary_region_id).toBe('2');
    expect(body.nodes.map((n) => n.id)).toEqual([FOCUS, PEER1].sort());
    expect(body.edges).toEqual([]);
    const deeper = await ok(`/api/v1/map/l2?focusType=device&focusId=${FOCUS}&depth=2`);
    expect(deeper.regions.map((r) => r.id)).toEqual(['2', '10', '30', '100']);
    expect(deeper.nodes.map((n) => n.id)).toContain(FAR);
  });

  it('l2, vlan focus', async () => {
    const body = await ok('/api/v1/map/l2?focusType=vlan&focusId=100');
    expect(body.focus).toEqual({ type: 'vlan', id: '100', label: 'VLAN 100' });
    expect(body.nodes.map((n) => n.id)).toEqual([PEER1, FAR].sort());
    expect(body.inspector?.status).toContainEqual({ label: 'Membership model', value: 'PVID only' });
  });

  it('physical: one edge per link, also several links to one peer', async () => {
    const body = await ok(`/api/v1/map/physical?focusType=device&focusId=${FOCUS}`);
    expect(body.edges.map((e) => e.id)).toEqual(
      [`link:${uuid('link-1')}`, `link:${uuid('link-2')}`, `link:${uuid('link-3')}`].sort(),
    );
    expect(body.edges.every((e) => e.from === FOCUS)).toBe(true);
    expect(body.nodes.map((n) => n.id)).toEqual([FOCUS, SWITCH, PEER1].sort());
    expect(body.truncation.edges).toMatchObject({ returned: 3, total: 3, truncated: false });
  });

  it('services: device and service focus', async () => {
    const body = await ok(`/api/v1/map/services?focusType=device&focusId=${FOCUS}`);
    expect(body.regions).toEqual([{ id: FOCUS, kind: 'device', label: 'focus', meta: { device_id: FOCUS } }]);
    expect(body.nodes.map((n) => n.label).sort()).toEqual(['tcp/22 ssh', 'tcp/80 http']);
    const byService = await ok(`/api/v1/map/services?focusType=service&focusId=${SERVICE}`);
    expect(byService.focus).toEqual({ type: 'service', id: SERVICE, label: 'tcp/22 ssh' });
    expect(byService.inspector?.identity).toContainEqual({ label: 'Host device', value: FOCUS });
    const other = await ok('/api/v1/map/services?focusType=vlan&focusId=10');
    expect(other.guidance).toContain('only a device or service');
  });

  it('services: dependencies as edges, other hosts as regions, breadth-first with depth', async () => {
    const db = core.database.db;
    const [APP, DBH, BARE, CACHE, DEEP] = ['dep-app', 'dep-db', 'dep-bare', 'dep-cache', 'dep-deep'].map(uuid) as [
      string,
      string,
      string,
      string,
      string,
    ];
    const [HTTP, SSH, PG, REDIS] = ['dsvc-http', 'dsvc-ssh', 'dsvc-pg', 'dsvc-redis'].map(uuid) as [
      string,
      string,
      string,
      string,
    ];
    for (const [id, name] of [
      [APP, 'app'],
      [DBH, 'db-host'],
      [BARE, 'bare'],
      [CACHE, 'cache'],
      [DEEP, 'deep'],
    ] as const) {
      await device(id, name)(db);
    }
    await service(HTTP, APP, 8080, 'http')(db);
    await service(SSH, APP, 22, 'ssh')(db);
    await service(PG, DBH, 5432, 'postgres')(db);
    await service(REDIS, CACHE, 6379, 'redis')(db);
    const depend = async (from: Record<string, string>, to: Record<string, string>, description?: string) => {
      const payload = { from, to, ...(description ? { description } : {}) };
      const response = await core.json<{ id: string }>({
        method: 'POST',
        url: '/api/v1/service-dependencies',
        payload,
      });
      expect(response.status, JSON.stringify(response.body)).toBe(201);
      return response.body.id;
    };
    const orders = await depend({ service_id: HTTP }, { service_id: PG }, 'orders DB');
    const hostToBare = await depend({ device_id: APP }, { device_id: BARE });
    const bareToSsh = await depend({ device_id: BARE }, { service_id: SSH });
    const pgToRedis = await depend({ service_id: PG }, { service_id: REDIS });
    const redisToDeep = await depend({ service_id: REDIS }, { device_id: DEEP });
    const url = (type: string, id: string, extra = '') =>
      `/api/v1/map/services?focusType=${type}&focusId=${id}${extra}`;
    const sorted = (ids: string[]) => [...ids].sort();

    // Depth 1: every dependency touching the host, in either direction, at service or device level.
    const one = await ok(url('device', APP));
    expect(one.regions).toEqual(
      [
        { id: APP, kind: 'device', label: 'app', meta: { device_id: APP } },
        { id: BARE, kind: 'device', label: 'bare', meta: { device_id: BARE } },
        { id: DBH, kind: 'device', label: 'db-host', meta: { device_id: DBH } },
      ].sort((a, b) => (a.id < b.id ? -1 : 1)),
    );
    expect(one.nodes.map((n) => [n.id, n.kind, n.label, n.primary_region_id, n.region_ids])).toEqual(
      [
        [HTTP, 'service', 'tcp/8080 http', APP, [APP]],
        [SSH, 'service', 'tcp/22 ssh', APP, [APP]],
        [PG, 'service', 'tcp/5432 postgres', DBH, [DBH]],
        [`device:${APP}`, 'device', 'app', APP, [APP]],
        [`device:${BARE}`, 'device', 'bare', BARE, [BARE]],
      ].sort((a, b) => (String(a[0]) < String(b[0]) ? -1 : 1)),
    );
    expect(one.edges).toEqual(
      [
        {
          id: orders,
          kind: 'dependency',
          from: HTTP,
          to: PG,
          label: 'orders DB',
          meta: { source: 'manual', description: 'orders DB', from_device_id: APP, to_device_id: DBH },
        },
        {
          id: hostToBare,
          kind: 'dependency',
          from: `device:${APP}`,
          to: `device:${BARE}`,
          label: 'depends on',
          meta: { source: 'manual', from_device_id: APP, to_device_id: BARE },
        },
        {
          id: bareToSsh,
          kind: 'dependency',
          from: `device:${BARE}`,
          to: SSH,
          label: 'depends on',
          meta: { source: 'manual', from_device_id: BARE, to_device_id: APP },
        },
      ].sort((a, b) => (a.id < b.id ? -1 : 1)),
    );
    // A graph renderer needs ids unique across regions, nodes and edges.
    const ids = [...one.regions, ...one.nodes, ...one.edges].map((x) => x.id);
    expect(new Set(ids).size).toBe(ids.length);
    const status = Object.fromEntries(one.inspector?.status.map((s) => [s.label, s.value]) ?? []);
    expect(status).toMatchObject({ Projection: 'services (device focus)', Services: '2', Dependencies: '3' });
    expect(one.inspector?.relationships.slice(5)).toEqual(
      [
        { label: 'Open device bare', layer: 'services', focus_type: 'device', focus_id: BARE },
        { label: 'Open device db-host', layer: 'services', focus_type: 'device', focus_id: DBH },
      ].sort((a, b) => (a.focus_id < b.focus_id ? -1 : 1)),
    );
    expect(one.truncation).toEqual({
      regions: { returned: 3, limit: 8, truncated: false, total: 3 },
      nodes: { returned: 5, limit: 120, truncated: false, total: 5 },
      edges: { returned: 3, limit: 80, truncated: false, total: 3 },
    });
    expect(one.guidance).toBeUndefined();

    // Depth 2 and 3 follow the dependencies hop by hop.
    const two = await ok(url('device', APP, '&depth=2'));
    expect(two.regions.map((r) => r.id)).toEqual(sorted([APP, BARE, DBH, CACHE]));
    expect(two.edges.map((e) => e.id)).toEqual(sorted([orders, hostToBare, bareToSsh, pgToRedis]));
    expect(two.nodes.map((n) => n.id)).toContain(REDIS);
    const three = await ok(url('device', APP, '&depth=3'));
    expect(three.regions.map((r) => r.id)).toEqual(sorted([APP, BARE, DBH, CACHE, DEEP]));
    expect(three.edges.map((e) => e.id)).toEqual(sorted([orders, hostToBare, bareToSsh, pgToRedis, redisToDeep]));
    expect(three.edges.find((e) => e.id === redisToDeep)).toMatchObject({ from: REDIS, to: `device:${DEEP}` });
    expect(await ok(url('device', APP, '&depth=9'))).toEqual(three);
    const zero = await ok(url('device', APP, '&depth=0'));
    expect([zero.regions, zero.edges]).toEqual([[], []]);

    // A service focus draws around its host.
    const byService = await ok(url('service', PG));
    expect(byService.regions.map((r) => r.id)).toEqual(sorted([DBH, APP, CACHE]));
    expect(byService.edges.map((e) => e.id)).toEqual(sorted([orders, pgToRedis]));
    expect(byService.nodes.map((n) => n.id)).toEqual(sorted([PG, HTTP, REDIS]));

    // A stale service at a dependency end is still drawn (the dependency is the operator's).
    await sql`UPDATE services SET stale_since = now() WHERE id = ${REDIS}::uuid`.execute(db);
    const stale = await ok(url('service', PG));
    const redis = stale.nodes.find((n) => n.id === REDIS) as { meta?: Record<string, unknown> } | undefined;
    expect(redis?.meta?.stale_since).toEqual(expect.any(String));
    await sql`UPDATE services SET stale_since = NULL WHERE id = ${REDIS}::uuid`.execute(db);

    // Caps: the focus host's services keep the node room; what does not fit is reported.
    const capped = await ok(url('device', APP, '&limit=2'));
    expect(capped.nodes.map((n) => n.id)).toEqual(sorted([HTTP, SSH]));
    expect(capped.edges).toEqual([]);
    expect(capped.regions.map((r) => r.id)).toContain(APP);
    expect(capped.truncation.nodes).toMatchObject({ returned: 2, limit: 2, truncated: true });
    expect(capped.truncation.edges).toMatchObject({ returned: 0, limit: 2, truncated: true });
    expect(capped.truncation.edges.warning).toBe('Edge cap hit: showing 0 of >2.');
    expect(capped.guidance).toContain('truncated');
    const narrow = await ok(url('device', APP, '&depth=3&limit=4'));
    expect(narrow.regions.length).toBeLessThanOrEqual(4);
    expect(narrow.nodes.length).toBeLessThanOrEqual(4);
    expect(narrow.edges.length).toBeLessThanOrEqual(4);
    expect(narrow.truncation.edges.truncated).toBe(true);

    // Byte-identical on repeat.
    const deep = url('device', APP, '&depth=3');
    expect((await core.request({ method: 'GET', url: deep })).body).toBe(
      (await core.request({ method: 'GET', url: deep })).body,
    );
  });

  it('security: guidance until zones exist, then zones as regions and policies as edges', async () => {
    const before = await ok(`/api/v1/map/security?focusType=device&focusId=${FOCUS}`);
    expect(before.regions).toEqual([]);
    expect(before.nodes.map((n) => n.id)).toEqual([FOCUS]);
    expect(before.guidance).toContain('No security zones are defined yet');
    expect(before.inspector?.relationships.map((r) => r.label)).toEqual(FIVE);
    const unknownBefore = await ok('/api/v1/map/security?focusType=zone&focusId=dmz');
    expect(unknownBefore.focus).toEqual({ type: 'zone', id: 'dmz', label: 'dmz' });

    const post = async (url: string, body?: unknown) => {
      const response = await core.json<{ id: string }>({ method: 'POST', url, ...(body ? { payload: body } : {}) });
      expect(response.status, JSON.stringify(response.body)).toBe(201);
      return response.body;
    };
    await post('/api/v1/zones', { id: 'dmz', name: 'DMZ', color: '#ff8800' });
    await post('/api/v1/zones', { id: 'lan', name: 'Office LAN' });
    await post('/api/v1/zones', { id: 'mgmt', name: 'Management' });
    await post('/api/v1/zones', { id: 'lonely', name: 'Lonely' });
    await post(`/api/v1/zones/dmz/devices/${FOCUS}`);
    await post(`/api/v1/zones/dmz/devices/${PEER1}`);
    await post(`/api/v1/zones/lan/devices/${PEER2}`);
    await post(`/api/v1/zones/lan/devices/${FOCUS}`);
    await post(`/api/v1/zones/mgmt/devices/${SWITCH}`);
    const web = await post('/api/v1/zone-policies', {
      from_zone_id: 'lan',
      to_zone_id: 'dmz',
      protocol: 'tcp',
      ports: '443',
    });
    const ssh = await post('/api/v1/zone-policies', {
      from_zone_id: 'mgmt',
      to_zone_id: 'lan',
      protocol: 'tcp',
      ports: '22',
    });

    // Zone focus, depth 1: the zone, the zones one policy away, the zone's members, the policies among them.
    const dmz = await ok('/api/v1/map/security?focusType=zone&focusId=dmz');
    expect(dmz.regions.map((r) => [r.id, r.kind, r.label])).toEqual([
      ['dmz', 'zone', 'DMZ'],
      ['lan', 'zone', 'Office LAN'],
    ]);
    expect(dmz.nodes.map((n) => [n.id, n.primary_region_id, n.region_ids])).toEqual(
      [
        [FOCUS, 'dmz', ['dmz', 'lan']],
        [PEER1, 'dmz', ['dmz']],
      ].sort((a, b) => String(a[0]).localeCompare(String(b[0]))),
    );
    expect(dmz.edges).toEqual([
      { id: web.id, kind: 'policy', from: 'lan', to: 'dmz', label: 'allow tcp/443', meta: expect.any(Object) },
    ]);
    expect(dmz.inspector?.title).toBe('DMZ');
    expect(dmz.inspector?.status).toContainEqual({ label: 'Members', value: '2' });
    expect(dmz.inspector?.relationships.map((r) => r.label)).toEqual([...FIVE, 'Policy peer Office LAN']);
    expect(dmz.truncation.regions).toEqual({ returned: 2, limit: 8, truncated: false, total: 2 });

    // Depth 2 walks one more policy hop and draws the other zones' members too.
    const deep = await ok('/api/v1/map/security?focusType=zone&focusId=dmz&depth=2');
    expect(deep.regions.map((r) => r.id)).toEqual(['dmz', 'lan', 'mgmt']);
    expect(deep.nodes.map((n) => n.id).sort()).toEqual([FOCUS, PEER1, PEER2, SWITCH].sort());
    expect(deep.edges.map((e) => e.id).sort()).toEqual([web.id, ssh.id].sort());

    // Device focus: the device in its zones and the zones their policies reach.
    const device = await ok(`/api/v1/map/security?focusType=device&focusId=${FOCUS}`);
    expect(device.regions.map((r) => r.id)).toEqual(['dmz', 'lan', 'mgmt']);
    expect(device.nodes.map((n) => [n.id, n.primary_region_id, n.region_ids])).toEqual([
      [FOCUS, 'dmz', ['dmz', 'lan']],
    ]);
    expect(device.edges.map((e) => e.label).sort()).toEqual(['allow tcp/22', 'allow tcp/443']);
    expect(device.inspector?.status).toContainEqual({ label: 'Zones', value: 'DMZ, Office LAN' });

    // The cap is honest: limit=1 keeps the focus zone and reports the rest.
    const capped = await ok('/api/v1/map/security?focusType=zone&focusId=dmz&limit=1');
    expect(capped.regions.map((r) => r.id)).toEqual(['dmz']);
    expect(capped.truncation.regions).toMatchObject({ returned: 1, limit: 1, truncated: true, total: 2 });
    expect(capped.truncation.nodes).toMatchObject({ returned: 1, truncated: true });
    expect(capped.edges).toEqual([]);

    // A zone with no policy and no member, an unknown zone, a device in no zone, depth 0.
    const lonely = await ok('/api/v1/map/security?focusType=zone&focusId=lonely');
    expect(lonely.regions.map((r) => r.id)).toEqual(['lonely']);
    expect(lonely.nodes).toEqual([]);
    expect((await ok('/api/v1/map/security?focusType=zone&focusId=nope')).guidance).toContain('No zone with id "nope"');
    expect((await ok(`/api/v1/map/security?focusType=device&focusId=${FAR}`)).guidance).toContain(
      'in no security zone',
    );
    expect((await ok('/api/v1/map/security?focusType=zone&focusId=dmz&depth=0')).regions).toEqual([]);
    expect((await ok('/api/v1/map/security?focusType=vlan&focusId=10')).guidance).toContain('only a device or zone');

    // Byte-identical on repeat.
    const url = '/api/v1/map/security?focusType=zone&focusId=dmz&depth=3';
    expect((await core.request({ method: 'GET', url })).body).toBe((await core.request({ method: 'GET', url })).body);
  });

  it('is byte-identical for the same request', async () => {
    for (const url of [
      `/api/v1/map/l3?focusType=device&focusId=${FOCUS}&depth=2`,
      `/api/v1/map/l2?focusType=device&focusId=${FOCUS}`,
      `/api/v1/map/physical?focusType=device&focusId=${FOCUS}`,
    ]) {
      const first = await core.request({ method: 'GET', url });
      const second = await core.request({ method: 'GET', url });
      expect(second.body).toBe(first.body);
    }
  });

  describe('caps and truncation', () => {
    const BIG = uuid('big');
    beforeAll(async () => {
      const db = core.database.db;
      await device(BIG, 'big')(db);
      // 10 subnets for BIG, 130 members of 10.20.0.0/24, 85 links.
      for (let i = 0; i < 10; i++) await ip(BIG, `10.30.${i}.1`, 24)(db);
      await ip(BIG, '10.20.0.1', 24)(db);
      await sql`INSERT INTO devices (id, display_name)
                SELECT md5('member' || g)::uuid, 'member ' || g FROM generate_series(1, 130) g`.execute(db);
      await sql`INSERT INTO ip_addresses (device_id, ip)
                SELECT md5('member' || g)::uuid, ('10.20.0.' || (g + 1))::inet FROM generate_series(1, 130) g`.execute(
        db,
      );
      await sql`INSERT INTO links (link_key, a_device_id, b_device_id, source)
                SELECT 'big' || g, ${BIG}::uuid, md5('member' || g)::uuid, 'lldp' FROM generate_series(1, 85) g`.execute(
        db,
      );
    });

    it('caps regions at 8 and nodes at 120 with warnings', async () => {
      const body = await ok(`/api/v1/map/l3?focusType=device&focusId=${BIG}`);
      expect(body.regions.length).toBe(8);
      expect(body.truncation.regions).toMatchObject({ returned: 8, limit: 8, truncated: true, total: 11 });
      expect(body.truncation.regions.warning).toBe('Subnet cap hit: showing 8 of 11.');
      // Numeric order: 10.20.0.0/24 first, then 10.30.0.0/24 …
      expect(body.regions[0]?.id).toBe('10.20.0.0/24');
      expect(body.regions[1]?.id).toBe('10.30.0.0/24');
      expect(body.nodes.length).toBe(120);
      expect(body.truncation.nodes).toMatchObject({ returned: 120, limit: 120, truncated: true });
      expect(body.truncation.nodes.warning).toBe('Node cap hit: showing 120 of >120 devices.');
      expect(body.edges.length).toBe(80);
      expect(body.truncation.edges.warning).toBe('Edge cap hit: showing 80 of 119.');
      expect(body.guidance).toContain('truncated');
    });

    it('the limit lowers every cap', async () => {
      const body = await ok(`/api/v1/map/l3?focusType=subnet&focusId=10.20.0.0/24&limit=5`);
      expect(body.nodes.length).toBe(5);
      expect(body.truncation.nodes).toMatchObject({ returned: 5, limit: 5, truncated: true });
      expect(body.truncation.nodes.warning).toBe('Node cap hit: showing 5 of >5 devices.');
      const big = await ok(`/api/v1/map/l3?focusType=device&focusId=${BIG}&limit=600`);
      expect(big.truncation.nodes.limit).toBe(120);
    });

    it('caps physical edges at 80', async () => {
      const body = await ok(`/api/v1/map/physical?focusType=device&focusId=${BIG}`);
      expect(body.edges.length).toBe(80);
      expect(body.truncation.edges).toMatchObject({ returned: 80, limit: 80, truncated: true, total: 85 });
      expect(body.truncation.edges.warning).toBe('Edge cap hit: showing 80 of 85.');
      expect(body.truncation.nodes.truncated).toBe(true);
    });
  });
});

describeEachBackend('map projections: insertion order', (backend) => {
  let forward: TestCore;
  let reverse: TestCore;
  beforeAll(async () => {
    forward = await createTestCore(backend);
    reverse = await createTestCore(backend);
    await seed(forward.database.db, false);
    await seed(reverse.database.db, true);
  });
  afterAll(async () => {
    await forward.close();
    await reverse.close();
  });

  it('gives the same bytes whatever order the rows were inserted in', async () => {
    for (const url of [
      `/api/v1/map/l3?focusType=device&focusId=${FOCUS}&depth=3`,
      '/api/v1/map/l3?focusType=subnet&focusId=10.0.0.0/16',
      `/api/v1/map/l2?focusType=device&focusId=${FOCUS}&depth=2`,
      `/api/v1/map/physical?focusType=device&focusId=${FOCUS}`,
      `/api/v1/map/services?focusType=device&focusId=${FOCUS}`,
    ]) {
      const a = await forward.request({ method: 'GET', url });
      const b = await reverse.request({ method: 'GET', url });
      expect(a.statusCode).toBe(200);
      expect(b.body).toBe(a.body);
    }
  });

  it('services: dependencies give the same bytes whatever order they were inserted in', async () => {
    const DB_SVC = uuid('svc-db');
    const dependency =
      (id: string, from: [string, string | null], to: [string, string | null]): Step =>
      (db) =>
        sql`INSERT INTO service_dependencies (id, from_device_id, from_service_id, to_device_id, to_service_id)
            VALUES (${id}::uuid, ${from[0]}::uuid, ${from[1]}::uuid, ${to[0]}::uuid, ${to[1]}::uuid)`.execute(db);
    const steps = [
      service(DB_SVC, PEER1, 5432, 'postgres'),
      dependency(uuid('dep-1'), [FOCUS, uuid('svc-http')], [PEER1, DB_SVC]),
      dependency(uuid('dep-2'), [FOCUS, null], [PEER2, null]),
      dependency(uuid('dep-3'), [PEER1, DB_SVC], [FAR, null]),
      dependency(uuid('dep-4'), [SWITCH, null], [FOCUS, SERVICE]),
      dependency(uuid('dep-5'), [FAR, null], [SWITCH, null]),
    ];
    for (const step of steps) await step(forward.database.db);
    for (const step of [steps[0], ...steps.slice(1).reverse()]) await step?.(reverse.database.db);
    for (const url of [
      `/api/v1/map/services?focusType=device&focusId=${FOCUS}`,
      `/api/v1/map/services?focusType=device&focusId=${FOCUS}&depth=3`,
      `/api/v1/map/services?focusType=service&focusId=${DB_SVC}&depth=2`,
      `/api/v1/map/services?focusType=device&focusId=${FOCUS}&depth=3&limit=3`,
    ]) {
      const a = await forward.request({ method: 'GET', url });
      const b = await reverse.request({ method: 'GET', url });
      expect(a.statusCode).toBe(200);
      expect(JSON.parse(a.body).edges.length).toBeGreaterThan(0);
      expect(b.body).toBe(a.body);
    }
    // A cut read (rows inserted highest id first) keeps the lowest dependency ids (dep-1 → PEER1, dep-2 → PEER2; not dep-4 → SWITCH), and
    // the new hosts of a hop enter by id up to the region cap.
    const cut = JSON.parse(
      (await reverse.request({ method: 'GET', url: `/api/v1/map/services?focusType=device&focusId=${FOCUS}&limit=2` }))
        .body,
    ) as Projection;
    expect(cut.regions.map((r) => r.id)).toEqual([FOCUS, PEER1].sort());
    expect(cut.truncation.regions).toMatchObject({ returned: 2, truncated: true });
    expect(cut.truncation.edges).toMatchObject({ truncated: true, warning: 'Edge cap hit: showing 0 of >2.' });
  });
});
