import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { UserStore, type UserStoreOptions } from '../users/user-store.ts';
import { SessionManager } from './session-manager.ts';

const SECRET = 's'.repeat(64);
const TTL_MS = 3_600_000;
const START = Date.UTC(2030, 5, 1, 8, 0, 0);

let dir: string;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'roller-session-manager-'));
});

afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

async function setup() {
  const logger = { info: vi.fn(), warn: vi.fn(), error: vi.fn() } as unknown as UserStoreOptions['logger'];
  const store = await UserStore.open(
    { kind: 'file', path: join(dir, 'users.json'), seed: [], explicit: true },
    { logger, bootstrap: false },
  );
  await store.upsert('alice', { password: 'alice-pass-1', role: 'admin' });
  await store.upsert('bob', { password: 'bob-pass-12', role: 'admin' });
  const clock = { now: START };
  const sessions = new SessionManager({ store, secret: SECRET, ttlMs: TTL_MS, now: () => clock.now });
  const user = (name: string) => {
    const found = store.find(name);
    if (!found) throw new Error(`no user ${name}`);
    return found;
  };
  return { store, sessions, clock, user };
}

describe('SessionManager', () => {
  it('issues a session that checks out, with claims, csrf token and the store user', async () => {
    const { sessions, user } = await setup();
    const { token, session } = sessions.issue(user('alice'));
    expect(session.claims).toMatchObject({ u: 'alice', r: 'admin', iat: START / 1000, exp: START / 1000 + 3600 });
    expect(sessions.ttlMs).toBe(TTL_MS);
    const check = await sessions.check(token);
    expect(check).toEqual({ ok: true, session });
    expect(sessions.csrfTokenMatches(session, session.csrfToken)).toBe(true);
  });

  it('gives each session its own csrf token', async () => {
    const { sessions, user } = await setup();
    const first = sessions.issue(user('alice')).session;
    const second = sessions.issue(user('alice')).session;
    expect(first.csrfToken).not.toBe(second.csrfToken);
    expect(sessions.csrfTokenMatches(first, second.csrfToken)).toBe(false);
    expect(sessions.csrfTokenMatches(first, undefined)).toBe(false);
    expect(sessions.csrfTokenMatches(first, '')).toBe(false);
  });

  it('refuses a missing or malformed token', async () => {
    const { sessions, user } = await setup();
    expect(await sessions.check(undefined)).toEqual({ ok: false, reason: 'missing' });
    expect(await sessions.check('')).toEqual({ ok: false, reason: 'missing' });
    expect(await sessions.check('garbage')).toEqual({ ok: false, reason: 'malformed' });
    const { token } = sessions.issue(user('alice'));
    expect(await sessions.check(`${token}x`)).toEqual({ ok: false, reason: 'malformed' });
  });

  it('refuses an expired session (at exactly its expiry, not a millisecond before)', async () => {
    const { sessions, clock, user } = await setup();
    const { token } = sessions.issue(user('alice'));
    clock.now = START + TTL_MS - 1;
    expect((await sessions.check(token)).ok).toBe(true);
    clock.now = START + TTL_MS;
    expect(await sessions.check(token)).toEqual({ ok: false, reason: 'expired' });
  });

  it('refuses a revoked session, and only that one', async () => {
    const { sessions, user } = await setup();
    const first = sessions.issue(user('alice'));
    const second = sessions.issue(user('alice'));
    sessions.revoke(first.session.claims);
    expect(await sessions.check(first.token)).toEqual({ ok: false, reason: 'revoked' });
    expect((await sessions.check(second.token)).ok).toBe(true);
  });

  it('ends the sessions of a removed user', async () => {
    const { store, sessions, user } = await setup();
    const { token } = sessions.issue(user('bob'));
    await store.remove('bob');
    expect(await sessions.check(token)).toEqual({ ok: false, reason: 'user_removed' });
  });

  it('ends the sessions of a user whose password changed', async () => {
    const { store, sessions, user } = await setup();
    const alice = sessions.issue(user('alice'));
    const bob = sessions.issue(user('bob'));
    await store.setPassword('alice', 'alice-pass-2');
    expect(await sessions.check(alice.token)).toEqual({ ok: false, reason: 'credentials_changed' });
    expect((await sessions.check(bob.token)).ok).toBe(true);
    // A session issued after the change is fine.
    expect((await sessions.check(sessions.issue(user('alice')).token)).ok).toBe(true);
  });

  it('ends the sessions of a user whose password was set again (even to the same text)', async () => {
    const { store, sessions, user } = await setup();
    const { token } = sessions.issue(user('alice'));
    await store.upsert('alice', { password: 'alice-pass-1' });
    expect(await sessions.check(token)).toEqual({ ok: false, reason: 'credentials_changed' });
  });

  it('ends the sessions of a user whose role changed, and reports the current role afterwards', async () => {
    const { store, sessions, user } = await setup();
    const { token } = sessions.issue(user('bob'));
    await store.setRole('bob', 'read-only');
    expect(await sessions.check(token)).toEqual({ ok: false, reason: 'credentials_changed' });
    const fresh = await sessions.check(sessions.issue(user('bob')).token);
    expect(fresh.ok && fresh.session.user.role).toBe('read-only');
  });

  it('returns the user as the store has it now', async () => {
    const { store, sessions, user } = await setup();
    const issuedFor = user('alice');
    const { token } = sessions.issue(issuedFor);
    // An unrelated change rewrites the store's users: the session now carries the new objects.
    await store.upsert('carol', { password: 'carol-pass-1', role: 'read-only' });
    const check = await sessions.check(token);
    if (!check.ok) throw new Error(`expected ok, got ${check.reason}`);
    expect(store.find('alice')).not.toBe(issuedFor);
    expect(check.session.user).toBe(store.find('alice'));
    expect(check.session.user.role).toBe('admin');
  });

  it('refuses every old token after rotateSecret, and accepts new ones', async () => {
    const { sessions, user } = await setup();
    const old = sessions.issue(user('alice'));
    sessions.revoke(sessions.issue(user('bob')).session.claims);
    sessions.rotateSecret('t'.repeat(64));
    expect(await sessions.check(old.token)).toEqual({ ok: false, reason: 'malformed' });
    expect(sessions.csrfTokenMatches(old.session, old.session.csrfToken)).toBe(false);
    expect((await sessions.check(sessions.issue(user('alice')).token)).ok).toBe(true);
  });

  it('refuses a token from another manager with another secret', async () => {
    const { store, sessions, user, clock } = await setup();
    const other = new SessionManager({ store, secret: 'o'.repeat(64), ttlMs: TTL_MS, now: () => clock.now });
    const { token } = other.issue(user('alice'));
    expect((await other.check(token)).ok).toBe(true);
    expect(await sessions.check(token)).toEqual({ ok: false, reason: 'malformed' });
  });
});
