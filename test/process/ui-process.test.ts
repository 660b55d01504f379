import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { hashPassword } from '../../src/ui-server/users/password-hash.ts';
import {
  baseUrlFor,
  freePort,
  makeTempDir,
  registerProcessCleanup,
  requestJson,
  requestJsonWithHeaders,
  runRoller,
  spawnRoller,
} from '../support/process.ts';

registerProcessCleanup();

async function signIn(uiUrl: string, username: string, password: string) {
  return requestJsonWithHeaders<{ role: string; csrf_token: string }>(uiUrl, 'POST', '/api/auth/login', {
    username,
    password,
  });
}

const cookieOf = (headers: Headers): string =>
  (headers.getSetCookie().find((value) => value.startsWith('roller_session=')) ?? '').split(';')[0] ?? '';

describe('roller ui as a process', () => {
  it('refuses to start in production without a session secret', async () => {
    const cwd = makeTempDir('roller-ui-prod-');
    const result = await runRoller(['ui'], {
      cwd,
      env: { NODE_ENV: 'production', UI_ADDR: `127.0.0.1:${await freePort()}`, AUTH_USERS: 'a:long-password:admin' },
    });
    expect(result.code, result.process.describe()).toBe(1);
    expect(result.stderr).toContain(
      'AUTH_SESSION_SECRET or AUTH_SESSION_SECRET_FILE is required when NODE_ENV=production',
    );
  });

  it('reloads users and rotates the session secret on SIGHUP, without a restart', async () => {
    const cwd = makeTempDir('roller-ui-hup-');
    const usersFile = join(cwd, 'users.json');
    const secretFile = join(cwd, 'secret');
    writeFileSync(
      usersFile,
      JSON.stringify([{ username: 'ops', role: 'admin', password_scrypt: await hashPassword('ops-password') }]),
    );
    writeFileSync(secretFile, 'first-secret-that-is-long-enough-0123456789\n');
    const uiUrl = baseUrlFor(await freePort());
    const ui = spawnRoller(['ui'], {
      cwd,
      env: {
        UI_ADDR: uiUrl.replace('http://', ''),
        AUTH_USERS_FILE: usersFile,
        AUTH_SESSION_SECRET_FILE: secretFile,
        // Nothing listens there: sign-in works without core (audit writes are best effort).
        CORE_BASE_URL: baseUrlFor(await freePort()),
      },
    });
    await ui.waitForLog('ui listening', 60_000);
    const first = await signIn(uiUrl, 'ops', 'ops-password');
    expect(first.status, ui.describe()).toBe(200);
    const cookie = cookieOf(first.headers);
    expect((await requestJson(uiUrl, 'GET', '/api/auth/session', undefined, { cookie })).status).toBe(200);

    // A new user and a new secret, then SIGHUP.
    writeFileSync(
      usersFile,
      JSON.stringify([
        { username: 'ops', role: 'admin', password_scrypt: await hashPassword('ops-password') },
        { username: 'late', password_scrypt: await hashPassword('late-password') },
      ]),
    );
    writeFileSync(secretFile, 'second-secret-that-is-long-enough-0123456789\n');
    ui.child.kill('SIGHUP');
    const reloaded = await ui.waitForLog('ui configuration reloaded');
    expect(reloaded).toMatchObject({ secret_rotated: true, users: 2 });
    expect(ui.running).toBe(true);

    // The old secret's session is over; new sign-ins work, the new user (no role: read-only) included.
    expect((await requestJson(uiUrl, 'GET', '/api/auth/session', undefined, { cookie })).status).toBe(401);
    const again = await signIn(uiUrl, 'ops', 'ops-password');
    expect(again.status).toBe(200);
    const late = await signIn(uiUrl, 'late', 'late-password');
    expect(late.status).toBe(200);
    expect(late.body.role).toBe('read-only');

    // A broken users file on SIGHUP is reported and the users loaded before stay.
    writeFileSync(usersFile, '{ not json');
    ui.child.kill('SIGHUP');
    await ui.waitFor(
      () => ui.logs.find((line) => line.message === 'reload failed; keeping the previous users and secret'),
      'a reload failure log line',
    );
    expect((await signIn(uiUrl, 'ops', 'ops-password')).status).toBe(200);
    expect((await ui.kill('SIGTERM')).code, ui.describe()).toBe(0);
  }, 120_000);
});
