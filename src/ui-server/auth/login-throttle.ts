/**
 * Slows password guessing (G-24): per username and per client address, failures from the third on
 * make the next attempt wait 1 s, 2 s, 4 s … (at most 30 s), and the threshold-th failure locks the
 * key for the lockout duration. Unknown usernames are throttled exactly like real ones, so the
 * throttle tells an attacker nothing about which accounts exist. A client address gets four times
 * the thresholds (delays from its 12th failure, lockout at 4x): several people behind one NAT should
 * not lock each other out, while one address spraying many usernames is still stopped.
 */
export interface ThrottleOptions {
  /** Failures per username before the lockout. */
  threshold: number;
  lockoutMs: number;
  now?: () => number;
}

export type ThrottleDecision = { allowed: true } | { allowed: false; retryAfterMs: number; locked: boolean };

interface KeyState {
  failures: number;
  lastFailureAt: number;
  blockedUntil: number;
  locked: boolean;
}

const FIRST_DELAYED_FAILURE = 3;
const BASE_DELAY_MS = 1000;
const MAX_DELAY_MS = 30_000;
const ADDRESS_FACTOR = 4;
/** Bounded memory: the oldest keys are forgotten first when an attacker sprays usernames. */
const MAX_KEYS = 20_000;

export class LoginThrottle {
  readonly #options: Required<ThrottleOptions>;
  readonly #keys = new Map<string, KeyState>();

  constructor(options: ThrottleOptions) {
    this.#options = { now: Date.now, ...options };
  }

  /** Whether an attempt for this username from this address may be checked now. */
  check(username: string, address: string): ThrottleDecision {
    const now = this.#options.now();
    let waitMs = 0;
    let locked = false;
    for (const key of keysOf(username, address)) {
      const state = this.#current(key, now);
      if (state && state.blockedUntil > now) {
        waitMs = Math.max(waitMs, state.blockedUntil - now);
        locked ||= state.locked;
      }
    }
    return waitMs > 0 ? { allowed: false, retryAfterMs: waitMs, locked } : { allowed: true };
  }

  /** Records a failed attempt; returns whether it started a lockout (worth an audit line). */
  recordFailure(username: string, address: string): { lockedOut: boolean } {
    const now = this.#options.now();
    let lockedOut = false;
    for (const key of keysOf(username, address)) {
      const factor = key.startsWith('a:') ? ADDRESS_FACTOR : 1;
      const threshold = this.#options.threshold * factor;
      const firstDelayed = FIRST_DELAYED_FAILURE * factor;
      const state = this.#current(key, now) ?? { failures: 0, lastFailureAt: now, blockedUntil: 0, locked: false };
      state.failures += 1;
      state.lastFailureAt = now;
      if (state.failures >= threshold) {
        state.blockedUntil = now + this.#options.lockoutMs;
        lockedOut ||= !state.locked;
        state.locked = true;
      } else if (state.failures >= firstDelayed) {
        const delay = Math.min(BASE_DELAY_MS * 2 ** (state.failures - firstDelayed), MAX_DELAY_MS);
        state.blockedUntil = now + delay;
      }
      this.#keys.delete(key);
      this.#keys.set(key, state);
    }
    while (this.#keys.size > MAX_KEYS) {
      const oldest = this.#keys.keys().next().value;
      if (oldest === undefined) break;
      this.#keys.delete(oldest);
    }
    return { lockedOut };
  }

  /** A successful login clears the username's record; the address keeps its count of others' failures. */
  recordSuccess(username: string): void {
    this.#keys.delete(userKey(username));
  }

  /** The state of a key, forgotten once its lockout ended and it has been quiet for a lockout period. */
  #current(key: string, now: number): KeyState | undefined {
    const state = this.#keys.get(key);
    if (!state) return undefined;
    if (state.blockedUntil <= now && now - state.lastFailureAt >= this.#options.lockoutMs) {
      this.#keys.delete(key);
      return undefined;
    }
    if (state.locked && state.blockedUntil <= now) {
      // A lockout that ran out starts the count again, so the next failure is not an instant re-lock.
      state.locked = false;
      state.failures = 0;
    }
    return state;
  }
}

const userKey = (username: string): string => `u:${username.trim()}`;
const keysOf = (username: string, address: string): string[] => [userKey(username), `a:${address}`];
