import { randomBytes, scryptSync } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { hashPassword, isPasswordHash, PASSWORD_HASH_PREFIX, verifyPassword } from './password-hash.ts';

/** A hash made the way an earlier users file holds it, without this module's help. */
function independentHash(password: string, options: { N?: number; r?: number; p?: number; keyBytes?: number } = {}) {
  const { N = 16_384, r = 8, p = 1, keyBytes = 32 } = options;
  const salt = randomBytes(16);
  const key = scryptSync(password, salt, keyBytes, { N, r, p, maxmem: 64 * 1024 * 1024 });
  return { salt, key, hash: `scrypt$${N}$${r}$${p}$${salt.toString('hex')}$${key.toString('hex')}` };
}

describe('hashPassword', () => {
  it('writes scrypt$16384$8$1$<32 hex salt>$<64 hex key>', async () => {
    const hash = await hashPassword('correct horse');
    expect(hash).toMatch(/^scrypt\$16384\$8\$1\$[0-9a-f]{32}\$[0-9a-f]{64}$/);
    expect(hash.startsWith(PASSWORD_HASH_PREFIX)).toBe(true);
    expect(isPasswordHash(hash)).toBe(true);
  });

  it('derives exactly what scrypt(password, salt, 32, N=16384 r=8 p=1) gives', async () => {
    const hash = await hashPassword('correct horse');
    const [, , , , saltHex = '', keyHex = ''] = hash.split('$');
    const expected = scryptSync('correct horse', Buffer.from(saltHex, 'hex'), 32, { N: 16_384, r: 8, p: 1 });
    expect(keyHex).toBe(expected.toString('hex'));
  });

  it('uses a fresh salt every time', async () => {
    const [first, second] = await Promise.all([hashPassword('same password'), hashPassword('same password')]);
    expect(first).not.toBe(second);
    expect(first.split('$')[4]).not.toBe(second.split('$')[4]);
  });
});

describe('verifyPassword', () => {
  it('accepts the right password and refuses a wrong one', async () => {
    const hash = await hashPassword('correct horse');
    expect(await verifyPassword('correct horse', hash)).toBe(true);
    expect(await verifyPassword('correct horsE', hash)).toBe(false);
    expect(await verifyPassword('', hash)).toBe(false);
  });

  it('verifies a hash computed independently in the SPEC format (earlier users files)', async () => {
    const { hash } = independentHash('battery staple');
    expect(isPasswordHash(hash)).toBe(true);
    expect(await verifyPassword('battery staple', hash)).toBe(true);
    expect(await verifyPassword('battery stapl', hash)).toBe(false);
  });

  it('takes N, r, p and the key length from the stored string', async () => {
    const { hash } = independentHash('other cost', { N: 1024, r: 4, p: 2, keyBytes: 64 });
    expect(await verifyPassword('other cost', hash)).toBe(true);
    expect(await verifyPassword('other cosT', hash)).toBe(false);
  });

  it('accepts a key of 16 bytes but not one of 15', async () => {
    const { salt, key } = independentHash('truncated', { N: 1024 });
    const withKey = (bytes: Buffer) => `scrypt$1024$8$1$${salt.toString('hex')}$${bytes.toString('hex')}`;
    // scrypt's output is a prefix-stable PBKDF2 stream, so a shortened key would verify if it were accepted.
    expect(await verifyPassword('truncated', withKey(key.subarray(0, 16)))).toBe(true);
    expect(isPasswordHash(withKey(key.subarray(0, 15)))).toBe(false);
    expect(await verifyPassword('truncated', withKey(key.subarray(0, 15)))).toBe(false);
  });
});

describe('malformed hashes', () => {
  const salt = 'ab'.repeat(16);
  const key = 'cd'.repeat(32);

  it('recognises a well-formed hash (the base the malformed cases are made from)', () => {
    expect(isPasswordHash(`scrypt$16384$8$1$${salt}$${key}`)).toBe(true);
    // Memory bound: 128·N·r bytes up to 256 MiB (16x the default cost); p up to 4.
    expect(isPasswordHash(`scrypt$${2 ** 18}$8$1$${salt}$${key}`)).toBe(true);
    expect(isPasswordHash(`scrypt$16384$8$4$${salt}$${key}`)).toBe(true);
    expect(isPasswordHash(`scrypt$2$1$1$${salt}$${key.toUpperCase()}`)).toBe(true);
  });

  const malformed: [string, string][] = [
    ['too few parts', `scrypt$16384$8$1$${salt}`],
    ['too many parts', `scrypt$16384$8$1$${salt}$${key}$extra`],
    ['another algorithm', `bcrypt$16384$8$1$${salt}$${key}`],
    ['no prefix', `16384$8$1$${salt}$${key}`],
    ['N not a power of two', `scrypt$16383$8$1$${salt}$${key}`],
    ['N = 1', `scrypt$1$8$1$${salt}$${key}`],
    ['N = 0', `scrypt$0$8$1$${salt}$${key}`],
    ['N huge (2^21)', `scrypt$${2 ** 21}$8$1$${salt}$${key}`],
    ['N too big for the memory bound (2^19 with r=8)', `scrypt$${2 ** 19}$8$1$${salt}$${key}`],
    ['r too big for the memory bound', `scrypt$16384$256$1$${salt}$${key}`],
    ['N negative', `scrypt$-16384$8$1$${salt}$${key}`],
    ['N not a number', `scrypt$abc$8$1$${salt}$${key}`],
    ['r = 0', `scrypt$16384$0$1$${salt}$${key}`],
    ['p = 0', `scrypt$16384$8$0$${salt}$${key}`],
    ['p too big', `scrypt$16384$8$5$${salt}$${key}`],
    ['odd-length salt hex', `scrypt$16384$8$1$${salt}a$${key}`],
    ['odd-length key hex', `scrypt$16384$8$1$${salt}$${key}a`],
    ['non-hex key', `scrypt$16384$8$1$${salt}$${'zz'.repeat(32)}`],
    ['empty salt', `scrypt$16384$8$1$$${key}`],
    ['short key (15 bytes)', `scrypt$16384$8$1$${salt}$${'cd'.repeat(15)}`],
    ['key too long (129 bytes)', `scrypt$16384$8$1$${salt}$${'cd'.repeat(129)}`],
    ['empty string', ''],
  ];

  it.each(malformed)('%s: isPasswordHash is false', (_label, hash) => {
    expect(isPasswordHash(hash)).toBe(false);
  });

  it('a real hash with a broken parameter never verifies (and does not throw)', async () => {
    const { hash } = independentHash('broken', { N: 1024 });
    expect(await verifyPassword('broken', hash)).toBe(true);
    const parts = hash.split('$');
    const variants = [
      parts.slice(0, 5).join('$'),
      [...parts, 'x'].join('$'),
      ['scrypt', '1000', ...parts.slice(2)].join('$'),
      ['scrypt', '1', ...parts.slice(2)].join('$'),
      ['scrypt', parts[1], '0', ...parts.slice(3)].join('$'),
      ['scrypt', parts[1], parts[2], '0', ...parts.slice(4)].join('$'),
      ['scrypt', String(2 ** 21), '8', '1', ...parts.slice(4)].join('$'),
      [...parts.slice(0, 4), `${parts[4]}0`, parts[5]].join('$'),
      [...parts.slice(0, 5), `${parts[5]}0`].join('$'),
      [...parts.slice(0, 5), (parts[5] ?? '').slice(0, 30)].join('$'),
    ];
    for (const variant of variants) {
      expect(isPasswordHash(variant), variant).toBe(false);
      await expect(verifyPassword('broken', variant), variant).resolves.toBe(false);
    }
  });
});
