import { describe, expect, it } from 'vitest';
import { cleanName, hintsFrom, mergeHints } from './name-hints.ts';
import { reverseName } from './reverse-name.ts';

describe('cleanName', () => {
  it('trims and removes one trailing dot', () => {
    expect(cleanName('  Router.Home.ARPA. ')).toBe('Router.Home.ARPA');
    expect(cleanName('a..')).toBe('a.');
    expect(cleanName(' . ')).toBeNull();
    expect(cleanName('')).toBeNull();
  });
});

describe('mergeHints', () => {
  it('keeps source order and drops case-insensitive duplicates, first source wins', () => {
    expect(
      mergeHints([
        hintsFrom('reverse_dns', ['nas.lan.', 'NAS.lan']),
        hintsFrom('mdns', ['nas.local', 'Nas.Lan']),
        hintsFrom('netbios', ['NAS', ' ']),
      ]),
    ).toEqual([
      { source: 'reverse_dns', name: 'nas.lan' },
      { source: 'mdns', name: 'nas.local' },
      { source: 'netbios', name: 'NAS' },
    ]);
  });
});

describe('reverseName', () => {
  it('builds in-addr.arpa and nibble ip6.arpa names', () => {
    expect(reverseName('10.253.1.2')).toBe('2.1.253.10.in-addr.arpa');
    expect(reverseName('2001:db8::1')).toBe('1.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.8.b.d.0.1.0.0.2.ip6.arpa');
    expect(reverseName('fe80::1%eth0')).toMatch(/^1\.0\.0\..*\.0\.8\.e\.f\.ip6\.arpa$/);
    expect(reverseName('not-an-ip')).toBeNull();
  });
});
