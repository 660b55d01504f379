import cookie from '@fastify/cookie';
import helmet from '@fastify/helmet';
import Fastify, { type FastifyBaseLogger, type FastifyInstance, type FastifyRequest, LogController } from 'fastify';
import type { Logger } from '../shared/logger.ts';
import { requestIdFor } from '../shared/request-id.ts';
import { type AccountAction, type Actor, accountEvent } from './audit/audit-events.ts';
import { authRoutes } from './auth/auth.routes.ts';
import { LoginThrottle } from './auth/login-throttle.ts';
import type { CoreClient } from './core/core-client.ts';
import type { CookiePolicy } from './http/request-guards.ts';
import { registerUiErrorHandling } from './http/ui-errors.ts';
import { coreProxyRoutes } from './proxy/core-proxy.routes.ts';
import type { SessionManager } from './session/session-manager.ts';
import type { UserStore } from './users/user-store.ts';
import { webAppRoutes } from './web-app.routes.ts';

export interface UiDependencies {
  logger: Logger;
  store: UserStore;
  sessions: SessionManager;
  core: CoreClient;
  cookies: CookiePolicy;
  throttle: { threshold: number; lockoutMs: number; now?: () => number };
  proxyTimeoutMs: number;
  trustProxy: boolean;
  webRoot: string;
}

/** Small JSON bodies only on the UI's own routes; proxied bodies stream to core, which sets its own limits. */
const AUTH_BODY_LIMIT = 16 * 1024;

/** Builds the UI server without listening (tests drive it with `inject` or a real socket). */
export async function buildUiApp(deps: UiDependencies): Promise<FastifyInstance> {
  const app = Fastify({
    loggerInstance: deps.logger as FastifyBaseLogger,
    logController: new LogController({ disableRequestLogging: true, requestIdLogLabel: 'request_id' }),
    genReqId: requestIdFor,
    trustProxy: deps.trustProxy,
    bodyLimit: AUTH_BODY_LIMIT,
    return503OnClosing: true,
    routerOptions: { ignoreTrailingSlash: false, maxParamLength: 200 },
  });
  registerUiErrorHandling(app);
  await app.register(cookie);
  await app.register(helmet, {
    contentSecurityPolicy: {
      useDefaults: false,
      directives: {
        defaultSrc: ["'self'"],
        scriptSrc: ["'self'"],
        styleSrc: ["'self'", "'unsafe-inline'"],
        imgSrc: ["'self'", 'data:'],
        fontSrc: ["'self'", 'data:'],
        connectSrc: ["'self'"],
        objectSrc: ["'none'"],
        baseUri: ["'self'"],
        formAction: ["'self'"],
        frameAncestors: ["'none'"],
      },
    },
    referrerPolicy: { policy: 'no-referrer' },
    frameguard: { action: 'deny' },
    // HSTS only makes sense over https; helmet's default would pin plain-http installs.
    strictTransportSecurity: false,
    crossOriginEmbedderPolicy: false,
  });
  app.addHook('onSend', async (request, reply) => {
    reply.header('x-request-id', request.id);
    if (request.protocol === 'https') reply.header('strict-transport-security', 'max-age=31536000');
  });
  app.addHook('onResponse', async (request, reply) => {
    const length = reply.getHeader('content-length');
    request.log.info(
      {
        method: request.method,
        path: request.url.split('?')[0],
        status: reply.statusCode,
        bytes: length === undefined ? 0 : Number(length),
        duration_ms: Math.round(reply.elapsedTime * 1000) / 1000,
        ...(request.session ? { user: request.session.user.username } : {}),
      },
      'http_request',
    );
  });

  app.get('/healthz', async (_request, reply) => {
    reply.header('cache-control', 'no-store');
    return { ok: true };
  });

  const audit = async (
    request: FastifyRequest,
    action: AccountAction,
    actor: Actor,
    details: Record<string, unknown> = {},
  ): Promise<void> => {
    await deps.core.recordAudit(accountEvent(actor, action, details), request.id);
  };
  await app.register(authRoutes, {
    store: deps.store,
    sessions: deps.sessions,
    throttle: new LoginThrottle(deps.throttle),
    cookies: deps.cookies,
    audit,
  });
  await app.register(coreProxyRoutes, {
    core: deps.core,
    sessions: deps.sessions,
    timeoutMs: deps.proxyTimeoutMs,
    trustProxy: deps.trustProxy,
  });
  await app.register(webAppRoutes, { root: deps.webRoot });
  return app;
}
