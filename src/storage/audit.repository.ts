import { type Kysely, sql } from 'kysely';
import type { CursorPosition } from '../shared/cursor.ts';
import type { Schema } from './schema.ts';

export interface NewAuditEvent {
  actor: string;
  action: string;
  actorRole: string | null;
  targetType: string | null;
  targetId: string | null;
  details: Record<string, unknown>;
}

export interface AuditEventRow {
  id: string;
  actor: string;
  actor_role: string | null;
  action: string;
  target_type: string | null;
  target_id: string | null;
  details: Record<string, unknown>;
  created_at: string;
}

export interface AuditEventFilter {
  actor?: string;
  action?: string;
  targetType?: string;
  targetId?: string;
  since?: string;
  until?: string;
  after?: CursorPosition;
  limit: number;
}

/** The audit trail (SPEC §3.2 audit_events): appended by POST, read newest first (G-01). */
export class AuditRepository {
  constructor(private readonly db: Kysely<Schema>) {}

  async append(event: NewAuditEvent): Promise<void> {
    await this.db
      .insertInto('audit_events')
      .values({
        actor: event.actor,
        actor_role: event.actorRole,
        action: event.action,
        target_type: event.targetType,
        target_id: event.targetId,
        details: JSON.stringify(event.details),
      })
      .execute();
  }

  /** Keyset page by (created_at DESC, id DESC); the filters apply on every page, cursor or not. */
  async list(filter: AuditEventFilter): Promise<AuditEventRow[]> {
    let query = this.db
      .selectFrom('audit_events')
      .select(['id', 'actor', 'actor_role', 'action', 'target_type', 'target_id', 'details', 'created_at'])
      .orderBy('created_at', 'desc')
      .orderBy('id', 'desc')
      .limit(filter.limit);
    if (filter.actor !== undefined) query = query.where('actor', '=', filter.actor);
    if (filter.action !== undefined) query = query.where('action', '=', filter.action);
    if (filter.targetType !== undefined) query = query.where('target_type', '=', filter.targetType);
    if (filter.targetId !== undefined) query = query.where('target_id', '=', filter.targetId);
    if (filter.since !== undefined) query = query.where('created_at', '>=', filter.since);
    if (filter.until !== undefined) query = query.where('created_at', '<', filter.until);
    if (filter.after) {
      const { at, id } = filter.after;
      query = query.where(sql<boolean>`(created_at, id) < (${at}::timestamptz, ${id}::uuid)`);
    }
    return (await query.execute()) as AuditEventRow[];
  }
}
