import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadMigrations } from '../../src/storage/migrator.ts';
import {
  baseUrlFor,
  freePort,
  makeTempDir,
  registerProcessCleanup,
  requestJson,
  requestJsonWithHeaders,
  runRoller,
  spawnRoller,
  waitForReady,
} from '../support/process.ts';

registerProcessCleanup();

const LATEST = loadMigrations().at(-1)?.version ?? 0;
const LOCK_MESSAGE = 'in use by another Roller process';

/** Signs in at the UI server and returns the headers a browser would send on its next mutation. */
async function signIn(uiUrl: string, password: string): Promise<Record<string, string>> {
  const login = await requestJsonWithHeaders<{ csrf_token: string }>(uiUrl, 'POST', '/api/auth/login', {
    username: 'admin',
    password,
  });
  expect(login.status).toBe(200);
  const cookie = (login.headers.getSetCookie().find((value) => value.startsWith('roller_session=')) ?? '').split(
    ';',
  )[0];
  return { cookie: cookie ?? '', 'x-csrf-token': login.body.csrf_token };
}

describe('roller start with nothing configured', () => {
  it('creates ./data and a first admin, migrates, serves core behind the UI, restarts warm, and refuses a second process on the same data dir', async () => {
    const cwd = makeTempDir('roller-start-');
    const dataDir = join(cwd, 'data');
    const port = await freePort();
    const url = baseUrlFor(port);
    const uiUrl = baseUrlFor(await freePort());
    const env = { HTTP_ADDR: `127.0.0.1:${port}`, UI_ADDR: uiUrl.replace('http://', '') };
    expect(existsSync(dataDir)).toBe(false);

    // Cold: an empty working directory.
    const cold = spawnRoller(['start'], { cwd, env });
    const coldMs = await waitForReady(cold, url);
    expect(statSync(join(dataDir, 'pglite')).isDirectory()).toBe(true);
    expect(JSON.parse(readFileSync(join(dataDir, 'roller.lock'), 'utf8')).pid).toBe(cold.pid);

    // The first log line says where the database lives; the listening line gives the URL.
    const listening = await cold.waitForLog('core listening');
    expect(listening.url).toBe(url);
    expect(await cold.waitForText('Sign in at')).toContain(`Sign in at ${uiUrl}`);
    // No built-in admin/admin: a random password, printed once, stored only as a hash.
    const firstUser = await cold.waitForText('First user: admin');
    const password = /password: (\S+)/.exec(firstUser)?.[1] ?? '';
    expect(password.length).toBeGreaterThanOrEqual(16);
    const usersFile = readFileSync(join(dataDir, 'users.json'), 'utf8');
    expect(usersFile).not.toContain(password);
    expect(usersFile).toContain('"password_scrypt": "scrypt$');
    expect(statSync(join(dataDir, 'users.json')).mode & 0o777).toBe(0o600);
    expect((await requestJson(uiUrl, 'POST', '/api/auth/login', { username: 'admin', password: 'admin' })).status).toBe(
      401,
    );
    const logs = cold.logs;
    expect(logs[0]?.message, cold.describe()).toBe('database opened');
    expect(logs[0]?.database).toBe(`embedded PGlite in ${join(dataDir, 'pglite')}`);
    expect(cold.logsWithMessage('migration applied').map((log) => log.version)).toEqual(
      Array.from({ length: LATEST }, (_, index) => index + 1),
    );
    expect(cold.logsWithMessage('core listening')).toHaveLength(1);
    const order = logs.map((log) => log.message);
    expect(order.indexOf('database opened')).toBeLessThan(order.indexOf('core listening'));

    const readyz = await requestJson(url, 'GET', '/readyz');
    expect(readyz).toEqual({ status: 200, body: { ready: true, schema_version: LATEST, database: 'pglite' } });
    // Core itself wants the token roller start made up; only the UI server has it.
    expect((await requestJson(url, 'POST', '/api/v1/devices', { display_name: 'bypass' })).status).toBe(401);
    const browser = await signIn(uiUrl, password);
    const created = await requestJson<{ id: string }>(
      uiUrl,
      'POST',
      '/api/v1/devices',
      { display_name: 'first-run' },
      browser,
    );
    expect(created.status).toBe(201);

    const stopped = await cold.kill('SIGTERM');
    expect(stopped.code, cold.describe()).toBe(0);
    expect(existsSync(join(dataDir, 'roller.lock')), 'a clean stop releases the lock').toBe(false);

    // Warm: the same directory, already migrated.
    const warm = spawnRoller(['start'], { cwd, env });
    const warmMs = await waitForReady(warm, url);
    expect(await warm.waitForLog('database schema ready')).toMatchObject({ schema_version: LATEST, applied: 0 });
    expect(warm.logsWithMessage('migration applied')).toEqual([]);
    await warm.waitForLog('core listening');
    // Users and the session secret were kept: no new password, and the browser's session still works.
    expect(await warm.waitForText('Users:')).toContain(join(dataDir, 'users.json'));
    expect(warm.stderr).not.toContain('First user');
    await warm.waitForLog('ui listening');
    const kept = await requestJson<{ display_name: string }>(
      uiUrl,
      'GET',
      `/api/v1/devices/${created.body.id}`,
      undefined,
      browser,
    );
    expect(kept.status).toBe(200);
    expect(kept.body.display_name).toBe('first-run');

    const readyMs = (roller: typeof cold): unknown => roller.logsWithMessage('core listening')[0]?.ready_ms;
    console.log(
      `[figures] start cold=${Math.round(coldMs)}ms warm=${Math.round(warmMs)}ms ` +
        `(spawn to /readyz 200; in-process ready_ms cold=${readyMs(cold)} warm=${readyMs(warm)})`,
    );

    // A second process on the same data dir (./data via the same cwd) is refused…
    const otherPort = await freePort();
    const second = await runRoller(['core'], { cwd, env: { HTTP_ADDR: `127.0.0.1:${otherPort}` } });
    expect(second.code, second.process.describe()).not.toBe(0);
    expect(second.code).not.toBeNull();
    expect(second.stderr).toContain(LOCK_MESSAGE);
    expect(second.stderr).toContain(`pid ${warm.pid}`);
    expect(second.stderr).toContain(dataDir);
    expect(second.process.logsWithMessage('core listening')).toEqual([]);

    // …and the first one keeps its lock and keeps serving, reads and writes.
    expect(warm.running).toBe(true);
    expect(JSON.parse(readFileSync(join(dataDir, 'roller.lock'), 'utf8')).pid).toBe(warm.pid);
    expect((await requestJson(url, 'GET', '/readyz')).status).toBe(200);
    const after = await requestJson<{ id: string }>(
      uiUrl,
      'POST',
      '/api/v1/devices',
      { display_name: 'after-refusal' },
      browser,
    );
    expect(after.status).toBe(201);
    const list = await requestJson<{ devices: { display_name: string }[] }>(
      uiUrl,
      'GET',
      '/api/v1/devices',
      undefined,
      browser,
    );
    expect(list.body.devices.map((device) => device.display_name).sort()).toEqual(['after-refusal', 'first-run']);

    // The refusal also holds for the migrate CLI, which opens the same directory.
    const migrate = await runRoller(['migrate', 'version'], { cwd });
    expect(migrate.code).not.toBe(0);
    expect(migrate.stderr).toContain(LOCK_MESSAGE);

    expect((await warm.kill('SIGTERM')).code, warm.describe()).toBe(0);
  }, 240_000);
});
