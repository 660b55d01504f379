import { type Kysely, sql } from 'kysely';
import { chooseDisplayName, type NameCandidate, normaliseNameCandidate } from '../../domain/naming.ts';
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
  await applyBestDisplayName(trx, deviceId);
  return valid.length;
}

/**
 * The best of all the device's stored candidates (SPEC §5.11) becomes its display name when it has
 * none, or when the current one was chosen by discovery and a better candidate has arrived since (a
 * reverse DNS name found after a neighbour's LLDP name). A name a person or an import set is never
 * replaced.
 */
export async function applyBestDisplayName(trx: Kysely<Schema>, deviceId: string): Promise<void> {
  const { rows } = await sql<{ name: string; source: string }>`
    SELECT name, source FROM device_name_candidates WHERE device_id = ${deviceId}`.execute(trx);
  const best = chooseDisplayName(rows.map((row) => normaliseNameCandidate(row.source, row.name)));
  if (!best) return;
  await sql`
    UPDATE devices SET display_name = ${best.displayName}, display_name_auto = true, updated_at = now()
     WHERE id = ${deviceId}
       AND (display_name IS NULL OR btrim(display_name) = '' OR (display_name_auto AND display_name <> ${best.displayName}))`.execute(
    trx,
  );
}
