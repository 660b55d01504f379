import { type Static, Type } from 'typebox';
import { DEVICE_TAGS } from '../../domain/classification.ts';
import { Timestamp } from './common.ts';

/**
 * The device snapshot (docs/data-exchange.md). This one schema is the import's row validation,
 * the TypeScript type, the OpenAPI entry and the published api/snapshot.schema.json.
 */
export const SNAPSHOT_FORMAT = 'roller.devices';
export const SNAPSHOT_VERSION = 1;

const Text = (maxLength: number, description: string) =>
  Type.Union([Type.String({ maxLength }), Type.Null()], { description });

export const SnapshotMetadata = Type.Object(
  {
    owner: Type.Optional(Text(4096, 'Who is responsible for the device')),
    location: Type.Optional(Text(4096, 'Where it is')),
    notes: Type.Optional(Text(4096, 'Free text')),
  },
  { additionalProperties: false, description: 'Operator fields; absent, null and blank all mean empty' },
);

export const SnapshotDevice = Type.Object(
  {
    id: Type.Optional(
      Type.String({
        format: 'uuid',
        description: 'Device id: an unknown id is created with this id, a known one is updated; omitted → new device',
      }),
    ),
    display_name: Type.Optional(Text(255, 'Display name; absent or null means none')),
    metadata: Type.Optional(Type.Union([SnapshotMetadata, Type.Null()])),
    tags: Type.Optional(
      Type.Array(Type.String({ maxLength: 64 }), {
        maxItems: 32,
        description: `Manual tags (taxonomy: ${DEVICE_TAGS.join(', ')}); trimmed and lower-cased`,
      }),
    ),
    ips: Type.Optional(
      Type.Array(Type.String({ maxLength: 64 }), {
        maxItems: 1024,
        description:
          'Current IP addresses, bare host form (10.0.0.5, 2001:db8::5); a /len suffix is accepted and dropped',
      }),
    ),
    macs: Type.Optional(
      Type.Array(Type.String({ maxLength: 32 }), {
        maxItems: 1024,
        description: 'Current MAC addresses, lower case with colons (other common notations are accepted)',
      }),
    ),
    created_at: Type.Optional(
      Type.String({
        format: 'date-time',
        description: 'When the device was created; kept when it is created by import',
      }),
    ),
  },
  { additionalProperties: false, description: 'One device of a snapshot' },
);
export type SnapshotDeviceBody = Static<typeof SnapshotDevice>;

export const SnapshotDocument = Type.Object(
  {
    format: Type.Literal(SNAPSHOT_FORMAT),
    version: Type.Literal(SNAPSHOT_VERSION),
    exported_at: Type.Optional(Timestamp),
    devices: Type.Array(SnapshotDevice),
  },
  { additionalProperties: false, description: 'A versioned device snapshot, as GET /api/v1/devices/export writes it' },
);

/** What the import accepts: the versioned document, a bare array of devices, or `{"devices": […]}`. */
export const SnapshotImportBody = Type.Union(
  [
    SnapshotDocument,
    Type.Array(SnapshotDevice, { description: 'A bare array of devices (the pre-1 export format)' }),
    Type.Object(
      { devices: Type.Array(SnapshotDevice) },
      { additionalProperties: false, description: 'The pre-1 import wrapper' },
    ),
  ],
  { description: 'Every row is checked first; any invalid row answers 400 listing every problem, and nothing changes' },
);

export const SnapshotImportResult = Type.Object(
  {
    created: Type.Integer({ description: 'Devices created (unknown or absent id)' }),
    updated: Type.Integer({ description: 'Known devices where something changed' }),
    unchanged: Type.Integer({ description: 'Known devices already exactly as in the file' }),
  },
  { additionalProperties: false },
);

export const SnapshotExportQuery = Type.Object(
  {
    format: Type.Optional(
      Type.Enum(['json', 'csv'], {
        default: 'json',
        description: 'json: the versioned snapshot document; csv: one row per device (for spreadsheets)',
        'x-error': { message: 'invalid format value', errors: { '*': 'format must be one of: json, csv' } },
      }),
    ),
  },
  { additionalProperties: false },
);

/** api/snapshot.schema.json: the document schema as standalone JSON Schema (draft 2020-12). */
export function snapshotJsonSchema(): Record<string, unknown> {
  const plain = JSON.parse(JSON.stringify(SnapshotDocument)) as Record<string, unknown>;
  return {
    $schema: 'https://json-schema.org/draft/2020-12/schema',
    $id: 'urn:roller:snapshot:devices:1',
    title: `Roller device snapshot (${SNAPSHOT_FORMAT}, version ${SNAPSHOT_VERSION})`,
    ...plain,
  };
}
