import { describe, expect, it } from 'vitest';
import {
  checkScopeSize,
  expandIpv4Targets,
  MAX_SCOPE_ENTRIES,
  parseScope,
  SCOPE_FORMAT_ERROR,
  type ScopeEntry,
  scopeContains,
} from './scope.ts';

const entries = (raw: string): ScopeEntry[] => {
  const parsed = parseScope(raw);
  if (!parsed.ok) throw new Error(`expected "${raw}" to parse, got: ${parsed.error}`);
  return parsed.entries;
};
const canonical = (raw: string): string => {
  const parsed = parseScope(raw);
  if (!parsed.ok) throw new Error(`expected "${raw}" to parse, got: ${parsed.error}`);
  return parsed.canonical;
};
const parseError = (raw: string): string => {
  const parsed = parseScope(raw);
  if (parsed.ok) throw new Error(`expected "${raw}" to be rejected, got ${parsed.canonical}`);
  return parsed.error;
};
const sizeError = (raw: string, maxTargets: number): string => {
  const check = checkScopeSize(entries(raw), maxTargets);
  if (check.ok) throw new Error(`expected "${raw}" to be too large, got ${check.targets} targets`);
  return check.error;
};
const targets = (raw: string, maxTargets = 1024): number => {
  const check = checkScopeSize(entries(raw), maxTargets);
  if (!check.ok) throw new Error(`expected "${raw}" to fit, got: ${check.error}`);
  return check.targets;
};

describe('parseScope', () => {
  it('masks a prefix to its network address (G-32)', () => {
    expect(canonical('10.0.0.5/24')).toBe('10.0.0.0/24');
    expect(canonical('10.0.0.0/24')).toBe('10.0.0.0/24');
    expect(canonical('192.168.7.200/30')).toBe('192.168.7.200/30');
    expect(canonical('192.168.7.203/30')).toBe('192.168.7.200/30');
    expect(canonical('172.16.99.1/12')).toBe('172.16.0.0/12');
    expect(entries('10.0.0.5/24')).toEqual([{ family: 4, network: 0x0a000000n, bits: 24, text: '10.0.0.0/24' }]);
  });

  it('keeps a single IP as a bare address, also when written as /32 or /128', () => {
    expect(canonical('10.0.0.5')).toBe('10.0.0.5');
    expect(canonical('10.0.0.5/32')).toBe('10.0.0.5');
    expect(entries('10.0.0.5')).toEqual([{ family: 4, network: 0x0a000005n, bits: 32, text: '10.0.0.5' }]);
    expect(canonical('2001:DB8:0:0::1')).toBe('2001:db8::1');
    expect(canonical('2001:db8::1/128')).toBe('2001:db8::1');
  });

  it('masks IPv6 prefixes too (they are refused later, by the size check)', () => {
    expect(entries('2001:db8::77/64')).toEqual([
      { family: 6, network: 0x20010db8000000000000000000000000n, bits: 64, text: '2001:db8::/64' },
    ]);
  });

  it('accepts a comma-separated list, trimming entries and dropping blank ones', () => {
    expect(canonical(' 10.0.0.5/24 ,, 192.168.1.9 , 2001:db8::1,')).toBe('10.0.0.0/24,192.168.1.9,2001:db8::1');
    expect(entries('10.0.0.0/24, 192.168.1.9').map((entry) => entry.family)).toEqual([4, 4]);
  });

  it('drops entries that are the same after masking, keeping the first position', () => {
    expect(canonical('10.0.0.5/24,192.168.1.1,10.0.0.200/24,192.168.1.1/32')).toBe('10.0.0.0/24,192.168.1.1');
  });

  it('answers the SPEC text for anything that is neither a prefix nor an IP', () => {
    expect(parseError('')).toBe(SCOPE_FORMAT_ERROR);
    expect(parseError(' , ,')).toBe(SCOPE_FORMAT_ERROR);
    expect(SCOPE_FORMAT_ERROR).toBe('scope must be a CIDR prefix (e.g. 10.0.0.0/24) or a single IP (e.g. 10.0.0.5)');
    for (const bad of [
      'nope',
      '10.0.0.256',
      '10.0.0.0/33',
      '10.0.0.0/',
      '10.0.0.0/x',
      '10.0.0.0/24/1',
      '10.0.0.0/-1',
    ]) {
      expect(parseError(bad), bad).toBe(`${SCOPE_FORMAT_ERROR}; "${bad}" is neither`);
    }
    expect(parseError('2001:db8::/129')).toBe(`${SCOPE_FORMAT_ERROR}; "2001:db8::/129" is neither`);
    // One bad entry rejects the whole list and names that entry.
    expect(parseError('10.0.0.0/24, host.example')).toBe(`${SCOPE_FORMAT_ERROR}; "host.example" is neither`);
  });

  it(`refuses more than ${MAX_SCOPE_ENTRIES} entries`, () => {
    const ips = (count: number) => Array.from({ length: count }, (_, i) => `10.0.${i >> 8}.${i & 255}`).join(',');
    expect(entries(ips(MAX_SCOPE_ENTRIES))).toHaveLength(MAX_SCOPE_ENTRIES);
    expect(parseError(ips(MAX_SCOPE_ENTRIES + 1))).toBe(`a scope lists at most ${MAX_SCOPE_ENTRIES} entries`);
  });
});

describe('checkScopeSize', () => {
  it('counts 2^(32 - bits) addresses per IPv4 entry, network and broadcast included', () => {
    expect(targets('10.0.0.0/24')).toBe(256);
    expect(targets('10.0.0.0/31')).toBe(2);
    expect(targets('10.0.0.7')).toBe(1);
    expect(targets('10.0.0.0/22')).toBe(1024);
    expect(targets('10.0.0.0/24,10.0.1.0/25,192.168.1.1')).toBe(256 + 128 + 1);
  });

  it('answers the exact SPEC texts for /0 and /1, whatever the max', () => {
    expect(sizeError('0.0.0.0/0', 1024)).toBe('scope too large (/0); max targets is 1024');
    expect(sizeError('128.0.0.0/1', 1024)).toBe('scope too large (/1); max targets is 1024');
    expect(sizeError('10.0.0.0/1', 4_294_967_296)).toBe('scope too large (/1); max targets is 4294967296');
  });

  it('answers the exact SPEC text for too many targets, counting the whole list', () => {
    expect(sizeError('10.0.0.0/21', 1024)).toBe('scope too large (2048 targets); max targets is 1024');
    expect(sizeError('10.0.0.0/24', 255)).toBe('scope too large (256 targets); max targets is 255');
    expect(sizeError('10.0.0.0/23,10.1.0.0/23,10.2.0.1', 1024)).toBe(
      'scope too large (1025 targets); max targets is 1024',
    );
    expect(targets('10.0.0.0/23,10.1.0.0/23', 1024)).toBe(1024);
  });

  it('accepts IPv6 only as a single /128 address', () => {
    expect(targets('2001:db8::1')).toBe(1);
    expect(targets('10.0.0.0/30,2001:db8::1/128')).toBe(5);
    expect(sizeError('2001:db8::/64', 1024)).toBe('ipv6 scope must be a single IP (/128) for now');
    expect(sizeError('2001:db8::/127', 1024)).toBe('ipv6 scope must be a single IP (/128) for now');
    expect(sizeError('10.0.0.1,2001:db8::/120', 1024)).toBe('ipv6 scope must be a single IP (/128) for now');
  });

  it('counts overlapping entries once, as the sweep expands them', () => {
    // 10.0.0.0/25 lies inside 10.0.0.0/24: the run pings 256 addresses, so it has 256 targets.
    expect(expandIpv4Targets(entries('10.0.0.0/24,10.0.0.0/25'))).toHaveLength(256);
    expect(targets('10.0.0.0/24,10.0.0.0/25')).toBe(256);
    expect(targets('10.0.0.0/22,10.0.1.0/24', 1024)).toBe(1024);
  });
});

describe('expandIpv4Targets', () => {
  it('lists every address of a prefix in ascending order', () => {
    expect(expandIpv4Targets(entries('10.0.0.5/30'))).toEqual(['10.0.0.4', '10.0.0.5', '10.0.0.6', '10.0.0.7']);
    const all = expandIpv4Targets(entries('10.9.0.0/23'));
    expect(all).toHaveLength(512);
    expect(all.slice(254, 258)).toEqual(['10.9.0.254', '10.9.0.255', '10.9.1.0', '10.9.1.1']);
  });

  it('sorts numerically across entries, not by text or by list position', () => {
    expect(expandIpv4Targets(entries('192.168.0.1,10.0.0.10,10.0.0.9,10.0.0.100'))).toEqual([
      '10.0.0.9',
      '10.0.0.10',
      '10.0.0.100',
      '192.168.0.1',
    ]);
  });

  it('de-duplicates overlapping entries and skips IPv6 (never pinged)', () => {
    expect(expandIpv4Targets(entries('10.0.0.6/31,10.0.0.0/30,10.0.0.1,10.0.0.7,2001:db8::1'))).toEqual([
      '10.0.0.0',
      '10.0.0.1',
      '10.0.0.2',
      '10.0.0.3',
      '10.0.0.6',
      '10.0.0.7',
    ]);
    expect(expandIpv4Targets(entries('2001:db8::1'))).toEqual([]);
  });
});

describe('scopeContains', () => {
  const scope = entries('10.0.0.5/24,192.168.1.9,2001:db8::1');

  it('matches addresses inside any IPv4 entry, including network and broadcast', () => {
    for (const inside of ['10.0.0.0', '10.0.0.5', '10.0.0.255', '192.168.1.9']) {
      expect(scopeContains(scope, inside), inside).toBe(true);
    }
    for (const outside of ['10.0.1.0', '9.255.255.255', '192.168.1.8', '192.168.1.10']) {
      expect(scopeContains(scope, outside), outside).toBe(false);
    }
  });

  it('matches IPv6 by value, never across families, and refuses non-addresses', () => {
    expect(scopeContains(scope, '2001:0db8:0000::0001')).toBe(true);
    expect(scopeContains(scope, '2001:db8::2')).toBe(false);
    expect(scopeContains(entries('0.0.0.0/2'), '::1')).toBe(false);
    expect(scopeContains(entries('::/127'), '0.0.0.1')).toBe(false);
    expect(scopeContains(scope, 'not-an-ip')).toBe(false);
    expect(scopeContains(scope, '')).toBe(false);
  });
});
