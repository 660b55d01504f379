import { isIPv4, isIPv6 } from 'node:net';

/** IPv4/IPv6 address arithmetic on bigints (IPv4 in the low 32 bits). */
export function ipv4ToBigInt(address: string): bigint {
  return address.split('.').reduce((acc, part) => (acc << 8n) | BigInt(Number(part)), 0n);
}

export function bigIntToIpv4(value: bigint): string {
  return [24n, 16n, 8n, 0n].map((shift) => ((value >> shift) & 255n).toString()).join('.');
}

export function ipv6ToBigInt(address: string): bigint {
  let text = address.toLowerCase();
  const v4 = /(\d+\.\d+\.\d+\.\d+)$/.exec(text);
  if (v4?.[1]) {
    const value = ipv4ToBigInt(v4[1]);
    text = `${text.slice(0, -v4[1].length)}${((value >> 16n) & 0xffffn).toString(16)}:${(value & 0xffffn).toString(16)}`;
  }
  const [head = '', tail] = text.split('::');
  const headBlocks = head === '' ? [] : head.split(':');
  const tailBlocks = tail === undefined || tail === '' ? [] : tail.split(':');
  const fill = tail === undefined ? 0 : 8 - headBlocks.length - tailBlocks.length;
  const blocks = [...headBlocks, ...Array<string>(fill).fill('0'), ...tailBlocks];
  return blocks.reduce((acc, block) => (acc << 16n) | BigInt(Number.parseInt(block, 16)), 0n);
}

export function bigIntToIpv6(value: bigint): string {
  const blocks: string[] = [];
  for (let i = 7; i >= 0; i--) blocks.push(((value >> BigInt(i * 16)) & 0xffffn).toString(16));
  let bestStart = -1;
  let bestLength = 1;
  for (let i = 0; i < 8; ) {
    if (blocks[i] !== '0') {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && blocks[j] === '0') j++;
    if (j - i > bestLength) {
      bestStart = i;
      bestLength = j - i;
    }
    i = j;
  }
  if (bestStart < 0) return blocks.join(':');
  return `${blocks.slice(0, bestStart).join(':')}::${blocks.slice(bestStart + bestLength).join(':')}`;
}

/** `address/bits` masked to its network, e.g. `10.0.0.5/24` → `10.0.0.0/24`; undefined if not a prefix. */
export function maskedPrefix(text: string): { address: string; bits: number; family: 4 | 6 } | undefined {
  const slash = text.indexOf('/');
  if (slash < 0) return undefined;
  const address = text.slice(0, slash);
  const family = /^\d+\.\d+\.\d+\.\d+$/.test(address) ? 4 : address.includes(':') ? 6 : 0;
  const bitsText = text.slice(slash + 1);
  if (family === 0 || !/^\d{1,3}$/.test(bitsText)) return undefined;
  const bits = Number(bitsText);
  const width = family === 4 ? 32 : 128;
  if (bits > width) return undefined;
  const value = family === 4 ? ipv4ToBigInt(address) : ipv6ToBigInt(address);
  const hostBits = BigInt(width - bits);
  const network = (value >> hostBits) << hostBits;
  return { address: family === 4 ? bigIntToIpv4(network) : bigIntToIpv6(network), bits, family };
}

/**
 * Whether an address can tell devices apart. Every box has 127.0.0.1 and ::1, unconfigured
 * neighbours advertise 0.0.0.0, and link-local or multicast addresses repeat across segments:
 * matching devices on any of them would merge strangers, so they never identify a device.
 */
export function isIdentityAddress(ip: string): boolean {
  if (isIPv4(ip)) return isIdentityIpv4(ipv4ToBigInt(ip));
  const bare = ip.split('%')[0] ?? ip;
  if (!isIPv6(bare)) return false;
  const value = ipv6ToBigInt(bare);
  // IPv4-mapped (::ffff:a.b.c.d): judge the embedded IPv4 address.
  if (value >> 32n === 0xffffn) return isIdentityIpv4(value & 0xffffffffn);
  if (value === 0n || value === 1n) return false; // unspecified, loopback
  if (value >> 118n === 0x3fan) return false; // fe80::/10 link-local
  if (value >> 120n === 0xffn) return false; // ff00::/8 multicast
  return true;
}

function isIdentityIpv4(value: bigint): boolean {
  const first = Number(value >> 24n);
  const second = Number((value >> 16n) & 0xffn);
  if (first === 0 || first === 127) return false; // "this network" (incl. 0.0.0.0), loopback
  if (first === 169 && second === 254) return false; // link-local
  if (first >= 224) return false; // multicast, reserved, broadcast
  return true;
}
