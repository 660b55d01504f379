import { readFile } from 'node:fs/promises';
import type { Observation } from '../domain/identity.ts';
import type { Preset, RunSettings, ScanTag } from '../domain/run-settings.ts';
import { checkScopeSize, expandIpv4Targets, parseScope, type ScopeEntry, scopeContains } from '../domain/scope.ts';
import type { ProcessRunner } from './exec/process-runner.ts';
import { IP_NEIGH_ARGS, parseIpNeighJson, type StatefulNeighbour } from './probes/ip-neigh.parse.ts';
import { parseProcNetArp } from './probes/neighbour-table.parse.ts';
import { arpScan, planLiveness, sweep } from './sweep.ts';

export const DEFAULT_ARP_TABLE_PATH = '/proc/net/arp';
const FOLD_BATCH = 2000;

/** What the worker hands the engine: settings, the way out to storage, and the run's signal. */
export interface RunContext {
  runId: string;
  /** Canonical stored scope, or null (then only the neighbour table is read). */
  scope: string | null;
  preset: Preset;
  tags: readonly ScanTag[];
  settings: RunSettings;
  runDelayMs: number;
  arpTablePath: string;
  runner: ProcessRunner;
  /** Aborted on cancel, shutdown or deadline; `signal.reason` is a RunAbort. */
  signal: AbortSignal;
  log(level: 'info' | 'warn' | 'error', message: string): Promise<void>;
  progress(stage: string, done: number, total: number): void;
  fold(observations: Observation[]): Promise<FoldOutcome>;
}

export interface FoldOutcome {
  deviceIds: string[];
  devicesCreated: number;
  ipMoves: { ip: string; fromDeviceId: string; toDeviceId: string }[];
}

/** Why a run's signal fired. */
export class RunAbort extends Error {
  constructor(
    readonly kind: 'deadline' | 'canceled',
    message: string,
  ) {
    super(message);
    this.name = 'RunAbort';
  }
}

export interface RunOutcome {
  status: 'succeeded' | 'failed' | 'canceled';
  lastError: string | null;
  stats: Record<string, unknown>;
}

class StageFailure extends Error {}

/** Executes one claimed run through its stages (SPEC §5.4) and returns how it ended. */
export async function executeRun(ctx: RunContext): Promise<RunOutcome> {
  const started = performance.now();
  const stageMs: Record<string, number> = {};
  const stats: Record<string, unknown> = {
    preset: ctx.preset,
    scope: ctx.scope,
    max_targets: ctx.settings.maxTargets,
    runtime_budget_ms: ctx.settings.runtimeBudgetMs,
    ...(ctx.tags.length > 0 ? { tags: [...ctx.tags] } : {}),
  };
  const timed = async <T>(stage: string, work: () => Promise<T>): Promise<T> => {
    const at = performance.now();
    try {
      return await work();
    } finally {
      stageMs[stage] = Math.round(performance.now() - at);
    }
  };
  try {
    await ctx.log('info', 'discovery run started');
    await ctx.log('info', `scan preset: ${ctx.preset}`);
    if (ctx.tags.length > 0) await ctx.log('info', `scan tags: ${ctx.tags.join(', ')}`);
    if (ctx.runDelayMs > 0) await delay(ctx.runDelayMs, ctx.signal);
    throwIfAborted(ctx.signal);

    let entries: ScopeEntry[] = [];
    let targets: string[] = [];
    if (ctx.scope !== null) {
      const parsed = parseScope(ctx.scope);
      if (!parsed.ok) {
        await ctx.log('error', `invalid discovery scope: ${parsed.error}`);
        throw new StageFailure('invalid discovery scope');
      }
      entries = parsed.entries;
      const size = checkScopeSize(entries, ctx.settings.maxTargets);
      if (!size.ok) {
        await ctx.log('error', size.error);
        throw new StageFailure(size.error);
      }
      targets = expandIpv4Targets(entries);
      stats.scope_targets = size.targets;
      await ctx.log('info', `scope targets: ${size.targets} (max=${ctx.settings.maxTargets})`);
    } else {
      stats.scope_targets = 0;
    }

    // Liveness and active ARP run side by side: ARP replies come back while fping still waits
    // for its slowest echo, so the slower of the two sets the pace, not their sum.
    ctx.progress('sweep', 0, targets.length);
    const [liveness, arp] = await timed('sweep', () =>
      Promise.all([
        livenessStage(ctx, targets),
        targets.length > 0 ? arpScan(ctx.runner, targets, arpOptions(ctx)) : undefined,
      ]),
    );
    throwIfAborted(ctx.signal);
    Object.assign(stats, {
      method:
        liveness.method === 'tcp'
          ? 'arp+tcp'
          : liveness.pingAvailable || liveness.alive.length > 0
            ? 'arp+icmp'
            : 'arp',
      liveness_method: liveness.method,
      ping_available: liveness.pingAvailable,
      ping_attempted: liveness.method === 'tcp' ? 0 : targets.length,
      ping_succeeded: liveness.method === 'tcp' ? 0 : liveness.alive.length,
      tcp_alive: liveness.method === 'tcp' ? liveness.alive.length : 0,
    });

    ctx.progress('arp', 0, 1);
    const neighbours = await timed('arp', () => readNeighbours(ctx));
    const arpFound = arp?.status === 'ok' ? arp.value.found : [];
    const sources = [
      arp?.status === 'ok' ? `arp-scan on ${arp.value.interfaces.join(', ')}` : undefined,
      neighbours.source,
    ]
      .filter(Boolean)
      .join(' + ');
    await ctx.log(
      'info',
      `arp source: ${sources}${arp && arp.status !== 'ok' ? ` (arp-scan skipped: ${arp.status === 'skipped' ? arp.reason : arp.error})` : ''}`,
    );

    const observations = combine(entries, ctx.scope !== null, liveness.alive, arpFound, neighbours.entries);
    stats.arp_entries = observations.filter((observation) => observation.mac).length;
    ctx.progress('fold', 0, observations.length);
    const folded = await timed('fold', () => foldInBatches(ctx, observations));
    Object.assign(stats, {
      devices_seen: folded.deviceIds.size,
      devices_created: folded.devicesCreated,
      ip_moves: folded.ipMoves.length,
      hosts_without_mac: observations.filter((observation) => !observation.mac).length,
    });
    for (const move of folded.ipMoves.slice(0, 50)) {
      await ctx.log(
        'info',
        `ip ${move.ip} moved from device ${move.fromDeviceId} to device ${move.toDeviceId} (new MAC)`,
      );
    }
    await ctx.log(
      'info',
      `arp scrape: entries=${stats.arp_entries} devices_seen=${folded.deviceIds.size} devices_created=${folded.devicesCreated}`,
    );
    throwIfAborted(ctx.signal);

    Object.assign(stats, {
      stage: 'completed',
      duration_ms: Math.round(performance.now() - started),
      stage_ms: stageMs,
    });
    ctx.progress('completed', 1, 1);
    await ctx.log('info', 'discovery run completed');
    return { status: 'succeeded', lastError: null, stats };
  } catch (error) {
    const abort = ctx.signal.aborted ? (ctx.signal.reason as RunAbort | undefined) : undefined;
    const reason = abort?.message ?? (error as Error).message;
    Object.assign(stats, {
      stage: abort?.kind === 'canceled' ? 'canceled' : 'failed',
      duration_ms: Math.round(performance.now() - started),
      stage_ms: stageMs,
      ping_timeout_ms: ctx.settings.pingTimeoutMs,
      ping_workers: ctx.settings.pingWorkers,
    });
    if (abort?.kind === 'canceled') {
      await ctx.log('info', `discovery run canceled: ${reason}`).catch(() => {});
      return { status: 'canceled', lastError: reason, stats };
    }
    // Anything else (a database error while folding, say) fails the run with its text too.
    await ctx.log('error', `discovery run failed: ${reason}`).catch(() => {});
    return { status: 'failed', lastError: reason, stats };
  }
}

async function livenessStage(
  ctx: RunContext,
  targets: readonly string[],
): Promise<{ method: 'fping' | 'ping' | 'tcp' | 'none'; alive: string[]; pingAvailable: boolean }> {
  if (targets.length === 0)
    return { method: 'fping', alive: [], pingAvailable: ctx.runner.which('ping') !== undefined };
  const plan = await planLiveness(ctx.runner, ctx.settings.pingTimeoutMs, ctx.signal);
  for (const note of plan.notes) await ctx.log('warn', note);
  const described = {
    fping: 'fping (raw ICMP, one process)',
    ping: `ping pool of ${ctx.settings.pingWorkers}`,
    tcp: 'TCP connect to common ports (ICMP not usable here)',
  }[plan.method];
  await ctx.log('info', `liveness: ${described}`);
  const result = await sweep(ctx.runner, plan.method, targets, {
    timeoutMs: ctx.settings.pingTimeoutMs,
    retries: ctx.settings.pingRetries,
    workers: plan.method === 'tcp' ? Math.max(ctx.settings.pingWorkers, 64) : ctx.settings.pingWorkers,
    signal: ctx.signal,
    onProgress: (done, total) => ctx.progress('sweep', done, total),
  });
  throwIfAborted(ctx.signal);
  if (result.status !== 'ok') {
    const reason = result.status === 'failed' ? result.error : result.reason;
    await ctx.log('error', `liveness sweep failed: ${reason}`);
    throw new StageFailure(`ping failed: ${reason}`);
  }
  if (plan.method !== 'tcp')
    await ctx.log('info', `ping sweep: attempted=${targets.length} succeeded=${result.value.length}`);
  else await ctx.log('info', `tcp sweep: attempted=${targets.length} alive=${result.value.length}`);
  return { method: plan.method, alive: result.value, pingAvailable: plan.pingAvailable };
}

function arpOptions(ctx: RunContext): { timeoutMs: number; retries: number; signal: AbortSignal } {
  return {
    timeoutMs: Math.min(ctx.settings.pingTimeoutMs, 500),
    retries: ctx.settings.pingRetries,
    signal: ctx.signal,
  };
}

/**
 * The kernel's neighbour table: `ip -j neigh` when available (it tells fresh entries from stale
 * ones), else the ARP table file (SPEC §5.7; also what DISCOVERY_ARP_TABLE_PATH points tests at).
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

/**
 * One observation per address: a MAC from arp-scan or the neighbour table when there is one;
 * hosts that answered only ICMP/TCP (routed) are kept without a MAC. A stale neighbour entry
 * counts only when the host also answered this run.
 */
function combine(
  entries: readonly ScopeEntry[],
  scoped: boolean,
  alive: readonly string[],
  arpFound: readonly { ip: string; mac: string }[],
  neighbours: readonly StatefulNeighbour[],
): Observation[] {
  const inScope = (ip: string): boolean => !scoped || scopeContains(entries, ip);
  const aliveSet = new Set(alive);
  const macByIp = new Map<string, string>();
  for (const entry of neighbours) {
    if (inScope(entry.ip) && (entry.fresh || aliveSet.has(entry.ip))) macByIp.set(entry.ip, entry.mac);
  }
  for (const entry of arpFound) if (inScope(entry.ip)) macByIp.set(entry.ip, entry.mac);
  const ips = new Set([...alive.filter(inScope), ...macByIp.keys()]);
  return [...ips].sort(compareIp).map((ip) => {
    const mac = macByIp.get(ip);
    return mac ? { ip, mac } : { ip };
  });
}

async function foldInBatches(
  ctx: RunContext,
  observations: readonly Observation[],
): Promise<{ deviceIds: Set<string>; devicesCreated: number; ipMoves: FoldOutcome['ipMoves'] }> {
  const deviceIds = new Set<string>();
  const ipMoves: FoldOutcome['ipMoves'] = [];
  let devicesCreated = 0;
  for (let start = 0; start < observations.length; start += FOLD_BATCH) {
    const batch = observations.slice(start, start + FOLD_BATCH);
    const result = await ctx.fold(batch);
    for (const id of result.deviceIds) deviceIds.add(id);
    devicesCreated += result.devicesCreated;
    ipMoves.push(...result.ipMoves);
    ctx.progress('fold', Math.min(observations.length, start + batch.length), observations.length);
  }
  return { deviceIds, devicesCreated, ipMoves };
}

function compareIp(a: string, b: string): number {
  const key = (ip: string) =>
    ip
      .split('.')
      .map((part) => part.padStart(3, '0'))
      .join('.');
  return key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0;
}

function throwIfAborted(signal: AbortSignal): void {
  if (signal.aborted)
    throw signal.reason instanceof Error ? signal.reason : new RunAbort('canceled', String(signal.reason));
}

function delay(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    // The signal may have fired while the opening log lines were written.
    if (signal.aborted) {
      reject(signal.reason);
      return;
    }
    const onAbort = (): void => {
      clearTimeout(timer);
      reject(signal.reason);
    };
    const timer = setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal.addEventListener('abort', onAbort, { once: true });
  });
}
