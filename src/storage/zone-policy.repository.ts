import { type Kysely, sql } from 'kysely';
import type { Schema } from './schema.ts';
import { uniqueViolation } from './zone.repository.ts';

export type PolicyProtocol = 'tcp' | 'udp' | 'icmp';
export type PolicyAction = 'allow' | 'deny';

export interface ZonePolicyRow {
  id: string;
  from_zone_id: string;
  to_zone_id: string;
  protocol: PolicyProtocol | null;
  ports: string | null;
  action: PolicyAction;
  description: string | null;
  created_at: string;
  updated_at: string;
}

export interface ZonePolicyInput {
  fromZoneId: string;
  toZoneId: string;
  protocol: PolicyProtocol | null;
  ports: string | null;
  action: PolicyAction;
  description: string | null;
}

export type ZonePolicyPatch = Partial<ZonePolicyInput>;

export type ZonePolicyWriteResult =
  | { kind: 'ok'; row: ZonePolicyRow }
  | { kind: 'not_found' }
  | { kind: 'zone_not_found'; id: string }
  | { kind: 'duplicate' };

const COLUMNS = sql`id, from_zone_id, to_zone_id, protocol, ports, action, description, created_at, updated_at`;

/** Allowed (or denied) flows between zones: the edges of the security layer. */
export class ZonePolicyRepository {
  constructor(private readonly db: Kysely<Schema>) {}

  /** By source zone, destination zone, protocol (any first), ports, id; optionally touching one zone. */
  async list(zoneId?: string): Promise<ZonePolicyRow[]> {
    const where = zoneId === undefined ? sql`` : sql`WHERE from_zone_id = ${zoneId} OR to_zone_id = ${zoneId}`;
    const { rows } = await sql<ZonePolicyRow>`
      SELECT ${COLUMNS} FROM zone_policies ${where}
       ORDER BY from_zone_id, to_zone_id, protocol NULLS FIRST, ports NULLS FIRST, id`.execute(this.db);
    return rows;
  }

  async get(id: string): Promise<ZonePolicyRow | undefined> {
    const { rows } = await sql<ZonePolicyRow>`SELECT ${COLUMNS} FROM zone_policies WHERE id = ${id}`.execute(this.db);
    return rows[0];
  }

  async create(input: ZonePolicyInput): Promise<ZonePolicyWriteResult> {
    return this.write(async (trx) => {
      const missing = await missingZone(trx, [input.fromZoneId, input.toZoneId]);
      if (missing) return { kind: 'zone_not_found', id: missing };
      const { rows } = await sql<ZonePolicyRow>`
        INSERT INTO zone_policies (from_zone_id, to_zone_id, protocol, ports, action, description)
        VALUES (${input.fromZoneId}, ${input.toZoneId}, ${input.protocol}, ${input.ports}, ${input.action},
                ${input.description})
        RETURNING ${COLUMNS}`.execute(trx);
      if (!rows[0]) throw new Error('policy insert returned no row');
      return { kind: 'ok', row: rows[0] };
    });
  }

  /** The merged result must still be a valid policy: the caller checks it against `current`. */
  async update(id: string, merged: ZonePolicyInput): Promise<ZonePolicyWriteResult> {
    return this.write(async (trx) => {
      const missing = await missingZone(trx, [merged.fromZoneId, merged.toZoneId]);
      if (missing) return { kind: 'zone_not_found', id: missing };
      const { rows } = await sql<ZonePolicyRow>`
        UPDATE zone_policies SET from_zone_id = ${merged.fromZoneId}, to_zone_id = ${merged.toZoneId},
               protocol = ${merged.protocol}, ports = ${merged.ports}, action = ${merged.action},
               description = ${merged.description}, updated_at = now()
         WHERE id = ${id}
        RETURNING ${COLUMNS}`.execute(trx);
      return rows[0] ? { kind: 'ok', row: rows[0] } : { kind: 'not_found' };
    });
  }

  async delete(id: string): Promise<boolean> {
    const { rows } = await sql`DELETE FROM zone_policies WHERE id = ${id} RETURNING id`.execute(this.db);
    return rows.length > 0;
  }

  private async write(body: (trx: Kysely<Schema>) => Promise<ZonePolicyWriteResult>): Promise<ZonePolicyWriteResult> {
    try {
      return await this.db.transaction().execute(body);
    } catch (error) {
      if (uniqueViolation(error) === undefined) throw error;
      return { kind: 'duplicate' };
    }
  }
}

async function missingZone(trx: Kysely<Schema>, ids: readonly string[]): Promise<string | undefined> {
  const { rows } = await sql<{ id: string }>`
    SELECT id FROM zones WHERE id = ANY(${sql.val([...ids])}::text[]) FOR SHARE`.execute(trx);
  const found = new Set(rows.map((row) => row.id));
  return ids.find((id) => !found.has(id));
}
