import { describe, expect, it } from 'vitest';
import { DEVICE_TAGS } from './classification.ts';
import { MAX_MANUAL_TAGS, parseManualTags } from './tag-input.ts';

describe('parseManualTags (SPEC §4.4 PUT /devices/{id}/tags)', () => {
  it.each<[string, string[] | null | undefined, string[]]>([
    ['omitted', undefined, []],
    ['null', null, []],
    ['empty', [], []],
    ['only blanks', ['', '  ', '\t'], []],
    ['one tag', ['nas'], ['nas']],
    ['trimmed and lower-cased', ['  Router ', 'NAS', 'Vm_Host'], ['nas', 'router', 'vm_host']],
    ['de-duplicated after normalising', ['switch', ' SWITCH', 'Switch '], ['switch']],
    ['sorted', ['workstation', 'access_point', 'iot', 'camera'], ['access_point', 'camera', 'iot', 'workstation']],
    ['manual-only tags allowed', ['server', 'workstation'], ['server', 'workstation']],
  ])('%s', (_label, input, expected) => {
    expect(parseManualTags(input)).toEqual({ ok: true, value: expected });
  });

  it('accepts every taxonomy tag', () => {
    expect(parseManualTags([...DEVICE_TAGS])).toEqual({ ok: true, value: [...DEVICE_TAGS].sort() });
  });

  it('accepts exactly 32 entries, duplicates and blanks included', () => {
    const list = Array.from({ length: MAX_MANUAL_TAGS }, (_, i) => (i % 2 === 0 ? 'nas' : ' '));
    expect(MAX_MANUAL_TAGS).toBe(32);
    expect(parseManualTags(list)).toEqual({ ok: true, value: ['nas'] });
  });

  it('rejects more than 32 entries before looking at them, even blanks and duplicates', () => {
    expect(parseManualTags(Array.from({ length: 33 }, () => 'nas'))).toEqual({
      ok: false,
      error: 'too many tags (max 32)',
    });
    expect(parseManualTags(Array.from({ length: 33 }, () => ''))).toEqual({
      ok: false,
      error: 'too many tags (max 32)',
    });
    expect(parseManualTags(Array.from({ length: 40 }, () => 'toaster'))).toEqual({
      ok: false,
      error: 'too many tags (max 32)',
    });
  });

  it.each([
    [['toaster'], 'unknown tag "toaster"'],
    [['nas', '  Toaster  ', 'fridge'], 'unknown tag "toaster"'],
    [['vm-host'], 'unknown tag "vm-host"'],
    [['access point'], 'unknown tag "access point"'],
    [['pc'], 'unknown tag "pc"'],
    [['a"b'], 'unknown tag "a\\"b"'],
    [['x\ny'], 'unknown tag "x\\ny"'],
  ])('rejects %j with %s (the first unknown, normalised)', (input, error) => {
    expect(parseManualTags(input)).toEqual({ ok: false, error });
  });

  it('does not mutate the input', () => {
    const input = ['NAS', 'router'];
    parseManualTags(input);
    expect(input).toEqual(['NAS', 'router']);
  });
});
