import { type Kysely, type RawBuilder, sql } from 'kysely';
import { afterEach, beforeEach, expect, it } from 'vitest';
import type {
  NeighbourSighting,
  SnmpDeviceReport,
  SnmpFdbEntry,
  SnmpInterface,
  SnmpInterfaceAddress,
  SnmpVlanReport,
  WalkOutcome,
} from '../../src/domain/enrichment.types.ts';
import { normaliseNameCandidate } from '../../src/domain/naming.ts';
import { DeviceFactsRepository } from '../../src/storage/device-facts.repository.ts';
import { EnrichmentRepository } from '../../src/storage/enrichment.repository.ts';
import { FoldRepository } from '../../src/storage/fold.repository.ts';
import type { Schema } from '../../src/storage/schema.ts';
import { describeEachBackend, type TestDatabase } from '../support/backends.ts';

const CISCO = 'Cisco Systems, Inc';

const ok = <T>(value: T): WalkOutcome<T> => ({ ok: true, value });
const failed = <T>(error = 'timeout'): WalkOutcome<T> => ({ ok: false, error });

const iface = (ifIndex: number, name: string | null, mac: string | null = null): SnmpInterface => ({
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

const sighting = (fields: Partial<NeighbourSighting> & Pick<NeighbourSighting, 'protocol'>): NeighbourSighting => ({
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

interface ReportInput {
  address: string;
  sysName?: string | null;
  sysDescr?: string | null;
  interfaces?: WalkOutcome<SnmpInterface[]>;
  addresses?: WalkOutcome<SnmpInterfaceAddress[]>;
  vlans?: WalkOutcome<SnmpVlanReport>;
  fdb?: WalkOutcome<SnmpFdbEntry[]>;
  lldp?: WalkOutcome<NeighbourSighting[]>;
  cdp?: WalkOutcome<NeighbourSighting[]>;
}

const snmpReport = (input: ReportInput): SnmpDeviceReport => ({
  address: input.address,
  credential: 'lab-v2c',
  system: {
    sysName: input.sysName ?? null,
    sysDescr: input.sysDescr ?? null,
    sysObjectId: '1.3.6.1.4.1.9.1.1208',
    sysContact: 'noc@example.net',
    sysLocation: 'rack 4',
    sysUpTime: 123_456,
  },
  interfaces: input.interfaces ?? ok([]),
  addresses: input.addresses ?? ok([]),
  vlans: input.vlans ?? ok({ vlans: [], memberships: [] }),
  fdb: input.fdb ?? ok([]),
  ...(input.lldp ? { lldp: input.lldp } : {}),
  ...(input.cdp ? { cdp: input.cdp } : {}),
  durationMs: 42,
});

describeEachBackend('storage: enrichment repository', (backend) => {
  let test: TestDatabase;
  let db: Kysely<Schema>;
  beforeEach(async () => {
    test = await backend.fresh();
    db = test.database.db;
  });
  afterEach(() => test.dispose());

  const rows = async <T>(query: RawBuilder<T>): Promise<T[]> => (await query.execute(db)).rows;
  const newRun = async (): Promise<string> =>
    (await rows(sql<{ id: string }>`INSERT INTO discovery_runs (status) VALUES ('running') RETURNING id`))[0]
      ?.id as string;
  const newDevice = async (name: string | null = null): Promise<string> =>
    (await rows(sql<{ id: string }>`INSERT INTO devices (display_name) VALUES (${name}) RETURNING id`))[0]
      ?.id as string;
  const device = async (id: string) =>
    (
      await rows(
        sql<{
          display_name: string | null;
          primary_ip: string | null;
          vendor: string | null;
          search_text: string;
          tags: string[];
        }>`SELECT display_name, host(primary_ip) AS primary_ip, vendor, search_text, tags FROM devices WHERE id = ${id}`,
      )
    )[0];
  const interfacesOf = (deviceId: string) =>
    rows(sql<{ id: string; ifindex: number | null; name: string | null; source: string | null; stale: boolean }>`
      SELECT id, ifindex, name, source, (stale_since IS NOT NULL) AS stale FROM interfaces
       WHERE device_id = ${deviceId} ORDER BY ifindex NULLS LAST, name`);
  const interfaceVlans = (deviceId: string) =>
    rows(sql<{ ifindex: number; vlan_id: number; role: string; stale: boolean }>`
      SELECT i.ifindex, v.vlan_id, v.role, (v.stale_since IS NOT NULL) AS stale
        FROM interface_vlans v JOIN interfaces i ON i.id = v.interface_id
       WHERE i.device_id = ${deviceId} ORDER BY i.ifindex, v.role, v.vlan_id`);
  const deviceVlans = (deviceId: string) =>
    rows(sql<{ vlan_id: number; name: string | null; stale: boolean }>`
      SELECT vlan_id, name, (stale_since IS NOT NULL) AS stale FROM device_vlans WHERE device_id = ${deviceId}
       ORDER BY vlan_id`);
  const fdbOf = (deviceId: string) =>
    rows(sql<{ mac: string; ifindex: number | null; vlan_id: number | null; stale: boolean }>`
      SELECT f.mac::text AS mac, i.ifindex, f.vlan_id, (f.stale_since IS NOT NULL) AS stale
        FROM fdb_entries f LEFT JOIN interfaces i ON i.id = f.interface_id
       WHERE f.device_id = ${deviceId} ORDER BY f.mac`);
  const interfaceIps = (deviceId: string) =>
    rows(sql<{
      ip: string;
      device_id: string | null;
      ifindex: number;
      prefix_length: number | null;
      source: string | null;
      seen_run_id: string | null;
      stale: boolean;
    }>`
      SELECT host(a.ip) AS ip, a.device_id, i.ifindex, a.prefix_length, a.source, a.seen_run_id,
             (a.stale_since IS NOT NULL) AS stale
        FROM ip_addresses a JOIN interfaces i ON i.id = a.interface_id
       WHERE i.device_id = ${deviceId} ORDER BY a.ip`);
  const linksBetween = (x: string, y: string) =>
    rows(sql<{
      id: string;
      a_device_id: string;
      a_interface_id: string | null;
      b_device_id: string;
      b_interface_id: string | null;
      protocols: string[];
      stale: boolean;
    }>`
      SELECT id, a_device_id, a_interface_id, b_device_id, b_interface_id, protocols,
             (stale_since IS NOT NULL) AS stale
        FROM links WHERE (a_device_id = ${x} AND b_device_id = ${y}) OR (a_device_id = ${y} AND b_device_id = ${x})`);
  const count = async (table: string): Promise<number> =>
    (await rows(sql<{ n: number }>`SELECT count(*)::int AS n FROM ${sql.table(table)}`))[0]?.n ?? 0;
  /** Endpoint interface ids of a link as a set, whichever end is `a`. */
  const endpoints = (link: { a_interface_id: string | null; b_interface_id: string | null }) =>
    [link.a_interface_id, link.b_interface_id].sort();

  /** A switch walked once: three interfaces (two sharing a MAC), addresses, VLANs, FDB and one LLDP neighbour. */
  const firstSwitchReport = () =>
    snmpReport({
      address: '10.20.0.1',
      sysName: 'dist-sw-1',
      sysDescr: 'Cisco IOS Software, C2960 Software, switch',
      interfaces: ok([
        iface(1, 'Gi0/1', '00:00:0c:aa:00:01'),
        iface(2, 'Gi0/2', '00:00:0c:aa:00:01'),
        iface(3, 'Vlan10', '00:00:0c:aa:00:03'),
      ]),
      addresses: ok([
        { ifIndex: 3, ip: '10.20.0.1', prefixLength: 24 },
        { ifIndex: 1, ip: '127.0.0.1', prefixLength: 8 },
      ]),
      vlans: ok({
        vlans: [
          { vlanId: 10, name: 'users' },
          { vlanId: 20, name: 'voice' },
          { vlanId: 30, name: null },
        ],
        memberships: [
          { ifIndex: 1, vlanId: 10, role: 'pvid' },
          { ifIndex: 1, vlanId: 10, role: 'untagged' },
          { ifIndex: 2, vlanId: 1, role: 'pvid' },
          { ifIndex: 2, vlanId: 20, role: 'tagged' },
          { ifIndex: 2, vlanId: 30, role: 'tagged' },
        ],
      }),
      fdb: ok([
        { mac: 'b8:27:eb:00:00:01', ifIndex: 1, vlanId: 10 },
        { mac: '00:11:32:00:00:01', ifIndex: 2, vlanId: 20 },
        // The same MAC learnt twice in one VLAN: one row, the first port wins.
        { mac: '00:11:32:00:00:01', ifIndex: 1, vlanId: 20 },
        { mac: '00:50:56:00:00:01', ifIndex: null, vlanId: null },
      ]),
      lldp: ok([
        sighting({
          protocol: 'lldp',
          localIfIndex: 2,
          remoteChassisMac: '00:1b:21:00:00:77',
          remoteChassisId: '00:1b:21:00:00:77',
          remoteSysName: 'edge-rtr',
          remotePortId: 'eth1',
        }),
      ]),
    });

  it('writes SNMP facts per walk and marks what a later successful walk no longer reports stale (G-17, G-20)', async () => {
    const switchId = await newDevice();
    const run1 = await newRun();
    const saved = await new EnrichmentRepository(db, run1).saveSnmp(switchId, firstSwitchReport());
    expect(saved).toEqual({ interfaces: 3, addresses: 2, vlans: 5, fdb: 3, links: 1, devicesCreated: 1 });

    expect(
      await rows(sql`
        SELECT host(address) AS address, sys_name, sys_descr, sys_object_id, sys_contact, sys_location, sys_uptime,
               credential, (last_success_at IS NOT NULL) AS succeeded, last_error
          FROM device_snmp WHERE device_id = ${switchId}`),
    ).toEqual([
      {
        address: '10.20.0.1',
        sys_name: 'dist-sw-1',
        sys_descr: 'Cisco IOS Software, C2960 Software, switch',
        sys_object_id: '1.3.6.1.4.1.9.1.1208',
        sys_contact: 'noc@example.net',
        sys_location: 'rack 4',
        sys_uptime: 123_456,
        credential: 'lab-v2c',
        succeeded: true,
        last_error: null,
      },
    ]);
    const interfaces = await interfacesOf(switchId);
    expect(interfaces.map(({ ifindex, name, source, stale }) => ({ ifindex, name, source, stale }))).toEqual([
      { ifindex: 1, name: 'Gi0/1', source: 'snmp', stale: false },
      { ifindex: 2, name: 'Gi0/2', source: 'snmp', stale: false },
      { ifindex: 3, name: 'Vlan10', source: 'snmp', stale: false },
    ]);
    // One MAC row per distinct MAC, attached to the lowest ifIndex reporting it, with its vendor.
    expect(
      await rows(sql`
        SELECT m.mac::text AS mac, i.ifindex, m.vendor, m.locally_administered, m.source
          FROM mac_addresses m LEFT JOIN interfaces i ON i.id = m.interface_id
         WHERE m.device_id = ${switchId} ORDER BY m.mac`),
    ).toEqual([
      { mac: '00:00:0c:aa:00:01', ifindex: 1, vendor: CISCO, locally_administered: false, source: 'snmp' },
      { mac: '00:00:0c:aa:00:03', ifindex: 3, vendor: CISCO, locally_administered: false, source: 'snmp' },
    ]);
    // The real address identifies the device; 127.0.0.1 stays an interface fact only.
    expect(await interfaceIps(switchId)).toEqual([
      {
        ip: '10.20.0.1',
        device_id: switchId,
        ifindex: 3,
        prefix_length: 24,
        source: 'snmp',
        seen_run_id: run1,
        stale: false,
      },
      {
        ip: '127.0.0.1',
        device_id: null,
        ifindex: 1,
        prefix_length: 8,
        source: 'snmp',
        seen_run_id: run1,
        stale: false,
      },
    ]);
    expect(await interfaceVlans(switchId)).toEqual([
      { ifindex: 1, vlan_id: 10, role: 'pvid', stale: false },
      { ifindex: 1, vlan_id: 10, role: 'untagged', stale: false },
      { ifindex: 2, vlan_id: 1, role: 'pvid', stale: false },
      { ifindex: 2, vlan_id: 20, role: 'tagged', stale: false },
      { ifindex: 2, vlan_id: 30, role: 'tagged', stale: false },
    ]);
    expect(await deviceVlans(switchId)).toEqual([
      { vlan_id: 10, name: 'users', stale: false },
      { vlan_id: 20, name: 'voice', stale: false },
      { vlan_id: 30, name: null, stale: false },
    ]);
    expect(await fdbOf(switchId)).toEqual([
      { mac: '00:11:32:00:00:01', ifindex: 2, vlan_id: 20, stale: false },
      { mac: '00:50:56:00:00:01', ifindex: null, vlan_id: null, stale: false },
      { mac: 'b8:27:eb:00:00:01', ifindex: 1, vlan_id: 10, stale: false },
    ]);
    const search = (await device(switchId))?.search_text ?? '';
    expect(search).toContain('dist-sw-1');
    expect(search).toContain('cisco systems');

    // Run 2: interface 2, VLAN 30 and two FDB entries are gone; the address walk fails.
    const run2 = await newRun();
    await new EnrichmentRepository(db, run2).saveSnmp(
      switchId,
      snmpReport({
        address: '10.20.0.1',
        sysName: 'dist-sw-1',
        interfaces: ok([iface(1, 'Gi0/1', '00:00:0c:aa:00:01'), iface(3, 'Vlan10', '00:00:0c:aa:00:03')]),
        addresses: failed(),
        vlans: ok({
          vlans: [
            { vlanId: 10, name: 'users' },
            { vlanId: 20, name: 'voice' },
          ],
          memberships: [
            { ifIndex: 1, vlanId: 10, role: 'pvid' },
            { ifIndex: 1, vlanId: 10, role: 'untagged' },
          ],
        }),
        fdb: ok([{ mac: 'b8:27:eb:00:00:01', ifIndex: 1, vlanId: 10 }]),
      }),
    );
    const after2 = await interfacesOf(switchId);
    expect(after2.map(({ id, ifindex, stale }) => ({ id, ifindex, stale }))).toEqual(
      interfaces.map(({ id, ifindex }) => ({ id, ifindex, stale: ifindex === 2 })),
    );
    // Gi0/2's MAC is still reported by Gi0/1: nothing stale.
    expect(
      await rows(
        sql`SELECT count(*)::int AS n FROM mac_addresses WHERE device_id = ${switchId} AND stale_since IS NOT NULL`,
      ),
    ).toEqual([{ n: 0 }]);
    // The failed address walk touched nothing.
    expect((await interfaceIps(switchId)).map(({ ip, seen_run_id, stale }) => ({ ip, seen_run_id, stale }))).toEqual([
      { ip: '10.20.0.1', seen_run_id: run1, stale: false },
      { ip: '127.0.0.1', seen_run_id: run1, stale: false },
    ]);
    const vlans2 = [
      { ifindex: 1, vlan_id: 10, role: 'pvid', stale: false },
      { ifindex: 1, vlan_id: 10, role: 'untagged', stale: false },
      { ifindex: 2, vlan_id: 1, role: 'pvid', stale: true },
      { ifindex: 2, vlan_id: 20, role: 'tagged', stale: true },
      { ifindex: 2, vlan_id: 30, role: 'tagged', stale: true },
    ];
    expect(await interfaceVlans(switchId)).toEqual(vlans2);
    const deviceVlans2 = [
      { vlan_id: 10, name: 'users', stale: false },
      { vlan_id: 20, name: 'voice', stale: false },
      { vlan_id: 30, name: null, stale: true },
    ];
    expect(await deviceVlans(switchId)).toEqual(deviceVlans2);
    const fdb2 = [
      { mac: '00:11:32:00:00:01', ifindex: 2, vlan_id: 20, stale: true },
      { mac: '00:50:56:00:00:01', ifindex: null, vlan_id: null, stale: true },
      { mac: 'b8:27:eb:00:00:01', ifindex: 1, vlan_id: 10, stale: false },
    ];
    expect(await fdbOf(switchId)).toEqual(fdb2);
    // LLDP was not asked for in run 2: the link stays current.
    expect(await rows(sql`SELECT (stale_since IS NOT NULL) AS stale FROM links`)).toEqual([{ stale: false }]);

    // Run 3: the address walk answers (without 127.0.0.1), the VLAN and FDB walks fail, Gi0/2 is back.
    const run3 = await newRun();
    await new EnrichmentRepository(db, run3).saveSnmp(
      switchId,
      snmpReport({
        address: '10.20.0.1',
        sysName: 'dist-sw-1',
        interfaces: ok([
          iface(1, 'Gi0/1', '00:00:0c:aa:00:01'),
          iface(2, 'Gi0/2', '00:00:0c:aa:00:01'),
          iface(3, 'Vlan10', '00:00:0c:aa:00:03'),
        ]),
        addresses: ok([{ ifIndex: 3, ip: '10.20.0.1', prefixLength: 24 }]),
        vlans: failed(),
        fdb: failed('no such object'),
      }),
    );
    expect((await interfacesOf(switchId)).map(({ ifindex, stale }) => ({ ifindex, stale }))).toEqual([
      { ifindex: 1, stale: false },
      { ifindex: 2, stale: false },
      { ifindex: 3, stale: false },
    ]);
    expect((await interfaceIps(switchId)).map(({ ip, seen_run_id, stale }) => ({ ip, seen_run_id, stale }))).toEqual([
      { ip: '10.20.0.1', seen_run_id: run3, stale: false },
      { ip: '127.0.0.1', seen_run_id: run1, stale: true },
    ]);
    expect(await interfaceVlans(switchId)).toEqual(vlans2);
    expect(await deviceVlans(switchId)).toEqual(deviceVlans2);
    expect(await fdbOf(switchId)).toEqual(fdb2);
  });

  it('shows a PVID the agent no longer reports as no PVID in the facts, not as the current one', async () => {
    const switchId = await newDevice('dist-sw-1');
    await new EnrichmentRepository(db, await newRun()).saveSnmp(switchId, firstSwitchReport());
    const facts = new DeviceFactsRepository(db);
    const pvidOf = async (ifindex: number) =>
      (await facts.facts(switchId)).interfaces.find((row) => row.ifindex === ifindex)?.pvid ?? null;
    expect(await pvidOf(1)).toBe(10);
    const withoutPvid = firstSwitchReport();
    if (!withoutPvid.vlans.ok) throw new Error('fixture');
    withoutPvid.vlans.value.memberships = withoutPvid.vlans.value.memberships.filter(
      (membership) => !(membership.ifIndex === 1 && membership.role === 'pvid'),
    );
    await new EnrichmentRepository(db, await newRun()).saveSnmp(switchId, withoutPvid);
    expect(await pvidOf(1)).toBeNull();
    expect(await pvidOf(2)).toBe(1);
  });

  it('lets the fold find a walked device by its identity address and interface MACs, never by 127.0.0.1', async () => {
    const switchId = await newDevice();
    const run = await newRun();
    await new EnrichmentRepository(db, run).saveSnmp(switchId, firstSwitchReport());
    const fold = new FoldRepository(db);
    const byIp = await fold.fold(run, [{ ip: '10.20.0.1' }]);
    expect(byIp).toMatchObject({ deviceIds: [switchId], devicesCreated: 0, ipMoves: [] });
    const byMac = await fold.fold(run, [{ ip: '10.20.0.50', mac: '00:00:0c:aa:00:03' }]);
    expect(byMac).toMatchObject({ deviceIds: [switchId], devicesCreated: 0 });
    const loopback = await fold.fold(run, [{ ip: '127.0.0.1' }]);
    expect(loopback.deviceIds).not.toContain(switchId);
  });

  it('keeps the last good SNMP values when an attempt fails, and only answered credentials are hints', async () => {
    const switchId = await newDevice();
    const neverAnswered = await newDevice();
    const run1 = await newRun();
    const repository = new EnrichmentRepository(db, run1);
    await repository.saveSnmp(switchId, firstSwitchReport());
    const [before] = await rows(
      sql<{ last_success_at: string }>`SELECT last_success_at FROM device_snmp WHERE device_id = ${switchId}`,
    );

    const run2 = await newRun();
    const second = new EnrichmentRepository(db, run2);
    await second.saveSnmpFailure(switchId, '10.20.0.1', 'request timed out');
    await second.saveSnmpFailure(neverAnswered, '10.20.0.9', 'no response');
    expect(
      await rows(sql`
        SELECT device_id, host(address) AS address, sys_name, sys_descr, sys_location, credential, last_success_at,
               last_error
          FROM device_snmp ORDER BY (device_id = ${switchId}) DESC`),
    ).toEqual([
      {
        device_id: switchId,
        address: '10.20.0.1',
        sys_name: 'dist-sw-1',
        sys_descr: 'Cisco IOS Software, C2960 Software, switch',
        sys_location: 'rack 4',
        credential: 'lab-v2c',
        last_success_at: before?.last_success_at,
        last_error: 'request timed out',
      },
      {
        device_id: neverAnswered,
        address: '10.20.0.9',
        sys_name: null,
        sys_descr: null,
        sys_location: null,
        credential: null,
        last_success_at: null,
        last_error: 'no response',
      },
    ]);
    // A failed attempt walks nothing, so nothing becomes stale.
    expect((await interfacesOf(switchId)).every((row) => !row.stale)).toBe(true);
    expect((await device(switchId))?.search_text).toContain('dist-sw-1');
    expect(await second.snmpCredentialHints([switchId, neverAnswered])).toEqual(new Map([[switchId, 'lab-v2c']]));
    expect(await second.snmpCredentialHints([])).toEqual(new Map());

    // The next success clears the error.
    await second.saveSnmp(switchId, firstSwitchReport());
    expect(await rows(sql`SELECT last_error FROM device_snmp WHERE device_id = ${switchId}`)).toEqual([
      { last_error: null },
    ]);
  });

  it('turns LLDP/CDP sightings into remote devices, ports and one link per cable (G-17, G-29)', async () => {
    const fold = new FoldRepository(db);
    const run1 = await newRun();
    const switchId = await newDevice();
    const coreId = (await fold.fold(run1, [{ ip: '10.20.0.2', mac: '00:1b:21:00:00:02' }])).deviceIds[0] as string;
    const switchReport = (lldp: WalkOutcome<NeighbourSighting[]>) =>
      snmpReport({
        address: '10.20.0.1',
        sysName: 'dist-sw-1',
        interfaces: ok([iface(1, 'Gi0/1'), iface(2, 'Gi0/2'), iface(3, 'Gi0/3')]),
        addresses: ok([{ ifIndex: 1, ip: '10.20.0.1', prefixLength: 24 }]),
        lldp,
      });
    const toCore = sighting({
      protocol: 'lldp',
      localIfIndex: 1,
      // A chassis MAC nobody owns yet: the management address resolves the device.
      remoteChassisMac: '00:1b:21:00:00:99',
      remoteChassisId: '00:1b:21:00:00:99',
      remoteSysName: 'core-sw',
      remotePortId: 'eth0',
      remoteManagementIp: '10.20.0.2',
    });
    const toGarbage = sighting({
      protocol: 'lldp',
      localIfIndex: 2,
      remoteChassisMac: '00:50:56:00:00:42',
      remoteChassisId: '00:50:56:00:00:42',
      remoteSysName: 'localhost',
      remotePortId: 'vmnic0',
    });
    const toNew = sighting({
      protocol: 'lldp',
      localIfIndex: 3,
      remoteChassisMac: '00:1b:21:00:00:e1',
      remoteChassisId: '00:1b:21:00:00:e1',
      remoteSysName: 'edge-rtr',
      remotePortId: 'ge-0/0/0',
      remoteManagementIp: '192.0.2.77',
    });
    const saved = await new EnrichmentRepository(db, run1).saveSnmp(
      switchId,
      switchReport(ok([toCore, toGarbage, toNew])),
    );
    expect(saved).toMatchObject({ links: 3, devicesCreated: 2 });
    const switchPorts = new Map((await interfacesOf(switchId)).map((row) => [row.name, row.id]));

    // The existing device, found by its management address, learns the chassis MAC, a name and a port stub.
    expect((await device(coreId))?.display_name).toBe('core-sw');
    expect(
      await rows(sql`SELECT name, source, address FROM device_name_candidates WHERE device_id = ${coreId}`),
    ).toEqual([{ name: 'core-sw', source: 'lldp', address: null }]);
    expect(
      await rows(sql`
        SELECT mac::text AS mac, source, vendor FROM mac_addresses WHERE device_id = ${coreId} ORDER BY mac`),
    ).toEqual([
      { mac: '00:1b:21:00:00:02', source: 'arp', vendor: 'Intel Corporate' },
      { mac: '00:1b:21:00:00:99', source: 'lldp', vendor: 'Intel Corporate' },
    ]);
    const [stub] = await interfacesOf(coreId);
    expect(stub).toMatchObject({ ifindex: null, name: 'eth0', source: 'lldp' });
    const [coreLink] = await linksBetween(switchId, coreId);
    expect(coreLink).toMatchObject({ protocols: ['lldp'], stale: false });
    expect(coreLink && endpoints(coreLink)).toEqual([switchPorts.get('Gi0/1'), stub?.id].sort());

    // A garbage name decides nothing: the link exists, the name is not a candidate.
    const [garbageMac] = await rows(
      sql<{ device_id: string }>`SELECT device_id FROM mac_addresses WHERE mac = '00:50:56:00:00:42'`,
    );
    const garbageId = garbageMac?.device_id as string;
    expect([switchId, coreId]).not.toContain(garbageId);
    expect(await linksBetween(switchId, garbageId)).toHaveLength(1);
    expect(await rows(sql`SELECT name FROM device_name_candidates WHERE device_id = ${garbageId}`)).toEqual([]);

    // Nothing known about the third neighbour: a new device named after its sysName.
    const [newDeviceRow] = await rows(
      sql<{ device_id: string }>`SELECT device_id FROM device_name_candidates WHERE name = 'edge-rtr'`,
    );
    const edgeId = newDeviceRow?.device_id as string;
    expect([switchId, coreId, garbageId]).not.toContain(edgeId);
    expect((await device(edgeId))?.display_name).toBe('edge-rtr');
    expect(
      await rows(sql`SELECT name, source, address FROM device_name_candidates WHERE device_id = ${edgeId}`),
    ).toEqual([{ name: 'edge-rtr', source: 'lldp', address: null }]);
    expect((await interfacesOf(edgeId)).map((row) => row.name)).toEqual(['ge-0/0/0']);
    expect(await linksBetween(switchId, edgeId)).toHaveLength(1);

    // The same walk again writes nothing new (devices, stubs, candidates, links: G-16).
    await new EnrichmentRepository(db, run1).saveSnmp(switchId, switchReport(ok([toCore, toGarbage, toNew])));
    expect(await count('devices')).toBe(4);
    expect(await count('links')).toBe(3);
    expect(await count('device_name_candidates')).toBe(2);
    expect(await interfacesOf(coreId)).toHaveLength(1);

    // The core switch is walked itself: its interface walk adopts the stub, and its CDP sighting of
    // the same cable (resolved through the sysName the first switch reported) merges into the link.
    const run2 = await newRun();
    await new EnrichmentRepository(db, run2).saveSnmp(
      coreId,
      snmpReport({
        address: '10.20.0.2',
        sysName: 'core-sw',
        interfaces: ok([iface(5, 'lo'), iface(7, 'eth0', '00:1b:21:00:00:02')]),
        cdp: ok([
          sighting({
            protocol: 'cdp',
            localIfIndex: 7,
            remoteChassisId: 'dist-sw-1',
            remoteSysName: 'dist-sw-1',
            remotePortId: 'Gi0/1',
          }),
        ]),
      }),
    );
    const coreInterfaces = await interfacesOf(coreId);
    expect(coreInterfaces.map(({ ifindex, name, source }) => ({ ifindex, name, source }))).toEqual([
      { ifindex: 5, name: 'lo', source: 'snmp' },
      { ifindex: 7, name: 'eth0', source: 'snmp' },
    ]);
    expect(coreInterfaces[1]?.id).toBe(stub?.id);
    const merged = await linksBetween(switchId, coreId);
    expect(merged).toHaveLength(1);
    expect(merged[0]).toMatchObject({ id: coreLink?.id, protocols: ['cdp', 'lldp'], stale: false });
    expect(merged[0] && endpoints(merged[0])).toEqual([switchPorts.get('Gi0/1'), stub?.id].sort());
    expect(await count('links')).toBe(3);
    expect(await count('devices')).toBe(4);
    expect((await device(switchId))?.display_name).toBe('dist-sw-1');

    // A failed LLDP walk retires nothing; a successful one that no longer reports the core switch does.
    const run3 = await newRun();
    await new EnrichmentRepository(db, run3).saveSnmp(switchId, switchReport(failed()));
    expect(await rows(sql`SELECT count(*)::int AS n FROM links WHERE stale_since IS NOT NULL`)).toEqual([{ n: 0 }]);
    await new EnrichmentRepository(db, run3).saveSnmp(switchId, switchReport(ok([toGarbage, toNew])));
    expect((await linksBetween(switchId, coreId))[0]?.stale).toBe(true);
    expect((await linksBetween(switchId, garbageId))[0]?.stale).toBe(false);
    expect((await linksBetween(switchId, edgeId))[0]?.stale).toBe(false);
    // Seen again: current again.
    const run4 = await newRun();
    await new EnrichmentRepository(db, run4).saveSnmp(switchId, switchReport(ok([toCore, toGarbage, toNew])));
    expect((await linksBetween(switchId, coreId))[0]).toMatchObject({ id: coreLink?.id, stale: false });
  });

  it('recognises a neighbour known only by name and management address on the next walk', async () => {
    // CDP gives no chassis MAC; the neighbour's management address is outside the scanned scope,
    // so no fold ever stores it. Walking the same switch again must not invent the router again.
    const switchId = await newDevice();
    const report = snmpReport({
      address: '10.20.0.1',
      sysName: 'dist-sw-1',
      interfaces: ok([iface(1, 'Gi0/1')]),
      cdp: ok([
        sighting({
          protocol: 'cdp',
          localIfIndex: 1,
          remoteChassisId: 'wan-rtr',
          remoteSysName: 'wan-rtr',
          remotePortId: 'Gi0/0',
          remoteManagementIp: '198.51.100.1',
        }),
      ]),
    });
    const run1 = await newRun();
    expect((await new EnrichmentRepository(db, run1).saveSnmp(switchId, report)).devicesCreated).toBe(1);
    const run2 = await newRun();
    expect((await new EnrichmentRepository(db, run2).saveSnmp(switchId, report)).devicesCreated).toBe(0);
    expect(await count('devices')).toBe(2);
    expect(await rows(sql`SELECT protocols, (stale_since IS NOT NULL) AS stale FROM links`)).toEqual([
      { protocols: ['cdp'], stale: false },
    ]);
  });

  it('never identifies a neighbour by a garbage sysName another walked device reported', async () => {
    const run = await newRun();
    const repository = new EnrichmentRepository(db, run);
    // A host whose agent calls itself "localhost" (the net-snmp default on an unnamed box).
    const hostId = await newDevice();
    await repository.saveSnmp(hostId, snmpReport({ address: '10.20.0.30', sysName: 'localhost' }));
    const switchId = await newDevice();
    const saved = await repository.saveSnmp(
      switchId,
      snmpReport({
        address: '10.20.0.1',
        sysName: 'dist-sw-1',
        interfaces: ok([iface(1, 'Gi0/1')]),
        lldp: ok([
          sighting({
            protocol: 'lldp',
            localIfIndex: 1,
            remoteChassisMac: '02:42:ac:11:00:05',
            remoteChassisId: '02:42:ac:11:00:05',
            remoteSysName: 'localhost',
            remotePortId: 'eth0',
          }),
        ]),
      }),
    );
    // An unrelated neighbour that happens to be called "localhost" is a device of its own: its
    // chassis MAC must not be attached to the host, nor the cable drawn to it.
    expect(saved.devicesCreated).toBe(1);
    expect(await rows(sql`SELECT mac::text AS mac FROM mac_addresses WHERE device_id = ${hostId}`)).toEqual([]);
    expect(await linksBetween(switchId, hostId)).toEqual([]);
  });

  it('stores one name candidate per device, source and name, and names a device only while it has no name', async () => {
    const run = await newRun();
    const repository = new EnrichmentRepository(db, run);
    const unnamed = await newDevice();
    const written = await repository.saveNames(unnamed, '10.0.0.5', [
      normaliseNameCandidate('mdns', 'NAS.local'),
      normaliseNameCandidate('reverse_dns', 'NAS01.Example.COM.'),
      normaliseNameCandidate('reverse_dns', '5.0.0.10.in-addr.arpa'),
    ]);
    expect(written).toBe(2);
    expect(
      await rows(sql`
        SELECT name, source, host(address) AS address FROM device_name_candidates WHERE device_id = ${unnamed}
         ORDER BY source`),
    ).toEqual([
      { name: 'nas.local', source: 'mdns', address: '10.0.0.5' },
      { name: 'nas01.example.com', source: 'reverse_dns', address: '10.0.0.5' },
    ]);
    // reverse_dns (90) beats mdns (75); the display form is the first label.
    expect((await device(unnamed))?.display_name).toBe('nas01');
    expect((await device(unnamed))?.search_text).toContain('nas01');

    // The same name from another address: the row moves along, no new row.
    await sql`UPDATE device_name_candidates SET observed_at = now() - interval '1 hour',
                     last_seen_at = now() - interval '1 hour'`.execute(db);
    expect(
      await repository.saveNames(unnamed, '10.0.0.6', [normaliseNameCandidate('reverse_dns', 'nas01.example.com')]),
    ).toBe(1);
    expect(
      await rows(sql`
        SELECT source, host(address) AS address, (last_seen_at > now() - interval '1 minute') AS refreshed,
               (observed_at < now() - interval '59 minutes') AS first_seen_kept
          FROM device_name_candidates WHERE device_id = ${unnamed} ORDER BY source`),
    ).toEqual([
      { source: 'mdns', address: '10.0.0.5', refreshed: false, first_seen_kept: true },
      { source: 'reverse_dns', address: '10.0.0.6', refreshed: true, first_seen_kept: true },
    ]);
    // Nothing valid: nothing written.
    expect(await repository.saveNames(unnamed, '10.0.0.5', [normaliseNameCandidate('netbios', 'WORKGROUP')])).toBe(0);
    expect(await count('device_name_candidates')).toBe(2);

    // A better candidate later never renames a named device, whoever named it.
    await repository.saveNames(unnamed, '10.0.0.5', [normaliseNameCandidate('snmp', 'storage-1')]);
    expect((await device(unnamed))?.display_name).toBe('nas01');
    const operatorNamed = await newDevice('Front desk NAS');
    await repository.saveNames(operatorNamed, '10.0.0.7', [normaliseNameCandidate('reverse_dns', 'nas02.example.com')]);
    expect((await device(operatorNamed))?.display_name).toBe('Front desk NAS');
    // A blank name counts as none.
    const blank = await newDevice('   ');
    await repository.saveNames(blank, '10.0.0.8', [
      normaliseNameCandidate('netbios', 'NAS03'),
      normaliseNameCandidate('snmp', 'nas03-snmp'),
    ]);
    expect((await device(blank))?.display_name).toBe('nas03-snmp');
  });

  it('recomputes auto tags from stored facts, leaving manual tags and other devices alone', async () => {
    const run1 = await newRun();
    const repository = new EnrichmentRepository(db, run1);
    const target = await newDevice();
    await repository.saveNames(target, '10.40.0.7', [
      normaliseNameCandidate('reverse_dns', 'lobby-printer.example.net'),
    ]);
    await repository.saveSnmp(target, snmpReport({ address: '10.40.0.7', sysDescr: 'Synology DiskStation DS920+' }));
    await repository.saveServices(target, {
      scannedTcpPorts: [22, 554, 9100],
      open: [
        { protocol: 'tcp', port: 554, name: 'rtsp', source: 'nmap' },
        { protocol: 'tcp', port: 9100, name: 'jetdirect', source: 'nmap' },
      ],
    });
    const facts = new DeviceFactsRepository(db);
    await facts.replaceManualTags(target, ['server']);
    const other = await newDevice();
    await repository.saveServices(other, {
      scannedTcpPorts: [9100],
      open: [{ protocol: 'tcp', port: 9100, name: null, source: 'nmap' }],
    });

    await repository.reclassify([target, target, other]);
    const tagsOf = (deviceId: string) =>
      rows(sql<{ tag: string; source: string; confidence: number; evidence: unknown; updated_at: string }>`
        SELECT tag, source, confidence, evidence, updated_at FROM device_tags WHERE device_id = ${deviceId}
         ORDER BY source, tag`);
    const first = await tagsOf(target);
    expect(first.map(({ tag, source, confidence, evidence }) => ({ tag, source, confidence, evidence }))).toEqual([
      { tag: 'camera', source: 'auto', confidence: 82, evidence: { signal: 'ports', ports: [554], ip: '10.40.0.7' } },
      {
        tag: 'nas',
        source: 'auto',
        confidence: 86,
        evidence: { signal: 'snmp', match: 'nas', sys_descr: 'Synology DiskStation DS920+', ip: '10.40.0.7' },
      },
      {
        tag: 'printer',
        source: 'auto',
        confidence: 85,
        evidence: {
          signal: 'ports',
          ports: [9100],
          name: 'lobby-printer.example.net',
          match: 'printer',
          ip: '10.40.0.7',
        },
      },
      { tag: 'server', source: 'manual', confidence: 100, evidence: { signal: 'manual' } },
    ]);
    expect((await device(target))?.tags).toEqual(['server', 'nas', 'printer', 'camera']);
    expect((await tagsOf(other)).map((row) => row.tag)).toEqual(['printer']);
    expect((await device(other))?.tags).toEqual(['printer']);

    // Run 2: the camera port closes, SNMP times out, and the other device's port closes too, but
    // only the target is reclassified.
    const run2 = await newRun();
    const second = new EnrichmentRepository(db, run2);
    await second.saveServices(target, {
      scannedTcpPorts: [554, 9100],
      open: [{ protocol: 'tcp', port: 9100, name: 'jetdirect', source: 'nmap' }],
    });
    await second.saveSnmpFailure(target, '10.40.0.7', 'timeout');
    await second.saveServices(other, { scannedTcpPorts: [9100], open: [] });
    await second.reclassify([target]);
    const after = await tagsOf(target);
    expect(after.map((row) => `${row.source}:${row.tag}`)).toEqual(['auto:nas', 'auto:printer', 'manual:server']);
    expect(after.find((row) => row.tag === 'server')?.updated_at).toBe(
      first.find((row) => row.tag === 'server')?.updated_at,
    );
    expect((await device(target))?.tags).toEqual(['server', 'nas', 'printer']);
    expect((await tagsOf(other)).map((row) => row.tag)).toEqual(['printer']);

    // Reclassifying it now removes the tag its closed port suggested.
    await second.reclassify([other]);
    expect(await tagsOf(other)).toEqual([]);
    expect((await device(other))?.tags).toEqual([]);
  });

  it('opens and closes services by what each scan covered (G-20)', async () => {
    const deviceId = await newDevice();
    const servicesOf = () =>
      rows(sql<{ port: number; protocol: string; name: string | null; state: string; source: string; stale: boolean }>`
        SELECT protocol, port, name, state, source, (stale_since IS NOT NULL) AS stale FROM services
         WHERE device_id = ${deviceId} ORDER BY protocol, port`);
    const run1 = await newRun();
    const first = new EnrichmentRepository(db, run1);
    expect(
      await first.saveServices(deviceId, {
        scannedTcpPorts: [22, 80, 443],
        open: [
          { protocol: 'tcp', port: 22, name: 'ssh', source: 'nmap' },
          { protocol: 'tcp', port: 80, name: 'http', source: 'nmap' },
          { protocol: 'tcp', port: 8080, name: '  ', source: 'nmap' },
          { protocol: 'udp', port: 161, name: 'snmp', source: 'nmap' },
        ],
      }),
    ).toBe(4);
    await first.saveServices(deviceId, {
      scannedTcpPorts: [],
      open: [{ protocol: 'tcp', port: 8009, name: 'googlecast', source: 'mdns' }],
    });
    expect(await servicesOf()).toEqual([
      { protocol: 'tcp', port: 22, name: 'ssh', state: 'open', source: 'nmap', stale: false },
      { protocol: 'tcp', port: 80, name: 'http', state: 'open', source: 'nmap', stale: false },
      { protocol: 'tcp', port: 8009, name: 'googlecast', state: 'open', source: 'mdns', stale: false },
      { protocol: 'tcp', port: 8080, name: null, state: 'open', source: 'nmap', stale: false },
      { protocol: 'udp', port: 161, name: 'snmp', state: 'open', source: 'nmap', stale: false },
    ]);

    // Run 2: the scan covers 22, 80, 443 and 161 (tcp) and sees only 22; 8009, 8080 and udp/161
    // were not covered. A DNS-SD sighting with no scanned ports closes nothing.
    const run2 = await newRun();
    const second = new EnrichmentRepository(db, run2);
    await second.saveServices(deviceId, {
      scannedTcpPorts: [22, 80, 161, 443],
      open: [{ protocol: 'tcp', port: 22, name: null, source: 'nmap' }],
    });
    await second.saveServices(deviceId, {
      scannedTcpPorts: [],
      open: [{ protocol: 'tcp', port: 9000, name: 'http-alt', source: 'mdns' }],
    });
    expect(await servicesOf()).toEqual([
      { protocol: 'tcp', port: 22, name: 'ssh', state: 'open', source: 'nmap', stale: false },
      { protocol: 'tcp', port: 80, name: 'http', state: 'closed', source: 'nmap', stale: true },
      { protocol: 'tcp', port: 8009, name: 'googlecast', state: 'open', source: 'mdns', stale: false },
      { protocol: 'tcp', port: 8080, name: null, state: 'open', source: 'nmap', stale: false },
      { protocol: 'tcp', port: 9000, name: 'http-alt', state: 'open', source: 'mdns', stale: false },
      { protocol: 'udp', port: 161, name: 'snmp', state: 'open', source: 'nmap', stale: false },
    ]);

    // Seen open again: open and current.
    const run3 = await newRun();
    await new EnrichmentRepository(db, run3).saveServices(deviceId, {
      scannedTcpPorts: [80],
      open: [{ protocol: 'tcp', port: 80, name: null, source: 'nmap' }],
    });
    expect((await servicesOf()).find((service) => service.port === 80)).toMatchObject({
      state: 'open',
      stale: false,
      name: 'http',
    });
  });

  it('marks addresses that did not answer stale, prefers current ones and records MAC vendors (G-20)', async () => {
    const fold = new FoldRepository(db);
    const run1 = await newRun();
    const folded = await fold.fold(run1, [
      { ip: '10.30.0.10', mac: '00:00:0c:12:34:56' },
      { ip: '10.30.0.11', mac: '02:11:22:33:44:55' },
    ]);
    expect(folded.devicesCreated).toBe(2);
    const [ciscoId, randomId] = folded.targets.map((target) => target.deviceId) as [string, string];
    expect(
      await rows(sql`
        SELECT m.mac::text AS mac, m.vendor, m.locally_administered, m.source, m.seen_run_id, a.source AS ip_source,
               a.seen_run_id AS ip_seen_run_id
          FROM mac_addresses m JOIN ip_addresses a ON a.device_id = m.device_id ORDER BY m.mac`),
    ).toEqual([
      {
        mac: '00:00:0c:12:34:56',
        vendor: CISCO,
        locally_administered: false,
        source: 'arp',
        seen_run_id: run1,
        ip_source: 'presence',
        ip_seen_run_id: run1,
      },
      {
        mac: '02:11:22:33:44:55',
        vendor: null,
        locally_administered: true,
        source: 'arp',
        seen_run_id: run1,
        ip_source: 'presence',
        ip_seen_run_id: run1,
      },
    ]);
    expect(await device(ciscoId)).toMatchObject({ vendor: CISCO, primary_ip: '10.30.0.10' });
    expect((await device(ciscoId))?.search_text).toContain('cisco systems, inc');
    expect(await device(randomId)).toMatchObject({ vendor: null, primary_ip: '10.30.0.11' });
    expect(
      (await rows(sql<{ id: string }>`SELECT id FROM devices WHERE search_text LIKE '%cisco%'`)).map((row) => row.id),
    ).toEqual([ciscoId]);
    // Another ARP-learnt MAC of the Cisco device, and an address outside the scope.
    await sql`
      INSERT INTO mac_addresses (device_id, mac, source, seen_run_id, vendor)
      VALUES (${ciscoId}, '00:00:0c:12:34:58', 'arp', ${run1}, ${CISCO})`.execute(db);
    await sql`
      INSERT INTO ip_addresses (device_id, ip, source, seen_run_id)
      VALUES (${ciscoId}, '192.168.99.5', 'presence', ${run1})`.execute(db);

    // Run 2: only the Cisco device answers, on a new address.
    const run2 = await newRun();
    await fold.fold(run2, [{ ip: '10.30.0.20', mac: '00:00:0c:12:34:56' }]);
    // The stale address was touched later than the current one; it must still lose.
    await sql`UPDATE ip_addresses SET updated_at = now() + interval '1 hour' WHERE ip = '10.30.0.10'`.execute(db);
    const repository = new EnrichmentRepository(db, run2);
    await repository.markPresence([]);
    expect(await rows(sql`SELECT count(*)::int AS n FROM ip_addresses WHERE stale_since IS NOT NULL`)).toEqual([
      { n: 0 },
    ]);
    await repository.markPresence(['10.30.0.0/24']);
    expect(
      await rows(sql`
        SELECT device_id, host(ip) AS ip, (stale_since IS NOT NULL) AS stale FROM ip_addresses ORDER BY ip`),
    ).toEqual([
      { device_id: ciscoId, ip: '10.30.0.10', stale: true },
      { device_id: randomId, ip: '10.30.0.11', stale: true },
      { device_id: ciscoId, ip: '10.30.0.20', stale: false },
      { device_id: ciscoId, ip: '192.168.99.5', stale: false },
    ]);
    // The Cisco device answered this run without its second MAC; the silent device keeps its MAC current.
    expect(
      await rows(sql`SELECT mac::text AS mac, (stale_since IS NOT NULL) AS stale FROM mac_addresses ORDER BY mac`),
    ).toEqual([
      { mac: '00:00:0c:12:34:56', stale: false },
      { mac: '00:00:0c:12:34:58', stale: true },
      { mac: '02:11:22:33:44:55', stale: false },
    ]);
    expect((await device(ciscoId))?.primary_ip).toBe('10.30.0.20');
    expect((await device(randomId))?.primary_ip).toBe('10.30.0.11');

    // Seen again: current again.
    const run3 = await newRun();
    await fold.fold(run3, [{ ip: '10.30.0.10', mac: '00:00:0c:12:34:56' }]);
    expect(
      await rows(sql`SELECT (stale_since IS NOT NULL) AS stale FROM ip_addresses WHERE ip = '10.30.0.10'`),
    ).toEqual([{ stale: false }]);
  });
});
