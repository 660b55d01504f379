import type { Observation } from './identity.ts';

/**
 * Presence (issue 11): a device is online as soon as any probe gets an answer from it, and offline
 * only after N scans in a row that covered it missed it AND a grace period since it was last seen.
 * A device that no covering scan has judged yet is `unknown`. The rules here are pure; storage
 * applies them (src/storage/presence.repository.ts) and docs/discovery.md#presence explains them.
 */

/**
 * What can prove a device is there. `self` is the scanner's own address (recorded without probing);
 * reverse DNS never counts (a PTR record outlives its host), nor does a neighbour's LLDP report.
 */
export const SIGHTING_PROBES = ['self', 'arp', 'icmp', 'tcp', 'snmp', 'mdns', 'netbios'] as const;
export type SightingProbe = (typeof SIGHTING_PROBES)[number];

export const PRESENCE_STATES = ['online', 'offline', 'unknown'] as const;
export type PresenceState = (typeof PRESENCE_STATES)[number];

/** An observation of the presence stage with the probes that produced it. */
export interface ProbedObservation extends Observation {
  probes?: readonly SightingProbe[];
}

export interface PresenceSettings {
  /** Consecutive missed covering scans before a device may go offline (≥ 1). */
  missedScans: number;
  /** Seconds since the last sighting before a device may go offline (≥ 0). */
  graceS: number;
}

/** An override stored for a device or a tag: null inherits. */
export interface PresenceOverride {
  missedScans: number | null;
  graceS: number | null;
}

export type SettingSource = 'device' | `tag:${string}` | 'global';

export interface EffectivePresenceSettings extends PresenceSettings {
  source: { missedScans: SettingSource; graceS: SettingSource };
}

export const MAX_MISSED_SCANS = 1000;
export const MAX_GRACE_S = 30 * 86_400;

/**
 * Per value: the device's own override, else the most conservative (largest) of its tags'
 * overrides, else the global setting. Ties between tags go to the alphabetically first tag.
 */
export function effectivePresenceSettings(
  global: PresenceSettings,
  device: PresenceOverride | undefined,
  tags: ReadonlyMap<string, PresenceOverride>,
): EffectivePresenceSettings {
  const pick = (key: keyof PresenceOverride, fallback: number): { value: number; source: SettingSource } => {
    const own = device?.[key];
    if (own !== null && own !== undefined) return { value: own, source: 'device' };
    let best: { value: number; source: SettingSource } | undefined;
    for (const tag of [...tags.keys()].sort()) {
      const value = tags.get(tag)?.[key];
      if (value === null || value === undefined) continue;
      if (!best || value > best.value) best = { value, source: `tag:${tag}` };
    }
    return best ?? { value: fallback, source: 'global' };
  };
  const missed = pick('missedScans', global.missedScans);
  const grace = pick('graceS', global.graceS);
  return {
    missedScans: missed.value,
    graceS: grace.value,
    source: { missedScans: missed.source, graceS: grace.source },
  };
}

export interface PresenceCandidate {
  state: PresenceState;
  missedScans: number;
  /** Epoch ms of the last sighting (or, never sighted, of when the device was first known). */
  lastSeenMs: number;
}

/** Both conditions, never one alone: enough missed scans and the grace period over. */
export function goesOffline(device: PresenceCandidate, settings: PresenceSettings, nowMs: number): boolean {
  return (
    device.state !== 'offline' &&
    device.missedScans >= settings.missedScans &&
    nowMs - device.lastSeenMs >= settings.graceS * 1000
  );
}

/** The probes a set of name candidates proves: an mDNS or NetBIOS answer comes from the host itself. */
export function probesOfNameSources(sources: readonly string[]): SightingProbe[] {
  const probes = new Set<SightingProbe>();
  for (const source of sources) {
    if (source === 'mdns' || source === 'netbios') probes.add(source);
  }
  return [...probes].sort();
}

/** Open services prove the host answered: nmap's TCP connect, or its own mDNS advertisement. */
export function probesOfServices(services: readonly { source: 'nmap' | 'mdns' }[]): SightingProbe[] {
  const probes = new Set<SightingProbe>();
  for (const service of services) probes.add(service.source === 'nmap' ? 'tcp' : 'mdns');
  return [...probes].sort();
}

/** `2026-11-27 14:02 UTC` from an RFC 3339 timestamp (summaries are read by people). */
export function shortUtc(timestamp: string): string {
  const match = /^(\d{4}-\d\d-\d\d)T(\d\d:\d\d)/.exec(timestamp);
  return match ? `${match[1]} ${match[2]} UTC` : timestamp;
}

export function describeSeconds(seconds: number): string {
  if (seconds > 0 && seconds % 86_400 === 0) return `${seconds / 86_400} d`;
  if (seconds > 0 && seconds % 3600 === 0) return `${seconds / 3600} h`;
  if (seconds > 0 && seconds % 60 === 0) return `${seconds / 60} min`;
  return `${seconds} s`;
}

const listOf = (probes: readonly string[]): string => (probes.length > 0 ? probes.join(', ') : 'no probe');

/** "Went offline: missed 2 scans of 10.0.0.0/24, last seen 2026-11-27 14:02 UTC by arp". */
export function wentOfflineSummary(input: {
  missedScans: number;
  scope: string | null;
  lastSeenAt: string | null;
  probes: readonly string[];
}): string {
  const scans = `missed ${input.missedScans} scan${input.missedScans === 1 ? '' : 's'}${input.scope ? ` of ${input.scope}` : ''}`;
  const seen = input.lastSeenAt
    ? `last seen ${shortUtc(input.lastSeenAt)} by ${listOf(input.probes)}`
    : 'never answered a probe';
  return `Went offline: ${scans}, ${seen}`;
}

/** "Back online: seen by arp, icmp (offline since …)" or, for a device not judged before, "Online: seen by …". */
export function cameOnlineSummary(input: {
  previous: PresenceState;
  probes: readonly string[];
  previousSince: string | null;
}): string {
  if (input.previous === 'offline') {
    const since = input.previousSince ? ` (offline since ${shortUtc(input.previousSince)})` : '';
    return `Back online: seen by ${listOf(input.probes)}${since}`;
  }
  return `Online: seen by ${listOf(input.probes)}`;
}
