import { type Kysely, type RawBuilder, sql } from 'kysely';
import type { AlertSeverity } from '../domain/alerts/alert.types.ts';
import type { CursorPosition } from '../shared/cursor.ts';
import type { Schema } from './schema.ts';

export const DELIVERY_STATUSES = [
  'collecting',
  'queued',
  'held',
  'sending',
  'retrying',
  'sent',
  'failed',
  'dropped',
] as const;
export type DeliveryStatus = (typeof DELIVERY_STATUSES)[number];

export interface DeliveryRow {
  id: string;
  channel_id: string;
  channel_name: string | null;
  channel_type: string | null;
  kind: 'alert' | 'digest' | 'test';
  alert_ids: string[];
  rule_id: string | null;
  device_id: string | null;
  severity: AlertSeverity;
  title: string;
  status: DeliveryStatus;
  attempts: number;
  max_attempts: number;
  next_attempt_at: string;
  last_error: string | null;
  sent_at: string | null;
  created_at: string;
  updated_at: string;
}

export interface AttemptRow {
  attempt: number;
  outcome: 'sent' | 'failed';
  error: string | null;
  duration_ms: number;
  attempted_at: string;
}

export interface AlertForMessage {
  id: string;
  rule_id: string;
  rule_name: string | null;
  kind: string;
  device_id: string | null;
  run_id: string | null;
  severity: AlertSeverity;
  title: string;
  message: string;
  details: Record<string, unknown>;
  created_at: string;
}

export interface DeliveryQuery {
  channelId?: string;
  ruleId?: string;
  deviceId?: string;
  statuses?: readonly DeliveryStatus[];
  kind?: 'alert' | 'digest' | 'test';
  after?: CursorPosition;
  limit: number;
}

const COLUMNS = sql`d.id, d.channel_id, c.name AS channel_name, c.type AS channel_type, d.kind,
  d.alert_ids::text[] AS alert_ids, d.rule_id, d.device_id, d.severity, d.title, d.status, d.attempts, d.max_attempts,
  d.next_attempt_at, d.last_error, d.sent_at, d.created_at, d.updated_at`;

/** The delivery outbox and its attempts (docs/alerts.md#delivery). */
export class AlertDeliveriesRepository {
  constructor(private readonly db: Kysely<Schema>) {}

  /**
   * Takes up to `limit` due deliveries for this worker: queued, held or retrying ones whose time has
   * come, digests whose interval is over, and `sending` ones whose lease ran out (their worker died).
   * SKIP LOCKED lets several workers claim side by side; the lease keeps a slow send from being
   * taken twice.
   */
  async claimDue(now: Date, leaseMs: number, limit: number): Promise<DeliveryRow[]> {
    const at = now.toISOString();
    const until = new Date(now.getTime() + leaseMs).toISOString();
    const { rows } = await sql<DeliveryRow>`
      WITH due AS (
        SELECT id FROM alert_deliveries
         WHERE (status IN ('collecting', 'queued', 'held', 'retrying') AND next_attempt_at <= ${at}::timestamptz)
            OR (status = 'sending' AND locked_until < ${at}::timestamptz)
         ORDER BY next_attempt_at, id
         LIMIT ${limit}
         FOR UPDATE SKIP LOCKED
      ), claimed AS (
        UPDATE alert_deliveries a SET status = 'sending', locked_until = ${until}::timestamptz, updated_at = now()
          FROM due WHERE a.id = due.id
        RETURNING a.*
      )
      SELECT ${COLUMNS} FROM claimed d LEFT JOIN alert_channels c ON c.id = d.channel_id
       ORDER BY d.next_attempt_at, d.id`.execute(this.db);
    return rows;
  }

  async alertsOf(ids: readonly string[]): Promise<AlertForMessage[]> {
    if (ids.length === 0) return [];
    const { rows } = await sql<AlertForMessage>`
      SELECT a.id, a.rule_id, r.name AS rule_name, a.kind, a.device_id, a.run_id, a.severity, a.title, a.message,
             a.details, a.created_at
        FROM alerts a LEFT JOIN alert_rules r ON r.id = a.rule_id
       WHERE a.id = ANY(${sql.val([...ids])}::uuid[])
       ORDER BY a.created_at, a.id`.execute(this.db);
    return rows;
  }

  /** Not sent, on purpose (quiet hours, channel disabled): no attempt is recorded. */
  async drop(id: string, reason: string): Promise<void> {
    await sql`UPDATE alert_deliveries SET status = 'dropped', last_error = ${reason}, locked_until = NULL, updated_at = now()
               WHERE id = ${id}::uuid`.execute(this.db);
  }

  async hold(id: string, until: Date): Promise<void> {
    await sql`UPDATE alert_deliveries SET status = 'held', next_attempt_at = ${until.toISOString()}::timestamptz,
                     locked_until = NULL, updated_at = now()
               WHERE id = ${id}::uuid`.execute(this.db);
  }

  /**
   * Records one attempt and what follows from it: sent; retrying at `retryAt`; or failed for good
   * when `retryAt` is undefined. Returns the status written.
   */
  async recordAttempt(
    id: string,
    attempt: { ok: boolean; error?: string; durationMs: number; at: Date; retryAt?: Date | undefined },
  ): Promise<DeliveryStatus> {
    const status: DeliveryStatus = attempt.ok ? 'sent' : attempt.retryAt ? 'retrying' : 'failed';
    return this.db.transaction().execute(async (trx) => {
      const { rows } = await sql<{ attempts: number }>`
        UPDATE alert_deliveries
           SET attempts = attempts + 1, status = ${status}, locked_until = NULL,
               last_error = ${attempt.ok ? null : (attempt.error ?? 'failed')},
               sent_at = ${attempt.ok ? attempt.at.toISOString() : null}::timestamptz,
               next_attempt_at = ${(attempt.retryAt ?? attempt.at).toISOString()}::timestamptz, updated_at = now()
         WHERE id = ${id}::uuid
        RETURNING attempts`.execute(trx);
      const attempts = rows[0]?.attempts ?? 1;
      await sql`
        INSERT INTO alert_delivery_attempts (delivery_id, attempt, outcome, error, duration_ms, attempted_at)
        VALUES (${id}::uuid, ${attempts}, ${attempt.ok ? 'sent' : 'failed'}, ${attempt.ok ? null : (attempt.error ?? 'failed')},
                ${Math.round(attempt.durationMs)}, ${attempt.at.toISOString()}::timestamptz)`.execute(trx);
      return status;
    });
  }

  /** A test message: its own delivery row (kind `test`, one attempt), claimed by the caller at once. */
  async createTest(channelId: string, title: string, now: Date): Promise<string> {
    const { rows } = await sql<{ id: string }>`
      INSERT INTO alert_deliveries (channel_id, kind, severity, title, status, max_attempts, next_attempt_at,
                                    locked_until, created_at)
      VALUES (${channelId}::uuid, 'test', 'info', ${title}, 'sending', 1, ${now.toISOString()}::timestamptz,
              ${now.toISOString()}::timestamptz + interval '1 minute', ${now.toISOString()}::timestamptz)
      RETURNING id`.execute(this.db);
    return (rows[0] as { id: string }).id;
  }

  async get(id: string): Promise<DeliveryRow | undefined> {
    const { rows } = await sql<DeliveryRow>`
      SELECT ${COLUMNS} FROM alert_deliveries d LEFT JOIN alert_channels c ON c.id = d.channel_id
       WHERE d.id = ${id}::uuid`.execute(this.db);
    return rows[0];
  }

  async attemptsOf(ids: readonly string[]): Promise<Map<string, AttemptRow[]>> {
    const result = new Map<string, AttemptRow[]>();
    if (ids.length === 0) return result;
    const { rows } = await sql<AttemptRow & { delivery_id: string }>`
      SELECT delivery_id, attempt, outcome, error, duration_ms, attempted_at FROM alert_delivery_attempts
       WHERE delivery_id = ANY(${sql.val([...ids])}::uuid[])
       ORDER BY delivery_id, attempt, id`.execute(this.db);
    for (const { delivery_id, ...row } of rows) {
      const list = result.get(delivery_id) ?? [];
      list.push(row);
      result.set(delivery_id, list);
    }
    return result;
  }

  /** Newest first by (created_at, id); returns up to limit + 1 rows so the caller knows about a next page. */
  async list(query: DeliveryQuery): Promise<DeliveryRow[]> {
    const conditions: RawBuilder<unknown>[] = [];
    if (query.channelId) conditions.push(sql`d.channel_id = ${query.channelId}::uuid`);
    if (query.ruleId) conditions.push(sql`d.rule_id = ${query.ruleId}::uuid`);
    if (query.deviceId) conditions.push(sql`d.device_id = ${query.deviceId}::uuid`);
    if (query.kind) conditions.push(sql`d.kind = ${query.kind}`);
    if (query.statuses && query.statuses.length > 0) {
      conditions.push(sql`d.status = ANY(${sql.val([...query.statuses])}::text[])`);
    }
    if (query.after) {
      conditions.push(sql`(d.created_at, d.id) < (${query.after.at}::timestamptz, ${query.after.id}::uuid)`);
    }
    const where = conditions.length > 0 ? sql`WHERE ${sql.join(conditions, sql` AND `)}` : sql``;
    const { rows } = await sql<DeliveryRow>`
      SELECT ${COLUMNS} FROM alert_deliveries d LEFT JOIN alert_channels c ON c.id = d.channel_id
        ${where}
       ORDER BY d.created_at DESC, d.id DESC
       LIMIT ${query.limit + 1}`.execute(this.db);
    return rows;
  }

  /** Raised alerts (fired, suppressed with the reason, or pending), newest first; up to limit + 1 rows. */
  async listAlerts(query: AlertQuery): Promise<AlertListRow[]> {
    const conditions: RawBuilder<unknown>[] = [];
    if (query.ruleId) conditions.push(sql`a.rule_id = ${query.ruleId}::uuid`);
    if (query.deviceId) conditions.push(sql`a.device_id = ${query.deviceId}::uuid`);
    if (query.status) conditions.push(sql`a.status = ${query.status}`);
    if (query.after) {
      conditions.push(sql`(a.created_at, a.id) < (${query.after.at}::timestamptz, ${query.after.id}::uuid)`);
    }
    const where = conditions.length > 0 ? sql`WHERE ${sql.join(conditions, sql` AND `)}` : sql``;
    const { rows } = await sql<AlertListRow>`
      SELECT a.id, a.rule_id, r.name AS rule_name, a.kind, a.device_id, a.run_id, a.severity, a.status,
             a.suppressed_reason, a.title, a.message, a.details, a.due_at, a.created_at
        FROM alerts a LEFT JOIN alert_rules r ON r.id = a.rule_id
        ${where}
       ORDER BY a.created_at DESC, a.id DESC
       LIMIT ${query.limit + 1}`.execute(this.db);
    return rows;
  }
}

export interface AlertQuery {
  ruleId?: string;
  deviceId?: string;
  status?: 'pending' | 'fired' | 'suppressed';
  after?: CursorPosition;
  limit: number;
}

export interface AlertListRow extends AlertForMessage {
  status: 'pending' | 'fired' | 'suppressed';
  suppressed_reason: string | null;
  due_at: string;
}
