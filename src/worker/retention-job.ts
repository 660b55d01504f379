import type { Kysely } from 'kysely';
import type { Logger } from 'pino';
import type { RetentionConfig } from '../config/config.ts';
import {
  latestSlot,
  nextSlot,
  type RetentionCounts,
  type RetentionCutoffs,
  type RetentionWindows,
  retentionCutoffs,
} from '../domain/retention.ts';
import { RetentionRepository } from '../storage/retention.repository.ts';
import type { Schema } from '../storage/schema.ts';

export const RETENTION_JOB = 'retention';

/** The few metric calls retention makes; core wires them to its Prometheus registry. */
export interface RetentionMetrics {
  runFinished(outcome: 'succeeded' | 'failed', deleted: RetentionCounts | undefined, finishedAt: Date): void;
}

export interface RetentionReport {
  dry_run: boolean;
  trigger: 'schedule' | 'manual';
  cutoffs: RetentionCutoffs;
  /** Rows deleted per table (a dry run: rows that would be). */
  deleted: RetentionCounts;
  total: number;
  /** False when a table had more than the batch limit allows in one run; the next run goes on. */
  complete: boolean;
  duration_ms: number;
}

export interface RetentionRunOptions {
  db: Kysely<Schema>;
  windows: RetentionWindows;
  logger: Logger;
  metrics?: RetentionMetrics | undefined;
  dryRun: boolean;
  workerId: string;
  now?: Date;
  batchSize?: number | undefined;
  maxBatches?: number | undefined;
  signal?: AbortSignal | undefined;
  /** The record of a claimed scheduled slot; without it the run is recorded as manual. */
  claimedId?: number;
}

/** One retention pass: recorded in maintenance_runs, logged, and counted in the metrics. */
export async function runRetention(options: RetentionRunOptions): Promise<RetentionReport> {
  const { logger, dryRun } = options;
  const repository = new RetentionRepository(options.db);
  const trigger = options.claimedId === undefined ? 'manual' : 'schedule';
  const id = options.claimedId ?? (await repository.startManual(RETENTION_JOB, dryRun, options.workerId));
  const started = performance.now();
  const cutoffs = retentionCutoffs(options.windows, options.now ?? new Date());
  try {
    const result = await repository.prune(cutoffs, {
      dryRun,
      signal: options.signal,
      ...(options.batchSize !== undefined ? { batchSize: options.batchSize } : {}),
      ...(options.maxBatches !== undefined ? { maxBatches: options.maxBatches } : {}),
    });
    await repository.finish(id, { status: 'succeeded', deleted: result.deleted });
    if (!dryRun) options.metrics?.runFinished('succeeded', result.deleted, new Date());
    const report: RetentionReport = {
      dry_run: dryRun,
      trigger,
      cutoffs,
      deleted: result.deleted,
      total: result.total,
      complete: result.complete,
      duration_ms: Math.round(performance.now() - started),
    };
    logger.info(
      {
        dry_run: dryRun,
        trigger,
        deleted: result.deleted,
        total: result.total,
        complete: result.complete,
        duration_ms: report.duration_ms,
      },
      'retention run finished',
    );
    if (!result.complete)
      logger.warn(
        { deleted: result.deleted },
        'retention stopped before it was done (batch limit or shutdown); the next run goes on',
      );
    return report;
  } catch (error) {
    logger.error({ err: error, dry_run: dryRun, trigger }, 'retention run failed');
    if (!dryRun) options.metrics?.runFinished('failed', undefined, new Date());
    await repository.finish(id, { status: 'failed', deleted: {}, error: (error as Error).message }).catch(() => {});
    throw error;
  }
}

export interface RetentionJobOptions {
  db: Kysely<Schema>;
  config: RetentionConfig;
  logger: Logger;
  metrics?: RetentionMetrics | undefined;
  workerId: string;
  /** Tests move the clock. */
  now?: () => Date;
  batchSize?: number;
  maxBatches?: number;
}

/** Longest sleep between checks, so a clock change is noticed within the hour. */
const MAX_SLEEP_MS = 3_600_000;
const RETRY_MS = 60_000;

/**
 * Runs retention at every RETENTION_SCHEDULE time, exactly once per time across all workers: each
 * worker claims the slot (the latest scheduled time not after now) with an insert that only one of
 * them wins. A slot missed while every worker was down is still unclaimed, so the first worker to
 * start afterwards runs it once.
 */
export class RetentionJob {
  private readonly repository: RetentionRepository;
  private readonly now: () => Date;
  private timer: NodeJS.Timeout | undefined;
  private current: Promise<unknown> | undefined;
  private handledSlot: number | undefined;
  private stopped = false;
  private readonly abort = new AbortController();

  constructor(private readonly options: RetentionJobOptions) {
    this.repository = new RetentionRepository(options.db);
    this.now = options.now ?? (() => new Date());
  }

  start(): void {
    this.options.logger.info({ schedule: this.options.config.schedule }, 'retention job scheduled');
    this.wakeAfter(0);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    this.abort.abort();
    await this.current?.catch(() => {});
  }

  /** Claims and runs the due slot unless it was handled already; undefined when there was nothing to do. */
  async runDue(): Promise<RetentionReport | undefined> {
    const slot = latestSlot(this.options.config.schedule, this.now());
    if (!slot || slot.getTime() === this.handledSlot) return undefined;
    const claimed = await this.repository.claimSlot(RETENTION_JOB, slot, this.options.workerId);
    this.handledSlot = slot.getTime();
    if (claimed === undefined) return undefined;
    this.options.logger.info({ scheduled_for: slot.toISOString() }, 'retention run started');
    return runRetention({
      db: this.options.db,
      windows: this.options.config,
      logger: this.options.logger,
      metrics: this.options.metrics,
      dryRun: false,
      workerId: this.options.workerId,
      now: this.now(),
      batchSize: this.options.batchSize,
      maxBatches: this.options.maxBatches,
      signal: this.abort.signal,
      claimedId: claimed,
    });
  }

  private wakeAfter(ms: number): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => this.tick(), ms);
  }

  private tick(): void {
    let delay = RETRY_MS;
    this.current = this.runDue()
      .then(() => {
        const now = this.now();
        const next = nextSlot(this.options.config.schedule, now);
        delay = next ? Math.min(MAX_SLEEP_MS, Math.max(1000, next.getTime() - now.getTime())) : MAX_SLEEP_MS;
      })
      .catch((error: unknown) => this.options.logger.error({ err: error }, 'retention job failed'))
      .finally(() => {
        this.current = undefined;
        this.wakeAfter(delay);
      });
  }
}
