import type { IncomingHttpHeaders } from 'node:http';
import type { Readable } from 'node:stream';
import replyFrom from '@fastify/reply-from';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { RollerError } from '../../shared/errors.ts';
import { proxiedMutationEvent } from '../audit/audit-events.ts';
import type { CoreClient } from '../core/core-client.ts';
import { assertCsrf, MUTATING_METHODS, requireSession } from '../http/request-guards.ts';
import { sendError } from '../http/ui-errors.ts';
import type { SessionManager } from '../session/session-manager.ts';

export interface ProxyRoutesOptions {
  core: CoreClient;
  sessions: SessionManager;
  timeoutMs: number;
  trustProxy: boolean;
}

declare module 'fastify' {
  interface FastifyRequest {
    /** Core's status for a proxied request, once core answered (what the audit event records). */
    coreStatus?: number;
    /** Core's path (`/api/v1/…?query`) this request was forwarded to. */
    corePath?: string;
  }
}

/** Request headers never forwarded: hop-by-hop, the browser's credentials, and our own trust headers. */
const DROPPED_REQUEST_HEADERS = [
  'host',
  'connection',
  'keep-alive',
  'accept-encoding',
  'cookie',
  'authorization',
  'proxy-authorization',
  'x-roller-user',
  'x-roller-role',
  'x-csrf-token',
];
/** Response headers core must not be able to set in the browser. */
const DROPPED_RESPONSE_HEADERS = ['set-cookie', 'www-authenticate', 'connection', 'keep-alive', 'transfer-encoding'];

/**
 * `/api/*` → core (SPEC §9.6, hardened): session required; every mutating method refused for
 * read-only users whatever the route (G-09 was one route that forgot); CSRF token required for
 * cookie mutations; the user's identity and a request id go to core, the cookie does not; core's
 * answer (streams included) is relayed as it arrives; every proxied mutation is audited.
 */
export async function coreProxyRoutes(app: FastifyInstance, options: ProxyRoutesOptions): Promise<void> {
  const { core, sessions } = options;
  await app.register(replyFrom, { undici: core.pool as never, base: core.origin, disableRequestLogging: true });

  // Bodies pass through untouched as streams: the UI server neither parses nor limits them (core does both).
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', (_request, payload, done) => done(null, payload));

  const handler = async (request: FastifyRequest, reply: FastifyReply) => {
    const corePath = corePathOf(request.url);
    if (corePath === undefined)
      throw new RollerError('not_found', 'route not found', { path: request.url.split('?')[0] });
    const session = await requireSession(sessions, request);
    const mutating = MUTATING_METHODS.has(request.method);
    if (mutating) {
      if (session.user.role !== 'admin') {
        throw new RollerError('forbidden', 'read-only users cannot change anything', { role: session.user.role });
      }
      assertCsrf(sessions, request, session);
    }
    if (corePath.startsWith('/api/v1/audit/events') && request.method !== 'GET' && request.method !== 'HEAD') {
      // Core trusts the actor of an audit event; only the UI server itself may write them.
      throw new RollerError('forbidden', 'audit events are written by the UI server, not through the proxy');
    }
    request.corePath = corePath;
    return reply.from(`${core.basePath}${corePath}`, {
      timeout: options.timeoutMs,
      rewriteRequestHeaders: (_request, headers) => forwardedHeaders(request, headers, core, options.trustProxy),
      rewriteHeaders: (headers) => {
        const relayed: Record<string, unknown> = { ...headers };
        for (const name of DROPPED_RESPONSE_HEADERS) delete relayed[name];
        relayed['x-request-id'] = request.id;
        relayed['cache-control'] = 'no-store';
        return relayed as IncomingHttpHeaders;
      },
      onResponse: (_request, _reply, response) => {
        const stream = (response as unknown as { stream: Readable }).stream;
        request.coreStatus = response.statusCode;
        if (response.statusCode === 401) {
          // Core refused *our* token (the browser's credentials never reach it): a misconfiguration.
          stream.resume();
          request.log.error('core refused the UI server (CORE_API_TOKEN differs between core and UI)');
          return sendError(
            reply.removeHeader('content-length'),
            new RollerError('core_unavailable', 'core refused the UI server’s credentials'),
          );
        }
        return reply.send(stream);
      },
      onError: (_reply, { error }) => {
        const timedOut = (error as { statusCode?: number }).statusCode === 504;
        request.log.warn(
          { err: (error as { cause?: unknown }).cause ?? error, core_path: corePath },
          'core request failed',
        );
        return sendError(
          reply,
          timedOut
            ? new RollerError('timeout', `core did not answer within ${Math.round(options.timeoutMs / 1000)} s`)
            : new RollerError('core_unavailable', 'core is unreachable; try again shortly'),
        );
      },
    });
  };

  const methods = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'] as const;
  app.route({ method: [...methods], url: '/api/*', handler, exposeHeadRoute: false });

  app.addHook('onResponse', async (request) => {
    const session = request.session;
    if (!MUTATING_METHODS.has(request.method) || !session || request.coreStatus === undefined) return;
    const path = (request.corePath ?? '').replace(/^\/api/, '');
    await core.recordAudit(proxiedMutationEvent(session.user, request.method, path, request.coreStatus), request.id);
  });
}

/**
 * The browser's `/api/<path>` as core's path: `/api/v1/…` as it is, and the SPEC's short forms
 * (`/api/devices/export`, `/api/devices/<id>/tags` …) as `/api/v1/…`. `/api/auth/*` is the UI's own.
 */
export function corePathOf(url: string): string | undefined {
  const [path = '', query] = splitOnce(url, '?');
  if (!path.startsWith('/api/') || path.startsWith('/api/auth/') || path === '/api/auth') return undefined;
  const rest = path.slice('/api/'.length);
  if (rest === '' || rest.includes('..')) return undefined;
  const corePath = rest === 'v1' || rest.startsWith('v1/') ? `/api/${rest}` : `/api/v1/${rest}`;
  return query === undefined ? corePath : `${corePath}?${query}`;
}

function splitOnce(text: string, separator: string): [string, string | undefined] {
  const index = text.indexOf(separator);
  return index < 0 ? [text, undefined] : [text.slice(0, index), text.slice(index + 1)];
}

function forwardedHeaders(
  request: FastifyRequest,
  incoming: IncomingHttpHeaders,
  core: CoreClient,
  trustProxy: boolean,
): IncomingHttpHeaders {
  const headers: IncomingHttpHeaders = { ...incoming };
  for (const name of DROPPED_REQUEST_HEADERS) delete headers[name];
  if (!trustProxy) {
    delete headers['x-forwarded-for'];
    delete headers['x-forwarded-proto'];
    delete headers['x-forwarded-host'];
  }
  headers['x-forwarded-for'] = request.ips?.join(', ') ?? request.ip;
  headers['x-request-id'] = request.id;
  headers.accept ??= 'application/json';
  if (request.session) {
    headers['x-roller-user'] = request.session.user.username;
    headers['x-roller-role'] = request.session.user.role;
  }
  return { ...headers, ...core.authorization() };
}
