import { describe, expect, it } from 'vitest';
import { MAX_NMAP_TARGETS, nmapProcessTimeoutMs, nmapScanArgs, portList } from './nmap.args.ts';

describe('nmapScanArgs', () => {
  it('builds the connect-scan argv for one target, timeouts in milliseconds (G-28)', () => {
    expect(nmapScanArgs(['10.0.0.5'], { ports: [22, 80, 443], hostTimeoutMs: 3000 })).toEqual([
      '-oX',
      '-',
      '-Pn',
      '-sT',
      '-n',
      '--host-timeout',
      '3000ms',
      '--max-retries',
      '1',
      '-p',
      '22,80,443',
      '10.0.0.5',
    ]);
  });

  it('writes 90 s as 90000ms, never a compound unit like 1m30s', () => {
    const args = nmapScanArgs(['10.0.0.5'], { ports: [22], hostTimeoutMs: 90_000, maxRttTimeoutMs: 250.4 });
    expect(args).toContain('90000ms');
    expect(args.slice(args.indexOf('--max-rtt-timeout'), args.indexOf('--max-rtt-timeout') + 2)).toEqual([
      '--max-rtt-timeout',
      '250ms',
    ]);
    expect(args.join(' ')).not.toMatch(/\d+[smh]\d/);
    expect(nmapScanArgs(['10.0.0.5'], { ports: [22], hostTimeoutMs: 0.2 })).toContain('1ms');
  });

  it('scans several hosts side by side in one call', () => {
    expect(
      nmapScanArgs(['10.0.0.5', '10.0.0.6', '10.0.0.7'], {
        ports: [8080, 22],
        hostTimeoutMs: 1500,
        maxRttTimeoutMs: 400,
      }),
    ).toEqual([
      '-oX',
      '-',
      '-Pn',
      '-sT',
      '-n',
      '--host-timeout',
      '1500ms',
      '--max-retries',
      '1',
      '--max-rtt-timeout',
      '400ms',
      '--min-hostgroup',
      '3',
      '-p',
      '22,8080',
      '10.0.0.5',
      '10.0.0.6',
      '10.0.0.7',
    ]);
  });

  it('adds -6 for IPv6 targets and refuses to mix families', () => {
    expect(nmapScanArgs(['fd00::5'], { ports: [22], hostTimeoutMs: 1000 }).slice(-4)).toEqual([
      '-6',
      '-p',
      '22',
      'fd00::5',
    ]);
    expect(() => nmapScanArgs(['10.0.0.5', 'fd00::5'], { ports: [22], hostTimeoutMs: 1000 })).toThrow(RangeError);
  });

  it('does not ask nmap for --open, reverse DNS or host discovery', () => {
    const args = nmapScanArgs(['10.0.0.5'], { ports: [22], hostTimeoutMs: 1000 });
    expect(args).not.toContain('--open');
    expect(args).toContain('-n');
    expect(args).toContain('-Pn');
  });

  it('lets only IP literals through as targets (no option injection)', () => {
    for (const target of ['-iL/etc/shadow', '--script=evil', 'example.com', '10.0.0.0/24', '']) {
      expect(() => nmapScanArgs([target], { ports: [22], hostTimeoutMs: 1000 }), target).toThrow(TypeError);
    }
    expect(() => nmapScanArgs([], { ports: [22], hostTimeoutMs: 1000 })).toThrow(RangeError);
    const many = Array.from({ length: MAX_NMAP_TARGETS + 1 }, (_, index) => `10.0.${index >> 8}.${index & 255}`);
    expect(() => nmapScanArgs(many, { ports: [22], hostTimeoutMs: 1000 })).toThrow(RangeError);
  });

  it('kills nmap two seconds after its host timeout', () => {
    expect(nmapProcessTimeoutMs(3000)).toBe(5000);
  });
});

describe('portList', () => {
  it('sorts, de-duplicates and folds runs into ranges', () => {
    expect(portList([443, 22, 80, 81, 82, 22])).toBe('22,80-82,443');
    expect(portList([1, 2])).toBe('1-2');
    expect(portList([65_535])).toBe('65535');
  });

  it('keeps every port of 1–65535 in one short argument', () => {
    expect(portList(Array.from({ length: 65_535 }, (_, index) => index + 1))).toBe('1-65535');
  });

  it('rejects empty lists and ports outside 1–65535', () => {
    expect(() => portList([])).toThrow(RangeError);
    for (const port of [0, 65_536, 22.5, Number.NaN, -1])
      expect(() => portList([port]), String(port)).toThrow(RangeError);
  });
});
