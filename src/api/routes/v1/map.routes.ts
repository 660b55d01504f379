import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { errorResponses } from '../../../shared/schemas/common.ts';
import { MapLayerParams, MapProjection, MapQuery } from '../../../shared/schemas/map.ts';
import type { Database } from '../../../storage/database.ts';
import { MapRepository } from '../../../storage/map.repository.ts';
import { MapService } from '../../services/map.service.ts';

/** Map projections: one layer, one focus, capped (SPEC §8, docs/map.md). */
export const mapRoutes: FastifyPluginAsyncTypebox<{ database: Database }> = async (app, { database }) => {
  const map = new MapService(new MapRepository(database.db));
  app.get(
    '/map/:layer',
    {
      config: { dbErrorMessage: 'failed to build map projection' },
      schema: {
        tags: ['map'],
        operationId: 'getMapProjection',
        summary: 'A capped, render-ready projection of one map layer around one focus object',
        params: MapLayerParams,
        querystring: MapQuery,
        response: { 200: MapProjection, ...errorResponses(400, 404, 500, 503) },
      },
    },
    async (request) => map.project(request.params.layer, request.query),
  );
};
