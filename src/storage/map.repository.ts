import { type Kysely, sql } from 'kysely';
import type { ServiceInfo } from '../domain/map/inspector.ts';
import type { PolicyInfo, ZoneInfo } from '../domain/map/security.ts';
import type { DependencyFact, DependencyServiceInfo } from '../domain/map/services.ts';
import type { Schema } from './schema.ts';

export interface MapDeviceRow {
  id: string;
  display_name: string | null;
  primary_ip: string | null;
  owner: string | null;
  location: string | null;
}

export interface MapIpRow {
  device_id: string;
  ip: string;
  prefix: number | null;
}

export interface MapLinkRow {
  id: string;
  link_key: string;
  source: string;
  link_type: string | null;
  peer_id: string;
}

/** A service row as the services projection reads it (the domain's ServiceInfo). */
export type MapServiceRow = ServiceInfo;

/** The prefix a row itself knows: its prefix_length, else the inet's own mask, when shorter than a host. */
const ownPrefix = (alias: 'x' | 'o') => {
  const host = `(CASE WHEN family(${alias}.ip) = 4 THEN 32 ELSE 128 END)`;
  return sql.raw(`(CASE WHEN ${alias}.prefix_length >= 1 AND ${alias}.prefix_length < ${host} THEN ${alias}.prefix_length::int
    WHEN masklen(${alias}.ip) < ${host} THEN masklen(${alias}.ip) END)`);
};

/**
 * Bounded reads behind the map projections (SPEC §8): every query is keyed by a few device ids, one
 * region or one device and carries a LIMIT (callers ask for cap + 1 to detect truncation), so no
 * projection ever loads the whole network. Stale facts (stale_since set) are left out: the map shows
 * the current state.
 */
export class MapRepository {
  constructor(private readonly db: Kysely<Schema>) {}

  async devices(ids: readonly string[]): Promise<MapDeviceRow[]> {
    if (ids.length === 0) return [];
    const { rows } = await sql<MapDeviceRow>`
      SELECT d.id::text AS id, d.display_name, host(d.primary_ip) AS primary_ip, m.owner, m.location
        FROM devices d LEFT JOIN device_metadata m ON m.device_id = d.id
       WHERE d.id = ANY(${sql.val(ids)}::uuid[])`.execute(this.db);
    return rows;
  }

  /**
   * Current IPs of these devices with the narrowest prefix known for each: the row's own prefix
   * when it has one shorter than a host prefix, else the longest such prefix of any other current
   * IP row whose subnet contains the address (only looked up for rows without their own prefix,
   * through the GiST index on each row's own network), else null (the caller falls back to /24 or
   * /64).
   */
  async ipFacts(deviceIds: readonly string[]): Promise<MapIpRow[]> {
    if (deviceIds.length === 0) return [];
    const ids = sql`${sql.val(deviceIds)}::uuid[]`;
    const { rows } = await sql<MapIpRow>`
      WITH owned AS (
        SELECT a.device_id, a.ip, a.prefix_length FROM ip_addresses a
         WHERE a.device_id = ANY(${ids}) AND a.stale_since IS NULL
        UNION ALL
        SELECT i.device_id, a.ip, a.prefix_length FROM ip_addresses a JOIN interfaces i ON i.id = a.interface_id
         WHERE i.device_id = ANY(${ids}) AND a.device_id IS DISTINCT FROM i.device_id AND a.stale_since IS NULL
      )
      SELECT x.device_id::text AS device_id, host(x.ip) AS ip, COALESCE(${ownPrefix('x')}, inf.p) AS prefix
        FROM owned x
        LEFT JOIN LATERAL (
          SELECT max(masklen(network(set_masklen(o.ip, ${ownPrefix('o')})))) AS p FROM ip_addresses o
           WHERE ${ownPrefix('x')} IS NULL
             AND network(set_masklen(o.ip, ${ownPrefix('o')})) >>= x.ip
             AND o.stale_since IS NULL AND ${ownPrefix('o')} IS NOT NULL
        ) inf ON true
       ORDER BY 1, 2`.execute(this.db);
    return rows.map((row) => ({ ...row, prefix: row.prefix === null ? null : Number(row.prefix) }));
  }

  /** Devices owning a current IP inside the subnet, ascending, at most `limit`. */
  async subnetMembers(subnet: string, limit: number): Promise<string[]> {
    const { rows } = await sql<{ device_id: string }>`
      SELECT m.device_id::text AS device_id FROM (
        SELECT a.device_id FROM ip_addresses a
         WHERE a.ip <<= ${subnet}::inet AND a.device_id IS NOT NULL AND a.stale_since IS NULL
        UNION
        SELECT i.device_id FROM ip_addresses a JOIN interfaces i ON i.id = a.interface_id
         WHERE a.ip <<= ${subnet}::inet AND a.device_id IS NULL AND a.stale_since IS NULL
      ) m ORDER BY m.device_id LIMIT ${limit}`.execute(this.db);
    return rows.map((row) => row.device_id);
  }

  /** Current interface PVIDs of these devices. */
  async vlanFacts(deviceIds: readonly string[]): Promise<{ device_id: string; vlan: number }[]> {
    if (deviceIds.length === 0) return [];
    const { rows } = await sql<{ device_id: string; vlan: number }>`
      SELECT DISTINCT i.device_id::text AS device_id, v.vlan_id AS vlan
        FROM interfaces i JOIN interface_vlans v ON v.interface_id = i.id
       WHERE i.device_id = ANY(${sql.val(deviceIds)}::uuid[]) AND v.role = 'pvid' AND v.stale_since IS NULL
       ORDER BY 1, 2`.execute(this.db);
    return rows.map((row) => ({ device_id: row.device_id, vlan: Number(row.vlan) }));
  }

  /** Devices with an interface whose current PVID is the VLAN, ascending, at most `limit`. */
  async vlanMembers(vlan: number, limit: number): Promise<string[]> {
    const { rows } = await sql<{ device_id: string }>`
      SELECT DISTINCT i.device_id::text AS device_id
        FROM interface_vlans v JOIN interfaces i ON i.id = v.interface_id
       WHERE v.vlan_id = ${vlan} AND v.role = 'pvid' AND v.stale_since IS NULL
       ORDER BY 1 LIMIT ${limit}`.execute(this.db);
    return rows.map((row) => row.device_id);
  }

  /** Current links touching the device, by peer id then link id, at most `limit`. */
  async links(deviceId: string, limit: number): Promise<MapLinkRow[]> {
    const { rows } = await sql<MapLinkRow>`
      SELECT l.id::text AS id, l.link_key, l.source, l.link_type,
             (CASE WHEN l.a_device_id = ${deviceId}::uuid THEN l.b_device_id ELSE l.a_device_id END)::text AS peer_id
        FROM (
          SELECT * FROM links WHERE a_device_id = ${deviceId}::uuid AND stale_since IS NULL
          UNION
          SELECT * FROM links WHERE b_device_id = ${deviceId}::uuid AND stale_since IS NULL
        ) l
       ORDER BY peer_id, id LIMIT ${limit}`.execute(this.db);
    return rows;
  }

  /** How many current links touch the device, and to how many distinct other devices. */
  async linkCounts(deviceId: string): Promise<{ links: number; peers: number }> {
    const { rows } = await sql<{ links: number; peers: number }>`
      SELECT count(*)::int AS links,
             count(DISTINCT peer) FILTER (WHERE peer <> ${deviceId}::uuid)::int AS peers
        FROM (
          SELECT id, b_device_id AS peer FROM links WHERE a_device_id = ${deviceId}::uuid AND stale_since IS NULL
          UNION
          SELECT id, a_device_id AS peer FROM links WHERE b_device_id = ${deviceId}::uuid AND stale_since IS NULL
        ) l`.execute(this.db);
    return { links: Number(rows[0]?.links ?? 0), peers: Number(rows[0]?.peers ?? 0) };
  }

  async service(id: string): Promise<MapServiceRow | undefined> {
    const { rows } = await sql<MapServiceRow>`
      SELECT id::text AS id, device_id::text AS device_id, protocol, port, name, state, source, observed_at
        FROM services WHERE id = ${id}::uuid`.execute(this.db);
    return rows[0];
  }

  /** The device's current services, newest first, at most `limit`. */
  async services(deviceId: string, limit: number): Promise<MapServiceRow[]> {
    const { rows } = await sql<MapServiceRow>`
      SELECT id::text AS id, device_id::text AS device_id, protocol, port, name, state, source, observed_at
        FROM services WHERE device_id = ${deviceId}::uuid AND stale_since IS NULL
       ORDER BY observed_at DESC, protocol NULLS LAST, port NULLS LAST, name NULLS LAST, id
       LIMIT ${limit}`.execute(this.db);
    return rows;
  }

  /** These services (current or stale: a dependency end is drawn until retention removes the row). */
  async servicesByIds(ids: readonly string[]): Promise<DependencyServiceInfo[]> {
    if (ids.length === 0) return [];
    const { rows } = await sql<DependencyServiceInfo>`
      SELECT id::text AS id, device_id::text AS device_id, protocol, port, name, state, source, observed_at, stale_since
        FROM services WHERE id = ANY(${sql.val(ids)}::uuid[]) ORDER BY id`.execute(this.db);
    return rows;
  }

  /**
   * Service dependencies with an end on one of `frontier` and no end on any of `done`, by id, at most
   * `limit`. Each branch is keyed by device ids: `from_device_id` leads the edge unique index,
   * `to_device_id` has its own index.
   */
  async dependencies(frontier: readonly string[], done: readonly string[], limit: number): Promise<DependencyFact[]> {
    if (frontier.length === 0) return [];
    const ids = sql`${sql.val(frontier)}::uuid[]`;
    const skip = sql`${sql.val(done)}::uuid[]`;
    const { rows } = await sql<DependencyFact>`
      SELECT d.id::text AS id, d.from_device_id::text AS from_device_id, d.from_service_id::text AS from_service_id,
             d.to_device_id::text AS to_device_id, d.to_service_id::text AS to_service_id, d.source, d.description
        FROM (
          SELECT * FROM service_dependencies WHERE from_device_id = ANY(${ids}) AND NOT (to_device_id = ANY(${skip}))
          UNION
          SELECT * FROM service_dependencies WHERE to_device_id = ANY(${ids}) AND NOT (from_device_id = ANY(${skip}))
        ) d
       ORDER BY d.id LIMIT ${limit}`.execute(this.db);
    return rows;
  }

  /** Whether any zone is defined (the security layer's guidance differs when none is). */
  async anyZone(): Promise<boolean> {
    const { rows } = await sql<{ one: number }>`SELECT 1 AS one FROM zones LIMIT 1`.execute(this.db);
    return rows.length > 0;
  }

  async zones(ids: readonly string[]): Promise<ZoneInfo[]> {
    if (ids.length === 0) return [];
    const { rows } = await sql<ZoneInfo>`
      SELECT id, name, description, color FROM zones WHERE id = ANY(${sql.val(ids)}::text[]) ORDER BY id`.execute(
      this.db,
    );
    return rows;
  }

  /** Zone memberships of these devices, by device then zone. */
  async zonesOfDevices(deviceIds: readonly string[]): Promise<{ device_id: string; zone_id: string }[]> {
    if (deviceIds.length === 0) return [];
    const { rows } = await sql<{ device_id: string; zone_id: string }>`
      SELECT device_id::text AS device_id, zone_id FROM device_zones
       WHERE device_id = ANY(${sql.val(deviceIds)}::uuid[]) ORDER BY 1, 2`.execute(this.db);
    return rows;
  }

  /** Zones one policy away from any of these zones (either direction), not among them, by id, at most `limit`. */
  async policyNeighbours(zoneIds: readonly string[], limit: number): Promise<string[]> {
    if (zoneIds.length === 0) return [];
    const ids = sql`${sql.val(zoneIds)}::text[]`;
    const { rows } = await sql<{ id: string }>`
      SELECT n.id FROM (
        SELECT to_zone_id AS id FROM zone_policies WHERE from_zone_id = ANY(${ids})
        UNION
        SELECT from_zone_id AS id FROM zone_policies WHERE to_zone_id = ANY(${ids})
      ) n WHERE NOT (n.id = ANY(${ids})) ORDER BY n.id LIMIT ${limit}`.execute(this.db);
    return rows.map((row) => row.id);
  }

  /** Policies with both ends among these zones, by id, at most `limit`. */
  async policiesAmong(zoneIds: readonly string[], limit: number): Promise<PolicyInfo[]> {
    if (zoneIds.length === 0) return [];
    const ids = sql`${sql.val(zoneIds)}::text[]`;
    const { rows } = await sql<PolicyInfo>`
      SELECT id::text AS id, from_zone_id, to_zone_id, protocol, ports, action, description FROM zone_policies
       WHERE from_zone_id = ANY(${ids}) AND to_zone_id = ANY(${ids}) ORDER BY id LIMIT ${limit}`.execute(this.db);
    return rows;
  }

  /** Members of the zone, by device id, at most `limit`. */
  async zoneMembers(zoneId: string, limit: number): Promise<string[]> {
    const { rows } = await sql<{ device_id: string }>`
      SELECT device_id::text AS device_id FROM device_zones WHERE zone_id = ${zoneId}
       ORDER BY device_id LIMIT ${limit}`.execute(this.db);
    return rows.map((row) => row.device_id);
  }

  async zoneMemberCount(zoneId: string): Promise<number> {
    const { rows } = await sql<{ n: number }>`
      SELECT count(*)::int AS n FROM device_zones WHERE zone_id = ${zoneId}`.execute(this.db);
    return Number(rows[0]?.n ?? 0);
  }
}
