import { type Config, redactDatabaseUrl } from '../config/config.ts';
import { type Database, openPglite, openPostgres } from '../storage/database.ts';

/** Opens the configured backend: PostgreSQL when DATABASE_URL is set, else embedded PGlite. */
export function openConfiguredDatabase(config: Config): Promise<Database> {
  if (config.databaseUrl) {
    return openPostgres({
      url: config.databaseUrl,
      poolSize: config.databasePoolSize,
      description: `PostgreSQL at ${redactDatabaseUrl(config.databaseUrl)}`,
    });
  }
  return openPglite({ dataDir: config.dataDir });
}
