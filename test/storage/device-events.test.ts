import { type Kysely, type RawBuilder, sql } from 'kysely';
import { afterEach, beforeEach, expect, it } from 'vitest';
import type {
  NeighbourSighting,
  SnmpDeviceReport,
  SnmpInterface,
  SnmpInterfaceAddress,
  SnmpVlanReport,
  WalkOutcome,
} from '../../src/domain/enrichment.types.ts';
import { normaliseNameCandidate } from '../../src/domain/naming.ts';
import { DeviceRepository } from '../../src/storage/device.repository.ts';
import { DeviceEventsRepository } from '../../src/storage/device-events.repository.ts';
import { DeviceFactsRepository } from '../../src/storage/device-facts.repository.ts';
import { EnrichmentRepository } from '../../src/storage/enrichment.repository.ts';
import { FoldRepository } from '../../src/storage/fold.repository.ts';
import type { Schema } from '../../src/storage/schema.ts';
import { describeEachBackend, type TestDatabase } from '../support/backends.ts';

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

const report = (
  fields: {
    sysName?: string;
    sysDescr?: string;
    sysLocation?: string;
    sysUpTime?: number;
    interfaces?: SnmpInterface[];
    addresses?: SnmpInterfaceAddress[];
    vlans?: SnmpVlanReport;
    lldp?: NeighbourSighting[];
  } = {},
): SnmpDeviceReport => ({
  address: '10.20.0.1',
  credential: 'lab-v2c',
  system: {
    sysName: fields.sysName ?? 'dist-sw-1',
    sysDescr: fields.sysDescr ?? 'Cisco IOS Software, C2960 Software, Catalyst switch',
    sysObjectId: '1.3.6.1.4.1.9.1.1208',
    sysContact: 'noc@example.net',
    sysLocation: fields.sysLocation ?? 'rack 4',
    sysUpTime: fields.sysUpTime ?? 1000,
  },
  interfaces: ok(fields.interfaces ?? [iface(1, 'Gi0/1'), iface(2, 'Gi0/2')]),
  addresses: ok(fields.addresses ?? []),
  vlans: ok(fields.vlans ?? { vlans: [], memberships: [] }),
  fdb: ok([]),
  ...(fields.lldp ? { lldp: ok(fields.lldp) } : {}),
  durationMs: 1,
});

const neighbour = (name: string, mac: string): NeighbourSighting => ({
  protocol: 'lldp',
  localIfIndex: 1,
  remoteChassisMac: mac,
  remoteChassisId: mac,
  remoteSysName: name,
  remoteSysDescr: null,
  remotePortId: 'ge-0/0/0',
  remotePortDescr: null,
  remotePortMac: null,
  remoteManagementIp: '10.20.0.9',
});

interface EventRow {
  device_id: string;
  kind: string;
  summary: string;
  details: Record<string, unknown>;
  run_id: string | null;
  actor: string | null;
}

describeEachBackend('storage: recorded device history', (backend) => {
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
  /** Events in the order they were written, optionally only those after a mark. */
  const events = (after = 0, deviceId?: string) =>
    rows(sql<EventRow>`
      SELECT device_id, kind, summary, details, run_id, actor FROM device_events
       WHERE id > ${after} ${deviceId ? sql`AND device_id = ${deviceId}` : sql``} ORDER BY id`);
  const mark = async (): Promise<number> =>
    Number((await rows(sql<{ id: string | null }>`SELECT max(id)::text AS id FROM device_events`))[0]?.id ?? 0);
  const kinds = (list: EventRow[]) => list.map((event) => event.kind);

  it('fold: device_created, ip_added and mac_added once, with the run; moves and stale addresses are removals', async () => {
    const fold = new FoldRepository(db);
    const run1 = await newRun();
    const first = await fold.fold(run1, [
      { ip: '10.0.0.5', mac: '00:1b:21:00:00:05' },
      { ip: '10.0.0.6', mac: '00:1b:21:00:00:06' },
    ]);
    expect(first.devicesCreated).toBe(2);
    const created = await events();
    expect(created).toHaveLength(6);
    expect(created.every((event) => event.run_id === run1 && event.actor === null)).toBe(true);
    const five = first.targets.find((target) => target.ip === '10.0.0.5')?.deviceId as string;
    expect(kinds(created.filter((event) => event.device_id === five))).toEqual([
      'device_created',
      'mac_added',
      'ip_added',
    ]);
    expect(created.find((event) => event.device_id === five && event.kind === 'ip_added')).toMatchObject({
      summary: 'IP 10.0.0.5 first seen',
      details: { ip: '10.0.0.5' },
    });
    expect(created.find((event) => event.device_id === five && event.kind === 'mac_added')?.details).toMatchObject({
      mac: '00:1b:21:00:00:05',
    });
    expect(created.find((event) => event.device_id === five && event.kind === 'device_created')?.details).toEqual({
      source: 'discovery',
      ip: '10.0.0.5',
    });

    // The same observations again: nothing changed, nothing recorded.
    const before = await mark();
    await fold.fold(await newRun(), [
      { ip: '10.0.0.5', mac: '00:1b:21:00:00:05' },
      { ip: '10.0.0.6', mac: '00:1b:21:00:00:06' },
    ]);
    expect(await events(before)).toEqual([]);

    // 10.0.0.5 answers with another MAC: a new device takes the address from the old one.
    const run3 = await newRun();
    const moved = await fold.fold(run3, [{ ip: '10.0.0.5', mac: '00:1b:21:00:00:99' }]);
    const newcomer = moved.deviceIds[0] as string;
    expect(newcomer).not.toBe(five);
    const afterMove = await events(before);
    expect(afterMove.find((event) => event.device_id === five)).toMatchObject({
      kind: 'ip_removed',
      run_id: run3,
      details: { ip: '10.0.0.5', reason: 'moved', to_device_id: newcomer },
    });
    expect(kinds(afterMove.filter((event) => event.device_id === newcomer))).toEqual([
      'device_created',
      'mac_added',
      'ip_added',
    ]);

    // A run that no longer sees 10.0.0.6: its address is "no longer seen" once, then seen again.
    const run4 = await newRun();
    const enrichment = new EnrichmentRepository(db, run4);
    await fold.fold(run4, [{ ip: '10.0.0.5', mac: '00:1b:21:00:00:99' }]);
    const beforeStale = await mark();
    await enrichment.markPresence(['10.0.0.0/24']);
    await enrichment.markPresence(['10.0.0.0/24']);
    const six = first.targets.find((target) => target.ip === '10.0.0.6')?.deviceId as string;
    expect(await events(beforeStale)).toEqual([
      {
        device_id: six,
        kind: 'ip_removed',
        summary: 'IP 10.0.0.6 no longer seen',
        details: { ip: '10.0.0.6', reason: 'not_seen' },
        run_id: run4,
        actor: null,
      },
    ]);
    const beforeBack = await mark();
    await fold.fold(await newRun(), [{ ip: '10.0.0.6', mac: '00:1b:21:00:00:06' }]);
    expect(await events(beforeBack)).toMatchObject([
      { device_id: six, kind: 'ip_added', summary: 'IP 10.0.0.6 seen again', details: { returned: true } },
    ]);
  });

  it('fold: a 10k-observation batch records its 30k events in the same transaction', async () => {
    const observations = Array.from({ length: 10_000 }, (_, index) => ({
      ip: `10.${Math.floor(index / 250)}.${index % 250}.1`,
      mac: `00:1b:21:00:${((index >> 8) & 0xff).toString(16).padStart(2, '0')}:${(index & 0xff).toString(16).padStart(2, '0')}`,
    }));
    await new FoldRepository(db).fold(await newRun(), observations);
    const counts = await rows(
      sql<{ kind: string; n: number }>`SELECT kind, count(*)::int AS n FROM device_events GROUP BY kind ORDER BY kind`,
    );
    expect(counts).toEqual([
      { kind: 'device_created', n: 10_000 },
      { kind: 'ip_added', n: 10_000 },
      { kind: 'mac_added', n: 10_000 },
    ]);
  });

  it('SNMP: interface addresses that identify the device are added and removed once; loopbacks are not history', async () => {
    const routerId = await newDevice();
    const addresses = (...ips: string[]): SnmpInterfaceAddress[] =>
      ips.map((ip, index) => ({ ifIndex: 1 + (index % 2), ip, prefixLength: 24 }));
    const run1 = await newRun();
    await new EnrichmentRepository(db, run1).saveSnmp(
      routerId,
      report({ addresses: addresses('10.9.0.1', '127.0.0.1') }),
    );
    const first = (await events(0, routerId)).filter((event) => event.kind.startsWith('ip_'));
    expect(first).toEqual([expect.objectContaining({ kind: 'ip_added', run_id: run1, details: { ip: '10.9.0.1' } })]);
    let before = await mark();
    await new EnrichmentRepository(db, await newRun()).saveSnmp(
      routerId,
      report({ addresses: addresses('10.9.0.1', '127.0.0.1') }),
    );
    expect(await events(before)).toEqual([]);
    before = await mark();
    const run3 = await newRun();
    await new EnrichmentRepository(db, run3).saveSnmp(routerId, report({ addresses: addresses('10.9.1.1') }));
    expect((await events(before)).map((event) => [event.kind, event.details])).toEqual([
      ['ip_added', { ip: '10.9.1.1' }],
      ['ip_removed', { ip: '10.9.0.1', reason: 'not_reported' }],
    ]);
  });

  it('SNMP: identity changes (not every poll) and VLAN changes per interface', async () => {
    const switchId = await newDevice();
    const vlans = (pvid1: number, tagged2: number[]): SnmpVlanReport => ({
      vlans: [],
      memberships: [
        { ifIndex: 1, vlanId: pvid1, role: 'pvid' },
        ...tagged2.map((vlanId) => ({ ifIndex: 2, vlanId, role: 'tagged' as const })),
      ],
    });
    const run1 = await newRun();
    await new EnrichmentRepository(db, run1).saveSnmp(switchId, report({ vlans: vlans(10, [20]) }));
    // The agent answering is also a presence sighting: first came_online (test/storage/presence.test.ts).
    const [online, ...first] = await events(0, switchId);
    expect(online).toMatchObject({ kind: 'came_online', run_id: run1, details: { probes: ['snmp'] } });
    expect(kinds(first)).toEqual(['snmp_changed', 'vlan_changed', 'vlan_changed']);
    expect(first[0]).toMatchObject({
      run_id: run1,
      summary: 'SNMP identity first seen: dist-sw-1',
      details: { before: null, after: { sys_name: 'dist-sw-1', sys_location: 'rack 4' } },
    });
    expect(first[1]?.details).toMatchObject({
      interface: 'Gi0/1',
      pvid: { from: null, to: 10 },
      added: { tagged: [], untagged: [] },
    });
    expect(first[2]?.details).toMatchObject({
      interface: 'Gi0/2',
      pvid: { from: null, to: null },
      added: { tagged: [20], untagged: [] },
    });

    // Another poll: only the uptime moved.
    let before = await mark();
    await new EnrichmentRepository(db, await newRun()).saveSnmp(
      switchId,
      report({ vlans: vlans(10, [20]), sysUpTime: 5000 }),
    );
    expect(await events(before)).toEqual([]);

    // The location changes, Gi0/1 moves to VLAN 30 and Gi0/2 drops VLAN 20 for 40.
    before = await mark();
    await new EnrichmentRepository(db, await newRun()).saveSnmp(
      switchId,
      report({ vlans: vlans(30, [40]), sysLocation: 'rack 9' }),
    );
    const changed = await events(before);
    expect(kinds(changed)).toEqual(['snmp_changed', 'vlan_changed', 'vlan_changed']);
    expect(changed[0]?.details).toMatchObject({
      changed: ['sys_location'],
      before: { sys_location: 'rack 4' },
      after: { sys_location: 'rack 9' },
    });
    expect(changed[1]?.details).toMatchObject({ interface: 'Gi0/1', pvid: { from: 10, to: 30 } });
    expect(changed[2]?.details).toMatchObject({
      interface: 'Gi0/2',
      added: { tagged: [40] },
      removed: { tagged: [20] },
    });
  });

  it('names, neighbours and links: each change once, links for both ends', async () => {
    const run1 = await newRun();
    const repository = new EnrichmentRepository(db, run1);
    const nas = await newDevice();
    await repository.saveNames(nas, '10.0.0.5', [normaliseNameCandidate('reverse_dns', 'nas01.example.com')]);
    await repository.saveNames(nas, '10.0.0.5', [normaliseNameCandidate('reverse_dns', 'nas01.example.com')]);
    expect(await events(0, nas)).toEqual([
      {
        device_id: nas,
        kind: 'display_name_changed',
        summary: 'Named nas01',
        details: { from: null, to: 'nas01', source: 'reverse_dns', automatic: true },
        run_id: run1,
        actor: null,
      },
    ]);

    const switchId = await newDevice('dist-sw-1');
    const before = await mark();
    await repository.saveSnmp(switchId, report({ lldp: [neighbour('edge-rtr', '00:1b:21:00:00:77')] }));
    const written = await events(before);
    const edge = written.find((event) => event.kind === 'device_created')?.device_id as string;
    expect(edge).toBeDefined();
    expect(kinds(written.filter((event) => event.device_id === edge))).toEqual([
      'device_created',
      'ip_added',
      'mac_added',
      'link_added',
    ]);
    expect(written.find((event) => event.kind === 'device_created')?.details).toEqual({
      source: 'lldp',
      via_device_id: switchId,
      name: 'edge-rtr',
      ip: '10.20.0.9',
    });
    const switchLink = written.find((event) => event.device_id === switchId && event.kind === 'link_added');
    expect(switchLink).toMatchObject({ summary: 'Link to edge-rtr added', details: { peer_device_id: edge } });
    const edgeLink = written.find((event) => event.device_id === edge && event.kind === 'link_added');
    expect(edgeLink).toMatchObject({ summary: 'Link to dist-sw-1 added', details: { peer_device_id: switchId } });
    expect(edgeLink?.details.link_id).toBe(switchLink?.details.link_id);

    // The same walk in the next run: nothing new.
    const again = await mark();
    await new EnrichmentRepository(db, await newRun()).saveSnmp(
      switchId,
      report({ lldp: [neighbour('edge-rtr', '00:1b:21:00:00:77')] }),
    );
    expect(await events(again)).toEqual([]);

    // A walk that no longer reports the neighbour: the link is removed, for both ends, once the
    // run's walks are done.
    const gone = await mark();
    const run3 = await newRun();
    const third = new EnrichmentRepository(db, run3);
    await third.saveSnmp(switchId, report({ lldp: [] }));
    expect((await events(gone)).filter((event) => event.kind.startsWith('link_'))).toEqual([]);
    expect(await third.recordLinkChanges()).toBe(1);
    const removed = await events(gone);
    expect(removed.map((event) => [event.device_id, event.kind, event.run_id])).toEqual(
      expect.arrayContaining([
        [switchId, 'link_removed', run3],
        [edge, 'link_removed', run3],
      ]),
    );
    expect(removed).toHaveLength(2);
    expect(await third.recordLinkChanges()).toBe(0);

    // Reported again in a later run: seen again, for both ends.
    const back = await mark();
    const fourth = new EnrichmentRepository(db, await newRun());
    await fourth.saveSnmp(switchId, report({ lldp: [neighbour('edge-rtr', '00:1b:21:00:00:77')] }));
    await fourth.recordLinkChanges();
    expect((await events(back)).map((event) => [event.device_id, event.kind, event.summary])).toEqual(
      expect.arrayContaining([
        [switchId, 'link_added', 'Link to edge-rtr seen again'],
        [edge, 'link_added', 'Link to dist-sw-1 seen again'],
      ]),
    );
    expect(await events(back)).toHaveLength(2);

    // A cable only one end reports: the other end's walk marks it stale, the reporting end's walk
    // confirms it, in either order. Every run, and nothing changed: no events.
    for (const order of [
      ['edge', 'switch'],
      ['switch', 'edge'],
      ['edge', 'switch'],
    ]) {
      const quiet = await mark();
      const repository = new EnrichmentRepository(db, await newRun());
      for (const end of order) {
        if (end === 'edge')
          await repository.saveSnmp(edge, { ...report({ sysName: 'edge-rtr', lldp: [] }), address: '10.20.0.9' });
        else await repository.saveSnmp(switchId, report({ lldp: [neighbour('edge-rtr', '00:1b:21:00:00:77')] }));
      }
      await repository.recordLinkChanges();
      expect(
        (await events(quiet)).filter((event) => event.kind.startsWith('link_')),
        order.join(' then '),
      ).toEqual([]);
    }
  });

  it('services: opened when new or reopened, closed when a scan no longer sees them', async () => {
    const host = await newDevice();
    const ssh = { protocol: 'tcp' as const, port: 22, name: 'ssh', source: 'nmap' as const };
    await new EnrichmentRepository(db, await newRun()).saveServices(host, { scannedTcpPorts: [22, 80], open: [ssh] });
    await new EnrichmentRepository(db, await newRun()).saveServices(host, { scannedTcpPorts: [22, 80], open: [ssh] });
    await new EnrichmentRepository(db, await newRun()).saveServices(host, { scannedTcpPorts: [22, 80], open: [] });
    await new EnrichmentRepository(db, await newRun()).saveServices(host, { scannedTcpPorts: [22, 80], open: [] });
    await new EnrichmentRepository(db, await newRun()).saveServices(host, { scannedTcpPorts: [22], open: [ssh] });
    // An open port is also a presence sighting (came_online once; test/storage/presence.test.ts).
    const list = (await events(0, host)).filter((event) => event.kind !== 'came_online');
    expect(list.map((event) => [event.kind, event.summary])).toEqual([
      ['service_opened', 'Service tcp/22 (ssh) open'],
      ['service_closed', 'Service tcp/22 (ssh) closed'],
      ['service_opened', 'Service tcp/22 (ssh) open'],
    ]);
    expect(list[0]?.details).toEqual({ protocol: 'tcp', port: 22, name: 'ssh', source: 'nmap' });
  });

  it('tags: auto tags when the set changes, manual tags with the actor', async () => {
    const device = await newDevice();
    const repository = new EnrichmentRepository(db, await newRun());
    await repository.saveSnmp(device, report());
    const before = await mark();
    await repository.reclassify([device]);
    await repository.reclassify([device]);
    const added = await events(before);
    expect(added).toMatchObject([
      { kind: 'tag_added', details: { tag: 'switch', source: 'auto' }, summary: 'Tag switch added automatically' },
    ]);
    const other = new EnrichmentRepository(db, await newRun());
    await other.saveSnmp(device, report({ sysDescr: 'Linux 6.1 x86_64' }));
    const beforeRemoval = await mark();
    await other.reclassify([device]);
    expect(await events(beforeRemoval)).toMatchObject([
      { kind: 'tag_removed', details: { tag: 'switch', source: 'auto' } },
    ]);

    const facts = new DeviceFactsRepository(db);
    const beforeManual = await mark();
    await facts.replaceManualTags(device, ['router', 'server']);
    await facts.replaceManualTags(device, ['router', 'server']);
    await facts.replaceManualTags(device, ['router']);
    expect(
      (await events(beforeManual)).map((event) => [event.kind, event.details.tag, event.details.source, event.actor]),
    ).toEqual([
      ['tag_added', 'router', 'manual', 'api'],
      ['tag_added', 'server', 'manual', 'api'],
      ['tag_removed', 'server', 'manual', 'api'],
    ]);
  });

  it('edits: create, name and metadata changes with before and after, nothing for a no-op', async () => {
    const devices = new DeviceRepository(db);
    const created = await devices.create(
      { displayName: 'core-sw-01', metadata: { owner: 'Network team', location: null, notes: null } },
      'alice',
    );
    await devices.update(created.id, { displayName: 'core-sw-02', metadata: { location: 'Rack B3' } }, 'bob');
    await devices.update(created.id, { displayName: 'core-sw-02', metadata: { location: 'Rack B3' } }, 'bob');
    await devices.update(created.id, { metadata: { owner: null, location: null } }, 'bob');
    expect(await events(0, created.id)).toEqual([
      {
        device_id: created.id,
        kind: 'device_created',
        summary: 'Device core-sw-01 created by hand',
        details: { source: 'manual', display_name: 'core-sw-01', metadata: { owner: 'Network team' } },
        run_id: null,
        actor: 'alice',
      },
      {
        device_id: created.id,
        kind: 'display_name_changed',
        summary: 'Display name changed from core-sw-01 to core-sw-02',
        details: { from: 'core-sw-01', to: 'core-sw-02', automatic: false },
        run_id: null,
        actor: 'bob',
      },
      {
        device_id: created.id,
        kind: 'metadata_changed',
        summary: 'Location changed',
        details: { location: { from: null, to: 'Rack B3' } },
        run_id: null,
        actor: 'bob',
      },
      {
        device_id: created.id,
        kind: 'metadata_changed',
        summary: 'Owner, Location changed',
        details: { owner: { from: 'Network team', to: null }, location: { from: 'Rack B3', to: null } },
        run_id: null,
        actor: 'bob',
      },
    ]);
  });

  it('reads newest first with a keyset that honours since and until on every page', async () => {
    const device = await newDevice();
    await sql`
      INSERT INTO device_events (device_id, kind, summary, event_at)
      SELECT ${device}::uuid, 'ip_added', 'e' || g, '2026-11-27T10:00:00Z'::timestamptz + ((g / 3) * interval '1 second')
        FROM generate_series(0, 11) AS g`.execute(db);
    const repository = new DeviceEventsRepository(db);
    const all = await repository.list({ limit: 100 });
    // Three events share each timestamp: the id breaks the tie, newest first.
    expect(all.map((row) => row.summary)).toEqual(Array.from({ length: 12 }, (_, index) => `e${11 - index}`));
    const since = '2026-11-27T10:00:01Z';
    const until = '2026-11-27T10:00:03Z';
    const seenSummaries: string[] = [];
    let after: { at: string; id: string } | undefined;
    for (let page = 0; page < 10; page++) {
      const result = await repository.list({ since, until, after, limit: 2 });
      const pageRows = result.slice(0, 2);
      seenSummaries.push(...pageRows.map((row) => row.summary));
      if (result.length <= 2) break;
      const last = pageRows.at(-1);
      after = last ? { at: last.event_at, id: last.id } : undefined;
    }
    expect(seenSummaries).toEqual(['e8', 'e7', 'e6', 'e5', 'e4', 'e3']);
  });
});
