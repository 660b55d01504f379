import type { StoredUser } from '../users/user.types.ts';
import type { UserStore } from '../users/user-store.ts';
import { newClaims, type SessionClaims, SessionKeys } from './session-token.ts';

export interface Session {
  /** The user as the store knows them now (role included), not as the token remembers them. */
  readonly user: StoredUser;
  readonly claims: SessionClaims;
  readonly csrfToken: string;
}

export type SessionRefusal = 'missing' | 'malformed' | 'expired' | 'revoked' | 'user_removed' | 'credentials_changed';
export type SessionCheck = { ok: true; session: Session } | { ok: false; reason: SessionRefusal };

/** Logged-out sessions remembered until they would have expired anyway; bounded so no one can fill memory. */
const MAX_REVOKED = 50_000;

/**
 * Issues and checks sessions. Unlike the earlier system (SPEC §9.4) a session is checked against the
 * user store on every request: a removed user, a new password or a new role ends it at once, and
 * logout ends it on the server too, not only in the browser (G-24).
 */
export class SessionManager {
  #keys: SessionKeys;
  readonly #store: UserStore;
  readonly #ttlMs: number;
  readonly #now: () => number;
  readonly #revoked = new Map<string, number>();

  constructor(options: { store: UserStore; secret: string; ttlMs: number; now?: () => number }) {
    this.#store = options.store;
    this.#keys = new SessionKeys(options.secret);
    this.#ttlMs = options.ttlMs;
    this.#now = options.now ?? Date.now;
  }

  get ttlMs(): number {
    return this.#ttlMs;
  }

  /** A new secret: every session issued with the old one is refused from now on. */
  rotateSecret(secret: string): void {
    this.#keys = new SessionKeys(secret);
    this.#revoked.clear();
  }

  issue(user: StoredUser): { token: string; session: Session } {
    const claims = newClaims(user, this.#stampOf(user), this.#now(), this.#ttlMs);
    return {
      token: this.#keys.sign(claims),
      session: { user, claims, csrfToken: this.#keys.csrfToken(claims.n) },
    };
  }

  async check(token: string | undefined): Promise<SessionCheck> {
    if (token === undefined || token === '') return { ok: false, reason: 'missing' };
    const claims = this.#keys.open(token);
    if (!claims) return { ok: false, reason: 'malformed' };
    if (claims.exp * 1000 <= this.#now()) return { ok: false, reason: 'expired' };
    if (this.#revoked.has(claims.n)) return { ok: false, reason: 'revoked' };
    await this.#store.refresh();
    const user = this.#store.find(claims.u);
    if (!user) return { ok: false, reason: 'user_removed' };
    if (user.role !== claims.r || !this.#keys.stampMatches(claims, this.#stampOf(user))) {
      return { ok: false, reason: 'credentials_changed' };
    }
    return { ok: true, session: { user, claims, csrfToken: this.#keys.csrfToken(claims.n) } };
  }

  csrfTokenMatches(session: Session, given: string | undefined): boolean {
    return given !== undefined && this.#keys.csrfTokenMatches(session.claims.n, given);
  }

  revoke(claims: SessionClaims): void {
    const now = this.#now();
    for (const [nonce, expiresAt] of this.#revoked) {
      if (expiresAt * 1000 <= now || this.#revoked.size >= MAX_REVOKED) this.#revoked.delete(nonce);
      else break;
    }
    this.#revoked.set(claims.n, claims.exp);
  }

  #stampOf(user: StoredUser): string {
    return this.#keys.stamp(user.username, user.role, user.credentialMaterial);
  }
}
