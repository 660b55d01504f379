import { afterAll, beforeAll, expect, it } from 'vitest';
import { Migrator } from '../../src/storage/migrator.ts';
import { describeEachBackend } from '../support/backends.ts';
import { createTestCore, type TestCore } from '../support/core-app.ts';

describeEachBackend('service endpoints', (backend) => {
  let core: TestCore;
  beforeAll(async () => {
    core = await createTestCore(backend);
  });
  afterAll(() => core.close());

  it('answers /healthz without touching the database', async () => {
    const response = await core.json({ method: 'GET', url: '/healthz' });
    expect(response.status).toBe(200);
    expect(response.body).toEqual({ ok: true });
  });

  it('answers /readyz 200 when the schema is at the latest migration', async () => {
    const response = await core.json({ method: 'GET', url: '/readyz' });
    expect(response.status).toBe(200);
    expect(response.body).toEqual({
      ready: true,
      schema_version: new Migrator(core.database).latestVersion,
      database: backend.kind,
    });
  });

  it('answers /readyz 503 with the reason when the schema is behind, and 200 again once migrated', async () => {
    const migrator = new Migrator(core.database);
    await migrator.down(1);
    const behind = await core.json<{ error: { code: string; message: string; details: Record<string, unknown> } }>({
      method: 'GET',
      url: '/readyz',
    });
    expect(behind.status).toBe(503);
    expect(behind.body.error.code).toBe('db_unavailable');
    expect(behind.body.error.details).toMatchObject({
      schema_version: migrator.latestVersion - 1,
      latest_version: migrator.latestVersion,
      dirty: false,
    });
    await migrator.up();
    expect((await core.json({ method: 'GET', url: '/readyz' })).status).toBe(200);
  });
});
