import { type Static, Type } from 'typebox';
import { type ParameterError, Timestamp, X_ERROR } from './common.ts';
import { FocusType, Layer } from './map.ts';

/** Saved map layouts (issue 8): node positions per layer and focus, shared by every operator. */

export const LAYOUT_MAX_POSITIONS = 2000;
export const LAYOUT_MAX_ELEMENT_ID = 256;
export const LAYOUT_MAX_COORDINATE = 1_000_000;

export const MapLayoutQuery = Type.Object(
  {
    focusType: Type.Optional(
      Type.String({
        maxLength: 32,
        description: 'Required: device, subnet, vlan, zone or service (case-insensitive)',
        [X_ERROR]: { message: 'invalid focusType' } satisfies ParameterError,
      }),
    ),
    focusId: Type.Optional(
      Type.String({
        maxLength: 256,
        description:
          'Required: device or service UUID, CIDR prefix (masked to its network), VLAN 1–4094, or zone id ' +
          '(1–64 characters); normalised as `GET /api/v1/map/{layer}` does',
        [X_ERROR]: { message: 'invalid focusId' } satisfies ParameterError,
      }),
    ),
  },
  { additionalProperties: false },
);
export type MapLayoutQueryParams = Static<typeof MapLayoutQuery>;

const Coordinate = Type.Number({ minimum: -LAYOUT_MAX_COORDINATE, maximum: LAYOUT_MAX_COORDINATE });
const Position = Type.Object({ x: Coordinate, y: Coordinate }, { additionalProperties: false });
export type LayoutPosition = Static<typeof Position>;

/*
 * Written out rather than Type.Record: Record validates keys through `patternProperties: {"^.*$"}`,
 * which a key holding a line break does not match, so its value would go unchecked.
 */
const Positions = Type.Unsafe<Record<string, LayoutPosition>>({
  type: 'object',
  additionalProperties: Position,
  propertyNames: { minLength: 1, maxLength: LAYOUT_MAX_ELEMENT_ID },
  maxProperties: LAYOUT_MAX_POSITIONS,
  description: `Element id (1–${LAYOUT_MAX_ELEMENT_ID} characters, as the projection names it) → position; at most ${LAYOUT_MAX_POSITIONS}`,
});

export const MapLayoutUpdate = Type.Object(
  { positions: Positions },
  { additionalProperties: false, description: 'The whole layout: it replaces what was saved' },
);
export type MapLayoutUpdateBody = Static<typeof MapLayoutUpdate>;

export const MapLayout = Type.Object(
  {
    layer: Layer,
    focus: Type.Object(
      { type: FocusType, id: Type.String({ description: 'The normalised focus id' }) },
      { additionalProperties: false },
    ),
    positions: Positions,
    updated_at: Type.Union([Timestamp, Type.Null()], { description: 'null when nothing is saved' }),
    updated_by: Type.Union([Type.String(), Type.Null()], {
      description: 'The user the UI server named (X-Roller-User), else null',
    }),
  },
  { additionalProperties: false, $id: 'MapLayout' },
);
export type MapLayoutBody = Static<typeof MapLayout>;
