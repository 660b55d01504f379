import { Cron } from 'croner';

/** The timing and content of a recurring discovery run, as stored. */
export interface ScheduleTiming {
  interval_seconds: number | null;
  cron: string | null;
}

export interface ScheduleContent {
  id: string;
  preset: string;
  tags: string[];
}

/** Whether a cron expression is valid; the error text when it is not. */
export function cronError(expression: string): string | undefined {
  // Five fields only: a seconds field would allow schedules far below the 60 s minimum interval.
  if (expression.trim().split(/\s+/).length !== 5)
    return 'a cron expression has five fields: minute hour day-of-month month day-of-week';
  try {
    const cron = new Cron(expression, { timezone: 'UTC', paused: true });
    return cron.nextRun() ? undefined : 'the expression never fires';
  } catch (error) {
    return (error as Error).message;
  }
}

/** When a schedule is next due, counted from `from` (cron in UTC). */
export function nextRunAt(schedule: ScheduleTiming, from: Date = new Date()): string | null {
  if (schedule.interval_seconds !== null)
    return new Date(from.getTime() + schedule.interval_seconds * 1000).toISOString();
  if (schedule.cron !== null)
    return new Cron(schedule.cron, { timezone: 'UTC', paused: true }).nextRun(from)?.toISOString() ?? null;
  return null;
}

export function scheduledRunStats(schedule: ScheduleContent): Record<string, unknown> {
  return {
    stage: 'queued',
    preset: schedule.preset,
    ...(schedule.tags.length > 0 ? { tags: schedule.tags } : {}),
    schedule_id: schedule.id,
  };
}
