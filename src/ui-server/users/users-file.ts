import { randomBytes } from 'node:crypto';
import { mkdir, open, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { isPasswordHash } from './password-hash.ts';
import { isRole, type Role, usernameProblem } from './user.types.ts';

/** A users-file entry after validation; `password` is plaintext an operator wrote by hand (hashed on load). */
export type UsersFileEntry =
  | { readonly username: string; readonly role: Role; readonly passwordHash: string }
  | { readonly username: string; readonly role: Role; readonly plaintextPassword: string };

export type UsersFileContent = { readonly state: 'absent' } | { readonly state: 'present'; entries: UsersFileEntry[] };

/** A users file Roller will not guess about; the message names the file and the entry. */
export class UsersFileError extends Error {
  constructor(path: string, reason: string) {
    super(`users file ${path}: ${reason}`);
    this.name = 'UsersFileError';
  }
}

/** Identifies one version of the file cheaply, so a server notices edits by `roller users` without a signal. */
export interface FileVersion {
  readonly mtimeMs: number;
  readonly size: number;
  readonly ino: number;
}

export async function usersFileVersion(path: string): Promise<FileVersion | undefined> {
  try {
    const info = await stat(path);
    return { mtimeMs: info.mtimeMs, size: info.size, ino: info.ino };
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
}

/**
 * Reads the users file (SPEC §9.1): missing or blank is `absent`; otherwise a JSON array of
 * `{username, role?, password_scrypt?|password?}`. Unlike the earlier system, a bad entry is an error
 * naming it rather than silently dropped: a dropped admin is a lock-out nobody can explain.
 */
export async function readUsersFile(path: string): Promise<UsersFileContent> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { state: 'absent' };
    throw new UsersFileError(path, `cannot be read: ${(error as Error).message}`);
  }
  if (text.trim() === '') return { state: 'absent' };
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw new UsersFileError(path, `is not valid JSON: ${(error as Error).message}`);
  }
  if (!Array.isArray(parsed)) throw new UsersFileError(path, 'must contain a JSON array of users');
  const entries: UsersFileEntry[] = [];
  const seen = new Set<string>();
  for (const [index, element] of parsed.entries()) {
    const where = `entry ${index + 1}`;
    if (typeof element !== 'object' || element === null || Array.isArray(element)) {
      throw new UsersFileError(path, `${where} is not an object`);
    }
    const record = element as Record<string, unknown>;
    const username = typeof record.username === 'string' ? record.username.trim() : '';
    const nameProblem = usernameProblem(username);
    if (nameProblem) throw new UsersFileError(path, `${where}: ${nameProblem}`);
    if (seen.has(username)) throw new UsersFileError(path, `${where}: user "${username}" is listed twice`);
    seen.add(username);
    const roleText = typeof record.role === 'string' ? record.role.trim() : '';
    const role = roleText === '' ? 'read-only' : roleText;
    if (!isRole(role)) {
      throw new UsersFileError(path, `${where} (${username}): role "${roleText}" is neither admin nor read-only`);
    }
    const hash = record.password_scrypt;
    if (typeof hash === 'string' && hash.trim() !== '') {
      if (!isPasswordHash(hash.trim())) {
        throw new UsersFileError(path, `${where} (${username}): password_scrypt is not a valid scrypt$ hash`);
      }
      entries.push({ username, role, passwordHash: hash.trim() });
    } else if (typeof record.password === 'string' && record.password !== '') {
      entries.push({ username, role, plaintextPassword: record.password });
    } else {
      throw new UsersFileError(path, `${where} (${username}): has neither password_scrypt nor password`);
    }
  }
  return { state: 'present', entries };
}

/**
 * Replaces the users file atomically (temp file in the same directory, fsync, rename), readable by
 * its owner only: a crash mid-write leaves the old file, never half of one.
 */
export async function writeUsersFile(
  path: string,
  users: readonly { username: string; role: Role; passwordHash: string }[],
): Promise<void> {
  const body = `${JSON.stringify(
    users.map((user) => ({ username: user.username, role: user.role, password_scrypt: user.passwordHash })),
    null,
    2,
  )}\n`;
  await mkdir(dirname(path), { recursive: true, mode: 0o700 });
  const temporary = join(dirname(path), `.${basename(path)}.${randomBytes(6).toString('hex')}.tmp`);
  const handle = await open(temporary, 'wx', 0o600);
  try {
    await handle.writeFile(body, 'utf8');
    await handle.sync();
  } finally {
    await handle.close();
  }
  try {
    await rename(temporary, path);
  } catch (error) {
    await rm(temporary, { force: true });
    throw error;
  }
}

const LOCK_WAIT_MS = 10_000;
const LOCK_RETRY_MS = 25;
/** A lock older than this was left by a process that died mid-change; it is broken. */
const LOCK_STALE_MS = 30_000;

/**
 * Runs `change` holding `<file>.lock` (created exclusively), so a change by `roller users` and one
 * made in the UI at the same moment are applied one after the other instead of one being lost.
 */
export async function withUsersFileLock<T>(path: string, change: () => Promise<T>): Promise<T> {
  const lock = `${path}.lock`;
  await mkdir(dirname(path), { recursive: true, mode: 0o700 });
  const deadline = Date.now() + LOCK_WAIT_MS;
  for (;;) {
    try {
      await writeFile(lock, `${process.pid}\n`, { flag: 'wx', mode: 0o600 });
      break;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      const info = await stat(lock).catch(() => undefined);
      if (info && Date.now() - info.mtimeMs > LOCK_STALE_MS) {
        await rm(lock, { force: true });
        continue;
      }
      if (Date.now() > deadline) {
        throw new UsersFileError(path, `is locked by another change (${lock}); try again, or remove a stale lock`);
      }
      await new Promise((resolve) => setTimeout(resolve, LOCK_RETRY_MS));
    }
  }
  try {
    return await change();
  } finally {
    await rm(lock, { force: true });
  }
}
