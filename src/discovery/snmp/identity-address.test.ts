import { describe, expect, it } from 'vitest';
import { isIdentityAddress } from './identity-address.ts';

describe('isIdentityAddress', () => {
  it.each([
    '127.0.0.1',
    '127.8.9.10',
    '0.0.0.0',
    '169.254.10.20',
    '224.0.0.251',
    '255.255.255.255',
    '::',
    '::1',
    'fe80::1',
    'febf::1',
    'ff02::fb',
    '::ffff:127.0.0.1',
    'not-an-ip',
    '',
  ])('%s says nothing about identity', (ip) => {
    expect(isIdentityAddress(ip)).toBe(false);
  });

  it.each([
    '10.54.64.9',
    '172.31.126.41',
    '1.1.1.1',
    '192.168.1.1',
    '2001:db8::1',
    'fd00::5',
    'fec0::1',
    '::ffff:10.0.0.1',
  ])('%s identifies a device', (ip) => {
    expect(isIdentityAddress(ip)).toBe(true);
  });
});
