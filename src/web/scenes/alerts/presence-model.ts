/**
 * Presence thresholds as the forms edit them (per device and per tag): a blank field inherits
 * (device: from its tags, then the global PRESENCE_MISSED_SCANS / PRESENCE_GRACE).
 */
import type { PresenceSettingsUpdateT, TagPresenceSettingsT } from '../../api/types.ts';
import { formatDuration, parseDuration } from './model.ts';

/** The API's limits (src/domain/presence.ts). */
export const MAX_MISSED_SCANS = 1000;
export const MAX_GRACE_S = 30 * 86_400;

type Override = TagPresenceSettingsT['override'];

export interface PresenceDraft {
  missedScans: string;
  grace: string;
}

export function presenceDraft(override: Override | undefined): PresenceDraft {
  return {
    missedScans: override?.missed_scans === undefined ? '' : String(override.missed_scans),
    grace: override?.grace_s === undefined ? '' : formatDuration(override.grace_s),
  };
}

export type PresenceErrors = Partial<Record<keyof PresenceDraft, string>>;

export function presenceErrors(draft: PresenceDraft): PresenceErrors {
  const errors: PresenceErrors = {};
  const missed = draft.missedScans.trim();
  if (missed !== '' && (!/^\d{1,4}$/.test(missed) || Number(missed) < 1 || Number(missed) > MAX_MISSED_SCANS)) {
    errors.missedScans = `Use a whole number from 1 to ${MAX_MISSED_SCANS}, or leave it empty to inherit.`;
  }
  const grace = draft.grace.trim();
  if (grace !== '') {
    const seconds = parseDuration(grace);
    if (seconds === undefined) errors.grace = 'Enter a duration like 90s, 10m or 2h, or leave it empty to inherit.';
    else if (seconds > MAX_GRACE_S) errors.grace = `At most ${formatDuration(MAX_GRACE_S)}.`;
  }
  return errors;
}

/** Blank fields are sent as null: they inherit. */
export function presenceBody(draft: PresenceDraft): Required<PresenceSettingsUpdateT> {
  const missed = draft.missedScans.trim();
  const grace = draft.grace.trim();
  return {
    missed_scans: missed === '' ? null : Number(missed),
    grace_s: grace === '' ? null : (parseDuration(grace) ?? null),
  };
}

/** "this device", "tag Server", "global default" from the API's source field. */
export function sourceText(source: string, tagLabel: (tag: string) => string = (tag) => tag): string {
  if (source === 'device') return 'set on this device';
  if (source === 'global') return 'global default';
  if (source.startsWith('tag:')) return `from tag ${tagLabel(source.slice(4))}`;
  return source;
}

export function scansText(count: number): string {
  return `${count} missed scan${count === 1 ? '' : 's'}`;
}
