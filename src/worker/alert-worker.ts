import type { Logger } from 'pino';
import { AlertDeliveryService, type DeliveryObserver } from '../api/services/alert-delivery.service.ts';
import type { AlertsConfig } from '../config/config.ts';
import { AlertConfigRepository } from '../storage/alert-config.repository.ts';
import { AlertDeliveriesRepository } from '../storage/alert-deliveries.repository.ts';
import { AlertEngineRepository, type PassResult } from '../storage/alert-engine.repository.ts';
import type { Database } from '../storage/database.ts';

export interface AlertWorkerOptions {
  database: Database;
  config: AlertsConfig;
  logger: Logger;
  observe?: DeliveryObserver;
  /** The clock (tests move it to cross quiet hours, delays and retry times). */
  now?: () => Date;
}

/** Rounds of claiming per delivery tick, so one tick is bounded even with a long queue. */
const MAX_DELIVERY_ROUNDS = 20;

/**
 * The alert engine and the delivery loop of one worker process, each on its own timer and each
 * one run at a time. Both only touch the alert tables (and read events and runs), so a slow or
 * dead channel can delay alerts but never discovery; every send has a time limit.
 */
export class AlertWorker {
  private readonly rules: AlertConfigRepository;
  private readonly engine: AlertEngineRepository;
  private readonly deliveries: AlertDeliveriesRepository;
  private readonly delivery: AlertDeliveryService;
  private readonly now: () => Date;
  private timers: NodeJS.Timeout[] = [];
  private passing: Promise<PassResult | undefined> | undefined;
  private delivering: Promise<number> | undefined;
  private stopped = false;

  constructor(private readonly options: AlertWorkerOptions) {
    const db = options.database.db;
    this.rules = new AlertConfigRepository(db);
    this.engine = new AlertEngineRepository(db, {
      settleMs: options.config.settleMs,
      batchSize: options.config.batchSize,
      maxAttempts: options.config.maxAttempts,
    });
    this.deliveries = new AlertDeliveriesRepository(db);
    this.delivery = new AlertDeliveryService(
      this.rules,
      this.deliveries,
      {
        timeoutMs: options.config.sendTimeoutMs,
        retryBaseMs: options.config.retryBaseMs,
        retryMaxMs: options.config.retryMaxMs,
      },
      options.observe,
    );
    this.now = options.now ?? (() => new Date());
  }

  start(): void {
    this.stopped = false;
    const { intervalMs } = this.options.config;
    const engine = setInterval(() => void this.pass(), intervalMs);
    const sender = setInterval(() => void this.deliver(), intervalMs);
    engine.unref();
    sender.unref();
    this.timers.push(engine, sender);
    this.options.logger.info({ interval_ms: intervalMs }, 'alert engine started');
  }

  async stop(): Promise<void> {
    this.stopped = true;
    for (const timer of this.timers) clearInterval(timer);
    this.timers = [];
    await Promise.allSettled([this.passing, this.delivering]);
  }

  /** One engine pass (or the one in progress). Never throws; failures are logged. */
  pass(): Promise<PassResult | undefined> {
    if (this.stopped) return Promise.resolve(undefined);
    this.passing ??= (async () => {
      try {
        const [rules, channels] = await Promise.all([this.rules.enabledRules(), this.rules.listChannels()]);
        const result = await this.engine.pass(rules, channels, this.now());
        if (result.alerts > 0) this.options.logger.info({ ...result }, 'alerts raised');
        return result;
      } catch (error) {
        this.options.logger.error({ err: error }, 'alert engine pass failed');
        return undefined;
      } finally {
        this.passing = undefined;
      }
    })();
    return this.passing;
  }

  /** Sends what is due (or waits for the round in progress); returns how many deliveries were handled. */
  deliver(): Promise<number> {
    if (this.stopped) return Promise.resolve(0);
    this.delivering ??= (async () => {
      let handled = 0;
      try {
        const { deliveryConcurrency, sendTimeoutMs } = this.options.config;
        for (let round = 0; round < MAX_DELIVERY_ROUNDS && !this.stopped; round++) {
          const now = this.now();
          const claimed = await this.deliveries.claimDue(now, sendTimeoutMs * 3 + 5000, deliveryConcurrency);
          await Promise.all(
            claimed.map((row) =>
              this.delivery.deliver(row, now).catch((error: unknown) => {
                this.options.logger.error({ err: error, delivery_id: row.id }, 'alert delivery failed');
              }),
            ),
          );
          handled += claimed.length;
          if (claimed.length < deliveryConcurrency) break;
        }
      } catch (error) {
        this.options.logger.error({ err: error }, 'alert delivery round failed');
      } finally {
        this.delivering = undefined;
      }
      return handled;
    })();
    return this.delivering;
  }

  /** A pass, then a delivery round: what one timer tick does, in order (tests call it). */
  async tick(): Promise<PassResult | undefined> {
    const result = await this.pass();
    await this.deliver();
    return result;
  }
}
