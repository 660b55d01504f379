import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { errorResponses } from '../../../shared/schemas/common.ts';
import { DeviceIdParams } from '../../../shared/schemas/devices.ts';
import { DeviceChangesQuery, DeviceEventList, DeviceHistoryQuery } from '../../../shared/schemas/history.ts';
import type { Database } from '../../../storage/database.ts';
import { DeviceRepository } from '../../../storage/device.repository.ts';
import { DeviceEventsRepository } from '../../../storage/device-events.repository.ts';
import { HistoryService } from '../../services/history.service.ts';

const tags = ['devices'];

/**
 * The change feed and the device timeline. `/devices/changes` is a static route, so the router
 * prefers it over `/devices/:id` (find-my-way matches static segments first).
 */
export const historyRoutes: FastifyPluginAsyncTypebox<{ database: Database }> = async (app, { database }) => {
  const history = new HistoryService(new DeviceEventsRepository(database.db), new DeviceRepository(database.db));

  // `kind` may be repeated or a comma list: hand the schema one flat array either way.
  app.addHook('preValidation', async (request) => {
    const query = request.query as Record<string, unknown> | undefined;
    const kind = query?.kind;
    if (kind === undefined) return;
    const values = (Array.isArray(kind) ? kind : [kind])
      .flatMap((value) => String(value).split(','))
      .map((value) => value.trim())
      .filter((value) => value !== '');
    if (values.length === 0) delete (query as Record<string, unknown>).kind;
    else (query as Record<string, unknown>).kind = [...new Set(values)];
  });

  app.get(
    '/devices/changes',
    {
      config: { dbErrorMessage: 'failed to list device change events' },
      schema: {
        tags,
        operationId: 'listDeviceChanges',
        summary: 'Recorded device events of every device, newest first',
        querystring: DeviceChangesQuery,
        response: { 200: DeviceEventList, ...errorResponses(400, 500, 503) },
      },
    },
    async (request) => history.changes(request.query),
  );

  app.get(
    '/devices/:id/history',
    {
      config: { dbErrorMessage: 'failed to list device history' },
      schema: {
        tags,
        operationId: 'getDeviceHistory',
        summary: "One device's recorded events, newest first",
        params: DeviceIdParams,
        querystring: DeviceHistoryQuery,
        response: { 200: DeviceEventList, ...errorResponses(400, 404, 500, 503) },
      },
    },
    async (request) => history.history(request.params.id, request.query),
  );
};
