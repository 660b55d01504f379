import type { FastifyRequest } from 'fastify';

/** Set by the UI server to the user it proxies a request for. */
export const USER_HEADER = 'x-roller-user';
const MAX_USER_LENGTH = 200;

/**
 * The user the UI server proxies this request for, fit for logs, history actors and `updated_by`:
 * a string without control or separator characters, at most 200 characters; undefined without one.
 */
export function proxiedUser(request: Pick<FastifyRequest, 'headers'>): string | undefined {
  const value = request.headers[USER_HEADER];
  if (typeof value !== 'string') return undefined;
  const printable = Array.from(value.replace(/[\p{C}\p{Zl}\p{Zp}]/gu, ''))
    .slice(0, MAX_USER_LENGTH)
    .join('')
    .trim();
  return printable === '' ? undefined : printable;
}

/** The actor of a change for device history and settings: the proxied user, else `api` (a direct API call). */
export const proxiedActor = (request: Pick<FastifyRequest, 'headers'>): string => proxiedUser(request) ?? 'api';
