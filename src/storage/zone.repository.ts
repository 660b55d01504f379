import { type Kysely, sql } from 'kysely';
import type { NewDeviceEvent } from '../domain/device-events.ts';
import { recordDeviceEvents } from './device-events.writer.ts';
import type { Schema } from './schema.ts';

export interface ZoneRow {
  id: string;
  name: string;
  description: string | null;
  color: string | null;
  device_count: number;
  created_at: string;
  updated_at: string;
}

export interface ZoneInput {
  id: string;
  name: string;
  description: string | null;
  color: string | null;
}

export interface ZonePatch {
  name?: string;
  description?: string | null;
  color?: string | null;
}

export interface ZoneMemberRow {
  device_id: string;
  display_name: string | null;
  created_at: string;
}

export type ZoneWriteResult =
  | { kind: 'ok'; row: ZoneRow }
  | { kind: 'not_found' }
  | { kind: 'duplicate'; field: 'id' | 'name' };

export type MemberAddResult =
  | { kind: 'ok'; row: ZoneMemberRow }
  | { kind: 'zone_not_found' }
  | { kind: 'device_not_found' }
  | { kind: 'duplicate' };

export type MemberRemoveResult = 'ok' | 'zone_not_found' | 'not_member';

const UNIQUE_VIOLATION = '23505';

/** The violated unique constraint's name ('' when unknown), or undefined for any other error. */
export function uniqueViolation(error: unknown): string | undefined {
  if (!error || typeof error !== 'object') return undefined;
  const { code, constraint } = error as { code?: unknown; constraint?: unknown };
  if (code !== UNIQUE_VIOLATION) return undefined;
  if (typeof constraint === 'string') return constraint;
  // PGlite may not name the constraint: read it from the message.
  const message = (error as { message?: unknown }).message;
  return typeof message === 'string' ? (/"([^"]+)"/.exec(message)?.[1] ?? '') : '';
}

const selectZones = sql`
  SELECT z.id, z.name, z.description, z.color, z.created_at, z.updated_at,
         (SELECT count(*)::int FROM device_zones m WHERE m.zone_id = z.id) AS device_count
    FROM zones z`;

function memberEvent(
  kind: 'zone_joined' | 'zone_left',
  deviceId: string,
  zone: { id: string; name: string },
  actor: string,
): NewDeviceEvent {
  return {
    deviceId,
    kind,
    actor,
    summary: kind === 'zone_joined' ? `Added to zone ${zone.name}` : `Removed from zone ${zone.name}`,
    details: { zone_id: zone.id, zone_name: zone.name },
  };
}

/** Zones and their device membership (build mode); membership changes are device history. */
export class ZoneRepository {
  constructor(private readonly db: Kysely<Schema>) {}

  async list(): Promise<ZoneRow[]> {
    const { rows } = await sql<ZoneRow>`${selectZones} ORDER BY lower(z.name), z.id`.execute(this.db);
    return rows;
  }

  async get(id: string, db: Kysely<Schema> = this.db): Promise<ZoneRow | undefined> {
    const { rows } = await sql<ZoneRow>`${selectZones} WHERE z.id = ${id}`.execute(db);
    return rows[0];
  }

  async create(input: ZoneInput): Promise<ZoneWriteResult> {
    try {
      return await this.db.transaction().execute(async (trx) => {
        await sql`INSERT INTO zones (id, name, description, color)
                  VALUES (${input.id}, ${input.name}, ${input.description}, ${input.color})`.execute(trx);
        const row = await this.get(input.id, trx);
        if (!row) throw new Error('zone vanished in its own transaction');
        return { kind: 'ok', row } as const;
      });
    } catch (error) {
      const constraint = uniqueViolation(error);
      if (constraint === undefined) throw error;
      return { kind: 'duplicate', field: constraint.includes('name') ? 'name' : 'id' };
    }
  }

  async update(id: string, patch: ZonePatch): Promise<ZoneWriteResult> {
    try {
      return await this.db.transaction().execute(async (trx) => {
        const { rows } = await sql<{ id: string }>`
          UPDATE zones SET
                 name = ${patch.name === undefined ? sql`name` : sql`${patch.name}`},
                 description = ${patch.description === undefined ? sql`description` : sql`${patch.description}`},
                 color = ${patch.color === undefined ? sql`color` : sql`${patch.color}`},
                 updated_at = now()
           WHERE id = ${id} RETURNING id`.execute(trx);
        if (!rows[0]) return { kind: 'not_found' } as const;
        const row = await this.get(id, trx);
        if (!row) throw new Error('zone vanished in its own transaction');
        return { kind: 'ok', row } as const;
      });
    } catch (error) {
      if (uniqueViolation(error) === undefined) throw error;
      return { kind: 'duplicate', field: 'name' };
    }
  }

  /** Deletes the zone, its memberships (each a `zone_left` event) and its policies. */
  async delete(id: string, actor: string): Promise<boolean> {
    return this.db.transaction().execute(async (trx) => {
      const { rows } = await sql<{ id: string; name: string }>`
        SELECT id, name FROM zones WHERE id = ${id} FOR UPDATE`.execute(trx);
      const zone = rows[0];
      if (!zone) return false;
      const { rows: members } = await sql<{ device_id: string }>`
        DELETE FROM device_zones WHERE zone_id = ${id} RETURNING device_id`.execute(trx);
      await sql`DELETE FROM zones WHERE id = ${id}`.execute(trx);
      const ids = members.map((member) => member.device_id).sort();
      await recordDeviceEvents(
        trx,
        ids.map((deviceId) => memberEvent('zone_left', deviceId, zone, actor)),
      );
      return true;
    });
  }

  async members(zoneId: string): Promise<ZoneMemberRow[]> {
    const { rows } = await sql<ZoneMemberRow>`
      SELECT m.device_id, d.display_name, m.created_at
        FROM device_zones m JOIN devices d ON d.id = m.device_id
       WHERE m.zone_id = ${zoneId}
       ORDER BY lower(d.display_name) NULLS LAST, m.device_id`.execute(this.db);
    return rows;
  }

  async addMember(zoneId: string, deviceId: string, actor: string): Promise<MemberAddResult> {
    return this.db.transaction().execute(async (trx): Promise<MemberAddResult> => {
      const { rows: zones } = await sql<{ id: string; name: string }>`
        SELECT id, name FROM zones WHERE id = ${zoneId} FOR SHARE`.execute(trx);
      const zone = zones[0];
      if (!zone) return { kind: 'zone_not_found' };
      const { rows: devices } = await sql<{ display_name: string | null }>`
        SELECT display_name FROM devices WHERE id = ${deviceId} FOR SHARE`.execute(trx);
      const device = devices[0];
      if (!device) return { kind: 'device_not_found' };
      const { rows } = await sql<{ created_at: string }>`
        INSERT INTO device_zones (zone_id, device_id) VALUES (${zoneId}, ${deviceId})
        ON CONFLICT DO NOTHING RETURNING created_at`.execute(trx);
      if (!rows[0]) return { kind: 'duplicate' };
      await recordDeviceEvents(trx, [memberEvent('zone_joined', deviceId, zone, actor)]);
      return {
        kind: 'ok',
        row: { device_id: deviceId, display_name: device.display_name, created_at: rows[0].created_at },
      };
    });
  }

  async removeMember(zoneId: string, deviceId: string, actor: string): Promise<MemberRemoveResult> {
    return this.db.transaction().execute(async (trx): Promise<MemberRemoveResult> => {
      const { rows: zones } = await sql<{ id: string; name: string }>`
        SELECT id, name FROM zones WHERE id = ${zoneId} FOR SHARE`.execute(trx);
      const zone = zones[0];
      if (!zone) return 'zone_not_found';
      const { rows } = await sql<{ device_id: string }>`
        DELETE FROM device_zones WHERE zone_id = ${zoneId} AND device_id = ${deviceId} RETURNING device_id`.execute(
        trx,
      );
      if (!rows[0]) return 'not_member';
      await recordDeviceEvents(trx, [memberEvent('zone_left', deviceId, zone, actor)]);
      return 'ok';
    });
  }
}
