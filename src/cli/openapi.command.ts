import { buildCoreApp } from '../api/app.ts';
import { createMetrics } from '../api/metrics.ts';
import { loadConfig } from '../config/config.ts';
import { VERSION } from '../config/version.ts';
import { createLogger } from '../shared/logger.ts';
import { openPglite } from '../storage/database.ts';
import { Migrator } from '../storage/migrator.ts';

/** The OpenAPI document exactly as a running core serves it at /api/openapi.json. */
export async function buildOpenApiDocument(): Promise<unknown> {
  // The document depends only on the routes; an in-memory database satisfies the app's wiring.
  const database = await openPglite({});
  try {
    const app = await buildCoreApp({
      database,
      migrator: new Migrator(database),
      logger: createLogger('cli', 'silent'),
      metrics: createMetrics(),
      version: VERSION,
      discovery: loadConfig({}).discovery,
    });
    await app.ready();
    const document = app.swagger();
    await app.close();
    return document;
  } finally {
    await database.close();
  }
}
