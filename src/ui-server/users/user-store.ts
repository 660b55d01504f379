import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import type { AuthConfig } from '../../config/config.ts';
import type { EnvironmentUser } from '../../config/parsers.ts';
import { RollerError } from '../../shared/errors.ts';
import type { Logger } from '../../shared/logger.ts';
import { hashPassword, isPasswordHash, PASSWORD_HASH_PREFIX, verifyPassword } from './password-hash.ts';
import {
  isRole,
  passwordProblem,
  type Role,
  type StoredUser,
  type UserSummary,
  usernameProblem,
} from './user.types.ts';
import { type FileVersion, readUsersFile, usersFileVersion, withUsersFileLock, writeUsersFile } from './users-file.ts';

/** Where users come from (SPEC §9.1, with the issue-6 defaults): a users file, or the environment. */
export type UserSource =
  | {
      readonly kind: 'file';
      readonly path: string;
      readonly seed: readonly EnvironmentUser[];
      readonly explicit: boolean;
    }
  | { readonly kind: 'environment'; readonly users: readonly EnvironmentUser[] };

export const DEFAULT_USERS_FILE = 'users.json';

/**
 * AUTH_USERS_FILE wins (seeded from the environment users while it does not exist yet); then
 * AUTH_USERS; then the legacy AUTH_PASSWORD user; with none of them, the users file in the data
 * directory, where the first start creates an admin with a random password (no built-in admin/admin).
 */
export function resolveUserSource(auth: AuthConfig, dataDir: string): UserSource {
  const environment =
    auth.environmentUsers.length > 0 ? auth.environmentUsers : auth.legacyUser ? [auth.legacyUser] : [];
  if (auth.usersFile !== undefined) return { kind: 'file', path: auth.usersFile, seed: environment, explicit: true };
  if (environment.length > 0) return { kind: 'environment', users: environment };
  return { kind: 'file', path: join(dataDir, DEFAULT_USERS_FILE), seed: [], explicit: false };
}

export class UsersConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsersConfigError';
  }
}

/** How often, at most, a request makes the store look at the users file's modification time. */
const FILE_CHECK_INTERVAL_MS = 1000;

export interface UserStoreOptions {
  logger: Pick<Logger, 'info' | 'warn' | 'error'>;
  now?: () => number;
  /**
   * Create the first admin when there are no users at all (the server does; `roller users` does not,
   * so `roller users add` on a fresh install makes exactly the user asked for). Default true.
   */
  bootstrap?: boolean;
}

/**
 * The users of the UI server, held in memory and kept in step with the users file: edits made here
 * are written at once; edits made by `roller users` are noticed within a second; SIGHUP forces a
 * re-read. Passwords exist only as scrypt hashes, in the file and in memory.
 */
export class UserStore {
  readonly source: UserSource;
  /** The password of the admin created on first start; shown once by the caller, never stored in clear. */
  bootstrapPassword: string | undefined;
  #users = new Map<string, StoredUser>();
  #fileVersion: FileVersion | undefined;
  #lastFileCheck = 0;
  #dummyHash = '';
  #mutations: Promise<unknown> = Promise.resolve();
  readonly #logger: UserStoreOptions['logger'];
  readonly #now: () => number;
  readonly #bootstrapAllowed: boolean;

  private constructor(source: UserSource, options: UserStoreOptions) {
    this.source = source;
    this.#logger = options.logger;
    this.#now = options.now ?? Date.now;
    this.#bootstrapAllowed = options.bootstrap ?? true;
  }

  static async open(source: UserSource, options: UserStoreOptions): Promise<UserStore> {
    const store = new UserStore(source, options);
    // Unknown usernames are checked against this, so they cost what a wrong password costs.
    store.#dummyHash = await hashPassword(randomBytes(16).toString('hex'));
    await store.#load({ initial: true });
    return store;
  }

  get writable(): boolean {
    return this.source.kind === 'file';
  }

  get usersFile(): string | undefined {
    return this.source.kind === 'file' ? this.source.path : undefined;
  }

  find(username: string): StoredUser | undefined {
    return this.#users.get(username);
  }

  list(): UserSummary[] {
    return [...this.#users.values()]
      .map(({ username, role }) => ({ username, role }))
      .sort((a, b) => a.username.localeCompare(b.username));
  }

  /** The user whose password this is, or undefined; the same work is done for unknown users. */
  async authenticate(username: string, password: string): Promise<StoredUser | undefined> {
    await this.refresh({ force: true });
    const user = this.#users.get(username.trim());
    const matches = await verifyPassword(password, user?.passwordHash ?? this.#dummyHash);
    return user && matches ? user : undefined;
  }

  /**
   * Re-reads the users file when it changed (or always with `force`). A file that became invalid is
   * reported and the users already loaded stay: a typo in an edit must not lock everyone out.
   */
  async refresh(options: { force?: boolean } = {}): Promise<void> {
    if (this.source.kind !== 'file') return;
    const now = this.#now();
    if (!options.force && now - this.#lastFileCheck < FILE_CHECK_INTERVAL_MS) return;
    this.#lastFileCheck = now;
    const version = await usersFileVersion(this.source.path).catch(() => undefined);
    if (!options.force && sameVersion(version, this.#fileVersion)) return;
    try {
      await this.#load({ initial: false });
    } catch (error) {
      this.#logger.error(
        { err: error, file: this.source.path },
        'users file not reloaded; keeping the users loaded before',
      );
    }
  }

  /** SIGHUP: re-read the source now, reporting a bad file instead of swallowing it. */
  async reload(): Promise<void> {
    if (this.source.kind === 'file') await this.#load({ initial: false });
  }

  async setPassword(username: string, newPassword: string): Promise<void> {
    const problem = passwordProblem(newPassword);
    if (problem) throw new RollerError('validation_failed', problem, { username });
    await this.#mutate((users) => {
      const user = users.get(username);
      if (!user) throw new RollerError('not_found', 'user not found', { username });
      return async () => users.set(username, await fileUser(username, user.role, await hashPassword(newPassword)));
    });
  }

  /** Creates the user, or replaces its password and (when given) role. Returns whether it was created. */
  async upsert(username: string, change: { password: string; role?: Role }): Promise<{ created: boolean }> {
    const problem = usernameProblem(username) ?? passwordProblem(change.password);
    if (problem) throw new RollerError('validation_failed', problem, { username });
    let created = false;
    await this.#mutate((users) => {
      const existing = users.get(username);
      created = existing === undefined;
      const role = change.role ?? existing?.role ?? 'read-only';
      if (existing?.role === 'admin' && role !== 'admin') assertAnotherAdmin(users, username);
      return async () => users.set(username, await fileUser(username, role, await hashPassword(change.password)));
    });
    return { created };
  }

  async setRole(username: string, role: Role): Promise<void> {
    await this.#mutate((users) => {
      const user = users.get(username);
      if (!user) throw new RollerError('not_found', 'user not found', { username });
      if (user.role === 'admin' && role !== 'admin') assertAnotherAdmin(users, username);
      return async () => users.set(username, await fileUser(username, role, user.passwordHash));
    });
  }

  async remove(username: string): Promise<void> {
    await this.#mutate((users) => {
      const user = users.get(username);
      if (!user) throw new RollerError('not_found', 'user not found', { username });
      if (user.role === 'admin') assertAnotherAdmin(users, username);
      return async () => users.delete(username);
    });
  }

  /**
   * One change at a time, on the file as it is now (another process may have edited it): re-read,
   * check, apply, write, then adopt. The check runs before any hashing so a refused change is cheap.
   */
  async #mutate(plan: (users: Map<string, StoredUser>) => () => Promise<unknown>): Promise<void> {
    if (this.source.kind !== 'file') {
      throw new RollerError('not_supported', 'user management needs a users file (AUTH_USERS_FILE)');
    }
    const path = this.source.path;
    const run = this.#mutations.then(() =>
      // The lock file keeps `roller users` and a running UI server from overwriting each other's change.
      withUsersFileLock(path, async () => {
        await this.#load({ initial: false });
        const users = new Map(this.#users);
        await plan(users)();
        await writeUsersFile(path, [...users.values()]);
        this.#users = users;
        this.#fileVersion = await usersFileVersion(path);
      }),
    );
    this.#mutations = run.catch(() => undefined);
    await run;
  }

  async #load({ initial }: { initial: boolean }): Promise<void> {
    if (this.source.kind === 'environment') {
      this.#users = await environmentStore(this.source.users);
      if (initial) this.#warnWithoutAdmin();
      return;
    }
    const { path, seed } = this.source;
    const version = await usersFileVersion(path);
    const content = await readUsersFile(path);
    if (content.state === 'absent') {
      if (seed.length > 0) {
        this.#users = await environmentStore(seed);
      } else if (initial && this.#bootstrapAllowed) {
        await this.#bootstrap(path);
        return;
      } else if (initial || this.#users.size === 0) {
        this.#users = new Map();
      } else {
        this.#logger.warn({ file: path }, 'users file is gone or empty; keeping the users loaded before');
        return;
      }
    } else {
      const users = new Map<string, StoredUser>();
      let upgraded = 0;
      for (const entry of content.entries) {
        let passwordHash: string;
        if ('passwordHash' in entry) passwordHash = entry.passwordHash;
        else {
          passwordHash = await hashPassword(entry.plaintextPassword);
          upgraded += 1;
        }
        users.set(entry.username, await fileUser(entry.username, entry.role, passwordHash));
      }
      if (upgraded > 0) {
        // Plain passwords written by hand are replaced by their hashes at once (passwords are stored hashed only).
        await writeUsersFile(path, [...users.values()]);
        this.#logger.warn(
          { file: path, users: upgraded },
          'users file had plain-text passwords; replaced them by scrypt hashes',
        );
      }
      this.#users = users;
    }
    this.#fileVersion = (await usersFileVersion(path)) ?? version;
    if (initial) this.#warnWithoutAdmin();
  }

  async #bootstrap(path: string): Promise<void> {
    const password = randomBytes(15).toString('base64url');
    const admin = await fileUser('admin', 'admin', await hashPassword(password));
    await writeUsersFile(path, [admin]);
    this.#users = new Map([[admin.username, admin]]);
    this.#fileVersion = await usersFileVersion(path);
    this.bootstrapPassword = password;
    this.#logger.warn({ file: path, username: 'admin' }, 'no users configured; created the first admin user');
  }

  #warnWithoutAdmin(): void {
    // `roller users` (no bootstrap) reports this itself, after its change, with what to do about it.
    if (!this.#bootstrapAllowed) return;
    if (![...this.#users.values()].some((user) => user.role === 'admin')) {
      this.#logger.warn(
        { users: this.#users.size },
        'no user has the admin role: nobody can change data (an entry without a role is read-only)',
      );
    }
  }
}

function sameVersion(a: FileVersion | undefined, b: FileVersion | undefined): boolean {
  return a?.mtimeMs === b?.mtimeMs && a?.size === b?.size && a?.ino === b?.ino;
}

function assertAnotherAdmin(users: Map<string, StoredUser>, username: string): void {
  const others = [...users.values()].filter((user) => user.role === 'admin' && user.username !== username);
  if (others.length === 0) {
    throw new RollerError('conflict', 'the last admin cannot be removed or demoted', { username });
  }
}

async function fileUser(username: string, role: Role, passwordHash: string): Promise<StoredUser> {
  return { username, role, passwordHash, credentialMaterial: passwordHash };
}

/** Environment users: checked like file users, plain passwords hashed in memory (fresh salt each start). */
async function environmentStore(users: readonly EnvironmentUser[]): Promise<Map<string, StoredUser>> {
  const store = new Map<string, StoredUser>();
  for (const [index, user] of users.entries()) {
    const problem = usernameProblem(user.username);
    if (problem) throw new UsersConfigError(`user ${index + 1} of the environment: ${problem}`);
    const role = user.role ?? 'read-only';
    if (!isRole(role)) {
      throw new UsersConfigError(`user "${user.username}": role "${role}" is neither admin nor read-only`);
    }
    const given = user.password.trim();
    if (given.startsWith(PASSWORD_HASH_PREFIX) && !isPasswordHash(given)) {
      throw new UsersConfigError(`user "${user.username}": the password looks like a scrypt$ hash but is malformed`);
    }
    const passwordHash = isPasswordHash(given) ? given : await hashPassword(user.password);
    store.set(user.username, { username: user.username, role, passwordHash, credentialMaterial: user.password });
  }
  return store;
}
