import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { type ErrorCode, type ErrorDetails, isRollerError, RollerError } from '../shared/errors.ts';
import { type ParameterError, X_ERROR } from '../shared/schemas/common.ts';
import { isDatabaseError, isDatabaseUnavailable } from './db-errors.ts';

declare module 'fastify' {
  interface FastifyContextConfig {
    /** The db_error message of this route, e.g. "failed to list devices" (SPEC §4.4). */
    dbErrorMessage?: string;
    /** The body may be left out entirely (SPEC §4.1: decode only when Content-Length > 0). */
    optionalBody?: boolean;
  }
}

export function sendError(reply: FastifyReply, error: RollerError): FastifyReply {
  const body: { error: { code: ErrorCode; message: string; details?: ErrorDetails } } = {
    error: { code: error.code, message: error.message },
  };
  if (error.details && Object.keys(error.details).length > 0) body.error.details = error.details;
  return reply.status(error.status).type('application/json').send(body);
}

interface AjvError {
  keyword: string;
  instancePath: string;
  message?: string;
  params?: Record<string, unknown>;
}

/** The one place that maps failures to the `{error:{code,message,details}}` envelope (SPEC §4.1). */
export function registerErrorHandling(app: FastifyInstance): void {
  app.setErrorHandler((error: FastifyError, request, reply) => sendError(reply, toRollerError(error, request)));

  app.setNotFoundHandler((request, reply) => {
    const path = request.url.split('?')[0] ?? '/';
    const allowed = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'].filter(
      (method) => method !== request.method && app.findRoute({ method: method as 'GET', url: path }) !== null,
    );
    if (allowed.length > 0) {
      reply.header('allow', allowed.join(', '));
      return sendError(
        reply,
        new RollerError('method_not_allowed', `method ${request.method} is not allowed on ${path}`),
      );
    }
    return sendError(reply, new RollerError('not_found', 'route not found', { path }));
  });
}

function toRollerError(error: FastifyError, request: FastifyRequest): RollerError {
  if (isRollerError(error)) return error;
  if (error.validation) return validationError(error, request);
  switch (error.code) {
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return new RollerError('unsupported_media_type', 'request body must be application/json', {
        content_type: request.headers['content-type'] ?? null,
      });
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return new RollerError('payload_too_large', 'request body too large', {
        limit_bytes: request.routeOptions.bodyLimit,
      });
    case 'FST_ERR_CTP_INVALID_JSON_BODY':
      return new RollerError('validation_failed', 'invalid json body', { error: error.message });
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
      return new RollerError('validation_failed', 'invalid json body', { error: 'body is empty' });
    case 'FST_ERR_CTP_INVALID_CONTENT_LENGTH':
      return new RollerError('validation_failed', 'invalid json body', {
        error: 'content-length does not match the body',
      });
  }
  if (error.statusCode === 400 && (error.name === 'SyntaxError' || error instanceof SyntaxError)) {
    return new RollerError('validation_failed', 'invalid json body', { error: error.message });
  }
  if (isDatabaseUnavailable(error)) {
    request.log.error({ err: error }, 'database unavailable');
    return new RollerError('db_unavailable', 'database not ready', { error: 'database connection failed' });
  }
  if (isDatabaseError(error)) {
    const message = request.routeOptions.config?.dbErrorMessage ?? 'database error';
    request.log.error({ err: error }, message);
    return new RollerError('db_error', message);
  }
  if (typeof error.statusCode === 'number' && error.statusCode >= 400 && error.statusCode < 500) {
    return new RollerError('validation_failed', error.message);
  }
  request.log.error({ err: error }, 'unhandled error');
  return new RollerError('internal_error', 'internal error');
}

function validationError(error: FastifyError, request: FastifyRequest): RollerError {
  const context = (error as FastifyError & { validationContext?: string }).validationContext;
  const first = (error.validation?.[0] ?? { keyword: '', instancePath: '' }) as AjvError;
  if (context === 'body') {
    return new RollerError('validation_failed', 'invalid json body', { error: describeAjvError(first, 'body') });
  }
  // A query or path parameter: its schema may carry the SPEC message in `x-error`.
  const name = parameterName(first);
  const partSchema = (request.routeOptions.schema as Record<string, unknown> | undefined)?.[
    context === 'params' ? 'params' : 'querystring'
  ] as { properties?: Record<string, Record<string, unknown>> } | undefined;
  const spec = name ? (partSchema?.properties?.[name]?.[X_ERROR] as ParameterError | undefined) : undefined;
  const value = name ? (context === 'params' ? request.params : request.query)?.[name as never] : undefined;
  if (spec) {
    const detailText = spec.errors?.[first.keyword] ?? spec.errors?.['*'];
    const details: ErrorDetails = spec.code === 'invalid_id' ? { id: value } : { [name as string]: value };
    if (detailText) details.error = detailText;
    return new RollerError(spec.code ?? 'validation_failed', spec.message, details);
  }
  return new RollerError('validation_failed', `invalid ${context === 'params' ? 'path' : 'query'} parameter`, {
    error: describeAjvError(first, name ?? context ?? 'parameter'),
    ...(name ? { parameter: name } : {}),
  });
}

function parameterName(error: AjvError): string | undefined {
  if (error.keyword === 'additionalProperties') return error.params?.additionalProperty as string | undefined;
  if (error.keyword === 'required') return error.params?.missingProperty as string | undefined;
  return error.instancePath.split('/')[1] || undefined;
}

function describeAjvError(error: AjvError, subject: string): string {
  if (error.keyword === 'additionalProperties') return `unknown field "${String(error.params?.additionalProperty)}"`;
  const where = error.instancePath ? error.instancePath.slice(1).replaceAll('/', '.') : subject;
  return `${where} ${error.message ?? 'is invalid'}`;
}
