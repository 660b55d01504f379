import { type Kysely, sql } from 'kysely';
import type { ServiceSighting, SnmpDeviceReport, SnmpSaved } from '../domain/enrichment.types.ts';
import type { NameCandidate } from '../domain/naming.ts';
import { probesOfNameSources, probesOfServices } from '../domain/presence.ts';
import { recordDeviceEvents } from './device-events.writer.ts';
import { refreshDeviceSummaries } from './device-summary.ts';
import { saveNameCandidates } from './enrichment/names.writer.ts';
import { type LinkChange, linkEvents, saveNeighbours } from './enrichment/neighbours.writer.ts';
import { saveServiceScan } from './enrichment/services.writer.ts';
import { saveSnmpFacts, saveSnmpFailure } from './enrichment/snmp-facts.writer.ts';
import { reclassifyDevice } from './enrichment/tags.writer.ts';
import { recordSightings } from './presence.repository.ts';
import type { Schema } from './schema.ts';

export type { SnmpSaved };

/**
 * Everything enrichment writes, one transaction per device and call, each refreshing the device
 * summaries it touched (the rule of storage/device-summary.ts). `runId` marks what this run
 * confirmed, so what it did not confirm can be marked stale.
 */
export class EnrichmentRepository {
  /** Links this run's walks touched (marked stale, or saw again): their state before the run. */
  private readonly linkStates = new Map<string, 'current' | 'stale'>();

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
      // An mDNS or NetBIOS answer is the host answering (presence); a DNS name proves nothing.
      const probes = probesOfNameSources(candidates.map((candidate) => candidate.source));
      await recordSightings(
        trx,
        this.runId,
        probes.map((probe) => ({ deviceId, probe })),
      );
      const written = await saveNameCandidates(trx, deviceId, address, candidates, this.runId);
      if (written > 0) await refreshDeviceSummaries(trx, [deviceId]);
      return written;
    });
  }

  async saveSnmp(deviceId: string, report: SnmpDeviceReport): Promise<SnmpSaved> {
    const { saved, neighbours } = await this.db.transaction().execute(async (trx) => {
      // The agent answered: presence first, so the history reads "came online", then what changed.
      await recordSightings(trx, this.runId, [{ deviceId, probe: 'snmp' }]);
      const facts = await saveSnmpFacts(trx, this.runId, deviceId, report);
      const walked = (['lldp', 'cdp'] as const).filter((protocol) => report[protocol]?.ok === true);
      const sightings = walked.flatMap((protocol) => {
        const outcome = report[protocol];
        return outcome?.ok ? outcome.value : [];
      });
      const neighbours = await saveNeighbours(trx, this.runId, deviceId, facts.interfaceIds, walked, sightings);
      // A new cable is news at once; a stale one seen again, or one marked stale, is decided at the
      // end of the run (recordLinkChanges).
      const fresh = neighbours.linksAdded.filter((link) => !link.returned);
      await recordDeviceEvents(trx, await linkEvents(trx, this.runId, fresh, []));
      await refreshDeviceSummaries(trx, [deviceId, ...neighbours.remoteDeviceIds]);
      const saved: SnmpSaved = {
        interfaces: facts.interfaces,
        addresses: facts.addresses,
        vlans: facts.vlans,
        fdb: facts.fdb,
        links: neighbours.links,
        devicesCreated: neighbours.devicesCreated,
      };
      return { saved, neighbours };
    });
    // Committed: remember how each touched link was when this run first touched it.
    for (const link of neighbours.linksStale) {
      if (!this.linkStates.has(link.id)) this.linkStates.set(link.id, 'current');
    }
    for (const link of neighbours.linksAdded) {
      if (link.returned && !this.linkStates.has(link.id)) this.linkStates.set(link.id, 'stale');
    }
    return saved;
  }

  /**
   * Link history once the run's walks are done. Each walk marks stale the links its protocol no
   * longer reports (G-20), so a cable only one end reports is marked by one end's walk and
   * confirmed by the other's, in whichever order the run walks them: judged per walk, it would be
   * "removed" and "seen again" every run. Judged here, against how the link was when the run first
   * touched it: current then and stale now is link_removed, stale then and current now is
   * link_added (seen again), for both ends; anything else changed nothing.
   */
  async recordLinkChanges(): Promise<number> {
    if (this.linkStates.size === 0) return 0;
    const initial = new Map(this.linkStates);
    this.linkStates.clear();
    return this.db.transaction().execute(async (trx) => {
      const { rows } = await sql<LinkChange & { stale: boolean }>`
        SELECT id, a_device_id, a_interface_id, b_device_id, b_interface_id, protocols,
               (stale_since IS NOT NULL) AS stale
          FROM links WHERE id = ANY(${sql.val([...initial.keys()])}::uuid[])
         ORDER BY id`.execute(trx);
      const removed = rows.filter((row) => row.stale && initial.get(row.id) === 'current');
      const back = rows
        .filter((row) => !row.stale && initial.get(row.id) === 'stale')
        .map((row) => ({ ...row, returned: true }));
      const strip = ({ stale: _stale, ...link }: LinkChange & { stale: boolean }): LinkChange => link;
      await recordDeviceEvents(trx, await linkEvents(trx, this.runId, back.map(strip), removed.map(strip)));
      return removed.length + back.length;
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
      await recordSightings(
        trx,
        this.runId,
        probesOfServices(scan.open).map((probe) => ({ deviceId, probe })),
      );
      const written = await saveServiceScan(trx, this.runId, deviceId, scan);
      await refreshDeviceSummaries(trx, [deviceId]);
      return written;
    });
  }

  /** Auto tags recomputed from each device's current facts (only devices this run enriched: G-31). */
  async reclassify(deviceIds: readonly string[]): Promise<void> {
    for (const deviceId of new Set(deviceIds)) {
      await this.db.transaction().execute(async (trx) => {
        await reclassifyDevice(trx, deviceId, this.runId);
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
      const { rows } = await sql<{ device_id: string; kind: 'ip' | 'mac'; value: string }>`
        WITH stale_ips AS (
          UPDATE ip_addresses SET stale_since = now()
           WHERE device_id IS NOT NULL AND (source = 'presence' OR interface_id IS NULL) AND stale_since IS NULL
             AND seen_run_id IS DISTINCT FROM ${this.runId}::uuid
             AND ip <<= ANY(${sql.val([...scopeCidrs])}::inet[])
          RETURNING device_id, host(ip) AS value
        ), stale_macs AS (
          UPDATE mac_addresses m SET stale_since = now()
           WHERE m.device_id IS NOT NULL AND m.source = 'arp' AND m.stale_since IS NULL
             AND m.seen_run_id IS DISTINCT FROM ${this.runId}::uuid
             AND EXISTS (SELECT 1 FROM mac_addresses s WHERE s.device_id = m.device_id AND s.source = 'arp'
                                                        AND s.seen_run_id = ${this.runId}::uuid)
          RETURNING device_id, mac::text AS value
        )
        SELECT device_id, 'ip' AS kind, value FROM stale_ips
        UNION ALL SELECT device_id, 'mac' AS kind, value FROM stale_macs
        ORDER BY device_id, kind, value`.execute(trx);
      await recordDeviceEvents(
        trx,
        rows.map((row) => ({
          deviceId: row.device_id,
          kind: row.kind === 'ip' ? 'ip_removed' : 'mac_removed',
          runId: this.runId,
          summary: `${row.kind === 'ip' ? 'IP' : 'MAC'} ${row.value} no longer seen`,
          details: { [row.kind]: row.value, reason: 'not_seen' },
        })),
      );
      await refreshDeviceSummaries(trx, [...new Set(rows.map((row) => row.device_id))]);
    });
  }
}
