import { type Kysely, sql } from 'kysely';
import type { NewDeviceEvent } from '../../domain/device-events.ts';
import type { SnmpDeviceReport, SnmpInterface } from '../../domain/enrichment.types.ts';
import { isLocallyAdministered, macVendor } from '../../domain/mac-vendor.ts';
import { isIdentityAddress } from '../../shared/ip-math.ts';
import { recordDeviceEvents } from '../device-events.writer.ts';
import { ipAdded } from '../fold.repository.ts';
import type { Schema } from '../schema.ts';

export interface SnmpFactsWritten {
  interfaces: number;
  addresses: number;
  vlans: number;
  fdb: number;
  /** ifIndex → interface id of the device, for the neighbour writer. */
  interfaceIds: Map<number, string>;
}

/**
 * Writes what one device said over SNMP (SPEC §5.9.1 A.3–A.5, made independent per walk: G-17).
 * Each table is written only from a walk that succeeded, and rows of that table the walk did not
 * report any more are marked stale (G-20) instead of living on as current.
 */
export async function saveSnmpFacts(
  trx: Kysely<Schema>,
  runId: string,
  deviceId: string,
  report: SnmpDeviceReport,
): Promise<SnmpFactsWritten> {
  const system = report.system;
  const events: NewDeviceEvent[] = [];
  const { rows: previous } = await sql<SnmpIdentity & { last_success_at: string | null }>`
    SELECT sys_name, sys_descr, sys_object_id, sys_location, sys_contact, last_success_at FROM device_snmp
     WHERE device_id = ${deviceId} FOR UPDATE`.execute(trx);
  const snmpEvent = identityChange(deviceId, runId, previous[0], {
    sys_name: system.sysName,
    sys_descr: system.sysDescr,
    sys_object_id: system.sysObjectId,
    sys_location: system.sysLocation,
    sys_contact: system.sysContact,
  });
  if (snmpEvent) events.push(snmpEvent);
  await sql`
    INSERT INTO device_snmp (device_id, address, sys_name, sys_descr, sys_object_id, sys_contact, sys_location,
                             sys_uptime, credential, last_success_at, last_error, updated_at)
    VALUES (${deviceId}, ${report.address}::inet, ${system.sysName}, ${system.sysDescr}, ${system.sysObjectId},
            ${system.sysContact}, ${system.sysLocation}, ${system.sysUpTime}, ${report.credential}, now(), NULL, now())
    ON CONFLICT (device_id) DO UPDATE SET address = EXCLUDED.address, sys_name = EXCLUDED.sys_name,
      sys_descr = EXCLUDED.sys_descr, sys_object_id = EXCLUDED.sys_object_id, sys_contact = EXCLUDED.sys_contact,
      sys_location = EXCLUDED.sys_location, sys_uptime = EXCLUDED.sys_uptime, credential = EXCLUDED.credential,
      last_success_at = now(), last_error = NULL, updated_at = now()`.execute(trx);

  const written: SnmpFactsWritten = { interfaces: 0, addresses: 0, vlans: 0, fdb: 0, interfaceIds: new Map() };
  if (report.interfaces.ok) {
    written.interfaces = await saveInterfaces(trx, runId, deviceId, report.interfaces.value);
  }
  written.interfaceIds = await interfaceIdsByIfIndex(trx, deviceId);
  const idOf = (ifIndex: number | null): string | null =>
    ifIndex === null ? null : (written.interfaceIds.get(ifIndex) ?? null);

  if (report.addresses.ok) {
    const rows = report.addresses.value
      .map((address) => ({ ...address, interfaceId: idOf(address.ifIndex) }))
      .filter((row): row is typeof row & { interfaceId: string } => row.interfaceId !== null);
    // Addresses that identify nothing (127.0.0.1 on every switch) stay interface facts only, so
    // device matching by IP never sees them.
    const identity = rows.filter((row) => isIdentityAddress(row.ip));
    const local = rows.filter((row) => !isIdentityAddress(row.ip));
    if (identity.length > 0) {
      // As in the fold: the outer SELECT sees the rows as they were, so it finds the addresses that
      // are new to the device or back after going stale — those are ip_added events.
      const { rows: added } = await sql<{ device_id: string; ip: string; returned: boolean }>`
        WITH upserted AS (
          INSERT INTO ip_addresses (device_id, interface_id, ip, prefix_length, source, seen_run_id)
          SELECT ${deviceId}::uuid, i, a, p, 'snmp', ${runId}::uuid
            FROM unnest(${sql.val(identity.map((r) => r.interfaceId))}::uuid[], ${sql.val(identity.map((r) => r.ip))}::inet[],
                        ${sql.val(identity.map((r) => r.prefixLength))}::int[]) AS t(i, a, p)
          ON CONFLICT (device_id, ip) WHERE device_id IS NOT NULL
          DO UPDATE SET interface_id = EXCLUDED.interface_id, prefix_length = EXCLUDED.prefix_length,
                        seen_run_id = EXCLUDED.seen_run_id, stale_since = NULL, updated_at = now()
          RETURNING device_id, ip
        )
        SELECT u.device_id, host(u.ip) AS ip, (p.id IS NOT NULL) AS returned
          FROM upserted u LEFT JOIN ip_addresses p ON p.device_id = u.device_id AND p.ip = u.ip
         WHERE p.id IS NULL OR p.stale_since IS NOT NULL`.execute(trx);
      for (const row of added) events.push(ipAdded(row, runId));
    }
    if (local.length > 0) {
      await sql`
        INSERT INTO ip_addresses (interface_id, ip, prefix_length, source, seen_run_id)
        SELECT i, a, p, 'snmp', ${runId}::uuid
          FROM unnest(${sql.val(local.map((r) => r.interfaceId))}::uuid[], ${sql.val(local.map((r) => r.ip))}::inet[],
                      ${sql.val(local.map((r) => r.prefixLength))}::int[]) AS t(i, a, p)
        ON CONFLICT (interface_id, ip) WHERE interface_id IS NOT NULL
        DO UPDATE SET prefix_length = EXCLUDED.prefix_length, seen_run_id = EXCLUDED.seen_run_id, stale_since = NULL,
                      updated_at = now()`.execute(trx);
    }
    const { rows: gone } = await sql<{ ip: string }>`
      UPDATE ip_addresses SET stale_since = now()
       WHERE interface_id IN (SELECT id FROM interfaces WHERE device_id = ${deviceId})
         AND seen_run_id IS DISTINCT FROM ${runId}::uuid AND stale_since IS NULL
      RETURNING host(ip) AS ip, device_id`.execute(trx);
    // Only addresses that identify the device are history; a loopback coming and going is not.
    for (const row of gone.filter((entry) => isIdentityAddress(entry.ip))) {
      events.push({
        deviceId,
        kind: 'ip_removed',
        runId,
        summary: `IP ${row.ip} no longer reported`,
        details: { ip: row.ip, reason: 'not_reported' },
      });
    }
    written.addresses = rows.length;
  }

  if (report.vlans.ok) {
    const vlansBefore = await currentVlans(trx, deviceId);
    const { vlans, memberships } = report.vlans.value;
    if (vlans.length > 0) {
      await sql`
        INSERT INTO device_vlans (device_id, vlan_id, name, seen_run_id)
        SELECT ${deviceId}::uuid, v, n, ${runId}::uuid
          FROM unnest(${sql.val(vlans.map((v) => v.vlanId))}::int[], ${sql.val(vlans.map((v) => v.name))}::text[]) AS t(v, n)
        ON CONFLICT (device_id, vlan_id) DO UPDATE SET name = EXCLUDED.name, seen_run_id = EXCLUDED.seen_run_id,
          observed_at = now(), stale_since = NULL`.execute(trx);
    }
    await sql`
      UPDATE device_vlans SET stale_since = now()
       WHERE device_id = ${deviceId} AND seen_run_id IS DISTINCT FROM ${runId}::uuid AND stale_since IS NULL`.execute(
      trx,
    );
    const mapped = memberships
      .map((membership) => ({ ...membership, interfaceId: idOf(membership.ifIndex) }))
      .filter((row): row is typeof row & { interfaceId: string } => row.interfaceId !== null && row.vlanId > 0);
    const pvids = mapped.filter((row) => row.role === 'pvid');
    const members = mapped.filter((row) => row.role !== 'pvid');
    if (pvids.length > 0) {
      await sql`
        INSERT INTO interface_vlans (interface_id, vlan_id, role, source, observed_at, seen_run_id)
        SELECT i, v, 'pvid', 'snmp', now(), ${runId}::uuid
          FROM unnest(${sql.val(pvids.map((r) => r.interfaceId))}::uuid[], ${sql.val(pvids.map((r) => r.vlanId))}::int[]) AS t(i, v)
        ON CONFLICT (interface_id) WHERE role = 'pvid'
        DO UPDATE SET vlan_id = EXCLUDED.vlan_id, observed_at = now(), seen_run_id = EXCLUDED.seen_run_id,
                      stale_since = NULL`.execute(trx);
    }
    if (members.length > 0) {
      await sql`
        INSERT INTO interface_vlans (interface_id, vlan_id, role, source, observed_at, seen_run_id)
        SELECT i, v, r, 'snmp', now(), ${runId}::uuid
          FROM unnest(${sql.val(members.map((r) => r.interfaceId))}::uuid[], ${sql.val(members.map((r) => r.vlanId))}::int[],
                      ${sql.val(members.map((r) => r.role))}::text[]) AS t(i, v, r)
        ON CONFLICT (interface_id, role, vlan_id)
        DO UPDATE SET observed_at = now(), seen_run_id = EXCLUDED.seen_run_id, stale_since = NULL`.execute(trx);
    }
    await sql`
      UPDATE interface_vlans SET stale_since = now()
       WHERE interface_id IN (SELECT id FROM interfaces WHERE device_id = ${deviceId})
         AND seen_run_id IS DISTINCT FROM ${runId}::uuid AND stale_since IS NULL`.execute(trx);
    written.vlans = pvids.length + members.length;
    events.push(...vlanChanges(deviceId, runId, vlansBefore, await currentVlans(trx, deviceId)));
  }

  if (report.fdb.ok) {
    const entries = dedupeFdb(report.fdb.value.map((entry) => ({ ...entry, interfaceId: idOf(entry.ifIndex) })));
    if (entries.length > 0) {
      await sql`
        INSERT INTO fdb_entries (device_id, interface_id, mac, vlan_id, seen_run_id, observed_at)
        SELECT ${deviceId}::uuid, i, m, v, ${runId}::uuid, now()
          FROM unnest(${sql.val(entries.map((e) => e.interfaceId))}::uuid[], ${sql.val(entries.map((e) => e.mac))}::macaddr[],
                      ${sql.val(entries.map((e) => e.vlanId))}::int[]) AS t(i, m, v)
        ON CONFLICT (device_id, mac, vlan_id)
        DO UPDATE SET interface_id = EXCLUDED.interface_id, seen_run_id = EXCLUDED.seen_run_id, observed_at = now(),
                      stale_since = NULL`.execute(trx);
    }
    await sql`
      UPDATE fdb_entries SET stale_since = now()
       WHERE device_id = ${deviceId} AND seen_run_id IS DISTINCT FROM ${runId}::uuid AND stale_since IS NULL`.execute(
      trx,
    );
    written.fdb = entries.length;
  }
  await recordDeviceEvents(trx, events);
  return written;
}

const IDENTITY_FIELDS = ['sys_name', 'sys_descr', 'sys_object_id', 'sys_location', 'sys_contact'] as const;
type SnmpIdentity = Record<(typeof IDENTITY_FIELDS)[number], string | null>;

/**
 * An snmp_changed event when the system identity differs from the last successful poll (or there
 * was none): uptime and every other per-poll value are not identity and never make an event.
 */
function identityChange(
  deviceId: string,
  runId: string,
  previous: (SnmpIdentity & { last_success_at: string | null }) | undefined,
  next: SnmpIdentity,
): NewDeviceEvent | undefined {
  const before = previous?.last_success_at ? previous : undefined;
  const changed = IDENTITY_FIELDS.filter((field) => (before ? before[field] : null) !== next[field]);
  if (before ? changed.length === 0 : IDENTITY_FIELDS.every((field) => next[field] === null)) return undefined;
  const pick = (row: SnmpIdentity) => Object.fromEntries(IDENTITY_FIELDS.map((field) => [field, row[field]]));
  return {
    deviceId,
    kind: 'snmp_changed',
    runId,
    summary: before
      ? `SNMP ${changed.join(', ')} changed`
      : `SNMP identity first seen${next.sys_name ? `: ${next.sys_name}` : ''}`,
    details: { changed, before: before ? pick(before) : null, after: pick(next) },
  };
}

interface InterfaceVlans {
  name: string | null;
  pvid: number | null;
  tagged: number[];
  untagged: number[];
}

/** The device's current (not stale) VLAN facts per interface. */
async function currentVlans(trx: Kysely<Schema>, deviceId: string): Promise<Map<string, InterfaceVlans>> {
  const { rows } = await sql<{ interface_id: string; name: string | null; vlan_id: number; role: string }>`
    SELECT v.interface_id, i.name, v.vlan_id, v.role FROM interface_vlans v JOIN interfaces i ON i.id = v.interface_id
     WHERE i.device_id = ${deviceId} AND v.stale_since IS NULL
     ORDER BY v.interface_id, v.role, v.vlan_id`.execute(trx);
  const byInterface = new Map<string, InterfaceVlans>();
  for (const row of rows) {
    let entry = byInterface.get(row.interface_id);
    if (!entry) {
      entry = { name: row.name, pvid: null, tagged: [], untagged: [] };
      byInterface.set(row.interface_id, entry);
    }
    if (row.role === 'pvid') entry.pvid = row.vlan_id;
    else if (row.role === 'tagged') entry.tagged.push(row.vlan_id);
    else if (row.role === 'untagged') entry.untagged.push(row.vlan_id);
  }
  return byInterface;
}

/** One vlan_changed event per interface whose PVID or membership changed. */
function vlanChanges(
  deviceId: string,
  runId: string,
  before: ReadonlyMap<string, InterfaceVlans>,
  after: ReadonlyMap<string, InterfaceVlans>,
): NewDeviceEvent[] {
  const empty: InterfaceVlans = { name: null, pvid: null, tagged: [], untagged: [] };
  const events: NewDeviceEvent[] = [];
  const ids = [...new Set([...before.keys(), ...after.keys()])];
  const members = (entry: InterfaceVlans) => [
    ...entry.tagged.map((vlan) => `tagged:${vlan}`),
    ...entry.untagged.map((vlan) => `untagged:${vlan}`),
  ];
  const toList = (keys: string[], role: string) =>
    keys.filter((key) => key.startsWith(`${role}:`)).map((key) => Number(key.slice(role.length + 1)));
  for (const id of ids) {
    const old = before.get(id) ?? empty;
    const now = after.get(id) ?? empty;
    const oldMembers = new Set(members(old));
    const newMembers = new Set(members(now));
    const added = [...newMembers].filter((key) => !oldMembers.has(key));
    const removed = [...oldMembers].filter((key) => !newMembers.has(key));
    if (old.pvid === now.pvid && added.length === 0 && removed.length === 0) continue;
    const name = now.name ?? old.name ?? id;
    const parts: string[] = [];
    if (old.pvid !== now.pvid) parts.push(`PVID ${old.pvid ?? 'none'} → ${now.pvid ?? 'none'}`);
    if (added.length > 0) parts.push(`added ${added.join(', ')}`);
    if (removed.length > 0) parts.push(`removed ${removed.join(', ')}`);
    events.push({
      deviceId,
      kind: 'vlan_changed',
      runId,
      summary: `VLANs of ${name} changed: ${parts.join('; ')}`,
      details: {
        interface: now.name ?? old.name,
        interface_id: id,
        pvid: { from: old.pvid, to: now.pvid },
        added: { tagged: toList(added, 'tagged'), untagged: toList(added, 'untagged') },
        removed: { tagged: toList(removed, 'tagged'), untagged: toList(removed, 'untagged') },
      },
    });
  }
  return events.sort((a, b) => String(a.details?.interface ?? '').localeCompare(String(b.details?.interface ?? '')));
}

/** Keeps the device's last good SNMP facts and records why this attempt failed. */
export async function saveSnmpFailure(
  trx: Kysely<Schema>,
  deviceId: string,
  address: string,
  error: string,
): Promise<void> {
  await sql`
    INSERT INTO device_snmp (device_id, address, last_error, updated_at)
    VALUES (${deviceId}, ${address}::inet, ${error}, now())
    ON CONFLICT (device_id) DO UPDATE SET address = EXCLUDED.address, last_error = EXCLUDED.last_error,
      updated_at = now()`.execute(trx);
}

async function saveInterfaces(
  trx: Kysely<Schema>,
  runId: string,
  deviceId: string,
  interfaces: readonly SnmpInterface[],
): Promise<number> {
  const rows = [...new Map(interfaces.map((entry) => [entry.ifIndex, entry])).values()];
  if (rows.length > 0) {
    // A port first known only as a neighbour's remote end (a stub with a name, no ifIndex) becomes
    // the real interface once the device itself is walked, so links keep pointing at it.
    await sql`
      UPDATE interfaces s SET ifindex = r.x
        FROM unnest(${sql.val(rows.map((r) => r.ifIndex))}::int[], ${sql.val(rows.map((r) => r.name))}::text[]) AS r(x, n)
       WHERE s.device_id = ${deviceId} AND s.ifindex IS NULL AND r.n IS NOT NULL AND s.name = r.n
         AND NOT EXISTS (SELECT 1 FROM interfaces o WHERE o.device_id = s.device_id AND o.ifindex = r.x)`.execute(trx);
    const column = <K extends keyof SnmpInterface>(key: K) => sql.val(rows.map((row) => row[key]));
    await sql`
      INSERT INTO interfaces (device_id, ifindex, name, descr, alias, mac, admin_status, oper_status, mtu, speed_bps,
                              source, seen_run_id)
      SELECT ${deviceId}::uuid, x, n, d, a, m, ad, op, mt, sp, 'snmp', ${runId}::uuid
        FROM unnest(${column('ifIndex')}::int[], ${column('name')}::text[], ${column('descr')}::text[],
                    ${column('alias')}::text[], ${column('mac')}::macaddr[], ${column('adminStatus')}::int[],
                    ${column('operStatus')}::int[], ${column('mtu')}::int[], ${column('speedBps')}::bigint[])
             AS t(x, n, d, a, m, ad, op, mt, sp)
      ON CONFLICT (device_id, ifindex) DO UPDATE SET name = EXCLUDED.name, descr = EXCLUDED.descr,
        alias = EXCLUDED.alias, mac = EXCLUDED.mac, admin_status = EXCLUDED.admin_status,
        oper_status = EXCLUDED.oper_status, mtu = EXCLUDED.mtu, speed_bps = EXCLUDED.speed_bps, source = 'snmp',
        seen_run_id = EXCLUDED.seen_run_id, stale_since = NULL, updated_at = now()`.execute(trx);
  }
  await sql`
    UPDATE interfaces SET stale_since = now()
     WHERE device_id = ${deviceId} AND source = 'snmp' AND seen_run_id IS DISTINCT FROM ${runId}::uuid
       AND stale_since IS NULL`.execute(trx);

  // The device's own MACs: one row per distinct MAC, attached to the lowest ifIndex reporting it
  // (switch ports often all report the base MAC), so an ARP sighting of any of them finds this device.
  const firstByMac = new Map<string, number>();
  for (const row of [...rows].sort((a, b) => a.ifIndex - b.ifIndex)) {
    if (row.mac && !firstByMac.has(row.mac)) firstByMac.set(row.mac, row.ifIndex);
  }
  const macs = [...firstByMac.keys()];
  if (macs.length > 0) {
    await sql`
      INSERT INTO mac_addresses (device_id, interface_id, mac, source, seen_run_id, vendor, locally_administered)
      SELECT ${deviceId}::uuid, i.id, t.m, 'snmp', ${runId}::uuid, t.v, t.l
        FROM unnest(${sql.val(macs)}::macaddr[], ${sql.val(macs.map((mac) => firstByMac.get(mac)))}::int[],
                    ${sql.val(macs.map(macVendor))}::text[], ${sql.val(macs.map(isLocallyAdministered))}::boolean[])
             AS t(m, x, v, l)
        JOIN interfaces i ON i.device_id = ${deviceId} AND i.ifindex = t.x
      ON CONFLICT (device_id, mac) WHERE device_id IS NOT NULL
      DO UPDATE SET interface_id = EXCLUDED.interface_id, seen_run_id = EXCLUDED.seen_run_id, stale_since = NULL,
                    vendor = EXCLUDED.vendor, locally_administered = EXCLUDED.locally_administered,
                    source = COALESCE(mac_addresses.source, EXCLUDED.source), updated_at = now()`.execute(trx);
  }
  await sql`
    UPDATE mac_addresses SET stale_since = now()
     WHERE device_id = ${deviceId} AND source = 'snmp' AND seen_run_id IS DISTINCT FROM ${runId}::uuid
       AND stale_since IS NULL`.execute(trx);
  return rows.length;
}

async function interfaceIdsByIfIndex(trx: Kysely<Schema>, deviceId: string): Promise<Map<number, string>> {
  const { rows } = await sql<{ id: string; ifindex: number }>`
    SELECT id, ifindex FROM interfaces WHERE device_id = ${deviceId} AND ifindex IS NOT NULL`.execute(trx);
  return new Map(rows.map((row) => [row.ifindex, row.id]));
}

/** One row per (MAC, VLAN): a MAC learnt twice in one VLAN keeps the first port reported. */
function dedupeFdb<T extends { mac: string; vlanId: number | null }>(entries: readonly T[]): T[] {
  const seen = new Map<string, T>();
  for (const entry of entries) {
    const key = `${entry.mac}|${entry.vlanId ?? ''}`;
    if (!seen.has(key)) seen.set(key, entry);
  }
  return [...seen.values()];
}
