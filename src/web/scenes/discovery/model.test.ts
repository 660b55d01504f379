import { describe, expect, it } from 'vitest';
import type { DiscoveryRunT } from '../../api/types.ts';
import {
  describeTiming,
  EMPTY_DRAFT,
  formatDuration,
  mergeLogs,
  mergeRuns,
  runProgress,
  scheduleBody,
  scheduleErrors,
  scopeProblem,
  statEntries,
} from './model.ts';

function run(id: string, queuedAt: string, change: Partial<DiscoveryRunT> = {}): DiscoveryRunT {
  return { id, status: 'succeeded', stats: {}, queued_at: queuedAt, ...change };
}

describe('discovery model', () => {
  it('reads stage and percent from stats.progress', () => {
    expect(runProgress({ status: 'queued', stats: { stage: 'queued' } })).toEqual({
      stage: 'Waiting for a worker',
      percent: undefined,
      counts: undefined,
    });
    expect(runProgress({ status: 'running', stats: { stage: 'running' } }).percent).toBeUndefined();
    expect(runProgress({ status: 'running', stats: { progress: { stage: 'sweep', done: 64, total: 256 } } })).toEqual({
      stage: 'Presence sweep',
      percent: 25,
      counts: '64 / 256',
    });
    expect(runProgress({ status: 'running', stats: { progress: { stage: 'fold', done: 0, total: 0 } } }).percent).toBe(
      undefined,
    );
    expect(runProgress({ status: 'succeeded', stats: {} }).percent).toBe(100);
    expect(runProgress({ status: 'canceled', stats: {} }).stage).toBe('Canceled');
  });

  it('merges a fresh first page with the older pages, newest first, no duplicates', () => {
    const old = [run('c', '2026-01-01T10:03:00Z'), run('b', '2026-01-01T10:02:00Z'), run('a', '2026-01-01T10:01:00Z')];
    const fresh = [
      run('e', '2026-01-01T10:05:00Z', { status: 'running' }),
      run('d', '2026-01-01T10:04:00Z'),
      run('c', '2026-01-01T10:03:00Z', { status: 'failed' }),
    ];
    const merged = mergeRuns(fresh, old);
    expect(merged.map((r) => r.id)).toEqual(['e', 'd', 'c', 'b', 'a']);
    expect(merged.find((r) => r.id === 'c')?.status).toBe('failed');
  });

  it('merges log pages newest first by id', () => {
    const line = (id: number) => ({ id, level: 'info', message: `line ${id}`, created_at: '2026-01-01T00:00:00Z' });
    expect(mergeLogs([line(5), line(4)], [line(4), line(3)], [line(1)]).map((l) => l.id)).toEqual([5, 4, 3, 1]);
  });

  it('catches obviously malformed scopes and lets the server judge the rest', () => {
    expect(scopeProblem('')).toMatch(/Enter a scope/);
    expect(scopeProblem('10.0.0.0/24, ')).toMatch(/empty entry/);
    expect(scopeProblem('10.0.0.300')).toMatch(/not a valid IPv4/);
    expect(scopeProblem('10.0.0.0/33')).toMatch(/0 to 32/);
    expect(scopeProblem('example.com')).toMatch(/not an IP address/);
    expect(scopeProblem('127.0.0.1/32')).toBeUndefined();
    expect(scopeProblem('10.0.0.0/24, 192.0.2.7, fe80::1')).toBeUndefined();
    expect(scopeProblem(Array.from({ length: 65 }, (_, i) => `10.0.0.${i}`).join(','))).toMatch(/At most 64/);
  });

  it('validates schedule drafts and builds bodies with one timing', () => {
    expect(scheduleErrors(EMPTY_DRAFT)).toEqual({ scope: expect.stringMatching(/Enter a scope/) });
    const base = { ...EMPTY_DRAFT, scope: '192.0.2.0/24' };
    expect(scheduleErrors({ ...base, every: '0' }).every).toMatch(/greater than 0/);
    expect(scheduleErrors({ ...base, every: '1.5' }).every).toMatch(/whole number/);
    expect(scheduleErrors({ ...base, every: '400', unit: 'days' }).every).toMatch(/365 days/);
    expect(scheduleErrors({ ...base, timing: 'cron', cron: '' }).cron).toMatch(/Enter a cron/);
    expect(scheduleErrors({ ...base, timing: 'cron', cron: '0 3 * *' }).cron).toMatch(/5 fields/);
    expect(scheduleErrors({ ...base, timing: 'cron', cron: '0  3 * * *' })).toEqual({});
    expect(scheduleBody({ ...base, every: '2', unit: 'hours' })).toMatchObject({
      interval_seconds: 7200,
      cron: null,
      name: null,
    });
    expect(scheduleBody({ ...base, timing: 'cron', cron: ' 0  3 * * * ' })).toMatchObject({
      interval_seconds: null,
      cron: '0 3 * * *',
    });
  });

  it('formats durations, timings and stats', () => {
    expect(formatDuration(125_400)).toBe('2m 5s');
    expect(describeTiming({ interval_seconds: 3600 })).toBe('every 1 hour');
    expect(describeTiming({ interval_seconds: 600 })).toBe('every 10 minutes');
    expect(describeTiming({ cron: '0 3 * * *' })).toBe('cron 0 3 * * * (UTC)');
    expect(statEntries({ preset: 'fast', stage: 'x', tags: [], devices_seen: 2, stage_ms: { sweep: 5 } })).toEqual([
      ['devices seen', '2'],
      ['stage ms', '{"sweep":5}'],
    ]);
  });
});
