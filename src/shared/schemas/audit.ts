import { type Static, Type } from 'typebox';
import { cursorParam, limitParam, type ParameterError, Timestamp, Uuid, X_ERROR } from './common.ts';

const OptionalText = (maxLength: number) => Type.Optional(Type.Union([Type.String({ maxLength }), Type.Null()]));

/** SPEC §4.7: strict body; actor and action required (trimmed), optional strings blank → null. */
export const AuditEventCreate = Type.Object(
  {
    actor: Type.String({ maxLength: 200, description: 'Username (trimmed; blank is refused)' }),
    action: Type.String({ maxLength: 200, description: 'e.g. device.create (trimmed; blank is refused)' }),
    actor_role: OptionalText(100),
    target_type: OptionalText(100),
    target_id: Type.Optional(
      Type.Union([Type.String({ maxLength: 100 }), Type.Null()], { description: 'A UUID when present' }),
    ),
    details: Type.Optional(Type.Record(Type.String(), Type.Unknown(), { description: 'Free-form; defaults to {}' })),
  },
  { additionalProperties: false },
);
export type AuditEventCreateBody = Static<typeof AuditEventCreate>;

export const AuditEventCreated = Type.Object({ ok: Type.Literal(true) }, { additionalProperties: false });

export const AuditEvent = Type.Object(
  {
    id: Uuid,
    actor: Type.String(),
    actor_role: Type.Optional(Type.String()),
    action: Type.String(),
    target_type: Type.Optional(Type.String()),
    target_id: Type.Optional(Uuid),
    details: Type.Record(Type.String(), Type.Unknown()),
    created_at: Timestamp,
  },
  { additionalProperties: false, $id: 'AuditEvent' },
);

export const AuditEventList = Type.Object(
  { events: Type.Array(AuditEvent), cursor: Type.Optional(Type.String()) },
  { additionalProperties: false },
);

const timestampParam = (name: 'since' | 'until', description: string) =>
  Type.String({
    format: 'date-time',
    description,
    [X_ERROR]: {
      message: `invalid ${name} timestamp`,
      errors: { '*': `${name} must be an RFC 3339 timestamp` },
    } satisfies ParameterError,
  });

export const AuditEventListQuery = Type.Object(
  {
    actor: Type.Optional(Type.String({ maxLength: 200, description: 'Exact actor' })),
    action: Type.Optional(Type.String({ maxLength: 200, description: 'Exact action, e.g. device.update' })),
    target_type: Type.Optional(Type.String({ maxLength: 100, description: 'Exact target type' })),
    target_id: Type.Optional(
      Type.String({
        format: 'uuid',
        description: 'Target id',
        [X_ERROR]: {
          message: 'invalid target_id',
          errors: { '*': 'target_id must be a uuid' },
        } satisfies ParameterError,
      }),
    ),
    since: Type.Optional(timestampParam('since', 'Inclusive lower bound on created_at (RFC 3339)')),
    until: Type.Optional(timestampParam('until', 'Exclusive upper bound on created_at (RFC 3339)')),
    limit: Type.Optional(limitParam(50, 200)),
    cursor: Type.Optional(cursorParam()),
  },
  { additionalProperties: false },
);
export type AuditEventListQueryParams = Static<typeof AuditEventListQuery>;
