import { type Kysely, type RawBuilder, sql } from 'kysely';
import { recordDeviceEvents } from './device-events.writer.ts';
import { refreshDeviceSummaries } from './device-summary.ts';
import { ownedIps, ownedMacs } from './owned-facts.sql.ts';
import type { Schema } from './schema.ts';

/** A row as SQL returns it, its columns named as the API names them (SPEC §4.4 facts). */
type FactRow = Record<string, unknown>;

/** The presenter drops null columns; the response schema checks the shape. */
export interface DeviceFactsRows {
  ips: FactRow[];
  macs: FactRow[];
  interfaces: FactRow[];
  services: FactRow[];
  snmp: FactRow | undefined;
  links: FactRow[];
  vlans: FactRow[];
  fdb: FactRow[];
  switch_ports: FactRow[];
}

export interface NameCandidateRow {
  name: string;
  source: string;
  address: string | null;
  observed_at: string;
  last_seen_at: string;
}

/** Read side of a device's discovered facts (SPEC §4.4 facts and name candidates). */
export class DeviceFactsRepository {
  constructor(private readonly db: Kysely<Schema>) {}

  async facts(deviceId: string): Promise<DeviceFactsRows> {
    const id = sql.val(deviceId);
    const device = sql`${id}::uuid`;
    const q = (query: RawBuilder<unknown>) =>
      (query as RawBuilder<Record<string, unknown>>).execute(this.db).then((result) => result.rows);
    const [ips, macs, interfaces, services, snmp, links, vlans, fdb, switchPorts] = await Promise.all([
      q(sql`
        SELECT host(o.ip) AS ip, o.interface_id, i.name AS interface_name, o.prefix_length, o.source,
               (o.stale_since IS NOT NULL) AS stale, o.stale_since, o.created_at, o.updated_at
          FROM ${ownedIps(device)} o LEFT JOIN interfaces i ON i.id = o.interface_id
         ORDER BY (o.stale_since IS NULL) DESC, o.updated_at DESC, o.ip::text ASC`),
      q(sql`
        SELECT o.mac::text AS mac, o.interface_id, i.name AS interface_name, o.vendor, o.locally_administered, o.source,
               (o.stale_since IS NOT NULL) AS stale, o.stale_since, o.created_at, o.updated_at
          FROM ${ownedMacs(device)} o LEFT JOIN interfaces i ON i.id = o.interface_id
         ORDER BY (o.stale_since IS NULL) DESC, o.updated_at DESC, o.mac::text ASC`),
      q(sql`
        SELECT i.id, i.name, i.ifindex, i.descr, i.alias, i.mac::text AS mac, i.admin_status, i.oper_status, i.mtu,
               i.speed_bps, v.vlan_id AS pvid, v.observed_at AS pvid_observed_at,
               COALESCE((SELECT array_agg(t.vlan_id ORDER BY t.vlan_id) FROM interface_vlans t
                          WHERE t.interface_id = i.id AND t.role = 'tagged' AND t.stale_since IS NULL), '{}') AS tagged_vlans,
               COALESCE((SELECT array_agg(t.vlan_id ORDER BY t.vlan_id) FROM interface_vlans t
                          WHERE t.interface_id = i.id AND t.role = 'untagged' AND t.stale_since IS NULL), '{}') AS untagged_vlans,
               i.source, (i.stale_since IS NOT NULL) AS stale, i.stale_since, i.created_at, i.updated_at
          FROM interfaces i LEFT JOIN interface_vlans v ON v.interface_id = i.id AND v.role = 'pvid' AND v.stale_since IS NULL
         WHERE i.device_id = ${device}
         ORDER BY i.name ASC NULLS LAST, i.ifindex ASC NULLS LAST, i.id ASC`),
      q(sql`
        SELECT protocol, port, name, state, source, (stale_since IS NOT NULL) AS stale, stale_since, observed_at,
               created_at, updated_at
          FROM services WHERE device_id = ${device}
         ORDER BY observed_at DESC, protocol ASC NULLS LAST, port ASC NULLS LAST, name ASC NULLS LAST`),
      q(sql`
        SELECT host(address) AS address, sys_name, sys_descr, sys_object_id, sys_contact, sys_location, sys_uptime,
               credential, last_success_at, last_error, updated_at
          FROM device_snmp WHERE device_id = ${device}`),
      q(sql`
        SELECT l.id, l.link_key, x.peer_device_id, pd.display_name AS peer_device_name,
               x.local_interface_id, li.name AS local_interface_name, x.peer_interface_id, pi.name AS peer_interface_name,
               l.link_type, l.source, l.protocols, (l.stale_since IS NOT NULL) AS stale, l.stale_since, l.observed_at,
               l.updated_at
          FROM links l
         CROSS JOIN LATERAL (SELECT
               CASE WHEN l.a_device_id = ${device} THEN l.b_device_id ELSE l.a_device_id END AS peer_device_id,
               CASE WHEN l.a_device_id = ${device} THEN l.a_interface_id ELSE l.b_interface_id END AS local_interface_id,
               CASE WHEN l.a_device_id = ${device} THEN l.b_interface_id ELSE l.a_interface_id END AS peer_interface_id) x
          LEFT JOIN devices pd ON pd.id = x.peer_device_id
          LEFT JOIN interfaces li ON li.id = x.local_interface_id
          LEFT JOIN interfaces pi ON pi.id = x.peer_interface_id
         WHERE l.a_device_id = ${device} OR l.b_device_id = ${device}
         ORDER BY COALESCE(l.observed_at, l.updated_at) DESC, l.id DESC`),
      q(sql`
        SELECT vlan_id, name, (stale_since IS NOT NULL) AS stale, stale_since, observed_at
          FROM device_vlans WHERE device_id = ${device} ORDER BY vlan_id`),
      q(sql`
        SELECT f.mac::text AS mac, f.vlan_id, f.interface_id, i.name AS interface_name, owner.device_id,
               od.display_name AS device_name, (f.stale_since IS NOT NULL) AS stale, f.stale_since, f.observed_at
          FROM fdb_entries f
          LEFT JOIN interfaces i ON i.id = f.interface_id
          LEFT JOIN LATERAL (
            SELECT m.device_id FROM mac_addresses m WHERE m.mac = f.mac AND m.device_id IS NOT NULL
             ORDER BY m.created_at, m.id LIMIT 1) owner ON true
          LEFT JOIN devices od ON od.id = owner.device_id
         WHERE f.device_id = ${device}
         ORDER BY i.name ASC NULLS LAST, f.vlan_id ASC NULLS LAST, f.mac ASC
         LIMIT 5000`),
      q(sql`
        SELECT f.mac::text AS mac, f.device_id AS switch_device_id, sd.display_name AS switch_name, f.interface_id,
               i.name AS interface_name, f.vlan_id, (f.stale_since IS NOT NULL) AS stale, f.stale_since, f.observed_at
          FROM ${ownedMacs(device)} o
          JOIN fdb_entries f ON f.mac = o.mac AND f.device_id <> ${device}
          LEFT JOIN interfaces i ON i.id = f.interface_id
          LEFT JOIN devices sd ON sd.id = f.device_id
         ORDER BY (f.stale_since IS NULL) DESC, f.observed_at DESC, f.mac ASC`),
    ]);
    return {
      ips,
      macs,
      interfaces,
      services,
      snmp: snmp[0],
      links,
      vlans,
      fdb,
      switch_ports: switchPorts,
    };
  }

  /** Tags as SPEC §4.4 lists them: manual first, then confidence, newest, tag. */
  async tags(deviceId: string): Promise<Record<string, unknown>[]> {
    const { rows } = await sql<Record<string, unknown>>`
      SELECT tag, source, confidence, evidence, updated_at FROM device_tags WHERE device_id = ${deviceId}
       ORDER BY (source = 'manual') DESC, confidence DESC, updated_at DESC, tag ASC`.execute(this.db);
    return rows;
  }

  /** Replaces the manual tags (auto tags untouched) and refreshes the summary; false if no device. */
  async replaceManualTags(deviceId: string, tags: readonly string[], actor = 'api'): Promise<boolean> {
    return this.db.transaction().execute(async (trx) => {
      const { rows } = await sql`SELECT 1 FROM devices WHERE id = ${deviceId} FOR UPDATE`.execute(trx);
      if (rows.length === 0) return false;
      const { rows: removed } = await sql<{ tag: string }>`
        DELETE FROM device_tags WHERE device_id = ${deviceId} AND source = 'manual'
           AND NOT (tag = ANY(${sql.val([...tags])}::text[]))
        RETURNING tag`.execute(trx);
      let added: { tag: string }[] = [];
      if (tags.length > 0) {
        ({ rows: added } = await sql<{ tag: string }>`
          INSERT INTO device_tags (device_id, tag, source, confidence, evidence)
          SELECT ${deviceId}::uuid, t, 'manual', 100, '{"signal":"manual"}'::jsonb FROM unnest(${sql.val([...tags])}::text[]) AS t
          ON CONFLICT (device_id, tag, source) DO NOTHING
          RETURNING tag`.execute(trx));
      }
      const event = (kind: 'tag_added' | 'tag_removed', tag: string) => ({
        deviceId,
        kind,
        actor,
        summary: `Manual tag ${tag} ${kind === 'tag_added' ? 'added' : 'removed'}`,
        details: { tag, source: 'manual' },
      });
      await recordDeviceEvents(trx, [
        ...added
          .map((row) => row.tag)
          .sort()
          .map((tag) => event('tag_added', tag)),
        ...removed
          .map((row) => row.tag)
          .sort()
          .map((tag) => event('tag_removed', tag)),
      ]);
      await sql`UPDATE devices SET updated_at = now() WHERE id = ${deviceId}`.execute(trx);
      await refreshDeviceSummaries(trx, [deviceId]);
      return true;
    });
  }

  async nameCandidates(deviceId: string): Promise<NameCandidateRow[]> {
    return this.db
      .selectFrom('device_name_candidates')
      .select(['name', 'source', sql<string | null>`host(address)`.as('address'), 'observed_at', 'last_seen_at'])
      .where('device_id', '=', deviceId)
      .execute();
  }
}
