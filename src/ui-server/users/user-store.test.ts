import {
  existsSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  utimesSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { AuthConfig } from '../../config/config.ts';
import type { EnvironmentUser } from '../../config/parsers.ts';
import { RollerError } from '../../shared/errors.ts';
import { hashPassword, isPasswordHash, verifyPassword } from './password-hash.ts';
import {
  DEFAULT_USERS_FILE,
  resolveUserSource,
  type UserSource,
  UserStore,
  type UserStoreOptions,
  UsersConfigError,
} from './user-store.ts';
import { readUsersFile, UsersFileError } from './users-file.ts';

let dir: string;
let file: string;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'roller-user-store-'));
  file = join(dir, 'users.json');
});

afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

function fakeLogger() {
  const calls = { info: vi.fn(), warn: vi.fn(), error: vi.fn() };
  return { calls, logger: calls as unknown as UserStoreOptions['logger'] };
}

function auth(overrides: Partial<AuthConfig> = {}): AuthConfig {
  return {
    usersFile: undefined,
    environmentUsers: [],
    legacyUser: undefined,
    sessionSecret: undefined,
    sessionSecretFile: undefined,
    sessionTtlMs: 86_400_000,
    cookieSecure: undefined,
    lockoutThreshold: 10,
    lockoutMs: 900_000,
    ...overrides,
  };
}

const fileSource = (seed: EnvironmentUser[] = [], path = file): UserSource => ({
  kind: 'file',
  path,
  seed,
  explicit: true,
});
const envSource = (users: EnvironmentUser[]): UserSource => ({ kind: 'environment', users });

async function openFileStore(options: Partial<UserStoreOptions> = {}, source = fileSource()) {
  const { calls, logger } = fakeLogger();
  const store = await UserStore.open(source, { logger, bootstrap: false, ...options });
  return { store, calls };
}

/** What a rejected promise was rejected with (so code and class can be checked together). */
async function rejection(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    () => {
      throw new Error('expected a rejection');
    },
    (error: unknown) => error,
  );
}

async function expectRollerError(promise: Promise<unknown>, code: string): Promise<void> {
  const error = await rejection(promise);
  expect(error).toBeInstanceOf(RollerError);
  expect((error as RollerError).code).toBe(code);
}

async function writeHashedFile(users: { username: string; role?: string; password: string }[]) {
  const entries = await Promise.all(
    users.map(async ({ username, role, password }) => ({
      username,
      ...(role === undefined ? {} : { role }),
      password_scrypt: await hashPassword(password),
    })),
  );
  writeFileSync(file, JSON.stringify(entries, null, 2));
}

describe('resolveUserSource', () => {
  const alice: EnvironmentUser = { username: 'alice', password: 'alice-pass', role: 'admin' };
  const legacy: EnvironmentUser = { username: 'admin', password: 'legacy-pass', role: 'admin' };

  it('prefers AUTH_USERS_FILE, seeded from AUTH_USERS', () => {
    expect(
      resolveUserSource(
        auth({ usersFile: '/etc/roller/users.json', environmentUsers: [alice], legacyUser: legacy }),
        dir,
      ),
    ).toEqual({ kind: 'file', path: '/etc/roller/users.json', seed: [alice], explicit: true });
  });

  it('seeds AUTH_USERS_FILE from the legacy user when AUTH_USERS is empty', () => {
    expect(resolveUserSource(auth({ usersFile: '/u.json', legacyUser: legacy }), dir)).toEqual({
      kind: 'file',
      path: '/u.json',
      seed: [legacy],
      explicit: true,
    });
  });

  it('uses AUTH_USERS before the legacy AUTH_PASSWORD user', () => {
    expect(resolveUserSource(auth({ environmentUsers: [alice], legacyUser: legacy }), dir)).toEqual({
      kind: 'environment',
      users: [alice],
    });
    expect(resolveUserSource(auth({ legacyUser: legacy }), dir)).toEqual({ kind: 'environment', users: [legacy] });
  });

  it('falls back to users.json in the data directory', () => {
    expect(resolveUserSource(auth(), dir)).toEqual({
      kind: 'file',
      path: join(dir, DEFAULT_USERS_FILE),
      seed: [],
      explicit: false,
    });
  });
});

describe('UserStore bootstrap', () => {
  it('creates an admin with a random password on first start', async () => {
    const { calls, logger } = fakeLogger();
    const path = join(dir, 'data', 'users.json');
    const store = await UserStore.open(fileSource([], path), { logger });
    const password = store.bootstrapPassword;
    expect(password).toBeDefined();
    expect((password ?? '').length).toBeGreaterThanOrEqual(16);
    expect(store.list()).toEqual([{ username: 'admin', role: 'admin' }]);
    expect((await store.authenticate('admin', password ?? ''))?.role).toBe('admin');
    expect(await store.authenticate('admin', 'admin')).toBeUndefined();

    expect(statSync(path).mode & 0o777).toBe(0o600);
    const text = readFileSync(path, 'utf8');
    expect(text).not.toContain(password);
    const content = await readUsersFile(path);
    expect(content).toMatchObject({ state: 'present', entries: [{ username: 'admin', role: 'admin' }] });
    expect(calls.warn).toHaveBeenCalled();

    // A second start finds the file: no new admin, no new password.
    const again = await UserStore.open(fileSource([], path), { logger });
    expect(again.bootstrapPassword).toBeUndefined();
    expect(readFileSync(path, 'utf8')).toBe(text);
    expect(await again.authenticate('admin', password ?? '')).toBeDefined();
  });

  it('makes a different password on each fresh install', async () => {
    const { logger } = fakeLogger();
    const first = await UserStore.open(fileSource([], join(dir, 'a', 'users.json')), { logger });
    const second = await UserStore.open(fileSource([], join(dir, 'b', 'users.json')), { logger });
    expect(first.bootstrapPassword).not.toBe(second.bootstrapPassword);
  });

  it('with bootstrap:false gives an empty, writable store and writes no file', async () => {
    const { store } = await openFileStore();
    expect(store.list()).toEqual([]);
    expect(store.writable).toBe(true);
    expect(store.usersFile).toBe(file);
    expect(store.bootstrapPassword).toBeUndefined();
    expect(existsSync(file)).toBe(false);
  });
});

describe('UserStore with environment users', () => {
  it('makes a user without a role read-only and authenticates both', async () => {
    const { logger } = fakeLogger();
    const store = await UserStore.open(
      envSource([
        { username: 'alice', password: 'alice-pass-1', role: 'admin' },
        { username: 'bob', password: 'bob-pass-12', role: undefined },
      ]),
      { logger },
    );
    expect(store.list()).toEqual([
      { username: 'alice', role: 'admin' },
      { username: 'bob', role: 'read-only' },
    ]);
    expect((await store.authenticate('bob', 'bob-pass-12'))?.role).toBe('read-only');
    expect(await store.authenticate('bob', 'alice-pass-1')).toBeUndefined();
    // Only ever held hashed.
    expect(isPasswordHash(store.find('alice')?.passwordHash ?? '')).toBe(true);
  });

  it('refuses an unknown role', async () => {
    const { logger } = fakeLogger();
    const error = await rejection(
      UserStore.open(envSource([{ username: 'alice', password: 'alice-pass-1', role: 'root' }]), { logger }),
    );
    expect(error).toBeInstanceOf(UsersConfigError);
    expect((error as Error).message).toMatch(/alice.*"root"/);
  });

  it('refuses an unusable username', async () => {
    const { logger } = fakeLogger();
    await expect(
      UserStore.open(envSource([{ username: ' padded', password: 'alice-pass-1', role: 'admin' }]), { logger }),
    ).rejects.toThrow(UsersConfigError);
  });

  it('accepts a scrypt$ hash as the password', async () => {
    const { logger } = fakeLogger();
    const hash = await hashPassword('hashed-pass-1');
    const store = await UserStore.open(envSource([{ username: 'alice', password: hash, role: 'admin' }]), { logger });
    expect(store.find('alice')?.passwordHash).toBe(hash);
    expect(await store.authenticate('alice', 'hashed-pass-1')).toBeDefined();
    expect(await store.authenticate('alice', hash)).toBeUndefined();
  });

  it('refuses a malformed scrypt$ hash instead of taking it as a password', async () => {
    const { logger } = fakeLogger();
    const error = await rejection(
      UserStore.open(envSource([{ username: 'alice', password: 'scrypt$1$8$1$abcd$abcd', role: 'admin' }]), {
        logger,
      }),
    );
    expect(error).toBeInstanceOf(UsersConfigError);
    expect((error as Error).message).toMatch(/malformed/);
  });

  it('is not writable: every change is refused with not_supported', async () => {
    const { logger } = fakeLogger();
    const store = await UserStore.open(envSource([{ username: 'alice', password: 'alice-pass-1', role: 'admin' }]), {
      logger,
    });
    expect(store.writable).toBe(false);
    expect(store.usersFile).toBeUndefined();
    await expectRollerError(store.upsert('bob', { password: 'bob-pass-12', role: 'admin' }), 'not_supported');
    await expectRollerError(store.setRole('alice', 'read-only'), 'not_supported');
    await expectRollerError(store.setPassword('alice', 'new-pass-123'), 'not_supported');
    await expectRollerError(store.remove('alice'), 'not_supported');
    expect(store.list()).toEqual([{ username: 'alice', role: 'admin' }]);
    expect(readdirSync(dir)).toEqual([]);
  });
});

describe('UserStore with a users file', () => {
  it('replaces plaintext passwords by hashes on load', async () => {
    const bobHash = await hashPassword('bob-pass-12');
    writeFileSync(
      file,
      JSON.stringify([
        { username: 'alice', role: 'admin', password: 'plain-secret-1' },
        { username: 'bob', role: 'read-only', password_scrypt: bobHash },
      ]),
    );
    const { store, calls } = await openFileStore();
    const text = readFileSync(file, 'utf8');
    expect(text).not.toContain('plain-secret-1');
    expect(text).not.toContain('"password"');
    const content = await readUsersFile(file);
    expect(content.state).toBe('present');
    const entries = content.state === 'present' ? content.entries : [];
    expect(entries.map((entry) => ('passwordHash' in entry ? entry.username : `plain:${entry.username}`))).toEqual([
      'alice',
      'bob',
    ]);
    const aliceHash = entries[0] && 'passwordHash' in entries[0] ? entries[0].passwordHash : '';
    expect(await verifyPassword('plain-secret-1', aliceHash)).toBe(true);
    expect(entries[1]).toEqual({ username: 'bob', role: 'read-only', passwordHash: bobHash });
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(calls.warn).toHaveBeenCalledWith(expect.objectContaining({ users: 1 }), expect.any(String));
    expect(await store.authenticate('alice', 'plain-secret-1')).toBeDefined();
  });

  it('authenticates only the right password of a known user', async () => {
    await writeHashedFile([{ username: 'alice', role: 'admin', password: 'alice-pass-1' }]);
    const { store } = await openFileStore();
    expect(await store.authenticate('alice', 'alice-pass-1')).toMatchObject({ username: 'alice', role: 'admin' });
    expect(await store.authenticate(' alice ', 'alice-pass-1')).toMatchObject({ username: 'alice' });
    expect(await store.authenticate('alice', 'alice-pass-2')).toBeUndefined();
    expect(await store.authenticate('Alice', 'alice-pass-1')).toBeUndefined();
    expect(await store.authenticate('nobody', 'alice-pass-1')).toBeUndefined();
  });

  it('refuses to open a users file with a bad entry', async () => {
    writeFileSync(file, JSON.stringify([{ username: 'alice', role: 'owner', password: 'x' }]));
    const { logger } = fakeLogger();
    await expect(UserStore.open(fileSource(), { logger })).rejects.toThrow(UsersFileError);
  });

  it('upsert, setPassword, setRole and remove are written to the file at once', async () => {
    const { store } = await openFileStore();
    expect(await store.upsert('alice', { password: 'alice-pass-1', role: 'admin' })).toEqual({ created: true });
    expect(await store.upsert('bob', { password: 'bob-pass-12' })).toEqual({ created: true });
    const users = async () => {
      const content = await readUsersFile(file);
      return content.state === 'present' ? content.entries : [];
    };
    expect((await users()).map(({ username, role }) => ({ username, role }))).toEqual([
      { username: 'alice', role: 'admin' },
      { username: 'bob', role: 'read-only' },
    ]);
    expect(statSync(file).mode & 0o777).toBe(0o600);

    // Upserting an existing user replaces the password and keeps the role when none is given.
    expect(await store.upsert('bob', { password: 'bob-pass-34' })).toEqual({ created: false });
    const bob = (await users()).find((entry) => entry.username === 'bob');
    expect(bob?.role).toBe('read-only');
    expect(await verifyPassword('bob-pass-34', bob && 'passwordHash' in bob ? bob.passwordHash : '')).toBe(true);

    await store.setPassword('alice', 'alice-pass-2');
    const reopened = (await openFileStore()).store;
    expect(await reopened.authenticate('alice', 'alice-pass-2')).toBeDefined();
    expect(await reopened.authenticate('alice', 'alice-pass-1')).toBeUndefined();

    await store.setRole('bob', 'admin');
    expect((await users()).find((entry) => entry.username === 'bob')?.role).toBe('admin');
    await store.remove('alice');
    expect((await users()).map((entry) => entry.username)).toEqual(['bob']);
    expect(store.list()).toEqual([{ username: 'bob', role: 'admin' }]);
    // No temporary or lock files are left behind.
    expect(readdirSync(dir)).toEqual(['users.json']);
  });

  it('refuses changes to unknown users and bad input', async () => {
    const { store } = await openFileStore();
    await store.upsert('alice', { password: 'alice-pass-1', role: 'admin' });
    await expectRollerError(store.setRole('ghost', 'admin'), 'not_found');
    await expectRollerError(store.remove('ghost'), 'not_found');
    await expectRollerError(store.setPassword('ghost', 'ghost-pass-1'), 'not_found');
    await expectRollerError(store.upsert('a:b', { password: 'some-pass-1' }), 'validation_failed');
    await expectRollerError(store.upsert('carol', { password: 'short' }), 'validation_failed');
    expect(store.list().map((user) => user.username)).toEqual(['alice']);
  });

  it('never removes or demotes the last admin, but does when another admin exists', async () => {
    const { store } = await openFileStore();
    await store.upsert('alice', { password: 'alice-pass-1', role: 'admin' });
    await store.upsert('bob', { password: 'bob-pass-12', role: 'read-only' });
    const before = readFileSync(file, 'utf8');
    await expectRollerError(store.remove('alice'), 'conflict');
    await expectRollerError(store.setRole('alice', 'read-only'), 'conflict');
    await expectRollerError(store.upsert('alice', { password: 'alice-pass-2', role: 'read-only' }), 'conflict');
    expect(readFileSync(file, 'utf8')).toBe(before);
    expect(store.find('alice')?.role).toBe('admin');

    // Removing a read-only user is fine.
    await store.remove('bob');
    await store.upsert('carol', { password: 'carol-pass-1', role: 'admin' });
    await store.setRole('alice', 'read-only');
    expect(store.find('alice')?.role).toBe('read-only');
    await store.setRole('alice', 'admin');
    await store.remove('carol');
    expect(store.list()).toEqual([{ username: 'alice', role: 'admin' }]);
  });

  it('refresh() picks up an external edit once the check interval has passed', async () => {
    await writeHashedFile([{ username: 'alice', role: 'admin', password: 'alice-pass-1' }]);
    const clock = { now: 1_000_000 };
    const { store } = await openFileStore({ now: () => clock.now });
    await store.refresh();

    await writeHashedFile([
      { username: 'alice', role: 'admin', password: 'alice-pass-1' },
      { username: 'bob', password: 'bob-pass-12' },
    ]);
    const mtime = new Date(Date.now() + 60_000);
    utimesSync(file, mtime, mtime);

    await store.refresh();
    expect(store.find('bob')).toBeUndefined();
    clock.now += 999;
    await store.refresh();
    expect(store.find('bob')).toBeUndefined();
    clock.now += 1;
    await store.refresh();
    expect(store.find('bob')).toMatchObject({ username: 'bob', role: 'read-only' });
  });

  it('keeps the users loaded before when an external edit breaks the file, and logs it', async () => {
    await writeHashedFile([{ username: 'alice', role: 'admin', password: 'alice-pass-1' }]);
    const clock = { now: 1_000_000 };
    const { store, calls } = await openFileStore({ now: () => clock.now });
    writeFileSync(file, '[{"username": "alice", oops');
    const mtime = new Date(Date.now() + 60_000);
    utimesSync(file, mtime, mtime);
    clock.now += 5_000;
    await store.refresh();
    expect(calls.error).toHaveBeenCalledTimes(1);
    expect(calls.error).toHaveBeenCalledWith(
      expect.objectContaining({ file, err: expect.any(UsersFileError) }),
      expect.any(String),
    );
    expect(store.list()).toEqual([{ username: 'alice', role: 'admin' }]);
    expect(await store.authenticate('alice', 'alice-pass-1')).toBeDefined();
    // SIGHUP reports the bad file instead of swallowing it.
    await expect(store.reload()).rejects.toThrow(UsersFileError);
    expect(store.list()).toEqual([{ username: 'alice', role: 'admin' }]);
  });

  it('uses the seed users while the file does not exist, and writes them all on the first change', async () => {
    const seed: EnvironmentUser[] = [
      { username: 'alice', password: 'alice-pass-1', role: 'admin' },
      { username: 'bob', password: 'bob-pass-12', role: undefined },
    ];
    const { store } = await openFileStore({ bootstrap: true }, fileSource(seed));
    expect(store.bootstrapPassword).toBeUndefined();
    expect(store.writable).toBe(true);
    expect(existsSync(file)).toBe(false);
    expect(store.list()).toEqual([
      { username: 'alice', role: 'admin' },
      { username: 'bob', role: 'read-only' },
    ]);
    expect(await store.authenticate('alice', 'alice-pass-1')).toBeDefined();

    await store.upsert('carol', { password: 'carol-pass-1', role: 'read-only' });
    const text = readFileSync(file, 'utf8');
    expect(text).not.toContain('alice-pass-1');
    expect(text).not.toContain('bob-pass-12');
    const content = await readUsersFile(file);
    const entries = content.state === 'present' ? content.entries : [];
    expect(entries.map(({ username, role }) => ({ username, role }))).toEqual([
      { username: 'alice', role: 'admin' },
      { username: 'bob', role: 'read-only' },
      { username: 'carol', role: 'read-only' },
    ]);
    const alice = entries[0];
    expect(await verifyPassword('alice-pass-1', alice && 'passwordHash' in alice ? alice.passwordHash : '')).toBe(true);
    const reopened = (await openFileStore({}, fileSource(seed))).store;
    expect(await reopened.authenticate('bob', 'bob-pass-12')).toBeDefined();
    expect(await reopened.authenticate('carol', 'carol-pass-1')).toBeDefined();
  });
});
