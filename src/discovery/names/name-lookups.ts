import type { NameHint, ServiceSighting } from '../../domain/enrichment.types.ts';
import type { LookupOutcome } from './lookup.types.ts';
import { type MdnsBrowseResult, MdnsSession } from './mdns.ts';
import { netbiosNodeStatus } from './netbios.ts';
import {
  type NameBudgets,
  type NameFindings,
  type NameLookupError,
  type NameLookupSet,
  resolveNames,
} from './resolve-names.ts';
import { reverseDns } from './reverse-dns.ts';

/** The name settings of a run (EnrichmentConfig['names']). */
export interface NameLookupConfig {
  /** Reverse DNS resolvers; empty: the system resolvers. */
  dnsServers: readonly string[];
  dnsTimeoutMs: number;
  mdnsTimeoutMs: number;
  /** DNS-SD browse budget; 0: no browse. */
  mdnsBrowseMs: number;
  netbiosTimeoutMs: number;
}

/** Test seams only: where NetBIOS and mDNS queries go. Production passes nothing. */
export interface NameLookupSeams {
  netbiosPort?: number;
  mdnsDestination?: { address: string; port: number };
}

export interface ResolvedHints {
  /** Merged reverse_dns, mdns, netbios names, case-insensitive duplicates dropped. */
  hints: NameHint[];
  /** `source (kind): text` per failed lookup, for the debug log. */
  errors: string[];
  /** The same failures as values. */
  failures: NameLookupError[];
  /** MAC from NetBIOS node status, when reported. */
  mac: string | null;
}

export interface BrowsedSegment {
  /** IPv4 → `.local` host names announced for it. */
  names: ReadonlyMap<string, NameHint[]>;
  /** IPv4 → services announced over DNS-SD. */
  services: ReadonlyMap<string, ServiceSighting[]>;
  complete: boolean;
  errors: string[];
}

/**
 * One run's name lookups: the mDNS session is opened once on the scanner's IPv4 interfaces and
 * its DNS-SD browse starts at once, so it is usually over by the time enrichment asks for it;
 * every address then gets reverse DNS, mDNS reverse and NetBIOS side by side, each within its own
 * budget. close() releases the sockets (and ends a browse still running).
 */
export class RunNameLookups {
  private constructor(
    private readonly lookups: NameLookupSet,
    private readonly budgets: NameBudgets,
    private readonly session: MdnsSession | undefined,
    private readonly browsing: Promise<BrowsedSegment>,
    /** Why mDNS is off for this run, if it is (no usable interface). */
    readonly mdnsUnavailable: string | null,
  ) {}

  static async open(
    config: NameLookupConfig,
    interfaceAddresses: readonly string[],
    seams: NameLookupSeams = {},
  ): Promise<RunNameLookups> {
    const opened = await MdnsSession.open({
      interfaces: interfaceAddresses,
      ...(seams.mdnsDestination ? { destination: seams.mdnsDestination } : {}),
    });
    const session = opened.ok ? opened.value : undefined;
    const browseMs = config.mdnsBrowseMs;
    const browsing =
      session && browseMs > 0 ? session.browse({ budgetMs: browseMs }).then(toSegment) : Promise.resolve(EMPTY_SEGMENT);
    const lookups: NameLookupSet = {
      reverseDns: async (ip, timeoutMs, signal) =>
        names(await reverseDns(ip, { servers: config.dnsServers, timeoutMs, signal })),
      netbios: (ip, timeoutMs, signal) => netbiosNodeStatus(ip, { timeoutMs, signal, ...portSeam(seams) }),
    };
    if (session)
      lookups.mdns = async (ip, timeoutMs, signal) => names(await session.reverse(ip, { timeoutMs, signal }));
    const budgets: NameBudgets = {
      reverseDnsMs: config.dnsTimeoutMs,
      mdnsMs: config.mdnsTimeoutMs,
      netbiosMs: config.netbiosTimeoutMs,
    };
    return new RunNameLookups(lookups, budgets, session, browsing, opened.ok ? null : opened.error);
  }

  async resolve(ip: string, signal?: AbortSignal): Promise<ResolvedHints> {
    const resolution = await resolveNames(ip, this.lookups, this.budgets, signal);
    return {
      hints: resolution.names,
      errors: resolution.failures.map((failure) => `${failure.source} (${failure.kind}): ${failure.error}`),
      failures: resolution.failures,
      mac: resolution.mac,
    };
  }

  browse(): Promise<BrowsedSegment> {
    return this.browsing;
  }

  async close(): Promise<void> {
    await this.session?.close();
  }
}

/** Shorthand for the enrichment seam (EnrichmentProbes.openNameLookups). */
export const openNameLookups = (
  config: NameLookupConfig,
  interfaceAddresses: readonly string[],
  seams?: NameLookupSeams,
): Promise<RunNameLookups> => RunNameLookups.open(config, interfaceAddresses, seams);

const EMPTY_SEGMENT: BrowsedSegment = { names: new Map(), services: new Map(), complete: true, errors: [] };

function toSegment(result: MdnsBrowseResult): BrowsedSegment {
  return {
    names: new Map(result.hosts.filter((host) => host.names.length > 0).map((host) => [host.ip, host.names])),
    services: new Map(result.hosts.filter((host) => host.services.length > 0).map((host) => [host.ip, host.services])),
    complete: result.complete,
    errors: result.errors,
  };
}

function names(outcome: LookupOutcome<NameHint[]>): LookupOutcome<NameFindings> {
  return outcome.ok ? { ok: true, value: { names: outcome.value } } : outcome;
}

function portSeam(seams: NameLookupSeams): { port?: number } {
  return seams.netbiosPort === undefined ? {} : { port: seams.netbiosPort };
}
