/**
 * The kinds of recorded device history (issue 5, replacing SPEC §6.1's query-time union: G-11).
 * Each is written where the change happens, once, with what changed in `details`.
 */
export const DEVICE_EVENT_KINDS = [
  'device_created',
  'ip_added',
  'ip_removed',
  'mac_added',
  'mac_removed',
  'display_name_changed',
  'metadata_changed',
  'snmp_changed',
  'service_opened',
  'service_closed',
  'vlan_changed',
  'link_added',
  'link_removed',
  'tag_added',
  'tag_removed',
  'went_offline',
  'came_online',
  'manual_link_added',
  'manual_link_removed',
  'zone_joined',
  'zone_left',
] as const;
export type DeviceEventKind = (typeof DEVICE_EVENT_KINDS)[number];

/** One event to append; `details` holds the before/after values that make the summary true. */
export interface NewDeviceEvent {
  deviceId: string;
  kind: DeviceEventKind;
  summary: string;
  details?: Record<string, unknown>;
  /** The discovery run that observed the change, when one did. */
  runId?: string | null;
  /** Who made the change (an operator's name, `import:netbox`, …), when a person or import did. */
  actor?: string | null;
}

export function isDeviceEventKind(value: string): value is DeviceEventKind {
  return (DEVICE_EVENT_KINDS as readonly string[]).includes(value);
}
