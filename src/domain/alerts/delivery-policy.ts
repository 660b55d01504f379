import { createHmac, timingSafeEqual } from 'node:crypto';

/** Exponential backoff: base, 2×base, 4×base … capped at max. `attempt` is the one that just failed (1-based). */
export function retryDelayMs(attempt: number, baseMs: number, maxMs: number): number {
  return Math.min(maxMs, baseMs * 2 ** Math.max(0, Math.min(attempt - 1, 30)));
}

/**
 * The webhook signature: HMAC-SHA256 over `<timestamp>.<raw body>` with the channel secret, as
 * `sha256=<hex>`. The timestamp (Unix seconds) travels in `X-Roller-Timestamp`, so a receiver can
 * refuse old messages and a replayed body cannot be given a fresh timestamp without the secret.
 */
export function webhookSignature(secret: string, timestamp: string, body: string): string {
  return `sha256=${createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex')}`;
}

/** The receiver's check, in constant time (used by tests and documented for receivers). */
export function verifyWebhookSignature(secret: string, timestamp: string, body: string, header: string): boolean {
  const expected = Buffer.from(webhookSignature(secret, timestamp, body));
  const given = Buffer.from(header);
  return expected.length === given.length && timingSafeEqual(expected, given);
}
