import type { Static } from 'typebox';
import type { NameCandidate } from '../../domain/naming.ts';
import type { DeviceBody, DeviceFacts, DeviceTagList, NameCandidateList } from '../../shared/schemas/devices.ts';
import type { DeviceRow } from '../../storage/device.repository.ts';
import type { DeviceFactsRows, NameCandidateRow } from '../../storage/device-facts.repository.ts';

/** Core omits keys whose value is null or empty rather than sending null (SPEC §0). */
export function withoutEmpty<T extends Record<string, unknown>>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, entry]) => entry !== null && entry !== undefined)) as T;
}

export function presentDevice(row: DeviceRow): DeviceBody {
  const metadata = withoutEmpty({ owner: row.owner, location: row.location, notes: row.notes });
  return withoutEmpty({
    id: row.id,
    display_name: row.display_name ?? undefined,
    primary_ip: row.primary_ip ?? undefined,
    vendor: row.vendor ?? undefined,
    primary_mac: row.primary_mac ?? undefined,
    tags: row.tags && row.tags.length > 0 ? row.tags : undefined,
    metadata: Object.keys(metadata).length > 0 ? metadata : undefined,
    last_seen_at: row.last_seen_at ?? undefined,
    last_change_at: row.last_change_at,
    created_at: row.created_at,
    presence: withoutEmpty({
      state: row.presence,
      since: row.presence_since ?? undefined,
      last_seen_at: row.presence_seen_at ?? undefined,
      last_seen_by: row.presence_seen_by ?? [],
      missed_scans: row.presence_missed_scans,
      checked_at: row.presence_checked_at ?? undefined,
    }),
  }) as DeviceBody;
}

export function presentFacts(deviceId: string, facts: DeviceFactsRows): Static<typeof DeviceFacts> {
  return withoutEmpty<Record<string, unknown>>({
    device_id: deviceId,
    ips: facts.ips.map(withoutEmpty),
    macs: facts.macs.map(withoutEmpty),
    interfaces: facts.interfaces.map(withoutEmpty),
    services: facts.services.map(withoutEmpty),
    snmp: facts.snmp ? withoutEmpty(facts.snmp) : undefined,
    links: facts.links.map(withoutEmpty),
    vlans: facts.vlans.map(withoutEmpty),
    fdb: facts.fdb.map(withoutEmpty),
    switch_ports: facts.switch_ports.map(withoutEmpty),
  }) as Static<typeof DeviceFacts>;
}

export function presentNameCandidate(
  row: NameCandidateRow,
  scored: NameCandidate,
): Static<typeof NameCandidateList>[number] {
  return withoutEmpty<Record<string, unknown>>({
    name: row.name,
    source: row.source,
    address: row.address,
    observed_at: row.observed_at,
    last_seen_at: row.last_seen_at,
    display_name: scored.displayName,
    score: scored.score,
    valid: scored.valid,
  }) as Static<typeof NameCandidateList>[number];
}

export function presentTag(row: Record<string, unknown>): Static<typeof DeviceTagList>[number] {
  return withoutEmpty(row) as Static<typeof DeviceTagList>[number];
}
