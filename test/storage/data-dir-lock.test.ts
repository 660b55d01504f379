import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DataDirLockedError, lockDataDir } from '../../src/storage/data-dir-lock.ts';
import { openPglite } from '../../src/storage/database.ts';

describe('data directory lock', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'roller-lock-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('refuses a second owner while the first holds the lock, and frees it on release', () => {
    const first = lockDataDir(dir);
    expect(JSON.parse(readFileSync(join(dir, 'roller.lock'), 'utf8'))).toMatchObject({
      pid: process.pid,
      host: hostname(),
    });
    expect(() => lockDataDir(dir)).toThrow(DataDirLockedError);
    first.release();
    expect(existsSync(join(dir, 'roller.lock'))).toBe(false);
    lockDataDir(dir).release();
  });

  it('takes over a lock left by a process that no longer exists', () => {
    const dead = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' });
    const deadPid = Number(dead.stdout);
    writeFileSync(join(dir, 'roller.lock'), JSON.stringify({ pid: deadPid, host: hostname(), since: 'earlier' }));
    const lock = lockDataDir(dir);
    expect(JSON.parse(readFileSync(join(dir, 'roller.lock'), 'utf8')).pid).toBe(process.pid);
    lock.release();
  });

  it('treats a lock from another host as held (shared volumes cannot be checked)', () => {
    writeFileSync(join(dir, 'roller.lock'), JSON.stringify({ pid: 1, host: 'some-other-host', since: 'earlier' }));
    expect(() => lockDataDir(dir)).toThrow(/in use by another Roller process \(pid 1 on some-other-host/);
  });

  it('stops a second embedded database on the same directory', async () => {
    const database = await openPglite({ dataDir: dir });
    try {
      await expect(openPglite({ dataDir: dir })).rejects.toThrow(DataDirLockedError);
    } finally {
      await database.close();
    }
    const reopened = await openPglite({ dataDir: dir });
    await reopened.close();
  });
});
