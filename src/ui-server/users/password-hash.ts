import { randomBytes, type ScryptOptions, scrypt, timingSafeEqual } from 'node:crypto';

/**
 * Passwords are stored only as `scrypt$<N>$<r>$<p>$<salt hex>$<hash hex>` (SPEC §9.2): the format of
 * the earlier system's users files, so they keep working. node:crypto's scrypt needs no native
 * add-on, which keeps `npm ci` free of build steps.
 */
const DEFAULT_COST = { N: 16_384, r: 8, p: 1 } as const;
const SALT_BYTES = 16;
const KEY_BYTES = 32;
/**
 * Refuse parameters that would let a hostile users file make one login eat gigabytes or minutes:
 * scrypt needs 128·N·r bytes, capped here at 256 MiB (16x the default), and p at 4.
 */
const MAX_MEMORY_BYTES = 256 * 1024 * 1024;
const MAX_P = 4;
const MAX_KEY_BYTES = 128;

export const PASSWORD_HASH_PREFIX = 'scrypt$';

function derive(password: string, salt: Buffer, keyBytes: number, cost: { N: number; r: number; p: number }) {
  const options: ScryptOptions = { ...cost, maxmem: 256 * cost.N * cost.r + 1024 * 1024 };
  return new Promise<Buffer>((resolve, reject) =>
    scrypt(password.normalize('NFC'), salt, keyBytes, options, (error, key) => (error ? reject(error) : resolve(key))),
  );
}

export async function hashPassword(password: string): Promise<string> {
  const salt = randomBytes(SALT_BYTES);
  const key = await derive(password, salt, KEY_BYTES, DEFAULT_COST);
  return `${PASSWORD_HASH_PREFIX}${DEFAULT_COST.N}$${DEFAULT_COST.r}$${DEFAULT_COST.p}$${salt.toString('hex')}$${key.toString('hex')}`;
}

interface ParsedHash {
  N: number;
  r: number;
  p: number;
  salt: Buffer;
  key: Buffer;
}

function parseHash(stored: string): ParsedHash | undefined {
  const parts = stored.split('$');
  if (parts.length !== 6 || parts[0] !== 'scrypt') return undefined;
  const [, nText = '', rText = '', pText = '', saltHex = '', keyHex = ''] = parts;
  const [N, r, p] = [nText, rText, pText].map((part) => (/^\d{1,8}$/.test(part) ? Number(part) : Number.NaN)) as [
    number,
    number,
    number,
  ];
  // N must be a power of two above 1 (scrypt's own rule); r and p positive and bounded.
  if (!(N > 1 && (N & (N - 1)) === 0 && r > 0 && p > 0 && p <= MAX_P)) return undefined;
  if (128 * N * r > MAX_MEMORY_BYTES) return undefined;
  if (!/^(?:[0-9a-f]{2})+$/i.test(saltHex) || !/^(?:[0-9a-f]{2})+$/i.test(keyHex)) return undefined;
  const key = Buffer.from(keyHex, 'hex');
  if (key.length < 16 || key.length > MAX_KEY_BYTES) return undefined;
  return { N, r, p, salt: Buffer.from(saltHex, 'hex'), key };
}

/** Whether a string is a well-formed hash this module can verify (users file and AUTH_USERS checks). */
export function isPasswordHash(value: string): boolean {
  return parseHash(value) !== undefined;
}

/** Constant-time check of a password against a stored hash; a malformed hash never verifies. */
export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  const parsed = parseHash(stored);
  if (!parsed) return false;
  const key = await derive(password, parsed.salt, parsed.key.length, parsed);
  return timingSafeEqual(key, parsed.key);
}
