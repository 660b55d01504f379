import type { Static } from 'typebox';
import type { DiscoveryRunBody, Schedule } from '../../shared/schemas/discovery.ts';
import type { RunLogRow, RunRow } from '../../storage/discovery-run.repository.ts';
import type { ScheduleRow } from '../../storage/discovery-schedule.repository.ts';
import { withoutEmpty } from './device.presenter.ts';

export function presentRun(row: RunRow): DiscoveryRunBody {
  return withoutEmpty({
    id: row.id,
    status: row.status,
    scope: row.scope,
    stats: row.stats ?? {},
    queued_at: row.queued_at,
    started_at: row.started_at,
    completed_at: row.completed_at,
    last_error: row.last_error,
    cancel_requested_at: row.cancel_requested_at,
    schedule_id: row.schedule_id,
  }) as DiscoveryRunBody;
}

export function presentLog(row: RunLogRow): { id: number; level: string; message: string; created_at: string } {
  return { id: row.id, level: row.level, message: row.message, created_at: row.created_at };
}

export function presentSchedule(row: ScheduleRow): Static<typeof Schedule> {
  return withoutEmpty({
    id: row.id,
    name: row.name,
    scope: row.scope,
    preset: row.preset,
    tags: row.tags,
    interval_seconds: row.interval_seconds,
    cron: row.cron,
    enabled: row.enabled,
    next_run_at: row.next_run_at,
    last_run_id: row.last_run_id,
    last_enqueued_at: row.last_enqueued_at,
    created_at: row.created_at,
    updated_at: row.updated_at,
  }) as Static<typeof Schedule>;
}
