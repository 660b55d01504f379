/**
 * Subnet regions of the L3 layer (G-29 fixed): a subnet keeps its real prefix length when one is
 * known and is ordered numerically, never as text. See docs/map.md "Subnets".
 */
import { isIPv4 } from 'node:net';
import { ipv4ToBigInt, ipv6ToBigInt, isIdentityAddress, maskedPrefix } from '../../shared/ip-math.ts';

export const FALLBACK_PREFIX_V4 = 24;
export const FALLBACK_PREFIX_V6 = 64;

export interface Subnet {
  /** Masked prefix text, e.g. `10.0.1.0/25`, `2001:db8::/64`. */
  id: string;
  family: 4 | 6;
  network: bigint;
  bits: number;
}

/** `a.b.c.d` or an IPv6 address, without a prefix or zone. */
function bareAddress(ip: string): string {
  return (ip.split('/')[0] ?? ip).split('%')[0] ?? ip;
}

/**
 * The subnet an address belongs to. `knownPrefix` is the narrowest prefix known for it (its own
 * stored prefix when shorter than a host prefix, else one inferred from other facts; the
 * repository works that out); without one, /24 (IPv4) or /64 (IPv6). Addresses that say nothing
 * about a segment (unspecified, loopback, link-local, multicast) have no subnet.
 */
export function subnetOf(ip: string, knownPrefix: number | null | undefined): Subnet | undefined {
  const address = bareAddress(ip);
  if (!isIdentityAddress(address)) return undefined;
  const width = isIPv4(address) ? 32 : 128;
  const usable = knownPrefix !== null && knownPrefix !== undefined && knownPrefix >= 1 && knownPrefix < width;
  const bits = usable ? knownPrefix : width === 32 ? FALLBACK_PREFIX_V4 : FALLBACK_PREFIX_V6;
  return parseSubnet(`${address}/${bits}`);
}

export function parseSubnet(id: string): Subnet | undefined {
  const masked = maskedPrefix(id);
  if (!masked) return undefined;
  const network = masked.family === 4 ? ipv4ToBigInt(masked.address) : ipv6ToBigInt(masked.address);
  return { id: `${masked.address}/${masked.bits}`, family: masked.family, network, bits: masked.bits };
}

/** IPv4 before IPv6, then by network address as a number, then by prefix length. */
export function compareSubnets(a: Subnet, b: Subnet): number {
  if (a.family !== b.family) return a.family - b.family;
  if (a.network !== b.network) return a.network < b.network ? -1 : 1;
  return a.bits - b.bits;
}

export function compareSubnetIds(a: string, b: string): number {
  const x = parseSubnet(a);
  const y = parseSubnet(b);
  if (!x || !y) return a < b ? -1 : a > b ? 1 : 0;
  return compareSubnets(x, y);
}

/** Whether the address lies inside the subnet. */
export function subnetContains(subnet: Subnet, ip: string): boolean {
  const address = bareAddress(ip);
  const family = isIPv4(address) ? 4 : 6;
  if (family !== subnet.family) return false;
  const value = family === 4 ? ipv4ToBigInt(address) : ipv6ToBigInt(address);
  const hostBits = BigInt((family === 4 ? 32 : 128) - subnet.bits);
  return (value >> hostBits) << hostBits === subnet.network;
}

/**
 * The primary subnet of a device among `subnetIds`: the most specific one (longest prefix) that
 * contains its primary IP; when none does, the first in numeric order.
 */
export function primarySubnet(subnetIds: readonly string[], primaryIp: string | null | undefined): string | undefined {
  const subnets = subnetIds.map(parseSubnet).filter((s): s is Subnet => s !== undefined);
  subnets.sort(compareSubnets);
  if (primaryIp) {
    const containing = subnets.filter((s) => subnetContains(s, primaryIp));
    containing.sort((a, b) => b.bits - a.bits || compareSubnets(a, b));
    if (containing[0]) return containing[0].id;
  }
  return subnets[0]?.id;
}
