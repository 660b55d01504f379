import { type Kysely, sql } from 'kysely';
import type { NeighbourProtocol, NeighbourSighting } from '../../domain/enrichment.types.ts';
import {
  type CanonicalLink,
  canonicalLink,
  linkKey,
  matchSighting,
  mergeEndpoints,
} from '../../domain/link-identity.ts';
import { isLocallyAdministered, macVendor } from '../../domain/mac-vendor.ts';
import { MIN_AUTO_NAME_SCORE, normaliseNameCandidate } from '../../domain/naming.ts';
import { isIdentityAddress } from '../../shared/ip-math.ts';
import type { Schema } from '../schema.ts';
import { saveNameCandidates } from './names.writer.ts';

export interface NeighboursWritten {
  links: number;
  /** Devices the neighbour tables introduced (never scanned themselves). */
  devicesCreated: number;
  /** Every remote device touched, so the caller refreshes their summaries. */
  remoteDeviceIds: string[];
}

interface StoredLink extends CanonicalLink {
  id: string;
  protocols: string[];
}

/**
 * Turns LLDP/CDP neighbour sightings of one device into remote devices, remote ports and links
 * (SPEC §5.9.1 A.6, fixed): a neighbour's name never decides whether its link exists (G-17), and
 * one cable is one link whichever protocol and whichever end saw it (G-29). Links of a protocol
 * whose walk succeeded but no longer report a cable are marked stale (G-20).
 */
export async function saveNeighbours(
  trx: Kysely<Schema>,
  runId: string,
  localDeviceId: string,
  interfaceIds: ReadonlyMap<number, string>,
  walked: readonly NeighbourProtocol[],
  sightings: readonly NeighbourSighting[],
): Promise<NeighboursWritten> {
  const written: NeighboursWritten = { links: 0, devicesCreated: 0, remoteDeviceIds: [] };
  for (const sighting of sightings) {
    const remote = await resolveRemoteDevice(trx, sighting);
    if (remote.deviceId === localDeviceId) continue;
    if (remote.created) written.devicesCreated += 1;
    written.remoteDeviceIds.push(remote.deviceId);
    if (sighting.remoteChassisMac)
      await addMac(trx, runId, remote.deviceId, sighting.remoteChassisMac, sighting.protocol);
    const name = sighting.remoteSysName ?? null;
    if (name) {
      await saveNameCandidates(trx, remote.deviceId, null, [normaliseNameCandidate(sighting.protocol, name)]);
    }
    const localInterfaceId = sighting.localIfIndex === null ? null : (interfaceIds.get(sighting.localIfIndex) ?? null);
    const remoteInterfaceId = await resolveRemotePort(trx, runId, remote.deviceId, sighting);
    if (
      await upsertLink(
        trx,
        runId,
        sighting.protocol,
        localDeviceId,
        localInterfaceId,
        remote.deviceId,
        remoteInterfaceId,
      )
    ) {
      written.links += 1;
    }
  }
  for (const protocol of walked) {
    await sql`
      UPDATE links SET stale_since = now()
       WHERE (a_device_id = ${localDeviceId} OR b_device_id = ${localDeviceId}) AND ${protocol} = ANY(protocols)
         AND seen_run_id IS DISTINCT FROM ${runId}::uuid AND stale_since IS NULL`.execute(trx);
  }
  written.remoteDeviceIds = [...new Set(written.remoteDeviceIds)];
  return written;
}

/**
 * The device at the other end: by chassis MAC, else by an advertised management address that can
 * identify a device, else by the SNMP sysName a walked device reported; otherwise a new device
 * known only from its neighbour.
 */
async function resolveRemoteDevice(
  trx: Kysely<Schema>,
  sighting: NeighbourSighting,
): Promise<{ deviceId: string; created: boolean }> {
  if (sighting.remoteChassisMac) {
    const { rows } = await sql<{ device_id: string }>`
      SELECT device_id FROM mac_addresses WHERE mac = ${sighting.remoteChassisMac}::macaddr AND device_id IS NOT NULL
       ORDER BY created_at, id LIMIT 1`.execute(trx);
    if (rows[0]) return { deviceId: rows[0].device_id, created: false };
  }
  if (sighting.remoteManagementIp && isIdentityAddress(sighting.remoteManagementIp)) {
    const { rows } = await sql<{ device_id: string }>`
      SELECT device_id FROM ip_addresses WHERE ip = ${sighting.remoteManagementIp}::inet AND device_id IS NOT NULL
       ORDER BY created_at, id LIMIT 1`.execute(trx);
    if (rows[0]) return { deviceId: rows[0].device_id, created: false };
  }
  // A name identifies only when it is a real host name: "localhost" is every unconfigured box.
  const name = sighting.remoteSysName ? normaliseNameCandidate(sighting.protocol, sighting.remoteSysName) : undefined;
  const usableName = name?.valid && name.score >= MIN_AUTO_NAME_SCORE ? name : undefined;
  if (usableName) {
    const { rows } = await sql<{ device_id: string }>`
      SELECT device_id FROM device_snmp WHERE lower(sys_name) = lower(${sighting.remoteSysName}) LIMIT 2`.execute(trx);
    if (rows.length === 1 && rows[0]) return { deviceId: rows[0].device_id, created: false };
    // A neighbour-only device seen before under the same name from a neighbour table.
    const { rows: known } = await sql<{ device_id: string }>`
      SELECT DISTINCT device_id FROM device_name_candidates
       WHERE source IN ('lldp', 'cdp') AND name = ${usableName.name} LIMIT 2`.execute(trx);
    if (rows.length === 0 && known.length === 1 && known[0]) return { deviceId: known[0].device_id, created: false };
  }
  const { rows } = await sql<{ id: string }>`
    INSERT INTO devices (display_name, display_name_auto) VALUES (${usableName?.displayName ?? null}, true) RETURNING id`.execute(
    trx,
  );
  const created = rows[0];
  if (!created) throw new Error('device insert returned no row');
  // The advertised address lets the next walk, and the fold, find this device again (a host that
  // later answers ARP there adopts it: domain/identity.ts rule 4).
  if (sighting.remoteManagementIp && isIdentityAddress(sighting.remoteManagementIp)) {
    await sql`
      INSERT INTO ip_addresses (device_id, ip, source, seen_run_id)
      VALUES (${created.id}, ${sighting.remoteManagementIp}::inet, ${sighting.protocol}, NULL)
      ON CONFLICT (device_id, ip) WHERE device_id IS NOT NULL DO NOTHING`.execute(trx);
  }
  return { deviceId: created.id, created: true };
}

async function addMac(
  trx: Kysely<Schema>,
  runId: string,
  deviceId: string,
  mac: string,
  source: NeighbourProtocol,
): Promise<void> {
  await sql`
    INSERT INTO mac_addresses (device_id, mac, source, seen_run_id, vendor, locally_administered)
    VALUES (${deviceId}, ${mac}::macaddr, ${source}, ${runId}, ${macVendor(mac)}, ${isLocallyAdministered(mac)})
    ON CONFLICT (device_id, mac) WHERE device_id IS NOT NULL
    DO UPDATE SET seen_run_id = EXCLUDED.seen_run_id, stale_since = NULL, updated_at = now()`.execute(trx);
}

/**
 * The remote port as an interface of the remote device: an existing one whose name, description,
 * alias or MAC matches what the neighbour advertised, else a stub named after the port id, which
 * the remote device's own interface walk later adopts.
 */
async function resolveRemotePort(
  trx: Kysely<Schema>,
  runId: string,
  deviceId: string,
  sighting: NeighbourSighting,
): Promise<string | null> {
  const labels = [sighting.remotePortId, sighting.remotePortDescr].filter((label): label is string => !!label);
  if (labels.length === 0 && !sighting.remotePortMac) return null;
  const { rows } = await sql<{ id: string }>`
    SELECT id FROM interfaces
     WHERE device_id = ${deviceId}
       AND (name = ANY(${sql.val(labels)}::text[]) OR descr = ANY(${sql.val(labels)}::text[])
            OR alias = ANY(${sql.val(labels)}::text[])
            OR (${sighting.remotePortMac}::macaddr IS NOT NULL AND mac = ${sighting.remotePortMac}::macaddr))
     ORDER BY (name = ANY(${sql.val(labels)}::text[])) DESC, (descr = ANY(${sql.val(labels)}::text[])) DESC,
              ifindex NULLS LAST, id
     LIMIT 1`.execute(trx);
  if (rows[0]) return rows[0].id;
  const name = sighting.remotePortMac && sighting.remotePortDescr ? sighting.remotePortDescr : (labels[0] ?? null);
  const { rows: inserted } = await sql<{ id: string }>`
    INSERT INTO interfaces (device_id, name, descr, mac, source, seen_run_id)
    VALUES (${deviceId}, ${name}, ${sighting.remotePortDescr}, ${sighting.remotePortMac}::macaddr, ${sighting.protocol},
            ${runId})
    RETURNING id`.execute(trx);
  return inserted[0]?.id ?? null;
}

/** Inserts the cable or merges the sighting into the stored link that is the same cable. */
async function upsertLink(
  trx: Kysely<Schema>,
  runId: string,
  protocol: NeighbourProtocol,
  localDeviceId: string,
  localInterfaceId: string | null,
  remoteDeviceId: string,
  remoteInterfaceId: string | null,
): Promise<boolean> {
  const sighting = canonicalLink(
    { deviceId: localDeviceId, interfaceId: localInterfaceId },
    { deviceId: remoteDeviceId, interfaceId: remoteInterfaceId },
  );
  const { rows } = await sql<{
    id: string;
    a_device_id: string;
    a_interface_id: string | null;
    b_device_id: string;
    b_interface_id: string | null;
    protocols: string[];
  }>`
    SELECT id, a_device_id, a_interface_id, b_device_id, b_interface_id, protocols FROM links
     WHERE (a_device_id = ${sighting.a.deviceId} AND b_device_id = ${sighting.b.deviceId})
        OR (a_device_id = ${sighting.b.deviceId} AND b_device_id = ${sighting.a.deviceId})
     FOR UPDATE`.execute(trx);
  const stored: StoredLink[] = rows.map((row) => ({
    id: row.id,
    protocols: row.protocols,
    a: { deviceId: row.a_device_id, interfaceId: row.a_interface_id },
    b: { deviceId: row.b_device_id, interfaceId: row.b_interface_id },
  }));
  const match = matchSighting(stored, sighting);
  if (match.kind === 'ambiguous') {
    // Parallel cables and a sighting that names neither port: confirm them all, change none.
    await sql`
      UPDATE links SET seen_run_id = ${runId}, stale_since = NULL, observed_at = now(),
             protocols = ARRAY(SELECT DISTINCT unnest(protocols || ${protocol}::text) ORDER BY 1)
       WHERE id = ANY(${sql.val(match.links.map((link) => link.id))}::uuid[])`.execute(trx);
    return false;
  }
  if (match.kind === 'new') {
    await sql`
      INSERT INTO links (link_key, a_device_id, a_interface_id, b_device_id, b_interface_id, link_type, source,
                         observed_at, seen_run_id, protocols)
      VALUES (${linkKey(sighting.a, sighting.b)}, ${sighting.a.deviceId}, ${sighting.a.interfaceId},
              ${sighting.b.deviceId}, ${sighting.b.interfaceId}, 'ethernet', ${protocol}, now(), ${runId},
              ${sql.val([protocol])}::text[])
      ON CONFLICT (link_key) DO UPDATE SET observed_at = now(), seen_run_id = EXCLUDED.seen_run_id,
        stale_since = NULL, updated_at = now()`.execute(trx);
    return true;
  }
  const filled = mergeEndpoints(match.link, sighting) ?? canonicalLink(match.link.a, match.link.b);
  const key = linkKey(filled.a, filled.b);
  const clash = await sql<{
    id: string;
  }>`SELECT id FROM links WHERE link_key = ${key} AND id <> ${match.link.id}`.execute(trx);
  // Filling in a port can make this link the twin of another stored row: keep that one.
  const target = clash.rows[0]?.id ?? match.link.id;
  if (target !== match.link.id) await sql`DELETE FROM links WHERE id = ${match.link.id}`.execute(trx);
  await sql`
    UPDATE links SET link_key = ${key}, a_device_id = ${filled.a.deviceId}, a_interface_id = ${filled.a.interfaceId},
           b_device_id = ${filled.b.deviceId}, b_interface_id = ${filled.b.interfaceId}, observed_at = now(),
           seen_run_id = ${runId}, stale_since = NULL, updated_at = now(),
           protocols = ARRAY(SELECT DISTINCT unnest(protocols || ${sql.val([...match.link.protocols, protocol])}::text[]) ORDER BY 1)
     WHERE id = ${target}`.execute(trx);
  return true;
}
