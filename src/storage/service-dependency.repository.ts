import { type Kysely, sql } from 'kysely';
import type { Schema } from './schema.ts';
import { uniqueViolation } from './zone.repository.ts';

export interface ServiceDependencyRow {
  id: string;
  from_device_id: string;
  from_device_name: string | null;
  from_service_id: string | null;
  to_device_id: string;
  to_device_name: string | null;
  to_service_id: string | null;
  source: 'manual' | 'imported' | 'inferred';
  description: string | null;
  created_at: string;
  updated_at: string;
}

/** One end: a service (its host device is looked up) or a device on its own. */
export type DependencyEnd = { serviceId: string } | { deviceId: string };

export type DependencyCreateResult =
  | { kind: 'ok'; row: ServiceDependencyRow }
  | { kind: 'not_found'; entity: 'service' | 'device'; id: string }
  | { kind: 'self' }
  | { kind: 'duplicate' };

const select = sql`
  SELECT s.id, s.from_device_id, fd.display_name AS from_device_name, s.from_service_id, s.to_device_id,
         td.display_name AS to_device_name, s.to_service_id, s.source, s.description, s.created_at, s.updated_at
    FROM service_dependencies s
    JOIN devices fd ON fd.id = s.from_device_id
    JOIN devices td ON td.id = s.to_device_id`;

/**
 * "A depends on B" edges of the services layer. An end is a service row when discovery found one,
 * else a device (service id NULL): a dependency on a host whose services were never scanned.
 */
export class ServiceDependencyRepository {
  constructor(private readonly db: Kysely<Schema>) {}

  async list(filter: { deviceId?: string; serviceId?: string } = {}): Promise<ServiceDependencyRow[]> {
    const conditions = [];
    if (filter.deviceId !== undefined) {
      conditions.push(sql`(s.from_device_id = ${filter.deviceId} OR s.to_device_id = ${filter.deviceId})`);
    }
    if (filter.serviceId !== undefined) {
      conditions.push(sql`(s.from_service_id = ${filter.serviceId} OR s.to_service_id = ${filter.serviceId})`);
    }
    const where = conditions.length === 0 ? sql`` : sql`WHERE ${sql.join(conditions, sql` AND `)}`;
    const { rows } = await sql<ServiceDependencyRow>`${select} ${where}
      ORDER BY s.created_at, s.id`.execute(this.db);
    return rows;
  }

  async get(id: string, db: Kysely<Schema> = this.db): Promise<ServiceDependencyRow | undefined> {
    const { rows } = await sql<ServiceDependencyRow>`${select} WHERE s.id = ${id}`.execute(db);
    return rows[0];
  }

  async create(from: DependencyEnd, to: DependencyEnd, description: string | null): Promise<DependencyCreateResult> {
    try {
      return await this.db.transaction().execute(async (trx): Promise<DependencyCreateResult> => {
        const ends: { deviceId: string; serviceId: string | null }[] = [];
        for (const end of [from, to]) {
          const resolved = await resolveEnd(trx, end);
          if ('missing' in resolved) return { kind: 'not_found', ...resolved.missing };
          ends.push(resolved);
        }
        const [a, b] = ends as [(typeof ends)[0], (typeof ends)[0]];
        if (a.deviceId === b.deviceId && a.serviceId === b.serviceId) return { kind: 'self' };
        const { rows } = await sql<{ id: string }>`
          INSERT INTO service_dependencies (from_device_id, from_service_id, to_device_id, to_service_id, description)
          VALUES (${a.deviceId}, ${a.serviceId}, ${b.deviceId}, ${b.serviceId}, ${description})
          RETURNING id`.execute(trx);
        const row = rows[0] ? await this.get(rows[0].id, trx) : undefined;
        if (!row) throw new Error('dependency insert returned no row');
        return { kind: 'ok', row };
      });
    } catch (error) {
      if (uniqueViolation(error) === undefined) throw error;
      return { kind: 'duplicate' };
    }
  }

  async update(id: string, description: string | null): Promise<ServiceDependencyRow | undefined> {
    const { rows } = await sql<{ id: string }>`
      UPDATE service_dependencies SET description = ${description}, updated_at = now()
       WHERE id = ${id} RETURNING id`.execute(this.db);
    return rows[0] ? this.get(id) : undefined;
  }

  async delete(id: string): Promise<boolean> {
    const { rows } = await sql`DELETE FROM service_dependencies WHERE id = ${id} RETURNING id`.execute(this.db);
    return rows.length > 0;
  }
}

async function resolveEnd(
  trx: Kysely<Schema>,
  end: DependencyEnd,
): Promise<{ deviceId: string; serviceId: string | null } | { missing: { entity: 'service' | 'device'; id: string } }> {
  if ('serviceId' in end) {
    const { rows } = await sql<{ device_id: string }>`
      SELECT device_id FROM services WHERE id = ${end.serviceId} FOR SHARE`.execute(trx);
    const row = rows[0];
    return row
      ? { deviceId: row.device_id, serviceId: end.serviceId }
      : { missing: { entity: 'service', id: end.serviceId } };
  }
  const { rows } = await sql`SELECT 1 FROM devices WHERE id = ${end.deviceId} FOR SHARE`.execute(trx);
  return rows.length > 0
    ? { deviceId: end.deviceId, serviceId: null }
    : { missing: { entity: 'device', id: end.deviceId } };
}
