import {
  type CompiledQuery,
  DummyDriver,
  Kysely,
  PostgresAdapter,
  PostgresIntrospector,
  PostgresQueryCompiler,
} from 'kysely';
import { DeviceService } from '../src/api/services/device.service.ts';
import type { DeviceListQueryParams } from '../src/shared/schemas/devices.ts';
import { DeviceRepository } from '../src/storage/device.repository.ts';
import { DeviceFactsRepository } from '../src/storage/device-facts.repository.ts';
import type { Schema } from '../src/storage/schema.ts';

export interface CapturedQuery {
  sql: string;
  parameters: readonly unknown[];
}

/**
 * The exact statement the API runs for a list request: the real service and repository build it
 * against a Kysely whose driver executes nothing and whose log hook records the compiled query.
 * No copy of the SQL lives in the bench, so it cannot drift from src/.
 */
export async function captureListQuery(query: DeviceListQueryParams): Promise<CapturedQuery> {
  const captured: CompiledQuery[] = [];
  const db = new Kysely<Schema>({
    dialect: {
      createAdapter: () => new PostgresAdapter(),
      createDriver: () => new DummyDriver(),
      createIntrospector: (kysely) => new PostgresIntrospector(kysely),
      createQueryCompiler: () => new PostgresQueryCompiler(),
    },
    log: (event) => {
      captured.push(event.query);
    },
  });
  try {
    await new DeviceService(new DeviceRepository(db), new DeviceFactsRepository(db)).list(query);
  } finally {
    await db.destroy();
  }
  if (captured.length !== 1) throw new Error(`expected one list statement, the service ran ${captured.length}`);
  const [only] = captured as [CompiledQuery];
  return { sql: only.sql, parameters: only.parameters };
}
