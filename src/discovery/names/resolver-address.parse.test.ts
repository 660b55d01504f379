import { describe, expect, it } from 'vitest';
import { formatResolver, parseResolverAddress } from './resolver-address.parse.ts';

describe('parseResolverAddress', () => {
  it('reads the forms DISCOVERY_DNS_SERVERS and dns.getServers() use', () => {
    expect(parseResolverAddress('127.0.78.1')).toEqual({ address: '127.0.78.1', port: 53 });
    expect(parseResolverAddress(' 127.0.78.1:5353 ')).toEqual({ address: '127.0.78.1', port: 5353 });
    expect(parseResolverAddress('::1')).toEqual({ address: '::1', port: 53 });
    expect(parseResolverAddress('[::1]:5300')).toEqual({ address: '::1', port: 5300 });
    expect(parseResolverAddress('[fd00::53]')).toEqual({ address: 'fd00::53', port: 53 });
  });

  it('rejects host names, bad ports and malformed addresses', () => {
    for (const text of [
      'dns.example',
      '127.0.78.1:0',
      '127.0.78.1:70000',
      '300.1.1.1',
      '[127.0.0.1]:53',
      '',
      '1.2.3',
    ]) {
      expect(parseResolverAddress(text), text).toBeUndefined();
    }
  });
});

describe('formatResolver', () => {
  it('shows the port only when it is not 53', () => {
    expect(formatResolver({ address: '127.0.78.1', port: 53 })).toBe('127.0.78.1');
    expect(formatResolver({ address: '127.0.78.1', port: 5300 })).toBe('127.0.78.1:5300');
    expect(formatResolver({ address: '::1', port: 5300 })).toBe('[::1]:5300');
  });
});
