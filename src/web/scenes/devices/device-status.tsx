import type { DeviceT } from '../../api/types.ts';
import { Badge, formatDateTime } from '../../components/ui.tsx';

/** SPEC §10.4 defaults: online = seen within an hour, changed = changed within a day. */
export const SEEN_WITHIN_SECONDS = 3600;
export const CHANGED_WITHIN_SECONDS = 86_400;

export interface DeviceStatus {
  online: boolean;
  changed: boolean;
}

function within(value: string | undefined, seconds: number, now: number): boolean {
  if (!value) return false;
  const at = Date.parse(value);
  return !Number.isNaN(at) && now - at <= seconds * 1000;
}

type StatusDevice = Pick<DeviceT, 'last_seen_at' | 'last_change_at' | 'presence'>;
export type PresenceState = NonNullable<DeviceT['presence']>['state'];

/**
 * Online is the presence core judged from scans (issue 11) when the device carries it; an older core
 * without it falls back to the last-seen window. Changed is computed from last_change_at.
 */
export function deviceStatus(
  device: StatusDevice,
  now: number = Date.now(),
  seenWithinSeconds: number = SEEN_WITHIN_SECONDS,
  changedWithinSeconds: number = CHANGED_WITHIN_SECONDS,
): DeviceStatus {
  return {
    online: device.presence ? device.presence.state === 'online' : within(device.last_seen_at, seenWithinSeconds, now),
    changed: within(device.last_change_at, changedWithinSeconds, now),
  };
}

/** online, offline or unknown (unknown: no scan covering the device has judged it yet). */
export function presenceState(device: StatusDevice, now: number = Date.now()): PresenceState {
  if (device.presence) return device.presence.state;
  return deviceStatus(device, now).online ? 'online' : 'offline';
}

const PRESENCE_LABEL: Record<PresenceState, string> = { online: 'Online', offline: 'Offline', unknown: 'Unknown' };

/** "since …, missed 1 scan": what the badge's tooltip says about the state. */
export function presenceDetail(device: StatusDevice): string | undefined {
  const presence = device.presence;
  if (!presence) return undefined;
  const parts: string[] = [];
  if (presence.since) parts.push(`since ${formatDateTime(presence.since)}`);
  if (presence.missed_scans > 0)
    parts.push(`missed ${presence.missed_scans} scan${presence.missed_scans === 1 ? '' : 's'}`);
  if (presence.state === 'unknown') parts.push('no scan covering it has judged it yet');
  return parts.length > 0 ? parts.join(', ') : undefined;
}

/** "seen 27 Nov 14:02 by arp, icmp" from the last sighting (or last_seen_at without presence). */
export function lastSeenText(device: StatusDevice): string {
  const presence = device.presence;
  if (presence?.last_seen_at) {
    const by = presence.last_seen_by.length > 0 ? ` by ${presence.last_seen_by.join(', ')}` : '';
    return `seen ${formatDateTime(presence.last_seen_at)}${by}`;
  }
  return device.last_seen_at ? `seen ${formatDateTime(device.last_seen_at)}` : 'never seen';
}

/** Online (success), Offline or Unknown (neutral), plus Changed (warning); words, never colour alone. */
export function DeviceStatusBadges({
  device,
  now,
  showLastSeen,
}: {
  device: StatusDevice;
  now?: number;
  showLastSeen?: boolean;
}) {
  const status = deviceStatus(device, now);
  const state = presenceState(device, now);
  return (
    <span className="status-badges">
      <Badge tone={state === 'online' ? 'success' : 'neutral'} title={presenceDetail(device)}>
        {PRESENCE_LABEL[state]}
      </Badge>
      {status.changed && <Badge tone="warning">Changed</Badge>}
      {showLastSeen && <span className="muted small">{lastSeenText(device)}</span>}
    </span>
  );
}

export function deviceName(device: Pick<DeviceT, 'display_name'>): string {
  return device.display_name?.trim() ? device.display_name : '(unnamed device)';
}

export function shortId(id: string): string {
  return id.slice(0, 8);
}
