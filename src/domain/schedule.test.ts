import { afterEach, describe, expect, it } from 'vitest';
import { cronError, nextRunAt, scheduledRunStats } from './schedule.ts';

const at = (iso: string) => new Date(iso);
const cron = (expression: string, from: string) => nextRunAt({ interval_seconds: null, cron: expression }, at(from));

describe('nextRunAt', () => {
  const originalTz = process.env.TZ;
  afterEach(() => {
    if (originalTz === undefined) delete process.env.TZ;
    else process.env.TZ = originalTz;
  });

  it('adds the interval to the reference time', () => {
    expect(nextRunAt({ interval_seconds: 300, cron: null }, at('2025-01-01T00:00:00.000Z'))).toBe(
      '2025-01-01T00:05:00.000Z',
    );
    expect(nextRunAt({ interval_seconds: 86_400, cron: null }, at('2024-02-28T23:30:00.250Z'))).toBe(
      '2024-02-29T23:30:00.250Z',
    );
  });

  it('defaults the reference time to now', () => {
    const before = Date.now();
    const next = Date.parse(nextRunAt({ interval_seconds: 60, cron: null }) as string);
    expect(next).toBeGreaterThanOrEqual(before + 60_000);
    expect(next).toBeLessThanOrEqual(Date.now() + 60_000);
  });

  it('gives the next cron time strictly after the reference time', () => {
    expect(cron('0 3 * * *', '2025-01-01T02:59:59.500Z')).toBe('2025-01-01T03:00:00.000Z');
    expect(cron('0 3 * * *', '2025-01-01T03:00:00.000Z')).toBe('2025-01-02T03:00:00.000Z');
    expect(cron('*/15 * * * *', '2025-06-30T23:52:10.000Z')).toBe('2025-07-01T00:00:00.000Z');
    expect(cron('30 6 * * 1', '2025-01-01T00:00:00.000Z')).toBe('2025-01-06T06:30:00.000Z'); // a Monday
  });

  it('reads cron in UTC whatever the process time zone is', () => {
    process.env.TZ = 'America/New_York';
    expect(new Date(2025, 0, 1).getTimezoneOffset()).toBe(300); // the zone change took effect
    expect(cron('0 3 * * *', '2025-01-01T04:00:00.000Z')).toBe('2025-01-02T03:00:00.000Z');
    process.env.TZ = 'Asia/Kolkata';
    expect(cron('0 0 1 * *', '2025-01-31T20:00:00.000Z')).toBe('2025-02-01T00:00:00.000Z');
  });

  it('is null without any timing', () => {
    expect(nextRunAt({ interval_seconds: null, cron: null }, at('2025-01-01T00:00:00Z'))).toBeNull();
  });
});

describe('cronError', () => {
  it('accepts valid five-field expressions', () => {
    for (const expression of ['* * * * *', '0 3 * * *', '*/5 8-18 * * 1-5', '0 0 1 1 *']) {
      expect(cronError(expression), expression).toBeUndefined();
    }
  });

  it('explains invalid expressions', () => {
    expect(cronError('61 * * * *')).toMatch(/minute/i);
    expect(cronError('every day')).toMatch(/five/i);
    expect(cronError('* * * *')).toEqual(expect.any(String));
    expect(cronError('0 25 * * *')).toMatch(/hour/i);
  });

  it('refuses six-field (seconds) expressions, which would bypass the 60 s minimum interval', () => {
    expect(cronError('* * * * * *')).toEqual(expect.any(String));
    expect(cronError('*/5 * * * * *')).toEqual(expect.any(String));
  });

  it('refuses an expression that never fires (an enabled schedule would silently never run)', () => {
    expect(cron('0 0 31 2 *', '2025-01-01T00:00:00.000Z')).toBeNull();
    expect(cronError('0 0 31 2 *')).toEqual(expect.any(String));
  });
});

describe('scheduledRunStats', () => {
  it('is the queued stats of a run, marked with its schedule', () => {
    expect(scheduledRunStats({ id: 'sched-1', preset: 'deep', tags: ['names', 'snmp'] })).toEqual({
      stage: 'queued',
      preset: 'deep',
      tags: ['names', 'snmp'],
      schedule_id: 'sched-1',
    });
    expect(scheduledRunStats({ id: 'sched-2', preset: 'normal', tags: [] })).toEqual({
      stage: 'queued',
      preset: 'normal',
      schedule_id: 'sched-2',
    });
  });
});
