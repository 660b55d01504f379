import { type Kysely, sql } from 'kysely';
import type { ServiceSighting, SnmpDeviceReport } from '../domain/enrichment.types.ts';
import type { NameCandidate } from '../domain/naming.ts';
import { refreshDeviceSummaries } from './device-summary.ts';
import { saveNameCandidates } from './enrichment/names.writer.ts';
import { saveNeighbours } from './enrichment/neighbours.writer.ts';
import { saveServiceScan } from './enrichment/services.writer.ts';
import { saveSnmpFacts, saveSnmpFailure } from './enrichment/snmp-facts.writer.ts';
import { reclassifyDevice } from './enrichment/tags.writer.ts';
import type { Schema } from './schema.ts';

export interface SnmpSaved {
  interfaces: number;
  addresses: number;
  vlans: number;
  fdb: number;
  links: number;
  devicesCreated: number;
}

/**
 * Everything enrichment writes, one transaction per device and call, each refreshing the device
 * summaries it touched (the rule of storage/device-summary.ts). `runId` marks what this run
 * confirmed, so what it did not confirm can be marked stale.
 */
export class EnrichmentRepository {
  constructor(
    private readonly db: Kysely<Schema>,
    private readonly runId: string,
  ) {}

  /** The credential set that last answered for each device, tried first next time. */
  async snmpCredentialHints(deviceIds: readonly string[]): Promise<Map<string, string>> {
    if (deviceIds.length === 0) return new Map();
    const { rows } = await sql<{ device_id: string; credential: string }>`
      SELECT device_id, credential FROM device_snmp
       WHERE device_id = ANY(${sql.val([...deviceIds])}::uuid[]) AND credential IS NOT NULL
         AND last_success_at IS NOT NULL`.execute(this.db);
    return new Map(rows.map((row) => [row.device_id, row.credential]));
  }

  async saveNames(deviceId: string, address: string | null, candidates: readonly NameCandidate[]): Promise<number> {
    return this.db.transaction().execute(async (trx) => {
      const written = await saveNameCandidates(trx, deviceId, address, candidates);
      if (written > 0) await refreshDeviceSummaries(trx, [deviceId]);
      return written;
    });
  }

  async saveSnmp(deviceId: string, report: SnmpDeviceReport): Promise<SnmpSaved> {
    return this.db.transaction().execute(async (trx) => {
      const facts = await saveSnmpFacts(trx, this.runId, deviceId, report);
      const walked = (['lldp', 'cdp'] as const).filter((protocol) => report[protocol]?.ok === true);
      const sightings = walked.flatMap((protocol) => {
        const outcome = report[protocol];
        return outcome?.ok ? outcome.value : [];
      });
      const neighbours = await saveNeighbours(trx, this.runId, deviceId, facts.interfaceIds, walked, sightings);
      await refreshDeviceSummaries(trx, [deviceId, ...neighbours.remoteDeviceIds]);
      return {
        interfaces: facts.interfaces,
        addresses: facts.addresses,
        vlans: facts.vlans,
        fdb: facts.fdb,
        links: neighbours.links,
        devicesCreated: neighbours.devicesCreated,
      };
    });
  }

  async saveSnmpFailure(deviceId: string, address: string, error: string): Promise<void> {
    await this.db.transaction().execute(async (trx) => {
      await saveSnmpFailure(trx, deviceId, address, error);
      await refreshDeviceSummaries(trx, [deviceId]);
    });
  }

  async saveServices(
    deviceId: string,
    scan: { scannedTcpPorts: readonly number[]; open: readonly ServiceSighting[] },
  ): Promise<number> {
    return this.db.transaction().execute(async (trx) => {
      const written = await saveServiceScan(trx, this.runId, deviceId, scan);
      await refreshDeviceSummaries(trx, [deviceId]);
      return written;
    });
  }

  /** Auto tags recomputed from each device's current facts (only devices this run enriched: G-31). */
  async reclassify(deviceIds: readonly string[]): Promise<void> {
    for (const deviceId of new Set(deviceIds)) {
      await this.db.transaction().execute(async (trx) => {
        await reclassifyDevice(trx, deviceId);
        await refreshDeviceSummaries(trx, [deviceId]);
      });
    }
  }

  /**
   * After the presence stage: addresses inside the run's scope that did not answer are stale, and
   * so is an ARP-learnt MAC of a device that answered this run without it (G-20).
   */
  async markPresence(scopeCidrs: readonly string[]): Promise<void> {
    if (scopeCidrs.length === 0) return;
    await this.db.transaction().execute(async (trx) => {
      const { rows } = await sql<{ device_id: string }>`
        WITH stale_ips AS (
          UPDATE ip_addresses SET stale_since = now()
           WHERE device_id IS NOT NULL AND (source = 'presence' OR interface_id IS NULL) AND stale_since IS NULL
             AND seen_run_id IS DISTINCT FROM ${this.runId}::uuid
             AND ip <<= ANY(${sql.val([...scopeCidrs])}::inet[])
          RETURNING device_id
        ), stale_macs AS (
          UPDATE mac_addresses m SET stale_since = now()
           WHERE m.device_id IS NOT NULL AND m.source = 'arp' AND m.stale_since IS NULL
             AND m.seen_run_id IS DISTINCT FROM ${this.runId}::uuid
             AND EXISTS (SELECT 1 FROM mac_addresses s WHERE s.device_id = m.device_id AND s.source = 'arp'
                                                        AND s.seen_run_id = ${this.runId}::uuid)
          RETURNING device_id
        )
        SELECT device_id FROM stale_ips UNION SELECT device_id FROM stale_macs`.execute(trx);
      await refreshDeviceSummaries(
        trx,
        rows.map((row) => row.device_id),
      );
    });
  }
}
