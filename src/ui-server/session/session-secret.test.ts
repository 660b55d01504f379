import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { AuthConfig } from '../../config/config.ts';
import { GENERATED_SECRET_FILE, readSessionSecret, resolveSecretSource, SessionSecretError } from './session-secret.ts';

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

let dir: string;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'roller-session-secret-'));
});

afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

describe('resolveSecretSource', () => {
  it('prefers AUTH_SESSION_SECRET, then AUTH_SESSION_SECRET_FILE', () => {
    const both = auth({ sessionSecret: 's'.repeat(40), sessionSecretFile: '/run/secret' });
    expect(resolveSecretSource(both, dir, true)).toEqual({ kind: 'environment', secret: 's'.repeat(40) });
    expect(resolveSecretSource(auth({ sessionSecretFile: '/run/secret' }), dir, true)).toEqual({
      kind: 'file',
      path: '/run/secret',
    });
  });

  it('generates a secret in the data directory outside production', () => {
    expect(resolveSecretSource(auth(), dir, false)).toEqual({
      kind: 'generated',
      path: join(dir, GENERATED_SECRET_FILE),
    });
  });

  it('refuses production without a secret', () => {
    expect(() => resolveSecretSource(auth(), dir, true)).toThrow(SessionSecretError);
    expect(() => resolveSecretSource(auth(), dir, true)).toThrow(/AUTH_SESSION_SECRET.*required/);
  });
});

describe('readSessionSecret', () => {
  it('returns the environment secret as given', async () => {
    expect(await readSessionSecret({ kind: 'environment', secret: 'x'.repeat(32) })).toEqual({
      secret: 'x'.repeat(32),
      created: false,
    });
  });

  it('reads a secret file, trimmed', async () => {
    const path = join(dir, 'secret');
    writeFileSync(path, `  ${'k'.repeat(40)}\n`);
    expect(await readSessionSecret({ kind: 'file', path })).toEqual({ secret: 'k'.repeat(40), created: false });
  });

  it('refuses a secret file with a too-short secret', async () => {
    const path = join(dir, 'secret');
    writeFileSync(path, `${'k'.repeat(31)}\n`);
    await expect(readSessionSecret({ kind: 'file', path })).rejects.toThrow(SessionSecretError);
    await expect(readSessionSecret({ kind: 'file', path })).rejects.toThrow(/at least 32 characters \(it is 31\)/);
    writeFileSync(path, `${'k'.repeat(32)}\n`);
    expect((await readSessionSecret({ kind: 'file', path })).secret).toBe('k'.repeat(32));
  });

  it('refuses a missing secret file (and does not create it)', async () => {
    const path = join(dir, 'missing');
    await expect(readSessionSecret({ kind: 'file', path })).rejects.toThrow(SessionSecretError);
    await expect(readSessionSecret({ kind: 'file', path })).rejects.toThrow(/cannot be read/);
    expect(() => statSync(path)).toThrow();
  });

  it('creates a generated secret once (64 hex, mode 0600) and reads the same one afterwards', async () => {
    const path = join(dir, 'nested', GENERATED_SECRET_FILE);
    const first = await readSessionSecret({ kind: 'generated', path });
    expect(first.created).toBe(true);
    expect(first.secret).toMatch(/^[0-9a-f]{64}$/);
    expect(readFileSync(path, 'utf8')).toBe(`${first.secret}\n`);
    expect(statSync(path).mode & 0o777).toBe(0o600);
    const second = await readSessionSecret({ kind: 'generated', path });
    expect(second).toEqual({ secret: first.secret, created: false });
  });

  it('generates a different secret in another data directory', async () => {
    const first = await readSessionSecret({ kind: 'generated', path: join(dir, 'a', GENERATED_SECRET_FILE) });
    const second = await readSessionSecret({ kind: 'generated', path: join(dir, 'b', GENERATED_SECRET_FILE) });
    expect(second.secret).not.toBe(first.secret);
  });

  it('refuses a generated-secret file that someone shortened', async () => {
    const path = join(dir, GENERATED_SECRET_FILE);
    writeFileSync(path, 'short\n');
    await expect(readSessionSecret({ kind: 'generated', path })).rejects.toThrow(SessionSecretError);
  });
});
