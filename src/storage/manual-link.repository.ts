import { type Kysely, sql } from 'kysely';
import type { NewDeviceEvent } from '../domain/device-events.ts';
import { type CanonicalLink, canonicalLink, linkKey, matchSighting, mergeEndpoints } from '../domain/link-identity.ts';
import { recordDeviceEvents } from './device-events.writer.ts';
import { refreshDeviceSummaries } from './device-summary.ts';
import type { Schema } from './schema.ts';

export type LinkType = 'ethernet' | 'wireless' | 'virtual';

/** One end as the operator named it: a port by id, by name (created as a stub when unknown), or none. */
export interface ManualLinkEndInput {
  deviceId: string;
  interfaceId?: string;
  interfaceName?: string;
}

export interface ManualLinkInput {
  a: ManualLinkEndInput;
  b: ManualLinkEndInput;
  linkType: LinkType | null;
  label: string | null;
  notes: string | null;
}

export interface ManualLinkPatch {
  linkType?: LinkType | null;
  label?: string | null;
  notes?: string | null;
}

export interface ManualLinkRow {
  id: string;
  link_key: string;
  a_device_id: string;
  a_device_name: string | null;
  a_interface_id: string | null;
  a_interface_name: string | null;
  b_device_id: string;
  b_device_name: string | null;
  b_interface_id: string | null;
  b_interface_name: string | null;
  link_type: LinkType | null;
  label: string | null;
  notes: string | null;
  source: string;
  protocols: string[];
  stale: boolean;
  observed_at: string | null;
  created_at: string;
  updated_at: string;
}

export type CreateManualLinkResult =
  | { kind: 'created'; row: ManualLinkRow; adopted: boolean }
  | { kind: 'device_not_found'; id: string }
  | { kind: 'interface_not_on_device'; end: 'a' | 'b'; interfaceId: string }
  /** The cable already has a curated link. */
  | { kind: 'duplicate'; id: string }
  /** Several stored links fit the ends equally well: the operator must name the ports. */
  | { kind: 'ambiguous'; ids: string[] };

const CURATED = sql`'manual' = ANY(l.protocols)`;

function selectLinks() {
  return sql`
    SELECT l.id, l.link_key, l.a_device_id, ad.display_name AS a_device_name, l.a_interface_id,
           ai.name AS a_interface_name, l.b_device_id, bd.display_name AS b_device_name, l.b_interface_id,
           bi.name AS b_interface_name, l.link_type, l.label, l.notes, l.source, l.protocols,
           (l.stale_since IS NOT NULL) AS stale, l.observed_at, l.created_at, l.updated_at
      FROM links l
      LEFT JOIN devices ad ON ad.id = l.a_device_id
      LEFT JOIN devices bd ON bd.id = l.b_device_id
      LEFT JOIN interfaces ai ON ai.id = l.a_interface_id
      LEFT JOIN interfaces bi ON bi.id = l.b_interface_id`;
}

/**
 * Curated links (build mode). They are rows of `links` like the ones LLDP/CDP write, so a cable is
 * one row whoever reported it: a manual link for a cable discovery already knows adopts that row
 * (adds 'manual' to its protocols) instead of inserting a second one. Discovery never marks a
 * curated link stale nor changes its ends (enrichment/neighbours.writer.ts); only this repository
 * edits or removes it.
 */
export class ManualLinkRepository {
  constructor(private readonly db: Kysely<Schema>) {}

  async list(): Promise<ManualLinkRow[]> {
    const { rows } = await sql<ManualLinkRow>`${selectLinks()} WHERE ${CURATED}
      ORDER BY l.created_at, l.id`.execute(this.db);
    return rows;
  }

  async get(id: string, db: Kysely<Schema> = this.db): Promise<ManualLinkRow | undefined> {
    const { rows } = await sql<ManualLinkRow>`${selectLinks()} WHERE l.id = ${id} AND ${CURATED}`.execute(db);
    return rows[0];
  }

  async create(input: ManualLinkInput, actor: string): Promise<CreateManualLinkResult> {
    return this.db.transaction().execute(async (trx): Promise<CreateManualLinkResult> => {
      for (const end of [input.a, input.b]) {
        const { rows } = await sql`SELECT 1 FROM devices WHERE id = ${end.deviceId} FOR SHARE`.execute(trx);
        if (rows.length === 0) return { kind: 'device_not_found', id: end.deviceId };
      }
      const ends: (string | null)[] = [];
      for (const [name, end] of [
        ['a', input.a],
        ['b', input.b],
      ] as const) {
        const resolved = await resolvePort(trx, end);
        if (resolved === false)
          return { kind: 'interface_not_on_device', end: name, interfaceId: end.interfaceId ?? '' };
        ends.push(resolved);
      }
      const wanted = canonicalLink(
        { deviceId: input.a.deviceId, interfaceId: ends[0] ?? null },
        { deviceId: input.b.deviceId, interfaceId: ends[1] ?? null },
      );
      const { rows: pair } = await sql<{
        id: string;
        a_device_id: string;
        a_interface_id: string | null;
        b_device_id: string;
        b_interface_id: string | null;
        protocols: string[];
      }>`
        SELECT id, a_device_id, a_interface_id, b_device_id, b_interface_id, protocols FROM links
         WHERE (a_device_id = ${wanted.a.deviceId} AND b_device_id = ${wanted.b.deviceId})
            OR (a_device_id = ${wanted.b.deviceId} AND b_device_id = ${wanted.a.deviceId})
         ORDER BY id FOR UPDATE`.execute(trx);
      const stored = pair.map((row) => ({
        id: row.id,
        protocols: row.protocols,
        a: { deviceId: row.a_device_id, interfaceId: row.a_interface_id },
        b: { deviceId: row.b_device_id, interfaceId: row.b_interface_id },
      }));
      const match = matchSighting(stored, wanted);
      if (match.kind === 'ambiguous') return { kind: 'ambiguous', ids: match.links.map((link) => link.id) };
      let id: string;
      let adopted = false;
      if (match.kind === 'match') {
        if (match.link.protocols.includes('manual')) return { kind: 'duplicate', id: match.link.id };
        // The cable discovery reported: curate that row, filling the ports only one side knew.
        const filled: CanonicalLink = mergeEndpoints(match.link, wanted) ?? canonicalLink(match.link.a, match.link.b);
        const key = linkKey(filled.a, filled.b);
        const { rows: clash } = await sql<{ id: string }>`
          SELECT id FROM links WHERE link_key = ${key} AND id <> ${match.link.id}`.execute(trx);
        if (clash[0]) return { kind: 'ambiguous', ids: [match.link.id, clash[0].id].sort() };
        await sql`
          UPDATE links SET link_key = ${key}, a_device_id = ${filled.a.deviceId}, a_interface_id = ${filled.a.interfaceId},
                 b_device_id = ${filled.b.deviceId}, b_interface_id = ${filled.b.interfaceId}, source = 'manual',
                 protocols = ARRAY(SELECT DISTINCT unnest(protocols || 'manual'::text) ORDER BY 1),
                 link_type = COALESCE(${input.linkType}, link_type), label = ${input.label}, notes = ${input.notes},
                 stale_since = NULL, updated_at = now()
           WHERE id = ${match.link.id}`.execute(trx);
        id = match.link.id;
        adopted = true;
      } else {
        const { rows } = await sql<{ id: string }>`
          INSERT INTO links (link_key, a_device_id, a_interface_id, b_device_id, b_interface_id, link_type, source,
                             protocols, label, notes)
          VALUES (${linkKey(wanted.a, wanted.b)}, ${wanted.a.deviceId}, ${wanted.a.interfaceId}, ${wanted.b.deviceId},
                  ${wanted.b.interfaceId}, ${input.linkType}, 'manual', ARRAY['manual']::text[], ${input.label},
                  ${input.notes})
          ON CONFLICT (link_key) DO NOTHING
          RETURNING id`.execute(trx);
        if (!rows[0]) {
          const { rows: existing } = await sql<{ id: string }>`
            SELECT id FROM links WHERE link_key = ${linkKey(wanted.a, wanted.b)}`.execute(trx);
          return { kind: 'duplicate', id: existing[0]?.id ?? '' };
        }
        id = rows[0].id;
      }
      const row = await this.get(id, trx);
      if (!row) throw new Error('curated link vanished in its own transaction');
      await recordDeviceEvents(trx, linkEvents(row, 'manual_link_added', actor, adopted));
      await refreshDeviceSummaries(trx, [row.a_device_id, row.b_device_id]);
      return { kind: 'created', row, adopted };
    });
  }

  async update(id: string, patch: ManualLinkPatch): Promise<ManualLinkRow | undefined> {
    return this.db.transaction().execute(async (trx) => {
      const { rows } = await sql<{ id: string }>`
        UPDATE links l SET
               link_type = ${patch.linkType === undefined ? sql`link_type` : sql`${patch.linkType}`},
               label = ${patch.label === undefined ? sql`label` : sql`${patch.label}`},
               notes = ${patch.notes === undefined ? sql`notes` : sql`${patch.notes}`},
               updated_at = now()
         WHERE l.id = ${id} AND ${CURATED}
        RETURNING id`.execute(trx);
      if (!rows[0]) return undefined;
      return this.get(id, trx);
    });
  }

  /**
   * Removes the curation. A cable only the operator knew is deleted; one discovery also reports
   * goes back to being a discovered link (its own protocols, no label or notes).
   */
  async delete(id: string, actor: string): Promise<boolean> {
    return this.db.transaction().execute(async (trx) => {
      const { rows: locked } = await sql<{ id: string }>`
        SELECT l.id FROM links l WHERE l.id = ${id} AND ${CURATED} FOR UPDATE`.execute(trx);
      if (!locked[0]) return false;
      const row = await this.get(id, trx);
      if (!row) return false;
      const discovered = row.protocols.filter((protocol) => protocol !== 'manual');
      if (discovered.length === 0) {
        await sql`DELETE FROM links WHERE id = ${id}`.execute(trx);
      } else {
        await sql`
          UPDATE links SET protocols = ${sql.val(discovered)}::text[], source = ${discovered[0]}, label = NULL,
                 notes = NULL, updated_at = now()
           WHERE id = ${id}`.execute(trx);
      }
      await recordDeviceEvents(trx, linkEvents(row, 'manual_link_removed', actor, discovered.length > 0));
      await refreshDeviceSummaries(trx, [row.a_device_id, row.b_device_id]);
      return true;
    });
  }
}

/** The port id of one end: null for none, false when the id names another device's port. */
async function resolvePort(trx: Kysely<Schema>, end: ManualLinkEndInput): Promise<string | null | false> {
  if (end.interfaceId !== undefined) {
    const { rows } = await sql<{ id: string }>`
      SELECT id FROM interfaces WHERE id = ${end.interfaceId} AND device_id = ${end.deviceId}`.execute(trx);
    return rows[0]?.id ?? false;
  }
  if (end.interfaceName === undefined) return null;
  const { rows } = await sql<{ id: string }>`
    SELECT id FROM interfaces WHERE device_id = ${end.deviceId} AND name = ${end.interfaceName}
     ORDER BY ifindex NULLS LAST, id LIMIT 1`.execute(trx);
  if (rows[0]) return rows[0].id;
  // A port nobody walked yet: a stub, as the neighbour writer makes for a remote port.
  const { rows: inserted } = await sql<{ id: string }>`
    INSERT INTO interfaces (device_id, name, source) VALUES (${end.deviceId}, ${end.interfaceName}, 'manual')
    RETURNING id`.execute(trx);
  return inserted[0]?.id ?? null;
}

/** One event per end, naming the other end. */
function linkEvents(
  row: ManualLinkRow,
  kind: 'manual_link_added' | 'manual_link_removed',
  actor: string,
  discovered: boolean,
): NewDeviceEvent[] {
  return (['a', 'b'] as const).map((end) => {
    const local = end === 'a' ? row.a_device_id : row.b_device_id;
    const peer = end === 'a' ? row.b_device_id : row.a_device_id;
    const peerName = (end === 'a' ? row.b_device_name : row.a_device_name) ?? peer;
    const verb = kind === 'manual_link_added' ? 'added' : 'removed';
    return {
      deviceId: local,
      kind,
      actor,
      summary: `Manual link to ${peerName} ${verb}`,
      details: {
        link_id: row.id,
        peer_device_id: peer,
        local_interface_id: end === 'a' ? row.a_interface_id : row.b_interface_id,
        peer_interface_id: end === 'a' ? row.b_interface_id : row.a_interface_id,
        ...(row.label ? { label: row.label } : {}),
        // Added: the cable was already discovered. Removed: discovery still reports it, so the link stays.
        ...(discovered ? { discovered: true } : {}),
      },
    };
  });
}
