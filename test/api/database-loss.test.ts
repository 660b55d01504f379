import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { POSTGRES } from '../support/backends.ts';
import { createTestCore, type TestCore } from '../support/core-app.ts';
import { IN_CI, TEST_DATABASE_URL } from '../support/test-env.ts';

/**
 * PostgreSQL restarts and failovers drop every connection. Core must answer (503 at worst, never
 * crash), recover on the next request, and lose nothing that was committed.
 */
describe.skipIf(POSTGRES.unavailable !== undefined && !IN_CI)('losing the database connection [postgres]', () => {
  let core: TestCore;
  beforeAll(async () => {
    core = await createTestCore(POSTGRES);
  });
  afterAll(() => core.close());

  async function dropAllConnections(): Promise<number> {
    const admin = new pg.Client({ connectionString: TEST_DATABASE_URL });
    await admin.connect();
    try {
      const { rows } = await admin.query<{ datname: string }>('SELECT current_database() AS datname');
      const own = rows[0]?.datname;
      const target = (
        await core.database.db
          .selectNoFrom((eb) => eb.fn<string>('current_database', []).as('name'))
          .executeTakeFirstOrThrow()
      ).name;
      expect(target).not.toBe(own);
      const result = await admin.query('SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1', [
        target,
      ]);
      return result.rowCount ?? 0;
    } finally {
      await admin.end();
    }
  }

  it('answers during and after a connection loss and keeps committed data', async () => {
    const created = await core.json<{ id: string }>({
      method: 'POST',
      url: '/api/v1/devices',
      payload: { display_name: 'survivor', metadata: { owner: 'ops' } },
    });
    expect(created.status).toBe(201);
    expect(await dropAllConnections()).toBeGreaterThan(0);

    const during = await core.request({ method: 'GET', url: `/api/v1/devices/${created.body.id}` });
    expect([200, 503]).toContain(during.statusCode);
    if (during.statusCode === 503) expect(during.json().error.code).toBe('db_unavailable');

    const after = await core.json<{ display_name: string; metadata: { owner: string } }>({
      method: 'GET',
      url: `/api/v1/devices/${created.body.id}`,
    });
    expect(after.status).toBe(200);
    expect(after.body).toMatchObject({ display_name: 'survivor', metadata: { owner: 'ops' } });
    expect((await core.json({ method: 'GET', url: '/readyz' })).status).toBe(200);
  });
});
