import { createHash, timingSafeEqual } from 'node:crypto';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { RollerError } from '../shared/errors.ts';

export interface BearerAuthOptions {
  /** CORE_API_TOKEN: required on every request but the exempt service endpoints. */
  apiToken?: string | undefined;
  /** METRICS_TOKEN: required on `/metrics` (which is open otherwise). */
  metricsToken?: string | undefined;
}

/** The `WWW-Authenticate` challenge sent with every 401 of core. */
export const BEARER_CHALLENGE = 'Bearer realm="roller-core"';

/** Probes must work without credentials: liveness and readiness checks rarely can send a header. */
const OPEN_ROUTES = new Set(['/healthz', '/readyz']);
const METRICS_ROUTE = '/metrics';

/**
 * Core's optional shared-secret authentication (CORE_API_TOKEN, METRICS_TOKEN).
 *
 * Why an onRequest hook on the root instance: it runs before body parsing and before any handler, and
 * the not-found handler and every plugin (swagger-ui included) inherit it, so without the token an
 * unknown path answers 401 like a real one — the API cannot be enumerated by probing for 404s.
 * Exemptions are decided on the route the router matched, never on the raw URL, so encodings or
 * query strings cannot widen them. Both sides are hashed before `timingSafeEqual`, which makes the
 * comparison constant-time and independent of the presented token's length.
 */
export function registerBearerAuth(app: FastifyInstance, options: BearerAuthOptions): void {
  const apiDigest = options.apiToken ? digest(options.apiToken) : undefined;
  const metricsDigest = options.metricsToken ? digest(options.metricsToken) : undefined;
  if (!apiDigest && !metricsDigest) return;

  app.addHook('onRequest', async (request, reply) => {
    const expected = expectedDigest(request, apiDigest, metricsDigest);
    if (!expected) return;
    const presented = bearerCredentials(request.headers.authorization);
    if (presented !== undefined && timingSafeEqual(digest(presented), expected)) return;
    reply.header('www-authenticate', BEARER_CHALLENGE);
    throw new RollerError(
      'unauthorized',
      presented === undefined ? 'a bearer token is required' : 'invalid bearer token',
    );
  });
}

function expectedDigest(
  request: FastifyRequest,
  apiDigest: Buffer | undefined,
  metricsDigest: Buffer | undefined,
): Buffer | undefined {
  const route = request.is404 ? undefined : request.routeOptions.url;
  const safeMethod = request.method === 'GET' || request.method === 'HEAD';
  if (safeMethod && route !== undefined && OPEN_ROUTES.has(route)) return undefined;
  if (safeMethod && route === METRICS_ROUTE) return metricsDigest;
  return apiDigest;
}

/** The credentials of an `Authorization: Bearer <token>` header (scheme case-insensitive), if any. */
function bearerCredentials(header: string | undefined): string | undefined {
  // Node has already trimmed the header value; a configured token may contain any character but newlines.
  const match = header ? /^bearer +(.+)$/i.exec(header) : null;
  return match?.[1];
}

function digest(value: string): Buffer {
  return createHash('sha256').update(value, 'utf8').digest();
}
