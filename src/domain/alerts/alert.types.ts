/** What a rule can fire on (issue 11). Each maps to the device events or run outcomes it reads. */
export const ALERT_EVENTS = [
  'new_device',
  'device_offline',
  'device_online',
  'ip_changed',
  'port_opened',
  'run_failed',
] as const;
export type AlertEvent = (typeof ALERT_EVENTS)[number];

export const ALERT_SEVERITIES = ['info', 'warning', 'critical'] as const;
export type AlertSeverity = (typeof ALERT_SEVERITIES)[number];

/** What a rule does with devices whose MAC is locally administered (randomised by phones, laptops). */
export const RANDOMIZED_MAC_POLICIES = ['alert', 'group', 'ignore'] as const;
export type RandomizedMacPolicy = (typeof RANDOMIZED_MAC_POLICIES)[number];

export const CHANNEL_TYPES = ['webhook', 'ntfy', 'email'] as const;
export type ChannelType = (typeof CHANNEL_TYPES)[number];

/** Every present filter must match; inside one filter, any value may. */
export interface RuleFilters {
  tags?: string[];
  /** CIDR prefixes; the device matches when one of its current addresses is inside one. */
  subnets?: string[];
  /** Vendor names, compared ignoring case. */
  vendors?: string[];
  watched_only?: boolean;
}

export interface QuietHoursRange {
  /** HH:MM, local time in `time_zone`. A range whose end is before its start crosses midnight. */
  start: string;
  end: string;
}

export interface QuietHours {
  /** IANA time zone, e.g. `Europe/Berlin`. */
  time_zone: string;
  ranges: QuietHoursRange[];
  /** hold: send when quiet hours end; drop: never send (recorded as dropped). Critical alerts pass. */
  mode: 'hold' | 'drop';
}

/** The device event kinds each rule event reads. `run_failed` reads discovery runs instead. */
export const EVENT_KINDS_BY_ALERT: Readonly<Record<Exclude<AlertEvent, 'run_failed'>, string>> = {
  new_device: 'device_created',
  device_offline: 'went_offline',
  device_online: 'came_online',
  ip_changed: 'ip_added',
  port_opened: 'service_opened',
};

/** The device event kinds the engine reads at all. */
export const WATCHED_EVENT_KINDS: readonly string[] = [...new Set(Object.values(EVENT_KINDS_BY_ALERT))];

export function alertEventForKind(kind: string): AlertEvent | undefined {
  for (const [event, eventKind] of Object.entries(EVENT_KINDS_BY_ALERT)) {
    if (eventKind === kind) return event as AlertEvent;
  }
  return undefined;
}
