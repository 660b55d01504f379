import { decodeCursor, encodeCursor } from '../../shared/cursor.ts';
import { validationFailed } from '../../shared/errors.ts';
import type { AuditEventCreateBody, AuditEventListQueryParams } from '../../shared/schemas/audit.ts';
import type { AuditEventRow, AuditRepository } from '../../storage/audit.repository.ts';

export const AUDIT_LIST_MAX_LIMIT = 200;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

const trimmedOrNull = (value: string | null | undefined): string | null => {
  const trimmed = value?.trim() ?? '';
  return trimmed === '' ? null : trimmed;
};

function presentAuditEvent(row: AuditEventRow) {
  return {
    id: row.id,
    actor: row.actor,
    ...(row.actor_role !== null ? { actor_role: row.actor_role } : {}),
    action: row.action,
    ...(row.target_type !== null ? { target_type: row.target_type } : {}),
    ...(row.target_id !== null ? { target_id: row.target_id } : {}),
    details: row.details ?? {},
    created_at: row.created_at,
  };
}

/** SPEC §4.7 audit writes and the read side G-01 asks for. */
export class AuditService {
  constructor(private readonly audit: AuditRepository) {}

  async record(body: AuditEventCreateBody): Promise<{ ok: true }> {
    const actor = trimmedOrNull(body.actor);
    const action = trimmedOrNull(body.action);
    if (actor === null || action === null) throw validationFailed('actor and action are required');
    const targetId = trimmedOrNull(body.target_id);
    if (targetId !== null && !UUID.test(targetId)) {
      throw validationFailed('invalid target_id', { target_id: body.target_id });
    }
    await this.audit.append({
      actor,
      action,
      actorRole: trimmedOrNull(body.actor_role),
      targetType: trimmedOrNull(body.target_type),
      targetId: targetId?.toLowerCase() ?? null,
      details: body.details ?? {},
    });
    return { ok: true };
  }

  async list(query: AuditEventListQueryParams) {
    const limit = Math.min(query.limit ?? 50, AUDIT_LIST_MAX_LIMIT);
    const rows = await this.audit.list({
      actor: query.actor,
      action: query.action,
      targetType: query.target_type,
      targetId: query.target_id,
      since: query.since,
      until: query.until,
      after: query.cursor ? decodeCursor(query.cursor) : undefined,
      limit: limit + 1,
    });
    const page = rows.slice(0, limit);
    const last = page.at(-1);
    return {
      events: page.map(presentAuditEvent),
      ...(rows.length > limit && last ? { cursor: encodeCursor({ at: last.created_at, id: last.id }) } : {}),
    };
  }
}
