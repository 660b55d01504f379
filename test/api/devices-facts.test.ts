import { sql } from 'kysely';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeEachBackend } from '../support/backends.ts';
import { createTestCore, type TestCore } from '../support/core-app.ts';
import { addFacts } from '../support/fixtures.ts';

interface Facts {
  device_id: string;
  ips: { ip: string; interface_id?: string; interface_name?: string }[];
  macs: { mac: string; interface_name?: string }[];
  interfaces: {
    id: string;
    name?: string;
    ifindex?: number;
    speed_bps?: number;
    pvid?: number;
    pvid_observed_at?: string;
  }[];
  services: { protocol?: string; port?: number; name?: string; state?: string; source?: string }[];
  snmp?: { address?: string; sys_name?: string; sys_descr?: string; last_success_at?: string; last_error?: string };
  links: {
    id: string;
    peer_device_id: string;
    local_interface_id?: string;
    peer_interface_id?: string;
    source: string;
  }[];
}
interface Candidate {
  name: string;
  source: string;
  address?: string;
  observed_at: string;
  display_name: string;
  score: number;
  valid: boolean;
}

describeEachBackend('devices: facts and name candidates', (backend) => {
  let core: TestCore;
  let switchId: string;
  let peerId: string;
  let interfaces: Record<string, string>;

  beforeAll(async () => {
    core = await createTestCore(backend);
    const create = async (name: string) =>
      (await core.json<{ id: string }>({ method: 'POST', url: '/api/v1/devices', payload: { display_name: name } }))
        .body.id;
    switchId = await create('sw1');
    peerId = await create('sw2');
    interfaces = await addFacts(core.database, switchId, {
      interfaces: [
        { name: 'ge-0/0/2', ifindex: 2, speedBps: 1_000_000_000, pvid: 20 },
        { name: 'ge-0/0/1', ifindex: 1, mac: '02:00:00:00:00:01', pvid: 10 },
        { name: null, ifindex: 99 },
      ],
      ips: [
        { ip: '10.9.0.1', ageSeconds: 100 },
        { ip: '10.9.1.1', ageSeconds: 10, viaInterface: 'ge-0/0/1' },
        { ip: '2001:db8::1', ageSeconds: 200 },
      ],
      macs: [{ mac: '02:00:00:00:00:01', ageSeconds: 5, viaInterface: 'ge-0/0/1' }],
      services: [
        { protocol: 'tcp', port: 443, name: 'https', ageSeconds: 10 },
        { protocol: 'tcp', port: 22, name: 'ssh', ageSeconds: 10 },
        { protocol: 'udp', port: 161, ageSeconds: 1 },
      ],
      snmp: { sysName: 'sw1.example', sysDescr: 'Test switch', address: '10.9.0.1' },
      nameCandidates: [
        { name: 'sw1.local', source: 'mdns', address: '10.9.0.1', ageSeconds: 20 },
        { name: 'sw1.example.net', source: 'reverse_dns', address: '10.9.0.1', ageSeconds: 30 },
        { name: '1.0.9.10.in-addr.arpa', source: 'reverse_dns', address: '10.9.0.1', ageSeconds: 1 },
        { name: 'SW1', source: 'snmp', address: '10.9.0.1', ageSeconds: 40 },
        { name: 'Front Desk PC', source: 'netbios', ageSeconds: 2 },
      ],
    });
    const peerInterfaces = await addFacts(core.database, peerId, { interfaces: [{ name: 'port24', ifindex: 24 }] });
    // The switch is the `b` end of this link, so local/peer must be swapped for it.
    await sql`
      INSERT INTO links (link_key, a_device_id, a_interface_id, b_device_id, b_interface_id, link_type, source, observed_at)
      VALUES ('cable:test', ${peerId}, ${peerInterfaces.port24}, ${switchId}, ${interfaces['ge-0/0/2']}, 'ethernet', 'lldp', now())`.execute(
      core.database.db,
    );
  });
  afterAll(() => core.close());

  it('returns every kind of fact with bare host IPs, interface names and SPEC ordering', async () => {
    const { status, body } = await core.json<Facts>({ method: 'GET', url: `/api/v1/devices/${switchId}/facts` });
    expect(status).toBe(200);
    expect(body.device_id).toBe(switchId);
    expect(body.ips.map((ip) => ip.ip)).toEqual(['10.9.1.1', '10.9.0.1', '2001:db8::1']);
    expect(body.ips[0]?.interface_name).toBe('ge-0/0/1');
    expect(body.ips[1]).not.toHaveProperty('interface_id');
    expect(body.macs).toEqual([expect.objectContaining({ mac: '02:00:00:00:00:01', interface_name: 'ge-0/0/1' })]);
    expect(body.interfaces.map((entry) => entry.name ?? `#${entry.ifindex}`)).toEqual(['ge-0/0/1', 'ge-0/0/2', '#99']);
    expect(body.interfaces[0]).toMatchObject({ pvid: 10 });
    expect(body.interfaces[1]).toMatchObject({ pvid: 20, speed_bps: 1_000_000_000 });
    expect(body.interfaces[2]).not.toHaveProperty('pvid');
    expect(body.services.map((service) => `${service.protocol}/${service.port}`)).toEqual([
      'udp/161',
      'tcp/22',
      'tcp/443',
    ]);
    expect(body.services[0]).not.toHaveProperty('name');
    expect(body.snmp).toMatchObject({ address: '10.9.0.1', sys_name: 'sw1.example', sys_descr: 'Test switch' });
    expect(body.snmp).not.toHaveProperty('last_error');
    expect(body.links).toEqual([
      expect.objectContaining({
        peer_device_id: peerId,
        local_interface_id: interfaces['ge-0/0/2'],
        source: 'lldp',
      }),
    ]);
  });

  it('shows the link from the other end with local and peer swapped', async () => {
    const { body } = await core.json<Facts>({ method: 'GET', url: `/api/v1/devices/${peerId}/facts` });
    expect(body.links[0]).toMatchObject({ peer_device_id: switchId, peer_interface_id: interfaces['ge-0/0/2'] });
  });

  it('returns empty lists and no snmp key for a device without facts', async () => {
    const id = (await core.json<{ id: string }>({ method: 'POST', url: '/api/v1/devices', payload: {} })).body.id;
    const { body } = await core.json<Facts>({ method: 'GET', url: `/api/v1/devices/${id}/facts` });
    expect(body).toEqual({
      device_id: id,
      ips: [],
      macs: [],
      interfaces: [],
      services: [],
      links: [],
      vlans: [],
      fdb: [],
      switch_ports: [],
    });
  });

  it('orders name candidates: valid first, then score, then newest', async () => {
    const { status, body } = await core.json<Candidate[]>({
      method: 'GET',
      url: `/api/v1/devices/${switchId}/name-candidates`,
    });
    expect(status).toBe(200);
    expect(body.map((candidate) => `${candidate.source}:${candidate.name}`)).toEqual([
      'reverse_dns:sw1.example.net',
      'snmp:SW1',
      'mdns:sw1.local',
      'netbios:Front Desk PC',
      'reverse_dns:1.0.9.10.in-addr.arpa',
    ]);
    expect(body[0]).toMatchObject({ display_name: 'sw1', score: 90, valid: true, address: '10.9.0.1' });
    expect(body[2]).toMatchObject({ score: 75 });
    expect(body[3]).toMatchObject({ score: 78 - 25 - 20 });
    expect(body[3]).not.toHaveProperty('address');
    expect(body[4]).toMatchObject({ valid: false });
  });
});
