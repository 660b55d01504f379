import type { Logger } from 'pino';
import type { PresenceConfig } from '../config/config.ts';
import type { Database } from '../storage/database.ts';
import { PresenceRepository } from '../storage/presence.repository.ts';

/**
 * Evaluates device presence every DEVICE_PRESENCE_INTERVAL and whenever asked (after a run), one
 * evaluation at a time. Several workers may run one each: the repository's UPDATE makes each
 * transition an event exactly once.
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
          const transitions = await this.presence.evaluate(this.config.offlineAfterMs);
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

  /** Stops the timer and waits for an evaluation in progress. */
  async stop(): Promise<void> {
    this.stopped = true;
    clearInterval(this.timer);
    await this.running;
  }
}
