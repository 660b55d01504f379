import { describe, expect, it } from 'vitest';
import { SlidingWindowLimiter } from './rate-limiter.ts';

/** A limiter on a clock the test moves by hand. */
function limiter(limit: number, windowMs: number) {
  const clock = { now: 1_000_000 };
  const instance = new SlidingWindowLimiter(limit, windowMs, () => clock.now);
  return {
    clock,
    take: () => instance.take(),
    at: (offsetMs: number) => {
      clock.now = 1_000_000 + offsetMs;
      return instance.take();
    },
  };
}

describe('SlidingWindowLimiter', () => {
  it('allows `limit` events per window and then answers how long to wait', () => {
    const l = limiter(2, 60_000);
    expect(l.at(0)).toEqual({ allowed: true });
    expect(l.at(1000)).toEqual({ allowed: true });
    expect(l.at(2000)).toEqual({ allowed: false, retryAfterSeconds: 58 });
    expect(l.at(30_000)).toEqual({ allowed: false, retryAfterSeconds: 30 });
  });

  it('rounds Retry-After up and never below 1 second', () => {
    const l = limiter(1, 10_000);
    expect(l.at(0)).toEqual({ allowed: true });
    expect(l.at(8_500)).toEqual({ allowed: false, retryAfterSeconds: 2 });
    expect(l.at(9_999)).toEqual({ allowed: false, retryAfterSeconds: 1 });
  });

  it('frees a slot exactly when the oldest event leaves the window', () => {
    const l = limiter(2, 60_000);
    l.at(0);
    l.at(1000);
    expect(l.at(59_999).allowed).toBe(false);
    expect(l.at(60_000)).toEqual({ allowed: true }); // the event at 0 has left
    // The window is now [1000, 60000]: full until 61000.
    expect(l.at(60_500)).toEqual({ allowed: false, retryAfterSeconds: 1 });
    expect(l.at(61_000)).toEqual({ allowed: true });
  });

  it('does not count refused attempts against the caller', () => {
    const l = limiter(1, 1000);
    expect(l.at(0).allowed).toBe(true);
    for (let i = 0; i < 50; i++) expect(l.at(10 + i).allowed).toBe(false);
    expect(l.at(1000).allowed).toBe(true);
  });

  it('slides rather than resetting at fixed boundaries', () => {
    const l = limiter(3, 10_000);
    expect([l.at(0), l.at(9_000), l.at(9_500)].every((r) => r.allowed)).toBe(true);
    // A fixed window would reset at 10 000 and allow 3 more; a sliding one frees only the event at 0.
    expect(l.at(10_000).allowed).toBe(true);
    expect(l.at(10_001)).toEqual({ allowed: false, retryAfterSeconds: 9 });
  });

  it('reads the real clock by default', () => {
    const real = new SlidingWindowLimiter(1, 60_000);
    expect(real.take()).toEqual({ allowed: true });
    expect(real.take()).toEqual({ allowed: false, retryAfterSeconds: 60 });
  });
});
