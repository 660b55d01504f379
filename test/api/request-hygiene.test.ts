import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeEachBackend } from '../support/backends.ts';
import { createTestCore, type TestCore } from '../support/core-app.ts';
import { countRows } from '../support/fixtures.ts';

interface Envelope {
  error: { code: string; message: string; details?: Record<string, unknown> };
}

/** Bad input gets a clear 4xx in the envelope, never a 500, and writes nothing. */
describeEachBackend('bad input', (backend) => {
  let core: TestCore;
  let deviceId: string;
  let snapshot: () => Promise<unknown>;

  beforeAll(async () => {
    core = await createTestCore(backend);
    deviceId = (
      await core.json<{ id: string }>({
        method: 'POST',
        url: '/api/v1/devices',
        payload: { display_name: 'keep-me', metadata: { owner: 'ops' } },
      })
    ).body.id;
    snapshot = async () => ({
      devices: await countRows(core.database, 'devices'),
      metadata: await countRows(core.database, 'device_metadata'),
      device: (await core.json({ method: 'GET', url: `/api/v1/devices/${deviceId}` })).body,
    });
  });
  afterAll(() => core.close());

  const raw = (method: 'POST' | 'PUT', body: string | Buffer, contentType = 'application/json') =>
    core.json<Envelope>({
      method,
      url: method === 'POST' ? '/api/v1/devices' : `/api/v1/devices/${deviceId}`,
      payload: body,
      headers: { 'content-type': contentType },
    });

  const cases: [string, () => Promise<{ status: number; body: Envelope }>, number, string, RegExp?][] = [
    ['unknown field', () => raw('POST', '{"display_name":"x","colour":"red"}'), 400, 'invalid json body', /colour/],
    [
      'unknown metadata field',
      () => raw('PUT', '{"metadata":{"owner":"x","rack":"4"}}'),
      400,
      'invalid json body',
      /rack/,
    ],
    ['malformed JSON', () => raw('POST', '{"display_name":'), 400, 'invalid json body'],
    ['trailing data after the JSON value', () => raw('POST', '{"display_name":"x"} {"x":1}'), 400, 'invalid json body'],
    ['a JSON array', () => raw('PUT', '[]'), 400, 'invalid json body'],
    ['a number where a string belongs', () => raw('POST', '{"display_name":42}'), 400, 'invalid json body'],
    ['a string where an object belongs', () => raw('PUT', '{"metadata":"ops"}'), 400, 'invalid json body'],
    [
      'an over-long name',
      () => raw('POST', JSON.stringify({ display_name: 'x'.repeat(256) })),
      400,
      'invalid json body',
    ],
    ['an empty body on a required-body endpoint', () => raw('PUT', ''), 400, 'invalid json body'],
    [
      'the wrong content type',
      () => raw('POST', 'display_name=x', 'application/x-www-form-urlencoded'),
      415,
      'request body must be application/json',
    ],
    [
      'text/plain',
      () => raw('PUT', '{"display_name":"x"}', 'text/plain'),
      415,
      'request body must be application/json',
    ],
    [
      'an oversized body',
      () => raw('POST', JSON.stringify({ display_name: 'x', metadata: { notes: 'n'.repeat(1_100_000) } })),
      413,
      'request body too large',
    ],
    ['a prototype-poisoning key', () => raw('POST', '{"__proto__":{"x":1}}'), 400, 'invalid json body'],
  ];

  for (const [name, send, status, message, detail] of cases) {
    it(`refuses ${name} with ${status} and changes nothing`, async () => {
      const before = await snapshot();
      const response = await send();
      expect(response.status).toBe(status);
      expect(response.body.error.message).toBe(message);
      expect(response.body.error.code).toMatch(/^(validation_failed|unsupported_media_type|payload_too_large)$/);
      if (detail) expect(JSON.stringify(response.body.error.details)).toMatch(detail);
      expect(await snapshot()).toEqual(before);
    });
  }
});
