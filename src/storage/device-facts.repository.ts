import { type Kysely, sql } from 'kysely';
import { ownedIps, ownedMacs } from './owned-facts.sql.ts';
import type { Schema } from './schema.ts';

export interface DeviceFactsRows {
  ips: {
    ip: string;
    interface_id: string | null;
    interface_name: string | null;
    created_at: string;
    updated_at: string;
  }[];
  macs: {
    mac: string;
    interface_id: string | null;
    interface_name: string | null;
    created_at: string;
    updated_at: string;
  }[];
  interfaces: {
    id: string;
    name: string | null;
    ifindex: number | null;
    descr: string | null;
    alias: string | null;
    mac: string | null;
    admin_status: number | null;
    oper_status: number | null;
    mtu: number | null;
    speed_bps: number | null;
    pvid: number | null;
    pvid_observed_at: string | null;
    created_at: string;
    updated_at: string;
  }[];
  services: {
    protocol: string | null;
    port: number | null;
    name: string | null;
    state: string | null;
    source: string | null;
    observed_at: string;
    created_at: string;
    updated_at: string;
  }[];
  snmp:
    | {
        address: string | null;
        sys_name: string | null;
        sys_descr: string | null;
        sys_object_id: string | null;
        sys_contact: string | null;
        sys_location: string | null;
        last_success_at: string | null;
        last_error: string | null;
        updated_at: string;
      }
    | undefined;
  links: {
    id: string;
    link_key: string;
    peer_device_id: string;
    local_interface_id: string | null;
    peer_interface_id: string | null;
    link_type: string | null;
    source: string;
    observed_at: string | null;
    updated_at: string;
  }[];
}

export interface NameCandidateRow {
  name: string;
  source: string;
  address: string | null;
  observed_at: string;
}

/** Read side of a device's discovered facts (SPEC §4.4 facts and name candidates). */
export class DeviceFactsRepository {
  constructor(private readonly db: Kysely<Schema>) {}

  async facts(deviceId: string): Promise<DeviceFactsRows> {
    const id = sql.val(deviceId);
    const device = sql`${id}::uuid`;
    const [ips, macs, interfaces, services, snmp, links] = await Promise.all([
      sql<DeviceFactsRows['ips'][number]>`
        SELECT o.ip, o.interface_id, i.name AS interface_name, o.created_at, o.updated_at
          FROM ${ownedIps(device)} o LEFT JOIN interfaces i ON i.id = o.interface_id
         ORDER BY o.updated_at DESC, o.ip::text ASC`.execute(this.db),
      sql<DeviceFactsRows['macs'][number]>`
        SELECT o.mac, o.interface_id, i.name AS interface_name, o.created_at, o.updated_at
          FROM ${ownedMacs(device)} o LEFT JOIN interfaces i ON i.id = o.interface_id
         ORDER BY o.updated_at DESC, o.mac::text ASC`.execute(this.db),
      sql<DeviceFactsRows['interfaces'][number]>`
        SELECT i.id, i.name, i.ifindex, i.descr, i.alias, i.mac, i.admin_status, i.oper_status, i.mtu, i.speed_bps,
               v.vlan_id AS pvid, v.observed_at AS pvid_observed_at, i.created_at, i.updated_at
          FROM interfaces i LEFT JOIN interface_vlans v ON v.interface_id = i.id AND v.role = 'pvid'
         WHERE i.device_id = ${device}
         ORDER BY i.name ASC NULLS LAST, i.ifindex ASC NULLS LAST, i.id ASC`.execute(this.db),
      sql<DeviceFactsRows['services'][number]>`
        SELECT protocol, port, name, state, source, observed_at, created_at, updated_at
          FROM services WHERE device_id = ${device}
         ORDER BY observed_at DESC, protocol ASC NULLS LAST, port ASC NULLS LAST, name ASC NULLS LAST`.execute(this.db),
      sql<NonNullable<DeviceFactsRows['snmp']>>`
        SELECT address, sys_name, sys_descr, sys_object_id, sys_contact, sys_location, last_success_at, last_error, updated_at
          FROM device_snmp WHERE device_id = ${device}`.execute(this.db),
      sql<DeviceFactsRows['links'][number]>`
        SELECT l.id, l.link_key,
               CASE WHEN l.a_device_id = ${device} THEN l.b_device_id ELSE l.a_device_id END AS peer_device_id,
               CASE WHEN l.a_device_id = ${device} THEN l.a_interface_id ELSE l.b_interface_id END AS local_interface_id,
               CASE WHEN l.a_device_id = ${device} THEN l.b_interface_id ELSE l.a_interface_id END AS peer_interface_id,
               l.link_type, l.source, l.observed_at, l.updated_at
          FROM links l WHERE l.a_device_id = ${device} OR l.b_device_id = ${device}
         ORDER BY COALESCE(l.observed_at, l.updated_at) DESC, l.id DESC`.execute(this.db),
    ]);
    return {
      ips: ips.rows,
      macs: macs.rows,
      interfaces: interfaces.rows,
      services: services.rows,
      snmp: snmp.rows[0],
      links: links.rows,
    };
  }

  async nameCandidates(deviceId: string): Promise<NameCandidateRow[]> {
    return this.db
      .selectFrom('device_name_candidates')
      .select(['name', 'source', 'address', 'observed_at'])
      .where('device_id', '=', deviceId)
      .execute();
  }
}
