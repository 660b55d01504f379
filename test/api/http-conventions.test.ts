import { spawnSync } from 'node:child_process';
import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildCoreApp, type CoreApp } from '../../src/api/app.ts';
import { createMetrics } from '../../src/api/metrics.ts';
import { loadConfig } from '../../src/config/config.ts';
import { createLogger } from '../../src/shared/logger.ts';
import { Migrator } from '../../src/storage/migrator.ts';
import { BACKENDS, type TestDatabase } from '../support/backends.ts';
import { ContractChecker } from '../support/contract.ts';
import { IN_CI } from '../support/test-env.ts';

const promtool = spawnSync('promtool', ['--version']).status === 0;

describe('HTTP conventions', () => {
  let testDatabase: TestDatabase;
  let app: CoreApp;
  const lines: Record<string, unknown>[] = [];
  const contract = new ContractChecker();

  beforeAll(async () => {
    testDatabase = await (BACKENDS[0] as (typeof BACKENDS)[number]).fresh();
    const sink = new Writable({
      write(chunk, _encoding, done) {
        for (const line of String(chunk).split('\n').filter(Boolean)) lines.push(JSON.parse(line));
        done();
      },
    });
    app = await buildCoreApp({
      database: testDatabase.database,
      migrator: new Migrator(testDatabase.database),
      logger: createLogger('core', 'info', sink),
      metrics: createMetrics(),
      version: 'test',
      discovery: loadConfig({}).discovery,
    });
    await app.ready();
  });
  afterAll(async () => {
    await app.close();
    await testDatabase.dispose();
  });

  it('echoes a caller X-Request-ID and puts it on the request log line', async () => {
    const response = await app.inject({
      method: 'GET',
      url: '/api/v1/devices',
      headers: { 'x-request-id': 'trace-abc-123' },
    });
    expect(response.headers['x-request-id']).toBe('trace-abc-123');
    const line = lines.find((entry) => entry.request_id === 'trace-abc-123' && entry.message === 'http_request');
    expect(line).toMatchObject({
      level: 'info',
      service: 'core',
      method: 'GET',
      path: '/api/v1/devices',
      status: 200,
    });
    expect(typeof line?.duration_ms).toBe('number');
    expect(typeof line?.bytes).toBe('number');
    expect(String(line?.time)).toMatch(/^\d{4}-\d{2}-\d{2}T.*Z$/);
  });

  it('generates a request id when none (or a hostile one) is given, on error responses too', async () => {
    const plain = await app.inject({ method: 'GET', url: '/api/v1/devices/nope' });
    expect(plain.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
    const hostile = await app.inject({
      method: 'GET',
      url: '/healthz',
      headers: { 'x-request-id': 'a b\u0007<script>' },
    });
    expect(hostile.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('answers unknown routes 404 and wrong methods 405 in the envelope', async () => {
    const missing = await app.inject({ method: 'GET', url: '/api/v1/nothing-here' });
    expect(missing.statusCode).toBe(404);
    expect(missing.json()).toEqual({
      error: { code: 'not_found', message: 'route not found', details: { path: '/api/v1/nothing-here' } },
    });
    const wrongMethod = await app.inject({ method: 'DELETE', url: '/api/v1/devices' });
    expect(wrongMethod.statusCode).toBe(405);
    expect(wrongMethod.headers.allow).toBe('GET, POST');
    expect(wrongMethod.json().error.code).toBe('method_not_allowed');
  });

  it('labels metrics with the route template and folds unmatched URLs into one label', async () => {
    const unmatched = /^roller_http_requests_total\{method="GET",path="unmatched",status="404"\} (\d+)$/m;
    const countBefore = Number(unmatched.exec((await app.inject({ method: 'GET', url: '/metrics' })).body)?.[1] ?? 0);
    const id = '00000000-0000-4000-8000-000000000001';
    await app.inject({ method: 'GET', url: `/api/v1/devices/${id}` });
    for (let i = 0; i < 20; i++) await app.inject({ method: 'GET', url: `/random/${i}/probe` });
    const text = (await app.inject({ method: 'GET', url: '/metrics' })).body;
    expect(text).toContain('roller_http_requests_total{method="GET",path="/api/v1/devices/{id}",status="404"} 1');
    expect(Number(unmatched.exec(text)?.[1])).toBe(countBefore + 20);
    expect(text).not.toContain(id);
    expect(text).not.toContain('/random/');
    expect(text).toMatch(
      /roller_http_request_duration_seconds_bucket\{le="0.005",method="GET",path="\/api\/v1\/devices"/,
    );
    expect(text).toContain('# TYPE roller_discovery_runs_total counter');
    expect(text).toContain('# TYPE roller_discovery_run_duration_seconds histogram');
    expect(text).toContain('roller_discovery_run_duration_seconds_bucket{le="1200"}');
    expect(text).toContain('process_cpu_seconds_total');
    expect(text).not.toMatch(/^nodejs_active_\w+_total/m);
  });

  it.skipIf(!promtool && !IN_CI)('passes promtool check metrics', async () => {
    await app.inject({ method: 'GET', url: '/healthz' });
    const text = (await app.inject({ method: 'GET', url: '/metrics' })).body;
    const result = spawnSync('promtool', ['check', 'metrics'], { input: text, encoding: 'utf8' });
    expect(result.error).toBeUndefined();
    expect(`${result.stdout}${result.stderr}`.trim()).toBe('');
    expect(result.status).toBe(0);
  });

  it('serves an OpenAPI document whose responses these tests validate', async () => {
    const response = await app.inject({ method: 'GET', url: '/api/openapi.json' });
    expect(response.statusCode).toBe(200);
    expect(response.json().openapi).toBe('3.1.0');
    const docs = await app.inject({ method: 'GET', url: '/api/docs/' });
    expect(docs.statusCode).toBe(200);
    expect(docs.headers['content-type']).toContain('text/html');
    // The checker must be able to fail: a body with an undocumented field breaks the contract.
    expect(() =>
      contract.check('GET', '/healthz', 200, 'application/json', JSON.stringify({ ok: true, extra: 1 })),
    ).toThrow(/does not match/);
    expect(() => contract.check('GET', '/healthz', 418, 'application/json', '{}')).toThrow(/answered 418/);
  });
});
