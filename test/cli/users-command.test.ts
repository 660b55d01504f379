// `roller users …` as a real child process (`node bin/roller.js`), each test on a fresh data directory
// with no AUTH_* variables unless it sets them: the users file it writes, what it prints, how it fails.
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { hashPassword, verifyPassword } from '../../src/ui-server/users/password-hash.ts';
import { makeTempDir, REPO_ROOT, registerProcessCleanup } from '../support/process.ts';

registerProcessCleanup();

const ROLLER_BIN = join(REPO_ROOT, 'bin', 'roller.js');
const INHERITED_ENV = ['PATH', 'HOME', 'TMPDIR', 'LANG', 'TZ'] as const;
const RUN_LIMIT_MS = 60_000;

interface Result {
  code: number | null;
  stdout: string;
  stderr: string;
  describe: string;
}

interface FileUser {
  username: string;
  role: string;
  password_scrypt: string;
}

/** A fresh data directory and a `roller` bound to it; only the given variables reach the child. */
function setup(extraEnv: Record<string, string> = {}) {
  const root = makeTempDir('roller-users-');
  const dataDir = join(root, 'data');
  const usersFile = join(dataDir, 'users.json');
  const env: Record<string, string> = { ROLLER_DATA_DIR: dataDir, LOG_LEVEL: 'warn', ...extraEnv };
  for (const name of INHERITED_ENV) {
    const value = process.env[name];
    if (value !== undefined) env[name] = value;
  }

  /** Runs `roller users …` with `input` on stdin (a pipe, so not a terminal), closed afterwards. */
  const users = (args: string[], input = ''): Promise<Result> =>
    new Promise((resolve, reject) => {
      const child = spawn(process.execPath, [ROLLER_BIN, 'users', ...args], {
        cwd: root,
        env,
        stdio: ['pipe', 'pipe', 'pipe'],
      });
      let stdout = '';
      let stderr = '';
      child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
        stdout += chunk;
      });
      child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
        stderr += chunk;
      });
      const timer = setTimeout(() => child.kill('SIGKILL'), RUN_LIMIT_MS);
      child.once('error', reject);
      child.once('close', (code) => {
        clearTimeout(timer);
        const describe = `roller users ${args.join(' ')} exited ${code}\n--- stdout ---\n${stdout}\n--- stderr ---\n${stderr}`;
        resolve({ code, stdout, stderr, describe });
      });
      child.stdin.on('error', () => undefined); // the command may exit before reading all of it
      child.stdin.end(input);
    });

  const ok = async (args: string[], input?: string): Promise<Result> => {
    const result = await users(args, input);
    expect(result.code, result.describe).toBe(0);
    return result;
  };
  const fails = async (args: string[], message: RegExp, input?: string): Promise<Result> => {
    const result = await users(args, input);
    expect(result.code, result.describe).toBe(1);
    expect(result.stderr, result.describe).toMatch(new RegExp(`^roller: ${message.source}`, 'm'));
    expect(result.stdout, result.describe).toBe('');
    return result;
  };
  const read = (path = usersFile): FileUser[] => JSON.parse(readFileSync(path, 'utf8')) as FileUser[];
  const find = (username: string, path = usersFile): FileUser | undefined =>
    read(path).find((user) => user.username === username);

  /** Writes a users file directly (hashing in this process is cheaper than a spawn per user). */
  const seed = async (entries: { username: string; role: string; password: string }[]): Promise<void> => {
    mkdirSync(dataDir, { recursive: true });
    const body = await Promise.all(
      entries.map(async ({ username, role, password }) => ({
        username,
        role,
        password_scrypt: await hashPassword(password),
      })),
    );
    writeFileSync(usersFile, JSON.stringify(body), { mode: 0o600 });
  };

  return { root, dataDir, usersFile, users, ok, fails, read, find, seed };
}

describe('roller users', () => {
  it('add --password-stdin writes a 0600 users file holding only a scrypt hash, and refuses an existing user', async () => {
    const t = setup();
    const added = await t.ok(
      ['add', 'alice', '--role', 'admin', '--password-stdin'],
      'correct horse battery\nignored\n',
    );
    expect(added.stdout).toContain(t.usersFile);
    expect(added.stdout).toMatch(/added user "alice" \(admin\).*within a second/);
    expect(added.stdout + added.stderr).not.toContain('correct horse');

    const text = readFileSync(t.usersFile, 'utf8');
    expect(text).not.toContain('correct horse');
    expect(statSync(t.usersFile).mode & 0o777).toBe(0o600);
    const alice = t.find('alice');
    expect(alice?.role).toBe('admin');
    expect(alice?.password_scrypt).toMatch(/^scrypt\$/);
    expect(await verifyPassword('correct horse battery', alice?.password_scrypt ?? '')).toBe(true);
    expect(await verifyPassword('correct horse battery\nignored', alice?.password_scrypt ?? '')).toBe(false);

    await t.fails(
      ['add', 'alice', '--password-stdin'],
      /user "alice" already exists.*set-password/,
      'another password\n',
    );
    expect(readFileSync(t.usersFile, 'utf8'), 'the existing user is untouched').toBe(text);
  });

  it('add gives the read-only role by default, and warns when nobody is an admin', async () => {
    const t = setup();
    // No flag and stdin not a terminal: the password is read from stdin.
    const added = await t.ok(['add', 'bob'], 'bobs password\r\n');
    expect(t.read()).toHaveLength(1);
    expect(t.find('bob')?.role).toBe('read-only');
    expect(await verifyPassword('bobs password', t.find('bob')?.password_scrypt ?? '')).toBe(true);
    expect(added.stderr).toMatch(/warning: no user has the admin role/);
  });

  it('add --generate prints, once, a password that verifies', async () => {
    const t = setup();
    const added = await t.ok(['add', 'carol', '--role', 'admin', '--generate']);
    const match = /generated password for "carol".*: (\S+)$/m.exec(added.stdout);
    const password = match?.[1] ?? '';
    expect(password, added.describe).toMatch(/^[A-Za-z0-9_-]{20}$/);
    expect(added.stdout.split(password)).toHaveLength(2);
    expect(readFileSync(t.usersFile, 'utf8')).not.toContain(password);
    expect(await verifyPassword(password, t.find('carol')?.password_scrypt ?? '')).toBe(true);
  });

  it('refuses a short password and writes nothing', async () => {
    const t = setup();
    await t.fails(['add', 'dan', '--password-stdin'], /password must be at least 8 characters/, 'short\n');
    expect(existsSync(t.usersFile)).toBe(false);
  });

  it('set-password replaces the hash; unknown users are errors', async () => {
    const t = setup();
    await t.seed([
      { username: 'root', role: 'admin', password: 'root password' },
      { username: 'bob', role: 'read-only', password: 'old password' },
    ]);
    const before = t.find('bob')?.password_scrypt ?? '';
    const changed = await t.ok(['set-password', 'bob', '--password-stdin'], 'new password\n');
    expect(changed.stdout).toMatch(/changed the password of "bob" in .*users\.json.*within a second.*sessions end/);
    expect(changed.stdout + changed.stderr).not.toContain('new password');
    const after = t.find('bob')?.password_scrypt ?? '';
    expect(after).not.toBe(before);
    expect(await verifyPassword('new password', after)).toBe(true);
    expect(await verifyPassword('old password', after)).toBe(false);
    expect(t.find('root')?.role).toBe('admin');

    await t.fails(['set-password', 'ghost', '--password-stdin'], /user "ghost" does not exist/, 'whatever pw\n');
  });

  it('set-role and remove change the file; the last admin can be neither removed nor demoted', async () => {
    const t = setup();
    await t.seed([
      { username: 'root', role: 'admin', password: 'root password' },
      { username: 'bob', role: 'read-only', password: 'bob password' },
    ]);
    const promoted = await t.ok(['set-role', 'bob', 'admin']);
    expect(promoted.stdout).toMatch(/set the role of "bob" to admin in .*users\.json.*sessions end/);
    expect(t.find('bob')?.role).toBe('admin');
    expect(await verifyPassword('bob password', t.find('bob')?.password_scrypt ?? '')).toBe(true);

    const removed = await t.ok(['remove', 'root']);
    expect(removed.stdout).toMatch(/removed user "root" in .*users\.json/);
    expect(t.read().map((user) => user.username)).toEqual(['bob']);

    await t.fails(['remove', 'bob'], /the last admin cannot be removed or demoted/);
    await t.fails(['set-role', 'bob', 'read-only'], /the last admin cannot be removed or demoted/);
    expect(t.read()).toEqual([expect.objectContaining({ username: 'bob', role: 'admin' })]);
  });

  it('list prints username<TAB>role per line, or JSON', async () => {
    const t = setup();
    await t.seed([
      { username: 'zed', role: 'read-only', password: 'zed password' },
      { username: 'amy', role: 'admin', password: 'amy password' },
    ]);
    const text = await t.ok(['list']);
    expect(text.stdout).toBe('amy\tadmin\nzed\tread-only\n');
    const json = await t.ok(['list', '--json']);
    expect(JSON.parse(json.stdout)).toEqual([
      { username: 'amy', role: 'admin' },
      { username: 'zed', role: 'read-only' },
    ]);
  });

  it('refuses to manage users that come from the environment (AUTH_USERS)', async () => {
    const t = setup({ AUTH_USERS: 'root:rootpassword:admin' });
    const result = await t.fails(
      ['add', 'erin', '--password-stdin'],
      /.*environment.*AUTH_USERS_FILE/,
      'erin password\n',
    );
    expect(result.stderr).toMatch(/set AUTH_USERS_FILE/);
    expect(existsSync(t.usersFile)).toBe(false);
  });

  it('edits AUTH_USERS_FILE when set, seeded from AUTH_USERS', async () => {
    const root = makeTempDir('roller-users-file-');
    const custom = join(root, 'custom-users.json');
    const t = setup({ AUTH_USERS_FILE: custom, AUTH_USERS: 'root:rootpassword:admin' });
    const added = await t.ok(['add', 'erin', '--password-stdin'], 'erin password\n');
    expect(added.stdout).toContain(custom);
    expect(existsSync(t.usersFile), 'the data-dir users file is not used').toBe(false);
    const users = t.read(custom);
    expect(users.map((user) => [user.username, user.role])).toEqual([
      ['root', 'admin'],
      ['erin', 'read-only'],
    ]);
    expect(await verifyPassword('rootpassword', users[0]?.password_scrypt ?? '')).toBe(true);
    expect(await verifyPassword('erin password', users[1]?.password_scrypt ?? '')).toBe(true);
  });

  it('hash prints a scrypt$ hash of the password read from stdin', async () => {
    const t = setup();
    const result = await t.ok(['hash', '--password-stdin'], 'hash me please\n');
    const hash = result.stdout.trim();
    expect(result.stdout).toMatch(/^scrypt\$[^\n]+\n$/);
    expect(await verifyPassword('hash me please', hash)).toBe(true);
    expect(existsSync(t.usersFile), 'hash touches no users file').toBe(false);
  });
});
