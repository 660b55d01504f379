import { readFileSync } from 'node:fs';
import { createServer, type Server, type Socket } from 'node:net';
import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { newClaims, SessionKeys } from '../../src/ui-server/session/session-token.ts';
import { BACKENDS } from '../support/backends.ts';
import { REPO_ROOT } from '../support/process.ts';
import {
  ADMIN,
  type Client,
  CORE_TOKEN,
  SESSION_SECRET,
  sessionCookieOf,
  setCookieHeader,
  UiStack,
  VIEWER,
  WEB_MARKER,
} from '../support/ui-stack.ts';

// The UI server never touches the database; one backend for the core behind it is enough.
const pglite = BACKENDS[0] as (typeof BACKENDS)[number];
const SOME_UUID = '0b7e7a4e-8f55-4d3e-9a53-1f4c3b2a1d00';

describe('UI server: sign-in, sessions, roles, CSRF and the proxy to core', () => {
  let stack: UiStack;
  beforeAll(async () => {
    stack = await UiStack.start(pglite);
  });
  afterAll(async () => stack?.close());

  describe('login', () => {
    it('issues an HttpOnly, SameSite=Lax session cookie for 24 h and answers the session', async () => {
      const { answer, cookie, csrf } = await stack.login(ADMIN);
      expect(answer.json).toMatchObject({ ok: true, username: 'admin', role: 'admin' });
      const header = setCookieHeader(answer);
      expect(header).toMatch(/HttpOnly/i);
      expect(header).toMatch(/SameSite=Lax/i);
      expect(header).toMatch(/Path=\//);
      expect(header).toMatch(/Max-Age=86400/);
      // Plain http on loopback outside production: no Secure flag, or the browser would drop the cookie.
      expect(header).not.toMatch(/Secure/i);
      expect(cookie).toBeDefined();
      const session = await stack.send('GET', '/api/auth/session', { client: { cookie, csrf: undefined } });
      expect(session.status).toBe(200);
      expect(session.json).toMatchObject({ username: 'admin', role: 'admin', csrf_token: csrf });
    });

    it('marks the cookie Secure when the trusted proxy says https', async () => {
      const behindProxy = await UiStack.start(pglite, { env: { UI_TRUST_PROXY: 'true' } });
      try {
        const answer = await behindProxy.send('POST', '/api/auth/login', {
          body: ADMIN,
          headers: { 'x-forwarded-proto': 'https' },
        });
        expect(answer.status).toBe(200);
        expect(setCookieHeader(answer)).toMatch(/Secure/i);
        // Without trust, the same header from a client is ignored.
        const direct = await stack.send('POST', '/api/auth/login', {
          body: ADMIN,
          headers: { 'x-forwarded-proto': 'https' },
        });
        expect(setCookieHeader(direct)).not.toMatch(/Secure/i);
      } finally {
        await behindProxy.close();
      }
    });

    it('gives unknown users and wrong passwords the very same answer', async () => {
      const unknown = await stack.send('POST', '/api/auth/login', {
        body: { username: 'nobody-here', password: 'whatever-1' },
      });
      const wrong = await stack.send('POST', '/api/auth/login', {
        body: { username: VIEWER.username, password: 'not-the-password' },
      });
      expect(unknown.status).toBe(401);
      expect(wrong.status).toBe(401);
      expect(unknown.json).toEqual(wrong.json);
      expect(unknown.json).toEqual({ error: { code: 'unauthorized', message: 'invalid username or password' } });
      expect(sessionCookieOf(unknown)).toBeUndefined();
    });

    it('refuses a login without both fields, or with a body that is not JSON', async () => {
      for (const body of [{ username: 'admin' }, { password: 'x' }, { username: '  ', password: 'x' }]) {
        const answer = await stack.send('POST', '/api/auth/login', { body });
        expect(answer.status).toBe(400);
        expect((answer.json.error as { code: string }).code).toBe('validation_failed');
      }
      const notJson = await stack.send('POST', '/api/auth/login', { body: '{"username":', headers: {} });
      expect(notJson.status).toBe(400);
      const array = await stack.send('POST', '/api/auth/login', { body: [] });
      expect(array.status).toBe(400);
    });

    it('refuses a cross-site login form', async () => {
      const answer = await stack.send('POST', '/api/auth/login', {
        body: ADMIN,
        headers: { origin: 'https://evil.example', 'sec-fetch-site': 'cross-site' },
      });
      expect(answer.status).toBe(403);
      expect(sessionCookieOf(answer)).toBeUndefined();
    });
  });

  describe('sessions', () => {
    it('refuses a tampered cookie, a cookie signed with another secret and an expired one', async () => {
      const { cookie } = await stack.login(VIEWER);
      const token = decodeURIComponent((cookie as string).slice('roller_session='.length));
      const [version, payload, mac] = token.split('.') as [string, string, string];
      const claims = JSON.parse(Buffer.from(payload, 'base64url').toString()) as Record<string, unknown>;
      const forged = Buffer.from(JSON.stringify({ ...claims, r: 'admin' })).toString('base64url');
      const flippedMac = `${mac.slice(0, -2)}${mac.endsWith('AA') ? 'BB' : 'AA'}`;
      const user = { username: VIEWER.username, role: 'read-only' as const };
      const otherKeys = new SessionKeys('another-secret-that-is-long-enough-too!!');
      const rightKeys = new SessionKeys(SESSION_SECRET);
      const expired = newClaims(user, claims.s as string, Date.now() - 2 * 86_400_000, 86_400_000);
      for (const bad of [
        `${version}.${forged}.${mac}`,
        `${version}.${payload}.${flippedMac}`,
        otherKeys.sign(claims as never),
        rightKeys.sign(expired),
        'garbage',
        '',
      ]) {
        const answer = await stack.send('GET', '/api/v1/devices', {
          client: { cookie: `roller_session=${encodeURIComponent(bad)}`, csrf: undefined },
        });
        expect(answer.status, bad).toBe(401);
        expect(answer.json).toEqual({ error: { code: 'unauthorized', message: 'authentication required' } });
      }
      // The untouched cookie still works, so the refusals above are about the tampering.
      expect((await stack.send('GET', '/api/v1/devices', { client: { cookie, csrf: undefined } })).status).toBe(200);
      // A correctly signed, unexpired token is accepted: the expired case failed on its expiry alone.
      const fresh = rightKeys.sign(newClaims(user, claims.s as string, Date.now(), 86_400_000));
      const ok = await stack.send('GET', '/api/v1/devices', {
        client: { cookie: `roller_session=${encodeURIComponent(fresh)}`, csrf: undefined },
      });
      expect(ok.status).toBe(200);
    });

    it('ends the session on the server at logout, not only in the browser', async () => {
      const client = await stack.login(VIEWER);
      const logout = await stack.send('POST', '/api/auth/logout', { client });
      expect(logout.status).toBe(200);
      expect(setCookieHeader(logout)).toMatch(/Max-Age=0/);
      const reused = await stack.send('GET', '/api/v1/devices', { client });
      expect(reused.status).toBe(401);
    });

    it('refuses a logout without the CSRF token and keeps the session', async () => {
      const client = await stack.login(VIEWER);
      const forged = await stack.send('POST', '/api/auth/logout', { client, csrf: false });
      expect(forged.status).toBe(403);
      expect((await stack.send('GET', '/api/v1/devices', { client })).status).toBe(200);
    });
  });

  describe('roles: read-only users cannot change anything, by any route or method', () => {
    it('refuses every mutating method on every core route and short route with 403, and nothing changes', async () => {
      const viewer = await stack.login(VIEWER);
      const document = parseYaml(readFileSync(`${REPO_ROOT}/api/openapi.yaml`, 'utf8')) as {
        paths: Record<string, Record<string, unknown>>;
      };
      const paths = Object.keys(document.paths)
        .filter((path) => path.startsWith('/api/'))
        .map((path) => path.replace(/\{[^}]+\}/g, SOME_UUID));
      const shortForms = paths
        .filter((path) => path.startsWith('/api/v1/'))
        .map((path) => path.replace('/api/v1/', '/api/'));
      expect(paths.length).toBeGreaterThan(20);
      let tried = 0;
      for (const path of [...paths, ...shortForms, '/api/v1/not-a-route', '/api/devices/x/tags']) {
        for (const method of ['POST', 'PUT', 'PATCH', 'DELETE']) {
          const answer = await stack.send(method, path, { client: viewer, body: { display_name: 'x', tags: ['y'] } });
          expect(answer.status, `${method} ${path}`).toBe(403);
          expect((answer.json.error as { code: string }).code).toBe('forbidden');
          tried += 1;
        }
      }
      expect(tried).toBeGreaterThan(100);
      const admin = await stack.login(ADMIN);
      const devices = await stack.send('GET', '/api/v1/devices', { client: admin });
      expect(devices.json.devices).toEqual([]);
      const runs = await stack.send('GET', '/api/v1/discovery/runs', { client: admin });
      expect(runs.json.runs).toEqual([]);
    });

    it('lets read-only users read and export', async () => {
      const viewer = await stack.login(VIEWER);
      for (const path of [
        '/api/v1/devices',
        '/api/devices/export',
        '/api/v1/devices/export.csv',
        '/api/v1/audit/events',
      ]) {
        const answer = await stack.send('GET', path, { client: viewer });
        expect(answer.status, path).toBe(200);
      }
    });

    it('refuses the tags route to read-only users too (G-09) and audits it for admins', async () => {
      const admin = await stack.login(ADMIN);
      const created = await stack.send('POST', '/api/v1/devices', { client: admin, body: { display_name: 'tagged' } });
      expect(created.status).toBe(201);
      const id = created.json.id as string;
      const viewer = await stack.login(VIEWER);
      const refused = await stack.send('PUT', `/api/devices/${id}/tags`, {
        client: viewer,
        body: { tags: ['server'] },
      });
      expect(refused.status).toBe(403);
      const accepted = await stack.send('PUT', `/api/devices/${id}/tags`, {
        client: admin,
        body: { tags: ['server'] },
      });
      expect(accepted.status).toBe(200);
      const tags = await stack.send('GET', `/api/devices/${id}/tags`, { client: viewer });
      expect(JSON.stringify(tags.json)).toContain('server');
      const events = await stack.auditEvents();
      expect(events).toContainEqual(
        expect.objectContaining({ action: 'device.tags.update', actor: 'admin', target_id: id, target_type: 'device' }),
      );
    });
  });

  describe('CSRF', () => {
    it('refuses cookie mutations without the token, with a wrong one, or from another site', async () => {
      const admin = await stack.login(ADMIN);
      const cases: [string, Parameters<UiStack['send']>[2]][] = [
        ['no token', { client: admin, csrf: false }],
        ['wrong token', { client: { cookie: admin.cookie, csrf: 'x'.repeat(43) } }],
        ['token of another session', { client: { cookie: admin.cookie, csrf: (await stack.login(ADMIN)).csrf } }],
        ['other origin', { client: admin, headers: { origin: 'https://evil.example' } }],
        ['cross-site fetch', { client: admin, headers: { 'sec-fetch-site': 'cross-site' } }],
        ['same-site sibling', { client: admin, headers: { 'sec-fetch-site': 'same-site' } }],
      ];
      for (const [name, options] of cases) {
        const answer = await stack.send('POST', '/api/v1/devices', { ...options, body: { display_name: name } });
        expect(answer.status, name).toBe(403);
      }
      const list = await stack.send('GET', '/api/v1/devices?limit=200', { client: admin });
      const names = (list.json.devices as { display_name: string }[]).map((device) => device.display_name);
      for (const [name] of cases) expect(names).not.toContain(name);
      const sameOrigin = await stack.send('POST', '/api/v1/devices', {
        client: admin,
        headers: { origin: stack.url, 'sec-fetch-site': 'same-origin' },
        body: { display_name: 'same-origin' },
      });
      expect(sameOrigin.status).toBe(201);
    });
  });

  describe('brute force', () => {
    // Own UI servers: the throttle is per server, and these tests exhaust it on purpose.
    it('throttles repeated failures with growing delays and refuses even the right password meanwhile', async () => {
      const own = await UiStack.start(pglite);
      try {
        const target = { username: 'admin', password: 'wrong-guess' };
        const statuses: number[] = [];
        for (let attempt = 0; attempt < 4; attempt += 1) {
          statuses.push((await own.send('POST', '/api/auth/login', { body: target })).status);
        }
        expect(statuses).toEqual([401, 401, 401, 429]);
        const blocked = await own.send('POST', '/api/auth/login', { body: ADMIN });
        expect(blocked.status).toBe(429);
        expect(Number(blocked.headers['retry-after'])).toBeGreaterThanOrEqual(1);
        expect((blocked.json.error as { code: string }).code).toBe('rate_limited');
        // Other users from the same address are not held up by one user's lock.
        expect((await own.send('POST', '/api/auth/login', { body: VIEWER })).status).toBe(200);
        const events = await own.auditEvents();
        expect(events.filter((event) => event.action === 'auth.login.failed' && event.actor === 'admin').length).toBe(
          3,
        );
      } finally {
        await own.close();
      }
    });

    it('throttles unknown usernames exactly like real ones, and stops one address spraying many names', async () => {
      const own = await UiStack.start(pglite);
      try {
        const statuses: number[] = [];
        for (let attempt = 0; attempt < 4; attempt += 1) {
          const body = { username: 'ghost', password: 'wrong-guess' };
          statuses.push((await own.send('POST', '/api/auth/login', { body })).status);
        }
        expect(statuses).toEqual([401, 401, 401, 429]);
        const sprayed: number[] = [];
        for (let attempt = 0; attempt < 12; attempt += 1) {
          const body = { username: `spray-${attempt}`, password: 'wrong-guess' };
          sprayed.push((await own.send('POST', '/api/auth/login', { body })).status);
        }
        // 3 ghost failures + 9 sprayed reach the address's 12th failure; the next names are delayed.
        expect(sprayed.slice(0, 9)).toEqual(Array(9).fill(401));
        expect(sprayed.slice(9)).toEqual([429, 429, 429]);
      } finally {
        await own.close();
      }
    });
  });

  describe('proxy', () => {
    it('propagates X-Request-ID to core, sends the user, never the cookie, and disables caching', async () => {
      const admin = await stack.login(ADMIN);
      const answer = await stack.send('GET', '/api/v1/devices', {
        client: admin,
        headers: { 'x-request-id': 'trace-me-123' },
      });
      expect(answer.status).toBe(200);
      expect(answer.headers['x-request-id']).toBe('trace-me-123');
      expect(answer.headers['cache-control']).toBe('no-store');
      const coreLine = stack.coreLogs.find(
        (line) => line.message === 'http_request' && line.request_id === 'trace-me-123',
      );
      expect(coreLine).toMatchObject({ path: '/api/v1/devices', status: 200, user: 'admin' });
      const generated = await stack.send('GET', '/api/v1/devices', { client: admin });
      const id = generated.headers['x-request-id'] as string;
      expect(id).toMatch(/^[0-9a-f-]{36}$/);
      expect(stack.coreLogs.some((line) => line.request_id === id)).toBe(true);
      expect(JSON.stringify(stack.coreLogs)).not.toContain(admin.cookie as string);
    });

    it('streams server-sent events through', async () => {
      const admin = await stack.login(ADMIN);
      const run = await stack.send('POST', '/api/v1/discovery/run', { client: admin, body: { scope: '127.0.0.1/32' } });
      expect(run.status).toBe(202);
      const response = await request(`${stack.url}/api/v1/discovery/runs/${run.json.id as string}/events`, {
        headers: { cookie: admin.cookie as string, accept: 'text/event-stream' },
      });
      expect(response.statusCode).toBe(200);
      expect(String(response.headers['content-type'])).toContain('text/event-stream');
      let received = '';
      for await (const chunk of response.body) {
        received += String(chunk);
        if (received.includes('\n\n')) break;
      }
      response.body.destroy();
      expect(received).toMatch(/event: status/);
      expect(received).toContain(run.json.id as string);
    });

    it('audits every proxied mutation with the user and core’s status', async () => {
      const admin = await stack.login(ADMIN);
      const created = await stack.send('POST', '/api/v1/devices', { client: admin, body: { display_name: 'audited' } });
      const invalid = await stack.send('POST', '/api/v1/devices', { client: admin, body: { display_name: 42 } });
      expect(invalid.status).toBe(400);
      const events = await stack.auditEvents();
      const creates = events.filter((event) => event.action === 'device.create' && event.actor === 'admin');
      expect(creates.map((event) => (event.details as { status: number }).status)).toEqual(
        expect.arrayContaining([201, 400]),
      );
      expect(creates[0]).toMatchObject({ actor_role: 'admin', target_type: 'device' });
      expect(created.status).toBe(201);
    });

    it('does not let browsers write audit events (core trusts their actor)', async () => {
      const admin = await stack.login(ADMIN);
      const answer = await stack.send('POST', '/api/v1/audit/events', {
        client: admin,
        body: { actor: 'someone-else', action: 'device.create' },
      });
      expect(answer.status).toBe(403);
      expect((await stack.auditEvents()).some((event) => event.actor === 'someone-else')).toBe(false);
    });

    it('answers 401 without a session and never reaches core', async () => {
      const answer = await stack.send('GET', '/api/v1/devices');
      expect(answer.status).toBe(401);
      const unknownAuth = await stack.send('GET', '/api/auth/nothing');
      expect(unknownAuth.status).toBe(404);
    });
  });

  describe('accounts', () => {
    it('a password change ends the other sessions and continues this one on a fresh cookie', async () => {
      const user = { username: 'changer', password: 'first-password' };
      const admin = await stack.login(ADMIN);
      expect(
        (await stack.send('POST', '/api/auth/users', { client: admin, body: { ...user, role: 'read-only' } })).status,
      ).toBe(201);
      const first = await stack.login(user);
      const second = await stack.login(user);
      const wrong = await stack.send('POST', '/api/auth/change-password', {
        client: first,
        body: { current_password: 'nope-nope', new_password: 'second-password' },
      });
      expect(wrong.status).toBe(401);
      const short = await stack.send('POST', '/api/auth/change-password', {
        client: first,
        body: { current_password: user.password, new_password: 'short' },
      });
      expect(short.status).toBe(400);
      const changed = await stack.send('POST', '/api/auth/change-password', {
        client: first,
        body: { current_password: user.password, new_password: 'second-password' },
      });
      expect(changed.status).toBe(200);
      const renewed: Client = { cookie: sessionCookieOf(changed), csrf: changed.json.csrf_token as string };
      expect((await stack.send('GET', '/api/v1/devices', { client: second })).status).toBe(401);
      expect((await stack.send('GET', '/api/v1/devices', { client: first })).status).toBe(401);
      expect((await stack.send('GET', '/api/v1/devices', { client: renewed })).status).toBe(200);
      await stack.login({ username: 'changer', password: 'second-password' });
      const stored = readFileSync(stack.usersFile, 'utf8');
      expect(stored).not.toContain('second-password');
      expect(stored).toMatch(/"password_scrypt": "scrypt\$16384\$8\$1\$/);
      const events = await stack.auditEvents();
      expect(events).toContainEqual(expect.objectContaining({ action: 'auth.password.changed', actor: 'changer' }));
      expect(events).toContainEqual(
        expect.objectContaining({
          action: 'user.created',
          actor: 'admin',
          details: { username: 'changer', role: 'read-only' },
        }),
      );
    });

    it('a role change or removal ends that user’s sessions at once', async () => {
      const admin = await stack.login(ADMIN);
      const user = { username: 'promoted', password: 'promoted-password' };
      await stack.send('POST', '/api/auth/users', { client: admin, body: user });
      const before = await stack.login(user);
      expect(before.answer.json.role).toBe('read-only');
      const patch = await stack.send('PATCH', '/api/auth/users/promoted', { client: admin, body: { role: 'admin' } });
      expect(patch.status).toBe(200);
      expect((await stack.send('GET', '/api/v1/devices', { client: before })).status).toBe(401);
      const after = await stack.login(user);
      expect(after.answer.json.role).toBe('admin');
      const removed = await stack.send('DELETE', '/api/auth/users/promoted', { client: admin });
      expect(removed.status).toBe(200);
      expect((await stack.send('GET', '/api/v1/devices', { client: after })).status).toBe(401);
      const events = await stack.auditEvents();
      expect(events).toContainEqual(
        expect.objectContaining({
          action: 'user.role.changed',
          details: { username: 'promoted', from: 'read-only', to: 'admin' },
        }),
      );
      expect(events).toContainEqual(
        expect.objectContaining({ action: 'user.removed', details: { username: 'promoted' } }),
      );
    });

    it('keeps user management to admins and refuses to remove the last admin', async () => {
      const viewer = await stack.login(VIEWER);
      for (const [method, path] of [
        ['GET', '/api/auth/users'],
        ['POST', '/api/auth/users'],
        ['PATCH', '/api/auth/users/admin'],
        ['DELETE', '/api/auth/users/admin'],
        ['POST', '/api/auth/admin/reset-password'],
      ] as const) {
        const answer = await stack.send(method, path, {
          client: viewer,
          body: method === 'GET' || method === 'DELETE' ? undefined : { username: 'x', password: 'long-enough-1' },
        });
        expect(answer.status, `${method} ${path}`).toBe(403);
      }
      const admin = await stack.login(ADMIN);
      const last = await stack.send('DELETE', '/api/auth/users/admin', { client: admin });
      expect(last.status).toBe(409);
      const list = await stack.send('GET', '/api/auth/users', { client: admin });
      expect(list.json.users).toContainEqual({ username: 'admin', role: 'admin' });
    });

    it('resets a password the SPEC way (admin/reset-password) and audits it', async () => {
      const admin = await stack.login(ADMIN);
      const reset = await stack.send('POST', '/api/auth/admin/reset-password', {
        client: admin,
        body: { username: 'reset-me', new_password: 'reset-password-1' },
      });
      expect(reset.status).toBe(200);
      const user = await stack.login({ username: 'reset-me', password: 'reset-password-1' });
      expect(user.answer.json.role).toBe('read-only');
      await stack.send('POST', '/api/auth/admin/reset-password', {
        client: admin,
        body: { username: 'reset-me', new_password: 'reset-password-2' },
      });
      expect((await stack.send('GET', '/api/v1/devices', { client: user })).status).toBe(401);
      expect((await stack.auditEvents()).some((event) => event.action === 'auth.password.reset')).toBe(true);
    });
  });

  describe('headers and logs', () => {
    it('sends security headers on pages and API answers', async () => {
      for (const path of ['/', '/healthz', '/api/v1/devices']) {
        const answer = await stack.send('GET', path);
        const csp = String(answer.headers['content-security-policy']);
        expect(csp, path).toContain("frame-ancestors 'none'");
        expect(csp).toContain("default-src 'self'");
        expect(answer.headers['x-content-type-options']).toBe('nosniff');
        expect(answer.headers['referrer-policy']).toBe('no-referrer');
        expect(answer.headers['x-frame-options']).toBe('DENY');
      }
    });

    it('serves the web app without a session: index for page paths, long-cached hashed assets', async () => {
      const page = await stack.send('GET', '/');
      expect(page.status).toBe(200);
      expect(page.text).toContain(WEB_MARKER);
      expect(page.headers['cache-control']).toBe('no-cache');
      const deep = await stack.send('GET', '/devices/some/page');
      expect(deep.status).toBe(200);
      expect(deep.text).toContain(WEB_MARKER);
      const asset = await stack.send('GET', '/assets/app-1234.js');
      expect(asset.text).toContain('console.log');
      expect(asset.headers['cache-control']).toContain('immutable');
      expect((await stack.send('GET', '/healthz')).json).toEqual({ ok: true });
    });

    it('says how to build the web app when it is missing, and keeps the API working', async () => {
      const unbuilt = await UiStack.start(pglite, { webRoot: `${stack.dir}/nothing-here/` });
      try {
        const page = await unbuilt.send('GET', '/devices');
        expect(page.status).toBe(200);
        expect(page.text).toContain('npm run build:web');
        const admin = await unbuilt.login(ADMIN);
        expect((await unbuilt.send('GET', '/api/v1/devices', { client: admin })).status).toBe(200);
      } finally {
        await unbuilt.close();
      }
    });

    it('logs one structured line per request with the user, and never a password or cookie', async () => {
      const admin = await stack.login(ADMIN);
      await stack.send('GET', '/api/v1/devices', { client: admin, headers: { 'x-request-id': 'ui-log-check' } });
      const line = stack.uiLogs.find(
        (entry) => entry.message === 'http_request' && entry.request_id === 'ui-log-check',
      );
      expect(line).toMatchObject({
        service: 'ui',
        level: 'info',
        method: 'GET',
        path: '/api/v1/devices',
        status: 200,
        user: 'admin',
      });
      expect(typeof line?.duration_ms).toBe('number');
      const all = JSON.stringify(stack.uiLogs);
      expect(all).not.toContain(ADMIN.password);
      expect(all).not.toContain((admin.cookie as string).split('=')[1]);
      expect(all).not.toContain(CORE_TOKEN);
    });
  });
});

describe('UI server when core misbehaves', () => {
  it('answers 502 when core is unreachable, and sign-in still works', async () => {
    const closedPort = await new Promise<number>((resolve) => {
      const server = createServer().listen(0, '127.0.0.1', () => {
        const port = (server.address() as { port: number }).port;
        server.close(() => resolve(port));
      });
    });
    const stack = await UiStack.start(pglite, { coreAddress: { url: `http://127.0.0.1:${closedPort}` } });
    try {
      const admin = await stack.login(ADMIN);
      const answer = await stack.send('GET', '/api/v1/devices', { client: admin });
      expect(answer.status).toBe(502);
      expect(answer.json).toEqual({
        error: { code: 'core_unavailable', message: 'core is unreachable; try again shortly' },
      });
      expect(answer.headers['x-request-id']).toBeDefined();
    } finally {
      await stack.close();
    }
  });

  it('answers 504 when core accepts but does not answer in time', async () => {
    const sockets = new Set<Socket>();
    const silent: Server = createServer((socket) => {
      sockets.add(socket);
      socket.on('error', () => undefined);
    });
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    const port = (silent.address() as { port: number }).port;
    const stack = await UiStack.start(pglite, {
      coreAddress: { url: `http://127.0.0.1:${port}` },
      env: { UI_PROXY_TIMEOUT: '300ms' },
    });
    try {
      const admin = await stack.login(ADMIN);
      const answer = await stack.send('GET', '/api/v1/devices', { client: admin });
      expect(answer.status).toBe(504);
      expect((answer.json.error as { code: string }).code).toBe('timeout');
    } finally {
      await stack.close();
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => silent.close(() => resolve()));
    }
  });

  it('answers 502 with a clear message when the UI has no (or the wrong) core token', async () => {
    for (const uiToken of [null, 'a-different-token-of-enough-length']) {
      const stack = await UiStack.start(pglite, { uiToken });
      try {
        const admin = await stack.login(ADMIN);
        const answer = await stack.send('GET', '/api/v1/devices', { client: admin });
        expect(answer.status).toBe(502);
        expect(answer.json).toEqual({
          error: { code: 'core_unavailable', message: 'core refused the UI server’s credentials' },
        });
        expect(stack.uiLogs.some((line) => String(line.message).includes('CORE_API_TOKEN'))).toBe(true);
      } finally {
        await stack.close();
      }
    }
  });
});

describe('UI server configuration reload', () => {
  it('rotating the secret file and reloading ends every session', async () => {
    const stack = await UiStack.start(pglite, { secretInFile: true });
    try {
      const admin = await stack.login(ADMIN);
      expect((await stack.send('GET', '/api/v1/devices', { client: admin })).status).toBe(200);
      const { writeFileSync } = await import('node:fs');
      writeFileSync(stack.secretFile, 'a-brand-new-secret-after-rotation-0123456789\n');
      await stack.ui.reload();
      expect((await stack.send('GET', '/api/v1/devices', { client: admin })).status).toBe(401);
      const again = await stack.login(ADMIN);
      expect((await stack.send('GET', '/api/v1/devices', { client: again })).status).toBe(200);
      expect(stack.uiLogs).toContainEqual(
        expect.objectContaining({ message: 'ui configuration reloaded', secret_rotated: true }),
      );
    } finally {
      await stack.close();
    }
  });

  it('picks up users added to the file by another process', async () => {
    const stack = await UiStack.start(pglite);
    try {
      const { hashPassword } = await import('../../src/ui-server/users/password-hash.ts');
      const { writeFileSync } = await import('node:fs');
      const current = JSON.parse(readFileSync(stack.usersFile, 'utf8')) as unknown[];
      current.push({ username: 'late', role: 'admin', password_scrypt: await hashPassword('late-password') });
      writeFileSync(stack.usersFile, JSON.stringify(current, null, 2));
      await stack.ui.reload();
      const late = await stack.login({ username: 'late', password: 'late-password' });
      expect(late.answer.json.role).toBe('admin');
    } finally {
      await stack.close();
    }
  });
});
