import { getServers } from 'node:dns';
import type { NameHint } from '../../domain/enrichment.types.ts';
import { type UdpExchangeResult, udpExchange } from '../udp-exchange.ts';
import { found, type LookupOutcome, notFound } from './lookup.types.ts';
import { hintsFrom } from './name-hints.ts';
import { formatResolver, parseResolverAddress, type ResolverAddress } from './resolver-address.parse.ts';
import { encodePtrQuery, type PtrVerdict, randomQueryId, readPtrAnswer } from './reverse-dns.codec.ts';
import { reverseName } from './reverse-name.ts';

export interface ReverseDnsOptions {
  /** Resolvers (`ip`, `ip:port`, `[v6]:port`); empty: the system resolvers (resolv.conf). */
  servers: readonly string[];
  /** The whole lookup's budget: every resolver is asked at once, so failover fits inside it. */
  timeoutMs: number;
  signal?: AbortSignal;
  /** Where the system resolvers come from; tests replace it so they never ask the host's resolver. */
  systemServers?: () => readonly string[];
}

/**
 * PTR lookup over dns-packet + UDP instead of dns.Resolver, because the Resolver reports ENOTFOUND
 * both for "no PTR" and for "resolver dead": here the error says which, and `kind` carries it.
 * All resolvers are asked concurrently (a small budget has no room for sequential failover); the
 * first definitive answer — names, NXDOMAIN or NODATA — wins, SERVFAIL/REFUSED wait for the others.
 */
export async function reverseDns(ip: string, options: ReverseDnsOptions): Promise<LookupOutcome<NameHint[]>> {
  const owner = reverseName(ip);
  if (owner === null) return notFound('not_applicable', `"${ip}" is not an IP address`);
  const configured = options.servers.length > 0 ? options.servers : (options.systemServers ?? getServers)();
  const resolvers = configured.map((text) => parseResolverAddress(text));
  const usable = resolvers.filter((resolver): resolver is ResolverAddress => resolver !== undefined);
  if (usable.length === 0) {
    return notFound('failed', configured.length === 0 ? 'no DNS resolver configured' : 'no usable DNS resolver');
  }
  if (options.signal?.aborted) return notFound('aborted', 'reverse DNS aborted');

  // One controller stops the other exchanges once a definitive answer is in.
  const stop = new AbortController();
  const onAbort = (): void => stop.abort();
  options.signal?.addEventListener('abort', onAbort, { once: true });
  try {
    return await firstDefinitive(ip, owner, usable, options.timeoutMs, stop.signal, () => options.signal?.aborted);
  } finally {
    options.signal?.removeEventListener('abort', onAbort);
    stop.abort();
  }
}

function firstDefinitive(
  ip: string,
  owner: string,
  resolvers: readonly ResolverAddress[],
  timeoutMs: number,
  signal: AbortSignal,
  callerAborted: () => boolean | undefined,
): Promise<LookupOutcome<NameHint[]>> {
  return new Promise((resolve) => {
    const failures: { resolver: ResolverAddress; result: UdpExchangeResult<PtrVerdict> }[] = [];
    let done = false;
    for (const resolver of resolvers) {
      const id = randomQueryId();
      void udpExchange({
        address: resolver.address,
        port: resolver.port,
        payload: encodePtrQuery(id, owner),
        timeoutMs,
        // One resend at half time: a lost datagram should not cost the whole answer.
        retransmitAfterMs: Math.floor(timeoutMs / 2),
        accept: (message) => readPtrAnswer(message, id, owner),
        signal,
      }).then((result) => {
        if (done) return;
        const who = formatResolver(resolver);
        if (result.status === 'answered' && result.value.verdict === 'names') {
          done = true;
          resolve(found(hintsFrom('reverse_dns', result.value.names)));
          return;
        }
        if (result.status === 'answered' && result.value.verdict === 'no_name') {
          done = true;
          resolve(notFound('no_name', `no PTR record for ${ip} (${result.value.detail} from ${who})`));
          return;
        }
        failures.push({ resolver, result });
        if (failures.length < resolvers.length) return;
        done = true;
        resolve(summarise(resolvers, failures, timeoutMs, callerAborted() === true));
      });
    }
  });
}

function summarise(
  resolvers: readonly ResolverAddress[],
  failures: readonly { resolver: ResolverAddress; result: UdpExchangeResult<PtrVerdict> }[],
  timeoutMs: number,
  aborted: boolean,
): LookupOutcome<NameHint[]> {
  if (aborted) return notFound('aborted', 'reverse DNS aborted');
  // In configured order, whatever order the failures arrived in.
  const ordered = [...failures].sort((a, b) => resolvers.indexOf(a.resolver) - resolvers.indexOf(b.resolver));
  const lines = ordered.map(({ resolver, result }) => describe(formatResolver(resolver), result, timeoutMs));
  const statuses = new Set(failures.map(({ result }) => result.status));
  const kind =
    statuses.size === 1 && statuses.has('timeout') ? 'timeout' : allRefused(statuses) ? 'unreachable' : 'failed';
  return notFound(kind, lines.join('; '));
}

const allRefused = (statuses: Set<string>): boolean => statuses.size === 1 && statuses.has('refused');

function describe(who: string, result: UdpExchangeResult<PtrVerdict>, timeoutMs: number): string {
  switch (result.status) {
    case 'timeout':
      return `no answer from ${who} within ${timeoutMs} ms (resolver dead or unreachable)`;
    case 'refused':
      return `${who} refused: nothing listens on its DNS port (ICMP port unreachable)`;
    case 'aborted':
      return `query to ${who} aborted`;
    case 'error':
      return `query to ${who} failed: ${result.error}`;
    case 'answered':
      return `${who} answered ${result.value.verdict === 'server_error' ? result.value.detail : result.value.verdict}`;
  }
}
