import { type Static, Type } from 'typebox';
import { type ParameterError, Uuid, X_ERROR } from './common.ts';

export const InventoryImportBody = Type.Object(
  {
    payload: Type.Unknown({
      description:
        'The upstream JSON: the /api/dcim/devices/ list response ({count, next, previous, results}), {"devices": […]} or a bare array',
    }),
  },
  { additionalProperties: false },
);
export type InventoryImportBodyType = Static<typeof InventoryImportBody>;

export const InventoryImportQuery = Type.Object(
  {
    dry_run: Type.Optional(
      Type.Boolean({
        default: false,
        description: 'Report what would change, per device, without writing anything',
        [X_ERROR]: {
          message: 'invalid dry_run value',
          errors: { '*': 'dry_run must be true or false' },
        } satisfies ParameterError,
      }),
    ),
  },
  { additionalProperties: false },
);

const FillableField = Type.Enum(['display_name', 'owner', 'location', 'notes']);

export const InventoryDeviceOutcome = Type.Object(
  {
    index: Type.Integer({ description: 'Position in the upstream list' }),
    name: Type.Optional(Type.String()),
    action: Type.Enum(['create', 'match', 'skip']),
    device_id: Type.Optional(Uuid),
    matched_by: Type.Optional(Type.Enum(['ip', 'name'])),
    ip: Type.Optional(Type.String()),
    ip_added: Type.Boolean({ description: 'The IP would be recorded as a new fact of the device' }),
    filled: Type.Array(FillableField, { description: 'Blank fields that would be filled' }),
    reason: Type.Optional(Type.String({ description: 'Why the entry is skipped' })),
  },
  { additionalProperties: false },
);

export const InventoryImportResult = Type.Object(
  {
    dry_run: Type.Boolean(),
    created: Type.Integer(),
    matched_existing: Type.Integer(),
    ip_written: Type.Integer({ description: 'IPs recorded that the device did not have' }),
    metadata_written: Type.Integer({ description: 'Devices whose blank metadata got at least one field filled' }),
    skipped: Type.Integer({ description: 'Entries without a usable name' }),
    devices: Type.Optional(Type.Array(InventoryDeviceOutcome, { description: 'Per device; dry runs only' })),
  },
  { additionalProperties: false },
);
export type InventoryImportResultBody = Static<typeof InventoryImportResult>;
export type InventoryDeviceOutcomeBody = Static<typeof InventoryDeviceOutcome>;
