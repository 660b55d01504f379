import type { FastifyPluginAsync } from 'fastify';
import { RollerError } from '../../shared/errors.ts';
import { errorResponses } from '../../shared/schemas/common.ts';
import { Health, Ready } from '../../shared/schemas/service.ts';
import type { Database } from '../../storage/database.ts';
import type { Migrator } from '../../storage/migrator.ts';
import type { CoreMetrics } from '../metrics.ts';

const READINESS_PING_TIMEOUT_MS = 2000;

export const serviceRoutes: FastifyPluginAsync<{
  database: Database;
  migrator: Migrator;
  metrics: CoreMetrics;
}> = async (app, { database, migrator, metrics }) => {
  app.get(
    '/healthz',
    { schema: { tags: ['service'], summary: 'Liveness: the process serves HTTP', response: { 200: Health } } },
    async () => ({ ok: true as const }),
  );

  app.get(
    '/readyz',
    {
      schema: {
        tags: ['service'],
        summary: 'Readiness: the database answers and the schema is at the latest migration',
        response: { 200: Ready, ...errorResponses(503) },
      },
    },
    async () => {
      try {
        await database.ping(READINESS_PING_TIMEOUT_MS);
      } catch (error) {
        throw new RollerError('db_unavailable', 'database not ready', { error: (error as Error).message });
      }
      const state = await migrator.state().catch((error: Error) => {
        throw new RollerError('db_unavailable', 'database not ready', { error: error.message });
      });
      if (state.dirty || state.version !== migrator.latestVersion) {
        throw new RollerError('db_unavailable', 'database schema is not at the latest migration', {
          schema_version: state.version,
          latest_version: migrator.latestVersion,
          dirty: state.dirty,
        });
      }
      return { ready: true as const, schema_version: state.version, database: database.kind };
    },
  );

  app.get(
    '/metrics',
    {
      schema: {
        tags: ['service'],
        summary: 'Prometheus metrics (text exposition format)',
        produces: ['text/plain'],
        response: { 200: { type: 'string', description: 'Prometheus text format 0.0.4' } },
      },
    },
    async (_request, reply) => {
      reply.type(metrics.registry.contentType);
      return metrics.registry.metrics();
    },
  );
};
