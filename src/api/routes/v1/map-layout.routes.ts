import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { errorResponses } from '../../../shared/schemas/common.ts';
import { MapLayerParams } from '../../../shared/schemas/map.ts';
import { MapLayout, MapLayoutQuery, MapLayoutUpdate } from '../../../shared/schemas/map-layout.ts';
import type { Database } from '../../../storage/database.ts';
import { MapLayoutRepository } from '../../../storage/map-layout.repository.ts';
import { proxiedUser } from '../../proxied-user.ts';
import { MapLayoutService } from '../../services/map-layout.service.ts';

const tags = ['map'];
/** Saved map layouts (issue 8): positions an operator dragged, per layer and focus (docs/map.md). */
export const mapLayoutRoutes: FastifyPluginAsyncTypebox<{ database: Database }> = async (app, { database }) => {
  const layouts = new MapLayoutService(new MapLayoutRepository(database.db));
  app.get(
    '/map/:layer/layout',
    {
      config: { dbErrorMessage: 'failed to fetch map layout' },
      schema: {
        tags,
        operationId: 'getMapLayout',
        summary: 'The saved layout of one layer and focus (empty positions when none is saved)',
        params: MapLayerParams,
        querystring: MapLayoutQuery,
        response: { 200: MapLayout, ...errorResponses(400, 500, 503) },
      },
    },
    async (request) => layouts.get(request.params.layer, request.query),
  );
  app.put(
    '/map/:layer/layout',
    {
      config: { dbErrorMessage: 'failed to save map layout' },
      schema: {
        tags,
        operationId: 'putMapLayout',
        summary: 'Save the layout of one layer and focus, replacing the whole of what was saved',
        params: MapLayerParams,
        querystring: MapLayoutQuery,
        body: MapLayoutUpdate,
        response: { 200: MapLayout, ...errorResponses(400, 413, 415, 500, 503) },
      },
    },
    async (request) => layouts.save(request.params.layer, request.query, request.body, proxiedUser(request) ?? null),
  );
  app.delete(
    '/map/:layer/layout',
    {
      config: { dbErrorMessage: 'failed to delete map layout' },
      schema: {
        tags,
        operationId: 'deleteMapLayout',
        summary: 'Forget the saved layout (back to automatic); 204 also when none was saved',
        params: MapLayerParams,
        querystring: MapLayoutQuery,
        response: {
          204: Type.Null({ description: 'Deleted, or nothing was saved' }),
          ...errorResponses(400, 500, 503),
        },
      },
    },
    async (request, reply) => {
      await layouts.reset(request.params.layer, request.query);
      return reply.status(204).send(null);
    },
  );
};
