import type { AlertEvent, AlertSeverity } from './alert.types.ts';

/** The device as the message describes it (read when the alert is raised, after the delay). */
export interface DeviceLabel {
  id: string;
  name: string | null;
  vendor: string | null;
  ip: string | null;
  mac: string | null;
}

export interface AlertText {
  title: string;
  message: string;
}

function describe(device: DeviceLabel): string {
  const name = device.name ?? device.ip ?? device.mac ?? device.id;
  const extras = [
    device.name && device.ip ? device.ip : undefined,
    device.mac ?? undefined,
    device.vendor ?? undefined,
  ].filter((part): part is string => part !== undefined);
  return extras.length > 0 ? `${name} (${extras.join(', ')})` : name;
}

function text(value: unknown): string | undefined {
  return typeof value === 'string' || typeof value === 'number' ? String(value) : undefined;
}

/** Title and body of one device alert. */
export function deviceAlertText(
  event: Exclude<AlertEvent, 'run_failed'>,
  device: DeviceLabel,
  details: Record<string, unknown>,
  extra: { groupCount?: number; previousIps?: readonly string[] } = {},
): AlertText {
  const who = describe(device);
  switch (event) {
    case 'new_device': {
      const group = extra.groupCount && extra.groupCount > 1 ? ` (randomised MACs: ${extra.groupCount} so far)` : '';
      return { title: `New device: ${device.name ?? device.ip ?? device.id}`, message: `New device ${who}${group}.` };
    }
    case 'device_offline': {
      const last = text(details.last_seen_at);
      const missed = typeof details.missed_scans === 'number' ? details.missed_scans : undefined;
      const why = missed !== undefined ? ` after ${missed} missed scan${missed === 1 ? '' : 's'}` : '';
      return {
        title: `Offline: ${device.name ?? device.ip ?? device.id}`,
        message: `${who} went offline${why}${last ? `; last seen ${last}` : ''}.`,
      };
    }
    case 'device_online':
      return { title: `Back online: ${device.name ?? device.ip ?? device.id}`, message: `${who} came back online.` };
    case 'ip_changed': {
      const ip = text(details.ip) ?? '?';
      const previous =
        extra.previousIps && extra.previousIps.length > 0 ? ` (was ${extra.previousIps.join(', ')})` : '';
      return {
        title: `IP changed: ${device.name ?? device.id} is now ${ip}`,
        message: `${who} now uses ${ip}${previous}.`,
      };
    }
    case 'port_opened': {
      const port = text(details.port);
      const protocol = text(details.protocol) ?? 'tcp';
      const service = text(details.name);
      const what = `${protocol}/${port ?? '?'}${service ? ` (${service})` : ''}`;
      return {
        title: `New open port ${what} on ${device.name ?? device.ip ?? device.id}`,
        message: `${who} has a new open port ${what}.`,
      };
    }
  }
}

export function flappingText(device: DeviceLabel, transitions: number, windowS: number): AlertText {
  return {
    title: `Flapping: ${device.name ?? device.ip ?? device.id}`,
    message: `${describe(device)} changed state ${transitions} times within ${windowS} s; further online/offline alerts are held back until it is stable for ${windowS} s.`,
  };
}

export function runFailedText(run: { id: string; scope: string | null; error: string | null }): AlertText {
  return {
    title: `Discovery run failed${run.scope ? `: ${run.scope}` : ''}`,
    message: `Discovery run ${run.id}${run.scope ? ` of ${run.scope}` : ''} failed: ${run.error ?? 'no reason recorded'}.`,
  };
}

export interface DigestItem {
  title: string;
  message: string;
  severity: AlertSeverity;
  created_at: string;
}

export function digestText(items: readonly DigestItem[]): AlertText {
  const lines = items.map((item) => `- [${item.severity}] ${item.created_at} ${item.title}`);
  return {
    title: `Roller: ${items.length} alert${items.length === 1 ? '' : 's'}`,
    message: lines.join('\n'),
  };
}

/** The highest severity among several (a digest is as urgent as its most urgent alert). */
export function maxSeverity(severities: readonly AlertSeverity[]): AlertSeverity {
  if (severities.includes('critical')) return 'critical';
  if (severities.includes('warning')) return 'warning';
  return 'info';
}
