import { randomBytes } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { AuthConfig } from '../../config/config.ts';

export const GENERATED_SECRET_FILE = 'session-secret';
const MIN_SECRET_LENGTH = 32;

/** Where the session secret comes from; only file-backed secrets can change without a restart. */
export type SecretSource =
  | { readonly kind: 'environment'; readonly secret: string }
  | { readonly kind: 'file'; readonly path: string }
  | { readonly kind: 'generated'; readonly path: string };

export class SessionSecretError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SessionSecretError';
  }
}

/**
 * AUTH_SESSION_SECRET, else AUTH_SESSION_SECRET_FILE, else — outside production only — a random
 * secret kept in the data directory so sessions survive restarts. Production without a secret is
 * refused: the earlier system fell back to a well-known constant (G-23).
 */
export function resolveSecretSource(auth: AuthConfig, dataDir: string, production: boolean): SecretSource {
  if (auth.sessionSecret !== undefined) return { kind: 'environment', secret: auth.sessionSecret };
  if (auth.sessionSecretFile !== undefined) return { kind: 'file', path: auth.sessionSecretFile };
  if (production) {
    throw new SessionSecretError(
      'AUTH_SESSION_SECRET or AUTH_SESSION_SECRET_FILE is required when NODE_ENV=production ' +
        '(e.g. AUTH_SESSION_SECRET=$(openssl rand -hex 32))',
    );
  }
  return { kind: 'generated', path: join(dataDir, GENERATED_SECRET_FILE) };
}

/** Reads (or, for `generated`, creates once) the secret. */
export async function readSessionSecret(source: SecretSource): Promise<{ secret: string; created: boolean }> {
  if (source.kind === 'environment') return { secret: source.secret, created: false };
  let text: string | undefined;
  try {
    text = (await readFile(source.path, 'utf8')).trim();
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT' || source.kind === 'file') {
      throw new SessionSecretError(`session secret file ${source.path} cannot be read: ${(error as Error).message}`);
    }
  }
  if (text === undefined && source.kind === 'generated') {
    const secret = randomBytes(32).toString('hex');
    await mkdir(dirname(source.path), { recursive: true, mode: 0o700 });
    try {
      await writeFile(source.path, `${secret}\n`, { mode: 0o600, flag: 'wx' });
      return { secret, created: true };
    } catch (error) {
      // Another process created it first: use theirs.
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      text = (await readFile(source.path, 'utf8')).trim();
    }
  }
  if (text === undefined || text.length < MIN_SECRET_LENGTH) {
    throw new SessionSecretError(
      `session secret in ${source.path} must be at least ${MIN_SECRET_LENGTH} characters (it is ${text?.length ?? 0})`,
    );
  }
  return { secret: text, created: false };
}
