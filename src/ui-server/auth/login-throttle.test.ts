import { describe, expect, it } from 'vitest';
import { LoginThrottle, type ThrottleDecision } from './login-throttle.ts';

const START = 1_700_000_000_000;
const LOCKOUT_MS = 15 * 60_000;

function throttle(threshold: number, lockoutMs = LOCKOUT_MS) {
  const clock = { now: START };
  const instance = new LoginThrottle({ threshold, lockoutMs, now: () => clock.now });
  return { clock, throttle: instance, advance: (ms: number) => (clock.now += ms) };
}

describe('LoginThrottle', () => {
  it('allows the first two failures to be retried at once', () => {
    const { throttle: t } = throttle(10);
    expect(t.check('alice', '10.0.0.1')).toEqual({ allowed: true });
    expect(t.recordFailure('alice', '10.0.0.1')).toEqual({ lockedOut: false });
    expect(t.check('alice', '10.0.0.1')).toEqual({ allowed: true });
    expect(t.recordFailure('alice', '10.0.0.1')).toEqual({ lockedOut: false });
    expect(t.check('alice', '10.0.0.1')).toEqual({ allowed: true });
  });

  it('delays from the third failure on: 1 s, 2 s, 4 s … capped at 30 s', () => {
    const { throttle: t, advance } = throttle(20);
    t.recordFailure('alice', '10.0.0.1');
    t.recordFailure('alice', '10.0.0.1');
    const delays: number[] = [];
    for (let failure = 3; failure <= 10; failure += 1) {
      t.recordFailure('alice', '10.0.0.1');
      const decision = t.check('alice', '10.0.0.1');
      expect(decision.allowed).toBe(false);
      const { retryAfterMs, locked } = decision as Extract<ThrottleDecision, { allowed: false }>;
      expect(locked).toBe(false);
      delays.push(retryAfterMs);
      advance(retryAfterMs - 1);
      expect(t.check('alice', '10.0.0.1')).toEqual({ allowed: false, retryAfterMs: 1, locked: false });
      advance(1);
      expect(t.check('alice', '10.0.0.1')).toEqual({ allowed: true });
    }
    expect(delays).toEqual([1000, 2000, 4000, 8000, 16_000, 30_000, 30_000, 30_000]);
  });

  it('counts the delay from the failure, so waiting part of it leaves the rest', () => {
    const { throttle: t, advance } = throttle(10);
    for (let i = 0; i < 4; i += 1) t.recordFailure('alice', '10.0.0.1');
    advance(500);
    expect(t.check('alice', '10.0.0.1')).toEqual({ allowed: false, retryAfterMs: 1500, locked: false });
  });

  it('locks the username at the threshold, reporting the lockout once', () => {
    const { throttle: t, advance } = throttle(5);
    const results: boolean[] = [];
    for (let i = 0; i < 5; i += 1) {
      results.push(t.recordFailure('alice', '10.0.0.1').lockedOut);
      advance(20_000);
    }
    expect(results).toEqual([false, false, false, false, true]);
    expect(t.check('alice', '10.0.0.9')).toEqual({
      allowed: false,
      retryAfterMs: LOCKOUT_MS - 20_000,
      locked: true,
    });
    // Another failure during the lockout is not a new lockout.
    expect(t.recordFailure('alice', '10.0.0.9')).toEqual({ lockedOut: false });
    // Another username from a different address is unaffected.
    expect(t.check('bob', '10.0.0.2')).toEqual({ allowed: true });
  });

  it('ends the lockout after lockoutMs and starts the count again', () => {
    const { throttle: t, advance } = throttle(3);
    for (let i = 0; i < 3; i += 1) t.recordFailure('alice', '10.0.0.1');
    expect(t.check('alice', '10.0.0.1')).toEqual({ allowed: false, retryAfterMs: LOCKOUT_MS, locked: true });
    advance(LOCKOUT_MS - 1);
    expect(t.check('alice', '10.0.0.1')).toMatchObject({ allowed: false, locked: true });
    advance(1);
    expect(t.check('alice', '10.0.0.1')).toEqual({ allowed: true });
    // A fresh count: not an instant re-lock on the next failure.
    expect(t.recordFailure('alice', '10.0.0.1')).toEqual({ lockedOut: false });
    expect(t.check('alice', '10.0.0.1')).toEqual({ allowed: true });
    expect(t.recordFailure('alice', '10.0.0.1')).toEqual({ lockedOut: false });
    expect(t.check('alice', '10.0.0.1')).toEqual({ allowed: true });
    expect(t.recordFailure('alice', '10.0.0.1')).toEqual({ lockedOut: true });
  });

  it('forgets a delayed key after a quiet lockout period', () => {
    const { throttle: t, advance } = throttle(10);
    for (let i = 0; i < 4; i += 1) t.recordFailure('alice', '10.0.0.1');
    advance(LOCKOUT_MS);
    t.recordFailure('alice', '10.0.0.1');
    expect(t.check('alice', '10.0.0.1')).toEqual({ allowed: true });
  });

  it('treats unknown usernames exactly like known ones', () => {
    const run = (username: string) => {
      const { throttle: t, advance } = throttle(6);
      const decisions: unknown[] = [];
      for (let i = 0; i < 8; i += 1) {
        decisions.push(t.recordFailure(username, '192.0.2.1'), t.check(username, '192.0.2.1'));
        advance(1500);
        decisions.push(t.check(username, '192.0.2.1'));
      }
      return decisions;
    };
    const known = run('admin');
    expect(known).toContainEqual({ lockedOut: true });
    expect(run('no-such-user-7f3a')).toEqual(known);
  });

  it('treats usernames with surrounding spaces as the same key', () => {
    const { throttle: t } = throttle(3);
    t.recordFailure('alice', '10.0.0.1');
    t.recordFailure(' alice', '10.0.0.2');
    expect(t.recordFailure('alice ', '10.0.0.3')).toEqual({ lockedOut: true });
  });

  it('locks a client address after four times the threshold, across usernames', () => {
    const { throttle: t } = throttle(3);
    const lockouts: boolean[] = [];
    for (let i = 1; i <= 12; i += 1) lockouts.push(t.recordFailure(`user${i}`, '198.51.100.7').lockedOut);
    expect(lockouts).toEqual([...Array(11).fill(false), true]);
    expect(t.check('someone-else', '198.51.100.7')).toEqual({
      allowed: false,
      retryAfterMs: LOCKOUT_MS,
      locked: true,
    });
    expect(t.check('someone-else', '198.51.100.8')).toEqual({ allowed: true });
    // No single username reached its own threshold.
    expect(t.check('user1', '198.51.100.8')).toEqual({ allowed: true });
  });

  it('delays a client address only from its 12th failure (four times the third)', () => {
    const { throttle: t, advance } = throttle(10);
    for (let i = 1; i <= 11; i += 1) t.recordFailure(`user${i}`, '203.0.113.5');
    expect(t.check('newcomer', '203.0.113.5')).toEqual({ allowed: true });
    t.recordFailure('user12', '203.0.113.5');
    expect(t.check('newcomer', '203.0.113.5')).toEqual({ allowed: false, retryAfterMs: 1000, locked: false });
    advance(1000);
    t.recordFailure('user13', '203.0.113.5');
    expect(t.check('newcomer', '203.0.113.5')).toEqual({ allowed: false, retryAfterMs: 2000, locked: false });
    expect(t.check('newcomer', '203.0.113.6')).toEqual({ allowed: true });
  });

  it('recordSuccess clears the username, not the address', () => {
    const { throttle: t } = throttle(5);
    for (let i = 0; i < 4; i += 1) t.recordFailure('alice', '10.0.0.1');
    expect(t.check('alice', '10.0.0.2')).toMatchObject({ allowed: false, retryAfterMs: 2000 });
    t.recordSuccess('alice');
    expect(t.check('alice', '10.0.0.2')).toEqual({ allowed: true });
    expect(t.check('alice', '10.0.0.1')).toEqual({ allowed: true });
    // The username count starts again: its next failure is its first.
    t.recordFailure('alice', '10.0.0.3');
    t.recordFailure('alice', '10.0.0.3');
    expect(t.check('alice', '10.0.0.4')).toEqual({ allowed: true });
    // The address still counts alice's four failures: 4 + 7 others = 11 stay below its delay, the 12th reaches it.
    for (let i = 1; i <= 7; i += 1) t.recordFailure(`other${i}`, '10.0.0.1');
    expect(t.check('dave', '10.0.0.1')).toEqual({ allowed: true });
    t.recordFailure('other8', '10.0.0.1');
    expect(t.check('dave', '10.0.0.1')).toEqual({ allowed: false, retryAfterMs: 1000, locked: false });
  });
});
