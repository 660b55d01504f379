import type { FastifyError, FastifyInstance, FastifyReply } from 'fastify';
import { type ErrorCode, type ErrorDetails, isRollerError, RollerError } from '../../shared/errors.ts';

/** The UI server answers errors in core's envelope `{error:{code,message,details}}` (SPEC §4.1). */
export function sendError(reply: FastifyReply, error: RollerError): FastifyReply {
  const body: { error: { code: ErrorCode; message: string; details?: ErrorDetails } } = {
    error: { code: error.code, message: error.message },
  };
  if (error.details && Object.keys(error.details).length > 0) body.error.details = error.details;
  return reply.status(error.status).header('cache-control', 'no-store').type('application/json').send(body);
}

export function registerUiErrorHandling(app: FastifyInstance): void {
  app.setErrorHandler((error: FastifyError, request, reply) => {
    if (isRollerError(error)) return sendError(reply, error);
    switch (error.code) {
      case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
        return sendError(reply, new RollerError('unsupported_media_type', 'request body must be application/json'));
      case 'FST_ERR_CTP_BODY_TOO_LARGE':
        return sendError(reply, new RollerError('payload_too_large', 'request body too large'));
      case 'FST_ERR_CTP_INVALID_JSON_BODY':
      case 'FST_ERR_CTP_EMPTY_JSON_BODY':
        return sendError(reply, new RollerError('validation_failed', 'invalid json body'));
    }
    if (error.statusCode === 400 && error instanceof SyntaxError) {
      return sendError(reply, new RollerError('validation_failed', 'invalid json body'));
    }
    if (typeof error.statusCode === 'number' && error.statusCode >= 400 && error.statusCode < 500) {
      return sendError(reply, new RollerError('validation_failed', error.message));
    }
    request.log.error({ err: error }, 'unhandled error');
    return sendError(reply, new RollerError('internal_error', 'internal error'));
  });
}

/** A JSON object body, or the SPEC's 400 for anything else. */
export function jsonObject(body: unknown): Record<string, unknown> {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw new RollerError('validation_failed', 'request body must be a JSON object');
  }
  return body as Record<string, unknown>;
}

/** A string field, or undefined when absent; any other type is a 400 naming the field. */
export function optionalString(body: Record<string, unknown>, field: string): string | undefined {
  const value = body[field];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string') throw new RollerError('validation_failed', `${field} must be a string`, { field });
  return value;
}
