import type { InjectOptions, LightMyRequestResponse } from 'fastify';
import { buildCoreApp, type CoreApp } from '../../src/api/app.ts';
import { createMetrics } from '../../src/api/metrics.ts';
import { loadConfig } from '../../src/config/config.ts';
import { VERSION } from '../../src/config/version.ts';
import { createLogger } from '../../src/shared/logger.ts';
import type { Database } from '../../src/storage/database.ts';
import { Migrator } from '../../src/storage/migrator.ts';
import type { Backend, TestDatabase } from './backends.ts';
import { ContractChecker } from './contract.ts';

let checker: ContractChecker | undefined;

export interface TestCore {
  app: CoreApp;
  database: Database;
  /** `app.inject` that also validates every response against the committed OpenAPI document. */
  request(options: InjectOptions): Promise<LightMyRequestResponse>;
  json<T = Record<string, unknown>>(
    options: InjectOptions,
  ): Promise<{ status: number; body: T; headers: Record<string, unknown> }>;
  close(): Promise<void>;
}

export interface TestCoreOptions {
  /** Environment for the discovery part of the configuration (rate limits, default scope …). */
  env?: Record<string, string>;
}

export async function createTestCore(backend: Backend, options: TestCoreOptions = {}): Promise<TestCore> {
  const testDatabase: TestDatabase = await backend.fresh();
  const app = await buildCoreApp({
    database: testDatabase.database,
    migrator: new Migrator(testDatabase.database),
    logger: createLogger('core', 'silent'),
    metrics: createMetrics(),
    version: VERSION,
    discovery: loadConfig(options.env ?? {}).discovery,
  });
  await app.ready();
  checker ??= new ContractChecker();
  const contract = checker;
  const request = async (options: InjectOptions): Promise<LightMyRequestResponse> => {
    const response = await app.inject(options);
    contract.check(
      options.method ?? 'GET',
      String(options.url),
      response.statusCode,
      response.headers['content-type'] as string,
      response.body,
    );
    return response;
  };
  return {
    app,
    database: testDatabase.database,
    request,
    async json<T>(options: InjectOptions) {
      const response = await request(options);
      return { status: response.statusCode, body: response.json() as T, headers: response.headers };
    },
    async close() {
      await app.close();
      await testDatabase.dispose();
    },
  };
}
