import { describe, expect, it } from 'vitest';
import {
  channelCreateBody,
  channelDraft,
  channelErrors,
  channelUpdateBody,
  formatDuration,
  NEW_RULE,
  newChannel,
  parseDuration,
  quietErrors,
  ruleBody,
  ruleDraft,
  ruleErrors,
} from './model.ts';
import { presenceBody, presenceErrors, sourceText } from './presence-model.ts';
import { makeChannel, makeRule } from './test-support.tsx';

describe('durations', () => {
  it('reads seconds, minutes, hours and days and writes the largest whole unit', () => {
    expect(parseDuration('90')).toBe(90);
    expect(parseDuration(' 5m ')).toBe(300);
    expect(parseDuration('2H')).toBe(7200);
    expect(parseDuration('1d')).toBe(86_400);
    expect(parseDuration('1.5h')).toBeUndefined();
    expect(parseDuration('soon')).toBeUndefined();
    expect(parseDuration('')).toBeUndefined();
    expect(formatDuration(0)).toBe('0s');
    expect(formatDuration(90)).toBe('90s');
    expect(formatDuration(600)).toBe('10m');
    expect(formatDuration(7200)).toBe('2h');
    expect(formatDuration(172_800)).toBe('2d');
  });
});

describe('rule drafts', () => {
  it('round-trips a stored rule through the form unchanged', () => {
    const rule = makeRule({
      filters: { tags: ['server'], subnets: ['10.0.0.0/24'], vendors: ['Apple, Inc.'], watched_only: true },
      quiet_hours: { time_zone: 'Europe/Berlin', ranges: [{ start: '22:00', end: '07:00' }], mode: 'hold' },
    });
    const { id: _id, created_at: _c, updated_at: _u, ...fields } = rule;
    expect(ruleBody(ruleDraft(rule))).toEqual(fields);
  });

  it('names what is wrong and leaves device filters out of run_failed rules', () => {
    const errors = ruleErrors({
      ...NEW_RULE,
      subnets: '10.0.0.0/24, 10.0.0.0/33',
      newDeviceDelay: '2d',
      groupWindow: '30s',
      quiet: { enabled: true, timeZone: 'Mars/Olympus', ranges: '22:00-25:00', mode: 'hold' },
    });
    expect(errors).toEqual({
      name: 'Give the rule a name.',
      subnets: '"10.0.0.0/33" is not a CIDR prefix such as 10.0.0.0/24.',
      newDeviceDelay: 'Use 0s to 1d.',
      groupWindow: 'Use 1m to 30d.',
      timeZone: '"Mars/Olympus" is not a time zone this browser knows.',
      ranges: '"22:00-25:00" is not a range like 22:00-07:00 (24-hour times).',
    });
    const runFailed = { ...NEW_RULE, name: 'runs', event: 'run_failed' as const, tags: ['server'], subnets: 'x' };
    expect(ruleErrors(runFailed)).toEqual({});
    expect(ruleBody(runFailed).filters).toEqual({});
  });
});

describe('quiet hours', () => {
  it('checks only when switched on', () => {
    expect(quietErrors({ enabled: false, timeZone: '', ranges: '', mode: 'hold' })).toEqual({});
    expect(quietErrors({ enabled: true, timeZone: 'UTC', ranges: ' , ', mode: 'hold' })).toEqual({
      ranges: 'Enter at least one range, e.g. 22:00-07:00.',
    });
  });
});

describe('channel drafts', () => {
  it('sends the secret only to set or remove it, never a stored one back', () => {
    const draft = channelDraft(makeChannel({ has_secret: true }));
    expect(draft.secret).toBe('');
    expect('secret' in channelUpdateBody(draft)).toBe(false);
    expect(channelUpdateBody({ ...draft, secretAction: 'set', secret: 'k2' }).secret).toBe('k2');
    expect(channelUpdateBody({ ...draft, secretAction: 'remove' }).secret).toBeNull();
    expect('type' in channelUpdateBody(draft)).toBe(false);
  });

  it('builds each type with only the keys it takes', () => {
    expect(channelCreateBody({ ...newChannel('ntfy'), name: 'n', topic: 'roller-alerts' }).config).toEqual({
      topic: 'roller-alerts',
    });
    expect(
      channelCreateBody({
        ...newChannel('email'),
        name: 'm',
        host: 'smtp.example.org',
        from: 'r@example.org',
        to: 'a@example.org; b@example.org',
      }).config,
    ).toEqual({
      host: 'smtp.example.org',
      port: 587,
      tls: 'starttls',
      from: 'r@example.org',
      to: ['a@example.org', 'b@example.org'],
    });
    expect(channelErrors({ ...newChannel('ntfy'), name: 'n', topic: 'bad topic', serverUrl: 'ftp://x' })).toEqual({
      topic: 'Letters, digits, - and _ only, at most 64.',
      serverUrl: 'Enter an http:// or https:// URL, or leave it empty for https://ntfy.sh.',
    });
  });
});

describe('presence drafts', () => {
  it('sends blank fields as null (inherit) and checks the bounds', () => {
    expect(presenceBody({ missedScans: ' 3 ', grace: '10m' })).toEqual({ missed_scans: 3, grace_s: 600 });
    expect(presenceBody({ missedScans: '', grace: '' })).toEqual({ missed_scans: null, grace_s: null });
    expect(presenceErrors({ missedScans: '0', grace: '31d' })).toEqual({
      missedScans: 'Use a whole number from 1 to 1000, or leave it empty to inherit.',
      grace: 'At most 30d.',
    });
    expect(presenceErrors({ missedScans: '', grace: '0' })).toEqual({});
    expect(sourceText('tag:server', (tag) => tag.toUpperCase())).toBe('from tag SERVER');
    expect(sourceText('global')).toBe('global default');
    expect(sourceText('device')).toBe('set on this device');
  });
});
