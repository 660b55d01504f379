import nodemailer from 'nodemailer';
import type { AlertSeverity, ChannelType } from '../../domain/alerts/alert.types.ts';
import { webhookSignature } from '../../domain/alerts/delivery-policy.ts';
import type { AlertChannelRow } from '../../storage/alert-config.repository.ts';
import type { AlertForMessage } from '../../storage/alert-deliveries.repository.ts';

/** What every channel sends: the webhook JSON body as is; ntfy and e-mail take title and message. */
export interface AlertMessage {
  delivery_id: string;
  kind: 'alert' | 'digest' | 'test';
  title: string;
  message: string;
  severity: AlertSeverity;
  sent_at: string;
  alerts: Array<{
    id: string;
    rule_id: string;
    rule_name?: string;
    event: string;
    severity: AlertSeverity;
    title: string;
    message: string;
    device_id?: string;
    run_id?: string;
    details: Record<string, unknown>;
    created_at: string;
  }>;
}

export function messageAlerts(rows: readonly AlertForMessage[]): AlertMessage['alerts'] {
  return rows.map((row) => ({
    id: row.id,
    rule_id: row.rule_id,
    ...(row.rule_name ? { rule_name: row.rule_name } : {}),
    event: row.kind,
    severity: row.severity,
    title: row.title,
    message: row.message,
    ...(row.device_id ? { device_id: row.device_id } : {}),
    ...(row.run_id ? { run_id: row.run_id } : {}),
    details: row.details,
    created_at: row.created_at,
  }));
}

/** A send that did not work; `message` is the reason recorded on the delivery. */
export class SendError extends Error {}

export type ChannelSender = (channel: AlertChannelRow, message: AlertMessage, timeoutMs: number) => Promise<void>;

function setting(channel: AlertChannelRow, key: string): string | undefined {
  const value = channel.config[key];
  return typeof value === 'string' && value !== '' ? value : undefined;
}

function reason(error: unknown): string {
  if (error instanceof SendError) return error.message;
  const err = error as { name?: string; message?: string; cause?: { code?: string; message?: string } };
  if (err.name === 'TimeoutError' || err.name === 'AbortError') return 'timed out';
  const cause = err.cause?.code ?? err.cause?.message;
  return [err.message ?? String(error), cause].filter(Boolean).join(': ');
}

async function post(url: string, body: string, headers: Record<string, string>, timeoutMs: number): Promise<void> {
  let response: Response;
  try {
    response = await fetch(url, {
      method: 'POST',
      body,
      headers,
      redirect: 'manual',
      signal: AbortSignal.timeout(timeoutMs),
    });
  } catch (error) {
    throw new SendError(reason(error));
  }
  // The answer's body is not needed: cancel it (never read an unbounded body) to free the connection.
  await response.body?.cancel().catch(() => undefined);
  if (response.status < 200 || response.status > 299) {
    throw new SendError(`HTTP ${response.status}${response.statusText ? ` ${response.statusText}` : ''}`);
  }
}

const webhook: ChannelSender = async (channel, message, timeoutMs) => {
  const url = setting(channel, 'url');
  if (!url) throw new SendError('webhook url is not set');
  const body = JSON.stringify(message);
  const timestamp = String(Math.floor(Date.now() / 1000));
  const headers: Record<string, string> = {
    'content-type': 'application/json',
    'user-agent': 'roller-alerts',
    'x-roller-delivery': message.delivery_id,
    'x-roller-timestamp': timestamp,
  };
  if (channel.secret) headers['x-roller-signature'] = webhookSignature(channel.secret, timestamp, body);
  await post(url, body, headers, timeoutMs);
};

const NTFY_PRIORITY: Record<AlertSeverity, number> = { info: 3, warning: 4, critical: 5 };

/** ntfy's JSON publishing (POST to the server root with the topic in the body): no header encoding limits. */
const ntfy: ChannelSender = async (channel, message, timeoutMs) => {
  const server = (setting(channel, 'server_url') ?? 'https://ntfy.sh').replace(/\/+$/, '');
  const topic = setting(channel, 'topic');
  if (!topic) throw new SendError('ntfy topic is not set');
  const headers: Record<string, string> = { 'content-type': 'application/json', 'user-agent': 'roller-alerts' };
  if (channel.secret) headers.authorization = `Bearer ${channel.secret}`;
  const body = JSON.stringify({
    topic,
    title: message.title,
    message: message.message,
    priority: NTFY_PRIORITY[message.severity],
    tags: ['roller', message.severity],
  });
  await post(`${server}/`, body, headers, timeoutMs);
};

const email: ChannelSender = async (channel, message, timeoutMs) => {
  const host = setting(channel, 'host');
  const from = setting(channel, 'from');
  const to = Array.isArray(channel.config.to) ? (channel.config.to as string[]) : [];
  if (!host || !from || to.length === 0) throw new SendError('e-mail host, from and to must be set');
  const port = typeof channel.config.port === 'number' ? channel.config.port : 587;
  const tls = setting(channel, 'tls') ?? 'starttls';
  const username = setting(channel, 'username');
  const transport = nodemailer.createTransport({
    host,
    port,
    secure: tls === 'tls',
    requireTLS: tls === 'starttls',
    ignoreTLS: tls === 'none',
    ...(username ? { auth: { user: username, pass: channel.secret ?? '' } } : {}),
    connectionTimeout: timeoutMs,
    greetingTimeout: timeoutMs,
    socketTimeout: timeoutMs,
  });
  try {
    await transport.sendMail({
      from,
      to,
      subject: message.title,
      text: `${message.message}\n\n-- \nRoller alert delivery ${message.delivery_id} (${message.severity})\n`,
      headers: { 'X-Roller-Delivery': message.delivery_id },
    });
  } catch (error) {
    throw new SendError(reason(error));
  } finally {
    transport.close();
  }
};

/** One sender per channel type: the registry the delivery code looks types up in. */
export const CHANNEL_SENDERS: Readonly<Record<ChannelType, ChannelSender>> = { webhook, ntfy, email };

export function sendFailureReason(error: unknown): string {
  return reason(error).slice(0, 500);
}
