/**
 * Stable error codes of the API envelope `{error:{code,message,details}}` (SPEC §4.1).
 * The HTTP status lives here too so exactly one place maps codes to statuses.
 */
export const ERROR_STATUS = {
  validation_failed: 400,
  invalid_id: 400,
  unauthorized: 401,
  forbidden: 403,
  not_found: 404,
  method_not_allowed: 405,
  conflict: 409,
  not_supported: 409,
  payload_too_large: 413,
  unsupported_media_type: 415,
  rate_limited: 429,
  db_error: 500,
  internal_error: 500,
  core_unavailable: 502,
  db_unavailable: 503,
  timeout: 504,
} as const;

export type ErrorCode = keyof typeof ERROR_STATUS;
export type ErrorDetails = Record<string, unknown>;

/** An expected failure with a stable code; the API error handler turns it into the envelope. */
export class RollerError extends Error {
  readonly code: ErrorCode;
  readonly details: ErrorDetails | undefined;

  constructor(code: ErrorCode, message: string, details?: ErrorDetails, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'RollerError';
    this.code = code;
    this.details = details;
  }

  get status(): number {
    return ERROR_STATUS[this.code];
  }
}

export function isRollerError(value: unknown): value is RollerError {
  return value instanceof RollerError;
}

export const notFound = (entity: 'device' | 'discovery run' | 'discovery schedule', id: string): RollerError =>
  new RollerError('not_found', `${entity} not found`, { id });

export const invalidId = (entity: 'device' | 'run', id: string): RollerError =>
  new RollerError('invalid_id', `${entity} id is not a valid uuid`, { id });

export const validationFailed = (message: string, details?: ErrorDetails): RollerError =>
  new RollerError('validation_failed', message, details);
