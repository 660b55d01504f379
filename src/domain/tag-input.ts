/**
 * Validation of an operator's manual tag list (`PUT /api/v1/devices/{id}/tags`, SPEC §4.4). It runs
 * before the device is looked up, so a bad list is a 400 whether or not the device exists.
 */
import { type DeviceTag, isDeviceTag, normaliseTag } from './classification.ts';

export const MAX_MANUAL_TAGS = 32;

export type TagListResult = { ok: true; value: DeviceTag[] } | { ok: false; error: string };

/**
 * More than 32 entries (counted as sent, blanks included) is an error; each entry is trimmed and
 * lower-cased and blanks are dropped; the first entry outside the taxonomy is an error; the rest is
 * de-duplicated and sorted. An omitted or empty list is valid and means "no manual tags".
 */
export function parseManualTags(tags: readonly string[] | null | undefined): TagListResult {
  const entries = tags ?? [];
  if (entries.length > MAX_MANUAL_TAGS) return { ok: false, error: `too many tags (max ${MAX_MANUAL_TAGS})` };
  const out = new Set<DeviceTag>();
  for (const entry of entries) {
    const tag = normaliseTag(entry);
    if (tag === '') continue;
    // JSON quoting: identical to "<t>" for real words, and control characters cannot forge a message.
    if (!isDeviceTag(tag)) return { ok: false, error: `unknown tag ${JSON.stringify(tag)}` };
    out.add(tag);
  }
  return { ok: true, value: [...out].sort() };
}
