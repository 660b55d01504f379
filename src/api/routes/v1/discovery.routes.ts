import { Readable } from 'node:stream';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import type { DiscoveryConfig } from '../../../config/config.ts';
import { localSegments } from '../../../discovery/sweep.ts';
import { ErrorEnvelope, errorResponses } from '../../../shared/schemas/common.ts';
import {
  DiscoveryRun,
  DiscoveryRunList,
  DiscoveryRunRequest,
  DiscoveryStatus,
  RunIdParams,
  RunListQuery,
  RunLogList,
  RunLogQuery,
  Schedule,
  ScheduleCreate,
  ScheduleIdParams,
  ScheduleList,
  ScheduleUpdate,
  ScopeSuggestions,
} from '../../../shared/schemas/discovery.ts';
import { type DiscoveryService, scopeSuggestions } from '../../services/discovery.service.ts';
import type { ScheduleService } from '../../services/schedule.service.ts';

const tags = ['discovery'];

export const discoveryRoutes: FastifyPluginAsyncTypebox<{
  discovery: DiscoveryService;
  schedules: ScheduleService;
  config: DiscoveryConfig;
}> = async (app, { discovery, schedules, config }) => {
  app.post(
    '/discovery/run',
    {
      config: { dbErrorMessage: 'failed to start discovery', optionalBody: true },
      schema: {
        tags,
        operationId: 'startDiscoveryRun',
        summary: 'Queue a discovery run (scope: CIDR, single IP, or a comma-separated list)',
        body: DiscoveryRunRequest,
        response: {
          202: DiscoveryRun,
          ...errorResponses(400, 413, 415, 500, 503),
          429: {
            description: 'Too many runs requested; retry after the given number of seconds',
            headers: { 'retry-after': { type: 'integer', description: 'Seconds to wait' } },
            content: { 'application/json': { schema: ErrorEnvelope } },
          },
        },
      },
    },
    async (request, reply) => {
      try {
        return reply.status(202).send(await discovery.enqueue(request.body ?? {}));
      } catch (error) {
        const retry = (error as { details?: { retry_after_seconds?: number } }).details?.retry_after_seconds;
        if (retry !== undefined) reply.header('retry-after', String(retry));
        throw error;
      }
    },
  );

  app.get(
    '/discovery/status',
    {
      config: { dbErrorMessage: 'failed to load discovery status' },
      schema: {
        tags,
        operationId: 'getDiscoveryStatus',
        summary: 'Status of the latest run',
        response: { 200: DiscoveryStatus, ...errorResponses(500, 503) },
      },
    },
    async () => discovery.status(),
  );

  app.get(
    '/discovery/scope-suggestions',
    {
      schema: {
        tags,
        operationId: 'listScopeSuggestions',
        summary: "Scopes from the scanner's own IPv4 networks that a run accepts",
        response: { 200: ScopeSuggestions },
      },
    },
    async () => scopeSuggestions(localSegments(), config),
  );

  app.get(
    '/discovery/runs',
    {
      config: { dbErrorMessage: 'failed to list discovery runs' },
      schema: {
        tags,
        operationId: 'listDiscoveryRuns',
        summary: 'Runs, newest first',
        querystring: RunListQuery,
        response: { 200: DiscoveryRunList, ...errorResponses(400, 500, 503) },
      },
    },
    async (request) => discovery.list(request.query),
  );

  app.get(
    '/discovery/runs/:id',
    {
      config: { dbErrorMessage: 'failed to load discovery run' },
      schema: {
        tags,
        operationId: 'getDiscoveryRun',
        summary: 'One run',
        params: RunIdParams,
        response: { 200: DiscoveryRun, ...errorResponses(400, 404, 500, 503) },
      },
    },
    async (request) => discovery.get(request.params.id),
  );

  app.get(
    '/discovery/runs/:id/logs',
    {
      config: { dbErrorMessage: 'failed to list discovery run logs' },
      schema: {
        tags,
        operationId: 'listDiscoveryRunLogs',
        summary: 'Log lines of a run, newest first',
        params: RunIdParams,
        querystring: RunLogQuery,
        response: { 200: RunLogList, ...errorResponses(400, 404, 500, 503) },
      },
    },
    async (request) => discovery.logs(request.params.id, request.query),
  );

  app.post(
    '/discovery/runs/:id/cancel',
    {
      config: { dbErrorMessage: 'failed to cancel discovery run', optionalBody: true },
      schema: {
        tags,
        operationId: 'cancelDiscoveryRun',
        summary: 'Cancel a queued or running run',
        params: RunIdParams,
        response: { 202: DiscoveryRun, ...errorResponses(400, 404, 409, 500, 503) },
      },
    },
    async (request, reply) => reply.status(202).send(await discovery.cancel(request.params.id)),
  );

  app.get(
    '/discovery/runs/:id/events',
    {
      config: { dbErrorMessage: 'failed to follow discovery run' },
      schema: {
        tags,
        operationId: 'followDiscoveryRun',
        summary: 'Server-Sent Events: status (with progress), log lines, end',
        params: RunIdParams,
        response: {
          200: {
            description: 'A stream of events: `status` (the run, with progress), `log` (one line), `end`',
            content: { 'text/event-stream': { schema: Type.String() } },
          },
          ...errorResponses(400, 404, 500, 503),
        },
      },
    },
    async (request, reply) => {
      let closed = false;
      request.raw.on('close', () => {
        closed = true;
      });
      const events = discovery.events(request.params.id, () => closed);
      // Resolve the first event before answering, so an unknown run is a normal 404.
      const first = await events.next();
      async function* all(): AsyncGenerator<string> {
        if (!first.done) yield first.value;
        yield* events;
      }
      reply.header('content-type', 'text/event-stream; charset=utf-8');
      reply.header('cache-control', 'no-cache, no-transform');
      reply.header('x-accel-buffering', 'no');
      // The stream is the body; the schema documents it as text.
      return reply.send(Readable.from(all()) as unknown as string);
    },
  );

  app.get(
    '/discovery/schedules',
    {
      config: { dbErrorMessage: 'failed to list discovery schedules' },
      schema: {
        tags,
        operationId: 'listDiscoverySchedules',
        summary: 'Recurring runs',
        response: { 200: ScheduleList, ...errorResponses(500, 503) },
      },
    },
    async () => schedules.list(),
  );

  app.post(
    '/discovery/schedules',
    {
      config: { dbErrorMessage: 'failed to create discovery schedule' },
      schema: {
        tags,
        operationId: 'createDiscoverySchedule',
        summary: 'Create a recurring run (interval_seconds or cron, UTC)',
        body: ScheduleCreate,
        response: { 201: Schedule, ...errorResponses(400, 413, 415, 500, 503) },
      },
    },
    async (request, reply) => reply.status(201).send(await schedules.create(request.body)),
  );

  app.get(
    '/discovery/schedules/:id',
    {
      config: { dbErrorMessage: 'failed to load discovery schedule' },
      schema: {
        tags,
        operationId: 'getDiscoverySchedule',
        summary: 'One schedule',
        params: ScheduleIdParams,
        response: { 200: Schedule, ...errorResponses(400, 404, 500, 503) },
      },
    },
    async (request) => schedules.get(request.params.id),
  );

  app.put(
    '/discovery/schedules/:id',
    {
      config: { dbErrorMessage: 'failed to update discovery schedule' },
      schema: {
        tags,
        operationId: 'updateDiscoverySchedule',
        summary: 'Update a schedule: omitted keys stay',
        params: ScheduleIdParams,
        body: ScheduleUpdate,
        response: { 200: Schedule, ...errorResponses(400, 404, 413, 415, 500, 503) },
      },
    },
    async (request) => schedules.update(request.params.id, request.body),
  );

  app.delete(
    '/discovery/schedules/:id',
    {
      config: { dbErrorMessage: 'failed to delete discovery schedule' },
      schema: {
        tags,
        operationId: 'deleteDiscoverySchedule',
        summary: 'Delete a schedule (its past runs stay)',
        params: ScheduleIdParams,
        response: { 204: Type.Null({ description: 'Deleted' }), ...errorResponses(400, 404, 500, 503) },
      },
    },
    async (request, reply) => {
      await schedules.delete(request.params.id);
      return reply.status(204).send(null);
    },
  );
};
