/**
 * Pure helpers of the discovery scenes: labels, progress, durations, run-list merging and the
 * client-side checks of scopes and schedules. No React here, so the logic is tested on its own.
 */
import { ApiError } from '../../api/client.ts';
import type { DiscoveryRunT, ScheduleT } from '../../api/types.ts';

export type Preset = 'fast' | 'normal' | 'deep';

export const PRESETS: { value: Preset; label: string; description: string }[] = [
  { value: 'fast', label: 'Fast', description: 'Tight budgets; presence only, no SNMP or port scan.' },
  { value: 'normal', label: 'Normal', description: 'The configured budgets and features.' },
  { value: 'deep', label: 'Deep', description: 'Larger budgets; SNMP and port scanning where configured.' },
];

export const SCAN_TAGS: { value: string; label: string; description: string }[] = [
  { value: 'names', label: 'Names', description: 'Reverse DNS, mDNS and NetBIOS names.' },
  { value: 'ports', label: 'Ports', description: 'TCP port scan (nmap) where allowed.' },
  { value: 'snmp', label: 'SNMP', description: 'SNMP system, interfaces and VLANs.' },
  { value: 'topology', label: 'Topology', description: 'LLDP/CDP neighbours (links).' },
];

export function presetLabel(value: unknown): string {
  return PRESETS.find((preset) => preset.value === value)?.label ?? 'Normal';
}

export function runPreset(run: DiscoveryRunT | undefined): Preset {
  const value = run?.stats.preset;
  return value === 'fast' || value === 'deep' ? value : 'normal';
}

export function runTags(run: DiscoveryRunT | undefined): string[] {
  const tags = run?.stats.tags;
  return Array.isArray(tags) ? tags.filter((tag): tag is string => typeof tag === 'string') : [];
}

export function isActive(status: string | undefined): boolean {
  return status === 'queued' || status === 'running';
}

export interface RunProgress {
  /** What the run is doing, in words. */
  stage: string;
  /** 0–100 for the bar; undefined while there is nothing to count yet (an indeterminate bar). */
  percent: number | undefined;
  /** "12 / 254" when the stage counts something. */
  counts: string | undefined;
}

const STAGE_WORDS: Record<string, string> = {
  queued: 'Waiting for a worker',
  running: 'Starting',
  sweep: 'Presence sweep',
  fold: 'Folding observations',
  enrichment: 'Enrichment (names, SNMP)',
  port_scan: 'Port scan',
  completed: 'Completed',
  failed: 'Failed',
  canceled: 'Canceled',
};

export function stageWords(stage: string): string {
  return STAGE_WORDS[stage] ?? stage.replaceAll('_', ' ');
}

/** Progress of a run from its stats: `progress = {stage, done, total}` (refreshed by the worker) and `stage`. */
export function runProgress(run: Pick<DiscoveryRunT, 'status' | 'stats'>): RunProgress {
  if (run.status === 'succeeded') return { stage: stageWords('completed'), percent: 100, counts: undefined };
  if (run.status === 'failed' || run.status === 'canceled') {
    return { stage: stageWords(run.status), percent: undefined, counts: undefined };
  }
  if (run.status === 'queued') return { stage: stageWords('queued'), percent: undefined, counts: undefined };
  const progress = run.stats.progress as { stage?: unknown; done?: unknown; total?: unknown } | undefined;
  if (progress && typeof progress.stage === 'string') {
    const done = Number(progress.done);
    const total = Number(progress.total);
    const counted = Number.isFinite(done) && Number.isFinite(total) && total > 0;
    return {
      stage: stageWords(progress.stage),
      percent: counted ? Math.max(0, Math.min(100, Math.round((done / total) * 100))) : undefined,
      counts: counted ? `${Math.min(done, total)} / ${total}` : undefined,
    };
  }
  const stage = typeof run.stats.stage === 'string' ? run.stats.stage : 'running';
  return { stage: stageWords(stage), percent: undefined, counts: undefined };
}

/** `<m>m <s>s` (SPEC §10.7). */
export function formatDuration(ms: number): string {
  const seconds = Math.max(0, Math.floor(ms / 1000));
  return `${Math.floor(seconds / 60)}m ${seconds % 60}s`;
}

/** "Duration: …" once completed, "Elapsed: …" while not; undefined before a worker picked it up. */
export function runTiming(run: DiscoveryRunT, now: number = Date.now()): string | undefined {
  const start = Date.parse(run.started_at ?? run.queued_at);
  if (Number.isNaN(start)) return undefined;
  if (run.completed_at) {
    const end = Date.parse(run.completed_at);
    return Number.isNaN(end) ? undefined : `Duration: ${formatDuration(end - start)}`;
  }
  if (!run.started_at) return undefined;
  return `Elapsed: ${formatDuration(now - start)}`;
}

const HIDDEN_STATS = new Set(['preset', 'stage', 'tags', 'progress', 'scope']);

/** Stats entries as `[key with spaces, text]`, leaving out what the page shows elsewhere. */
export function statEntries(stats: Record<string, unknown>): [string, string][] {
  return Object.entries(stats)
    .filter(([key, value]) => !HIDDEN_STATS.has(key) && value !== undefined && value !== null)
    .map(([key, value]) => [
      key.replaceAll('_', ' '),
      typeof value === 'object' ? JSON.stringify(value) : String(value),
    ]);
}

function newestFirst(a: DiscoveryRunT, b: DiscoveryRunT): number {
  if (a.queued_at !== b.queued_at) return a.queued_at < b.queued_at ? 1 : -1;
  return a.id < b.id ? 1 : a.id > b.id ? -1 : 0;
}

/**
 * The run list: the freshly polled first page replaces its runs in place, the older pages loaded
 * with "Load more runs" stay (SPEC §10.6). `kept` also holds the first page as it was when more was
 * loaded, so a run pushed off page 1 by new runs does not fall into a gap.
 */
export function mergeRuns(first: readonly DiscoveryRunT[], kept: readonly DiscoveryRunT[]): DiscoveryRunT[] {
  const byId = new Map<string, DiscoveryRunT>();
  for (const run of kept) byId.set(run.id, run);
  for (const run of first) byId.set(run.id, run);
  return [...byId.values()].sort(newestFirst);
}

export interface LogLine {
  id: number;
  level: string;
  message: string;
  created_at: string;
}

/** Log lines newest first, one per id (the live stream and the pages overlap). */
export function mergeLogs(...groups: readonly (readonly LogLine[])[]): LogLine[] {
  const byId = new Map<number, LogLine>();
  for (const group of groups) for (const line of group) byId.set(line.id, line);
  return [...byId.values()].sort((a, b) => b.id - a.id);
}

const IPV4 = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})(?:\/(\d{1,2}))?$/;
const IPV6 = /^[0-9a-fA-F:.]+$/;
export const MAX_SCOPE_ENTRIES = 64;

/**
 * The obvious mistakes in a scope, said plainly before the server is asked; the server still
 * decides (size limits, /0 and /1, IPv6 prefixes) and its message is shown then.
 */
export function scopeProblem(text: string): string | undefined {
  const trimmed = text.trim();
  if (trimmed === '') return 'Enter a scope: a CIDR prefix (10.0.0.0/24), a single IP, or a comma-separated list.';
  const entries = trimmed.split(',').map((entry) => entry.trim());
  if (entries.some((entry) => entry === '')) return 'The scope has an empty entry; remove the extra comma.';
  if (entries.length > MAX_SCOPE_ENTRIES) return `At most ${MAX_SCOPE_ENTRIES} entries (this has ${entries.length}).`;
  for (const entry of entries) {
    const v4 = IPV4.exec(entry);
    if (v4) {
      if (v4.slice(1, 5).some((octet) => Number(octet) > 255)) return `"${entry}" is not a valid IPv4 address.`;
      if (v4[5] !== undefined && Number(v4[5]) > 32) return `"${entry}": an IPv4 prefix length is 0 to 32.`;
      continue;
    }
    if (entry.includes(':') && IPV6.test(entry) && (entry.match(/:/g)?.length ?? 0) >= 2) continue;
    if (entry.includes(':') && entry.includes('/')) return `"${entry}": IPv6 is accepted only as single addresses.`;
    return `"${entry}" is not an IP address or CIDR prefix (e.g. 192.168.1.0/24).`;
  }
  return undefined;
}

/**
 * An API error with the server's detail folded into its message ("invalid discovery scope: scope too
 * large …"), keeping the request id.
 */
export function explainError(error: unknown): unknown {
  if (!(error instanceof ApiError)) return error;
  const detail = error.details?.error;
  const retry = error.details?.retry_after_seconds;
  let message = error.message;
  if (typeof detail === 'string' && detail !== '' && !message.includes(detail)) message = `${message}: ${detail}`;
  if (error.code === 'rate_limited') {
    message = `Discovery was triggered too often. ${typeof retry === 'number' ? `Try again in ${retry} s.` : 'Try again shortly.'}`;
  }
  return message === error.message
    ? error
    : new ApiError(error.status, error.code, message, error.requestId, error.details);
}

// ---------------------------------------------------------------- schedules

export type IntervalUnit = 'minutes' | 'hours' | 'days';
const UNIT_SECONDS: Record<IntervalUnit, number> = { minutes: 60, hours: 3600, days: 86_400 };

export interface ScheduleDraft {
  name: string;
  scope: string;
  preset: Preset;
  tags: string[];
  timing: 'interval' | 'cron';
  every: string;
  unit: IntervalUnit;
  cron: string;
  enabled: boolean;
}

export const EMPTY_DRAFT: ScheduleDraft = {
  name: '',
  scope: '',
  preset: 'normal',
  tags: [],
  timing: 'interval',
  every: '60',
  unit: 'minutes',
  cron: '',
  enabled: true,
};

export function draftFromSchedule(schedule: ScheduleT): ScheduleDraft {
  let every = '60';
  let unit: IntervalUnit = 'minutes';
  const seconds = schedule.interval_seconds;
  if (seconds !== undefined) {
    unit = seconds % 86_400 === 0 ? 'days' : seconds % 3600 === 0 ? 'hours' : 'minutes';
    every = String(seconds / UNIT_SECONDS[unit]);
  }
  return {
    name: schedule.name ?? '',
    scope: schedule.scope,
    preset: schedule.preset,
    tags: [...schedule.tags],
    timing: schedule.cron ? 'cron' : 'interval',
    every,
    unit,
    cron: schedule.cron ?? '',
    enabled: schedule.enabled,
  };
}

export type ScheduleErrors = Partial<Record<'name' | 'scope' | 'every' | 'cron', string>>;

const CRON_FIELD = /^[0-9A-Za-z*/,?-]+$/;

export function scheduleErrors(draft: ScheduleDraft): ScheduleErrors {
  const errors: ScheduleErrors = {};
  if (draft.name.length > 200) errors.name = 'At most 200 characters.';
  const scope = scopeProblem(draft.scope);
  if (scope) errors.scope = scope;
  if (draft.timing === 'interval') {
    const every = Number(draft.every);
    const seconds = every * UNIT_SECONDS[draft.unit];
    if (draft.every.trim() === '' || !Number.isInteger(every) || every <= 0) {
      errors.every = 'Enter a whole number greater than 0.';
    } else if (seconds < 60) {
      errors.every = 'The shortest interval is 1 minute.';
    } else if (seconds > 31_536_000) {
      errors.every = 'The longest interval is 365 days.';
    }
  } else {
    const fields = draft.cron.trim().split(/\s+/).filter(Boolean);
    if (fields.length === 0) errors.cron = 'Enter a cron expression, e.g. 0 3 * * * (03:00 UTC daily).';
    else if (fields.length !== 5)
      errors.cron = `A cron expression has 5 fields (minute hour day month weekday); this has ${fields.length}.`;
    else if (!fields.every((field) => CRON_FIELD.test(field)))
      errors.cron = 'A cron field has characters cron does not use.';
    else if (draft.cron.length > 120) errors.cron = 'At most 120 characters.';
  }
  return errors;
}

/** The POST/PUT body of a valid draft: exactly one of interval_seconds and cron, the other null. */
export function scheduleBody(draft: ScheduleDraft) {
  const interval = draft.timing === 'interval';
  return {
    name: draft.name.trim() === '' ? null : draft.name.trim(),
    scope: draft.scope.trim(),
    preset: draft.preset,
    tags: draft.tags,
    interval_seconds: interval ? Number(draft.every) * UNIT_SECONDS[draft.unit] : null,
    cron: interval ? null : draft.cron.trim().split(/\s+/).join(' '),
    enabled: draft.enabled,
  };
}

/** "every 2 hours", "cron 0 3 * * * (UTC)". */
export function describeTiming(schedule: Pick<ScheduleT, 'interval_seconds' | 'cron'>): string {
  if (schedule.cron) return `cron ${schedule.cron} (UTC)`;
  const seconds = schedule.interval_seconds;
  if (seconds === undefined) return '—';
  for (const unit of ['days', 'hours', 'minutes'] as const) {
    const size = UNIT_SECONDS[unit];
    if (seconds % size === 0) {
      const count = seconds / size;
      return `every ${count} ${count === 1 ? unit.slice(0, -1) : unit}`;
    }
  }
  return `every ${seconds} s`;
}
