import { type Static, type TString, Type } from 'typebox';
import { type ParameterError, Timestamp, Uuid, X_ERROR } from './common.ts';

/** Build mode (issue 8 item 2): curated links, zones, zone policies and service dependencies. */

export const ZONE_ID_PATTERN = '^[a-z0-9]([a-z0-9-]{0,62}[a-z0-9])?$';
export const ZONE_ID_RULE = 'lower-case letters, digits and inner hyphens, at most 64 characters';

function idParam(entity: string): TString {
  return Type.String({
    format: 'uuid',
    description: `${entity[0]?.toUpperCase()}${entity.slice(1)} id`,
    [X_ERROR]: { code: 'invalid_id', message: `${entity} id is not a valid uuid` } satisfies ParameterError,
  });
}

const zoneIdParam = Type.String({
  pattern: ZONE_ID_PATTERN,
  description: `Zone id (${ZONE_ID_RULE})`,
  [X_ERROR]: { code: 'invalid_id', message: 'zone id is not a valid zone id' } satisfies ParameterError,
});

const Text = (maxLength: number) => Type.Union([Type.String({ maxLength }), Type.Null()]);
const LinkType = Type.Union([Type.Literal('ethernet'), Type.Literal('wireless'), Type.Literal('virtual')]);

// ---- Manual links ----

export const ManualLinkIdParams = Type.Object({ id: idParam('link') }, { additionalProperties: false });

const ManualLinkEndInput = Type.Object(
  {
    device_id: Uuid,
    interface_id: Type.Optional(Type.String({ format: 'uuid', description: 'A port of this device' })),
    interface_name: Type.Optional(
      Type.String({
        minLength: 1,
        maxLength: 255,
        description: 'A port of this device by name; a port nobody walked yet is created as a stub',
      }),
    ),
  },
  { additionalProperties: false, description: 'One end: a device, optionally a port (by id or by name, not both)' },
);

export const ManualLinkCreate = Type.Object(
  {
    a: ManualLinkEndInput,
    b: ManualLinkEndInput,
    link_type: Type.Optional(Type.Union([LinkType, Type.Null()])),
    label: Type.Optional(Text(255)),
    notes: Type.Optional(Text(4096)),
  },
  { additionalProperties: false },
);
export type ManualLinkCreateBody = Static<typeof ManualLinkCreate>;

export const ManualLinkUpdate = Type.Object(
  {
    link_type: Type.Optional(Type.Union([LinkType, Type.Null()], { description: 'Omit to keep; null clears' })),
    label: Type.Optional(Type.Union([Text(255)], { description: 'Omit to keep; null or blank clears' })),
    notes: Type.Optional(Type.Union([Text(4096)], { description: 'Omit to keep; null or blank clears' })),
  },
  { additionalProperties: false, description: 'The ends of a link are fixed: delete it and create another' },
);
export type ManualLinkUpdateBody = Static<typeof ManualLinkUpdate>;

const ManualLinkEnd = Type.Object(
  {
    device_id: Uuid,
    device_name: Type.Optional(Type.String()),
    interface_id: Type.Optional(Uuid),
    interface_name: Type.Optional(Type.String()),
  },
  { additionalProperties: false },
);

export const ManualLink = Type.Object(
  {
    id: Uuid,
    link_key: Type.String({ description: 'The cable identity, the same for both directions and every source' }),
    a: ManualLinkEnd,
    b: ManualLinkEnd,
    link_type: Type.Optional(LinkType),
    label: Type.Optional(Type.String()),
    notes: Type.Optional(Type.String()),
    source: Type.String({ description: '`manual` for every curated link' }),
    protocols: Type.Array(Type.String(), {
      description: 'Who reports the cable: `manual` plus `lldp`/`cdp` when discovery sees it too',
    }),
    observed_at: Type.Optional(Timestamp),
    created_at: Timestamp,
    updated_at: Timestamp,
  },
  { additionalProperties: false, $id: 'ManualLink' },
);
export type ManualLinkBody = Static<typeof ManualLink>;

export const ManualLinkList = Type.Object({ links: Type.Array(ManualLink) }, { additionalProperties: false });

// ---- Zones ----

export const ZoneIdParams = Type.Object({ id: zoneIdParam }, { additionalProperties: false });
export const ZoneMemberParams = Type.Object(
  {
    id: zoneIdParam,
    deviceId: Type.String({
      format: 'uuid',
      description: 'Device id',
      [X_ERROR]: { code: 'invalid_id', message: 'device id is not a valid uuid' } satisfies ParameterError,
    }),
  },
  { additionalProperties: false },
);

export const ZoneCreate = Type.Object(
  {
    id: Type.Optional(Type.String({ maxLength: 64, description: `Omit to derive it from the name; ${ZONE_ID_RULE}` })),
    name: Type.String({ maxLength: 100 }),
    description: Type.Optional(Text(4096)),
    color: Type.Optional(Type.Union([Type.String({ maxLength: 7, description: '#rrggbb' }), Type.Null()])),
  },
  { additionalProperties: false },
);
export type ZoneCreateBody = Static<typeof ZoneCreate>;

export const ZoneUpdate = Type.Object(
  {
    name: Type.Optional(Type.String({ maxLength: 100 })),
    description: Type.Optional(Type.Union([Text(4096)], { description: 'Omit to keep; null or blank clears' })),
    color: Type.Optional(
      Type.Union([Type.String({ maxLength: 7 }), Type.Null()], { description: 'Omit to keep; null or blank clears' }),
    ),
  },
  { additionalProperties: false, description: 'A zone id never changes' },
);
export type ZoneUpdateBody = Static<typeof ZoneUpdate>;

export const Zone = Type.Object(
  {
    id: Type.String(),
    name: Type.String(),
    description: Type.Optional(Type.String()),
    color: Type.Optional(Type.String({ description: '#rrggbb, lower case' })),
    device_count: Type.Integer({ minimum: 0 }),
    created_at: Timestamp,
    updated_at: Timestamp,
  },
  { additionalProperties: false, $id: 'Zone' },
);
export const ZoneList = Type.Object({ zones: Type.Array(Zone) }, { additionalProperties: false });

export const ZoneMemberAdd = Type.Object({}, { additionalProperties: false, description: 'Nothing to send' });

export const ZoneMember = Type.Object(
  { device_id: Uuid, display_name: Type.Optional(Type.String()), added_at: Timestamp },
  { additionalProperties: false },
);
export const ZoneMemberList = Type.Object({ devices: Type.Array(ZoneMember) }, { additionalProperties: false });

// ---- Zone policies ----

export const ZonePolicyIdParams = Type.Object({ id: idParam('policy') }, { additionalProperties: false });
export const ZonePolicyListQuery = Type.Object(
  {
    zone: Type.Optional(
      Type.String({
        maxLength: 64,
        description: 'Only policies from or to this zone',
        [X_ERROR]: { message: 'invalid zone value', errors: { '*': ZONE_ID_RULE } } satisfies ParameterError,
      }),
    ),
  },
  { additionalProperties: false },
);

const PolicyProtocol = Type.Union([Type.Literal('tcp'), Type.Literal('udp'), Type.Literal('icmp')]);
const PolicyAction = Type.Union([Type.Literal('allow'), Type.Literal('deny')]);
const Ports = Type.String({
  maxLength: 512,
  description: 'Ports and ranges, comma-separated: `22`, `80,443`, `8000-8100` (tcp and udp only)',
});

export const ZonePolicyCreate = Type.Object(
  {
    from_zone_id: Type.String({ maxLength: 64 }),
    to_zone_id: Type.String({ maxLength: 64 }),
    protocol: Type.Optional(Type.Union([PolicyProtocol, Type.Null()], { description: 'Omit or null for any' })),
    ports: Type.Optional(Type.Union([Ports, Type.Null()], { description: 'Omit or null for any' })),
    action: Type.Optional(Type.Union([PolicyAction], { description: 'Default allow' })),
    description: Type.Optional(Text(4096)),
  },
  { additionalProperties: false },
);
export type ZonePolicyCreateBody = Static<typeof ZonePolicyCreate>;

export const ZonePolicyUpdate = Type.Object(
  {
    from_zone_id: Type.Optional(Type.String({ maxLength: 64 })),
    to_zone_id: Type.Optional(Type.String({ maxLength: 64 })),
    protocol: Type.Optional(Type.Union([PolicyProtocol, Type.Null()])),
    ports: Type.Optional(Type.Union([Ports, Type.Null()])),
    action: Type.Optional(PolicyAction),
    description: Type.Optional(Text(4096)),
  },
  { additionalProperties: false, description: 'Omitted keys stay; null clears' },
);
export type ZonePolicyUpdateBody = Static<typeof ZonePolicyUpdate>;

export const ZonePolicy = Type.Object(
  {
    id: Uuid,
    from_zone_id: Type.String(),
    to_zone_id: Type.String(),
    protocol: Type.Optional(PolicyProtocol),
    ports: Type.Optional(Type.String({ description: 'Canonical: ascending, merged, e.g. `22,80,8000-8100`' })),
    action: PolicyAction,
    description: Type.Optional(Type.String()),
    created_at: Timestamp,
    updated_at: Timestamp,
  },
  { additionalProperties: false, $id: 'ZonePolicy' },
);
export const ZonePolicyList = Type.Object({ policies: Type.Array(ZonePolicy) }, { additionalProperties: false });

// ---- Service dependencies ----

export const ServiceDependencyIdParams = Type.Object({ id: idParam('dependency') }, { additionalProperties: false });
export const ServiceDependencyListQuery = Type.Object(
  {
    device_id: Type.Optional(
      Type.String({
        format: 'uuid',
        description: 'Only dependencies from or to this device',
        [X_ERROR]: { message: 'invalid device_id value', errors: { '*': 'must be a uuid' } } satisfies ParameterError,
      }),
    ),
    service_id: Type.Optional(
      Type.String({
        format: 'uuid',
        description: 'Only dependencies from or to this service',
        [X_ERROR]: { message: 'invalid service_id value', errors: { '*': 'must be a uuid' } } satisfies ParameterError,
      }),
    ),
  },
  { additionalProperties: false },
);

const DependencyEndInput = Type.Object(
  {
    service_id: Type.Optional(Type.String({ format: 'uuid' })),
    device_id: Type.Optional(Type.String({ format: 'uuid' })),
  },
  {
    additionalProperties: false,
    description: 'A service (a `services` row) or, for a host with no service rows, a device: exactly one',
  },
);

export const ServiceDependencyCreate = Type.Object(
  { from: DependencyEndInput, to: DependencyEndInput, description: Type.Optional(Text(4096)) },
  { additionalProperties: false, description: '`from` depends on `to`' },
);
export type ServiceDependencyCreateBody = Static<typeof ServiceDependencyCreate>;

export const ServiceDependencyUpdate = Type.Object(
  { description: Type.Union([Text(4096)], { description: 'null or blank clears' }) },
  { additionalProperties: false },
);
export type ServiceDependencyUpdateBody = Static<typeof ServiceDependencyUpdate>;

const DependencyEnd = Type.Object(
  {
    device_id: Uuid,
    device_name: Type.Optional(Type.String()),
    service_id: Type.Optional(Uuid),
  },
  { additionalProperties: false },
);

export const ServiceDependency = Type.Object(
  {
    id: Uuid,
    from: DependencyEnd,
    to: DependencyEnd,
    level: Type.Union([Type.Literal('service'), Type.Literal('device')], {
      description: '`service` when both ends are services, else `device`',
    }),
    source: Type.Union([Type.Literal('manual'), Type.Literal('imported'), Type.Literal('inferred')]),
    description: Type.Optional(Type.String()),
    created_at: Timestamp,
    updated_at: Timestamp,
  },
  { additionalProperties: false, $id: 'ServiceDependency' },
);
export const ServiceDependencyList = Type.Object(
  { dependencies: Type.Array(ServiceDependency) },
  { additionalProperties: false },
);
