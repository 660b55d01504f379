import { isIP } from 'node:net';

export interface ResolverAddress {
  address: string;
  port: number;
}

/**
 * `ip`, `ip:port` (IPv4), bare IPv6 or `[v6]:port` — the forms DISCOVERY_DNS_SERVERS accepts and
 * `dns.getServers()` prints. Undefined for anything else (never a host name: no lookup to find
 * the resolver).
 */
export function parseResolverAddress(text: string, defaultPort = 53): ResolverAddress | undefined {
  const entry = text.trim();
  const bracketed = /^\[([^\]]+)\](?::(\d{1,5}))?$/.exec(entry);
  if (bracketed?.[1]) return withPort(bracketed[1], bracketed[2], defaultPort, 6);
  const v4 = /^(\d{1,3}(?:\.\d{1,3}){3})(?::(\d{1,5}))?$/.exec(entry);
  if (v4?.[1]) return withPort(v4[1], v4[2], defaultPort, 4);
  return isIP(entry) === 6 ? { address: entry, port: defaultPort } : undefined;
}

function withPort(
  address: string,
  portText: string | undefined,
  defaultPort: number,
  family: 4 | 6,
): ResolverAddress | undefined {
  if (isIP(address) !== family) return undefined;
  const port = portText === undefined ? defaultPort : Number(portText);
  return port >= 1 && port <= 65_535 ? { address, port } : undefined;
}

/** Human form for error texts: the port only when it is not the default. */
export function formatResolver(resolver: ResolverAddress, defaultPort = 53): string {
  if (resolver.port === defaultPort) return resolver.address;
  return resolver.address.includes(':')
    ? `[${resolver.address}]:${resolver.port}`
    : `${resolver.address}:${resolver.port}`;
}
