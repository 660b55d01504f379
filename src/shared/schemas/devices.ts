import { type Static, Type } from 'typebox';
import { METADATA_FIELDS } from '../../domain/device-input.ts';
import { cursorParam, limitParam, type ParameterError, Timestamp, Uuid, uuidParam, X_ERROR } from './common.ts';

const MetadataText = Type.Union([Type.String({ maxLength: 4096 }), Type.Null()]);

export const DeviceMetadata = Type.Object(
  {
    owner: Type.Optional(Type.String()),
    location: Type.Optional(Type.String()),
    notes: Type.Optional(Type.String()),
  },
  { additionalProperties: false, description: 'Operator-owned fields; absent keys are empty' },
);

export const Device = Type.Object(
  {
    id: Uuid,
    display_name: Type.Optional(Type.String()),
    primary_ip: Type.Optional(Type.String({ description: 'Most recently seen IP, bare host form' })),
    tags: Type.Optional(Type.Array(Type.String(), { description: 'Effective tags, manual first, each once' })),
    metadata: Type.Optional(DeviceMetadata),
    last_seen_at: Type.Optional(Timestamp),
    last_change_at: Timestamp,
    created_at: Timestamp,
  },
  { additionalProperties: false, $id: 'Device' },
);
export type DeviceBody = Static<typeof Device>;

export const DeviceList = Type.Object(
  { devices: Type.Array(Device), cursor: Type.Optional(Type.String()) },
  { additionalProperties: false },
);

const metadataInput = Type.Union([
  Type.Object(
    Object.fromEntries(METADATA_FIELDS.map((field) => [field, Type.Optional(MetadataText)])) as Record<
      (typeof METADATA_FIELDS)[number],
      ReturnType<typeof Type.Optional<typeof MetadataText>>
    >,
    { additionalProperties: false },
  ),
  Type.Null(),
]);

export const DeviceCreate = Type.Object(
  {
    display_name: Type.Optional(Type.Union([Type.String({ maxLength: 255 }), Type.Null()])),
    metadata: Type.Optional(metadataInput),
  },
  { additionalProperties: false },
);
export type DeviceCreateBody = Static<typeof DeviceCreate>;

export const DeviceUpdate = Type.Object(
  {
    display_name: Type.Optional(
      Type.Union([Type.String({ maxLength: 255 }), Type.Null()], { description: 'Omit to keep; null or blank clears' }),
    ),
    metadata: Type.Optional(
      Type.Union([metadataInput], {
        description: 'Omitted fields are kept; null or blank clears a field; metadata: null clears all',
      }),
    ),
  },
  { additionalProperties: false },
);
export type DeviceUpdateBody = Static<typeof DeviceUpdate>;

const queryError = (name: string, values: string): ParameterError => ({
  message: `invalid ${name} value`,
  errors: { '*': `${name} must be one of: ${values}` },
});

const windowParam = (name: string, defaultValue: number): ReturnType<typeof Type.Integer> =>
  Type.Integer({
    minimum: 1,
    default: defaultValue,
    description: `Seconds (default ${defaultValue}; clamped to 2592000)`,
    'x-maximum': 2_592_000,
    [X_ERROR]: {
      message: 'invalid query parameter',
      errors: { type: `invalid ${name}`, minimum: `${name} must be positive`, '*': `invalid ${name}` },
    } satisfies ParameterError,
  });

export const DeviceListQuery = Type.Object(
  {
    q: Type.Optional(
      Type.String({ maxLength: 200, description: 'Case-insensitive substring over names, IPs, MACs, metadata, SNMP' }),
    ),
    status: Type.Optional(
      Type.Enum(['online', 'offline', 'changed'], { [X_ERROR]: queryError('status', 'online, offline, changed') }),
    ),
    sort: Type.Optional(
      Type.Enum(['created_desc', 'last_seen_desc', 'last_change_desc'], {
        default: 'created_desc',
        [X_ERROR]: queryError('sort', 'created_desc, last_seen_desc, last_change_desc'),
      }),
    ),
    limit: Type.Optional(limitParam(50, 200)),
    cursor: Type.Optional(cursorParam()),
    seen_within_seconds: Type.Optional(windowParam('seen_within_seconds', 3600)),
    changed_within_seconds: Type.Optional(windowParam('changed_within_seconds', 86_400)),
  },
  { additionalProperties: false },
);
export type DeviceListQueryParams = Static<typeof DeviceListQuery>;

export const DeviceIdParams = Type.Object({ id: uuidParam('device') }, { additionalProperties: false });
export type DeviceIdParamsType = Static<typeof DeviceIdParams>;

const Optional = Type.Optional;
export const DeviceFacts = Type.Object(
  {
    device_id: Uuid,
    ips: Type.Array(
      Type.Object(
        {
          ip: Type.String(),
          interface_id: Optional(Uuid),
          interface_name: Optional(Type.String()),
          created_at: Timestamp,
          updated_at: Timestamp,
        },
        { additionalProperties: false },
      ),
    ),
    macs: Type.Array(
      Type.Object(
        {
          mac: Type.String(),
          interface_id: Optional(Uuid),
          interface_name: Optional(Type.String()),
          created_at: Timestamp,
          updated_at: Timestamp,
        },
        { additionalProperties: false },
      ),
    ),
    interfaces: Type.Array(
      Type.Object(
        {
          id: Uuid,
          name: Optional(Type.String()),
          ifindex: Optional(Type.Integer()),
          descr: Optional(Type.String()),
          alias: Optional(Type.String()),
          mac: Optional(Type.String()),
          admin_status: Optional(Type.Integer()),
          oper_status: Optional(Type.Integer()),
          mtu: Optional(Type.Integer()),
          speed_bps: Optional(Type.Integer()),
          pvid: Optional(Type.Integer()),
          pvid_observed_at: Optional(Timestamp),
          created_at: Timestamp,
          updated_at: Timestamp,
        },
        { additionalProperties: false },
      ),
    ),
    services: Type.Array(
      Type.Object(
        {
          protocol: Optional(Type.Enum(['tcp', 'udp'])),
          port: Optional(Type.Integer()),
          name: Optional(Type.String()),
          state: Optional(Type.Enum(['open', 'closed'])),
          source: Optional(Type.String()),
          observed_at: Timestamp,
          created_at: Timestamp,
          updated_at: Timestamp,
        },
        { additionalProperties: false },
      ),
    ),
    snmp: Optional(
      Type.Object(
        {
          address: Optional(Type.String()),
          sys_name: Optional(Type.String()),
          sys_descr: Optional(Type.String()),
          sys_object_id: Optional(Type.String()),
          sys_contact: Optional(Type.String()),
          sys_location: Optional(Type.String()),
          last_success_at: Optional(Timestamp),
          last_error: Optional(Type.String()),
          updated_at: Timestamp,
        },
        { additionalProperties: false },
      ),
    ),
    links: Type.Array(
      Type.Object(
        {
          id: Uuid,
          link_key: Type.String(),
          peer_device_id: Uuid,
          local_interface_id: Optional(Uuid),
          peer_interface_id: Optional(Uuid),
          link_type: Optional(Type.String()),
          source: Type.String(),
          observed_at: Optional(Timestamp),
          updated_at: Timestamp,
        },
        { additionalProperties: false },
      ),
    ),
  },
  { additionalProperties: false },
);

export const NameCandidateList = Type.Array(
  Type.Object(
    {
      name: Type.String(),
      source: Type.String(),
      address: Optional(Type.String({ description: 'IP the name was seen on, bare host form' })),
      observed_at: Timestamp,
      display_name: Type.String({ description: 'What the name looks like as a display name' }),
      score: Type.Integer({ description: 'Naming score (SPEC §5.11); 70 or more can become the display name' }),
      valid: Type.Boolean(),
    },
    { additionalProperties: false },
  ),
);
