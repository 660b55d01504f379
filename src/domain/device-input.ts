/**
 * Operator input for devices. Merge semantics (fixes G-06): an omitted key leaves the stored value
 * unchanged; `null` (or a blank string) clears it. Metadata fields are trimmed; the display name is
 * kept as typed unless it is blank.
 */
export const METADATA_FIELDS = ['owner', 'location', 'notes'] as const;
export type MetadataField = (typeof METADATA_FIELDS)[number];

export type MetadataValues = Record<MetadataField, string | null>;
export type MetadataPatch = Partial<MetadataValues>;

export interface DevicePatch {
  /** undefined = unchanged, null = clear. */
  displayName?: string | null;
  metadata?: MetadataPatch;
}

export interface DeviceCreateInput {
  displayName: string | null;
  metadata: MetadataValues;
}

export interface RawDeviceBody {
  display_name?: string | null;
  metadata?: Partial<Record<MetadataField, string | null>> | null;
}

export function blankToNull(value: string | null | undefined): string | null {
  if (value === undefined || value === null) return null;
  return value.trim() === '' ? null : value;
}

function normaliseMetadataValue(value: string | null): string | null {
  if (value === null) return null;
  const trimmed = value.trim();
  return trimmed === '' ? null : trimmed;
}

export function toCreateInput(body: RawDeviceBody): DeviceCreateInput {
  const metadata: MetadataValues = { owner: null, location: null, notes: null };
  for (const field of METADATA_FIELDS) {
    const value = body.metadata?.[field];
    if (value !== undefined) metadata[field] = normaliseMetadataValue(value);
  }
  return { displayName: blankToNull(body.display_name), metadata };
}

export function toPatch(body: RawDeviceBody): DevicePatch {
  const patch: DevicePatch = {};
  if (body.display_name !== undefined) patch.displayName = blankToNull(body.display_name);
  if (body.metadata === null) {
    patch.metadata = { owner: null, location: null, notes: null };
  } else if (body.metadata !== undefined) {
    const metadata: MetadataPatch = {};
    for (const field of METADATA_FIELDS) {
      const value = body.metadata[field];
      if (value !== undefined) metadata[field] = normaliseMetadataValue(value);
    }
    patch.metadata = metadata;
  }
  return patch;
}

export function hasMetadata(values: MetadataValues): boolean {
  return METADATA_FIELDS.some((field) => values[field] !== null);
}
