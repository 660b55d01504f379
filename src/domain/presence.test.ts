import { describe, expect, it } from 'vitest';
import {
  cameOnlineSummary,
  effectivePresenceSettings,
  goesOffline,
  type PresenceOverride,
  probesOfNameSources,
  probesOfServices,
  wentOfflineSummary,
} from './presence.ts';

const GLOBAL = { missedScans: 2, graceS: 600 };
const tags = (entries: Record<string, Partial<PresenceOverride>>): Map<string, PresenceOverride> =>
  new Map(
    Object.entries(entries).map(([tag, value]) => [
      tag,
      { missedScans: value.missedScans ?? null, graceS: value.graceS ?? null },
    ]),
  );

describe('presence rules', () => {
  it('goes offline only with enough missed scans AND the grace period over', () => {
    const now = 10_000_000;
    const device = (missedScans: number, secondsAgo: number, state: 'online' | 'unknown' | 'offline' = 'online') => ({
      state,
      missedScans,
      lastSeenMs: now - secondsAgo * 1000,
    });
    expect(goesOffline(device(2, 600), GLOBAL, now)).toBe(true);
    expect(goesOffline(device(5, 3600, 'unknown'), GLOBAL, now)).toBe(true);
    expect(goesOffline(device(1, 86_400), GLOBAL, now)).toBe(false);
    expect(goesOffline(device(9, 599), GLOBAL, now)).toBe(false);
    expect(goesOffline(device(9, 86_400, 'offline'), GLOBAL, now)).toBe(false);
    expect(goesOffline(device(1, 0), { missedScans: 1, graceS: 0 }, now)).toBe(true);
  });

  it('takes the device override, else the largest of its tags, else the global value, per value', () => {
    expect(effectivePresenceSettings(GLOBAL, undefined, new Map())).toEqual({
      ...GLOBAL,
      source: { missedScans: 'global', graceS: 'global' },
    });
    const tagged = tags({ printer: { missedScans: 3, graceS: 60 }, camera: { missedScans: 5 }, iot: { graceS: 7200 } });
    expect(effectivePresenceSettings(GLOBAL, undefined, tagged)).toEqual({
      missedScans: 5,
      graceS: 7200,
      source: { missedScans: 'tag:camera', graceS: 'tag:iot' },
    });
    expect(effectivePresenceSettings(GLOBAL, { missedScans: 1, graceS: null }, tagged)).toEqual({
      missedScans: 1,
      graceS: 7200,
      source: { missedScans: 'device', graceS: 'tag:iot' },
    });
    // A tie between tags names the alphabetically first.
    expect(
      effectivePresenceSettings(GLOBAL, undefined, tags({ server: { missedScans: 4 }, nas: { missedScans: 4 } })).source
        .missedScans,
    ).toBe('tag:nas');
  });

  it('counts mDNS and NetBIOS answers and open ports as sightings, never a DNS name', () => {
    expect(probesOfNameSources(['reverse_dns', 'netbios', 'mdns', 'snmp', 'lldp', 'mdns'])).toEqual([
      'mdns',
      'netbios',
    ]);
    expect(probesOfNameSources(['reverse_dns'])).toEqual([]);
    expect(probesOfServices([{ source: 'nmap' }, { source: 'mdns' }, { source: 'nmap' }])).toEqual(['mdns', 'tcp']);
  });

  it('says why in the summaries', () => {
    expect(
      wentOfflineSummary({
        missedScans: 2,
        scope: '10.0.0.0/24',
        lastSeenAt: '2026-11-27T14:02:11.5Z',
        probes: ['arp'],
      }),
    ).toBe('Went offline: missed 2 scans of 10.0.0.0/24, last seen 2026-11-27 14:02 UTC by arp');
    expect(wentOfflineSummary({ missedScans: 1, scope: null, lastSeenAt: null, probes: [] })).toBe(
      'Went offline: missed 1 scan, never answered a probe',
    );
    expect(cameOnlineSummary({ previous: 'unknown', probes: ['arp', 'icmp'], previousSince: null })).toBe(
      'Online: seen by arp, icmp',
    );
    expect(cameOnlineSummary({ previous: 'offline', probes: ['snmp'], previousSince: '2026-11-27T09:00:00Z' })).toBe(
      'Back online: seen by snmp (offline since 2026-11-27 09:00 UTC)',
    );
  });
});
