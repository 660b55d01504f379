import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { BACKENDS } from '../support/backends.ts';
import { OPENAPI_PATH } from '../support/contract.ts';
import { createTestCore, type TestCore } from '../support/core-app.ts';

describe('OpenAPI contract', () => {
  let core: TestCore;
  beforeAll(async () => {
    core = await createTestCore(BACKENDS[0] as (typeof BACKENDS)[number]);
  });
  afterAll(() => core.close());

  it('the committed api/openapi.yaml is exactly what core serves (run `npm run openapi` after changing routes)', async () => {
    const served = (await core.app.inject({ method: 'GET', url: '/api/openapi.json' })).json();
    const committed = parse(readFileSync(OPENAPI_PATH, 'utf8'));
    expect(committed).toEqual(served);
  });

  it('documents every route the router has, and nothing else', async () => {
    const served = (await core.app.inject({ method: 'GET', url: '/api/openapi.json' })).json() as {
      paths: Record<string, Record<string, unknown>>;
    };
    const documented = Object.entries(served.paths)
      .flatMap(([path, operations]) => Object.keys(operations).map((method) => `${method.toUpperCase()} ${path}`))
      .sort();
    const routed = core.app.registeredRoutes
      .filter((route) => route.documented)
      .map((route) => `${route.method} ${route.path}`)
      .sort();
    expect(routed).toEqual(documented);
    expect(routed).toContain('GET /api/v1/devices/{id}/facts');
  });

  it('gives every operation an id, a summary and the error envelope for its 4xx/5xx answers', async () => {
    const served = (await core.app.inject({ method: 'GET', url: '/api/openapi.json' })).json() as {
      paths: Record<
        string,
        Record<string, { operationId?: string; summary?: string; responses: Record<string, unknown> }>
      >;
    };
    for (const [path, operations] of Object.entries(served.paths)) {
      for (const [method, operation] of Object.entries(operations)) {
        expect(operation.summary, `${method} ${path}`).toBeTruthy();
        if (path.startsWith('/api/')) expect(operation.operationId, `${method} ${path}`).toBeTruthy();
        for (const [status, response] of Object.entries(operation.responses)) {
          if (Number(status) >= 400) expect(JSON.stringify(response)).toContain('"error"');
        }
      }
    }
  });
});
