import { type Kysely, sql } from 'kysely';
import { chooseDisplayName, type NameCandidate, normaliseNameCandidate } from '../../domain/naming.ts';
import { recordDeviceEvents } from '../device-events.writer.ts';
import type { Schema } from '../schema.ts';

/**
 * Stores a device's valid name candidates (one row per device, source and name: G-16), then
 * applies the best display name (below). Returns the rows written.
 */
export async function saveNameCandidates(
  trx: Kysely<Schema>,
  deviceId: string,
  address: string | null,
  candidates: readonly NameCandidate[],
  runId: string | null = null,
): Promise<number> {
  const valid = candidates.filter((candidate) => candidate.valid);
  if (valid.length === 0) return 0;
  await sql`
    INSERT INTO device_name_candidates (device_id, name, source, address)
    SELECT ${deviceId}::uuid, n, s, ${address}::inet
      FROM unnest(${sql.val(valid.map((c) => c.name))}::text[], ${sql.val(valid.map((c) => c.source))}::text[]) AS t(n, s)
    ON CONFLICT (device_id, source, name)
    DO UPDATE SET address = COALESCE(EXCLUDED.address, device_name_candidates.address), last_seen_at = now()`.execute(
    trx,
  );
  await applyBestDisplayName(trx, deviceId, runId);
  return valid.length;
}

/**
 * The best of all the device's stored candidates (SPEC §5.11) becomes its display name when it has
 * none, or when the current one was chosen by discovery and a better candidate has arrived since (a
 * reverse DNS name found after a neighbour's LLDP name). A name a person or an import set is never
 * replaced.
 */
export async function applyBestDisplayName(
  trx: Kysely<Schema>,
  deviceId: string,
  runId: string | null = null,
): Promise<void> {
  const { rows } = await sql<{ name: string; source: string }>`
    SELECT name, source FROM device_name_candidates WHERE device_id = ${deviceId}`.execute(trx);
  const best = chooseDisplayName(rows.map((row) => normaliseNameCandidate(row.source, row.name)));
  if (!best) return;
  // The old name comes from the row as it was before this statement (the sub-select's snapshot).
  const { rows: changed } = await sql<{ previous: string | null }>`
    UPDATE devices d SET display_name = ${best.displayName}, display_name_auto = true, updated_at = now()
      FROM (SELECT id, display_name FROM devices WHERE id = ${deviceId} FOR UPDATE) old
     WHERE d.id = old.id
       AND (d.display_name IS NULL OR btrim(d.display_name) = '' OR (d.display_name_auto AND d.display_name <> ${best.displayName}))
    RETURNING old.display_name AS previous`.execute(trx);
  const previous = changed[0]?.previous?.trim() || null;
  if (changed.length === 0 || previous === best.displayName) return;
  await recordDeviceEvents(trx, [
    {
      deviceId,
      kind: 'display_name_changed',
      runId,
      summary: previous ? `Display name changed from ${previous} to ${best.displayName}` : `Named ${best.displayName}`,
      details: { from: previous, to: best.displayName, source: best.source, automatic: true },
    },
  ]);
}
