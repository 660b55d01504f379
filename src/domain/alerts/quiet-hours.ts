import type { QuietHours } from './alert.types.ts';

const HHMM = /^([01]\d|2[0-3]):([0-5]\d)$/;

export function parseHhmm(text: string): number | undefined {
  const match = HHMM.exec(text);
  return match ? Number(match[1]) * 60 + Number(match[2]) : undefined;
}

export function isValidTimeZone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}

/** Why quiet hours are invalid, or undefined when they are fine. */
export function quietHoursProblem(quiet: QuietHours): string | undefined {
  if (!isValidTimeZone(quiet.time_zone)) return `unknown time zone "${quiet.time_zone}"`;
  for (const range of quiet.ranges) {
    if (parseHhmm(range.start) === undefined || parseHhmm(range.end) === undefined) {
      return `invalid range ${range.start}-${range.end} (use HH:MM)`;
    }
    if (range.start === range.end) return `empty range ${range.start}-${range.end}`;
  }
  return undefined;
}

/** Minutes since local midnight of `at` in the zone. */
function localMinutes(at: Date, zone: string): number {
  const parts = new Intl.DateTimeFormat('en-GB', {
    timeZone: zone,
    hour: '2-digit',
    minute: '2-digit',
    hourCycle: 'h23',
  }).formatToParts(at);
  const hour = Number(parts.find((part) => part.type === 'hour')?.value ?? 0);
  const minute = Number(parts.find((part) => part.type === 'minute')?.value ?? 0);
  return hour * 60 + minute;
}

export function isQuiet(quiet: QuietHours | null | undefined, at: Date): boolean {
  if (!quiet || quiet.ranges.length === 0) return false;
  const now = localMinutes(at, quiet.time_zone);
  return quiet.ranges.some((range) => {
    const start = parseHhmm(range.start);
    const end = parseHhmm(range.end);
    if (start === undefined || end === undefined) return false;
    return start < end ? now >= start && now < end : now >= start || now < end;
  });
}

/**
 * The first minute boundary at or after `at` that is outside the quiet hours (what a held alert
 * waits for). Stepping by minutes keeps time-zone changes (DST) right; it is bounded to two days, and
 * ranges that cover the whole day give up there (the alert is then tried again two days later).
 */
export function quietUntil(quiet: QuietHours, at: Date): Date {
  const step = 60_000;
  let probe = new Date(Math.ceil(at.getTime() / step) * step);
  for (let i = 0; i < 2 * 24 * 60 && isQuiet(quiet, probe); i++) probe = new Date(probe.getTime() + step);
  return probe;
}
