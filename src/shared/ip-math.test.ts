import { describe, expect, it } from 'vitest';
import { isIdentityAddress } from './ip-math.ts';

describe('isIdentityAddress', () => {
  it.each([
    ['10.0.0.5', true],
    ['192.168.1.1', true],
    ['127.0.0.1', false],
    ['127.3.4.5', false],
    ['0.0.0.0', false],
    ['169.254.10.1', false],
    ['224.0.0.251', false],
    ['255.255.255.255', false],
    ['2001:db8::1', true],
    ['::1', false],
    ['::', false],
    ['fe80::1', false],
    ['ff02::fb', false],
    ['::ffff:127.0.0.1', false],
    ['::ffff:10.1.2.3', true],
    ['<private>', false],
  ])('%s → %s', (address, expected) => {
    expect(isIdentityAddress(address)).toBe(expected);
  });
});
