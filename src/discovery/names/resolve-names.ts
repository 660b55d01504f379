import type { NameHint, NameSource } from '../../domain/enrichment.types.ts';
import { type LookupFailureKind, type LookupOutcome, notFound } from './lookup.types.ts';
import { mergeHints } from './name-hints.ts';

/** What one lookup found: names, and a MAC when the source reports one (NetBIOS node status). */
export interface NameFindings {
  names: NameHint[];
  mac?: string | null;
}

/** One lookup: it must give up by itself after `timeoutMs`; the signal fires when the caller aborts. */
export type NameLookup = (ip: string, timeoutMs: number, signal: AbortSignal) => Promise<LookupOutcome<NameFindings>>;

/** The lookups a run has enabled; an absent one is not attempted. */
export interface NameLookupSet {
  reverseDns?: NameLookup;
  mdns?: NameLookup;
  netbios?: NameLookup;
}

/** Each lookup's own budget (G-26: not one shared 250 ms, where the later lookups got no time). */
export interface NameBudgets {
  reverseDnsMs: number;
  mdnsMs: number;
  netbiosMs: number;
}

/** The configuration defaults (DISCOVERY_DNS_TIMEOUT, DISCOVERY_MDNS_TIMEOUT, DISCOVERY_NETBIOS_TIMEOUT). */
export const DEFAULT_NAME_BUDGETS: NameBudgets = { reverseDnsMs: 500, mdnsMs: 400, netbiosMs: 500 };

export interface NameLookupError {
  source: Extract<NameSource, 'reverse_dns' | 'mdns' | 'netbios'>;
  kind: LookupFailureKind;
  error: string;
}

export interface NameResolution {
  /** Merged in source order reverse_dns, mdns, netbios; case-insensitive duplicates dropped. */
  names: NameHint[];
  /** From NetBIOS node status, when the host reported a non-zero MAC. */
  mac: string | null;
  /** Per-lookup failures, for the debug log ("no name" included: the caller may filter by kind). */
  failures: NameLookupError[];
  durationMs: number;
}

/** Slack past a budget before a lookup that ignores its signal is abandoned (a bug guard). */
const SETTLE_GRACE_MS = 100;

const ORDER = [
  ['reverse_dns', 'reverseDns', 'reverseDnsMs'],
  ['mdns', 'mdns', 'mdnsMs'],
  ['netbios', 'netbios', 'netbiosMs'],
] as const;

/**
 * Runs the enabled lookups for one address concurrently, each under its own budget, so the whole
 * resolution takes about the largest budget, not their sum. Never throws: a lookup that throws or
 * overruns is reported as an error of that lookup.
 */
export async function resolveNames(
  ip: string,
  lookups: NameLookupSet,
  budgets: NameBudgets = DEFAULT_NAME_BUDGETS,
  signal?: AbortSignal,
): Promise<NameResolution> {
  const started = performance.now();
  const planned = ORDER.flatMap(([source, lookupKey, budgetKey]) => {
    const lookup = lookups[lookupKey];
    return lookup ? [{ source, outcome: runBounded(lookup, ip, Math.max(1, budgets[budgetKey]), signal) }] : [];
  });
  const settled = await Promise.all(planned.map(async ({ source, outcome }) => ({ source, outcome: await outcome })));
  const failures: NameLookupError[] = [];
  const lists: NameHint[][] = [];
  let mac: string | null = null;
  for (const { source, outcome } of settled) {
    if (!outcome.ok) {
      failures.push({ source, kind: outcome.kind, error: outcome.error });
      continue;
    }
    lists.push(outcome.value.names);
    mac ??= outcome.value.mac ?? null;
  }
  return { names: mergeHints(lists), mac, failures, durationMs: performance.now() - started };
}

async function runBounded(
  lookup: NameLookup,
  ip: string,
  budgetMs: number,
  outer: AbortSignal | undefined,
): Promise<LookupOutcome<NameFindings>> {
  if (outer?.aborted) return notFound('aborted', 'name resolution aborted');
  // The lookup keeps its own budget (it gets it as timeoutMs and reports its own timeout, which
  // says more than an abort would). The signal fires only when the caller aborts, or as a bug
  // guard when the lookup is still running a little after its budget.
  const controller = new AbortController();
  const onAbort = (): void => controller.abort();
  outer?.addEventListener('abort', onAbort, { once: true });
  let guard: NodeJS.Timeout | undefined;
  const overrun = new Promise<LookupOutcome<NameFindings>>((resolve) => {
    guard = setTimeout(() => {
      resolve(notFound('timeout', `lookup did not finish within its ${budgetMs} ms budget`));
      controller.abort();
    }, budgetMs + SETTLE_GRACE_MS);
  });
  try {
    const attempt = lookup(ip, budgetMs, controller.signal).catch((error: unknown) =>
      notFound<NameFindings>('failed', `lookup threw: ${(error as Error)?.message ?? String(error)}`),
    );
    const outcome = await Promise.race([attempt, overrun]);
    if (!outcome.ok && outer?.aborted) return notFound('aborted', 'name resolution aborted');
    return outcome;
  } finally {
    clearTimeout(guard);
    outer?.removeEventListener('abort', onAbort);
  }
}
