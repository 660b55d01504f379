import { type TInteger, type TString, Type } from 'typebox';
import type { ErrorCode } from '../errors.ts';

/**
 * `x-error` on a parameter schema names the envelope a failure of that parameter produces, so the
 * SPEC's per-parameter messages (`invalid limit`, `device id is not a valid uuid`) live next to the
 * schema that validates them and the one error handler reads them from there.
 */
export interface ParameterError {
  code?: ErrorCode;
  message: string;
  /** details.error text per failing JSON-schema keyword; `*` for any other keyword. */
  errors?: Record<string, string>;
}

export const X_ERROR = 'x-error';

export const ErrorEnvelope = Type.Object(
  {
    error: Type.Object(
      {
        code: Type.String({ description: 'Stable machine-readable code, e.g. validation_failed, not_found' }),
        message: Type.String({ description: 'Human-readable explanation' }),
        details: Type.Optional(Type.Record(Type.String(), Type.Unknown())),
      },
      { additionalProperties: false },
    ),
  },
  { additionalProperties: false, $id: 'ErrorEnvelope', description: 'Every non-2xx JSON response' },
);

export const Timestamp = Type.String({ format: 'date-time', description: 'RFC 3339, UTC, fractional seconds' });
export const Uuid = Type.String({ format: 'uuid' });

export function uuidParam(entity: 'device' | 'run'): TString {
  return Type.String({
    format: 'uuid',
    description: `${entity === 'run' ? 'Run' : 'Device'} id`,
    [X_ERROR]: { code: 'invalid_id', message: `${entity} id is not a valid uuid` } satisfies ParameterError,
  });
}

/** `limit`: empty → default; not an integer or ≤ 0 → 400; above the maximum → clamped (SPEC §4.1). */
export function limitParam(defaultValue: number, maximum: number): TInteger {
  return Type.Integer({
    minimum: 1,
    default: defaultValue,
    description: `Page size (default ${defaultValue}; values above ${maximum} are clamped to ${maximum})`,
    'x-maximum': maximum,
    [X_ERROR]: {
      message: 'invalid query parameter',
      errors: { type: 'invalid limit', minimum: 'limit must be positive', '*': 'invalid limit' },
    } satisfies ParameterError,
  });
}

export function cursorParam(): TString {
  return Type.String({ maxLength: 512, description: 'Opaque cursor from the previous page' });
}

/** Error responses every data endpoint may answer with. */
export function errorResponses(...statuses: number[]): Record<number, typeof ErrorEnvelope> {
  return Object.fromEntries(statuses.map((status) => [status, ErrorEnvelope]));
}
