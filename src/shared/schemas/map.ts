import { type Static, Type } from 'typebox';
import { limitParam, type ParameterError, X_ERROR } from './common.ts';

export const MAP_LIMIT_DEFAULT = 120;
export const MAP_LIMIT_MAX = 500;

export const MapLayerParams = Type.Object(
  {
    layer: Type.String({
      maxLength: 64,
      description: 'physical, l2, l3, services or security (trimmed, case-insensitive)',
      [X_ERROR]: { message: 'invalid layer' } satisfies ParameterError,
    }),
  },
  { additionalProperties: false },
);

export const MapQuery = Type.Object(
  {
    focusType: Type.Optional(
      Type.String({
        maxLength: 32,
        description: 'device, subnet, vlan, zone or service; needs focusId',
        [X_ERROR]: { message: 'invalid focusType' } satisfies ParameterError,
      }),
    ),
    focusId: Type.Optional(
      Type.String({
        maxLength: 256,
        description: 'Device or service UUID, CIDR prefix, VLAN 1–4094, or zone id; needs focusType',
        [X_ERROR]: { message: 'invalid focusId' } satisfies ParameterError,
      }),
    ),
    depth: Type.Optional(
      Type.Integer({
        minimum: 0,
        default: 1,
        description: 'Membership hops (default 1; values above 3 are clamped to 3)',
        [X_ERROR]: {
          message: 'invalid depth',
          errors: { '*': 'depth must be a non-negative integer' },
        } satisfies ParameterError,
      }),
    ),
    limit: Type.Optional(limitParam(MAP_LIMIT_DEFAULT, MAP_LIMIT_MAX)),
  },
  { additionalProperties: false },
);
export type MapQueryParams = Static<typeof MapQuery>;

const Meta = Type.Optional(Type.Record(Type.String(), Type.Unknown()));
const LabelValue = Type.Object({ label: Type.String(), value: Type.String() }, { additionalProperties: false });
/** The five layers and focus types, as the map and its saved layouts answer them. */
export const Layer = Type.Union([
  Type.Literal('physical'),
  Type.Literal('l2'),
  Type.Literal('l3'),
  Type.Literal('services'),
  Type.Literal('security'),
]);
export const FocusType = Type.Union([
  Type.Literal('device'),
  Type.Literal('subnet'),
  Type.Literal('vlan'),
  Type.Literal('zone'),
  Type.Literal('service'),
]);
const Truncation = Type.Object(
  {
    returned: Type.Integer(),
    limit: Type.Integer({ description: 'The effective cap' }),
    truncated: Type.Boolean(),
    total: Type.Optional(Type.Integer({ description: 'Given when known' })),
    warning: Type.Optional(Type.String()),
  },
  { additionalProperties: false },
);

export const MapProjection = Type.Object(
  {
    layer: Layer,
    focus: Type.Optional(
      Type.Object(
        { type: FocusType, id: Type.String(), label: Type.Optional(Type.String()) },
        { additionalProperties: false },
      ),
    ),
    guidance: Type.Optional(Type.String()),
    regions: Type.Array(
      Type.Object(
        {
          id: Type.String(),
          kind: Type.String(),
          label: Type.String(),
          parent_region_id: Type.Optional(Type.String()),
          meta: Meta,
        },
        { additionalProperties: false },
      ),
      { description: 'Numeric order for subnets and VLANs, else by id' },
    ),
    nodes: Type.Array(
      Type.Object(
        {
          id: Type.String(),
          kind: Type.String(),
          label: Type.Optional(Type.String()),
          primary_region_id: Type.Optional(Type.String()),
          region_ids: Type.Array(Type.String()),
          meta: Meta,
        },
        { additionalProperties: false },
      ),
    ),
    edges: Type.Array(
      Type.Object(
        {
          id: Type.String(),
          kind: Type.String(),
          from: Type.String(),
          to: Type.String(),
          label: Type.Optional(Type.String()),
          meta: Meta,
        },
        { additionalProperties: false },
      ),
    ),
    inspector: Type.Optional(
      Type.Object(
        {
          title: Type.String(),
          identity: Type.Array(LabelValue),
          status: Type.Array(LabelValue),
          relationships: Type.Array(
            Type.Object(
              { label: Type.String(), layer: Layer, focus_type: FocusType, focus_id: Type.String() },
              { additionalProperties: false },
            ),
          ),
        },
        { additionalProperties: false },
      ),
    ),
    truncation: Type.Object(
      { regions: Truncation, nodes: Truncation, edges: Truncation },
      { additionalProperties: false },
    ),
  },
  { additionalProperties: false, $id: 'MapProjection' },
);
