import type { ChannelType } from '../../domain/alerts/alert.types.ts';
import { digestText, maxSeverity } from '../../domain/alerts/alert-message.ts';
import { retryDelayMs } from '../../domain/alerts/delivery-policy.ts';
import { isQuiet, quietUntil } from '../../domain/alerts/quiet-hours.ts';
import type { AlertChannelRow, AlertConfigRepository } from '../../storage/alert-config.repository.ts';
import type {
  AlertDeliveriesRepository,
  DeliveryRow,
  DeliveryStatus,
} from '../../storage/alert-deliveries.repository.ts';
import {
  type AlertMessage,
  CHANNEL_SENDERS,
  type ChannelSender,
  messageAlerts,
  sendFailureReason,
} from './alert-senders.ts';

export interface DeliverySettings {
  /** Whole-send limit (connect, TLS, request, answer). */
  timeoutMs: number;
  retryBaseMs: number;
  retryMaxMs: number;
}

export type DeliveryOutcome = 'sent' | 'failed' | 'retrying' | 'dropped' | 'held';

/** Counts outcomes for Prometheus (`roller_alert_deliveries_total{channel_type,outcome}`). */
export type DeliveryObserver = (channelType: ChannelType, outcome: DeliveryOutcome) => void;

/**
 * Sends one claimed delivery: honours the channel's quiet hours, renders the message from the
 * alerts it carries, sends with a hard time limit and records the attempt (sent, retrying at …,
 * or failed for good after the last attempt). Never throws for a failed send.
 */
export class AlertDeliveryService {
  constructor(
    private readonly config: AlertConfigRepository,
    private readonly deliveries: AlertDeliveriesRepository,
    private readonly settings: DeliverySettings,
    private readonly observe: DeliveryObserver = () => {},
    private readonly senders: Readonly<Record<ChannelType, ChannelSender>> = CHANNEL_SENDERS,
  ) {}

  async deliver(delivery: DeliveryRow, now: Date): Promise<DeliveryOutcome> {
    const channel = await this.config.getChannel(delivery.channel_id);
    if (!channel) {
      await this.deliveries.drop(delivery.id, 'channel deleted');
      return 'dropped';
    }
    if (!channel.enabled && delivery.kind !== 'test') {
      await this.deliveries.drop(delivery.id, 'channel disabled');
      this.observe(channel.type, 'dropped');
      return 'dropped';
    }
    if (delivery.kind !== 'test' && delivery.severity !== 'critical' && isQuiet(channel.quiet_hours, now)) {
      if (channel.quiet_hours?.mode === 'drop') {
        await this.deliveries.drop(delivery.id, 'quiet hours');
        this.observe(channel.type, 'dropped');
        return 'dropped';
      }
      if (channel.quiet_hours) {
        await this.deliveries.hold(delivery.id, quietUntil(channel.quiet_hours, now));
        this.observe(channel.type, 'held');
        return 'held';
      }
    }
    const message = await this.message(delivery, now);
    const started = performance.now();
    let error: string | undefined;
    try {
      await this.sendWithin(channel, message);
    } catch (failure) {
      error = sendFailureReason(failure);
    }
    const attempt = delivery.attempts + 1;
    const retryAt =
      error !== undefined && attempt < delivery.max_attempts
        ? new Date(now.getTime() + retryDelayMs(attempt, this.settings.retryBaseMs, this.settings.retryMaxMs))
        : undefined;
    const status: DeliveryStatus = await this.deliveries.recordAttempt(delivery.id, {
      ok: error === undefined,
      ...(error === undefined ? {} : { error }),
      durationMs: performance.now() - started,
      at: now,
      retryAt,
    });
    const outcome = status as DeliveryOutcome;
    this.observe(channel.type, outcome);
    return outcome;
  }

  /** The test button: one message now, recorded as a `test` delivery with its one attempt. */
  async test(channel: AlertChannelRow, now: Date): Promise<DeliveryRow> {
    const id = await this.deliveries.createTest(channel.id, `Roller test message to ${channel.name}`, now);
    const row = await this.deliveries.get(id);
    if (!row) throw new Error('test delivery vanished');
    await this.deliver(row, now);
    return (await this.deliveries.get(id)) ?? row;
  }

  private async sendWithin(channel: AlertChannelRow, message: AlertMessage): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    const limit = new Promise<never>((_resolve, reject) => {
      timer = setTimeout(() => reject(new Error('timed out')), this.settings.timeoutMs + 1000);
    });
    try {
      await Promise.race([this.senders[channel.type](channel, message, this.settings.timeoutMs), limit]);
    } finally {
      clearTimeout(timer);
    }
  }

  private async message(delivery: DeliveryRow, now: Date): Promise<AlertMessage> {
    const base = { delivery_id: delivery.id, kind: delivery.kind, sent_at: now.toISOString() };
    if (delivery.kind === 'test') {
      return {
        ...base,
        title: delivery.title,
        message: 'This is a test message from Roller. If you can read it, the channel works.',
        severity: 'info',
        alerts: [],
      };
    }
    const rows = await this.deliveries.alertsOf(delivery.alert_ids);
    const alerts = messageAlerts(rows);
    if (delivery.kind === 'digest') {
      const text = digestText(rows);
      return { ...base, ...text, severity: maxSeverity(rows.map((row) => row.severity)), alerts };
    }
    const first = rows[0];
    return {
      ...base,
      title: first?.title ?? delivery.title,
      message: first?.message ?? delivery.title,
      severity: first?.severity ?? delivery.severity,
      alerts,
    };
  }
}
