import { type Kysely, sql } from 'kysely';
import { chooseDisplayName, type NameCandidate } from '../../domain/naming.ts';
import type { Schema } from '../schema.ts';

/**
 * Stores a device's valid name candidates (one row per device, source and name: G-16) and gives
 * the device the best of them as its display name only while it has none (SPEC §5.11): a name an
 * operator, an import or an earlier run set is never overwritten. Returns the rows written.
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
  const best = chooseDisplayName(valid);
  if (best) await applyDisplayNameIfBlank(trx, deviceId, best.displayName);
  return valid.length;
}

export async function applyDisplayNameIfBlank(trx: Kysely<Schema>, deviceId: string, name: string): Promise<void> {
  await sql`
    UPDATE devices SET display_name = ${name}, updated_at = now()
     WHERE id = ${deviceId} AND (display_name IS NULL OR btrim(display_name) = '')`.execute(trx);
}
