import { type RawBuilder, sql } from 'kysely';

/**
 * A device owns an IP or MAC row directly (device_id) or through one of its interfaces
 * (SPEC §3.2). Two index-friendly branches instead of an OR, which PostgreSQL cannot serve with
 * one index scan.
 */
export function ownedIps(deviceId: RawBuilder<unknown>): RawBuilder<unknown> {
  return sql`(
    SELECT a.id, a.ip, a.interface_id, a.created_at, a.updated_at, a.stale_since, a.source, a.prefix_length FROM ip_addresses a WHERE a.device_id = ${deviceId}
    UNION ALL
    SELECT a.id, a.ip, a.interface_id, a.created_at, a.updated_at, a.stale_since, a.source, a.prefix_length FROM ip_addresses a
      JOIN interfaces i ON i.id = a.interface_id
     WHERE i.device_id = ${deviceId} AND a.device_id IS DISTINCT FROM ${deviceId}
  )`;
}

export function ownedMacs(deviceId: RawBuilder<unknown>): RawBuilder<unknown> {
  return sql`(
    SELECT a.id, a.mac, a.interface_id, a.created_at, a.updated_at, a.stale_since, a.source, a.vendor, a.locally_administered FROM mac_addresses a WHERE a.device_id = ${deviceId}
    UNION ALL
    SELECT a.id, a.mac, a.interface_id, a.created_at, a.updated_at, a.stale_since, a.source, a.vendor, a.locally_administered FROM mac_addresses a
      JOIN interfaces i ON i.id = a.interface_id
     WHERE i.device_id = ${deviceId} AND a.device_id IS DISTINCT FROM ${deviceId}
  )`;
}
