import { type Static, Type } from 'typebox';
import { DEVICE_TAGS } from '../../domain/classification.ts';
import { MAX_GRACE_S, MAX_MISSED_SCANS } from '../../domain/presence.ts';
import { type ParameterError, Timestamp, X_ERROR } from './common.ts';

/** Presence thresholds (issue 11): per device and per tag overrides of PRESENCE_MISSED_SCANS and PRESENCE_GRACE. */

const MissedScans = Type.Integer({
  minimum: 1,
  maximum: MAX_MISSED_SCANS,
  description: 'Covering scans in a row without an answer before the device may go offline',
});
const GraceS = Type.Integer({
  minimum: 0,
  maximum: MAX_GRACE_S,
  description: 'Seconds since the last answer before the device may go offline',
});

export const PresenceSettingsUpdate = Type.Object(
  {
    missed_scans: Type.Optional(Type.Union([MissedScans, Type.Null()])),
    grace_s: Type.Optional(Type.Union([GraceS, Type.Null()])),
  },
  {
    additionalProperties: false,
    description: 'Replaces the override: an omitted or null value inherits (device: from its tags, then global)',
  },
);
export type PresenceSettingsUpdateBody = Static<typeof PresenceSettingsUpdate>;

const Source = Type.String({ description: 'Where the value comes from: device, tag:<tag> or global' });

const Override = Type.Object(
  {
    missed_scans: Type.Optional(MissedScans),
    grace_s: Type.Optional(GraceS),
    updated_at: Type.Optional(Timestamp),
    updated_by: Type.Optional(Type.String()),
  },
  { additionalProperties: false, description: 'What is stored for this device or tag; empty when nothing is' },
);

const Effective = Type.Object(
  {
    missed_scans: Type.Integer({ minimum: 1 }),
    grace_s: Type.Integer({ minimum: 0 }),
    missed_scans_source: Source,
    grace_s_source: Source,
  },
  { additionalProperties: false, description: 'The values presence uses' },
);

export const DevicePresenceSettings = Type.Object(
  { device_id: Type.String({ format: 'uuid' }), override: Override, effective: Effective },
  { additionalProperties: false },
);

export const TagPresenceSettings = Type.Object(
  {
    tag: Type.String(),
    override: Override,
    effective: Effective,
  },
  { additionalProperties: false },
);
export const TagPresenceSettingsList = Type.Array(TagPresenceSettings);

export const PresenceTagParams = Type.Object(
  {
    tag: Type.Enum([...DEVICE_TAGS], {
      description: 'A tag of the taxonomy',
      [X_ERROR]: {
        message: 'invalid tag value',
        errors: { '*': `tag must be one of: ${DEVICE_TAGS.join(', ')}` },
      } satisfies ParameterError,
    }),
  },
  { additionalProperties: false },
);
export type PresenceTagParamsType = Static<typeof PresenceTagParams>;
