import { linkSync, mkdirSync, readFileSync, statSync, unlinkSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';

/**
 * A second PGlite opening the same directory gets no error and silently loses its writes, so one
 * process owns a data directory at a time. The lock file holds the owner's pid and host; a lock
 * left by a process that no longer exists (crash, SIGKILL) is taken over.
 */
export class DataDirLockedError extends Error {
  constructor(
    readonly dataDir: string,
    readonly owner: LockOwner,
  ) {
    super(
      `the data directory ${dataDir} is in use by another Roller process (pid ${owner.pid} on ${owner.host}, since ${owner.since}). ` +
        'Stop that process first, or give this one another ROLLER_DATA_DIR. Several processes can share one database only on PostgreSQL (DATABASE_URL).',
    );
    this.name = 'DataDirLockedError';
  }
}

interface LockOwner {
  pid: number;
  host: string;
  since: string;
}

export interface DataDirLock {
  release(): void;
}

export function lockDataDir(dataDir: string): DataDirLock {
  mkdirSync(dataDir, { recursive: true });
  const path = join(dataDir, 'roller.lock');
  const me: LockOwner = { pid: process.pid, host: hostname(), since: new Date().toISOString() };
  // The owner record is written to a private file first and then hard-linked into place: link()
  // is atomic and fails if the lock exists, so the lock file is never seen half-written. Two
  // attempts: the second one after removing a stale lock.
  const pending = `${path}.${process.pid}.${Date.now()}`;
  writeFileSync(pending, JSON.stringify(me), { mode: 0o600 });
  try {
    return acquire(path, pending, me, dataDir);
  } finally {
    unlinkSync(pending);
  }
}

function acquire(path: string, pending: string, me: LockOwner, dataDir: string): DataDirLock {
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      linkSync(pending, path);
      let released = false;
      return {
        release() {
          if (released) return;
          released = true;
          if (readOwner(path)?.pid === me.pid) unlinkSync(path);
        },
      };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      const staleRecord = readRaw(path);
      const owner = readOwner(path);
      if (owner && isAlive(owner)) throw new DataDirLockedError(dataDir, owner);
      // Unreadable yet recent: another process may be writing it right now (older Roller builds
      // wrote in place). Leave it alone rather than race.
      if (!owner && isRecent(path))
        throw new DataDirLockedError(dataDir, { pid: -1, host: 'unknown', since: 'just now' });
      try {
        // Remove only the record judged stale: another process may have taken over meanwhile.
        if (readRaw(path) === staleRecord) unlinkSync(path);
      } catch (unlinkError) {
        if ((unlinkError as NodeJS.ErrnoException).code !== 'ENOENT') throw unlinkError;
      }
    }
  }
  const owner = readOwner(path) ?? { pid: -1, host: 'unknown', since: 'unknown' };
  throw new DataDirLockedError(dataDir, owner);
}

function readRaw(path: string): string | undefined {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return undefined;
  }
}

function isRecent(path: string): boolean {
  try {
    return Date.now() - statSync(path).mtimeMs < 5000;
  } catch {
    return false;
  }
}

function readOwner(path: string): LockOwner | undefined {
  try {
    const parsed = JSON.parse(readFileSync(path, 'utf8')) as Partial<LockOwner>;
    if (typeof parsed.pid !== 'number') return undefined;
    return { pid: parsed.pid, host: String(parsed.host ?? ''), since: String(parsed.since ?? '') };
  } catch {
    return undefined;
  }
}

function isAlive(owner: LockOwner): boolean {
  // A lock written on another host (shared volume) cannot be checked: treat it as held.
  if (owner.host !== hostname()) return true;
  if (owner.pid === process.pid) return true;
  try {
    process.kill(owner.pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
