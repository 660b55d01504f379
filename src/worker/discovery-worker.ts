import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import type { Logger } from 'pino';
import type { DiscoveryConfig, PresenceConfig, RetentionConfig } from '../config/config.ts';
import { configuredRunSettings } from '../config/run-settings.ts';
import type { EnrichmentConfig, EnrichmentProbes } from '../discovery/enrichment-context.ts';
import type { ProcessRunner } from '../discovery/exec/process-runner.ts';
import { executeRun, RunAbort, type RunOutcome } from '../discovery/run-executor.ts';
import { effectiveSettings, presetAndTags } from '../domain/run-settings.ts';
import type { Database } from '../storage/database.ts';
import { DiscoveryRunRepository, RUNS_CHANNEL, type RunRow } from '../storage/discovery-run.repository.ts';
import { EnrichmentRepository } from '../storage/enrichment.repository.ts';
import { FoldRepository } from '../storage/fold.repository.ts';
import { AlertWorker, type AlertWorkerOptions } from './alert-worker.ts';
import { enrichmentConfig } from './enrichment-config.ts';
import { PresenceTimer } from './presence-timer.ts';
import { RetentionJob, type RetentionMetrics } from './retention-job.ts';
import { Scheduler } from './scheduler.ts';

/** The few metric calls the worker makes; core wires them to its Prometheus registry. */
export interface WorkerMetrics {
  runClaimed(): void;
  runFinished(status: RunOutcome['status'], seconds: number): void;
}

export interface WorkerOptions {
  database: Database;
  config: DiscoveryConfig;
  logger: Logger;
  metrics: WorkerMetrics;
  runner: ProcessRunner;
  /** Embedded database: this process is the only possible owner of running runs. */
  soleOwner: boolean;
  /** Name, SNMP probes of enrichment; tests may pass scripted ones. */
  enrichmentProbes: EnrichmentProbes;
  /** Presence thresholds and re-evaluation interval (PRESENCE_MISSED_SCANS, PRESENCE_GRACE, DEVICE_PRESENCE_INTERVAL). */
  presence: PresenceConfig;
  /** Daily retention (runs once across all workers); absent or disabled: not run by this worker. */
  retention?: { config: RetentionConfig; metrics: RetentionMetrics } | undefined;
  /** The alert engine and delivery loop (issue 11); absent or disabled: not run by this worker. */
  alerts?: Pick<AlertWorkerOptions, 'config' | 'observe'> | undefined;
}

const MAX_HEARTBEAT_MS = 2000;
const PROGRESS_FLUSH_MS = 500;
const MAX_BACKOFF_MS = 10_000;
const STOP_GRACE_MS = 8000;

interface ActiveRun {
  run: RunRow;
  controller: AbortController;
  done: Promise<void>;
}

/**
 * Claims queued runs and executes them: wakes on NOTIFY (and polls as a fallback), heart-beats
 * its runs, honours cancel requests, fails runs of workers that died, enqueues due schedules, and
 * on stop cancels what it runs and waits for it to end.
 */
export class DiscoveryWorker {
  readonly id = `${hostname()}:${process.pid}:${randomBytes(3).toString('hex')}`;
  private readonly runs: DiscoveryRunRepository;
  private readonly folds: FoldRepository;
  private readonly scheduler: Scheduler;
  private readonly presence: PresenceTimer;
  private readonly enrichmentConfig: EnrichmentConfig;
  private readonly active = new Map<string, ActiveRun>();
  private stopping = false;
  private wakeSleeper: (() => void) | undefined;
  /** Set when a wake-up arrives while the loop is busy, so the next sleep returns at once. */
  private wakeRequested = false;
  private loop: Promise<void> | undefined;
  private unlisten: (() => Promise<void>) | undefined;
  private timers: NodeJS.Timeout[] = [];
  private retention: RetentionJob | undefined;
  private alerts: AlertWorker | undefined;

  constructor(private readonly options: WorkerOptions) {
    this.runs = new DiscoveryRunRepository(options.database.db);
    this.folds = new FoldRepository(options.database.db);
    this.scheduler = new Scheduler(options.database.db, options.logger);
    this.presence = new PresenceTimer(options.database, options.presence, options.logger);
    this.enrichmentConfig = enrichmentConfig(options.config);
  }

  async start(): Promise<void> {
    const { logger, config } = this.options;
    const lost = await this.runs.failLostRuns(this.options.soleOwner ? 0 : config.worker.staleAfterMs / 1000, this.id);
    if (lost.length > 0) logger.warn({ run_ids: lost }, 'failed runs left running by a lost worker');
    this.unlisten = await this.options.database.listen(RUNS_CHANNEL, (payload) => {
      // `cancel:<id>` asks whoever runs that run to stop now, not at the next heartbeat.
      if (payload.startsWith('cancel:')) void this.heartbeat();
      else this.wake();
    });
    // At least three heartbeats fit in the stale period, so a briefly slow database never makes a
    // live run look lost.
    const heartbeatMs = Math.min(MAX_HEARTBEAT_MS, Math.floor(config.worker.staleAfterMs / 3));
    this.timers.push(setInterval(() => void this.heartbeat(), heartbeatMs));
    this.timers.push(
      setInterval(
        () => {
          this.runs.failLostRuns(config.worker.staleAfterMs / 1000, this.id).then(
            (ids) => ids.length > 0 && logger.warn({ run_ids: ids }, 'failed runs of a lost worker'),
            (error: unknown) => logger.error({ err: error }, 'failed to check for lost runs'),
          );
        },
        Math.max(1000, config.worker.staleAfterMs / 3),
      ),
    );
    this.loop = this.claimLoop();
    this.presence.start();
    logger.info({ worker_id: this.id, concurrency: config.worker.concurrency }, 'discovery worker started');
    const retention = this.options.retention;
    if (retention?.config.enabled) {
      this.retention = new RetentionJob({
        db: this.options.database.db,
        config: retention.config,
        logger,
        metrics: retention.metrics,
        workerId: this.id,
      });
      this.retention.start();
    }
    if (this.options.alerts?.config.enabled) {
      this.alerts = new AlertWorker({ database: this.options.database, logger, ...this.options.alerts });
      this.alerts.start();
    }
  }

  /** Stops claiming, cancels running runs ("worker shutting down") and waits for them. */
  async stop(): Promise<void> {
    if (this.stopping) return;
    this.stopping = true;
    for (const timer of this.timers) clearInterval(timer);
    const presenceStopped = this.presence.stop();
    const retentionStopped = this.retention?.stop();
    const alertsStopped = this.alerts?.stop();
    const abortAll = (): void => {
      for (const active of this.active.values()) {
        if (!active.controller.signal.aborted)
          active.controller.abort(new RunAbort('canceled', 'worker shutting down'));
      }
    };
    abortAll();
    this.wake();
    // A claim may have been in flight: once the loop has ended, nothing new can start.
    await this.loop;
    abortAll();
    let grace: NodeJS.Timeout | undefined;
    await Promise.race([
      Promise.all([...this.active.values()].map((active) => active.done)),
      new Promise((resolve) => {
        grace = setTimeout(resolve, STOP_GRACE_MS);
      }),
    ]);
    clearTimeout(grace);
    await retentionStopped;
    await alertsStopped;
    await presenceStopped;
    await this.unlisten?.();
    this.options.logger.info({ worker_id: this.id }, 'discovery worker stopped');
  }

  private async claimLoop(): Promise<void> {
    const { config, logger } = this.options;
    let errors = 0;
    while (!this.stopping) {
      let claimedAny = false;
      try {
        await this.scheduler.enqueueDue();
        while (!this.stopping && this.active.size < config.worker.concurrency) {
          const run = await this.runs.claimNext(this.id);
          if (!run) break;
          claimedAny = true;
          this.begin(run);
        }
        errors = 0;
      } catch (error) {
        errors += 1;
        logger.error({ err: error }, 'discovery worker failed to claim next run');
      }
      if (this.stopping) break;
      const backoff =
        errors === 0
          ? config.pollIntervalMs
          : Math.min(MAX_BACKOFF_MS, config.pollIntervalMs * 2 ** Math.min(errors, 6));
      if (!claimedAny || this.active.size >= config.worker.concurrency) await this.sleep(backoff);
    }
  }

  private wake(): void {
    this.wakeRequested = true;
    this.wakeSleeper?.();
  }

  private sleep(ms: number): Promise<void> {
    if (this.wakeRequested) {
      this.wakeRequested = false;
      return Promise.resolve();
    }
    return new Promise((resolve) => {
      let timer: NodeJS.Timeout | undefined;
      const done = (): void => {
        clearTimeout(timer);
        this.wakeSleeper = undefined;
        this.wakeRequested = false;
        resolve();
      };
      timer = setTimeout(done, ms);
      this.wakeSleeper = done;
    });
  }

  private begin(run: RunRow): void {
    const controller = new AbortController();
    if (this.stopping) controller.abort(new RunAbort('canceled', 'worker shutting down'));
    const entry: ActiveRun = { run, controller, done: Promise.resolve() };
    entry.done = this.execute(run, controller).finally(() => {
      this.active.delete(run.id);
      this.wake();
    });
    this.active.set(run.id, entry);
  }

  private async execute(run: RunRow, controller: AbortController): Promise<void> {
    const { logger, metrics, config } = this.options;
    const started = performance.now();
    metrics.runClaimed();
    logger.info({ run_id: run.id }, 'discovery run claimed');
    const { preset, tags } = presetAndTags(run.stats);
    const settings = effectiveSettings(configuredRunSettings(config), preset, tags);
    const deadline = setTimeout(
      () => controller.abort(new RunAbort('deadline', `runtime budget of ${settings.runtimeBudgetMs} ms exceeded`)),
      settings.runtimeBudgetMs,
    );
    let progress: Record<string, unknown> | undefined;
    let flushed: Record<string, unknown> | undefined;
    const flush = async (): Promise<void> => {
      if (progress && progress !== flushed) {
        flushed = progress;
        await this.runs.mergeStats(run.id, { progress }).catch(() => {});
      }
    };
    const flusher = setInterval(() => void flush(), PROGRESS_FLUSH_MS);
    let outcome: RunOutcome;
    const sink = new EnrichmentRepository(this.options.database.db, run.id);
    try {
      outcome = await executeRun({
        runId: run.id,
        scope: run.scope,
        preset,
        tags,
        settings,
        runDelayMs: config.runDelayMs,
        arpTablePath: config.arpTablePath,
        runner: this.options.runner,
        signal: controller.signal,
        log: (level, message) =>
          this.runs.appendLog(run.id, level, message).catch((error: unknown) => {
            logger.warn({ run_id: run.id, err: error }, 'failed to write discovery run log');
          }),
        progress: (stage, done, total) => {
          progress = { stage, done, total };
        },
        fold: (observations) => this.folds.fold(run.id, observations),
        enrichment: {
          config: this.enrichmentConfig,
          probes: this.options.enrichmentProbes,
          sink,
        },
      });
    } catch (error) {
      logger.error({ run_id: run.id, err: error }, 'discovery run crashed');
      await this.runs.appendLog(run.id, 'error', `discovery run failed: ${(error as Error).message}`).catch(() => {});
      outcome = { status: 'failed', lastError: (error as Error).message, stats: { stage: 'failed' } };
    } finally {
      clearTimeout(deadline);
      clearInterval(flusher);
    }
    await flush();
    // Links are judged once every walk of the run has reported (see recordLinkChanges).
    await sink.recordLinkChanges().catch((error: unknown) => {
      logger.warn({ run_id: run.id, err: error }, 'failed to record link history');
    });
    const finished = await this.finishWithRetry(run.id, outcome);
    // Counted as soon as the final status is stored: a client that sees the status sees the count.
    const seconds = (performance.now() - started) / 1000;
    metrics.runFinished(outcome.status, seconds);
    logger.info(
      { run_id: run.id, status: outcome.status, recorded: finished, duration_s: seconds },
      'discovery run finished',
    );
    // What the run saw is online already (sightings); what its scope covered and nobody saw missed a
    // scan, and may now be offline. Only once the final status is stored: a failed run counts for nothing.
    if (finished) await this.presence.runFinished(run.id);
  }

  /** The final status must land even right after a database hiccup: a few bounded tries. */
  private async finishWithRetry(id: string, outcome: RunOutcome): Promise<boolean> {
    for (let attempt = 0; attempt < 5; attempt++) {
      try {
        return await this.runs.finish(id, this.id, outcome);
      } catch (error) {
        this.options.logger.error({ run_id: id, err: error }, `failed to mark discovery run ${outcome.status}`);
        await new Promise((resolve) => setTimeout(resolve, 500 * (attempt + 1)));
      }
    }
    return false;
  }

  private async heartbeat(): Promise<void> {
    if (this.active.size === 0) return;
    try {
      const cancel = await this.runs.heartbeat([...this.active.keys()], this.id);
      for (const id of cancel) {
        const active = this.active.get(id);
        if (active && !active.controller.signal.aborted) {
          active.controller.abort(new RunAbort('canceled', 'requested by operator'));
        }
      }
    } catch (error) {
      this.options.logger.error({ err: error }, 'discovery worker heartbeat failed');
    }
  }
}
