import { type Kysely, type Selectable, sql } from 'kysely';
import type { CursorPosition } from '../shared/cursor.ts';
import type { DiscoveryRunsTable, Schema } from './schema.ts';

export type RunStatus = 'queued' | 'running' | 'succeeded' | 'failed' | 'canceled';
export const FINAL_STATUSES: readonly RunStatus[] = ['succeeded', 'failed', 'canceled'];

/** The channel a new queued run is announced on, so idle workers wake at once. */
export const RUNS_CHANNEL = 'roller_discovery_runs';

/** A run as stored; `stats` is the JSON object the worker merges into. */
export type RunRow = Omit<Selectable<DiscoveryRunsTable>, 'stats'> & { stats: Record<string, unknown> };

export interface RunLogRow {
  id: number;
  level: string;
  message: string;
  created_at: string;
}

const RUN_COLUMNS = sql.raw(
  'id, status, scope, stats, queued_at, started_at, completed_at, last_error, worker_id, heartbeat_at, cancel_requested_at, schedule_id',
);

export interface EnqueueRun {
  scope: string | null;
  stats: Record<string, unknown>;
  scheduleId?: string;
}

/** Discovery runs and their log lines: the queue the workers claim from. */
export class DiscoveryRunRepository {
  constructor(private readonly db: Kysely<Schema>) {}

  /** Inserts a queued run and announces it (NOTIFY is delivered on commit). */
  async enqueue(run: EnqueueRun, db: Kysely<Schema> = this.db): Promise<RunRow> {
    const work = async (trx: Kysely<Schema>) => {
      const { rows } = await sql<RunRow>`
        INSERT INTO discovery_runs (status, scope, stats, schedule_id)
        VALUES ('queued', ${run.scope}, ${JSON.stringify(run.stats)}::jsonb, ${run.scheduleId ?? null})
        RETURNING ${RUN_COLUMNS}`.execute(trx);
      await sql`SELECT pg_notify(${RUNS_CHANNEL}, ${rows[0]?.id ?? ''})`.execute(trx);
      return rows[0] as RunRow;
    };
    return db.isTransaction ? work(db) : db.transaction().execute(work);
  }

  /** Atomically takes the oldest queued run; concurrent workers skip rows another one holds. */
  async claimNext(workerId: string): Promise<RunRow | undefined> {
    const { rows } = await sql<RunRow>`
      UPDATE discovery_runs SET
        status = 'running', started_at = now(), heartbeat_at = now(), worker_id = ${workerId},
        stats = stats || '{"stage":"running"}'::jsonb, completed_at = NULL, last_error = NULL
      WHERE id = (
        SELECT id FROM discovery_runs WHERE status = 'queued'
        ORDER BY queued_at, id FOR UPDATE SKIP LOCKED LIMIT 1
      )
      RETURNING ${RUN_COLUMNS}`.execute(this.db);
    return rows[0];
  }

  /** Marks the runs alive; returns those an operator asked to cancel. */
  async heartbeat(runIds: readonly string[], workerId: string): Promise<string[]> {
    if (runIds.length === 0) return [];
    const { rows } = await sql<{ id: string; cancel_requested_at: string | null }>`
      UPDATE discovery_runs SET heartbeat_at = now()
      WHERE id = ANY(${sql.val(runIds)}::uuid[]) AND worker_id = ${workerId} AND status = 'running'
      RETURNING id, cancel_requested_at`.execute(this.db);
    return rows.filter((row) => row.cancel_requested_at !== null).map((row) => row.id);
  }

  /** Merges keys into stats (top-level union, new keys win; SPEC §5.1). */
  async mergeStats(id: string, patch: Record<string, unknown>): Promise<void> {
    await sql`UPDATE discovery_runs SET stats = stats || ${JSON.stringify(patch)}::jsonb WHERE id = ${id}`.execute(
      this.db,
    );
  }

  async appendLog(runId: string, level: 'info' | 'warn' | 'error', message: string): Promise<void> {
    await this.db.insertInto('discovery_run_logs').values({ run_id: runId, level, message }).execute();
  }

  /** Ends a running run owned by this worker; false if it was not (e.g. already recovered). */
  async finish(
    id: string,
    workerId: string,
    outcome: { status: 'succeeded' | 'failed' | 'canceled'; lastError: string | null; stats: Record<string, unknown> },
  ): Promise<boolean> {
    const result = await sql`
      UPDATE discovery_runs SET status = ${outcome.status}, completed_at = now(), last_error = ${outcome.lastError},
        stats = stats || ${JSON.stringify(outcome.stats)}::jsonb
      WHERE id = ${id} AND worker_id = ${workerId} AND status = 'running'`.execute(this.db);
    return Number(result.numAffectedRows ?? 0) > 0;
  }

  /**
   * Cancels a queued run at once; asks the worker of a running run to stop. Returns the row
   * afterwards, or undefined when the run does not exist.
   */
  async requestCancel(id: string): Promise<RunRow | undefined> {
    return this.db.transaction().execute(async (trx) => {
      const { rows } = await sql<RunRow>`SELECT ${RUN_COLUMNS} FROM discovery_runs WHERE id = ${id} FOR UPDATE`.execute(
        trx,
      );
      const run = rows[0];
      if (!run) return undefined;
      if (run.status === 'queued') {
        await sql`
          UPDATE discovery_runs SET status = 'canceled', completed_at = now(), cancel_requested_at = now(),
            last_error = 'canceled before it started', stats = stats || '{"stage":"canceled"}'::jsonb
          WHERE id = ${id}`.execute(trx);
        await trx
          .insertInto('discovery_run_logs')
          .values({
            run_id: id,
            level: 'info',
            message: 'discovery run canceled: requested by operator before it started',
          })
          .execute();
      } else if (run.status === 'running' && run.cancel_requested_at === null) {
        await sql`UPDATE discovery_runs SET cancel_requested_at = now() WHERE id = ${id}`.execute(trx);
        await sql`SELECT pg_notify(${RUNS_CHANNEL}, ${`cancel:${id}`})`.execute(trx);
      }
      const after = await sql<RunRow>`SELECT ${RUN_COLUMNS} FROM discovery_runs WHERE id = ${id}`.execute(trx);
      return after.rows[0];
    });
  }

  /**
   * Fails runs whose worker stopped heart-beating (crash, kill, lost network), writing the reason
   * to the run's log. Any live worker may do this; it is idempotent.
   */
  async failLostRuns(staleAfterSeconds: number, exceptWorker?: string): Promise<string[]> {
    return this.db.transaction().execute(async (trx) => {
      const { rows } = await sql<{ id: string }>`
        UPDATE discovery_runs SET status = 'failed', completed_at = now(), last_error = 'worker lost',
          stats = stats || '{"stage":"failed"}'::jsonb
        WHERE status = 'running'
          AND (heartbeat_at IS NULL OR heartbeat_at < now() - make_interval(secs => ${staleAfterSeconds}))
          AND worker_id IS DISTINCT FROM ${exceptWorker ?? null}
        RETURNING id`.execute(trx);
      for (const row of rows) {
        await trx
          .insertInto('discovery_run_logs')
          .values({ run_id: row.id, level: 'error', message: 'discovery run failed: worker lost' })
          .execute();
      }
      return rows.map((row) => row.id);
    });
  }

  async get(id: string): Promise<RunRow | undefined> {
    const { rows } = await sql<RunRow>`SELECT ${RUN_COLUMNS} FROM discovery_runs WHERE id = ${id}`.execute(this.db);
    return rows[0];
  }

  async latest(): Promise<RunRow | undefined> {
    const { rows } = await sql<RunRow>`
      SELECT ${RUN_COLUMNS} FROM discovery_runs ORDER BY queued_at DESC, id DESC LIMIT 1`.execute(this.db);
    return rows[0];
  }

  async list(limit: number, after?: CursorPosition): Promise<RunRow[]> {
    const { rows } = await sql<RunRow>`
      SELECT ${RUN_COLUMNS} FROM discovery_runs
      ${after ? sql`WHERE (queued_at, id) < (${after.at}::timestamptz, ${after.id}::uuid)` : sql``}
      ORDER BY queued_at DESC, id DESC LIMIT ${limit + 1}`.execute(this.db);
    return rows;
  }

  async countActive(): Promise<{ queued: number; running: number }> {
    const { rows } = await sql<{ queued: number; running: number }>`
      SELECT count(*) FILTER (WHERE status = 'queued')::int AS queued,
             count(*) FILTER (WHERE status = 'running')::int AS running
        FROM discovery_runs WHERE status IN ('queued', 'running')`.execute(this.db);
    return rows[0] ?? { queued: 0, running: 0 };
  }

  /** Newest first (SPEC §4.5). */
  async logs(runId: string, limit: number, after?: CursorPosition): Promise<RunLogRow[]> {
    const { rows } = await sql<RunLogRow>`
      SELECT id, level, message, created_at FROM discovery_run_logs
      WHERE run_id = ${runId}
      ${after ? sql`AND (created_at, id) < (${after.at}::timestamptz, ${Number(after.id)}::bigint)` : sql``}
      ORDER BY created_at DESC, id DESC LIMIT ${limit + 1}`.execute(this.db);
    return rows;
  }

  /** Log lines after a given id, oldest first (the live events stream). */
  async logsSince(runId: string, afterId: number, limit = 500): Promise<RunLogRow[]> {
    const { rows } = await sql<RunLogRow>`
      SELECT id, level, message, created_at FROM discovery_run_logs
      WHERE run_id = ${runId} AND id > ${afterId} ORDER BY id LIMIT ${limit}`.execute(this.db);
    return rows;
  }
}
