import { type Kysely, type RawBuilder, sql } from 'kysely';
import {
  type RetentionCounts,
  type RetentionCutoffs,
  type RetentionTable,
  totalRows,
  zeroCounts,
} from '../domain/retention.ts';
import { refreshDeviceSummaries } from './device-summary.ts';
import type { Schema } from './schema.ts';

/**
 * Deletes what the retention windows no longer keep (G-18), in bounded batches: each statement
 * deletes at most `batchSize` rows in a short transaction of its own, so a large backlog never holds
 * one long transaction or lock; the loop goes on until a table is done or `maxBatches` is reached
 * (the rest waits for the next run). A dry run counts the same rows instead.
 *
 * Every predicate is written so that it selects the same rows before and after the earlier steps
 * ran: that is what makes a dry run's counts equal what a real run then deletes.
 */

export const DEFAULT_BATCH_SIZE = 10_000;
export const DEFAULT_MAX_BATCHES = 1_000;

export interface PruneOptions {
  dryRun: boolean;
  /** Rows per DELETE statement (default 10 000). */
  batchSize?: number;
  /** Statements per step before giving up until the next run (default 1 000). */
  maxBatches?: number;
  /** Stops between statements (shutdown); what is left waits for the next run. */
  signal?: AbortSignal | undefined;
}

export interface PruneResult {
  deleted: RetentionCounts;
  /** DELETE statements run per table (0 in a dry run). */
  batches: RetentionCounts;
  /** False when a step stopped at `maxBatches` (or on abort) with rows possibly left over. */
  complete: boolean;
  total: number;
}

const FINISHED = sql.raw(`('succeeded', 'failed', 'canceled')`);
const at = (cutoff: string): RawBuilder<unknown> => sql`${cutoff}::timestamptz`;

interface Step {
  table: RetentionTable;
  /** Key columns a batch is selected and deleted by. */
  keys: readonly string[];
  /** Rows of `t` (the table) this step deletes. */
  where: RawBuilder<unknown>;
  /** The devices whose summary a deleted row `x` touches (uuid[]), for fact tables. */
  devices?: RawBuilder<unknown>;
  /**
   * Delete in (observed_at, id) order and start each batch after the last row deleted: the old
   * rows that stay (the latest of their value) are then passed over once, not once per batch.
   */
  ordered?: boolean;
}

interface Cursor {
  at: string;
  id: number;
}

/** Observation `o` may go: old, and a newer observation of the same device and value exists. */
function observationGoes(
  table: 'ip_observations' | 'mac_observations',
  value: 'ip' | 'mac',
  cutoff: string,
  o = 't',
): RawBuilder<unknown> {
  const own = (column: string) => sql.ref(`${o}.${column}`);
  return sql`${own('observed_at')} < ${at(cutoff)} AND EXISTS (
    SELECT 1 FROM ${sql.table(table)} n
     WHERE n.device_id = ${own('device_id')} AND ${sql.ref(`n.${value}`)} = ${own(value)}
       AND (n.observed_at, n.id) > (${own('observed_at')}, ${own('id')}))`;
}

/** Run `r` may go: finished long enough ago, not the latest finished run of its schedule nor the
 * one a schedule points at, and no observation that retention keeps still refers to it (deleting a
 * run cascades to its observations). */
function runGoes(r: string, cutoffs: RetentionCutoffs): RawBuilder<unknown> | undefined {
  if (cutoffs.runs === null) return undefined;
  const run = (column: string) => sql.ref(`${r}.${column}`);
  const observationsKept = (table: 'ip_observations' | 'mac_observations', value: 'ip' | 'mac') => {
    const name = sql.table(table);
    if (cutoffs.observations === null) return sql`EXISTS (SELECT 1 FROM ${name} o WHERE o.run_id = ${run('id')})`;
    return sql`EXISTS (SELECT 1 FROM ${name} o WHERE o.run_id = ${run('id')}
      AND NOT (${observationGoes(table, value, cutoffs.observations, 'o')}))`;
  };
  return sql`${run('status')} IN ${FINISHED}
    AND COALESCE(${run('completed_at')}, ${run('queued_at')}) < ${at(cutoffs.runs)}
    AND (${run('schedule_id')} IS NULL OR EXISTS (
      SELECT 1 FROM discovery_runs n
       WHERE n.schedule_id = ${run('schedule_id')} AND n.status IN ${FINISHED}
         AND (n.queued_at, n.id) > (${run('queued_at')}, ${run('id')})))
    AND NOT EXISTS (SELECT 1 FROM discovery_schedules s WHERE s.last_run_id = ${run('id')})
    AND NOT ${observationsKept('ip_observations', 'ip')}
    AND NOT ${observationsKept('mac_observations', 'mac')}`;
}

/** A fact row `c` that retention keeps (not stale, or not stale for long enough). */
const live = (cutoff: string) => sql`(c.stale_since IS NULL OR c.stale_since >= ${at(cutoff)})`;

function steps(cutoffs: RetentionCutoffs): Step[] {
  const list: Step[] = [];
  const id = ['id'] as const;
  if (cutoffs.observations !== null) {
    list.push({
      table: 'ip_observations',
      keys: id,
      where: observationGoes('ip_observations', 'ip', cutoffs.observations),
      ordered: true,
    });
    list.push({
      table: 'mac_observations',
      keys: id,
      where: observationGoes('mac_observations', 'mac', cutoffs.observations),
      ordered: true,
    });
  }
  if (cutoffs.runLogs !== null) {
    list.push({ table: 'discovery_run_logs', keys: id, where: sql`t.created_at < ${at(cutoffs.runLogs)}` });
  }
  const runs = runGoes('r', cutoffs);
  const doomedRun = runGoes('t', cutoffs);
  if (runs && doomedRun) {
    // The log lines of a run that goes are deleted (and counted) before it, in batches like the rest.
    const newerLogs = cutoffs.runLogs === null ? sql`true` : sql`t.created_at >= ${at(cutoffs.runLogs)}`;
    list.push({
      table: 'discovery_run_logs',
      keys: id,
      where: sql`${newerLogs} AND t.run_id IN (SELECT r.id FROM discovery_runs r WHERE ${runs})`,
    });
    list.push({ table: 'discovery_runs', keys: id, where: doomedRun });
  }
  if (cutoffs.events !== null) {
    list.push({ table: 'device_events', keys: id, where: sql`t.event_at < ${at(cutoffs.events)}` });
  }
  if (cutoffs.audit !== null) {
    list.push({ table: 'audit_events', keys: id, where: sql`t.created_at < ${at(cutoffs.audit)}` });
  }
  const stale = cutoffs.staleFacts;
  if (stale !== null) {
    const old = sql`t.stale_since < ${at(stale)}`;
    const viaInterface = sql`(SELECT i.device_id FROM interfaces i WHERE i.id = x.interface_id)`;
    const ownDevice = sql`ARRAY[x.device_id]`;
    list.push(
      { table: 'ip_addresses', keys: id, where: old, devices: sql`ARRAY[COALESCE(x.device_id, ${viaInterface})]` },
      { table: 'mac_addresses', keys: id, where: old, devices: sql`ARRAY[COALESCE(x.device_id, ${viaInterface})]` },
      { table: 'interface_vlans', keys: id, where: old, devices: sql`ARRAY[${viaInterface}]` },
      { table: 'fdb_entries', keys: id, where: old, devices: ownDevice },
      { table: 'links', keys: id, where: old, devices: sql`ARRAY[x.a_device_id, x.b_device_id]` },
      { table: 'services', keys: id, where: old, devices: ownDevice },
      { table: 'device_vlans', keys: ['device_id', 'vlan_id'], where: old, devices: ownDevice },
      {
        // Last, and only once nothing that stays refers to it: deleting an interface cascades to its
        // IPs, MACs and VLANs and unlinks its links and forwarding entries.
        table: 'interfaces',
        keys: id,
        where: sql`${old}
          AND NOT EXISTS (SELECT 1 FROM ip_addresses c WHERE c.interface_id = t.id AND ${live(stale)})
          AND NOT EXISTS (SELECT 1 FROM mac_addresses c WHERE c.interface_id = t.id AND ${live(stale)})
          AND NOT EXISTS (SELECT 1 FROM interface_vlans c WHERE c.interface_id = t.id AND ${live(stale)})
          AND NOT EXISTS (SELECT 1 FROM fdb_entries c WHERE c.interface_id = t.id AND ${live(stale)})
          AND NOT EXISTS (SELECT 1 FROM links c WHERE c.a_interface_id = t.id AND ${live(stale)})
          AND NOT EXISTS (SELECT 1 FROM links c WHERE c.b_interface_id = t.id AND ${live(stale)})`,
        devices: ownDevice,
      },
    );
  }
  if (cutoffs.alerts !== null) {
    // Finished deliveries go (their attempts cascade); then alerts old enough that no unfinished
    // delivery (queued, held, retrying, a digest still collecting) lists them. Pending alerts stay.
    list.push({
      table: 'alert_deliveries',
      keys: id,
      where: sql`t.status IN ('sent', 'failed', 'dropped') AND t.updated_at < ${at(cutoffs.alerts)}`,
    });
    list.push({
      table: 'alerts',
      keys: id,
      where: sql`t.status <> 'pending' AND t.created_at < ${at(cutoffs.alerts)}
        AND NOT EXISTS (SELECT 1 FROM alert_deliveries d
                         WHERE d.status IN ('collecting', 'queued', 'held', 'sending', 'retrying')
                           AND t.id = ANY(d.alert_ids))`,
    });
  }
  return list;
}

export class RetentionRepository {
  constructor(private readonly db: Kysely<Schema>) {}

  /** Deletes (or, in a dry run, counts) every row the cutoffs no longer keep. */
  async prune(cutoffs: RetentionCutoffs, options: PruneOptions): Promise<PruneResult> {
    const batchSize = Math.max(1, options.batchSize ?? DEFAULT_BATCH_SIZE);
    const maxBatches = Math.max(1, options.maxBatches ?? DEFAULT_MAX_BATCHES);
    const deleted = zeroCounts();
    const batches = zeroCounts();
    let complete = true;
    for (const step of steps(cutoffs)) {
      const table = sql.table(step.table);
      if (options.dryRun) {
        const { rows } = await sql<{ n: number }>`
          SELECT count(*)::int AS n FROM ${table} t WHERE ${step.where}`.execute(this.db);
        deleted[step.table] += rows[0]?.n ?? 0;
        continue;
      }
      let cursor: Cursor | undefined;
      for (let batch = 0; ; batch++) {
        if (batch === maxBatches || options.signal?.aborted) {
          complete = false;
          break;
        }
        const done = step.ordered
          ? await this.deleteOrderedBatch(step, batchSize, cursor)
          : { count: await this.deleteBatch(step, batchSize), last: undefined };
        cursor = done.last;
        batches[step.table] += 1;
        deleted[step.table] += done.count;
        if (done.count < batchSize) break;
      }
    }
    return { deleted, batches, complete, total: totalRows(deleted) };
  }

  private async deleteOrderedBatch(
    step: Step,
    limit: number,
    after: Cursor | undefined,
  ): Promise<{ count: number; last: Cursor | undefined }> {
    const table = sql.table(step.table);
    const from = after ? sql`AND (t.observed_at, t.id) > (${after.at}::timestamptz, ${after.id})` : sql``;
    const { rows } = await sql<{ n: number; at: string | null; id: number | null }>`
      WITH doomed AS (
             SELECT t.id FROM ${table} t WHERE ${step.where} ${from} ORDER BY t.observed_at, t.id LIMIT ${limit}),
           gone AS (DELETE FROM ${table} x USING doomed WHERE x.id = doomed.id RETURNING x.observed_at, x.id),
           last AS (SELECT observed_at, id FROM gone ORDER BY observed_at DESC, id DESC LIMIT 1)
      SELECT (SELECT count(*)::int FROM gone) AS n, last.observed_at AS at, last.id
        FROM (SELECT 1) one LEFT JOIN last ON true`.execute(this.db);
    const row = rows[0];
    const last = row?.at && row.id !== null ? { at: row.at, id: row.id } : undefined;
    return { count: row?.n ?? 0, last };
  }

  private async deleteBatch(step: Step, limit: number): Promise<number> {
    const table = sql.table(step.table);
    const keys = sql.join(step.keys.map((key) => sql.ref(`t.${key}`)));
    const match = sql.join(
      step.keys.map((key) => sql`x.${sql.ref(key)} = doomed.${sql.ref(key)}`),
      sql` AND `,
    );
    const doomed = sql`SELECT ${keys} FROM ${table} t WHERE ${step.where} LIMIT ${limit}`;
    if (!step.devices) {
      const { rows } = await sql<{ n: number }>`
        WITH doomed AS (${doomed}),
             gone AS (DELETE FROM ${table} x USING doomed WHERE ${match} RETURNING 1)
        SELECT count(*)::int AS n FROM gone`.execute(this.db);
      return rows[0]?.n ?? 0;
    }
    // Fact rows: the touched devices' summaries are refreshed in the same transaction.
    return this.db.transaction().execute(async (trx) => {
      const { rows } = await sql<{ devices: (string | null)[] }>`
        WITH doomed AS (${doomed})
        DELETE FROM ${table} x USING doomed WHERE ${match}
        RETURNING ${step.devices} AS devices`.execute(trx);
      const touched = new Set<string>();
      for (const row of rows) for (const device of row.devices) if (device) touched.add(device);
      await refreshDeviceSummaries(trx, [...touched]);
      return rows.length;
    });
  }

  /**
   * Claims a scheduled run of `job` at `scheduledFor`: exactly one caller ever gets the id back,
   * however many workers (or processes) try the same slot at once.
   */
  async claimSlot(job: string, scheduledFor: Date, workerId: string): Promise<number | undefined> {
    const { rows } = await sql<{ id: number }>`
      INSERT INTO maintenance_runs (job, scheduled_for, trigger, worker_id)
      VALUES (${job}, ${scheduledFor.toISOString()}::timestamptz, 'schedule', ${workerId})
      ON CONFLICT (job, scheduled_for) DO NOTHING
      RETURNING id`.execute(this.db);
    return rows[0]?.id;
  }

  /** Records a run started by hand (`roller retention run`); manual runs have no slot. */
  async startManual(job: string, dryRun: boolean, workerId: string): Promise<number> {
    const { rows } = await sql<{ id: number }>`
      INSERT INTO maintenance_runs (job, scheduled_for, trigger, worker_id, dry_run)
      VALUES (${job}, NULL, 'manual', ${workerId}, ${dryRun})
      RETURNING id`.execute(this.db);
    return (rows[0] as { id: number }).id;
  }

  async finish(
    id: number,
    outcome: { status: 'succeeded' | 'failed'; deleted: Partial<RetentionCounts>; error?: string },
  ): Promise<void> {
    await sql`
      UPDATE maintenance_runs SET status = ${outcome.status}, finished_at = now(),
             deleted = ${JSON.stringify(outcome.deleted)}::jsonb, last_error = ${outcome.error ?? null}
       WHERE id = ${id}`.execute(this.db);
  }

  async runs(job: string): Promise<MaintenanceRun[]> {
    const { rows } = await sql<MaintenanceRun>`
      SELECT id, job, scheduled_for, trigger, worker_id, dry_run, status, started_at, finished_at, deleted, last_error
        FROM maintenance_runs WHERE job = ${job} ORDER BY started_at, id`.execute(this.db);
    return rows;
  }
}

export interface MaintenanceRun {
  id: number;
  job: string;
  scheduled_for: string | null;
  trigger: 'schedule' | 'manual';
  worker_id: string | null;
  dry_run: boolean;
  status: 'running' | 'succeeded' | 'failed';
  started_at: string;
  finished_at: string | null;
  deleted: Partial<RetentionCounts>;
  last_error: string | null;
}
