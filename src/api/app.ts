import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import Fastify, { type FastifyBaseLogger, type FastifyInstance, LogController } from 'fastify';
import type { DiscoveryConfig } from '../config/config.ts';
import type { Logger } from '../shared/logger.ts';
import { requestIdFor } from '../shared/request-id.ts';
import type { Database } from '../storage/database.ts';
import { DeviceRepository } from '../storage/device.repository.ts';
import { DeviceFactsRepository } from '../storage/device-facts.repository.ts';
import { DiscoveryRunRepository } from '../storage/discovery-run.repository.ts';
import { DiscoveryScheduleRepository } from '../storage/discovery-schedule.repository.ts';
import type { Migrator } from '../storage/migrator.ts';
import { registerBearerAuth } from './bearer-auth.ts';
import { registerErrorHandling } from './error-handler.ts';
import { type CoreMetrics, UNMATCHED_ROUTE } from './metrics.ts';
import { openApiOptions } from './openapi.ts';
import { proxiedUser } from './proxied-user.ts';
import { SlidingWindowLimiter } from './rate-limiter.ts';
import { serviceRoutes } from './routes/service.routes.ts';
import { alertRoutes } from './routes/v1/alerts.routes.ts';
import { auditRoutes } from './routes/v1/audit.routes.ts';
import { dataExchangeRoutes } from './routes/v1/data-exchange.routes.ts';
import { deviceRoutes } from './routes/v1/devices.routes.ts';
import { discoveryRoutes } from './routes/v1/discovery.routes.ts';
import { historyRoutes } from './routes/v1/history.routes.ts';
import { inventoryRoutes } from './routes/v1/inventory.routes.ts';
import { mapRoutes } from './routes/v1/map.routes.ts';
import { mapBuildRoutes } from './routes/v1/map-build.routes.ts';
import { mapLayoutRoutes } from './routes/v1/map-layout.routes.ts';
import { presenceRoutes } from './routes/v1/presence.routes.ts';
import { DeviceService } from './services/device.service.ts';
import { DiscoveryService } from './services/discovery.service.ts';
import { ScheduleService } from './services/schedule.service.ts';
import { validatorCompiler } from './validation.ts';

export interface CoreDependencies {
  database: Database;
  discovery: DiscoveryConfig;
  migrator: Migrator;
  logger: Logger;
  metrics: CoreMetrics;
  version: string;
  /** CORE_API_TOKEN: when set, every request but /healthz, /readyz and /metrics needs it as a bearer token. */
  apiToken?: string;
  /** METRICS_TOKEN: when set, /metrics needs it as a bearer token. */
  metricsToken?: string;
  /** ALERTS_SEND_TIMEOUT, for the channel test endpoint. */
  alertSendTimeoutMs?: number;
}

const DEFAULT_ALERT_SEND_TIMEOUT_MS = 10_000;

export type CoreApp = FastifyInstance;

export interface RegisteredRoute {
  method: string;
  /** OpenAPI-style template, e.g. `/api/v1/devices/{id}`. */
  path: string;
  documented: boolean;
}

declare module 'fastify' {
  interface FastifyInstance {
    /** Every route the router knows, for the OpenAPI drift test and diagnostics. */
    registeredRoutes: RegisteredRoute[];
  }
}

/** Builds the core HTTP app without listening (tests drive it with `inject`). */
export async function buildCoreApp(deps: CoreDependencies): Promise<CoreApp> {
  const app = Fastify({
    loggerInstance: deps.logger as FastifyBaseLogger,
    // One `http_request` line per request is written by the onResponse hook below instead.
    logController: new LogController({ disableRequestLogging: true, requestIdLogLabel: 'request_id' }),
    genReqId: requestIdFor,
    bodyLimit: 1024 * 1024,
    // SPEC §2.2 internal constants.
    requestTimeout: 15_000,
    connectionTimeout: 20_000,
    return503OnClosing: true,
    routerOptions: { ignoreTrailingSlash: false, maxParamLength: 200 },
  }).withTypeProvider<TypeBoxTypeProvider>();

  const routes: RegisteredRoute[] = [];
  app.decorate('registeredRoutes', routes);
  app.addHook('onRoute', (route) => {
    const methods = Array.isArray(route.method) ? route.method : [route.method];
    for (const method of methods) {
      if (method === 'HEAD') continue;
      routes.push({
        method,
        path: route.url.replace(/:([A-Za-z0-9_]+)/g, '{$1}'),
        documented: !(route.schema as { hide?: boolean } | undefined)?.hide,
      });
    }
  });

  app.setValidatorCompiler(validatorCompiler());
  // Core speaks JSON only: any other request body is refused with 415 rather than parsed as text.
  app.removeContentTypeParser(['text/plain']);
  registerErrorHandling(app);
  registerRequestHooks(app, deps.metrics);
  // After the request-id hook (so a 401 carries X-Request-ID) and before every route and plugin.
  registerBearerAuth(app, { apiToken: deps.apiToken, metricsToken: deps.metricsToken });

  await app.register(swagger, openApiOptions(deps.version));
  await app.register(swaggerUi, { routePrefix: '/api/docs', uiConfig: { deepLinking: true } });

  const devices = new DeviceService(
    new DeviceRepository(deps.database.db),
    new DeviceFactsRepository(deps.database.db),
  );
  await app.register(serviceRoutes, { database: deps.database, migrator: deps.migrator, metrics: deps.metrics });
  await app.register(deviceRoutes, { prefix: '/api/v1', devices });
  const { runRateLimit } = deps.discovery;
  const discovery = new DiscoveryService(
    new DiscoveryRunRepository(deps.database.db),
    deps.discovery,
    new SlidingWindowLimiter(runRateLimit.count, runRateLimit.windowMs),
  );
  const schedules = new ScheduleService(new DiscoveryScheduleRepository(deps.database.db), deps.discovery);
  await app.register(discoveryRoutes, { prefix: '/api/v1', discovery, schedules, config: deps.discovery });
  await app.register(historyRoutes, { prefix: '/api/v1', database: deps.database });
  await app.register(dataExchangeRoutes, { prefix: '/api/v1', database: deps.database });
  await app.register(inventoryRoutes, { prefix: '/api/v1', database: deps.database });
  await app.register(auditRoutes, { prefix: '/api/v1', database: deps.database });
  await app.register(mapBuildRoutes, { prefix: '/api/v1', database: deps.database });
  await app.register(mapRoutes, { prefix: '/api/v1', database: deps.database });
  await app.register(mapLayoutRoutes, { prefix: '/api/v1', database: deps.database });
  await app.register(presenceRoutes, { prefix: '/api/v1', database: deps.database, discovery: deps.discovery });
  await app.register(alertRoutes, {
    prefix: '/api/v1',
    database: deps.database,
    metrics: deps.metrics,
    sendTimeoutMs: deps.alertSendTimeoutMs ?? DEFAULT_ALERT_SEND_TIMEOUT_MS,
  });
  app.get('/api/openapi.json', { schema: { hide: true } }, async () => app.swagger());
  return app;
}

function registerRequestHooks(app: FastifyInstance, metrics: CoreMetrics): void {
  app.addHook('onRequest', async (request, reply) => {
    reply.header('x-request-id', request.id);
    const headers = request.headers;
    if (
      request.routeOptions.config?.optionalBody &&
      (headers['content-length'] === undefined || headers['content-length'] === '0') &&
      headers['transfer-encoding'] === undefined
    ) {
      // No body at all: skip content-type parsing and treat it as `{}` below.
      delete headers['content-type'];
    }
  });
  // SPEC §4.1: an empty query value means "use the default".
  app.addHook('preValidation', async (request) => {
    if (request.body === undefined && request.routeOptions.config?.optionalBody) request.body = {};
    const query = request.query as Record<string, unknown> | undefined;
    if (!query) return;
    for (const [key, value] of Object.entries(query)) if (value === '') delete query[key];
  });
  app.addHook('onResponse', async (request, reply) => {
    const template = request.is404 ? undefined : request.routeOptions.url;
    const path = template ? template.replace(/:([A-Za-z0-9_]+)/g, '{$1}') : UNMATCHED_ROUTE;
    const labels = { method: request.method, path, status: String(reply.statusCode) };
    const seconds = reply.elapsedTime / 1000;
    metrics.httpRequests.inc(labels);
    metrics.httpDuration.observe(labels, seconds);
    const length = reply.getHeader('content-length');
    // Only chosen fields are logged, never request headers, so the Authorization token cannot leak here.
    const user = proxiedUser(request);
    request.log.info(
      {
        method: request.method,
        path: request.url.split('?')[0],
        status: reply.statusCode,
        bytes: length === undefined ? 0 : Number(length),
        duration_ms: Math.round(reply.elapsedTime * 1000) / 1000,
        ...(user === undefined ? {} : { user }),
      },
      'http_request',
    );
  });
}
