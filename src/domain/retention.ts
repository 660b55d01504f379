import { Cron } from 'croner';

/**
 * Retention as data (G-18): which tables are pruned, by which window, and when the daily job is
 * due. The SQL lives in storage/retention.repository.ts; this file has no I/O.
 */

/** Every table retention deletes from, in the order a run reports them. */
export const RETENTION_TABLES = [
  'ip_observations',
  'mac_observations',
  'discovery_run_logs',
  'discovery_runs',
  'device_events',
  'audit_events',
  'ip_addresses',
  'mac_addresses',
  'interface_vlans',
  'fdb_entries',
  'links',
  'services',
  'device_vlans',
  'interfaces',
  'alert_deliveries',
  'alerts',
] as const;

export type RetentionTable = (typeof RETENTION_TABLES)[number];
export type RetentionCounts = Record<RetentionTable, number>;

/** Windows in milliseconds; 0 keeps rows forever. */
export interface RetentionWindows {
  readonly observationsMs: number;
  readonly runLogsMs: number;
  readonly runsMs: number;
  readonly eventsMs: number;
  readonly auditMs: number;
  readonly staleFactsMs: number;
  /** Finished alert deliveries (with their attempts) and alerts no delivery still needs. */
  readonly alertsMs: number;
}

/** Rows older than a cutoff (RFC 3339) may go; null keeps them forever. */
export interface RetentionCutoffs {
  readonly observations: string | null;
  readonly runLogs: string | null;
  readonly runs: string | null;
  readonly events: string | null;
  readonly audit: string | null;
  readonly staleFacts: string | null;
  readonly alerts: string | null;
}

export function retentionCutoffs(windows: RetentionWindows, now: Date): RetentionCutoffs {
  const cutoff = (ms: number): string | null => (ms > 0 ? new Date(now.getTime() - ms).toISOString() : null);
  return {
    observations: cutoff(windows.observationsMs),
    runLogs: cutoff(windows.runLogsMs),
    runs: cutoff(windows.runsMs),
    events: cutoff(windows.eventsMs),
    audit: cutoff(windows.auditMs),
    staleFacts: cutoff(windows.staleFactsMs),
    alerts: cutoff(windows.alertsMs),
  };
}

export function zeroCounts(): RetentionCounts {
  return Object.fromEntries(RETENTION_TABLES.map((table) => [table, 0])) as RetentionCounts;
}

export function totalRows(counts: RetentionCounts): number {
  return RETENTION_TABLES.reduce((sum, table) => sum + counts[table], 0);
}

const cron = (expression: string): Cron => new Cron(expression, { timezone: 'UTC', paused: true });

/**
 * The latest time the schedule fired at or before `now` (its "slot"), or null when it never has
 * within the expression's reach. A worker that was down at that time still finds the slot
 * unclaimed and runs it once when it starts.
 */
export function latestSlot(expression: string, now: Date): Date | null {
  return cron(expression).previousRuns(1, new Date(now.getTime() + 1))[0] ?? null;
}

/** The next time the schedule fires strictly after `now`. */
export function nextSlot(expression: string, now: Date): Date | null {
  return cron(expression).nextRun(now);
}
