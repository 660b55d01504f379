import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import {
  AlertChannel,
  AlertChannelCreate,
  AlertChannelIdParams,
  AlertChannelList,
  AlertChannelTestResult,
  AlertChannelUpdate,
  AlertDeliveryList,
  AlertDeliveryQuery,
  AlertRule,
  AlertRuleCreate,
  AlertRuleIdParams,
  AlertRuleList,
  AlertRuleUpdate,
  DeviceWatch,
  RaisedAlertList,
  RaisedAlertQuery,
} from '../../../shared/schemas/alerts.ts';
import { errorResponses } from '../../../shared/schemas/common.ts';
import { DeviceIdParams } from '../../../shared/schemas/devices.ts';
import { AlertConfigRepository } from '../../../storage/alert-config.repository.ts';
import { AlertDeliveriesRepository } from '../../../storage/alert-deliveries.repository.ts';
import type { Database } from '../../../storage/database.ts';
import type { CoreMetrics } from '../../metrics.ts';
import { AlertConfigService } from '../../services/alert-config.service.ts';
import { AlertDeliveryService } from '../../services/alert-delivery.service.ts';
import { registerAlertGauges } from './alerts.metrics.ts';

const tags = ['alerts'];
const Deleted = Type.Null({ description: 'Deleted' });

export interface AlertRouteOptions {
  database: Database;
  metrics: CoreMetrics;
  /** Time limit of a test send (ALERTS_SEND_TIMEOUT). */
  sendTimeoutMs: number;
}

/** Alert rules, channels (+ test), the delivery log and the per-device watch flag (issue 11, docs/alerts.md). */
export const alertRoutes: FastifyPluginAsyncTypebox<AlertRouteOptions> = async (app, options) => {
  const config = new AlertConfigRepository(options.database.db);
  const deliveries = new AlertDeliveriesRepository(options.database.db);
  const sender = new AlertDeliveryService(
    config,
    deliveries,
    { timeoutMs: options.sendTimeoutMs, retryBaseMs: 1000, retryMaxMs: 1000 },
    (channelType, outcome) => options.metrics.alertDeliveries.inc({ channel_type: channelType, outcome }),
  );
  const alerts = new AlertConfigService(config, deliveries, sender);
  registerAlertGauges(options.metrics.registry, options.database);

  app.get(
    '/alert-rules',
    {
      config: { dbErrorMessage: 'failed to list alert rules' },
      schema: {
        tags,
        operationId: 'listAlertRules',
        summary: 'Alert rules by name',
        response: { 200: AlertRuleList, ...errorResponses(500, 503) },
      },
    },
    async () => alerts.listRules(),
  );
  app.post(
    '/alert-rules',
    {
      config: { dbErrorMessage: 'failed to create alert rule' },
      schema: {
        tags,
        operationId: 'createAlertRule',
        summary: 'Create an alert rule',
        body: AlertRuleCreate,
        response: { 201: AlertRule, ...errorResponses(400, 404, 409, 413, 415, 500, 503) },
      },
    },
    async (request, reply) => reply.status(201).send(await alerts.createRule(request.body)),
  );
  app.get(
    '/alert-rules/:id',
    {
      config: { dbErrorMessage: 'failed to fetch alert rule' },
      schema: {
        tags,
        operationId: 'getAlertRule',
        summary: 'One alert rule',
        params: AlertRuleIdParams,
        response: { 200: AlertRule, ...errorResponses(400, 404, 500, 503) },
      },
    },
    async (request) => alerts.getRule(request.params.id),
  );
  app.patch(
    '/alert-rules/:id',
    {
      config: { dbErrorMessage: 'failed to update alert rule' },
      schema: {
        tags,
        operationId: 'updateAlertRule',
        summary: 'Change an alert rule (omitted fields stay)',
        params: AlertRuleIdParams,
        body: AlertRuleUpdate,
        response: { 200: AlertRule, ...errorResponses(400, 404, 409, 413, 415, 500, 503) },
      },
    },
    async (request) => alerts.updateRule(request.params.id, request.body),
  );
  app.delete(
    '/alert-rules/:id',
    {
      config: { dbErrorMessage: 'failed to delete alert rule' },
      schema: {
        tags,
        operationId: 'deleteAlertRule',
        summary: 'Delete an alert rule with its alerts',
        params: AlertRuleIdParams,
        response: { 204: Deleted, ...errorResponses(400, 404, 500, 503) },
      },
    },
    async (request, reply) => {
      await alerts.deleteRule(request.params.id);
      return reply.status(204).send(null);
    },
  );

  app.get(
    '/alert-channels',
    {
      config: { dbErrorMessage: 'failed to list alert channels' },
      schema: {
        tags,
        operationId: 'listAlertChannels',
        summary: 'Alert channels by name (secrets are never returned)',
        response: { 200: AlertChannelList, ...errorResponses(500, 503) },
      },
    },
    async () => alerts.listChannels(),
  );
  app.post(
    '/alert-channels',
    {
      config: { dbErrorMessage: 'failed to create alert channel' },
      schema: {
        tags,
        operationId: 'createAlertChannel',
        summary: 'Create a webhook, ntfy or e-mail channel',
        body: AlertChannelCreate,
        response: { 201: AlertChannel, ...errorResponses(400, 409, 413, 415, 500, 503) },
      },
    },
    async (request, reply) => reply.status(201).send(await alerts.createChannel(request.body)),
  );
  app.get(
    '/alert-channels/:id',
    {
      config: { dbErrorMessage: 'failed to fetch alert channel' },
      schema: {
        tags,
        operationId: 'getAlertChannel',
        summary: 'One alert channel',
        params: AlertChannelIdParams,
        response: { 200: AlertChannel, ...errorResponses(400, 404, 500, 503) },
      },
    },
    async (request) => alerts.getChannel(request.params.id),
  );
  app.patch(
    '/alert-channels/:id',
    {
      config: { dbErrorMessage: 'failed to update alert channel' },
      schema: {
        tags,
        operationId: 'updateAlertChannel',
        summary: 'Change an alert channel (omitted fields stay; secret null removes it)',
        params: AlertChannelIdParams,
        body: AlertChannelUpdate,
        response: { 200: AlertChannel, ...errorResponses(400, 404, 409, 413, 415, 500, 503) },
      },
    },
    async (request) => alerts.updateChannel(request.params.id, request.body),
  );
  app.delete(
    '/alert-channels/:id',
    {
      config: { dbErrorMessage: 'failed to delete alert channel' },
      schema: {
        tags,
        operationId: 'deleteAlertChannel',
        summary: 'Delete an alert channel with its deliveries; rules forget it',
        params: AlertChannelIdParams,
        response: { 204: Deleted, ...errorResponses(400, 404, 500, 503) },
      },
    },
    async (request, reply) => {
      await alerts.deleteChannel(request.params.id);
      return reply.status(204).send(null);
    },
  );
  app.post(
    '/alert-channels/:id/test',
    {
      config: { dbErrorMessage: 'failed to test alert channel', optionalBody: true },
      schema: {
        tags,
        operationId: 'testAlertChannel',
        summary: 'Send a test message now; answers with the recorded test delivery (sent or failed)',
        params: AlertChannelIdParams,
        body: Type.Object({}, { additionalProperties: false }),
        response: { 200: AlertChannelTestResult, ...errorResponses(400, 404, 415, 500, 503) },
      },
    },
    async (request) => alerts.testChannel(request.params.id),
  );

  app.get(
    '/alert-deliveries',
    {
      config: { dbErrorMessage: 'failed to list alert deliveries' },
      schema: {
        tags,
        operationId: 'listAlertDeliveries',
        summary: 'The delivery log, newest first, with every attempt',
        querystring: AlertDeliveryQuery,
        response: { 200: AlertDeliveryList, ...errorResponses(400, 500, 503) },
      },
    },
    async (request) => alerts.listDeliveries(request.query),
  );

  app.get(
    '/alerts',
    {
      config: { dbErrorMessage: 'failed to list alerts' },
      schema: {
        tags,
        operationId: 'listAlerts',
        summary: 'Raised alerts, newest first: fired, suppressed (with the reason) or pending',
        querystring: RaisedAlertQuery,
        response: { 200: RaisedAlertList, ...errorResponses(400, 500, 503) },
      },
    },
    async (request) => alerts.listAlerts(request.query),
  );

  app.get(
    '/devices/:id/watch',
    {
      config: { dbErrorMessage: 'failed to fetch device watch flag' },
      schema: {
        tags,
        operationId: 'getDeviceWatch',
        summary: 'Whether the device is on the watch list',
        params: DeviceIdParams,
        response: { 200: DeviceWatch, ...errorResponses(400, 404, 500, 503) },
      },
    },
    async (request) => alerts.watchState(request.params.id),
  );
  app.put(
    '/devices/:id/watch',
    {
      config: { dbErrorMessage: 'failed to watch device', optionalBody: true },
      schema: {
        tags,
        operationId: 'watchDevice',
        summary: 'Put the device on the watch list (idempotent)',
        params: DeviceIdParams,
        body: Type.Object({}, { additionalProperties: false }),
        response: { 200: DeviceWatch, ...errorResponses(400, 404, 415, 500, 503) },
      },
    },
    async (request) => alerts.watch(request.params.id),
  );
  app.delete(
    '/devices/:id/watch',
    {
      config: { dbErrorMessage: 'failed to unwatch device' },
      schema: {
        tags,
        operationId: 'unwatchDevice',
        summary: 'Take the device off the watch list (204 also when it was not on it)',
        params: DeviceIdParams,
        response: { 204: Type.Null({ description: 'Not watched now' }), ...errorResponses(400, 404, 500, 503) },
      },
    },
    async (request, reply) => {
      await alerts.unwatch(request.params.id);
      return reply.status(204).send(null);
    },
  );
};
