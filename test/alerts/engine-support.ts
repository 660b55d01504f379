import { sql } from 'kysely';
import type { AlertsConfig } from '../../src/config/config.ts';
import type { DeviceEventKind } from '../../src/domain/device-events.ts';
import { createLogger } from '../../src/shared/logger.ts';
import {
  type AlertChannelInput,
  AlertConfigRepository,
  type AlertRuleInput,
} from '../../src/storage/alert-config.repository.ts';
import type { Database } from '../../src/storage/database.ts';
import { recordDeviceEvents } from '../../src/storage/device-events.writer.ts';
import { AlertWorker } from '../../src/worker/alert-worker.ts';

export const TEST_ALERTS_CONFIG: AlertsConfig = {
  enabled: true,
  intervalMs: 60_000,
  settleMs: 0,
  batchSize: 500,
  maxAttempts: 3,
  retryBaseMs: 10,
  retryMaxMs: 40,
  sendTimeoutMs: 2000,
  deliveryConcurrency: 4,
};

export interface Clock {
  now: Date;
}

export function alertWorker(database: Database, clock?: Clock, config: Partial<AlertsConfig> = {}): AlertWorker {
  return new AlertWorker({
    database,
    config: { ...TEST_ALERTS_CONFIG, ...config },
    logger: createLogger('worker', 'silent'),
    ...(clock ? { now: () => clock.now } : {}),
  });
}

export async function addRule(database: Database, rule: Partial<AlertRuleInput> & Pick<AlertRuleInput, 'event'>) {
  return new AlertConfigRepository(database.db).insertRule({
    name: `${rule.event}-${Math.random().toString(36).slice(2, 8)}`,
    enabled: true,
    severity: 'warning',
    filters: {},
    channel_ids: [],
    new_device_delay_s: 0,
    randomized_mac_policy: 'alert',
    group_window_s: 86_400,
    flap_threshold: 0,
    flap_window_s: 3600,
    quiet_hours: null,
    ...rule,
  });
}

export async function addWebhook(database: Database, url: string, extra: Partial<AlertChannelInput> = {}) {
  return new AlertConfigRepository(database.db).insertChannel({
    name: `hook-${Math.random().toString(36).slice(2, 8)}`,
    type: 'webhook',
    enabled: true,
    config: { url },
    secret: 'test-secret',
    digest_interval_s: null,
    quiet_hours: null,
    ...extra,
  });
}

export interface DeviceSpec {
  name?: string | null;
  vendor?: string | null;
  mac?: string;
  ip?: string;
  tags?: string[];
}

/** A device with its facts and the device_created event, written as the fold writes it (one transaction). */
export async function newDevice(database: Database, spec: DeviceSpec = {}): Promise<string> {
  return database.db.transaction().execute(async (trx) => {
    const { rows } = await sql<{ id: string }>`
      INSERT INTO devices (display_name, vendor, primary_ip, tags)
      VALUES (${spec.name ?? null}, ${spec.vendor ?? null}, ${spec.ip ?? null}::inet, ${sql.val(spec.tags ?? [])}::text[])
      RETURNING id`.execute(trx);
    const id = (rows[0] as { id: string }).id;
    if (spec.mac)
      await sql`INSERT INTO mac_addresses (device_id, mac) VALUES (${id}, ${spec.mac}::macaddr)`.execute(trx);
    if (spec.ip) await sql`INSERT INTO ip_addresses (device_id, ip) VALUES (${id}, ${spec.ip}::inet)`.execute(trx);
    await recordDeviceEvents(trx, [
      { deviceId: id, kind: 'device_created', summary: 'Device discovered', details: { source: 'discovery' } },
    ]);
    return id;
  });
}

export async function addEvent(
  database: Database,
  deviceId: string,
  kind: DeviceEventKind,
  details: Record<string, unknown> = {},
  runId: string | null = null,
): Promise<void> {
  await recordDeviceEvents(database.db, [{ deviceId, kind, summary: kind, details, runId }]);
}

export async function alertsOf(database: Database, ruleId: string) {
  const { rows } = await sql<{
    id: string;
    kind: string;
    status: string;
    suppressed_reason: string | null;
    title: string;
    message: string;
    device_id: string | null;
    details: Record<string, unknown>;
  }>`SELECT id, kind, status, suppressed_reason, title, message, device_id, details FROM alerts
      WHERE rule_id = ${ruleId} ORDER BY created_at, event_id, id`.execute(database.db);
  return rows;
}

export async function deliveriesOf(database: Database, channelId: string) {
  const { rows } = await sql<{
    id: string;
    kind: string;
    status: string;
    attempts: number;
    last_error: string | null;
    alert_ids: string[];
    next_attempt_at: string;
  }>`SELECT id, kind, status, attempts, last_error, alert_ids::text[] AS alert_ids, next_attempt_at
       FROM alert_deliveries WHERE channel_id = ${channelId} ORDER BY created_at, id`.execute(database.db);
  return rows;
}

export async function attemptsOf(database: Database, deliveryId: string) {
  const { rows } = await sql<{ attempt: number; outcome: string; error: string | null }>`
    SELECT attempt, outcome, error FROM alert_delivery_attempts WHERE delivery_id = ${deliveryId}
     ORDER BY attempt`.execute(database.db);
  return rows;
}

/** Runs delivery rounds until `done` or the bound is reached (no timing assertions: only a bound). */
export async function deliverUntil(worker: AlertWorker, done: () => Promise<boolean>, rounds = 100): Promise<void> {
  for (let i = 0; i < rounds; i++) {
    if (await done()) return;
    await worker.deliver();
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
