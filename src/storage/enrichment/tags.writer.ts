import { type Kysely, sql } from 'kysely';
import { suggestTags } from '../../domain/classification.ts';
import { normaliseNameCandidate } from '../../domain/naming.ts';
import { recordDeviceEvents } from '../device-events.writer.ts';
import type { Schema } from '../schema.ts';

/**
 * Recomputes a device's auto tags from its current facts — valid name candidates, the last
 * successful SNMP sysDescr, open services (SPEC §5.12) — and replaces the stored auto tags with
 * them. Only devices whose enrichment ran in this run are reclassified (G-31), and because the
 * inputs are the stored facts, a transient SNMP timeout does not strip a switch of its tag.
 * Manual tags are never touched.
 */
export async function reclassifyDevice(
  trx: Kysely<Schema>,
  deviceId: string,
  runId: string | null = null,
): Promise<void> {
  const [names, snmp, ports, primary, before] = await Promise.all([
    sql<{ name: string; source: string }>`
      SELECT name, source FROM device_name_candidates WHERE device_id = ${deviceId}
       ORDER BY last_seen_at DESC, source, name`.execute(trx),
    sql<{ sys_descr: string | null; address: string | null }>`
      SELECT sys_descr, host(address) AS address FROM device_snmp
       WHERE device_id = ${deviceId} AND last_success_at IS NOT NULL`.execute(trx),
    sql<{ port: number }>`
      SELECT port FROM services WHERE device_id = ${deviceId} AND protocol = 'tcp' AND state = 'open' AND port IS NOT NULL
       ORDER BY port`.execute(trx),
    sql<{ ip: string | null }>`SELECT host(primary_ip) AS ip FROM devices WHERE id = ${deviceId}`.execute(trx),
    sql<{ tag: string }>`SELECT tag FROM device_tags WHERE device_id = ${deviceId} AND source = 'auto'`.execute(trx),
  ]);
  const validNames = names.rows
    .filter((row) => normaliseNameCandidate(row.source, row.name).valid)
    .map((row) => row.name);
  const suggestions = suggestTags({
    names: validNames,
    sysDescr: snmp.rows[0]?.sys_descr ?? null,
    openTcpPorts: ports.rows.map((row) => row.port),
  });
  const ip = snmp.rows[0]?.address ?? primary.rows[0]?.ip ?? null;
  await sql`
    DELETE FROM device_tags WHERE device_id = ${deviceId} AND source = 'auto'
       AND NOT (tag = ANY(${sql.val(suggestions.map((s) => s.tag))}::text[]))`.execute(trx);
  for (const suggestion of suggestions) {
    const evidence = JSON.stringify({ ...suggestion.evidence, ...(ip ? { ip } : {}) });
    await sql`
      INSERT INTO device_tags (device_id, tag, source, confidence, evidence)
      VALUES (${deviceId}, ${suggestion.tag}, 'auto', ${suggestion.confidence}, ${evidence}::jsonb)
      ON CONFLICT (device_id, tag, source) DO UPDATE SET confidence = EXCLUDED.confidence, evidence = EXCLUDED.evidence,
        updated_at = CASE WHEN device_tags.confidence = EXCLUDED.confidence AND device_tags.evidence = EXCLUDED.evidence
                          THEN device_tags.updated_at ELSE now() END`.execute(trx);
  }
  // History records the set changing, never a confidence or evidence refresh.
  const previous = new Set(before.rows.map((row) => row.tag));
  const next = new Set(suggestions.map((suggestion) => suggestion.tag));
  await recordDeviceEvents(trx, [
    ...suggestions
      .filter((suggestion) => !previous.has(suggestion.tag))
      .map((suggestion) => ({
        deviceId,
        kind: 'tag_added' as const,
        runId,
        summary: `Tag ${suggestion.tag} added automatically`,
        details: {
          tag: suggestion.tag,
          source: 'auto',
          confidence: suggestion.confidence,
          evidence: suggestion.evidence,
        },
      })),
    ...[...previous]
      .filter((tag) => !next.has(tag))
      .sort()
      .map((tag) => ({
        deviceId,
        kind: 'tag_removed' as const,
        runId,
        summary: `Automatic tag ${tag} removed`,
        details: { tag, source: 'auto' },
      })),
  ]);
}
