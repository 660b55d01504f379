import { type Kysely, sql } from 'kysely';
import type { NewDeviceEvent } from '../domain/device-events.ts';
import {
  cameOnlineSummary,
  effectivePresenceSettings,
  goesOffline,
  type PresenceOverride,
  type PresenceSettings,
  type PresenceState,
  type SightingProbe,
  wentOfflineSummary,
} from '../domain/presence.ts';
import { parseScope } from '../domain/scope.ts';
import { recordDeviceEvents } from './device-events.writer.ts';
import type { Schema } from './schema.ts';

export interface PresenceTransition {
  deviceId: string;
  presence: 'online' | 'offline';
  previous: PresenceState;
}

export interface Sighting {
  deviceId: string;
  probe: SightingProbe;
}

interface LockedDevice {
  id: string;
  presence: PresenceState;
  presence_missed_scans: number;
  presence_since: string | null;
  last_seen_at: string | null;
}

/**
 * Records that probes got answers from devices, in the caller's transaction (the one that writes the
 * observation): each (device, probe) keeps its last time and run, and every device seen is online
 * from now on with no missed scans. A device that was not online gets one `came_online` event. The
 * rows are locked in id order first, so a concurrent evaluation or sighting of the same device waits
 * and then sees the committed state: each transition is recorded once.
 */
export async function recordSightings(
  trx: Kysely<Schema>,
  runId: string | null,
  sightings: readonly Sighting[],
): Promise<PresenceTransition[]> {
  const byDevice = new Map<string, Set<SightingProbe>>();
  for (const sighting of sightings) {
    const probes = byDevice.get(sighting.deviceId) ?? new Set<SightingProbe>();
    probes.add(sighting.probe);
    byDevice.set(sighting.deviceId, probes);
  }
  if (byDevice.size === 0) return [];
  const ids = [...byDevice.keys()].sort();
  const { rows: before } = await sql<LockedDevice>`
    SELECT d.id, d.presence, d.presence_missed_scans, d.presence_since,
           (SELECT max(s.last_seen_at) FROM device_sightings s WHERE s.device_id = d.id) AS last_seen_at
      FROM devices d WHERE d.id = ANY(${sql.val(ids)}::uuid[])
     ORDER BY d.id
       FOR UPDATE`.execute(trx);
  const pairs = ids.flatMap((id) => [...(byDevice.get(id) ?? [])].sort().map((probe) => ({ id, probe })));
  await sql`
    INSERT INTO device_sightings (device_id, probe, run_id)
    SELECT d, p, ${runId}::uuid FROM unnest(${sql.val(pairs.map((pair) => pair.id))}::uuid[],
                                          ${sql.val(pairs.map((pair) => pair.probe))}::text[]) AS t(d, p)
    ON CONFLICT (device_id, probe) DO UPDATE SET last_seen_at = now(), run_id = EXCLUDED.run_id`.execute(trx);
  await sql`
    UPDATE devices
       SET presence = 'online',
           presence_since = CASE WHEN presence = 'online' AND presence_since IS NOT NULL THEN presence_since ELSE now() END,
           presence_missed_scans = 0,
           presence_checked_at = now()
     WHERE id = ANY(${sql.val(ids)}::uuid[])`.execute(trx);
  const transitions = before.filter((row) => row.presence !== 'online');
  await recordDeviceEvents(
    trx,
    transitions.map((row): NewDeviceEvent => {
      const probes = [...(byDevice.get(row.id) ?? [])].sort();
      return {
        deviceId: row.id,
        kind: 'came_online',
        runId,
        summary: cameOnlineSummary({ previous: row.presence, probes, previousSince: row.presence_since }),
        details: {
          previous: row.presence,
          probes,
          last_seen_at: row.last_seen_at,
          missed_scans: row.presence_missed_scans,
          run_id: runId,
          ...(row.presence === 'offline' && row.presence_since ? { offline_since: row.presence_since } : {}),
        },
      };
    }),
  );
  return transitions.map((row) => ({ deviceId: row.id, presence: 'online', previous: row.presence }));
}

interface Candidate {
  id: string;
  presence: PresenceState;
  presence_missed_scans: number;
  tags: string[] | null;
  age_s: number;
  device_missed: number | null;
  device_grace: number | null;
}

/**
 * Presence from scans (issue 11). Sightings make devices online as they are written
 * (`recordSightings`); after each successful run `recordScan` counts a miss for every device the
 * run's scope covered and nothing saw; `evaluate` (after each run and on a timer) turns devices
 * offline once both thresholds are passed.
 */
export class PresenceRepository {
  constructor(private readonly db: Kysely<Schema>) {}

  /**
   * Counts the run as a missed scan for each device it covered and that no probe has seen since the
   * run started (by this run or any other: runs may overlap). Only a succeeded run with a scope
   * counts: a failed or canceled run proves nothing. Covered means an address of the device lies in
   * the scope, where the device's addresses are those still current when the run started, or all of
   * them when none was (an offline device's addresses are all stale). Counted once per run and device.
   * Returns the ids of the devices that missed it.
   */
  async recordScan(runId: string): Promise<string[]> {
    const run = await this.db
      .selectFrom('discovery_runs')
      .select(['status', 'scope', 'started_at'])
      .where('id', '=', runId)
      .executeTakeFirst();
    if (run?.status !== 'succeeded' || !run.scope || !run.started_at) return [];
    const parsed = parseScope(run.scope);
    if (!parsed.ok || parsed.entries.length === 0) return [];
    const cidrs = sql.val(parsed.entries.map((entry) => entry.text));
    const started = sql`${run.started_at}::timestamptz`;
    return this.db.transaction().execute(async (trx) => {
      const { rows } = await sql<{ id: string }>`
        WITH in_scope AS (
          SELECT a.device_id FROM ip_addresses a WHERE a.device_id IS NOT NULL AND a.ip <<= ANY(${cidrs}::inet[])
          UNION
          SELECT i.device_id FROM ip_addresses a JOIN interfaces i ON i.id = a.interface_id
           WHERE a.ip <<= ANY(${cidrs}::inet[])
        ), owned AS (
          SELECT a.device_id, a.ip, (a.stale_since IS NULL OR a.stale_since >= ${started}) AS current
            FROM ip_addresses a WHERE a.device_id IN (SELECT device_id FROM in_scope)
          UNION ALL
          SELECT i.device_id, a.ip, (a.stale_since IS NULL OR a.stale_since >= ${started}) AS current
            FROM ip_addresses a JOIN interfaces i ON i.id = a.interface_id
           WHERE i.device_id IN (SELECT device_id FROM in_scope) AND a.device_id IS DISTINCT FROM i.device_id
        ), covered AS (
          SELECT o.device_id FROM owned o
           GROUP BY o.device_id
          HAVING bool_or(o.current AND o.ip <<= ANY(${cidrs}::inet[]))
              OR (NOT bool_or(o.current) AND bool_or(o.ip <<= ANY(${cidrs}::inet[])))
        ), missed AS (
          SELECT d.id FROM devices d JOIN covered c ON c.device_id = d.id
           WHERE d.presence_run_id IS DISTINCT FROM ${runId}::uuid
             AND NOT EXISTS (SELECT 1 FROM device_sightings s WHERE s.device_id = d.id AND s.last_seen_at >= ${started})
           ORDER BY d.id
             FOR UPDATE OF d
        )
        UPDATE devices d
           SET presence_missed_scans = d.presence_missed_scans + 1, presence_run_id = ${runId}::uuid,
               presence_checked_at = now()
          FROM missed m
         WHERE d.id = m.id
        RETURNING d.id`.execute(trx);
      return rows.map((row) => row.id).sort();
    });
  }

  /**
   * Moves to offline every device with enough missed scans whose grace period is over, each with one
   * `went_offline` event saying why. Candidates are locked with SKIP LOCKED: a device another
   * transaction is writing (a sighting, most likely) is judged at the next evaluation, and a second
   * evaluator at the same time never records the same transition twice.
   */
  async evaluate(global: PresenceSettings): Promise<PresenceTransition[]> {
    return this.db.transaction().execute(async (trx) => {
      const { rows } = await sql<Candidate>`
        SELECT d.id, d.presence, d.presence_missed_scans, d.tags, ds.missed_scans AS device_missed,
               ds.grace_s AS device_grace,
               EXTRACT(EPOCH FROM now() - COALESCE(
                 (SELECT max(s.last_seen_at) FROM device_sightings s WHERE s.device_id = d.id),
                 d.last_seen_at, d.created_at))::float8 AS age_s
          FROM devices d
          LEFT JOIN device_presence_settings ds ON ds.device_id = d.id
         WHERE d.presence_missed_scans > 0 AND d.presence <> 'offline'
         ORDER BY d.id
           FOR UPDATE OF d SKIP LOCKED`.execute(trx);
      if (rows.length === 0) return [];
      const tagSettings = await tagOverrides(trx);
      const going = rows
        .map((row) => {
          const tags = new Map<string, PresenceOverride>();
          for (const tag of row.tags ?? []) {
            const override = tagSettings.get(tag);
            if (override) tags.set(tag, override);
          }
          const device =
            row.device_missed === null && row.device_grace === null
              ? undefined
              : { missedScans: row.device_missed, graceS: row.device_grace };
          return { row, settings: effectivePresenceSettings(global, device, tags) };
        })
        .filter(({ row, settings }) =>
          goesOffline(
            { state: row.presence, missedScans: row.presence_missed_scans, lastSeenMs: -row.age_s * 1000 },
            settings,
            0,
          ),
        );
      if (going.length === 0) return [];
      const ids = going.map(({ row }) => row.id);
      const { rows: facts } = await sql<{
        id: string;
        last_seen_at: string | null;
        run_id: string | null;
        scope: string | null;
        probes: string[] | null;
      }>`
        UPDATE devices d SET presence = 'offline', presence_since = now()
          FROM devices x
          LEFT JOIN discovery_runs r ON r.id = x.presence_run_id
          LEFT JOIN LATERAL (
            SELECT l.last_seen_at,
                   ARRAY(SELECT s.probe FROM device_sightings s
                          WHERE s.device_id = x.id AND (s.run_id = l.run_id OR s.last_seen_at = l.last_seen_at)
                          ORDER BY s.probe) AS probes
              FROM device_sightings l WHERE l.device_id = x.id ORDER BY l.last_seen_at DESC, l.probe LIMIT 1
          ) ls ON true
         WHERE d.id = x.id AND x.id = ANY(${sql.val(ids)}::uuid[])
        RETURNING d.id, ls.last_seen_at, x.presence_run_id AS run_id, r.scope, ls.probes`.execute(trx);
      const byId = new Map(facts.map((fact) => [fact.id, fact]));
      await recordDeviceEvents(
        trx,
        going.map(({ row, settings }): NewDeviceEvent => {
          const fact = byId.get(row.id);
          const probes = fact?.probes ?? [];
          const lastSeenAt = fact?.last_seen_at ?? null;
          return {
            deviceId: row.id,
            kind: 'went_offline',
            runId: fact?.run_id ?? null,
            summary: wentOfflineSummary({
              missedScans: row.presence_missed_scans,
              scope: fact?.scope ?? null,
              lastSeenAt,
              probes,
            }),
            details: {
              previous: row.presence,
              probes,
              last_seen_at: lastSeenAt,
              missed_scans: row.presence_missed_scans,
              threshold_scans: settings.missedScans,
              grace_s: settings.graceS,
              run_id: fact?.run_id ?? null,
              ...(fact?.scope ? { scope: fact.scope } : {}),
            },
          };
        }),
      );
      return going.map(({ row }) => ({ deviceId: row.id, presence: 'offline', previous: row.presence }));
    });
  }
}

export async function tagOverrides(db: Kysely<Schema>): Promise<Map<string, PresenceOverride>> {
  const rows = await db.selectFrom('tag_presence_settings').select(['tag', 'missed_scans', 'grace_s']).execute();
  return new Map(rows.map((row) => [row.tag, { missedScans: row.missed_scans, graceS: row.grace_s }]));
}
