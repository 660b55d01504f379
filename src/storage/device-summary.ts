import { type Kysely, sql } from 'kysely';
import { ownedIps, ownedMacs } from './owned-facts.sql.ts';
import type { Schema } from './schema.ts';

/**
 * Recomputes the derived columns of the given devices (primary IP, last seen, last change, search
 * text, effective tags; SPEC §4.4) from their facts and tags. Every repository that changes a device's facts calls this in
 * the same transaction, so the list endpoint reads one indexed table and is never stale.
 */
export async function refreshDeviceSummaries(db: Kysely<Schema>, deviceIds: readonly string[]): Promise<void> {
  if (deviceIds.length === 0) return;
  const dv = sql.ref('dv.id');
  await sql`
    UPDATE devices d SET
      primary_ip = s.primary_ip,
      last_seen_at = s.last_seen_at,
      last_change_at = s.last_change_at,
      search_text = s.search_text,
      tags = s.tags,
      vendor = s.vendor
    FROM (
      SELECT dv.id,
        pip.ip AS primary_ip,
        GREATEST(ips.max_updated, macs.max_updated, svc.max_observed, snmp.last_success_at) AS last_seen_at,
        GREATEST(dv.updated_at, md.updated_at, ips.max_created, macs.max_created, svc.max_created,
                 snmp.updated_at, pvid.max_observed, lnk.max_at) AS last_change_at,
        lower(concat_ws(' ', dv.id::text, dv.display_name, md.owner, md.location, md.notes, ips.texts, macs.texts,
                        snmp.sys_name, snmp.sys_descr, snmp.sys_location, snmp.sys_contact, vnd.vendor)) AS search_text,
        vnd.vendor,
        COALESCE(tg.tags, '{}') AS tags
      FROM devices dv
      LEFT JOIN device_metadata md ON md.device_id = dv.id
      LEFT JOIN device_snmp snmp ON snmp.device_id = dv.id
      LEFT JOIN LATERAL (
        SELECT max(o.updated_at) AS max_updated, max(o.created_at) AS max_created,
               string_agg(o.ip::text, ' ' ORDER BY o.ip) AS texts
          FROM ${ownedIps(dv)} o
      ) ips ON true
      LEFT JOIN LATERAL (
        SELECT o.ip FROM ${ownedIps(dv)} o
         ORDER BY (o.stale_since IS NULL) DESC,
                  -- never a loopback, link-local or unspecified address while the device has a real one
                  (o.ip <<= '127.0.0.0/8' OR o.ip <<= '169.254.0.0/16' OR o.ip <<= '0.0.0.0/8'
                   OR o.ip <<= '::/127'::inet OR o.ip <<= 'fe80::/10'::inet) ASC,
                  (o.source = 'presence') DESC, o.updated_at DESC, o.created_at DESC, o.ip ASC LIMIT 1
      ) pip ON true
      LEFT JOIN LATERAL (
        SELECT max(o.updated_at) AS max_updated, max(o.created_at) AS max_created,
               string_agg(o.mac::text, ' ' ORDER BY o.mac) AS texts
          FROM ${ownedMacs(dv)} o
      ) macs ON true
      -- The vendor most of the device's current MACs belong to (ties: the alphabetically first).
      LEFT JOIN LATERAL (
        SELECT o.vendor FROM ${ownedMacs(dv)} o WHERE o.vendor IS NOT NULL
         GROUP BY o.vendor ORDER BY count(*) FILTER (WHERE o.stale_since IS NULL) DESC, count(*) DESC, o.vendor LIMIT 1
      ) vnd ON true
      LEFT JOIN LATERAL (
        SELECT max(s.observed_at) AS max_observed, max(s.created_at) AS max_created
          FROM services s WHERE s.device_id = dv.id
      ) svc ON true
      LEFT JOIN LATERAL (
        SELECT max(v.observed_at) AS max_observed
          FROM interface_vlans v JOIN interfaces i ON i.id = v.interface_id
         WHERE i.device_id = dv.id AND v.role = 'pvid'
      ) pvid ON true
      LEFT JOIN LATERAL (
        SELECT max(x.at) AS max_at FROM (
          SELECT COALESCE(l.observed_at, l.updated_at) AS at FROM links l WHERE l.a_device_id = dv.id
          UNION ALL
          SELECT COALESCE(l.observed_at, l.updated_at) FROM links l WHERE l.b_device_id = dv.id
        ) x
      ) lnk ON true
      -- Effective tags: manual before auto, each tag once (G-08).
      LEFT JOIN LATERAL (
        SELECT array_agg(t.tag ORDER BY t.manual DESC, t.confidence DESC, t.updated_at DESC, t.tag ASC) AS tags
          FROM (
            SELECT DISTINCT ON (tag) tag, (source = 'manual') AS manual, confidence, updated_at
              FROM device_tags WHERE device_id = dv.id
             ORDER BY tag, (source = 'manual') DESC, confidence DESC, updated_at DESC
          ) t
      ) tg ON true
      WHERE dv.id = ANY(${sql.val(deviceIds)}::uuid[])
    ) s
    WHERE d.id = s.id`.execute(db);
}
