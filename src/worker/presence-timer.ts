import type { Logger } from 'pino';
import type { PresenceConfig } from '../config/config.ts';
import type { Database } from '../storage/database.ts';
import { PresenceRepository } from '../storage/presence.repository.ts';

/**
 * Presence after runs and between them (issue 11): after a run, counts the missed scans of the
 * devices its scope covered; every DEVICE_PRESENCE_INTERVAL and after each run, moves the devices
 * past both thresholds offline, one evaluation at a time. Several workers may run one each: the
 * repository locks what it judges, so each transition is an event exactly once.
 */
export class PresenceTimer {
  private readonly presence: PresenceRepository;
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private again = false;
  private stopped = false;

  constructor(
    database: Database,
    private readonly config: PresenceConfig,
    private readonly logger: Logger,
  ) {
    this.presence = new PresenceRepository(database.db);
  }

  start(): void {
    this.stopped = false;
    if (this.config.intervalMs > 0) {
      this.timer = setInterval(() => void this.evaluate(), this.config.intervalMs);
      this.timer.unref();
    }
  }

  /** Runs an evaluation now, or once more right after the one in progress. Never throws. */
  evaluate(): Promise<void> {
    if (this.stopped) return Promise.resolve();
    if (this.running) {
      this.again = true;
      return this.running;
    }
    this.running = (async () => {
      try {
        do {
          this.again = false;
          const transitions = await this.presence.evaluate({
            missedScans: this.config.missedScans,
            graceS: Math.round(this.config.graceMs / 1000),
          });
          if (transitions.length > 0) {
            this.logger.info(
              {
                online: transitions.filter((t) => t.presence === 'online').length,
                offline: transitions.filter((t) => t.presence === 'offline').length,
              },
              'device presence changed',
            );
          }
        } while (this.again && !this.stopped);
      } catch (error) {
        this.logger.error({ err: error }, 'failed to evaluate device presence');
      } finally {
        this.running = undefined;
      }
    })();
    return this.running;
  }

  /**
   * A finished run: a succeeded one with a scope counts as a missed scan for every device it covered
   * and nobody saw; then the evaluation runs. Never throws.
   */
  async runFinished(runId: string): Promise<void> {
    if (this.stopped) return;
    try {
      const missed = await this.presence.recordScan(runId);
      if (missed.length > 0) this.logger.info({ run_id: runId, devices: missed.length }, 'devices missed a scan');
    } catch (error) {
      this.logger.error({ run_id: runId, err: error }, 'failed to evaluate device presence');
    }
    await this.evaluate();
  }

  /** Stops the timer and waits for an evaluation in progress. */
  async stop(): Promise<void> {
    this.stopped = true;
    clearInterval(this.timer);
    await this.running;
  }
}
