/**
 * The map dataset (issue 8 item 5): devices spread over subnets of mixed real prefix lengths, interface
 * PVIDs, LLDP/CDP/manual links with hub switches, services, and zones with members and policies, all
 * deterministic (same size → same rows, ids derived by md5 of a name). Rows only: the 10.x and
 * 2001:db8:: addresses are never contacted.
 *
 * `seedMapDataset` is shared by the projection bench (map.ts) and the map page's Chromium bench: it
 * seeds a migrated, empty database and returns the ids of the focus targets worth measuring.
 */
import { performance } from 'node:perf_hooks';
import { type Kysely, type RawBuilder, sql } from 'kysely';
import { refreshDeviceSummaries } from '../src/storage/device-summary.ts';
import type { Schema } from '../src/storage/schema.ts';
import { at, deviceId, FIRST_END_DEVICE, generate, mapSubnets, type Rows, ZONES } from './map-seed-data.ts';

export interface MapSeedOptions {
  /** Devices (200–20 000); the defaults are the sizes. */
  devices?: number;
  /** Links, scaled by default with the device count (5 000 for 10 000 devices). */
  links?: number;
  onProgress?: (text: string) => void;
}

/** Focus ids worth measuring, found by querying the seeded rows (not assumed from the generator). */
export interface MapFocusTargets {
  /** The device owning the most current IPs: a router with a gateway in 25 subnets (L3, security). */
  busyDevice: string;
  /** The switch with the most distinct current PVIDs (L2 device focus). */
  l2Device: string;
  /** The subnet with the most members (a /22 well over the node cap). */
  busySubnet: string;
  /** The VLAN with the most member devices. */
  busyVlan: number;
  /** The device with the most current links (an access switch; above the edge cap). */
  linkHub: string;
  /** The device with the most current services (above the node cap). */
  serviceHost: string;
  /** The newest current service of serviceHost (services layer, service focus). */
  service: string;
  /** The zone with the most members. */
  busyZone: string;
  /** An ordinary end device: one or two IPs, one PVID, a link or none, a few services. */
  typicalDevice: string;
}

export interface MapSeedReport {
  devices: number;
  subnets: number;
  subnetsByPrefix: Record<string, number>;
  ipAddresses: number;
  interfaces: number;
  pvids: number;
  vlans: number;
  links: number;
  linksBySource: Record<string, number>;
  services: number;
  zones: number;
  zoneMembers: number;
  zonePolicies: number;
  insertSeconds: number;
  summarySeconds: number;
  analyzeSeconds: number;
  targets: MapFocusTargets;
  /** Sizes of what the targets stand for (members, links, services), for the report. */
  targetFacts: Record<string, number>;
}

const BATCH = 5000;
/**
 * Seeds the map dataset into a migrated database that has no devices yet, refreshes the device
 * summaries (primary IP), runs VACUUM ANALYZE and returns what it wrote with the focus targets.
 */
export async function seedMapDataset(db: Kysely<Schema>, options: MapSeedOptions = {}): Promise<MapSeedReport> {
  const devices = options.devices ?? 10_000;
  if (!Number.isInteger(devices) || devices < 200 || devices > 20_000) {
    throw new Error(`the map dataset needs 200–20 000 devices, not ${devices}`);
  }
  const linkTarget = options.links ?? Math.round(devices / 2);
  const progress = options.onProgress ?? (() => {});
  let started = performance.now();
  const rows = generate(devices, linkTarget);
  await insertAll(db, rows);
  const insertSeconds = seconds(started);
  progress(`inserted ${devices} devices, ${rows.ips.length} IPs, ${rows.links.length} links in ${insertSeconds} s`);

  started = performance.now();
  // Statistics first: without them the summary statement's per-device lookups are planned as scans
  // of tables the planner believes empty (57 s instead of a few on PGlite for 10 000 devices).
  await sql`ANALYZE`.execute(db);
  const ids = rows.devices.map((device) => device.id);
  for (let offset = 0; offset < ids.length; offset += BATCH) {
    await refreshDeviceSummaries(db, ids.slice(offset, offset + BATCH));
  }
  const summarySeconds = seconds(started);
  started = performance.now();
  await sql`VACUUM ANALYZE`.execute(db);
  const analyzeSeconds = seconds(started);
  progress(`summaries ${summarySeconds} s, VACUUM ANALYZE ${analyzeSeconds} s`);

  const { targets, facts } = await findTargets(db);
  const count = <T>(list: readonly T[], key: (item: T) => string): Record<string, number> => {
    const counts: Record<string, number> = {};
    for (const item of list) counts[key(item)] = (counts[key(item)] ?? 0) + 1;
    return counts;
  };
  return {
    devices,
    subnets: mapSubnets().length,
    subnetsByPrefix: count(mapSubnets(), (subnet) => `/${subnet.prefix}${subnet.family === 6 ? ' (IPv6)' : ''}`),
    ipAddresses: rows.ips.length,
    interfaces: rows.interfaces.length,
    pvids: rows.pvids.length,
    vlans: new Set(rows.pvids.map((row) => row.vlan)).size,
    links: rows.links.length,
    linksBySource: count(rows.links, (link) => link.protocols),
    services: rows.services.length,
    zones: ZONES.length,
    zoneMembers: rows.zoneMembers.length,
    zonePolicies: rows.policies.length,
    insertSeconds,
    summarySeconds,
    analyzeSeconds,
    targets,
    targetFacts: facts,
  };
}

async function insertAll(db: Kysely<Schema>, rows: Rows): Promise<void> {
  const created = at(0);
  await inBatches(rows.devices, (batch) =>
    sql`INSERT INTO devices (id, display_name, created_at, updated_at, last_change_at)
        SELECT id, name, c, c, c FROM unnest(${col(batch, (r) => r.id)}::uuid[], ${col(batch, (r) => r.name)}::text[],
                                       ${col(batch, (r) => r.created)}::timestamptz[]) AS t(id, name, c)`.execute(db),
  );
  await inBatches(rows.metadata, (batch) =>
    sql`INSERT INTO device_metadata (device_id, owner, location)
        SELECT * FROM unnest(${col(batch, (r) => r.id)}::uuid[], ${col(batch, (r) => r.owner)}::text[],
                             ${col(batch, (r) => r.location)}::text[])`.execute(db),
  );
  await inBatches(rows.interfaces, (batch) =>
    sql`INSERT INTO interfaces (id, device_id, name, ifindex, source)
        SELECT id, device_id, name, ifindex, 'snmp'
          FROM unnest(${col(batch, (r) => r.id)}::uuid[], ${col(batch, (r) => r.device)}::uuid[],
                      ${col(batch, (r) => r.name)}::text[], ${col(batch, (r) => r.ifindex)}::int[])
               AS t(id, device_id, name, ifindex)`.execute(db),
  );
  await inBatches(rows.pvids, (batch) =>
    sql`INSERT INTO interface_vlans (interface_id, vlan_id, role, source, observed_at, stale_since)
        SELECT iface, vlan, 'pvid', 'snmp', ${created}::timestamptz, stale
          FROM unnest(${col(batch, (r) => r.iface)}::uuid[], ${col(batch, (r) => r.vlan)}::int[],
                      ${col(batch, (r) => r.stale)}::timestamptz[]) AS t(iface, vlan, stale)`.execute(db),
  );
  await inBatches(rows.ips, (batch) =>
    sql`INSERT INTO ip_addresses (device_id, ip, prefix_length, source, stale_since, created_at, updated_at)
        SELECT device, ip, prefix, 'bench', stale, ${created}::timestamptz, ${created}::timestamptz
          FROM unnest(${col(batch, (r) => r.device)}::uuid[], ${col(batch, (r) => r.ip)}::inet[],
                      ${col(batch, (r) => r.prefix)}::smallint[], ${col(batch, (r) => r.stale)}::timestamptz[])
               AS t(device, ip, prefix, stale)`.execute(db),
  );
  await inBatches(rows.links, (batch) =>
    sql`INSERT INTO links (link_key, a_device_id, a_interface_id, b_device_id, b_interface_id, link_type, source,
                           protocols, label, observed_at, stale_since)
        SELECT key, a, a_if, b, b_if, type, source, protocols::text[], label, ${created}::timestamptz, stale
          FROM unnest(${col(batch, (r) => r.key)}::text[], ${col(batch, (r) => r.a)}::uuid[],
                      ${col(batch, (r) => r.aIf)}::uuid[], ${col(batch, (r) => r.b)}::uuid[],
                      ${col(batch, (r) => r.bIf)}::uuid[], ${col(batch, (r) => r.type)}::text[],
                      ${col(batch, (r) => r.source)}::text[], ${col(batch, (r) => r.protocols)}::text[],
                      ${col(batch, (r) => r.label)}::text[], ${col(batch, (r) => r.stale)}::timestamptz[])
               AS t(key, a, a_if, b, b_if, type, source, protocols, label, stale)`.execute(db),
  );
  await inBatches(rows.services, (batch) =>
    sql`INSERT INTO services (device_id, protocol, port, name, state, source, observed_at, stale_since)
        SELECT device, protocol, port, NULL, 'open', 'nmap', observed, stale
          FROM unnest(${col(batch, (r) => r.device)}::uuid[], ${col(batch, (r) => r.protocol)}::text[],
                      ${col(batch, (r) => r.port)}::int[], ${col(batch, (r) => r.observed)}::timestamptz[],
                      ${col(batch, (r) => r.stale)}::timestamptz[]) AS t(device, protocol, port, observed, stale)`.execute(
      db,
    ),
  );
  await sql`INSERT INTO zones (id, name, color)
            SELECT id, initcap(replace(id, '-', ' ')), '#' || substr(md5(id), 1, 6)
              FROM unnest(${sql.val([...ZONES])}::text[]) AS t(id)`.execute(db);
  await inBatches(rows.zoneMembers, (batch) =>
    sql`INSERT INTO device_zones (zone_id, device_id)
        SELECT * FROM unnest(${col(batch, (r) => r.zone)}::text[], ${col(batch, (r) => r.device)}::uuid[])`.execute(db),
  );
  await sql`INSERT INTO zone_policies (from_zone_id, to_zone_id, protocol, ports, action, description)
            SELECT f, t, p, ports, action, 'bench policy'
              FROM unnest(${col(rows.policies, (r) => r.from)}::text[], ${col(rows.policies, (r) => r.to)}::text[],
                          ${col(rows.policies, (r) => r.protocol)}::text[], ${col(rows.policies, (r) => r.ports)}::text[],
                          ${col(rows.policies, (r) => r.action)}::text[]) AS t(f, t, p, ports, action)`.execute(db);
}

async function inBatches<T>(list: readonly T[], insert: (batch: readonly T[]) => Promise<unknown>): Promise<void> {
  for (let offset = 0; offset < list.length; offset += BATCH) await insert(list.slice(offset, offset + BATCH));
}

/** One array parameter per column: a whole batch is one statement with a handful of parameters. */
function col<T, V>(rows: readonly T[], pick: (row: T) => V) {
  return sql.val(rows.map(pick));
}

async function one<T>(db: Kysely<Schema>, query: RawBuilder<T>): Promise<T> {
  const { rows } = await query.execute(db);
  if (!rows[0]) throw new Error('the map dataset has no row for a focus target');
  return rows[0];
}

async function findTargets(db: Kysely<Schema>): Promise<{ targets: MapFocusTargets; facts: Record<string, number> }> {
  type Top = { id: string; n: number };
  const busyDevice = await one(
    db,
    sql<Top>`SELECT device_id::text AS id, count(*)::int AS n FROM ip_addresses
              WHERE stale_since IS NULL AND device_id IS NOT NULL GROUP BY 1 ORDER BY 2 DESC, 1 LIMIT 1`,
  );
  const l2Device = await one(
    db,
    sql<Top>`SELECT i.device_id::text AS id, count(DISTINCT v.vlan_id)::int AS n
               FROM interfaces i JOIN interface_vlans v ON v.interface_id = i.id
              WHERE v.role = 'pvid' AND v.stale_since IS NULL GROUP BY 1 ORDER BY 2 DESC, 1 LIMIT 1`,
  );
  // Members per subnet of the generator's list, counted by containment as the map does.
  const busySubnet = await one(
    db,
    sql<Top>`SELECT s.cidr AS id, count(DISTINCT a.device_id)::int AS n
               FROM unnest(${sql.val(mapSubnets().map((subnet) => subnet.cidr))}::text[]) AS s(cidr)
               JOIN ip_addresses a ON a.ip <<= s.cidr::inet AND a.stale_since IS NULL
              GROUP BY 1 ORDER BY 2 DESC, 1 LIMIT 1`,
  );
  const busyVlan = await one(
    db,
    sql<Top>`SELECT v.vlan_id::text AS id, count(DISTINCT i.device_id)::int AS n
               FROM interface_vlans v JOIN interfaces i ON i.id = v.interface_id
              WHERE v.role = 'pvid' AND v.stale_since IS NULL GROUP BY 1 ORDER BY 2 DESC, 1 LIMIT 1`,
  );
  const linkHub = await one(
    db,
    sql<Top>`SELECT d::text AS id, count(*)::int AS n FROM (
               SELECT a_device_id AS d FROM links WHERE stale_since IS NULL
               UNION ALL SELECT b_device_id FROM links WHERE stale_since IS NULL) l
              GROUP BY 1 ORDER BY 2 DESC, 1 LIMIT 1`,
  );
  const serviceHost = await one(
    db,
    sql<Top>`SELECT device_id::text AS id, count(*)::int AS n FROM services WHERE stale_since IS NULL
              GROUP BY 1 ORDER BY 2 DESC, 1 LIMIT 1`,
  );
  const service = await one(
    db,
    sql<{ id: string }>`SELECT id::text AS id FROM services WHERE device_id = ${serviceHost.id}::uuid
                          AND stale_since IS NULL ORDER BY observed_at DESC, id LIMIT 1`,
  );
  const busyZone = await one(
    db,
    sql<Top>`SELECT zone_id AS id, count(*)::int AS n FROM device_zones GROUP BY 1 ORDER BY 2 DESC, 1 LIMIT 1`,
  );
  return {
    targets: {
      busyDevice: busyDevice.id,
      l2Device: l2Device.id,
      busySubnet: busySubnet.id,
      busyVlan: Number(busyVlan.id),
      linkHub: linkHub.id,
      serviceHost: serviceHost.id,
      service: service.id,
      busyZone: busyZone.id,
      typicalDevice: deviceId(FIRST_END_DEVICE + 1),
    },
    facts: {
      busyDeviceIps: busyDevice.n,
      l2DevicePvids: l2Device.n,
      busySubnetMembers: busySubnet.n,
      busyVlanMembers: busyVlan.n,
      linkHubLinks: linkHub.n,
      serviceHostServices: serviceHost.n,
      busyZoneMembers: busyZone.n,
    },
  };
}

function seconds(since: number): number {
  return Math.round((performance.now() - since) / 10) / 100;
}
