import type { Observation } from '../domain/identity.ts';
import { checkScopeSize, parseScope, type ScopeEntry, sweepTargets } from '../domain/scope.ts';
import { enrich } from './enrichment-stage.ts';
import { scanPorts } from './port-scan-stage.ts';
import { findPresence, StageFailure, throwIfAborted } from './presence-stage.ts';
import type { FoldOutcome, RunAbort, RunContext, RunOutcome } from './run-context.ts';

export { DEFAULT_ARP_TABLE_PATH } from './presence-stage.ts';
export { type FoldOutcome, RunAbort, type RunContext, type RunOutcome } from './run-context.ts';

const FOLD_BATCH = 2000;

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
      targets = sweepTargets(entries);
      stats.scope_targets = size.targets;
      await ctx.log('info', `scope targets: ${size.targets} (max=${ctx.settings.maxTargets})`);
    } else {
      stats.scope_targets = 0;
    }

    const presence = await timed('sweep', () => findPresence(ctx, entries, targets));
    Object.assign(stats, presence.stats);
    const observations = presence.observations;
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
    // Addresses of the scope that did not answer are no longer current (G-20).
    if (ctx.enrichment && entries.length > 0)
      await ctx.enrichment.sink.markPresence(entries.map((entry) => entry.text));

    // From here on the deadline only stops work; the run still completes with what it found.
    const enrichmentOn = ctx.enrichment !== undefined && (ctx.settings.nameResolution || ctx.settings.snmp);
    const enrichment = enrichmentOn
      ? await timed('enrichment', () => enrich(ctx, folded.targets))
      : { stats: {}, processed: [] };
    if (Object.keys(enrichment.stats).length > 0) {
      stats.enrichment = enrichment.stats;
      const e = enrichment.stats;
      await ctx.log(
        'info',
        `enrichment: targets=${e.targets} snmp_ok=${e.snmp_ok} names=${e.names_written} vlans=${e.vlans_written} links=${e.links_written}`,
      );
    }
    throwIfCanceled(ctx.signal);
    if (ctx.settings.portScan && ctx.enrichment) {
      const portScan = await timed('port_scan', () => scanPorts(ctx, folded.targets));
      stats.port_scan = portScan.stats;
      await ctx.log('info', portScan.line);
    }
    throwIfCanceled(ctx.signal);

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

async function foldInBatches(
  ctx: RunContext,
  observations: readonly Observation[],
): Promise<{
  deviceIds: Set<string>;
  devicesCreated: number;
  ipMoves: FoldOutcome['ipMoves'];
  targets: FoldOutcome['targets'];
}> {
  const deviceIds = new Set<string>();
  const targets: FoldOutcome['targets'] = [];
  const ipMoves: FoldOutcome['ipMoves'] = [];
  let devicesCreated = 0;
  for (let start = 0; start < observations.length; start += FOLD_BATCH) {
    const batch = observations.slice(start, start + FOLD_BATCH);
    const result = await ctx.fold(batch);
    for (const id of result.deviceIds) deviceIds.add(id);
    devicesCreated += result.devicesCreated;
    ipMoves.push(...result.ipMoves);
    targets.push(...result.targets);
    ctx.progress('fold', Math.min(observations.length, start + batch.length), observations.length);
  }
  return { deviceIds, devicesCreated, ipMoves, targets };
}

/** An operator's cancel ends the run at once; an expired deadline lets it complete. */
function throwIfCanceled(signal: AbortSignal): void {
  if (signal.aborted && (signal.reason as RunAbort | undefined)?.kind === 'canceled') throw signal.reason;
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
