import { describe, expect, it } from 'vitest';
import { chooseDisplayName, normaliseNameCandidate } from './naming.ts';

describe('name candidates (SPEC §5.11)', () => {
  it('normalises and scores a reverse DNS name', () => {
    expect(normaliseNameCandidate(' Reverse_DNS ', 'Router.Home.ARPA.')).toEqual({
      source: 'reverse_dns',
      name: 'router.home.arpa',
      displayName: 'router',
      score: 90,
      valid: true,
    });
  });

  it('keeps the case of SNMP names and penalises odd names', () => {
    expect(normaliseNameCandidate('snmp', 'Core-SW1')).toMatchObject({ name: 'Core-SW1', score: 88 });
    expect(normaliseNameCandidate('mdns', 'printer.local')).toMatchObject({ displayName: 'printer', score: 75 });
    expect(normaliseNameCandidate('netbios', 'Front Desk')).toMatchObject({ score: 78 - 25 - 20 });
    expect(normaliseNameCandidate('lldp', 'x')).toMatchObject({ score: 36 });
    expect(normaliseNameCandidate('whatever', 'name')).toMatchObject({ score: 50 });
  });

  it('marks garbage names invalid', () => {
    for (const name of ['', '  ', '5.0.0.10.in-addr.arpa', 'x.ip6.arpa', 'WORKGROUP', 'localhost', '__MSBROWSE__']) {
      expect(normaliseNameCandidate('netbios', name).valid, name).toBe(false);
    }
  });

  it('chooses the best display name: score, then shorter, then smaller', () => {
    const pick = (...names: [string, string][]) =>
      chooseDisplayName(names.map(([source, name]) => normaliseNameCandidate(source, name)))?.displayName;
    expect(pick(['mdns', 'router.local'], ['snmp', 'core-switch-1'])).toBe('core-switch-1');
    expect(pick(['snmp', 'bbb'], ['snmp', 'aa'], ['snmp', 'ab'])).toBe('aa');
    expect(pick(['netbios', 'x'], ['lldp', 'Front Desk'])).toBeUndefined();
    expect(pick()).toBeUndefined();
  });
});
