import { createHmac, randomUUID, timingSafeEqual } from 'node:crypto';
import { isRole, type Role } from '../users/user.types.ts';

/**
 * A session token is `v1.<claims>.<mac>`: base64url JSON claims and an HMAC-SHA256 over them. JSON
 * instead of the earlier `user:role:expiry:nonce` text means any username works (a ":" no longer
 * breaks sessions), and the claims carry a stamp of the user's credentials so that a password or
 * role change ends the sessions issued before it (G-24).
 */
export interface SessionClaims {
  /** username */
  readonly u: string;
  /** role when issued */
  readonly r: Role;
  /** credential stamp: HMAC of the user's password material and role, see SessionKeys.stamp */
  readonly s: string;
  /** issued at, unix seconds */
  readonly iat: number;
  /** expires at, unix seconds */
  readonly exp: number;
  /** random nonce: identifies the session (logout revokes it; the CSRF token derives from it) */
  readonly n: string;
}

const VERSION = 'v1';
const MAX_TOKEN_LENGTH = 2048;

/**
 * Keys derived from the session secret, one per purpose, so a value made for one purpose (a CSRF
 * token, a stamp) can never pass as another (a signature).
 */
export class SessionKeys {
  readonly #signing: Buffer;
  readonly #csrf: Buffer;
  readonly #stamp: Buffer;

  constructor(secret: string) {
    const derive = (purpose: string) => createHmac('sha256', secret).update(`roller-${purpose}`).digest();
    this.#signing = derive('session-signing');
    this.#csrf = derive('csrf');
    this.#stamp = derive('credential-stamp');
  }

  sign(claims: SessionClaims): string {
    const body = `${VERSION}.${Buffer.from(JSON.stringify(claims)).toString('base64url')}`;
    return `${body}.${this.#mac(body).toString('base64url')}`;
  }

  /** The claims of a well-formed, correctly signed token (expiry is the caller's check), else undefined. */
  open(token: string): SessionClaims | undefined {
    if (token.length > MAX_TOKEN_LENGTH) return undefined;
    const parts = token.split('.');
    if (parts.length !== 3 || parts[0] !== VERSION) return undefined;
    const [, payload = '', mac = ''] = parts;
    const given = Buffer.from(mac, 'base64url');
    // base64url decoding is lenient (stray characters, unused bits); only the canonical spelling counts.
    if (given.toString('base64url') !== mac) return undefined;
    const expected = this.#mac(`${VERSION}.${payload}`);
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) return undefined;
    let claims: unknown;
    try {
      claims = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8'));
    } catch {
      return undefined;
    }
    return isClaims(claims) ? claims : undefined;
  }

  /** The CSRF token of a session: stateless, bound to its nonce, useless with another session. */
  csrfToken(nonce: string): string {
    return createHmac('sha256', this.#csrf).update(nonce).digest('base64url');
  }

  csrfTokenMatches(nonce: string, given: string): boolean {
    const expected = Buffer.from(this.csrfToken(nonce));
    const candidate = Buffer.from(given);
    return candidate.length === expected.length && timingSafeEqual(candidate, expected);
  }

  /** Changes whenever the user's password or role changes; reveals nothing about either. */
  stamp(username: string, role: Role, credentialMaterial: string): string {
    return createHmac('sha256', this.#stamp)
      .update(`${username}\u0000${role}\u0000${credentialMaterial}`)
      .digest('base64url')
      .slice(0, 22);
  }

  stampMatches(claims: SessionClaims, expected: string): boolean {
    const given = Buffer.from(claims.s);
    const wanted = Buffer.from(expected);
    return given.length === wanted.length && timingSafeEqual(given, wanted);
  }

  #mac(body: string): Buffer {
    return createHmac('sha256', this.#signing).update(body).digest();
  }
}

export function newClaims(
  user: { username: string; role: Role },
  stamp: string,
  nowMs: number,
  ttlMs: number,
): SessionClaims {
  const iat = Math.floor(nowMs / 1000);
  return { u: user.username, r: user.role, s: stamp, iat, exp: iat + Math.floor(ttlMs / 1000), n: randomUUID() };
}

function isClaims(value: unknown): value is SessionClaims {
  if (typeof value !== 'object' || value === null) return false;
  const claims = value as Record<string, unknown>;
  return (
    typeof claims.u === 'string' &&
    claims.u !== '' &&
    isRole(claims.r) &&
    typeof claims.s === 'string' &&
    Number.isInteger(claims.iat) &&
    Number.isInteger(claims.exp) &&
    typeof claims.n === 'string' &&
    claims.n !== ''
  );
}
