import { isIP } from 'node:net';
import { bigIntToIpv4, bigIntToIpv6, ipv4ToBigInt, ipv6ToBigInt } from '../shared/ip-math.ts';

/**
 * Discovery scopes: a CIDR prefix, a single IP, or a comma-separated list of them (SPEC §5.5).
 * A scope is stored and reported in its masked, canonical form (G-32): `10.0.0.5/24` becomes
 * `10.0.0.0/24`, so what the run reports is what it scans.
 */
export const SCOPE_FORMAT_ERROR = 'scope must be a CIDR prefix (e.g. 10.0.0.0/24) or a single IP (e.g. 10.0.0.5)';
export const MAX_SCOPE_ENTRIES = 64;

export interface ScopeEntry {
  family: 4 | 6;
  /** Network address as bigint (IPv4 in the low 32 bits). */
  network: bigint;
  bits: number;
  /** Canonical text: `10.0.0.0/24`, or the bare address for a single host. */
  text: string;
}

export type ScopeResult = { ok: true; entries: ScopeEntry[]; canonical: string } | { ok: false; error: string };

export function parseScope(raw: string): ScopeResult {
  const parts = raw
    .split(',')
    .map((part) => part.trim())
    .filter((part) => part !== '');
  if (parts.length === 0) return { ok: false, error: SCOPE_FORMAT_ERROR };
  if (parts.length > MAX_SCOPE_ENTRIES)
    return { ok: false, error: `a scope lists at most ${MAX_SCOPE_ENTRIES} entries` };
  const entries: ScopeEntry[] = [];
  const seen = new Set<string>();
  for (const part of parts) {
    const entry = parseEntry(part);
    if (!entry) return { ok: false, error: `${SCOPE_FORMAT_ERROR}; "${part}" is neither` };
    if (seen.has(entry.text)) continue;
    seen.add(entry.text);
    entries.push(entry);
  }
  return { ok: true, entries, canonical: entries.map((entry) => entry.text).join(',') };
}

function parseEntry(raw: string): ScopeEntry | undefined {
  // An IPv4-mapped IPv6 address (::ffff:10.0.0.1) is the IPv4 host it names.
  const text = raw.replace(/^::ffff:(\d+\.\d+\.\d+\.\d+)(\/\d+)?$/i, (_match, v4: string, bits?: string) =>
    bits ? `${v4}/${Math.max(0, Number(bits.slice(1)) - 96)}` : v4,
  );
  const slash = text.indexOf('/');
  const address = slash < 0 ? text : text.slice(0, slash);
  const family = isIP(address) as 0 | 4 | 6;
  if (family === 0) return undefined;
  const width = family === 4 ? 32 : 128;
  let bits = width;
  if (slash >= 0) {
    const bitsText = text.slice(slash + 1);
    if (!/^\d{1,3}$/.test(bitsText)) return undefined;
    bits = Number(bitsText);
    if (bits > width) return undefined;
  }
  const value = family === 4 ? ipv4ToBigInt(address) : ipv6ToBigInt(address);
  const hostBits = BigInt(width - bits);
  const network = (value >> hostBits) << hostBits;
  const networkText = family === 4 ? bigIntToIpv4(network) : bigIntToIpv6(network);
  return { family, network, bits, text: bits === width ? networkText : `${networkText}/${bits}` };
}

/** Address count of one entry (network and broadcast included, SPEC §5.5). */
export function entrySize(entry: ScopeEntry): bigint {
  return 1n << BigInt((entry.family === 4 ? 32 : 128) - entry.bits);
}

export type ScopeCheck = { ok: true; targets: number } | { ok: false; error: string };

/** The run-time checks of SPEC §5.4 with their exact failure texts. */
export function checkScopeSize(entries: readonly ScopeEntry[], maxTargets: number): ScopeCheck {
  let total = 0n;
  for (const entry of entries) {
    if (entry.family === 6 && entry.bits < 128) {
      return { ok: false, error: 'ipv6 scope must be a single IP (/128) for now' };
    }
    if (entry.family === 4 && entry.bits <= 1) {
      return { ok: false, error: `scope too large (/${entry.bits}); max targets is ${maxTargets}` };
    }
    if (entry.family === 6) total += 1n;
  }
  // Overlapping IPv4 entries count once, exactly as the sweep expands them.
  const ranges = entries
    .filter((entry) => entry.family === 4)
    .map((entry) => [entry.network, entry.network + entrySize(entry) - 1n] as const)
    .sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
  let end = -1n;
  for (const [first, last] of ranges) {
    if (last <= end) continue;
    total += last - (first > end ? first : end + 1n) + 1n;
    end = last;
  }
  if (total > BigInt(maxTargets)) {
    return { ok: false, error: `scope too large (${total} targets); max targets is ${maxTargets}` };
  }
  return { ok: true, targets: Number(total) };
}

/** Every IPv4 address of the scope in ascending order, without duplicates (overlapping entries). */
export function expandIpv4Targets(entries: readonly ScopeEntry[]): string[] {
  const values = new Set<bigint>();
  for (const entry of entries) {
    if (entry.family !== 4) continue;
    const size = entrySize(entry);
    for (let offset = 0n; offset < size; offset++) values.add(entry.network + offset);
  }
  return [...values].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0)).map(bigIntToIpv4);
}

/**
 * The addresses a sweep probes: every IPv4 address of the scope except the network and broadcast
 * addresses of prefixes that have them (/30 and wider), which no host answers for (G-25).
 */
export function sweepTargets(entries: readonly ScopeEntry[]): string[] {
  const skip = new Set<string>();
  for (const entry of entries) {
    if (entry.family !== 4 || entry.bits > 30) continue;
    skip.add(bigIntToIpv4(entry.network));
    skip.add(bigIntToIpv4(entry.network + entrySize(entry) - 1n));
  }
  // An address that is a network address of one entry but a host of another (overlaps) stays.
  const hosts = new Set(
    entries.filter((entry) => entry.family === 4 && entry.bits > 30).flatMap((entry) => expandIpv4Targets([entry])),
  );
  return expandIpv4Targets(entries).filter((ip) => !skip.has(ip) || hosts.has(ip));
}

export function scopeContains(entries: readonly ScopeEntry[], address: string): boolean {
  const family = isIP(address);
  if (family === 0) return false;
  const value = family === 4 ? ipv4ToBigInt(address) : ipv6ToBigInt(address);
  return entries.some((entry) => {
    if (entry.family !== family) return false;
    const hostBits = BigInt((family === 4 ? 32 : 128) - entry.bits);
    return value >> hostBits === entry.network >> hostBits;
  });
}

/** Whether an address lies in any prefix of a CIDR list (allowlists); unparsable entries match nothing. */
export function cidrListContains(cidrs: readonly string[], address: string): boolean {
  if (cidrs.length === 0) return false;
  const parsed = parseScope(cidrs.join(','));
  return parsed.ok && scopeContains(parsed.entries, address);
}
