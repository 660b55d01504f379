import { chmodSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { readUsersFile, UsersFileError, usersFileVersion, writeUsersFile } from './users-file.ts';

const HASH_A = `scrypt$16384$8$1$${'ab'.repeat(16)}$${'cd'.repeat(32)}`;
const HASH_B = `scrypt$16384$8$1$${'12'.repeat(16)}$${'34'.repeat(32)}`;

let dir: string;
let file: string;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'roller-users-file-'));
  file = join(dir, 'users.json');
});

afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

const write = (content: unknown) =>
  writeFileSync(file, typeof content === 'string' ? content : JSON.stringify(content), 'utf8');

async function readError(content: unknown): Promise<UsersFileError> {
  write(content);
  const error = await readUsersFile(file).then(
    () => undefined,
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(UsersFileError);
  expect((error as Error).message).toContain(file);
  return error as UsersFileError;
}

describe('readUsersFile', () => {
  it('treats a missing file and a blank file alike: absent', async () => {
    expect(await readUsersFile(file)).toEqual({ state: 'absent' });
    write('  \n\t\n');
    expect(await readUsersFile(file)).toEqual({ state: 'absent' });
  });

  it('reads an empty array as present with no users', async () => {
    write([]);
    expect(await readUsersFile(file)).toEqual({ state: 'present', entries: [] });
  });

  it('reads hashed and plaintext entries, trimming username, role and hash', async () => {
    write([
      { username: ' alice ', role: ' admin ', password_scrypt: ` ${HASH_A} ` },
      { username: 'bob', role: 'read-only', password_scrypt: HASH_B },
      { username: 'carol', role: 'admin', password: 'typed by hand' },
    ]);
    expect(await readUsersFile(file)).toEqual({
      state: 'present',
      entries: [
        { username: 'alice', role: 'admin', passwordHash: HASH_A },
        { username: 'bob', role: 'read-only', passwordHash: HASH_B },
        { username: 'carol', role: 'admin', plaintextPassword: 'typed by hand' },
      ],
    });
  });

  it('makes an entry without a role (or with a blank one) read-only', async () => {
    write([
      { username: 'alice', password_scrypt: HASH_A },
      { username: 'bob', role: '  ', password: 'secret-pw' },
    ]);
    const content = await readUsersFile(file);
    expect(content).toEqual({
      state: 'present',
      entries: [
        { username: 'alice', role: 'read-only', passwordHash: HASH_A },
        { username: 'bob', role: 'read-only', plaintextPassword: 'secret-pw' },
      ],
    });
  });

  it('prefers password_scrypt when an entry has both fields', async () => {
    write([{ username: 'alice', role: 'admin', password: 'plain', password_scrypt: HASH_A }]);
    expect(await readUsersFile(file)).toEqual({
      state: 'present',
      entries: [{ username: 'alice', role: 'admin', passwordHash: HASH_A }],
    });
  });

  it('refuses a file that is not JSON', async () => {
    expect((await readError('[{"username": "alice",')).message).toMatch(/is not valid JSON/);
  });

  it('refuses JSON that is not an array', async () => {
    expect((await readError({ username: 'alice', password: 'x' })).message).toMatch(/must contain a JSON array/);
    expect((await readError('"users"')).message).toMatch(/must contain a JSON array/);
  });

  it('names an entry that is not an object', async () => {
    const valid = { username: 'alice', password_scrypt: HASH_A };
    expect((await readError([valid, 'bob'])).message).toMatch(/entry 2 is not an object/);
    expect((await readError([valid, null])).message).toMatch(/entry 2 is not an object/);
    expect((await readError([[valid]])).message).toMatch(/entry 1 is not an object/);
  });

  it('names an entry with a blank or missing username', async () => {
    const valid = { username: 'alice', password_scrypt: HASH_A };
    expect((await readError([valid, { username: '   ', password: 'x' }])).message).toMatch(
      /entry 2: username is empty/,
    );
    expect((await readError([{ password: 'x' }])).message).toMatch(/entry 1: username is empty/);
    expect((await readError([{ username: 'a:b', password: 'x' }])).message).toMatch(/entry 1: username contains/);
  });

  it('names a user listed twice (after trimming)', async () => {
    const error = await readError([
      { username: 'alice', password_scrypt: HASH_A },
      { username: 'bob', password_scrypt: HASH_B },
      { username: ' alice', password: 'x' },
    ]);
    expect(error.message).toMatch(/entry 3: user "alice" is listed twice/);
  });

  it('names an entry with an unknown role', async () => {
    const error = await readError([
      { username: 'alice', password_scrypt: HASH_A },
      { username: 'bob', role: 'superuser', password_scrypt: HASH_B },
    ]);
    expect(error.message).toMatch(/entry 2 \(bob\): role "superuser" is neither admin nor read-only/);
  });

  it('names an entry whose password_scrypt is not a valid hash', async () => {
    const error = await readError([{ username: 'alice', role: 'admin', password_scrypt: 'scrypt$1$8$1$ab$cd' }]);
    expect(error.message).toMatch(/entry 1 \(alice\): password_scrypt is not a valid scrypt\$ hash/);
  });

  it('names an entry with neither password field', async () => {
    const valid = { username: 'alice', password_scrypt: HASH_A };
    expect((await readError([valid, { username: 'bob', role: 'admin' }])).message).toMatch(
      /entry 2 \(bob\): has neither password_scrypt nor password/,
    );
    expect((await readError([{ username: 'bob', password: '', password_scrypt: '  ' }])).message).toMatch(
      /entry 1 \(bob\): has neither/,
    );
  });

  it('reports a file that cannot be read', async () => {
    mkdirSync(file);
    await expect(readUsersFile(file)).rejects.toThrow(UsersFileError);
    await expect(readUsersFile(file)).rejects.toThrow(/cannot be read/);
  });
});

describe('writeUsersFile', () => {
  const users = [
    { username: 'alice', role: 'admin' as const, passwordHash: HASH_A },
    { username: 'bob', role: 'read-only' as const, passwordHash: HASH_B },
  ];

  it('writes pretty JSON of {username, role, password_scrypt}, mode 0600', async () => {
    const extra = {
      username: 'alice',
      role: 'admin' as const,
      passwordHash: HASH_A,
      credentialMaterial: 'must not be written',
    };
    await writeUsersFile(file, [extra, { username: 'bob', role: 'read-only', passwordHash: HASH_B }]);
    const text = readFileSync(file, 'utf8');
    expect(text).toBe(
      `${JSON.stringify(
        [
          { username: 'alice', role: 'admin', password_scrypt: HASH_A },
          { username: 'bob', role: 'read-only', password_scrypt: HASH_B },
        ],
        null,
        2,
      )}\n`,
    );
    expect(text).not.toContain('must not be written');
    expect(statSync(file).mode & 0o777).toBe(0o600);
  });

  it('creates missing directories and leaves no temporary files behind', async () => {
    const nested = join(dir, 'a', 'b', 'users.json');
    await writeUsersFile(nested, users);
    await writeUsersFile(nested, users.slice(0, 1));
    expect(readdirSync(join(dir, 'a', 'b'))).toEqual(['users.json']);
    expect(await readUsersFile(nested)).toEqual({
      state: 'present',
      entries: [{ username: 'alice', role: 'admin', passwordHash: HASH_A }],
    });
  });

  it('replaces a world-readable file by one only its owner can read', async () => {
    write('[]');
    chmodSync(file, 0o644);
    await writeUsersFile(file, users);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(readdirSync(dir)).toEqual(['users.json']);
  });

  it('round-trips through readUsersFile', async () => {
    await writeUsersFile(file, users);
    expect(await readUsersFile(file)).toEqual({ state: 'present', entries: users });
  });
});

describe('usersFileVersion', () => {
  it('is undefined for a missing file and changes when the file changes', async () => {
    expect(await usersFileVersion(file)).toBeUndefined();
    await writeUsersFile(file, [{ username: 'alice', role: 'admin', passwordHash: HASH_A }]);
    const first = await usersFileVersion(file);
    expect(first?.size).toBe(statSync(file).size);
    await writeUsersFile(file, [
      { username: 'alice', role: 'admin', passwordHash: HASH_A },
      { username: 'bob', role: 'admin', passwordHash: HASH_B },
    ]);
    expect(await usersFileVersion(file)).not.toEqual(first);
  });
});
