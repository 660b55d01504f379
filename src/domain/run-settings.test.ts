import { describe, expect, it } from 'vitest';
import {
  type BaseSettings,
  effectiveSettings,
  type Parsed,
  parsePreset,
  parseScanTags,
  presetAndTags,
  type RunSettings,
} from './run-settings.ts';

/** Configured values between the presets' bounds, so every min/max is visible. */
const base: BaseSettings = {
  runtimeBudgetMs: 60_000,
  maxTargets: 1024,
  pingTimeoutMs: 1000,
  pingWorkers: 24,
  enrichMaxTargets: 64,
  enrichWorkers: 8,
  nameResolution: false,
  snmp: false,
  lldp: false,
  cdp: false,
  portScan: false,
  portScanWorkers: 4,
  portScanTimeoutMs: 2000,
  portScanMaxTargets: 16,
};

const value = <T>(parsed: Parsed<T>): T => {
  if (!parsed.ok) throw new Error(`expected ok, got: ${parsed.error}`);
  return parsed.value;
};
const error = <T>(parsed: Parsed<T>): string => {
  if (parsed.ok) throw new Error(`expected an error, got ${JSON.stringify(parsed.value)}`);
  return parsed.error;
};

describe('effectiveSettings: presets (SPEC §5.3)', () => {
  it('normal keeps every configured value', () => {
    expect(effectiveSettings(base, 'normal', [])).toEqual({ ...base, pingRetries: 1 });
    const allOn = { ...base, snmp: true, lldp: true, cdp: true, portScan: true, nameResolution: true };
    expect(effectiveSettings(allOn, 'normal', [])).toEqual({ ...allOn, pingRetries: 1 });
  });

  it('fast tightens budgets and forces SNMP, LLDP/CDP and port scanning off', () => {
    const allOn = { ...base, snmp: true, lldp: true, cdp: true, portScan: true, nameResolution: true };
    expect(effectiveSettings(allOn, 'fast', [])).toEqual<RunSettings>({
      runtimeBudgetMs: 15_000,
      maxTargets: 256,
      pingTimeoutMs: 400,
      pingWorkers: 16,
      pingRetries: 0,
      enrichMaxTargets: 32,
      enrichWorkers: 4,
      nameResolution: true, // name resolution always stays as configured
      snmp: false,
      lldp: false,
      cdp: false,
      portScan: false,
      portScanWorkers: 4,
      portScanTimeoutMs: 2000,
      portScanMaxTargets: 16,
    });
  });

  it('fast never raises a configured value that is already below its bound', () => {
    const small = { ...base, runtimeBudgetMs: 5000, maxTargets: 64, pingTimeoutMs: 200, pingWorkers: 2 };
    expect(effectiveSettings(small, 'fast', [])).toMatchObject({
      runtimeBudgetMs: 5000,
      maxTargets: 64,
      pingTimeoutMs: 200,
      pingWorkers: 2,
      enrichMaxTargets: 32,
      enrichWorkers: 4,
    });
  });

  it('deep raises budgets and forces SNMP, LLDP/CDP and port scanning on', () => {
    expect(effectiveSettings(base, 'deep', [])).toEqual<RunSettings>({
      runtimeBudgetMs: 120_000,
      maxTargets: 4096,
      pingTimeoutMs: 1500,
      pingWorkers: 32,
      pingRetries: 2,
      enrichMaxTargets: 256,
      enrichWorkers: 16,
      nameResolution: false,
      snmp: true,
      lldp: true,
      cdp: true,
      portScan: true,
      portScanWorkers: 8,
      portScanTimeoutMs: 5000,
      portScanMaxTargets: 64,
    });
  });

  it('deep never lowers a configured value that is already above its bound', () => {
    const large = { ...base, runtimeBudgetMs: 600_000, maxTargets: 65_536, pingWorkers: 128, portScanWorkers: 32 };
    expect(effectiveSettings(large, 'deep', [])).toMatchObject({
      runtimeBudgetMs: 600_000,
      maxTargets: 65_536,
      pingWorkers: 128,
      portScanWorkers: 32,
    });
  });
});

describe('effectiveSettings: scan tags', () => {
  it('enable their feature after the preset, overriding fast', () => {
    expect(effectiveSettings(base, 'fast', ['ports'])).toMatchObject({ portScan: true, snmp: false, lldp: false });
    expect(effectiveSettings(base, 'fast', ['snmp'])).toMatchObject({ snmp: true, lldp: false, cdp: false });
    expect(effectiveSettings(base, 'fast', ['topology'])).toMatchObject({ snmp: true, lldp: true, cdp: true });
    expect(effectiveSettings(base, 'normal', ['names'])).toMatchObject({ nameResolution: true, snmp: false });
  });

  it('only ever enable: deep stays fully on with or without tags', () => {
    const deep = effectiveSettings(base, 'deep', []);
    expect(effectiveSettings(base, 'deep', ['names'])).toEqual({ ...deep, nameResolution: true });
    expect(effectiveSettings({ ...base, nameResolution: true }, 'fast', [])).toMatchObject({ nameResolution: true });
  });

  it('do not touch budgets', () => {
    const { snmp, lldp, cdp, portScan, nameResolution, ...fastBudgets } = effectiveSettings(base, 'fast', []);
    expect(effectiveSettings(base, 'fast', ['names', 'ports', 'snmp', 'topology'])).toMatchObject(fastBudgets);
    expect([snmp, lldp, cdp, portScan, nameResolution]).toEqual([false, false, false, false, false]);
  });
});

describe('parsePreset', () => {
  it('defaults to normal and normalises case and blanks', () => {
    expect(value(parsePreset(undefined))).toBe('normal');
    expect(value(parsePreset(''))).toBe('normal');
    expect(value(parsePreset('   '))).toBe('normal');
    expect(value(parsePreset(' DEEP '))).toBe('deep');
    expect(value(parsePreset('Fast'))).toBe('fast');
  });

  it('refuses anything else with the SPEC text', () => {
    for (const bad of ['turbo', 'fast,deep', 'normal!']) {
      expect(error(parsePreset(bad)), bad).toBe('preset must be one of: fast, normal, deep');
    }
  });
});

describe('parseScanTags', () => {
  it('trims, lower-cases, drops blanks, de-duplicates and sorts', () => {
    expect(value(parseScanTags(undefined))).toEqual([]);
    expect(value(parseScanTags([]))).toEqual([]);
    expect(value(parseScanTags([' Topology', 'SNMP', '', '  ', 'snmp', 'names ', 'PORTS']))).toEqual([
      'names',
      'ports',
      'snmp',
      'topology',
    ]);
  });

  it('names the first unknown tag as the SPEC words it', () => {
    expect(error(parseScanTags(['snmp', 'x']))).toBe('unknown tag "x"');
    expect(error(parseScanTags([' Bogus ']))).toBe('unknown tag "bogus"');
  });

  it('refuses more than 8 distinct tags before looking at their names', () => {
    const nine = ['a', 'b', 'c', 'd', 'e', 'f', 'g', 'h', 'i'];
    expect(error(parseScanTags(nine))).toBe('too many tags (max 8)');
    // Eight unknown tags are not "too many": the unknown-tag error wins.
    expect(error(parseScanTags(nine.slice(0, 8)))).toBe('unknown tag "a"');
    // Duplicates and blanks do not count towards the limit.
    expect(value(parseScanTags([...Array(12).fill('snmp'), '', ' ', 'NAMES']))).toEqual(['names', 'snmp']);
  });
});

describe('presetAndTags (stats written at enqueue)', () => {
  it('reads what the API stored', () => {
    expect(presetAndTags({ stage: 'queued', preset: 'deep', tags: ['names', 'snmp'] })).toEqual({
      preset: 'deep',
      tags: ['names', 'snmp'],
    });
  });

  it('falls back to normal for a missing, unknown or non-string preset', () => {
    expect(presetAndTags({}).preset).toBe('normal');
    expect(presetAndTags({ preset: 'turbo' }).preset).toBe('normal');
    expect(presetAndTags({ preset: 3 }).preset).toBe('normal');
    expect(presetAndTags({ preset: ' FAST ' }).preset).toBe('fast');
  });

  it('normalises tags and drops unknown or non-string values instead of failing', () => {
    expect(presetAndTags({ tags: [' SNMP', 'bogus', 7, null, 'names', 'snmp'] }).tags).toEqual(['names', 'snmp']);
    expect(presetAndTags({ tags: { snmp: true } }).tags).toEqual([]);
    expect(presetAndTags({ tags: Array(20).fill('ports') }).tags).toEqual(['ports']);
  });

  it('accepts a single string as the tag list (SPEC §5.3)', () => {
    expect(presetAndTags({ preset: 'fast', tags: ' SNMP ' })).toEqual({ preset: 'fast', tags: ['snmp'] });
  });
});
