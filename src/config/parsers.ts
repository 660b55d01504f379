import { BlockList, isIP } from 'node:net';
import { Cron } from 'croner';
import { parse as parseYaml } from 'yaml';
import { maskedPrefix } from '../shared/ip-math.ts';
import {
  SNMP_AUTH_PROTOCOLS,
  SNMP_PRIV_PROTOCOLS,
  SNMP_SECURITY_LEVELS,
  type SnmpCredential,
  type SnmpUserCredential,
} from '../shared/snmp-credential.types.ts';

/** A parser turns a non-empty raw value into a typed value or a reason it is bad. */
export type ParseResult<T> = { ok: true; value: T } | { ok: false; reason: string };
export type Parser<T> = (raw: string) => ParseResult<T>;

const ok = <T>(value: T): ParseResult<T> => ({ ok: true, value });
const bad = <T>(reason: string): ParseResult<T> => ({ ok: false, reason });

export const text: Parser<string> = (raw) => ok(raw);

export function integer(options: { min?: number; max?: number } = {}): Parser<number> {
  return (raw) => {
    const trimmed = raw.trim();
    if (!/^-?\d+$/.test(trimmed)) return bad(`"${raw}" is not a base-10 integer`);
    const value = Number(trimmed);
    if (options.min !== undefined && value < options.min) return bad(`must be at least ${options.min}`);
    if (options.max !== undefined && value > options.max) return bad(`must be at most ${options.max}`);
    return ok(value);
  };
}

const TRUE_WORDS = new Set(['1', 'true', 't', 'yes', 'y', 'on']);
const FALSE_WORDS = new Set(['0', 'false', 'f', 'no', 'n', 'off']);

export const boolean: Parser<boolean> = (raw) => {
  const word = raw.trim().toLowerCase();
  if (TRUE_WORDS.has(word)) return ok(true);
  if (FALSE_WORDS.has(word)) return ok(false);
  return bad(`"${raw}" is not a boolean (use true/false, yes/no, on/off, 1/0)`);
};

const DURATION_UNITS_MS: Record<string, number> = {
  ns: 1e-6,
  us: 1e-3,
  µs: 1e-3,
  ms: 1,
  s: 1000,
  m: 60_000,
  h: 3_600_000,
  d: 86_400_000,
};

/** Go-style durations (`400ms`, `1.5s`, `1h30m`, `0`) plus days (`90d`), returned in milliseconds. */
export function duration(options: { minMs?: number; maxMs?: number } = {}): Parser<number> {
  return (raw) => {
    const trimmed = raw.trim();
    let total: number;
    if (trimmed === '0') total = 0;
    else {
      const pattern = /(\d+(?:\.\d+)?|\.\d+)(ns|us|µs|ms|s|m|h|d)/gy;
      total = 0;
      let consumed = 0;
      for (let match = pattern.exec(trimmed); match; match = pattern.exec(trimmed)) {
        total += Number(match[1]) * (DURATION_UNITS_MS[match[2] as string] ?? Number.NaN);
        consumed = pattern.lastIndex;
      }
      if (consumed === 0 || consumed !== trimmed.length || !Number.isFinite(total)) {
        return bad(`"${raw}" is not a duration (e.g. 400ms, 1.5s, 2m, 1h30m)`);
      }
    }
    if (options.minMs !== undefined && total < options.minMs) return bad(`must be at least ${options.minMs}ms`);
    if (options.maxMs !== undefined && total > options.maxMs) return bad(`must be at most ${options.maxMs}ms`);
    return ok(Math.round(total));
  };
}

/** A five-field cron expression (minute hour day-of-month month day-of-week), evaluated in UTC. */
export const cron: Parser<string> = (raw) => {
  const trimmed = raw.trim();
  if (trimmed.split(/\s+/).length !== 5)
    return bad(`"${raw}" is not a cron expression with five fields: minute hour day-of-month month day-of-week`);
  try {
    const next = new Cron(trimmed, { timezone: 'UTC', paused: true }).nextRun();
    return next ? ok(trimmed) : bad(`"${raw}" never fires`);
  } catch (error) {
    return bad(`"${raw}" is not a valid cron expression (${(error as Error).message})`);
  }
};

export function oneOf<T extends string>(choices: readonly T[], aliases: Record<string, T> = {}): Parser<T> {
  return (raw) => {
    const word = raw.trim().toLowerCase();
    const value = (choices as readonly string[]).includes(word) ? (word as T) : aliases[word];
    return value === undefined ? bad(`"${raw}" is not one of ${choices.join(', ')}`) : ok(value);
  };
}

export type ListenAddress = { host: string; port: number } | { path: string };

/**
 * `host:port`, `:port` (all interfaces), `[v6]:port` (port 0 asks the OS for a free port), or
 * `unix:/path/to.sock` for a Unix socket (reachable across network namespaces, e.g. the lab).
 */
export const listenAddress: Parser<ListenAddress> = (raw) => {
  if (raw.trim().startsWith('unix:')) {
    const path = raw.trim().slice('unix:'.length);
    return path.startsWith('/')
      ? ok({ path })
      : bad(`"${raw}" needs an absolute socket path (unix:/run/roller/core.sock)`);
  }
  const match = /^(?:\[([^\]]+)\]|([^:[\]]*)):(\d{1,5})$/.exec(raw.trim());
  if (!match) return bad(`"${raw}" is not host:port`);
  const host = match[1] ?? match[2] ?? '';
  const port = Number(match[3]);
  if (port > 65535) return bad(`port ${port} is out of range`);
  if (match[1] !== undefined && isIP(host) !== 6) return bad(`"${host}" is not an IPv6 address`);
  return ok({ host: host === '' ? '0.0.0.0' : host, port });
};

export interface Prefix {
  /** Masked network address + length, e.g. `10.0.0.0/24`. */
  cidr: string;
  address: string;
  bits: number;
  family: 4 | 6;
}

/** Parses `a.b.c.d/len` or `v6/len` and masks it to its network address. */
export function parsePrefix(text: string): Prefix | undefined {
  const address = text.slice(0, Math.max(0, text.indexOf('/')));
  if (isIP(address) === 0) return undefined;
  const prefix = maskedPrefix(text);
  return prefix ? { cidr: `${prefix.address}/${prefix.bits}`, ...prefix } : undefined;
}

/** Comma-separated prefixes; every entry must be a valid prefix (a bare IP is refused, not dropped). */
export const cidrList: Parser<readonly Prefix[]> = (raw) => {
  const prefixes: Prefix[] = [];
  const problems: string[] = [];
  for (const entry of raw.split(',').map((part) => part.trim())) {
    if (entry === '') continue;
    const prefix = parsePrefix(entry);
    if (prefix) prefixes.push(prefix);
    else problems.push(`"${entry}" is not a CIDR prefix (e.g. 10.0.0.0/24)`);
  }
  return problems.length > 0 ? bad(problems.join('; ')) : ok(prefixes);
};

/** Comma-separated TCP/UDP ports 1–65535; duplicates removed, sorted ascending. */
export const portList: Parser<readonly number[]> = (raw) => {
  const ports = new Set<number>();
  const problems: string[] = [];
  for (const entry of raw.split(',').map((part) => part.trim())) {
    if (entry === '') continue;
    const port = /^\d{1,5}$/.test(entry) ? Number(entry) : Number.NaN;
    if (port >= 1 && port <= 65535) ports.add(port);
    else problems.push(`"${entry}" is not a port (1-65535)`);
  }
  if (problems.length > 0) return bad(problems.join('; '));
  if (ports.size === 0) return bad('no ports given');
  return ok([...ports].sort((a, b) => a - b));
};

/** A single IP or a CIDR prefix (used for the default discovery scope). */
export const scope: Parser<string> = (raw) => {
  const trimmed = raw.trim();
  if (isIP(trimmed) !== 0) return ok(trimmed);
  const prefix = parsePrefix(trimmed);
  return prefix ? ok(prefix.cidr) : bad('must be a CIDR prefix (e.g. 10.0.0.0/24) or a single IP (e.g. 10.0.0.5)');
};

export function prefixContains(prefixes: readonly Prefix[], address: string): boolean {
  const list = new BlockList();
  for (const prefix of prefixes) list.addSubnet(prefix.address, prefix.bits, prefix.family === 4 ? 'ipv4' : 'ipv6');
  return list.check(address, isIP(address) === 6 ? 'ipv6' : 'ipv4');
}

export const url: Parser<string> = (raw) => {
  try {
    const parsed = new URL(raw.trim());
    if (parsed.protocol !== 'postgres:' && parsed.protocol !== 'postgresql:') {
      return bad('must be a postgres:// or postgresql:// URL');
    }
    return ok(raw.trim());
  } catch {
    return bad('is not a valid URL (e.g. postgres://user:pass@host:5432/roller)');
  }
};

/**
 * SNMP credential sets as a JSON or YAML list (SPEC §5.9.3 plus v3), tried in order:
 * `[{"name":"core","version":"3","user":"roller","level":"authPriv","authProtocol":"sha","authKey":"…",
 *   "privProtocol":"aes","privKey":"…"}, {"name":"legacy","version":"2c","community":"public"}]`.
 * Every problem is reported with the entry's position; secrets never appear in a reason.
 */
export const snmpCredentials: Parser<readonly SnmpCredential[]> = (raw) => {
  let parsed: unknown;
  try {
    parsed = parseYaml(raw);
  } catch (error) {
    return bad(`not valid JSON or YAML (${(error as Error).message.split('\n')[0]})`);
  }
  if (!Array.isArray(parsed) || parsed.length === 0) return bad('must be a non-empty list of credential sets');
  const credentials: SnmpCredential[] = [];
  const problems: string[] = [];
  const names = new Set<string>();
  parsed.forEach((entry: unknown, index) => {
    const result = snmpCredential(entry, index);
    if (!result.ok) {
      problems.push(`entry ${index}: ${result.reason}`);
      return;
    }
    if (names.has(result.value.name)) problems.push(`entry ${index}: duplicate name "${result.value.name}"`);
    names.add(result.value.name);
    credentials.push(result.value);
  });
  return problems.length > 0 ? bad(problems.join('; ')) : ok(credentials);
};

function snmpCredential(entry: unknown, index: number): ParseResult<SnmpCredential> {
  if (entry === null || typeof entry !== 'object' || Array.isArray(entry)) return bad('must be an object');
  const record = entry as Record<string, unknown>;
  const field = (key: string): string | undefined =>
    typeof record[key] === 'string' || typeof record[key] === 'number' ? String(record[key]).trim() : undefined;
  const version = field('version')?.toLowerCase().replace(/^v/, '');
  const name = field('name') || `${version ?? 'snmp'}-${index}`;
  if (version === '1' || version === '2c' || version === '2') {
    const community = typeof record.community === 'string' ? record.community : '';
    if (community === '') return bad('version 1/2c needs a community');
    return ok({ name, version: version === '2' ? '2c' : version, community });
  }
  if (version !== '3') return bad('version must be 1, 2c or 3');
  const user = field('user');
  if (!user) return bad('version 3 needs a user');
  const level = (field('level') ?? 'authPriv') as SnmpUserCredential['level'];
  if (!SNMP_SECURITY_LEVELS.includes(level)) return bad(`level must be one of ${SNMP_SECURITY_LEVELS.join(', ')}`);
  const credential: SnmpUserCredential = { name, version: '3', user, level };
  if (level !== 'noAuthNoPriv') {
    const authProtocol = (field('authProtocol') ?? 'sha').toLowerCase() as SnmpUserCredential['authProtocol'];
    if (!authProtocol || !SNMP_AUTH_PROTOCOLS.includes(authProtocol)) {
      return bad(`authProtocol must be one of ${SNMP_AUTH_PROTOCOLS.join(', ')}`);
    }
    if (typeof record.authKey !== 'string' || record.authKey.length < 8) {
      return bad('authKey must be at least 8 characters');
    }
    Object.assign(credential, { authProtocol, authKey: record.authKey });
  }
  if (level === 'authPriv') {
    const privProtocol = (field('privProtocol') ?? 'aes').toLowerCase() as SnmpUserCredential['privProtocol'];
    if (!privProtocol || !SNMP_PRIV_PROTOCOLS.includes(privProtocol)) {
      return bad(`privProtocol must be one of ${SNMP_PRIV_PROTOCOLS.join(', ')}`);
    }
    if (typeof record.privKey !== 'string' || record.privKey.length < 8) {
      return bad('privKey must be at least 8 characters');
    }
    Object.assign(credential, { privProtocol, privKey: record.privKey });
  }
  return ok(credential);
}

/** Comma-separated IP addresses (DNS servers, say); an optional `:port` on IPv4. */
export const addressList: Parser<readonly string[]> = (raw) => {
  const addresses: string[] = [];
  const problems: string[] = [];
  for (const entry of raw.split(',').map((part) => part.trim())) {
    if (entry === '') continue;
    const [host, port] = entry.includes('.') && entry.includes(':') ? entry.split(':') : [entry, undefined];
    const portOk = port === undefined || (/^\d{1,5}$/.test(port) && Number(port) >= 1 && Number(port) <= 65535);
    if (host !== undefined && isIP(host) !== 0 && portOk) addresses.push(entry);
    else problems.push(`"${entry}" is not an IP address`);
  }
  return problems.length > 0 ? bad(problems.join('; ')) : ok(addresses);
};

/** Where the UI server reaches core: an http(s) base URL, or `unix:/path.sock` when core listens on a socket. */
export type CoreAddress = { url: string } | { socketPath: string };

export const coreAddress: Parser<CoreAddress> = (raw) => {
  const value = raw.trim();
  if (value.startsWith('unix:')) {
    const socketPath = value.slice('unix:'.length);
    return socketPath.startsWith('/') ? ok({ socketPath }) : bad(`"${raw}" needs an absolute socket path`);
  }
  try {
    const parsed = new URL(value);
    if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') return bad('must be an http:// or https:// URL');
    if (parsed.search || parsed.hash) return bad('must be a base URL without query or fragment');
    return ok({ url: value.replace(/\/+$/, '') });
  } catch {
    return bad('is not a valid URL (e.g. http://127.0.0.1:8081)');
  }
};

/** One user given in the environment (AUTH_USERS or AUTH_USERNAME/AUTH_PASSWORD); the role is checked later. */
export interface EnvironmentUser {
  readonly username: string;
  readonly password: string;
  readonly role: string | undefined;
}

/**
 * AUTH_USERS: `username:password:role` entries separated by commas (SPEC §9.1). A missing role is
 * left undefined (the users module makes it `read-only`, G-23). Unlike the earlier system, an entry
 * without username or password is an error, not silently dropped: a typo must not lock everyone out.
 */
export const environmentUsers: Parser<readonly EnvironmentUser[]> = (raw) => {
  const users: EnvironmentUser[] = [];
  const entries = raw
    .split(',')
    .map((entry) => entry.trim())
    .filter((entry) => entry !== '');
  for (const [index, entry] of entries.entries()) {
    const [username = '', password = '', role = '', ...rest] = entry.split(':').map((part) => part.trim());
    const position = `entry ${index + 1}`;
    if (rest.length > 0) return bad(`${position} has more than three ":"-separated parts (username:password:role)`);
    if (username === '') return bad(`${position} has no username (username:password:role)`);
    if (password === '') return bad(`${position} (${username}) has no password`);
    if (users.some((user) => user.username === username)) return bad(`user "${username}" is listed twice`);
    users.push({ username, password, role: role === '' ? undefined : role });
  }
  return ok(users);
};

/** A secret that is long enough to resist guessing; anything shorter is an operator mistake worth stopping for. */
export function secret(minLength: number): Parser<string> {
  return (raw) =>
    raw.length >= minLength ? ok(raw) : bad(`must be at least ${minLength} characters long (it is ${raw.length})`);
}
