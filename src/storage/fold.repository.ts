import { type Kysely, sql } from 'kysely';
import type { NewDeviceEvent } from '../domain/device-events.ts';
import { type DeviceRef, type IpMove, planFold } from '../domain/identity.ts';
import { isLocallyAdministered, macVendor } from '../domain/mac-vendor.ts';
import type { ProbedObservation } from '../domain/presence.ts';
import { recordDeviceEvents } from './device-events.writer.ts';
import { refreshDeviceSummaries } from './device-summary.ts';
import { recordSightings, type Sighting } from './presence.repository.ts';
import type { Schema } from './schema.ts';

/** One lock id for every fold, so two workers never create the same new device twice. */
const FOLD_LOCK_ID = 7_246_231_001;

export interface FoldResult {
  /** Distinct devices the batch touched (G-25: devices, not entries). */
  deviceIds: string[];
  devicesCreated: number;
  /** IPs that moved to another device because a different MAC answered on them. */
  ipMoves: { ip: string; fromDeviceId: string; toDeviceId: string }[];
  /** (device, ip) pairs in observation order: the targets later stages enrich. */
  targets: { deviceId: string; ip: string }[];
}

/**
 * Folds one batch of observations into current state in one transaction (SPEC §5.7 with the
 * identity rules of domain/identity.ts): devices created, MAC and IP facts upserted, moved IPs
 * taken from their old device, observations appended, device summaries refreshed. Set-based
 * statements over unnest() keep a 10k-observation batch to a handful of round trips.
 */
export class FoldRepository {
  constructor(private readonly db: Kysely<Schema>) {}

  async fold(runId: string, observations: readonly ProbedObservation[]): Promise<FoldResult> {
    if (observations.length === 0) return { deviceIds: [], devicesCreated: 0, ipMoves: [], targets: [] };
    return this.db.transaction().execute(async (trx) => {
      await sql`SELECT pg_advisory_xact_lock(${FOLD_LOCK_ID})`.execute(trx);
      const macs = [...new Set(observations.map((o) => o.mac?.toLowerCase()).filter((mac): mac is string => !!mac))];
      const ips = [...new Set(observations.map((o) => o.ip))];
      const byMac = new Map<string, string>();
      const byIp = new Map<string, string>();
      if (macs.length > 0) {
        const { rows } = await sql<{ mac: string; device_id: string }>`
          SELECT DISTINCT ON (mac) mac::text AS mac, device_id FROM mac_addresses
           WHERE mac = ANY(${sql.val(macs)}::macaddr[]) AND device_id IS NOT NULL
           ORDER BY mac, created_at, id`.execute(trx);
        for (const row of rows) byMac.set(row.mac, row.device_id);
      }
      const { rows: ipRows } = await sql<{ ip: string; device_id: string }>`
        SELECT DISTINCT ON (ip) host(ip) AS ip, device_id FROM ip_addresses
         WHERE ip = ANY(${sql.val(ips)}::inet[]) AND device_id IS NOT NULL
         ORDER BY ip, created_at, id`.execute(trx);
      for (const row of ipRows) byIp.set(row.ip, row.device_id);

      const owners = [...new Set(byIp.values())];
      const withoutLearntMac = new Set<string>();
      if (owners.length > 0) {
        const { rows } = await sql<{ id: string }>`
          SELECT d.id FROM unnest(${sql.val(owners)}::uuid[]) AS d(id)
           WHERE NOT EXISTS (SELECT 1 FROM mac_addresses m WHERE m.device_id = d.id AND m.source = 'arp')`.execute(trx);
        for (const row of rows) withoutLearntMac.add(row.id);
      }
      const plan = planFold(observations, { byMac, byIp, withoutLearntMac });
      const created: string[] = [];
      if (plan.newDevices > 0) {
        const { rows } = await sql<{ id: string }>`
          INSERT INTO devices (display_name) SELECT NULL FROM generate_series(1, ${plan.newDevices}) RETURNING id`.execute(
          trx,
        );
        created.push(...rows.map((row) => row.id));
      }
      const resolve = (ref: DeviceRef): string => (ref.kind === 'existing' ? ref.id : (created[ref.index] as string));
      // History (issue 5): what changed, recorded with the run that saw it, in this transaction.
      const events: NewDeviceEvent[] = created.map((deviceId, index) => {
        const ip = plan.ipFacts.find((fact) => fact.device.kind === 'new' && fact.device.index === index)?.ip;
        return {
          deviceId,
          kind: 'device_created',
          runId,
          summary: ip ? `Device discovered at ${ip}` : 'Device discovered',
          details: { source: 'discovery', ...(ip ? { ip } : {}) },
        };
      });

      for (const move of plan.ipMoves) {
        const { rows: removed } = await sql`
          DELETE FROM ip_addresses WHERE device_id = ${move.fromDeviceId} AND ip = ${move.ip}::inet RETURNING id`.execute(
          trx,
        );
        if (removed.length > 0) {
          events.push({
            deviceId: move.fromDeviceId,
            kind: 'ip_removed',
            runId,
            summary: `IP ${move.ip} moved to another device`,
            details: { ip: move.ip, reason: 'moved', to_device_id: resolve(move.to) },
          });
        }
      }
      if (plan.macFacts.length > 0) {
        const deviceIds = plan.macFacts.map((fact) => resolve(fact.device));
        const values = plan.macFacts.map((fact) => fact.mac);
        // The outer SELECT reads mac_addresses as it was before the upsert (one snapshot), so it
        // finds the facts that are new or were stale: those are the events.
        const { rows: added } = await sql<{ device_id: string; mac: string; returned: boolean; vendor: string | null }>`
          WITH upserted AS (
            INSERT INTO mac_addresses (device_id, mac, source, seen_run_id, vendor, locally_administered)
            SELECT d, m, 'arp', ${runId}::uuid, v, l
              FROM unnest(${sql.val(deviceIds)}::uuid[], ${sql.val(values)}::macaddr[], ${sql.val(values.map(macVendor))}::text[],
                          ${sql.val(values.map(isLocallyAdministered))}::boolean[]) AS t(d, m, v, l)
            ON CONFLICT (device_id, mac) WHERE device_id IS NOT NULL
            DO UPDATE SET updated_at = now(), seen_run_id = EXCLUDED.seen_run_id, stale_since = NULL,
                          source = COALESCE(mac_addresses.source, EXCLUDED.source), vendor = EXCLUDED.vendor,
                          locally_administered = EXCLUDED.locally_administered
            RETURNING device_id, mac, vendor
          )
          SELECT u.device_id, u.mac::text AS mac, u.vendor, (p.id IS NOT NULL) AS returned
            FROM upserted u LEFT JOIN mac_addresses p ON p.device_id = u.device_id AND p.mac = u.mac
           WHERE p.id IS NULL OR p.stale_since IS NOT NULL`.execute(trx);
        for (const row of added) events.push(macAdded(row, runId));
        await sql`
          INSERT INTO mac_observations (run_id, device_id, mac)
          SELECT ${runId}::uuid, d, m FROM unnest(${sql.val(deviceIds)}::uuid[], ${sql.val(values)}::macaddr[]) AS t(d, m)
          ON CONFLICT DO NOTHING`.execute(trx);
      }
      const ipDeviceIds = plan.ipFacts.map((fact) => resolve(fact.device));
      const ipValues = plan.ipFacts.map((fact) => fact.ip);
      if (plan.ipFacts.length > 0) {
        const { rows: added } = await sql<{ device_id: string; ip: string; returned: boolean }>`
          WITH upserted AS (
            INSERT INTO ip_addresses (device_id, ip, source, seen_run_id)
            SELECT d, i, 'presence', ${runId}::uuid FROM unnest(${sql.val(ipDeviceIds)}::uuid[], ${sql.val(ipValues)}::inet[]) AS t(d, i)
            ON CONFLICT (device_id, ip) WHERE device_id IS NOT NULL
            DO UPDATE SET updated_at = now(), seen_run_id = EXCLUDED.seen_run_id, stale_since = NULL
            RETURNING device_id, ip
          )
          SELECT u.device_id, host(u.ip) AS ip, (p.id IS NOT NULL) AS returned
            FROM upserted u LEFT JOIN ip_addresses p ON p.device_id = u.device_id AND p.ip = u.ip
           WHERE p.id IS NULL OR p.stale_since IS NOT NULL`.execute(trx);
        for (const row of added) events.push(ipAdded(row, runId));
        await sql`
          INSERT INTO ip_observations (run_id, device_id, ip)
          SELECT ${runId}::uuid, d, i FROM unnest(${sql.val(ipDeviceIds)}::uuid[], ${sql.val(ipValues)}::inet[]) AS t(d, i)
          ON CONFLICT DO NOTHING`.execute(trx);
      }
      await recordDeviceEvents(trx, events);
      const touched = [...new Set([...ipDeviceIds, ...plan.macFacts.map((fact) => resolve(fact.device))])];
      const movedFrom = plan.ipMoves.map((move) => move.fromDeviceId);
      await refreshDeviceSummaries(trx, [...new Set([...touched, ...movedFrom])]);
      // Presence: which probe saw each device, in the transaction that records the observation.
      const deviceOfIp = new Map(plan.ipFacts.map((fact, index) => [fact.ip, ipDeviceIds[index] as string]));
      const sightings: Sighting[] = observations.flatMap((observation) => {
        const deviceId = deviceOfIp.get(observation.ip);
        return deviceId ? (observation.probes ?? []).map((probe) => ({ deviceId, probe })) : [];
      });
      await recordSightings(trx, runId, sightings);
      return {
        deviceIds: touched,
        devicesCreated: created.length,
        ipMoves: plan.ipMoves.map((move: IpMove) => ({
          ip: move.ip,
          fromDeviceId: move.fromDeviceId,
          toDeviceId: resolve(move.to),
        })),
        targets: plan.ipFacts.map((fact, index) => ({ deviceId: ipDeviceIds[index] as string, ip: fact.ip })),
      };
    });
  }
}

/** A fact that is new to the device, or back after it was no longer seen. */
export function ipAdded(
  row: { device_id: string; ip: string; returned: boolean },
  runId: string | null,
): NewDeviceEvent {
  return {
    deviceId: row.device_id,
    kind: 'ip_added',
    runId,
    summary: row.returned ? `IP ${row.ip} seen again` : `IP ${row.ip} first seen`,
    details: { ip: row.ip, ...(row.returned ? { returned: true } : {}) },
  };
}

export function macAdded(
  row: { device_id: string; mac: string; returned: boolean; vendor?: string | null },
  runId: string | null,
): NewDeviceEvent {
  return {
    deviceId: row.device_id,
    kind: 'mac_added',
    runId,
    summary: row.returned ? `MAC ${row.mac} seen again` : `MAC ${row.mac} first seen`,
    details: {
      mac: row.mac,
      ...(row.vendor ? { vendor: row.vendor } : {}),
      ...(row.returned ? { returned: true } : {}),
    },
  };
}
