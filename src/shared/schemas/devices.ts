import { type Static, Type } from 'typebox';
import { DEVICE_TAGS } from '../../domain/classification.ts';
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

export const DevicePresence = Type.Object(
  {
    state: Type.Enum(['online', 'offline', 'unknown'], {
      description:
        'online: a probe saw it and it has not missed enough scans since; offline: it missed enough scans of a scope covering it and its grace period passed; unknown: no covering scan has judged it yet',
    }),
    since: Type.Optional(Timestamp),
    last_seen_at: Type.Optional(Type.String({ format: 'date-time', description: 'Last answer to any probe' })),
    last_seen_by: Type.Array(Type.String(), {
      description: 'Probes that answered at the last sighting: self, arp, icmp, tcp, snmp, mdns, netbios',
    }),
    missed_scans: Type.Integer({ minimum: 0, description: 'Covering scans in a row without an answer' }),
    checked_at: Type.Optional(
      Type.String({ format: 'date-time', description: 'Last scan that covered it (answered or missed)' }),
    ),
  },
  { additionalProperties: false },
);

export const Device = Type.Object(
  {
    id: Uuid,
    display_name: Type.Optional(Type.String()),
    primary_ip: Type.Optional(Type.String({ description: 'Most recently seen IP, bare host form' })),
    vendor: Type.Optional(Type.String({ description: "Vendor of most of the device's MACs (IEEE OUI registry)" })),
    primary_mac: Type.Optional(
      Type.String({ description: 'Lexicographically first current MAC, lower case with colons (for lists)' }),
    ),
    tags: Type.Optional(Type.Array(Type.String(), { description: 'Effective tags, manual first, each once' })),
    metadata: Type.Optional(DeviceMetadata),
    last_seen_at: Type.Optional(Timestamp),
    last_change_at: Timestamp,
    created_at: Timestamp,
    presence: Type.Optional(DevicePresence),
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

export const SUBNET_FORMAT_ERROR = 'subnet must be a CIDR prefix (e.g. 10.0.0.0/24) or a single IP (e.g. 10.0.0.5)';

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
      Type.Enum(['online', 'offline', 'unknown', 'changed'], {
        description: 'online, offline, unknown: the presence state; changed: changed within changed_within_seconds',
        [X_ERROR]: queryError('status', 'online, offline, unknown, changed'),
      }),
    ),
    sort: Type.Optional(
      Type.Enum(['created_desc', 'last_seen_desc', 'last_change_desc'], {
        default: 'created_desc',
        [X_ERROR]: queryError('sort', 'created_desc, last_seen_desc, last_change_desc'),
      }),
    ),
    tag: Type.Optional(
      Type.Enum([...DEVICE_TAGS], {
        description: 'Only devices carrying this tag, automatic or manual',
        [X_ERROR]: queryError('tag', DEVICE_TAGS.join(', ')),
      }),
    ),
    vendor: Type.Optional(
      Type.String({
        maxLength: 200,
        description: 'Only devices of this vendor (case-insensitive equality with the device vendor)',
        [X_ERROR]: {
          message: 'invalid vendor value',
          errors: { '*': 'vendor must be at most 200 characters' },
        } satisfies ParameterError,
      }),
    ),
    subnet: Type.Optional(
      Type.String({
        maxLength: 64,
        description:
          'Only devices with a current IP inside this CIDR prefix (10.0.0.0/24, 2001:db8::/64) or equal to this IP',
        [X_ERROR]: { message: 'invalid subnet value', errors: { '*': SUBNET_FORMAT_ERROR } } satisfies ParameterError,
      }),
    ),
    limit: Type.Optional(limitParam(50, 200)),
    cursor: Type.Optional(cursorParam()),
    seen_within_seconds: Type.Optional(windowParam('seen_within_seconds', 3600)),
    // Kept for compatibility (SPEC §4.4): online/offline now follow the presence state, not this window.
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
          prefix_length: Optional(Type.Integer()),
          source: Optional(Type.String({ description: 'presence, snmp, import, …' })),
          stale: Type.Boolean({ description: 'A run that should have seen this fact did not (G-20)' }),
          stale_since: Optional(Timestamp),
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
          vendor: Optional(Type.String({ description: 'IEEE OUI registry organisation' })),
          locally_administered: Type.Boolean({ description: 'Randomised or locally assigned MAC (no vendor)' }),
          source: Optional(Type.String({ description: 'arp, snmp, lldp, cdp, …' })),
          stale: Type.Boolean({ description: 'A run that should have seen this fact did not (G-20)' }),
          stale_since: Optional(Timestamp),
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
          tagged_vlans: Type.Array(Type.Integer()),
          untagged_vlans: Type.Array(Type.Integer()),
          source: Optional(Type.String({ description: 'snmp, or lldp/cdp for a port known only as a neighbour' })),
          stale: Type.Boolean({ description: 'A run that should have seen this fact did not (G-20)' }),
          stale_since: Optional(Timestamp),
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
          stale: Type.Boolean({ description: 'A run that should have seen this fact did not (G-20)' }),
          stale_since: Optional(Timestamp),
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
          sys_uptime: Optional(Type.Integer({ description: 'hundredths of a second' })),
          credential: Optional(Type.String({ description: 'Name of the credential set that answered' })),
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
          peer_device_name: Optional(Type.String()),
          local_interface_name: Optional(Type.String()),
          peer_interface_name: Optional(Type.String()),
          link_type: Optional(Type.String()),
          source: Type.String(),
          protocols: Type.Array(Type.String(), { description: 'Every protocol that saw this cable' }),
          stale: Type.Boolean({ description: 'A run that should have seen this fact did not (G-20)' }),
          stale_since: Optional(Timestamp),
          observed_at: Optional(Timestamp),
          updated_at: Timestamp,
        },
        { additionalProperties: false },
      ),
    ),
    vlans: Type.Array(
      Type.Object(
        {
          vlan_id: Type.Integer(),
          name: Optional(Type.String()),
          stale: Type.Boolean({ description: 'A run that should have seen this fact did not (G-20)' }),
          stale_since: Optional(Timestamp),
          observed_at: Timestamp,
        },
        { additionalProperties: false },
      ),
      { description: 'VLANs the device itself reports' },
    ),
    fdb: Type.Array(
      Type.Object(
        {
          mac: Type.String(),
          vlan_id: Optional(Type.Integer()),
          interface_id: Optional(Uuid),
          interface_name: Optional(Type.String()),
          device_id: Optional(Uuid),
          device_name: Optional(Type.String()),
          stale: Type.Boolean({ description: 'A run that should have seen this fact did not (G-20)' }),
          stale_since: Optional(Timestamp),
          observed_at: Timestamp,
        },
        { additionalProperties: false },
      ),
      { description: "This switch's forwarding table: which MAC it learnt behind which port, and whose MAC it is" },
    ),
    switch_ports: Type.Array(
      Type.Object(
        {
          mac: Type.String(),
          switch_device_id: Uuid,
          switch_name: Optional(Type.String()),
          interface_id: Optional(Uuid),
          interface_name: Optional(Type.String()),
          vlan_id: Optional(Type.Integer()),
          stale: Type.Boolean({ description: 'A run that should have seen this fact did not (G-20)' }),
          stale_since: Optional(Timestamp),
          observed_at: Timestamp,
        },
        { additionalProperties: false },
      ),
      { description: "Switch ports this device's MACs were learnt behind" },
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
      last_seen_at: Timestamp,
      display_name: Type.String({ description: 'What the name looks like as a display name' }),
      score: Type.Integer({ description: 'Naming score (SPEC §5.11); 70 or more can become the display name' }),
      valid: Type.Boolean(),
    },
    { additionalProperties: false },
  ),
);

export const DeviceTagRow = Type.Object(
  {
    tag: Type.String(),
    source: Type.Enum(['auto', 'manual']),
    confidence: Type.Integer({ minimum: 0, maximum: 100 }),
    evidence: Optional(Type.Record(Type.String(), Type.Unknown())),
    updated_at: Timestamp,
  },
  { additionalProperties: false },
);
export const DeviceTagList = Type.Array(DeviceTagRow);

export const DeviceTagsUpdate = Type.Object(
  {
    tags: Optional(
      Type.Array(Type.String({ maxLength: 64 }), {
        maxItems: 1000,
        description: 'Manual tags from the taxonomy (at most 32 after de-duplication rules)',
      }),
    ),
  },
  { additionalProperties: false },
);
export type DeviceTagsUpdateBody = Static<typeof DeviceTagsUpdate>;

export const TagTaxonomy = Type.Array(
  Type.Object(
    { tag: Type.String(), label: Type.String(), description: Type.String(), auto: Type.Boolean() },
    { additionalProperties: false },
  ),
);
