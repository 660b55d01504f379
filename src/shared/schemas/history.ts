import { type Static, Type } from 'typebox';
import { DEVICE_EVENT_KINDS } from '../../domain/device-events.ts';
import { cursorParam, limitParam, type ParameterError, Timestamp, Uuid, X_ERROR } from './common.ts';

export const HISTORY_MAX_LIMIT = 100;

export const DeviceEvent = Type.Object(
  {
    event_id: Type.String({ description: 'Unique, increasing within one event_at; compare as a number' }),
    device_id: Uuid,
    event_at: Timestamp,
    kind: Type.Enum([...DEVICE_EVENT_KINDS]),
    summary: Type.String(),
    details: Type.Record(Type.String(), Type.Unknown(), { description: 'What changed; keys depend on the kind' }),
    run_id: Type.Optional(Type.String({ format: 'uuid', description: 'The discovery run that saw the change' })),
    actor: Type.Optional(Type.String({ description: 'Who made the change (edits and imports)' })),
  },
  { additionalProperties: false, $id: 'DeviceEvent' },
);
export type DeviceEventBody = Static<typeof DeviceEvent>;

export const DeviceEventList = Type.Object(
  { events: Type.Array(DeviceEvent), cursor: Type.Optional(Type.String()) },
  { additionalProperties: false },
);

const timestampParam = (meaning: string) =>
  Type.String({ maxLength: 64, description: `RFC 3339 timestamp; ${meaning}. Honoured on every page.` });

const kindList = Type.Array(Type.Enum([...DEVICE_EVENT_KINDS]), {
  maxItems: DEVICE_EVENT_KINDS.length * 2,
  description: 'Only these kinds: repeat the parameter or separate with commas',
  [X_ERROR]: {
    message: 'invalid kind value',
    errors: { '*': `kind must be one of: ${DEVICE_EVENT_KINDS.join(', ')}` },
  } satisfies ParameterError,
});

const common = {
  since: Type.Optional(timestampParam('inclusive lower bound on event_at')),
  until: Type.Optional(timestampParam('exclusive upper bound on event_at')),
  kind: Type.Optional(kindList),
  limit: Type.Optional(limitParam(50, HISTORY_MAX_LIMIT)),
  cursor: Type.Optional(cursorParam()),
};

export const DeviceChangesQuery = Type.Object(
  {
    ...common,
    device_id: Type.Optional(
      Type.String({
        format: 'uuid',
        description: 'Only this device',
        [X_ERROR]: {
          message: 'invalid device_id value',
          errors: { '*': 'device_id must be a uuid' },
        } satisfies ParameterError,
      }),
    ),
  },
  { additionalProperties: false },
);
export type DeviceChangesQueryParams = Static<typeof DeviceChangesQuery>;

export const DeviceHistoryQuery = Type.Object(common, { additionalProperties: false });
export type DeviceHistoryQueryParams = Static<typeof DeviceHistoryQuery>;
