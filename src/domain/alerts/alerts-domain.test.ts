import { describe, expect, it } from 'vitest';
import type { QuietHours } from './alert.types.ts';
import { retryDelayMs, verifyWebhookSignature, webhookSignature } from './delivery-policy.ts';
import { decideFlap } from './flap-damping.ts';
import { isQuiet, quietHoursProblem, quietUntil } from './quiet-hours.ts';
import { isLocallyAdministered, randomizedGroupKey } from './randomized-mac.ts';
import { matchesFilters, subnetContains } from './rule-matching.ts';

const device = { tags: ['printer'], vendor: 'HP Inc.', ips: ['10.0.1.20', '2001:db8::20'], watched: false };

describe('rule filters', () => {
  it('passes everything without filters', () => {
    expect(matchesFilters({}, device)).toBe(true);
    expect(matchesFilters({ tags: [], subnets: [], vendors: [] }, device)).toBe(true);
  });

  it('matches tags and vendors ignoring case, any value of one filter', () => {
    expect(matchesFilters({ tags: ['server', 'PRINTER'] }, device)).toBe(true);
    expect(matchesFilters({ tags: ['server'] }, device)).toBe(false);
    expect(matchesFilters({ vendors: ['hp inc.'] }, device)).toBe(true);
    expect(matchesFilters({ vendors: ['HP'] }, device)).toBe(false);
    expect(matchesFilters({ vendors: ['HP Inc.'] }, { ...device, vendor: null })).toBe(false);
  });

  it('matches a subnet when any current address is inside it (IPv4 and IPv6)', () => {
    expect(matchesFilters({ subnets: ['10.0.1.0/24'] }, device)).toBe(true);
    expect(matchesFilters({ subnets: ['10.0.2.0/24'] }, device)).toBe(false);
    expect(matchesFilters({ subnets: ['10.0.2.0/24', '2001:db8::/64'] }, device)).toBe(true);
    expect(subnetContains('10.0.1.20', '10.0.1.20')).toBe(true);
    expect(subnetContains('10.0.1.0/25', '10.0.1.200')).toBe(false);
  });

  it('needs every given filter, and the watch flag when asked', () => {
    expect(matchesFilters({ tags: ['printer'], subnets: ['10.9.0.0/16'] }, device)).toBe(false);
    expect(matchesFilters({ watched_only: true }, device)).toBe(false);
    expect(matchesFilters({ watched_only: true }, { ...device, watched: true })).toBe(true);
  });
});

describe('randomised MACs', () => {
  it('reads the U/L bit of the first octet', () => {
    expect(isLocallyAdministered('da:a1:19:00:00:01')).toBe(true);
    expect(isLocallyAdministered('02:00:00:00:00:01')).toBe(true);
    expect(isLocallyAdministered('00:1b:21:3a:4f:10')).toBe(false);
    expect(isLocallyAdministered('DC-A6-32-00-00-01')).toBe(false);
    expect(isLocallyAdministered('not a mac')).toBe(false);
    expect(isLocallyAdministered(null)).toBe(false);
  });

  it('groups by name and vendor ignoring case and blanks', () => {
    expect(randomizedGroupKey(' Pixel-7 ', null)).toBe(randomizedGroupKey('pixel-7', ''));
    expect(randomizedGroupKey('Pixel-7', 'Google')).not.toBe(randomizedGroupKey('Pixel-7', null));
  });
});

describe('quiet hours', () => {
  const berlinNights: QuietHours = {
    time_zone: 'Europe/Berlin',
    ranges: [{ start: '22:00', end: '07:00' }],
    mode: 'hold',
  };

  it('is time zone aware and crosses midnight', () => {
    // 02:30 in Berlin (UTC+1 in November).
    expect(isQuiet(berlinNights, new Date('2026-11-28T01:30:00Z'))).toBe(true);
    // 22:30 in Berlin, but still 21:30 UTC.
    expect(isQuiet(berlinNights, new Date('2026-11-27T21:30:00Z'))).toBe(true);
    // 07:30 in Berlin.
    expect(isQuiet(berlinNights, new Date('2026-11-28T06:30:00Z'))).toBe(false);
    // 21:30 in Berlin.
    expect(isQuiet(berlinNights, new Date('2026-11-27T20:30:00Z'))).toBe(false);
    expect(isQuiet(null, new Date())).toBe(false);
  });

  it('knows when a held alert may go', () => {
    expect(quietUntil(berlinNights, new Date('2026-11-28T01:30:00Z')).toISOString()).toBe('2026-11-28T06:00:00.000Z');
  });

  it('refuses unknown zones and bad ranges', () => {
    expect(quietHoursProblem({ ...berlinNights, time_zone: 'Mars/Olympus' })).toMatch(/time zone/);
    expect(quietHoursProblem({ ...berlinNights, ranges: [{ start: '25:00', end: '07:00' }] })).toMatch(/range/);
    expect(quietHoursProblem(berlinNights)).toBeUndefined();
  });
});

describe('flap damping', () => {
  const at = new Date('2026-11-27T10:00:00Z');
  const windowMs = 3_600_000;

  it('alerts up to the threshold, then flags flapping once, then suppresses until stable', () => {
    expect(decideFlap({ state: undefined, at, transitionsInWindow: 2, threshold: 2, windowMs })).toEqual({
      action: 'alert',
      clear: false,
    });
    expect(decideFlap({ state: undefined, at, transitionsInWindow: 3, threshold: 2, windowMs }).action).toBe(
      'start_flapping',
    );
    const state = { flappingSince: at, lastTransitionAt: at };
    const soon = new Date(at.getTime() + 60_000);
    expect(decideFlap({ state, at: soon, transitionsInWindow: 9, threshold: 2, windowMs }).action).toBe('suppress');
    const later = new Date(at.getTime() + windowMs);
    expect(decideFlap({ state, at: later, transitionsInWindow: 1, threshold: 2, windowMs })).toEqual({
      action: 'alert',
      clear: true,
    });
  });

  it('is off with threshold 0', () => {
    expect(decideFlap({ state: undefined, at, transitionsInWindow: 50, threshold: 0, windowMs }).action).toBe('alert');
  });
});

describe('delivery policy', () => {
  it('backs off exponentially up to the cap', () => {
    expect([1, 2, 3, 4, 5].map((attempt) => retryDelayMs(attempt, 1000, 5000))).toEqual([1000, 2000, 4000, 5000, 5000]);
  });

  it('signs timestamp and body, so neither can be changed', () => {
    const signature = webhookSignature('s3cret', '1764237302', '{"a":1}');
    expect(signature).toMatch(/^sha256=[0-9a-f]{64}$/);
    expect(verifyWebhookSignature('s3cret', '1764237302', '{"a":1}', signature)).toBe(true);
    expect(verifyWebhookSignature('s3cret', '1764237303', '{"a":1}', signature)).toBe(false);
    expect(verifyWebhookSignature('s3cret', '1764237302', '{"a":2}', signature)).toBe(false);
    expect(verifyWebhookSignature('other', '1764237302', '{"a":1}', signature)).toBe(false);
  });
});
