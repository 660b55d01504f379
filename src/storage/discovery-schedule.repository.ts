import { type Kysely, type Selectable, sql } from 'kysely';
import { DiscoveryRunRepository, type RunRow } from './discovery-run.repository.ts';
import type { DiscoverySchedulesTable, Schema } from './schema.ts';

/** A schedule as stored. */
export type ScheduleRow = Selectable<DiscoverySchedulesTable>;

/** What create and update write: everything but ids and bookkeeping. */
export type ScheduleValues = Omit<ScheduleRow, 'id' | 'last_run_id' | 'last_enqueued_at' | 'created_at' | 'updated_at'>;

const COLUMNS = sql.raw(
  'id, name, scope, preset, tags, interval_seconds, cron, enabled, next_run_at, last_run_id, last_enqueued_at, created_at, updated_at',
);

/** Recurring runs; `enqueueDue` is the only place a schedule turns into a queued run. */
export class DiscoveryScheduleRepository {
  constructor(private readonly db: Kysely<Schema>) {}

  async list(limit: number): Promise<ScheduleRow[]> {
    const { rows } = await sql<ScheduleRow>`
      SELECT ${COLUMNS} FROM discovery_schedules ORDER BY created_at DESC, id DESC LIMIT ${limit}`.execute(this.db);
    return rows;
  }

  async get(id: string): Promise<ScheduleRow | undefined> {
    const { rows } = await sql<ScheduleRow>`SELECT ${COLUMNS} FROM discovery_schedules WHERE id = ${id}`.execute(
      this.db,
    );
    return rows[0];
  }

  async create(values: ScheduleValues): Promise<ScheduleRow> {
    const { rows } = await sql<ScheduleRow>`
      INSERT INTO discovery_schedules (name, scope, preset, tags, interval_seconds, cron, enabled, next_run_at)
      VALUES (${values.name}, ${values.scope}, ${values.preset}, ${sql.val(values.tags)}::text[], ${values.interval_seconds},
              ${values.cron}, ${values.enabled}, ${values.next_run_at}::timestamptz)
      RETURNING ${COLUMNS}`.execute(this.db);
    return rows[0] as ScheduleRow;
  }

  async update(id: string, values: ScheduleValues): Promise<ScheduleRow | undefined> {
    const { rows } = await sql<ScheduleRow>`
      UPDATE discovery_schedules SET name = ${values.name}, scope = ${values.scope}, preset = ${values.preset},
        tags = ${sql.val(values.tags)}::text[], interval_seconds = ${values.interval_seconds}, cron = ${values.cron},
        enabled = ${values.enabled}, next_run_at = ${values.next_run_at}::timestamptz, updated_at = now()
      WHERE id = ${id}
      RETURNING ${COLUMNS}`.execute(this.db);
    return rows[0];
  }

  async delete(id: string): Promise<boolean> {
    const result = await this.db.deleteFrom('discovery_schedules').where('id', '=', id).executeTakeFirst();
    return Number(result.numDeletedRows) > 0;
  }

  /**
   * Enqueues one run for the most overdue enabled schedule, if any, and moves its next_run_at
   * forward in the same transaction. SKIP LOCKED makes concurrent workers take different
   * schedules (or none), so a due schedule yields exactly one run.
   */
  async enqueueDue(
    nextRunAt: (schedule: ScheduleRow) => string | null,
    buildStats: (schedule: ScheduleRow) => Record<string, unknown>,
  ): Promise<{ schedule: ScheduleRow; run: RunRow } | undefined> {
    return this.db.transaction().execute(async (trx) => {
      const { rows } = await sql<ScheduleRow>`
        SELECT ${COLUMNS} FROM discovery_schedules
         WHERE enabled AND next_run_at IS NOT NULL AND next_run_at <= now()
         ORDER BY next_run_at, id FOR UPDATE SKIP LOCKED LIMIT 1`.execute(trx);
      const schedule = rows[0];
      if (!schedule) return undefined;
      const run = await new DiscoveryRunRepository(trx).enqueue(
        { scope: schedule.scope, stats: buildStats(schedule), scheduleId: schedule.id },
        trx,
      );
      await sql`
        UPDATE discovery_schedules SET next_run_at = ${nextRunAt(schedule)}::timestamptz, last_run_id = ${run.id},
          last_enqueued_at = now()
        WHERE id = ${schedule.id}`.execute(trx);
      return { schedule, run };
    });
  }
}
