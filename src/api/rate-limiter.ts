/**
 * A sliding-window counter: at most `limit` events per `windowMs`. `take()` answers how long to
 * wait (for Retry-After) when the window is full.
 */
export class SlidingWindowLimiter {
  private readonly events: number[] = [];

  constructor(
    private readonly limit: number,
    private readonly windowMs: number,
    private readonly now: () => number = Date.now,
  ) {}

  take(): { allowed: true } | { allowed: false; retryAfterSeconds: number } {
    const now = this.now();
    while (this.events.length > 0 && (this.events[0] as number) <= now - this.windowMs) this.events.shift();
    if (this.events.length >= this.limit) {
      const oldest = this.events[0] as number;
      return { allowed: false, retryAfterSeconds: Math.max(1, Math.ceil((oldest + this.windowMs - now) / 1000)) };
    }
    this.events.push(now);
    return { allowed: true };
  }
}
