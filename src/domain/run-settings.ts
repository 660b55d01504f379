import type { ConfiguredRunSettings } from '../shared/run-settings.types.ts';

/**
 * Effective settings of one discovery run: configured values, then the preset, then scan tags,
 * which only ever enable features (SPEC §5.3).
 */
export const PRESETS = ['fast', 'normal', 'deep'] as const;
export type Preset = (typeof PRESETS)[number];
export const SCAN_TAGS = ['names', 'ports', 'snmp', 'topology'] as const;
export type ScanTag = (typeof SCAN_TAGS)[number];
export const MAX_SCAN_TAGS = 8;

/** Effective settings of one run: the configured ones adjusted by preset and tags. */
export interface RunSettings extends ConfiguredRunSettings {
  pingRetries: number;
}

export type BaseSettings = ConfiguredRunSettings;

export function effectiveSettings(base: BaseSettings, preset: Preset, tags: readonly ScanTag[]): RunSettings {
  const settings: RunSettings = { ...base, pingRetries: 1 };
  if (preset === 'fast') {
    Object.assign(settings, {
      runtimeBudgetMs: Math.min(base.runtimeBudgetMs, 15_000),
      maxTargets: Math.min(base.maxTargets, 256),
      pingTimeoutMs: Math.min(base.pingTimeoutMs, 400),
      pingWorkers: Math.min(base.pingWorkers, 16),
      pingRetries: 0,
      enrichMaxTargets: Math.min(base.enrichMaxTargets, 32),
      enrichWorkers: Math.min(base.enrichWorkers, 4),
      snmp: false,
      lldp: false,
      cdp: false,
      portScan: false,
    });
  } else if (preset === 'deep') {
    Object.assign(settings, {
      runtimeBudgetMs: Math.max(base.runtimeBudgetMs, 120_000),
      maxTargets: Math.max(base.maxTargets, 4096),
      pingTimeoutMs: Math.max(base.pingTimeoutMs, 1500),
      pingWorkers: Math.max(base.pingWorkers, 32),
      pingRetries: 2,
      enrichMaxTargets: Math.max(base.enrichMaxTargets, 256),
      enrichWorkers: Math.max(base.enrichWorkers, 16),
      snmp: true,
      lldp: true,
      cdp: true,
      portScan: true,
      portScanWorkers: Math.max(base.portScanWorkers, 8),
      portScanTimeoutMs: Math.max(base.portScanTimeoutMs, 5000),
      portScanMaxTargets: Math.max(base.portScanMaxTargets, 64),
    });
  }
  for (const tag of tags) {
    if (tag === 'ports') settings.portScan = true;
    if (tag === 'snmp') settings.snmp = true;
    if (tag === 'names') settings.nameResolution = true;
    if (tag === 'topology') Object.assign(settings, { snmp: true, lldp: true, cdp: true });
  }
  return settings;
}

export type Parsed<T> = { ok: true; value: T } | { ok: false; error: string };

export function parsePreset(raw: string | undefined): Parsed<Preset> {
  const value = (raw ?? '').trim().toLowerCase();
  if (value === '') return { ok: true, value: 'normal' };
  return (PRESETS as readonly string[]).includes(value)
    ? { ok: true, value: value as Preset }
    : { ok: false, error: 'preset must be one of: fast, normal, deep' };
}

export function parseScanTags(raw: readonly string[] | undefined): Parsed<ScanTag[]> {
  const tags = [...new Set((raw ?? []).map((tag) => tag.trim().toLowerCase()).filter((tag) => tag !== ''))];
  if (tags.length > MAX_SCAN_TAGS) return { ok: false, error: `too many tags (max ${MAX_SCAN_TAGS})` };
  const unknown = tags.find((tag) => !(SCAN_TAGS as readonly string[]).includes(tag));
  if (unknown !== undefined) return { ok: false, error: `unknown tag "${unknown}"` };
  return { ok: true, value: (tags as ScanTag[]).sort() };
}

/** Preset and tags as stored in a run's stats at enqueue; unknown values fall back safely. */
export function presetAndTags(stats: Record<string, unknown>): { preset: Preset; tags: ScanTag[] } {
  const preset = parsePreset(typeof stats.preset === 'string' ? stats.preset : undefined);
  // SPEC §5.3: a list of strings, or a single string.
  const listed = typeof stats.tags === 'string' ? [stats.tags] : Array.isArray(stats.tags) ? stats.tags : [];
  const rawTags = listed.filter((tag): tag is string => typeof tag === 'string');
  const tags = parseScanTags(
    rawTags.filter((tag) => (SCAN_TAGS as readonly string[]).includes(tag.trim().toLowerCase())),
  );
  return { preset: preset.ok ? preset.value : 'normal', tags: tags.ok ? tags.value : [] };
}
