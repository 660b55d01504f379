import type {} from '@fastify/cookie';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { RollerError } from '../../shared/errors.ts';
import type { Session, SessionManager } from '../session/session-manager.ts';

export const SESSION_COOKIE = 'roller_session';
export const CSRF_HEADER = 'x-csrf-token';
export const MUTATING_METHODS: ReadonlySet<string> = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

declare module 'fastify' {
  interface FastifyRequest {
    /** Set once the session cookie has been checked and found valid. */
    session?: Session;
  }
}

/** The request's session, or a 401; the reason goes to the debug log, never to the client. */
export async function requireSession(sessions: SessionManager, request: FastifyRequest): Promise<Session> {
  if (request.session) return request.session;
  const check = await sessions.check(request.cookies[SESSION_COOKIE]);
  if (!check.ok) {
    if (check.reason !== 'missing') request.log.debug({ reason: check.reason }, 'session refused');
    throw new RollerError('unauthorized', 'authentication required');
  }
  request.session = check.session;
  return check.session;
}

/**
 * Cross-site requests are refused before anything else looks at them: browsers say where a request
 * comes from in Sec-Fetch-Site (or, older ones, Origin). Clients that send neither are not browsers
 * and cannot be tricked into riding a cookie; the CSRF token still stands in their way.
 */
export function assertSameOrigin(request: FastifyRequest): void {
  const site = request.headers['sec-fetch-site'];
  if (site !== undefined) {
    if (site === 'same-origin' || site === 'none') return;
    throw new RollerError('forbidden', 'cross-site request refused', { reason: `sec-fetch-site: ${site}` });
  }
  const origin = request.headers.origin;
  if (origin === undefined) return;
  let host: string | undefined;
  try {
    host = origin === 'null' ? undefined : new URL(origin).host;
  } catch {
    host = undefined;
  }
  if (host === undefined || host !== request.host) {
    throw new RollerError('forbidden', 'cross-site request refused', { reason: 'origin does not match host' });
  }
}

/** A cookie-authenticated mutation must come from our own pages and carry the session's CSRF token. */
export function assertCsrf(sessions: SessionManager, request: FastifyRequest, session: Session): void {
  assertSameOrigin(request);
  const given = request.headers[CSRF_HEADER];
  if (!sessions.csrfTokenMatches(session, typeof given === 'string' ? given : undefined)) {
    throw new RollerError('forbidden', 'missing or invalid CSRF token', { header: 'X-CSRF-Token' });
  }
}

export function assertAdmin(session: Session): void {
  if (session.user.role !== 'admin') throw new RollerError('forbidden', 'admin role required');
}

export interface CookiePolicy {
  /** AUTH_COOKIE_SECURE; undefined = decide per request. */
  readonly secure: boolean | undefined;
  readonly production: boolean;
}

/** SPEC §9.4: the override, else https (as the trusted proxy reports it), else production. */
export function cookieIsSecure(policy: CookiePolicy, request: FastifyRequest): boolean {
  if (policy.secure !== undefined) return policy.secure;
  return request.protocol === 'https' || policy.production;
}

export function setSessionCookie(
  reply: FastifyReply,
  request: FastifyRequest,
  policy: CookiePolicy,
  token: string,
  expiresAtSeconds: number,
): void {
  const maxAge = Math.max(0, expiresAtSeconds - Math.floor(Date.now() / 1000));
  reply.setCookie(SESSION_COOKIE, token, {
    path: '/',
    httpOnly: true,
    sameSite: 'lax',
    secure: cookieIsSecure(policy, request),
    maxAge,
    expires: new Date(expiresAtSeconds * 1000),
  });
}

export function clearSessionCookie(reply: FastifyReply, request: FastifyRequest, policy: CookiePolicy): void {
  reply.setCookie(SESSION_COOKIE, '', {
    path: '/',
    httpOnly: true,
    sameSite: 'lax',
    secure: cookieIsSecure(policy, request),
    maxAge: 0,
    expires: new Date(0),
  });
}
