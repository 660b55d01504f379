import { sql } from 'kysely';
import type { Database } from '../../src/storage/database.ts';
import { refreshDeviceSummaries } from '../../src/storage/device-summary.ts';

/**
 * Writes discovered facts straight into the tables (discovery does not exist yet at this layer)
 * and refreshes the device summary the way every fact-writing repository must.
 */
export interface FactsFixture {
  ips?: { ip: string; ageSeconds?: number; viaInterface?: string }[];
  macs?: { mac: string; ageSeconds?: number; viaInterface?: string }[];
  interfaces?: { name: string | null; ifindex?: number; mac?: string; speedBps?: number; pvid?: number }[];
  services?: { protocol: 'tcp' | 'udp'; port: number; name?: string; ageSeconds?: number }[];
  snmp?: { sysName?: string; sysDescr?: string; address?: string; ok?: boolean };
  nameCandidates?: { name: string; source: string; address?: string; ageSeconds?: number }[];
}

const ago = (seconds = 0) => sql`now() - make_interval(secs => ${seconds})`;

export async function addFacts(
  database: Database,
  deviceId: string,
  facts: FactsFixture,
): Promise<Record<string, string>> {
  const db = database.db;
  const interfaceIds: Record<string, string> = {};
  for (const entry of facts.interfaces ?? []) {
    const { rows } = await sql<{ id: string }>`
      INSERT INTO interfaces (device_id, name, ifindex, mac, speed_bps)
      VALUES (${deviceId}, ${entry.name}, ${entry.ifindex ?? null}, ${entry.mac ?? null}, ${entry.speedBps ?? null})
      RETURNING id`.execute(db);
    const id = rows[0]?.id as string;
    interfaceIds[entry.name ?? `ifindex-${entry.ifindex}`] = id;
    if (entry.pvid !== undefined) {
      await sql`INSERT INTO interface_vlans (interface_id, vlan_id, role, source) VALUES (${id}, ${entry.pvid}, 'pvid', 'snmp')`.execute(
        db,
      );
    }
  }
  for (const entry of facts.ips ?? []) {
    const interfaceId = entry.viaInterface ? interfaceIds[entry.viaInterface] : null;
    await sql`
      INSERT INTO ip_addresses (device_id, interface_id, ip, created_at, updated_at)
      VALUES (${interfaceId ? null : deviceId}, ${interfaceId ?? null}, ${entry.ip}::inet, ${ago(entry.ageSeconds)}, ${ago(entry.ageSeconds)})`.execute(
      db,
    );
  }
  for (const entry of facts.macs ?? []) {
    const interfaceId = entry.viaInterface ? interfaceIds[entry.viaInterface] : null;
    await sql`
      INSERT INTO mac_addresses (device_id, interface_id, mac, created_at, updated_at)
      VALUES (${interfaceId ? null : deviceId}, ${interfaceId ?? null}, ${entry.mac}::macaddr, ${ago(entry.ageSeconds)}, ${ago(entry.ageSeconds)})`.execute(
      db,
    );
  }
  for (const entry of facts.services ?? []) {
    await sql`
      INSERT INTO services (device_id, protocol, port, name, state, source, observed_at)
      VALUES (${deviceId}, ${entry.protocol}, ${entry.port}, ${entry.name ?? null}, 'open', 'nmap', ${ago(entry.ageSeconds)})`.execute(
      db,
    );
  }
  if (facts.snmp) {
    const ok = facts.snmp.ok ?? true;
    await sql`
      INSERT INTO device_snmp (device_id, address, sys_name, sys_descr, last_success_at, last_error)
      VALUES (${deviceId}, ${facts.snmp.address ?? null}, ${facts.snmp.sysName ?? null}, ${facts.snmp.sysDescr ?? null},
              ${ok ? sql`now()` : null}, ${ok ? null : 'timeout'})`.execute(db);
  }
  for (const entry of facts.nameCandidates ?? []) {
    await sql`
      INSERT INTO device_name_candidates (device_id, name, source, address, observed_at)
      VALUES (${deviceId}, ${entry.name}, ${entry.source}, ${entry.address ?? null}, ${ago(entry.ageSeconds)})`.execute(
      db,
    );
  }
  await refreshDeviceSummaries(db, [deviceId]);
  return interfaceIds;
}

export async function countRows(database: Database, table: string): Promise<number> {
  const { rows } = await sql<{ n: number }>`SELECT count(*)::int AS n FROM ${sql.table(table)}`.execute(database.db);
  return rows[0]?.n ?? 0;
}
