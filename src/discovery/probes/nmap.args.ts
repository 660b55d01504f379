import { isIP } from 'node:net';

/**
 * nmap for a TCP connect scan of a few ports, argv built as data (SPEC §5.10, G-28 fixed):
 * - `-oX -` XML on stdout, the one output format with a schema (nmap.dtd);
 * - `-Pn` no host discovery: the presence stage already found the host, and hosts that drop
 *   pings would otherwise be skipped;
 * - `-sT` connect scan: needs no root and works through whatever sockets the OS allows;
 * - `-n` no reverse DNS by nmap: Roller resolves names itself, with its own resolvers and
 *   budgets (names/reverse-dns.ts); nmap's lookups would spend the host timeout and send queries
 *   to resolvers the operator did not choose;
 * - `--host-timeout` and `--max-rtt-timeout` always in whole milliseconds (`3000ms`): nmap does
 *   not accept the compound `1m30s` a duration formatter prints (G-28);
 * - `--max-retries 1`;
 * - no `--open`: with it nmap leaves out every host without an open port, so "scanned, nothing
 *   open" looks exactly like "not scanned"; without it each scanned host has its `<host>` element
 *   (closed and filtered ports folded into `<extraports>` when many) and the parser keeps only open
 *   ports. That difference is what lets a later scan mark a port closed (G-20);
 * - several targets per call are allowed: the host timeout applies per host, and
 *   `--min-hostgroup <n>` makes nmap scan them side by side, so a call takes about one host
 *   timeout, not one per small group of hosts.
 */
export interface NmapScanOptions {
  /** TCP ports 1–65535; sorted, de-duplicated and written as ranges (`1-1024`) to keep argv short. */
  ports: readonly number[];
  /** Per-host timeout (`--host-timeout`). */
  hostTimeoutMs: number;
  /** Cap on nmap's per-probe round-trip timeout (its default of 10 s is far above any LAN's). */
  maxRttTimeoutMs?: number;
}

/** Targets per nmap call; a batch this big still ends within about one host timeout. */
export const MAX_NMAP_TARGETS = 64;

/** Room past the host timeout for nmap to start and write its XML, before the runner kills it. */
export const NMAP_KILL_GRACE_MS = 2_000;

/**
 * Targets: IP literals, all IPv4 or all IPv6, 1–MAX_NMAP_TARGETS of them. Throws for invalid
 * targets or ports: they come validated from the run plan, so that is a bug.
 */
export function nmapScanArgs(targets: readonly string[], options: NmapScanOptions): string[] {
  if (targets.length === 0 || targets.length > MAX_NMAP_TARGETS) {
    throw new RangeError(`nmap takes 1–${MAX_NMAP_TARGETS} targets per call, got ${targets.length}`);
  }
  // Only address literals reach argv: a "target" like "-iL/etc/shadow" would be an nmap option.
  const bad = targets.find((target) => isIP(target) === 0);
  if (bad !== undefined) throw new TypeError(`nmap target "${bad}" is not an IP address`);
  const families = new Set(targets.map((target) => isIP(target)));
  if (families.size > 1) throw new RangeError('one nmap call scans either IPv4 or IPv6 targets (-6), not both');
  const args = [
    '-oX',
    '-',
    '-Pn',
    '-sT',
    '-n',
    '--host-timeout',
    milliseconds(options.hostTimeoutMs),
    '--max-retries',
    '1',
  ];
  if (options.maxRttTimeoutMs !== undefined) args.push('--max-rtt-timeout', milliseconds(options.maxRttTimeoutMs));
  if (targets.length > 1) args.push('--min-hostgroup', String(targets.length));
  if (families.has(6)) args.push('-6');
  args.push('-p', portList(options.ports), ...targets);
  return args;
}

/** The runner's kill timeout for one nmap call. */
export function nmapProcessTimeoutMs(hostTimeoutMs: number): number {
  return Math.max(1, Math.round(hostTimeoutMs)) + NMAP_KILL_GRACE_MS;
}

function milliseconds(ms: number): string {
  return `${Math.max(1, Math.round(ms))}ms`;
}

/** `[443, 22, 80, 81, 82, 22]` → `22,80-82,443`. */
export function portList(ports: readonly number[]): string {
  const bad = ports.find((port) => !Number.isInteger(port) || port < 1 || port > 65_535);
  if (bad !== undefined) throw new RangeError(`port ${bad} is not in 1–65535`);
  const sorted = [...new Set(ports)].sort((a, b) => a - b);
  const first = sorted[0];
  if (first === undefined) throw new RangeError('nmap needs at least one port');
  const parts: string[] = [];
  let start = first;
  let previous = first;
  for (const port of [...sorted.slice(1), Number.NaN]) {
    if (port === previous + 1) {
      previous = port;
      continue;
    }
    parts.push(start === previous ? String(start) : `${start}-${previous}`);
    start = port;
    previous = port;
  }
  return parts.join(',');
}
