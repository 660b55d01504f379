import { readFile } from 'node:fs/promises';
import type { ProbedObservation, SightingProbe } from '../domain/presence.ts';
import { type ScopeEntry, scopeContains } from '../domain/scope.ts';
import { ipv4ToBigInt } from '../shared/ip-math.ts';
import { IP_NEIGH_ARGS, parseIpNeighJson, type StatefulNeighbour } from './probes/ip-neigh.parse.ts';
import { parseProcNetArp } from './probes/neighbour-table.parse.ts';
import type { RunContext } from './run-context.ts';
import {
  arpScan,
  type LivenessPlan,
  type LocalSegment,
  localSegments,
  onSegment,
  planLiveness,
  sweep,
} from './sweep.ts';

export const DEFAULT_ARP_TABLE_PATH = '/proc/net/arp';

/** Thrown for an expected failure that ends the run with its message. */
export class StageFailure extends Error {}

export interface PresenceResult {
  /** Each with the probes that got the answer (presence sightings, issue 11). */
  observations: ProbedObservation[];
  stats: Record<string, unknown>;
}

/**
 * Who is there (SPEC §5.6–§5.7, made faster and truer):
 * - On a local segment, ARP is the liveness test: a host that answers anything must answer ARP,
 *   even one that drops ICMP, and the reply carries its MAC. arp-scan covers those targets.
 * - Targets off the local segments (routed) get the ICMP sweep (fping, a ping pool, or TCP
 *   connects), concurrently with arp-scan, and are recorded by IP alone.
 * - When arp-scan is not usable, the on-link targets get the ICMP sweep too and MACs come from the
 *   kernel neighbour table — only entries confirmed during this run, so an address a host has left
 *   is not reported as seen again.
 * - The scanner's own addresses are recorded with its own MACs, without probing.
 */
export async function findPresence(
  ctx: RunContext,
  entries: readonly ScopeEntry[],
  targets: readonly string[],
): Promise<PresenceResult> {
  const startedAt = performance.now();
  const segments = (ctx.localSegments ?? localSegments)();
  const inScope = (ip: string): boolean => ctx.scope === null || scopeContains(entries, ip);
  const own = segments.filter((segment) => inScope(segment.address) && targets.includes(segment.address));
  const ownAddresses = new Set(own.map((segment) => segment.address));
  const probeTargets = targets.filter((ip) => !ownAddresses.has(ip));
  const onLink = probeTargets.filter((ip) => segments.some((segment) => onSegment(segment, ip)));
  const offLink = probeTargets.filter((ip) => !segments.some((segment) => onSegment(segment, ip)));
  const total = probeTargets.length;
  let done = 0;
  const progress = (count: number): void => {
    done += count;
    ctx.progress('sweep', Math.min(done, total), total);
  };
  ctx.progress('sweep', 0, total);

  // How to ping is decided only if something has to be pinged (the preflight logs its findings).
  let planned: Promise<LivenessPlan> | undefined;
  const plan = (): Promise<LivenessPlan> => {
    planned ??= planLiveness(ctx.runner, ctx.settings.pingTimeoutMs, ctx.signal).then(async (result) => {
      for (const note of result.notes) await ctx.log('warn', note);
      return result;
    });
    return planned;
  };
  const [arp, offLinkAlive] = await Promise.all([
    onLink.length > 0 ? arpScan(ctx.runner, onLink, { ...arpOptions(ctx), segments }) : undefined,
    offLink.length > 0 ? plan().then((chosen) => icmpSweep(ctx, chosen, offLink, progress)) : ([] as string[]),
  ]);
  if (arp?.status === 'ok') progress(onLink.length);
  throwIfAborted(ctx.signal);

  const observations = new Map<string, ProbedObservation>();
  for (const segment of own) observations.set(segment.address, observationOf(segment.address, segment.mac, ['self']));
  const sweepProbe = async (): Promise<SightingProbe> => ((await plan()).method === 'tcp' ? 'tcp' : 'icmp');
  if (offLinkAlive.length > 0) {
    const probe = await sweepProbe();
    for (const ip of offLinkAlive) observations.set(ip, { ip, probes: [probe] });
  }

  let pinged = offLink.length;
  let answered = offLinkAlive.length;
  let arpSource: string;
  if (arp?.status === 'ok') {
    for (const { ip, mac } of arp.value.found) if (inScope(ip)) observations.set(ip, { ip, mac, probes: ['arp'] });
    arpSource = `arp-scan on ${arp.value.interfaces.join(', ')}`;
    await ctx.log('info', `arp sweep: attempted=${onLink.length} answered=${arp.value.found.length}`);
  } else {
    const why = arp === undefined ? '' : ` (arp-scan skipped: ${arp.status === 'skipped' ? arp.reason : arp.error})`;
    let onLinkAlive: string[] = [];
    if (onLink.length > 0) {
      // Without arp-scan the kernel must ARP every target during the sweep, or a host that drops
      // ICMP but is still cached would go unseen; clearing needs CAP_NET_ADMIN and is skipped without it.
      await flushNeighbours(ctx, entries, segments);
      onLinkAlive = await icmpSweep(ctx, await plan(), onLink, progress);
    }
    pinged += onLink.length;
    answered += onLinkAlive.length;
    const neighbours = await readNeighbours(ctx);
    const aliveNow = new Set([...offLinkAlive, ...onLinkAlive]);
    // `ip -s` reports whole seconds, rounded down: confirmed within this stage means ≤ its length.
    const stageSeconds = (performance.now() - startedAt) / 1000;
    const onLinkProbe = onLinkAlive.length > 0 ? await sweepProbe() : 'icmp';
    for (const ip of onLinkAlive) observations.set(ip, { ip, probes: [onLinkProbe] });
    for (const entry of neighbours.entries) {
      if (!inScope(entry.ip) || ownAddresses.has(entry.ip)) continue;
      // Without a scope the run only folds what the kernel already knows (SPEC §5.5).
      const confirmedThisRun =
        ctx.scope === null || entry.confirmedAgoSeconds === undefined
          ? entry.fresh
          : entry.fresh && entry.confirmedAgoSeconds <= stageSeconds;
      if (aliveNow.has(entry.ip) || confirmedThisRun) {
        // The kernel resolved the address during this run: the host answered ARP (whatever else it did).
        const probes = new Set<SightingProbe>(observations.get(entry.ip)?.probes ?? []);
        if (confirmedThisRun) probes.add('arp');
        observations.set(entry.ip, { ip: entry.ip, mac: entry.mac, probes: [...probes].sort() });
      }
    }
    arpSource = `${neighbours.source}${why}`;
  }
  throwIfAborted(ctx.signal);
  const method = pinged > 0 ? (await plan()).method : undefined;
  if (pinged > 0) {
    await ctx.log(
      'info',
      method === 'tcp'
        ? `tcp sweep: attempted=${pinged} alive=${answered}`
        : `ping sweep: attempted=${pinged} succeeded=${answered}`,
    );
  }
  await ctx.log('info', `arp source: ${arpSource}`);
  const list = [...observations.values()].sort((a, b) => compareIp(a.ip, b.ip));
  return {
    observations: list,
    stats: {
      method: method === 'tcp' ? 'arp+tcp' : method ? 'arp+icmp' : 'arp',
      liveness_method: method ?? (arp?.status === 'ok' ? 'arp' : 'none'),
      ping_available: planned ? (await planned).pingAvailable : ctx.runner.which('ping') !== undefined,
      ping_attempted: method === 'tcp' ? 0 : pinged,
      ping_succeeded: method === 'tcp' ? 0 : answered,
      tcp_alive: method === 'tcp' ? answered : 0,
      arp_attempted: arp?.status === 'ok' ? onLink.length : 0,
      arp_answered: arp?.status === 'ok' ? arp.value.found.length : 0,
      arp_source: arpSource,
    },
  };
}

/** `ip -4 neigh flush to <scope entry> dev <iface>` for every scope entry on a local segment. */
async function flushNeighbours(
  ctx: RunContext,
  entries: readonly ScopeEntry[],
  segments: readonly LocalSegment[],
): Promise<void> {
  const ip = ctx.runner.which('ip');
  if (!ip || ctx.arpTablePath !== DEFAULT_ARP_TABLE_PATH) return;
  for (const entry of entries) {
    if (entry.family !== 4) continue;
    for (const segment of segments) {
      const first = entry.text.split('/')[0] as string;
      if (!onSegment(segment, first) && !scopeContains([entry], segment.address)) continue;
      await ctx.runner.run({
        command: ip,
        args: ['-4', 'neigh', 'flush', 'to', entry.text, 'dev', segment.iface],
        timeoutMs: 5000,
        signal: ctx.signal,
      });
    }
  }
}

function observationOf(ip: string, mac: string | undefined, probes: SightingProbe[]): ProbedObservation {
  return mac ? { ip, mac, probes } : { ip, probes };
}

async function icmpSweep(
  ctx: RunContext,
  plan: LivenessPlan,
  targets: readonly string[],
  progress: (count: number) => void,
): Promise<string[]> {
  const described = {
    fping: 'fping (raw ICMP, one process)',
    ping: `ping pool of ${ctx.settings.pingWorkers}`,
    tcp: 'TCP connect to common ports (ICMP not usable here)',
  }[plan.method];
  await ctx.log('info', `liveness: ${described} for ${targets.length} target${targets.length === 1 ? '' : 's'}`);
  let reported = 0;
  const result = await sweep(ctx.runner, plan.method, targets, {
    timeoutMs: ctx.settings.pingTimeoutMs,
    retries: ctx.settings.pingRetries,
    workers: plan.method === 'tcp' ? Math.max(ctx.settings.pingWorkers, 64) : ctx.settings.pingWorkers,
    signal: ctx.signal,
    onProgress: (count) => {
      progress(count - reported);
      reported = count;
    },
  });
  throwIfAborted(ctx.signal);
  if (result.status !== 'ok') {
    const reason = result.status === 'failed' ? result.error : result.reason;
    await ctx.log('error', `liveness sweep failed: ${reason}`);
    throw new StageFailure(`ping failed: ${reason}`);
  }
  // Only what was asked: a stray line from the prober never becomes a device.
  const asked = new Set(targets);
  return result.value.filter((ip) => asked.has(ip));
}

function arpOptions(ctx: RunContext): { timeoutMs: number; retries: number; signal: AbortSignal } {
  // ARP answers on a LAN take microseconds; a short wait keeps arp-scan from setting the pace.
  return {
    timeoutMs: Math.min(ctx.settings.pingTimeoutMs, 250),
    retries: ctx.settings.pingRetries,
    signal: ctx.signal,
  };
}

/**
 * The kernel's neighbour table: `ip -s -j neigh` when available (state and confirmation age),
 * else the ARP table file (SPEC §5.7; also what DISCOVERY_ARP_TABLE_PATH points tests at).
 */
async function readNeighbours(ctx: RunContext): Promise<{ entries: StatefulNeighbour[]; source: string }> {
  const ip = ctx.arpTablePath === DEFAULT_ARP_TABLE_PATH ? ctx.runner.which('ip') : undefined;
  if (ip) {
    const result = await ctx.runner.run({ command: ip, args: IP_NEIGH_ARGS, timeoutMs: 5000, signal: ctx.signal });
    if (result.exitCode === 0) return { entries: parseIpNeighJson(result.stdout), source: 'kernel neighbour table' };
  }
  try {
    const text = await readFile(ctx.arpTablePath, 'utf8');
    // A plain ARP file has no state: every complete entry counts as fresh.
    return { entries: parseProcNetArp(text).map((entry) => ({ ...entry, fresh: true })), source: ctx.arpTablePath };
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT')
      return { entries: [], source: `${ctx.arpTablePath} (missing)` };
    throw new StageFailure((error as Error).message);
  }
}

export function compareIp(a: string, b: string): number {
  const left = ipv4ToBigInt(a);
  const right = ipv4ToBigInt(b);
  return left < right ? -1 : left > right ? 1 : 0;
}

export function throwIfAborted(signal: AbortSignal): void {
  if (signal.aborted) throw signal.reason instanceof Error ? signal.reason : new Error(String(signal.reason));
}

export type { LocalSegment };
