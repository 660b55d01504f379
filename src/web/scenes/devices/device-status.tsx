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

/** Computed on the client from last_seen_at and last_change_at (the same windows core filters with). */
export function deviceStatus(
  device: Pick<DeviceT, 'last_seen_at' | 'last_change_at'>,
  now: number = Date.now(),
  seenWithinSeconds: number = SEEN_WITHIN_SECONDS,
  changedWithinSeconds: number = CHANGED_WITHIN_SECONDS,
): DeviceStatus {
  return {
    online: within(device.last_seen_at, seenWithinSeconds, now),
    changed: within(device.last_change_at, changedWithinSeconds, now),
  };
}

/** Online (success) or Offline (neutral), plus Changed (warning); words, never colour alone. */
export function DeviceStatusBadges({
  device,
  now,
  showLastSeen,
}: {
  device: Pick<DeviceT, 'last_seen_at' | 'last_change_at'>;
  now?: number;
  showLastSeen?: boolean;
}) {
  const status = deviceStatus(device, now);
  return (
    <span className="status-badges">
      {status.online ? <Badge tone="success">Online</Badge> : <Badge>Offline</Badge>}
      {status.changed && <Badge tone="warning">Changed</Badge>}
      {showLastSeen && (
        <span className="muted small">
          {device.last_seen_at ? `seen ${formatDateTime(device.last_seen_at)}` : 'never seen'}
        </span>
      )}
    </span>
  );
}

export function deviceName(device: Pick<DeviceT, 'display_name'>): string {
  return device.display_name?.trim() ? device.display_name : '(unnamed device)';
}

export function shortId(id: string): string {
  return id.slice(0, 8);
}
