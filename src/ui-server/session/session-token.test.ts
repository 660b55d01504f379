import { describe, expect, it } from 'vitest';
import { newClaims, type SessionClaims, SessionKeys } from './session-token.ts';

const SECRET = 'a'.repeat(64);
const NOW = Date.UTC(2030, 0, 1, 12, 0, 0);

function claimsFor(username = 'alice', role: 'admin' | 'read-only' = 'admin'): SessionClaims {
  return newClaims({ username, role }, 'stamp-value', NOW, 3_600_000);
}

/** Replaces one character of a token part by a different one of the base64url alphabet. */
function flip(text: string, index: number): string {
  const char = text[index];
  return `${text.slice(0, index)}${char === 'A' ? 'B' : 'A'}${text.slice(index + 1)}`;
}

describe('newClaims', () => {
  it('issues whole seconds, expiry after the ttl, and a fresh nonce each time', () => {
    const claims = newClaims({ username: 'alice', role: 'read-only' }, 's', NOW + 999, 90_500);
    expect(claims).toMatchObject({ u: 'alice', r: 'read-only', s: 's', iat: NOW / 1000, exp: NOW / 1000 + 90 });
    expect(claims.n).toMatch(/^[0-9a-f-]{36}$/);
    expect(newClaims({ username: 'alice', role: 'admin' }, 's', NOW, 1000).n).not.toBe(claims.n);
  });
});

describe('SessionKeys sign/open', () => {
  const keys = new SessionKeys(SECRET);

  it('round-trips the claims', () => {
    const claims = claimsFor();
    const token = keys.sign(claims);
    expect(token).toMatch(/^v1\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]{43}$/);
    expect(keys.open(token)).toEqual(claims);
  });

  it('works with a username containing ":" (and other odd characters)', () => {
    for (const username of ['domain:alice', 'a.b.c', 'ünïcødé user']) {
      const claims = claimsFor(username);
      expect(keys.open(keys.sign(claims))).toEqual(claims);
    }
  });

  it('refuses a tampered payload', () => {
    const claims = claimsFor('alice', 'read-only');
    const token = keys.sign(claims);
    const [version, payload = '', mac = ''] = token.split('.');
    expect(keys.open(`${version}.${flip(payload, 5)}.${mac}`)).toBeUndefined();
    // A payload promoting the user to admin, re-encoded but keeping the old mac.
    const forged = Buffer.from(JSON.stringify({ ...claims, r: 'admin' })).toString('base64url');
    expect(keys.open(`${version}.${forged}.${mac}`)).toBeUndefined();
  });

  it('refuses a tampered or missing mac', () => {
    const token = keys.sign(claimsFor());
    const [version, payload, mac = ''] = token.split('.');
    expect(keys.open(`${version}.${payload}.${flip(mac, 10)}`)).toBeUndefined();
    expect(keys.open(`${version}.${payload}.${mac.slice(0, 20)}`)).toBeUndefined();
    expect(keys.open(`${version}.${payload}.`)).toBeUndefined();
    expect(keys.open(`${version}.${payload}`)).toBeUndefined();
  });

  it('refuses another version', () => {
    const token = keys.sign(claimsFor());
    expect(keys.open(token.replace(/^v1\./, 'v2.'))).toBeUndefined();
    expect(keys.open(token.replace(/^v1\./, '.'))).toBeUndefined();
  });

  it('refuses a token signed with another secret', () => {
    const other = new SessionKeys('b'.repeat(64));
    const token = other.sign(claimsFor());
    expect(other.open(token)).toBeDefined();
    expect(keys.open(token)).toBeUndefined();
  });

  it('refuses an over-long token even when correctly signed', () => {
    const fits = keys.sign(claimsFor('x'.repeat(1000)));
    expect(fits.length).toBeLessThanOrEqual(2048);
    expect(keys.open(fits)).toBeDefined();
    const tooLong = keys.sign(claimsFor('x'.repeat(1600)));
    expect(tooLong.length).toBeGreaterThan(2048);
    expect(keys.open(tooLong)).toBeUndefined();
  });

  it('refuses garbage', () => {
    for (const garbage of ['', 'v1', 'v1..', '...', 'not a token', 'v1.a.b.c', 'v1.%%%.###']) {
      expect(keys.open(garbage), garbage).toBeUndefined();
    }
  });

  it('refuses correctly signed payloads that are not valid claims', () => {
    const signRaw = (value: unknown) => keys.sign(value as SessionClaims);
    const good = claimsFor();
    expect(keys.open(signRaw(good))).toEqual(good);
    expect(keys.open(signRaw({ ...good, u: '' }))).toBeUndefined();
    expect(keys.open(signRaw({ ...good, r: 'root' }))).toBeUndefined();
    expect(keys.open(signRaw({ ...good, exp: '99' }))).toBeUndefined();
    expect(keys.open(signRaw({ ...good, iat: 1.5 }))).toBeUndefined();
    expect(keys.open(signRaw({ ...good, n: '' }))).toBeUndefined();
    expect(keys.open(signRaw({ ...good, s: 5 }))).toBeUndefined();
    expect(keys.open(signRaw(null))).toBeUndefined();
    expect(keys.open(signRaw('a string'))).toBeUndefined();
  });
});

describe('SessionKeys csrf tokens', () => {
  const keys = new SessionKeys(SECRET);

  it('match the nonce they were made for and no other', () => {
    const token = keys.csrfToken('nonce-1');
    expect(keys.csrfToken('nonce-1')).toBe(token);
    expect(keys.csrfTokenMatches('nonce-1', token)).toBe(true);
    expect(keys.csrfTokenMatches('nonce-2', token)).toBe(false);
    expect(keys.csrfTokenMatches('nonce-1', keys.csrfToken('nonce-2'))).toBe(false);
    expect(keys.csrfTokenMatches('nonce-1', '')).toBe(false);
    expect(keys.csrfTokenMatches('nonce-1', `${token}x`)).toBe(false);
  });

  it('depend on the secret', () => {
    const other = new SessionKeys('b'.repeat(64));
    expect(keys.csrfTokenMatches('nonce-1', other.csrfToken('nonce-1'))).toBe(false);
  });
});

describe('SessionKeys stamps', () => {
  const keys = new SessionKeys(SECRET);

  it('are stable for the same user, role and credential material', () => {
    expect(keys.stamp('alice', 'admin', 'hash-1')).toBe(keys.stamp('alice', 'admin', 'hash-1'));
    expect(keys.stamp('alice', 'admin', 'hash-1')).toHaveLength(22);
  });

  it('change with the role, the credential material and the username', () => {
    const base = keys.stamp('alice', 'admin', 'hash-1');
    expect(keys.stamp('alice', 'read-only', 'hash-1')).not.toBe(base);
    expect(keys.stamp('alice', 'admin', 'hash-2')).not.toBe(base);
    expect(keys.stamp('bob', 'admin', 'hash-1')).not.toBe(base);
    expect(new SessionKeys('b'.repeat(64)).stamp('alice', 'admin', 'hash-1')).not.toBe(base);
  });

  it('do not reveal the credential material', () => {
    expect(keys.stamp('alice', 'admin', 'hunter22')).not.toContain('hunter22');
  });

  it('are compared by stampMatches', () => {
    const stamp = keys.stamp('alice', 'admin', 'hash-1');
    const claims = newClaims({ username: 'alice', role: 'admin' }, stamp, NOW, 1000);
    expect(keys.stampMatches(claims, stamp)).toBe(true);
    expect(keys.stampMatches(claims, keys.stamp('alice', 'admin', 'hash-2'))).toBe(false);
    expect(keys.stampMatches(claims, stamp.slice(1))).toBe(false);
  });
});
