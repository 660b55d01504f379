/**
 * Pure helpers of the alerts page: labels, durations, and the drafts behind the rule and channel
 * forms (what the user typed), their validation messages and the request bodies built from them.
 * The server validates again; these checks only save a round trip and say what is wrong in words.
 */
import type {
  AlertChannelCreateT,
  AlertChannelT,
  AlertChannelUpdateT,
  AlertDeliveryT,
  AlertRuleCreateT,
  AlertRuleT,
  QuietHoursT,
} from '../../api/types.ts';
import type { Tone } from '../../components/ui.tsx';

export type AlertEvent = AlertRuleT['event'];
export type Severity = AlertRuleT['severity'];
export type MacPolicy = AlertRuleT['randomized_mac_policy'];
export type ChannelType = AlertChannelT['type'];
export type DeliveryStatus = AlertDeliveryT['status'];

export const EVENTS: readonly { value: AlertEvent; label: string }[] = [
  { value: 'new_device', label: 'New device' },
  { value: 'device_offline', label: 'Device offline' },
  { value: 'device_online', label: 'Device back online' },
  { value: 'ip_changed', label: 'IP address changed' },
  { value: 'port_opened', label: 'New open port' },
  { value: 'run_failed', label: 'Discovery run failed' },
];

export const SEVERITIES: readonly Severity[] = ['info', 'warning', 'critical'];

export const MAC_POLICIES: readonly { value: MacPolicy; label: string }[] = [
  { value: 'group', label: 'Group: one alert per name and vendor within the group window' },
  { value: 'alert', label: 'Alert: treat them like any other device' },
  { value: 'ignore', label: 'Ignore: never alert for randomised MACs' },
];

export const CHANNEL_TYPES: readonly { value: ChannelType; label: string; secret: string }[] = [
  { value: 'webhook', label: 'Webhook', secret: 'HMAC signing key' },
  { value: 'ntfy', label: 'ntfy', secret: 'Access token' },
  { value: 'email', label: 'E-mail (SMTP)', secret: 'SMTP password' },
];

export const DELIVERY_STATUSES: readonly DeliveryStatus[] = [
  'sent',
  'failed',
  'retrying',
  'queued',
  'sending',
  'held',
  'collecting',
  'dropped',
];

export function eventLabel(event: string): string {
  return EVENTS.find((entry) => entry.value === event)?.label ?? event;
}

export function channelTypeLabel(type: string): string {
  return CHANNEL_TYPES.find((entry) => entry.value === type)?.label ?? type;
}

export function severityTone(severity: string): Tone {
  return severity === 'critical' ? 'danger' : severity === 'warning' ? 'warning' : 'info';
}

/** Outcome badge tones: the word is always shown, the colour only repeats it. */
export function deliveryTone(status: string): Tone {
  if (status === 'sent') return 'success';
  if (status === 'failed') return 'danger';
  if (status === 'retrying') return 'warning';
  if (status === 'dropped') return 'neutral';
  return 'info';
}

const UNITS = { s: 1, m: 60, h: 3600, d: 86_400 } as const;

/** "90", "90s", "5m", "2h", "1d" → seconds; anything else → undefined. */
export function parseDuration(text: string): number | undefined {
  const match = /^(\d{1,7})\s*([smhd]?)$/i.exec(text.trim());
  if (!match) return undefined;
  const unit = (match[2]?.toLowerCase() || 's') as keyof typeof UNITS;
  return Number(match[1]) * UNITS[unit];
}

/** Seconds in the largest whole unit: 600 → "10m", 86400 → "1d", 90 → "90s". */
export function formatDuration(seconds: number): string {
  if (seconds > 0 && seconds % 86_400 === 0) return `${seconds / 86_400}d`;
  if (seconds > 0 && seconds % 3600 === 0) return `${seconds / 3600}h`;
  if (seconds > 0 && seconds % 60 === 0) return `${seconds / 60}m`;
  return `${seconds}s`;
}

/** A duration field's problem, or undefined when it parses and lies within the bounds. */
function durationError(text: string, min: number, max: number, what: string): string | undefined {
  const seconds = parseDuration(text);
  if (seconds === undefined) return `Enter ${what} like 90s, 5m, 2h or 1d.`;
  if (seconds < min || seconds > max) return `Use ${formatDuration(min)} to ${formatDuration(max)}.`;
  return undefined;
}

/** Splits a list typed with commas or new lines, trimmed, without empty items or repeats. */
export function splitList(text: string, separators: RegExp = /[,\n]/): string[] {
  return [
    ...new Set(
      text
        .split(separators)
        .map((item) => item.trim())
        .filter(Boolean),
    ),
  ];
}

// Quiet hours ------------------------------------------------------------------------------------

export interface QuietDraft {
  enabled: boolean;
  timeZone: string;
  /** "22:00-07:00, 12:00-13:00" */
  ranges: string;
  mode: QuietHoursT['mode'];
}

export function localTimeZone(): string {
  try {
    return Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC';
  } catch {
    return 'UTC';
  }
}

export function quietDraft(quiet: QuietHoursT | undefined): QuietDraft {
  if (!quiet) return { enabled: false, timeZone: localTimeZone(), ranges: '22:00-07:00', mode: 'hold' };
  return {
    enabled: true,
    timeZone: quiet.time_zone,
    ranges: quiet.ranges.map((range) => `${range.start}-${range.end}`).join(', '),
    mode: quiet.mode,
  };
}

const RANGE = /^([01]\d|2[0-3]):([0-5]\d)\s*[-–]\s*([01]\d|2[0-3]):([0-5]\d)$/;

export function quietHoursText(quiet: QuietHoursT | undefined): string {
  if (!quiet) return 'none';
  const ranges = quiet.ranges.map((range) => `${range.start}–${range.end}`).join(', ');
  return `${ranges} ${quiet.time_zone} (${quiet.mode === 'hold' ? 'held' : 'dropped'})`;
}

function validTimeZone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat('en', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}

export interface QuietErrors {
  timeZone?: string;
  ranges?: string;
}

export function quietErrors(draft: QuietDraft): QuietErrors {
  if (!draft.enabled) return {};
  const errors: QuietErrors = {};
  const zone = draft.timeZone.trim();
  if (zone === '') errors.timeZone = 'Enter an IANA time zone, e.g. Europe/Berlin.';
  else if (!validTimeZone(zone)) errors.timeZone = `"${zone}" is not a time zone this browser knows.`;
  const ranges = splitList(draft.ranges);
  if (ranges.length === 0) errors.ranges = 'Enter at least one range, e.g. 22:00-07:00.';
  else if (ranges.length > 8) errors.ranges = 'At most 8 ranges.';
  else {
    const bad = ranges.find((range) => !RANGE.test(range));
    if (bad) errors.ranges = `"${bad}" is not a range like 22:00-07:00 (24-hour times).`;
  }
  return errors;
}

export function quietBody(draft: QuietDraft): QuietHoursT | null {
  if (!draft.enabled) return null;
  return {
    time_zone: draft.timeZone.trim(),
    ranges: splitList(draft.ranges).map((range) => {
      const match = RANGE.exec(range);
      return { start: `${match?.[1]}:${match?.[2]}`, end: `${match?.[3]}:${match?.[4]}` };
    }),
    mode: draft.mode,
  };
}

// Rules ------------------------------------------------------------------------------------------

export interface RuleDraft {
  name: string;
  event: AlertEvent;
  enabled: boolean;
  severity: Severity;
  tags: string[];
  /** one CIDR per line or comma */
  subnets: string;
  /** one vendor per line (vendor names contain commas) */
  vendors: string;
  watchedOnly: boolean;
  channelIds: string[];
  newDeviceDelay: string;
  macPolicy: MacPolicy;
  groupWindow: string;
  flapThreshold: string;
  flapWindow: string;
  quiet: QuietDraft;
}

export const NEW_RULE: RuleDraft = {
  name: '',
  event: 'new_device',
  enabled: true,
  severity: 'warning',
  tags: [],
  subnets: '',
  vendors: '',
  watchedOnly: false,
  channelIds: [],
  newDeviceDelay: '5m',
  macPolicy: 'group',
  groupWindow: '1d',
  flapThreshold: '4',
  flapWindow: '1h',
  quiet: quietDraft(undefined),
};

export function ruleDraft(rule: AlertRuleT): RuleDraft {
  return {
    name: rule.name,
    event: rule.event,
    enabled: rule.enabled,
    severity: rule.severity,
    tags: rule.filters.tags ?? [],
    subnets: (rule.filters.subnets ?? []).join('\n'),
    vendors: (rule.filters.vendors ?? []).join('\n'),
    watchedOnly: rule.filters.watched_only ?? false,
    channelIds: rule.channel_ids,
    newDeviceDelay: formatDuration(rule.new_device_delay_s),
    macPolicy: rule.randomized_mac_policy,
    groupWindow: formatDuration(rule.group_window_s),
    flapThreshold: String(rule.flap_threshold),
    flapWindow: formatDuration(rule.flap_window_s),
    quiet: quietDraft(rule.quiet_hours),
  };
}

export type RuleErrors = Partial<
  Record<'name' | 'filters' | 'subnets' | 'newDeviceDelay' | 'groupWindow' | 'flapThreshold' | 'flapWindow', string>
> &
  QuietErrors;

/** An IPv4 or IPv6 address with an optional prefix length; the server checks the details. */
const CIDR =
  /^(?:\d{1,3}(?:\.\d{1,3}){3}(?:\/(?:3[0-2]|[12]?\d))?|[0-9a-f:]*:[0-9a-f:.]*(?:\/(?:12[0-8]|1[01]\d|[1-9]?\d))?)$/i;

export function isDeviceEvent(event: AlertEvent): boolean {
  return event !== 'run_failed';
}

export function ruleErrors(draft: RuleDraft): RuleErrors {
  const errors: RuleErrors = {};
  const name = draft.name.trim();
  if (name === '') errors.name = 'Give the rule a name.';
  else if (name.length > 200) errors.name = 'At most 200 characters.';
  // A run_failed rule takes no device filters: the form hides them and ruleBody leaves them out.
  const subnets = isDeviceEvent(draft.event) ? splitList(draft.subnets, /[,\s]+/) : [];
  const badSubnet = subnets.find((subnet) => !CIDR.test(subnet));
  if (badSubnet) errors.subnets = `"${badSubnet}" is not a CIDR prefix such as 10.0.0.0/24.`;
  else if (subnets.length > 32) errors.subnets = 'At most 32 subnets.';
  if (splitList(draft.vendors, /\n/).length > 32) errors.filters = 'At most 32 vendors.';
  if (draft.event === 'new_device') {
    const delay = durationError(draft.newDeviceDelay, 0, 86_400, 'a delay');
    if (delay) errors.newDeviceDelay = delay;
    const group = durationError(draft.groupWindow, 60, 30 * 86_400, 'a window');
    if (group) errors.groupWindow = group;
  }
  if (draft.event === 'device_offline' || draft.event === 'device_online') {
    const threshold = draft.flapThreshold.trim();
    if (!/^\d{1,3}$/.test(threshold) || Number(threshold) > 100) errors.flapThreshold = 'Use a whole number, 0 to 100.';
    const window = durationError(draft.flapWindow, 60, 7 * 86_400, 'a window');
    if (window) errors.flapWindow = window;
  }
  return { ...errors, ...quietErrors(draft.quiet) };
}

export function ruleBody(draft: RuleDraft): AlertRuleCreateT & { quiet_hours: QuietHoursT | null } {
  const subnets = splitList(draft.subnets, /[,\s]+/);
  const vendors = splitList(draft.vendors, /\n/);
  const filters: AlertRuleCreateT['filters'] = isDeviceEvent(draft.event)
    ? {
        ...(draft.tags.length > 0 ? { tags: draft.tags } : {}),
        ...(subnets.length > 0 ? { subnets } : {}),
        ...(vendors.length > 0 ? { vendors } : {}),
        ...(draft.watchedOnly ? { watched_only: true } : {}),
      }
    : {};
  const seconds = (text: string, fallback: number) => parseDuration(text) ?? fallback;
  return {
    name: draft.name.trim(),
    event: draft.event,
    enabled: draft.enabled,
    severity: draft.severity,
    filters,
    channel_ids: draft.channelIds,
    new_device_delay_s: seconds(draft.newDeviceDelay, 300),
    randomized_mac_policy: draft.macPolicy,
    group_window_s: seconds(draft.groupWindow, 86_400),
    flap_threshold: /^\d+$/.test(draft.flapThreshold.trim()) ? Number(draft.flapThreshold.trim()) : 4,
    flap_window_s: seconds(draft.flapWindow, 3600),
    quiet_hours: quietBody(draft.quiet),
  };
}

/** "tags server, printer · subnets 10.0.0.0/24 · watched only" or "every device". */
export function filtersText(rule: AlertRuleT): string {
  const filters = rule.filters;
  const parts: string[] = [];
  if (filters.tags?.length) parts.push(`tags ${filters.tags.join(', ')}`);
  if (filters.subnets?.length) parts.push(`subnets ${filters.subnets.join(', ')}`);
  if (filters.vendors?.length) parts.push(`vendors ${filters.vendors.join(', ')}`);
  if (filters.watched_only) parts.push('watched only');
  if (parts.length > 0) return parts.join(' · ');
  return rule.event === 'run_failed' ? 'every run' : 'every device';
}

// Channels ---------------------------------------------------------------------------------------

/** keep: leave the stored secret; set: store `secret`; remove: delete the stored one. */
export type SecretAction = 'keep' | 'set' | 'remove';

export interface ChannelDraft {
  name: string;
  type: ChannelType;
  enabled: boolean;
  url: string;
  serverUrl: string;
  topic: string;
  host: string;
  port: string;
  tls: 'starttls' | 'tls' | 'none';
  username: string;
  from: string;
  to: string;
  secretAction: SecretAction;
  secret: string;
  digest: boolean;
  digestInterval: string;
  quiet: QuietDraft;
}

export function newChannel(type: ChannelType = 'webhook'): ChannelDraft {
  return {
    name: '',
    type,
    enabled: true,
    url: '',
    serverUrl: '',
    topic: '',
    host: '',
    port: '587',
    tls: 'starttls',
    username: '',
    from: '',
    to: '',
    secretAction: 'keep',
    secret: '',
    digest: false,
    digestInterval: '1h',
    quiet: quietDraft(undefined),
  };
}

export function channelDraft(channel: AlertChannelT): ChannelDraft {
  const config = channel.config;
  return {
    ...newChannel(channel.type),
    name: channel.name,
    enabled: channel.enabled,
    url: config.url ?? '',
    serverUrl: config.server_url ?? '',
    topic: config.topic ?? '',
    host: config.host ?? '',
    port: String(config.port ?? 587),
    tls: config.tls ?? 'starttls',
    username: config.username ?? '',
    from: config.from ?? '',
    to: (config.to ?? []).join(', '),
    digest: typeof channel.digest_interval_s === 'number',
    digestInterval: formatDuration(channel.digest_interval_s ?? 3600),
    quiet: quietDraft(channel.quiet_hours ?? undefined),
  };
}

export type ChannelErrors = Partial<
  Record<'name' | 'url' | 'serverUrl' | 'topic' | 'host' | 'port' | 'from' | 'to' | 'secret' | 'digestInterval', string>
> &
  QuietErrors;

const HTTP_URL = /^https?:\/\/[^\s/?#]+[^\s]*$/i;
const ADDRESS = /^[^\s@]+@[^\s@]+$/;

export function channelErrors(draft: ChannelDraft): ChannelErrors {
  const errors: ChannelErrors = {};
  const name = draft.name.trim();
  if (name === '') errors.name = 'Give the channel a name.';
  else if (name.length > 200) errors.name = 'At most 200 characters.';
  if (draft.type === 'webhook' && !HTTP_URL.test(draft.url.trim())) {
    errors.url = 'Enter an http:// or https:// URL.';
  }
  if (draft.type === 'ntfy') {
    if (draft.serverUrl.trim() !== '' && !HTTP_URL.test(draft.serverUrl.trim())) {
      errors.serverUrl = 'Enter an http:// or https:// URL, or leave it empty for https://ntfy.sh.';
    }
    if (!/^[A-Za-z0-9_-]{1,64}$/.test(draft.topic.trim())) {
      errors.topic = 'Letters, digits, - and _ only, at most 64.';
    }
  }
  if (draft.type === 'email') {
    if (draft.host.trim() === '') errors.host = 'Enter the SMTP server.';
    const port = draft.port.trim();
    if (!/^\d{1,5}$/.test(port) || Number(port) < 1 || Number(port) > 65_535) errors.port = 'Use a port, 1 to 65535.';
    if (!ADDRESS.test(draft.from.trim())) errors.from = 'Enter the sender address, e.g. roller@example.org.';
    const to = splitList(draft.to, /[,;\s]+/);
    const bad = to.find((address) => !ADDRESS.test(address));
    if (to.length === 0) errors.to = 'Enter at least one recipient.';
    else if (bad) errors.to = `"${bad}" is not an e-mail address.`;
    else if (to.length > 20) errors.to = 'At most 20 recipients.';
  }
  if (draft.secretAction === 'set' && draft.secret === '') errors.secret = 'Enter the new secret, or cancel.';
  if (draft.digest) {
    const digest = durationError(draft.digestInterval, 60, 7 * 86_400, 'an interval');
    if (digest) errors.digestInterval = digest;
  }
  return { ...errors, ...quietErrors(draft.quiet) };
}

function channelConfig(draft: ChannelDraft): AlertChannelCreateT['config'] {
  if (draft.type === 'webhook') return { url: draft.url.trim() };
  if (draft.type === 'ntfy') {
    return { topic: draft.topic.trim(), ...(draft.serverUrl.trim() ? { server_url: draft.serverUrl.trim() } : {}) };
  }
  return {
    host: draft.host.trim(),
    port: Number(draft.port.trim()),
    tls: draft.tls,
    ...(draft.username.trim() ? { username: draft.username.trim() } : {}),
    from: draft.from.trim(),
    to: splitList(draft.to, /[,;\s]+/),
  };
}

/** The create body; the secret only when one was typed. */
export function channelCreateBody(draft: ChannelDraft): AlertChannelCreateT {
  return {
    name: draft.name.trim(),
    type: draft.type,
    enabled: draft.enabled,
    config: channelConfig(draft),
    ...(draft.secretAction === 'set' && draft.secret !== '' ? { secret: draft.secret } : {}),
    digest_interval_s: draft.digest ? (parseDuration(draft.digestInterval) ?? 3600) : null,
    quiet_hours: quietBody(draft.quiet),
  };
}

/** The update body: config is replaced whole; the secret is sent only to set or remove it (write-only). */
export function channelUpdateBody(draft: ChannelDraft): AlertChannelUpdateT {
  const { type: _type, secret: _secret, ...rest } = channelCreateBody(draft);
  return {
    ...rest,
    ...(draft.secretAction === 'set' ? { secret: draft.secret } : {}),
    ...(draft.secretAction === 'remove' ? { secret: null } : {}),
  };
}

/** "https://hooks.example/x", "ntfy.sh/topic", "smtp.example:587 → a@b" */
export function channelTarget(channel: AlertChannelT): string {
  const config = channel.config;
  if (channel.type === 'webhook') return config.url ?? '';
  if (channel.type === 'ntfy')
    return `${(config.server_url ?? 'https://ntfy.sh').replace(/\/+$/, '')}/${config.topic ?? ''}`;
  return `${config.host ?? ''}:${config.port ?? 587} → ${(config.to ?? []).join(', ')}`;
}
