import type { SnmpInterfaceAddress, WalkOutcome } from '../../domain/enrichment.types.ts';
import { IP } from './mib-oids.ts';
import { oidParts } from './oid.ts';
import { bytesToIp, decodeInt, decodeIp, decodeOid, maskToPrefixLength } from './varbind.decode.ts';
import { rowsByNumber, rowsOf, type Walked } from './walked.ts';

export const IP_ADDRESS_COLUMNS: readonly string[] = Object.values(IP);

const INET_IPV4 = 1;
const INET_IPV6 = 2;
const INET_IPV4Z = 3;
const INET_IPV6Z = 4;
const ADDRESS_TYPE_BROADCAST = 3;

/**
 * Interface addresses from ipAddrTable (IPv4 only, everywhere) plus ipAddressTable (IPv4 and
 * IPv6, newer agents). The same address on the same interface is listed once. Loopback,
 * unspecified and link-local addresses are kept: they are what the interface carries; use
 * isIdentityAddress() before treating one as the device's address.
 */
export function readAddresses(walked: Walked): WalkOutcome<SnmpInterfaceAddress[]> {
  const addresses: SnmpInterfaceAddress[] = [];
  const seen = new Set<string>();
  const add = (entry: SnmpInterfaceAddress): void => {
    const key = `${entry.ifIndex}|${entry.ip}`;
    if (seen.has(key)) return;
    seen.add(key);
    addresses.push(entry);
  };

  const masks = rowsOf(walked, IP.ipAdEntNetMask);
  for (const [index, varbind] of rowsOf(walked, IP.ipAdEntIfIndex)) {
    const ifIndex = decodeInt(varbind);
    const parts = oidParts(index);
    if (ifIndex === null || parts.length !== 4 || parts.some((part) => part > 255)) continue;
    const mask = decodeIp(masks.get(index));
    add({ ifIndex, ip: parts.join('.'), prefixLength: mask === null ? null : maskToPrefixLength(mask) });
  }

  const types = rowsOf(walked, IP.ipAddressType);
  const prefixes = rowsOf(walked, IP.ipAddressPrefix);
  for (const [index, varbind] of rowsOf(walked, IP.ipAddressIfIndex)) {
    const ifIndex = decodeInt(varbind);
    const ip = inetAddressFromIndex(oidParts(index));
    if (ifIndex === null || ip === null) continue;
    if (decodeInt(types.get(index)) === ADDRESS_TYPE_BROADCAST) continue;
    add({ ifIndex, ip, prefixLength: prefixLengthFromPointer(decodeOid(prefixes.get(index))) });
  }

  if (addresses.length === 0) {
    // Nothing read: an error only if the columns that name interfaces both failed.
    const v4 = walked.get(IP.ipAdEntIfIndex);
    const v6 = walked.get(IP.ipAddressIfIndex);
    if (v4 && !v4.ok && (!v6?.ok || rowsByNumber(walked, IP.ipAddressIfIndex).size === 0)) {
      return { ok: false, error: v6 && !v6.ok && v6.error !== v4.error ? `${v4.error}; ${v6.error}` : v4.error };
    }
  }
  return { ok: true, value: addresses };
}

/**
 * InetAddressType.InetAddress as an index: `1.4.a.b.c.d`, `2.16.<16 bytes>` (zoned forms carry
 * four more bytes of zone). Some agents leave out the length byte; both shapes are accepted.
 */
export function inetAddressFromIndex(parts: readonly number[]): string | null {
  const [type, ...rest] = parts;
  const width = type === INET_IPV4 || type === INET_IPV4Z ? 4 : type === INET_IPV6 || type === INET_IPV6Z ? 16 : 0;
  if (width === 0 || rest.some((part) => part > 255)) return null;
  const expected = type === INET_IPV4Z || type === INET_IPV6Z ? width + 4 : width;
  const bytes = rest[0] === rest.length - 1 && rest.length - 1 === expected ? rest.slice(1) : rest;
  if (bytes.length !== expected) return null;
  return bytesToIp(Uint8Array.from(bytes.slice(0, width)));
}

/** ipAddressPrefix points at an ipAddressPrefixTable row whose last index component is the length. */
function prefixLengthFromPointer(pointer: string | null): number | null {
  if (pointer === null || pointer === '0.0') return null;
  const last = oidParts(pointer).at(-1);
  return last !== undefined && last <= 128 ? last : null;
}
