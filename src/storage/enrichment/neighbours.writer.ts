import { type Kysely, sql } from 'kysely';
import type { NewDeviceEvent } from '../../domain/device-events.ts';
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
import { recordDeviceEvents } from '../device-events.writer.ts';
import type { Schema } from '../schema.ts';
import { saveNameCandidates } from './names.writer.ts';

export interface NeighboursWritten {
  links: number;
  /** Devices the neighbour tables introduced (never scanned themselves). */
  devicesCreated: number;
  /** Every remote device touched, so the caller refreshes their summaries. */
  remoteDeviceIds: string[];
  /** Links that became current in this walk: new, or seen again after being stale. */
  linksAdded: LinkChange[];
  /** Links this walk marked stale; their link_removed events wait for the end of the run (below). */
  linksStale: LinkChange[];
}

interface StoredLink extends CanonicalLink {
  id: string;
  protocols: string[];
  stale: boolean;
}

/** A link that became current (new, or seen again after it was stale), or stopped being current. */
export interface LinkChange {
  id: string;
  a_device_id: string;
  a_interface_id: string | null;
  b_device_id: string;
  b_interface_id: string | null;
  protocols: string[];
  returned?: boolean;
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
  const written: NeighboursWritten = {
    links: 0,
    devicesCreated: 0,
    remoteDeviceIds: [],
    linksAdded: [],
    linksStale: [],
  };
  const events: NewDeviceEvent[] = [];
  for (const sighting of sightings) {
    const remote = await resolveRemoteDevice(trx, sighting);
    if (remote.deviceId === localDeviceId) continue;
    if (remote.created) {
      written.devicesCreated += 1;
      const ip = remote.ip;
      events.push({
        deviceId: remote.deviceId,
        kind: 'device_created',
        runId,
        summary: `Device discovered as a ${sighting.protocol.toUpperCase()} neighbour${sighting.remoteSysName ? ` (${sighting.remoteSysName})` : ''}`,
        details: {
          source: sighting.protocol,
          via_device_id: localDeviceId,
          ...(sighting.remoteSysName ? { name: sighting.remoteSysName } : {}),
          ...(ip ? { ip } : {}),
        },
      });
      if (ip) {
        events.push({
          deviceId: remote.deviceId,
          kind: 'ip_added',
          runId,
          summary: `IP ${ip} first seen`,
          details: { ip, source: sighting.protocol },
        });
      }
    }
    written.remoteDeviceIds.push(remote.deviceId);
    if (sighting.remoteChassisMac) {
      const macEvent = await addMac(trx, runId, remote.deviceId, sighting.remoteChassisMac, sighting.protocol);
      if (macEvent) events.push(macEvent);
    }
    const name = sighting.remoteSysName ?? null;
    if (name) {
      await saveNameCandidates(trx, remote.deviceId, null, [normaliseNameCandidate(sighting.protocol, name)], runId);
    }
    const localInterfaceId = sighting.localIfIndex === null ? null : (interfaceIds.get(sighting.localIfIndex) ?? null);
    const remoteInterfaceId = await resolveRemotePort(trx, runId, remote.deviceId, sighting);
    const link = await upsertLink(
      trx,
      runId,
      sighting.protocol,
      localDeviceId,
      localInterfaceId,
      remote.deviceId,
      remoteInterfaceId,
    );
    if (link.counted) written.links += 1;
    written.linksAdded.push(...link.added);
  }
  // Marking is per walk (G-20), but a cable one end reports and the other does not would then be
  // "removed" and "seen again" in every run, depending on which end is walked first: the caller
  // records link events once the whole run has spoken (EnrichmentRepository.recordLinkChanges).
  for (const protocol of walked) {
    const { rows } = await sql<LinkChange>`
      UPDATE links SET stale_since = now()
       WHERE (a_device_id = ${localDeviceId} OR b_device_id = ${localDeviceId}) AND ${protocol} = ANY(protocols)
         AND seen_run_id IS DISTINCT FROM ${runId}::uuid AND stale_since IS NULL
         -- A curated (build-mode) link stays current whatever discovery stops seeing.
         AND NOT ('manual' = ANY(protocols))
      RETURNING id, a_device_id, a_interface_id, b_device_id, b_interface_id, protocols`.execute(trx);
    written.linksStale.push(...rows);
  }
  await recordDeviceEvents(trx, events);
  written.remoteDeviceIds = [...new Set(written.remoteDeviceIds)];
  return written;
}

/** link_added / link_removed, once for each end of the cable, naming the other end. */
export async function linkEvents(
  trx: Kysely<Schema>,
  runId: string,
  added: readonly LinkChange[],
  removed: readonly LinkChange[],
): Promise<NewDeviceEvent[]> {
  const unique = (links: readonly LinkChange[]) => [...new Map(links.map((link) => [link.id, link])).values()];
  const changes = [
    ...unique(added).map((link) => ({ link, kind: 'link_added' as const })),
    ...unique(removed).map((link) => ({ link, kind: 'link_removed' as const })),
  ];
  if (changes.length === 0) return [];
  const ids = [...new Set(changes.flatMap(({ link }) => [link.a_device_id, link.b_device_id]))];
  const { rows } = await sql<{ id: string; display_name: string | null }>`
    SELECT id, display_name FROM devices WHERE id = ANY(${sql.val(ids)}::uuid[])`.execute(trx);
  const names = new Map(rows.map((row) => [row.id, row.display_name]));
  return changes.flatMap(({ link, kind }) =>
    (['a', 'b'] as const).map((end): NewDeviceEvent => {
      const local = end === 'a' ? link.a_device_id : link.b_device_id;
      const peer = end === 'a' ? link.b_device_id : link.a_device_id;
      const peerName = names.get(peer) ?? peer;
      return {
        deviceId: local,
        kind,
        runId,
        summary:
          kind === 'link_added'
            ? `Link to ${peerName} ${link.returned ? 'seen again' : 'added'}`
            : `Link to ${peerName} no longer seen`,
        details: {
          link_id: link.id,
          peer_device_id: peer,
          local_interface_id: end === 'a' ? link.a_interface_id : link.b_interface_id,
          peer_interface_id: end === 'a' ? link.b_interface_id : link.a_interface_id,
          protocols: link.protocols,
          ...(link.returned ? { returned: true } : {}),
        },
      };
    }),
  );
}

/**
 * The device at the other end: by chassis MAC, else by an advertised management address that can
 * identify a device, else by the SNMP sysName a walked device reported; otherwise a new device
 * known only from its neighbour.
 */
async function resolveRemoteDevice(
  trx: Kysely<Schema>,
  sighting: NeighbourSighting,
): Promise<{ deviceId: string; created: boolean; ip?: string }> {
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
    const { rows: ips } = await sql<{ ip: string }>`
      INSERT INTO ip_addresses (device_id, ip, source, seen_run_id)
      VALUES (${created.id}, ${sighting.remoteManagementIp}::inet, ${sighting.protocol}, NULL)
      ON CONFLICT (device_id, ip) WHERE device_id IS NOT NULL DO NOTHING
      RETURNING host(ip) AS ip`.execute(trx);
    if (ips[0]) return { deviceId: created.id, created: true, ip: ips[0].ip };
  }
  return { deviceId: created.id, created: true };
}

async function addMac(
  trx: Kysely<Schema>,
  runId: string,
  deviceId: string,
  mac: string,
  source: NeighbourProtocol,
): Promise<NewDeviceEvent | undefined> {
  const { rows } = await sql<{ mac: string; returned: boolean }>`
    WITH upserted AS (
      INSERT INTO mac_addresses (device_id, mac, source, seen_run_id, vendor, locally_administered)
      VALUES (${deviceId}, ${mac}::macaddr, ${source}, ${runId}, ${macVendor(mac)}, ${isLocallyAdministered(mac)})
      ON CONFLICT (device_id, mac) WHERE device_id IS NOT NULL
      DO UPDATE SET seen_run_id = EXCLUDED.seen_run_id, stale_since = NULL, updated_at = now()
      RETURNING device_id, mac
    )
    SELECT u.mac::text AS mac, (p.id IS NOT NULL) AS returned
      FROM upserted u LEFT JOIN mac_addresses p ON p.device_id = u.device_id AND p.mac = u.mac
     WHERE p.id IS NULL OR p.stale_since IS NOT NULL`.execute(trx);
  const row = rows[0];
  if (!row) return undefined;
  return {
    deviceId,
    kind: 'mac_added',
    runId,
    summary: row.returned ? `MAC ${row.mac} seen again` : `MAC ${row.mac} first seen`,
    details: { mac: row.mac, source, ...(row.returned ? { returned: true } : {}) },
  };
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
): Promise<{ counted: boolean; added: LinkChange[] }> {
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
    stale: boolean;
  }>`
    SELECT id, a_device_id, a_interface_id, b_device_id, b_interface_id, protocols, (stale_since IS NOT NULL) AS stale
      FROM links
     WHERE (a_device_id = ${sighting.a.deviceId} AND b_device_id = ${sighting.b.deviceId})
        OR (a_device_id = ${sighting.b.deviceId} AND b_device_id = ${sighting.a.deviceId})
     FOR UPDATE`.execute(trx);
  const stored: StoredLink[] = rows.map((row) => ({
    id: row.id,
    protocols: row.protocols,
    stale: row.stale,
    a: { deviceId: row.a_device_id, interfaceId: row.a_interface_id },
    b: { deviceId: row.b_device_id, interfaceId: row.b_interface_id },
  }));
  const match = matchSighting(stored, sighting);
  if (match.kind === 'ambiguous') {
    // Parallel cables and a sighting that names neither port: confirm them all, change none.
    const { rows: updated } = await sql<LinkChange & { was_stale: boolean }>`
      WITH updated AS (
        UPDATE links SET seen_run_id = ${runId}, stale_since = NULL, observed_at = now(),
               protocols = ARRAY(SELECT DISTINCT unnest(protocols || ${protocol}::text) ORDER BY 1)
         WHERE id = ANY(${sql.val(match.links.map((link) => link.id))}::uuid[])
        RETURNING id, a_device_id, a_interface_id, b_device_id, b_interface_id, protocols
      )
      SELECT u.*, true AS returned FROM updated u JOIN links p ON p.id = u.id WHERE p.stale_since IS NOT NULL`.execute(
      trx,
    );
    return { counted: false, added: updated };
  }
  if (match.kind === 'new') {
    const { rows: inserted } = await sql<LinkChange>`
      WITH upserted AS (
        INSERT INTO links (link_key, a_device_id, a_interface_id, b_device_id, b_interface_id, link_type, source,
                           observed_at, seen_run_id, protocols)
        VALUES (${linkKey(sighting.a, sighting.b)}, ${sighting.a.deviceId}, ${sighting.a.interfaceId},
                ${sighting.b.deviceId}, ${sighting.b.interfaceId}, 'ethernet', ${protocol}, now(), ${runId},
                ${sql.val([protocol])}::text[])
        ON CONFLICT (link_key) DO UPDATE SET observed_at = now(), seen_run_id = EXCLUDED.seen_run_id,
          stale_since = NULL, updated_at = now()
        RETURNING id, a_device_id, a_interface_id, b_device_id, b_interface_id, protocols
      )
      SELECT u.*, (p.id IS NOT NULL) AS returned
        FROM upserted u LEFT JOIN links p ON p.id = u.id
       WHERE p.id IS NULL OR p.stale_since IS NOT NULL`.execute(trx);
    return { counted: true, added: inserted };
  }
  // A curated (build-mode) link keeps the ends the operator gave it: discovery only confirms it.
  const curated = match.link.protocols.includes('manual');
  const filled =
    (curated ? undefined : mergeEndpoints(match.link, sighting)) ?? canonicalLink(match.link.a, match.link.b);
  const key = linkKey(filled.a, filled.b);
  const clash = await sql<{
    id: string;
    stale: boolean;
  }>`SELECT id, (stale_since IS NOT NULL) AS stale FROM links WHERE link_key = ${key} AND id <> ${match.link.id}`.execute(
    trx,
  );
  // Filling in a port can make this link the twin of another stored row: keep that one.
  const target = clash.rows[0]?.id ?? match.link.id;
  const wasStale = clash.rows[0] ? clash.rows[0].stale && match.link.stale : match.link.stale;
  if (target !== match.link.id) await sql`DELETE FROM links WHERE id = ${match.link.id}`.execute(trx);
  const { rows: updated } = await sql<LinkChange>`
    UPDATE links SET link_key = ${key}, a_device_id = ${filled.a.deviceId}, a_interface_id = ${filled.a.interfaceId},
           b_device_id = ${filled.b.deviceId}, b_interface_id = ${filled.b.interfaceId}, observed_at = now(),
           seen_run_id = ${runId}, stale_since = NULL, updated_at = now(),
           protocols = ARRAY(SELECT DISTINCT unnest(protocols || ${sql.val([...match.link.protocols, protocol])}::text[]) ORDER BY 1)
     WHERE id = ${target}
    RETURNING id, a_device_id, a_interface_id, b_device_id, b_interface_id, protocols`.execute(trx);
  return { counted: true, added: wasStale ? updated.map((link) => ({ ...link, returned: true })) : [] };
}
