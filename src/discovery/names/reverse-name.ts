import { isIPv4, isIPv6 } from 'node:net';
import { ipv6ToBigInt } from '../../shared/ip-math.ts';

/** The PTR owner name of an address (`d.c.b.a.in-addr.arpa`, nibbles for IPv6); null if not an IP. */
export function reverseName(ip: string): string | null {
  if (isIPv4(ip)) return `${ip.split('.').reverse().join('.')}.in-addr.arpa`;
  if (isIPv6(ip)) {
    const hex = ipv6ToBigInt(ip.split('%')[0] ?? ip)
      .toString(16)
      .padStart(32, '0');
    return `${[...hex].reverse().join('.')}.ip6.arpa`;
  }
  return null;
}
