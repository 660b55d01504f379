import { Writable } from 'node:stream';
import type { InjectOptions, LightMyRequestResponse } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildCoreApp, type CoreApp } from '../../src/api/app.ts';
import { createMetrics } from '../../src/api/metrics.ts';
import { loadConfig } from '../../src/config/config.ts';
import { createLogger } from '../../src/shared/logger.ts';
import { Migrator } from '../../src/storage/migrator.ts';
import { BACKENDS, type TestDatabase } from '../support/backends.ts';
import { ContractChecker } from '../support/contract.ts';

const API_TOKEN = 'api-token-0123456789-abcdef';
const METRICS_TOKEN = 'metrics-token-9876543210-zyx';
const CHALLENGE = 'Bearer realm="roller-core"';

const bearer = (token: string) => ({ authorization: `Bearer ${token}` });

describe('core API bearer token (CORE_API_TOKEN, METRICS_TOKEN)', () => {
  let testDatabase: TestDatabase;
  const apps: CoreApp[] = [];
  const lines: Record<string, unknown>[] = [];
  const contract = new ContractChecker();
  /** No tokens configured. */
  let open: CoreApp;
  /** CORE_API_TOKEN only. */
  let apiOnly: CoreApp;
  /** CORE_API_TOKEN and METRICS_TOKEN. */
  let both: CoreApp;
  /** METRICS_TOKEN only. */
  let metricsOnly: CoreApp;

  // The apps share one database: only the authentication differs between them.
  async function build(tokens: { apiToken?: string; metricsToken?: string }): Promise<CoreApp> {
    const sink = new Writable({
      write(chunk, _encoding, done) {
        for (const line of String(chunk).split('\n').filter(Boolean)) lines.push(JSON.parse(line));
        done();
      },
    });
    const app = await buildCoreApp({
      database: testDatabase.database,
      migrator: new Migrator(testDatabase.database),
      logger: createLogger('core', 'info', sink),
      metrics: createMetrics(),
      version: 'test',
      discovery: loadConfig({}).discovery,
      ...tokens,
    });
    await app.ready();
    apps.push(app);
    return app;
  }

  /** `inject` that also checks a successful response against the committed OpenAPI document. */
  async function send(app: CoreApp, options: InjectOptions): Promise<LightMyRequestResponse> {
    const response = await app.inject(options);
    // The document and the docs page are not part of the document themselves.
    const undocumented = /^\/api\/(docs|openapi\.json)/.test(String(options.url));
    if (response.statusCode < 400 && !undocumented) {
      contract.check(
        options.method ?? 'GET',
        String(options.url),
        response.statusCode,
        response.headers['content-type'] as string,
        response.body,
      );
    }
    return response;
  }

  function expectUnauthorized(response: LightMyRequestResponse, message: string): void {
    expect(response.statusCode).toBe(401);
    expect(response.headers['www-authenticate']).toBe(CHALLENGE);
    expect(response.headers['content-type']).toMatch(/^application\/json/);
    expect(response.headers['x-request-id']).toBeTruthy();
    expect(response.json()).toEqual({ error: { code: 'unauthorized', message } });
  }
  const missing = (response: LightMyRequestResponse) => expectUnauthorized(response, 'a bearer token is required');
  const invalid = (response: LightMyRequestResponse) => expectUnauthorized(response, 'invalid bearer token');

  beforeAll(async () => {
    testDatabase = await (BACKENDS[0] as (typeof BACKENDS)[number]).fresh();
    open = await build({});
    apiOnly = await build({ apiToken: API_TOKEN });
    both = await build({ apiToken: API_TOKEN, metricsToken: METRICS_TOKEN });
    metricsOnly = await build({ metricsToken: METRICS_TOKEN });
  });
  afterAll(async () => {
    for (const app of apps) await app.close();
    await testDatabase.dispose();
  });

  describe('without CORE_API_TOKEN', () => {
    it('serves everything without credentials, as before', async () => {
      for (const url of ['/api/v1/devices', '/healthz', '/readyz', '/metrics', '/api/openapi.json']) {
        const response = await send(open, { method: 'GET', url });
        expect(response.statusCode, url).toBe(200);
        expect(response.headers['www-authenticate'], url).toBeUndefined();
      }
      const created = await send(open, { method: 'POST', url: '/api/v1/devices', payload: { display_name: 'open' } });
      expect(created.statusCode).toBe(201);
      expect((await open.inject({ method: 'GET', url: '/api/docs' })).statusCode).toBeLessThan(400);
      const unknown = await open.inject({ method: 'GET', url: '/api/v1/nothing-here' });
      expect(unknown.statusCode).toBe(404);
    });

    it('ignores an Authorization header it does not need', async () => {
      const response = await send(open, { method: 'GET', url: '/api/v1/devices', headers: bearer('whatever') });
      expect(response.statusCode).toBe(200);
    });
  });

  describe('with CORE_API_TOKEN', () => {
    it('answers 401 with the envelope and a Bearer challenge when the header is missing', async () => {
      missing(await apiOnly.inject({ method: 'GET', url: '/api/v1/devices' }));
      missing(await apiOnly.inject({ method: 'GET', url: '/api/v1/devices', headers: { authorization: 'Bearer' } }));
    });

    it('answers 401 to a wrong token, whatever its length', async () => {
      for (const token of ['wrong', API_TOKEN.slice(0, -1), `${API_TOKEN}x`, API_TOKEN.toUpperCase()]) {
        invalid(await apiOnly.inject({ method: 'GET', url: '/api/v1/devices', headers: bearer(token) }));
      }
    });

    it('answers 401 when the token comes with another scheme or none', async () => {
      for (const authorization of [`Basic ${API_TOKEN}`, `Token ${API_TOKEN}`, API_TOKEN, `Bearer: ${API_TOKEN}`]) {
        const response = await apiOnly.inject({ method: 'GET', url: '/api/v1/devices', headers: { authorization } });
        expect(response.statusCode, authorization).toBe(401);
        expect(response.headers['www-authenticate'], authorization).toBe(CHALLENGE);
        expect(response.json().error.code, authorization).toBe('unauthorized');
      }
    });

    it('serves GET and POST with the right token (the scheme is case-insensitive)', async () => {
      const list = await send(apiOnly, { method: 'GET', url: '/api/v1/devices', headers: bearer(API_TOKEN) });
      expect(list.statusCode).toBe(200);
      expect(Array.isArray(list.json().devices)).toBe(true);
      const created = await send(apiOnly, {
        method: 'POST',
        url: '/api/v1/devices',
        headers: { authorization: `bearer ${API_TOKEN}` },
        payload: { display_name: 'with-token' },
      });
      expect(created.statusCode).toBe(201);
      expect(created.json().display_name).toBe('with-token');
    });

    it('refuses a POST without the token before it does any work', async () => {
      const refused = await apiOnly.inject({
        method: 'POST',
        url: '/api/v1/devices',
        payload: { display_name: 'sneaked-in' },
      });
      missing(refused);
      // An invalid body is not even parsed: the answer is 401, not 400.
      missing(
        await apiOnly.inject({
          method: 'POST',
          url: '/api/v1/devices',
          headers: { 'content-type': 'application/json' },
          payload: '{not json',
        }),
      );
      const list = await send(apiOnly, {
        method: 'GET',
        url: '/api/v1/devices?limit=200',
        headers: bearer(API_TOKEN),
      });
      const names = (list.json().devices as { display_name?: string }[]).map((device) => device.display_name);
      expect(names).toContain('with-token');
      expect(names).not.toContain('sneaked-in');
    });

    it('leaves GET and HEAD /healthz and /readyz open', async () => {
      for (const url of ['/healthz', '/readyz']) {
        const get = await send(apiOnly, { method: 'GET', url });
        expect(get.statusCode, url).toBe(200);
        const head = await apiOnly.inject({ method: 'HEAD', url });
        expect(head.statusCode, url).toBe(200);
      }
    });

    it('does not open other methods on the exempt paths', async () => {
      missing(await apiOnly.inject({ method: 'POST', url: '/healthz', payload: {} }));
      missing(await apiOnly.inject({ method: 'DELETE', url: '/metrics' }));
    });

    it('leaves /metrics open when METRICS_TOKEN is unset', async () => {
      const response = await send(apiOnly, { method: 'GET', url: '/metrics' });
      expect(response.statusCode).toBe(200);
      expect(response.body).toContain('roller_http_requests_total');
    });

    it('answers unknown routes and wrong methods 401, so routes cannot be enumerated', async () => {
      missing(await apiOnly.inject({ method: 'GET', url: '/api/v1/nothing-here' }));
      missing(await apiOnly.inject({ method: 'GET', url: '/healthz/' }));
      missing(await apiOnly.inject({ method: 'DELETE', url: '/api/v1/devices' }));
      invalid(await apiOnly.inject({ method: 'GET', url: '/api/v1/nothing-here', headers: bearer('wrong') }));
      const withToken = await apiOnly.inject({
        method: 'GET',
        url: '/api/v1/nothing-here',
        headers: bearer(API_TOKEN),
      });
      expect(withToken.statusCode).toBe(404);
      const wrongMethod = await apiOnly.inject({
        method: 'DELETE',
        url: '/api/v1/devices',
        headers: bearer(API_TOKEN),
      });
      expect(wrongMethod.statusCode).toBe(405);
    });

    it('protects /api/docs and /api/openapi.json', async () => {
      missing(await apiOnly.inject({ method: 'GET', url: '/api/openapi.json' }));
      missing(await apiOnly.inject({ method: 'GET', url: '/api/docs' }));
      missing(await apiOnly.inject({ method: 'GET', url: '/api/docs/static/index.html' }));
      const document = await apiOnly.inject({ method: 'GET', url: '/api/openapi.json', headers: bearer(API_TOKEN) });
      expect(document.statusCode).toBe(200);
      expect(document.json().components.securitySchemes.bearerAuth).toMatchObject({ type: 'http', scheme: 'bearer' });
      const docs = await apiOnly.inject({ method: 'GET', url: '/api/docs', headers: bearer(API_TOKEN) });
      expect(docs.statusCode).toBeLessThan(400);
    });

    it('does not accept the metrics token on the API', async () => {
      invalid(await both.inject({ method: 'GET', url: '/api/v1/devices', headers: bearer(METRICS_TOKEN) }));
    });
  });

  describe('with METRICS_TOKEN', () => {
    it('requires the metrics token on /metrics', async () => {
      for (const app of [both, metricsOnly]) {
        missing(await app.inject({ method: 'GET', url: '/metrics' }));
        invalid(await app.inject({ method: 'GET', url: '/metrics', headers: bearer('wrong') }));
        invalid(await app.inject({ method: 'GET', url: '/metrics', headers: bearer(API_TOKEN) }));
        const response = await send(app, { method: 'GET', url: '/metrics', headers: bearer(METRICS_TOKEN) });
        expect(response.statusCode).toBe(200);
        expect(response.body).toContain('roller_http_requests_total');
      }
    });

    it('leaves the API open when CORE_API_TOKEN is unset, and the probes open in any case', async () => {
      const list = await send(metricsOnly, { method: 'GET', url: '/api/v1/devices' });
      expect(list.statusCode).toBe(200);
      for (const url of ['/healthz', '/readyz']) {
        expect((await send(both, { method: 'GET', url })).statusCode, url).toBe(200);
      }
    });
  });

  describe('the http_request log line', () => {
    const lineFor = (requestId: string) =>
      lines.find((entry) => entry.request_id === requestId && entry.message === 'http_request');

    it('carries the x-roller-user the UI server proxies for', async () => {
      await send(apiOnly, {
        method: 'GET',
        url: '/api/v1/devices',
        headers: { ...bearer(API_TOKEN), 'x-roller-user': 'alice', 'x-request-id': 'token-user-1' },
      });
      expect(lineFor('token-user-1')).toMatchObject({ status: 200, user: 'alice' });
    });

    it('omits user when the header is absent', async () => {
      await send(apiOnly, {
        method: 'GET',
        url: '/api/v1/devices',
        headers: { ...bearer(API_TOKEN), 'x-request-id': 'token-user-2' },
      });
      const line = lineFor('token-user-2');
      expect(line).toMatchObject({ status: 200 });
      expect(line).not.toHaveProperty('user');
    });

    it('sanitizes the user: printable characters only, at most 200 of them', async () => {
      await open.inject({
        method: 'GET',
        url: '/healthz',
        headers: { 'x-roller-user': `bob\u0007\u001b[31m\u2028${'x'.repeat(300)}`, 'x-request-id': 'token-user-3' },
      });
      const user = lineFor('token-user-3')?.user;
      expect(user).toBe(`bob[31m${'x'.repeat(193)}`);
      expect(String(user)).toHaveLength(200);
      await open.inject({
        method: 'GET',
        url: '/healthz',
        headers: { 'x-roller-user': '\u0000\u0007', 'x-request-id': 'token-user-4' },
      });
      expect(lineFor('token-user-4')).not.toHaveProperty('user');
    });

    it('never contains a token, right or wrong', async () => {
      await both.inject({
        method: 'GET',
        url: '/api/v1/devices',
        headers: { ...bearer(API_TOKEN), 'x-roller-user': 'carol', 'x-request-id': 'token-user-5' },
      });
      await both.inject({
        method: 'GET',
        url: '/metrics',
        headers: { ...bearer(METRICS_TOKEN), 'x-request-id': 'token-user-6' },
      });
      await both.inject({
        method: 'GET',
        url: '/api/v1/devices',
        headers: { ...bearer('wrong-token-value-42'), 'x-request-id': 'token-user-7' },
      });
      expect(lineFor('token-user-5')).toMatchObject({ status: 200, user: 'carol' });
      expect(lineFor('token-user-6')).toMatchObject({ status: 200 });
      expect(lineFor('token-user-7')).toMatchObject({ status: 401 });
      const written = JSON.stringify(lines);
      expect(written).not.toContain(API_TOKEN);
      expect(written).not.toContain(METRICS_TOKEN);
      expect(written).not.toContain('wrong-token-value-42');
      expect(written.toLowerCase()).not.toContain('authorization');
    });
  });
});
