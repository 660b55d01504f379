import { type Kysely, sql } from 'kysely';
import type { AlertEvent, AlertSeverity } from '../domain/alerts/alert.types.ts';
import { alertEventForKind, WATCHED_EVENT_KINDS } from '../domain/alerts/alert.types.ts';
import { type DeviceLabel, deviceAlertText, flappingText, runFailedText } from '../domain/alerts/alert-message.ts';
import { decideFlap } from '../domain/alerts/flap-damping.ts';
import { isQuiet, quietUntil } from '../domain/alerts/quiet-hours.ts';
import { isLocallyAdministered, randomizedGroupKey } from '../domain/alerts/randomized-mac.ts';
import { type DeviceFacts, matchesFilters } from '../domain/alerts/rule-matching.ts';
import type { AlertChannelRow, AlertRuleRow } from './alert-config.repository.ts';
import type { Schema } from './schema.ts';

export interface EngineSettings {
  /** Events younger than this are read but the cursor stays below them (a slower transaction may still commit ids below). */
  settleMs: number;
  /** Most events, runs and pending alerts handled per pass. */
  batchSize: number;
  /** Attempts per delivery before it is failed. */
  maxAttempts: number;
}

export interface PassResult {
  events: number;
  runs: number;
  released: number;
  alerts: number;
  deliveries: number;
}

interface EventRow {
  id: string;
  device_id: string;
  kind: string;
  event_at: string;
  run_id: string | null;
  details: Record<string, unknown>;
}

interface DeviceRow {
  id: string;
  display_name: string | null;
  vendor: string | null;
  ip: string | null;
  tags: string[];
  macs: string[] | null;
  ips: string[] | null;
  watched: boolean;
}

interface NewAlert {
  rule: AlertRuleRow;
  kind: string;
  dedupeKey: string;
  deviceId: string | null;
  runId: string | null;
  eventId: string | null;
  groupKey?: string | null;
  status: 'pending' | 'fired' | 'suppressed';
  suppressedReason?: string | null;
  title: string;
  message: string;
  details: Record<string, unknown>;
  dueAt?: Date;
}

type Trx = Kysely<Schema>;

/**
 * One pass of the alert engine (docs/alerts.md): in one transaction that holds the engine's state
 * row, read new device events by cursor and failed runs, raise alerts for the rules that match,
 * release "new device" alerts whose delay is over, and put deliveries in the outbox. Holding the
 * row makes passes of several workers take turns; marks and the unique (rule, dedupe key) make
 * each event and run count once even when a pass is repeated after a crash.
 */
export class AlertEngineRepository {
  constructor(
    private readonly db: Kysely<Schema>,
    private readonly settings: EngineSettings,
  ) {}

  async pass(rules: readonly AlertRuleRow[], channels: readonly AlertChannelRow[], now: Date): Promise<PassResult> {
    return this.db.transaction().execute(async (trx) => {
      const pass = new Pass(trx, this.settings, rules, channels, now);
      return pass.run();
    });
  }
}

class Pass {
  private readonly result: PassResult = { events: 0, runs: 0, released: 0, alerts: 0, deliveries: 0 };
  private readonly channels: Map<string, AlertChannelRow>;

  constructor(
    private readonly trx: Trx,
    private readonly settings: EngineSettings,
    private readonly rules: readonly AlertRuleRow[],
    channels: readonly AlertChannelRow[],
    private readonly now: Date,
  ) {
    this.channels = new Map(channels.map((channel) => [channel.id, channel]));
  }

  private get nowText(): string {
    return this.now.toISOString();
  }

  async run(): Promise<PassResult> {
    const { trx } = this;
    const { rows: states } = await sql<{ event_cursor: string; runs_since: string }>`
      SELECT event_cursor::text AS event_cursor, runs_since FROM alert_engine_state WHERE id = 1 FOR UPDATE`.execute(
      trx,
    );
    const state = states[0];
    // No rule was ever created: there is nothing to read from.
    if (!state) return this.result;
    await this.readEvents(state.event_cursor);
    await this.readRuns(state.runs_since);
    await this.releasePending();
    return this.result;
  }

  private async readEvents(cursor: string): Promise<void> {
    const { trx, settings } = this;
    const { rows } = await sql<EventRow>`
      SELECT e.id::text AS id, e.device_id, e.kind, e.event_at, e.run_id, e.details
        FROM device_events e
       WHERE e.id > ${cursor}::bigint AND e.kind = ANY(${sql.val([...WATCHED_EVENT_KINDS])}::text[])
         AND NOT EXISTS (SELECT 1 FROM alert_event_marks m WHERE m.event_id = e.id)
       ORDER BY e.id
       LIMIT ${settings.batchSize}`.execute(trx);
    for (const event of rows) {
      const alertEvent = alertEventForKind(event.kind);
      for (const rule of this.rules) {
        if (alertEvent && rule.event === alertEvent) await this.onDeviceEvent(rule, alertEvent, event);
      }
    }
    if (rows.length > 0) {
      await sql`INSERT INTO alert_event_marks (event_id) SELECT unnest(${sql.val(rows.map((r) => r.id))}::bigint[])
                ON CONFLICT DO NOTHING`.execute(trx);
    }
    this.result.events = rows.length;
    // Move the cursor past events that are old enough, but never past one not read yet.
    const settled = new Date(this.now.getTime() - settings.settleMs).toISOString();
    const { rows: maxRows } = await sql<{ max: string | null }>`
      SELECT max(id)::text AS max FROM device_events WHERE id > ${cursor}::bigint AND event_at < ${settled}::timestamptz`.execute(
      trx,
    );
    let next = BigInt(maxRows[0]?.max ?? cursor);
    const last = rows.at(-1);
    if (rows.length >= settings.batchSize && last && BigInt(last.id) < next) next = BigInt(last.id);
    if (next > BigInt(cursor)) {
      await sql`UPDATE alert_engine_state SET event_cursor = ${next.toString()}::bigint, updated_at = now() WHERE id = 1`.execute(
        trx,
      );
      await sql`DELETE FROM alert_event_marks WHERE event_id <= ${next.toString()}::bigint`.execute(trx);
    }
  }

  private async readRuns(since: string): Promise<void> {
    const { trx, settings } = this;
    const { rows } = await sql<{ id: string; scope: string | null; last_error: string | null; completed_at: string }>`
      SELECT r.id, r.scope, r.last_error, r.completed_at FROM discovery_runs r
       WHERE r.status = 'failed' AND r.completed_at >= ${since}::timestamptz
         AND NOT EXISTS (SELECT 1 FROM alert_run_marks m WHERE m.run_id = r.id)
       ORDER BY r.completed_at, r.id
       LIMIT ${settings.batchSize}`.execute(trx);
    for (const run of rows) {
      await sql`INSERT INTO alert_run_marks (run_id, marked_at) VALUES (${run.id}::uuid, ${this.nowText}::timestamptz)
                ON CONFLICT DO NOTHING`.execute(trx);
      for (const rule of this.rules) {
        if (rule.event !== 'run_failed') continue;
        const text = runFailedText({ id: run.id, scope: run.scope, error: run.last_error });
        await this.raise({
          rule,
          kind: 'run_failed',
          dedupeKey: `run:${run.id}`,
          deviceId: null,
          runId: run.id,
          eventId: null,
          status: 'fired',
          ...text,
          details: { run_id: run.id, scope: run.scope, error: run.last_error, completed_at: run.completed_at },
        });
      }
    }
    this.result.runs = rows.length;
    // Runs are looked at for a day after they end; older marks are no longer needed.
    const horizon = new Date(this.now.getTime() - 86_400_000).toISOString();
    await sql`UPDATE alert_engine_state SET runs_since = GREATEST(runs_since, ${horizon}::timestamptz) WHERE id = 1`.execute(
      this.trx,
    );
    await sql`DELETE FROM alert_run_marks WHERE marked_at < ${horizon}::timestamptz - interval '1 day'`.execute(
      this.trx,
    );
  }

  private async onDeviceEvent(rule: AlertRuleRow, event: AlertEvent, row: EventRow): Promise<void> {
    if (event === 'run_failed') return;
    if (event === 'new_device') {
      // Held back until names and vendor had a chance to resolve; judged when released.
      await this.raise({
        rule,
        kind: 'new_device',
        dedupeKey: `event:${row.id}`,
        deviceId: row.device_id,
        runId: row.run_id,
        eventId: row.id,
        status: 'pending',
        title: 'New device (pending)',
        message: 'waiting for names and vendor to resolve',
        details: row.details,
        dueAt: new Date(new Date(row.event_at).getTime() + rule.new_device_delay_s * 1000),
      });
      return;
    }
    if (event === 'ip_changed' && (await this.addedWithDevice(row))) return;
    const device = await this.device(row.device_id);
    if (!device || !matchesFilters(rule.filters, facts(device))) return;
    const label = labelOf(device);
    if (event === 'ip_changed') {
      const previous = await this.previousIp(row);
      const text = deviceAlertText('ip_changed', label, row.details, { previousIps: previous ? [previous] : [] });
      await this.raiseFor(rule, event, row, text, { ...row.details, ...(previous ? { previous_ip: previous } : {}) });
      return;
    }
    if (event === 'device_offline' || event === 'device_online') {
      if (await this.flapping(rule, row, label)) return;
    }
    await this.raiseFor(rule, event, row, deviceAlertText(event, label, row.details), row.details);
  }

  private async raiseFor(
    rule: AlertRuleRow,
    event: AlertEvent,
    row: EventRow,
    text: { title: string; message: string },
    details: Record<string, unknown>,
  ): Promise<void> {
    await this.raise({
      rule,
      kind: event,
      dedupeKey: `event:${row.id}`,
      deviceId: row.device_id,
      runId: row.run_id,
      eventId: row.id,
      status: 'fired',
      ...text,
      details: { ...details, event_id: Number(row.id), event_at: row.event_at },
    });
  }

  /**
   * The first addresses of a new device are part of "new device", not an IP change: written by the
   * same run, or (imports, manual creation) in the same transaction, which shows as the same xmin.
   */
  private async addedWithDevice(row: EventRow): Promise<boolean> {
    const { rows } = await sql`
      SELECT 1 FROM device_events c
       WHERE c.device_id = ${row.device_id}::uuid AND c.kind = 'device_created' AND c.id <= ${row.id}::bigint
         AND ((${row.run_id}::uuid IS NOT NULL AND c.run_id = ${row.run_id}::uuid)
              OR c.xmin::text = (SELECT x.xmin::text FROM device_events x WHERE x.id = ${row.id}::bigint))
       LIMIT 1`.execute(this.trx);
    return rows.length > 0;
  }

  private async previousIp(row: EventRow): Promise<string | undefined> {
    const { rows } = await sql<{ ip: string | null }>`
      SELECT details->>'ip' AS ip FROM device_events
       WHERE device_id = ${row.device_id}::uuid AND kind = 'ip_added' AND id < ${row.id}::bigint
         AND details->>'ip' IS DISTINCT FROM ${String(row.details.ip ?? '')}
       ORDER BY id DESC LIMIT 1`.execute(this.trx);
    return rows[0]?.ip ?? undefined;
  }

  /** Flap damping for online/offline transitions; true when this transition is not to be alerted. */
  private async flapping(rule: AlertRuleRow, row: EventRow, label: DeviceLabel): Promise<boolean> {
    const { trx } = this;
    const at = new Date(row.event_at);
    const windowMs = rule.flap_window_s * 1000;
    const { rows: states } = await sql<{ flapping_since: string; last_transition_at: string }>`
      SELECT flapping_since, last_transition_at FROM alert_flaps
       WHERE rule_id = ${rule.id}::uuid AND device_id = ${row.device_id}::uuid`.execute(trx);
    const stored = states[0];
    const { rows: counts } = await sql<{ n: string }>`
      SELECT count(*)::text AS n FROM device_events
       WHERE device_id = ${row.device_id}::uuid AND kind IN ('went_offline', 'came_online')
         AND event_at > ${row.event_at}::timestamptz - make_interval(secs => ${rule.flap_window_s})
         AND id <= ${row.id}::bigint`.execute(trx);
    const decision = decideFlap({
      state: stored
        ? { flappingSince: new Date(stored.flapping_since), lastTransitionAt: new Date(stored.last_transition_at) }
        : undefined,
      at,
      transitionsInWindow: Number(counts[0]?.n ?? 0),
      threshold: rule.flap_threshold,
      windowMs,
    });
    if (decision.action === 'suppress') {
      await sql`UPDATE alert_flaps SET last_transition_at = ${row.event_at}::timestamptz
                 WHERE rule_id = ${rule.id}::uuid AND device_id = ${row.device_id}::uuid`.execute(trx);
      return true;
    }
    if (decision.action === 'start_flapping') {
      await sql`
        INSERT INTO alert_flaps (rule_id, device_id, flapping_since, last_transition_at)
        VALUES (${rule.id}::uuid, ${row.device_id}::uuid, ${row.event_at}::timestamptz, ${row.event_at}::timestamptz)
        ON CONFLICT (rule_id, device_id) DO UPDATE
           SET flapping_since = EXCLUDED.flapping_since, last_transition_at = EXCLUDED.last_transition_at`.execute(trx);
      const transitions = Number(counts[0]?.n ?? 0);
      await this.raise({
        rule,
        kind: 'flapping',
        dedupeKey: `flap:${row.device_id}:${row.id}`,
        deviceId: row.device_id,
        runId: row.run_id,
        eventId: row.id,
        status: 'fired',
        ...flappingText(label, transitions, rule.flap_window_s),
        details: { transitions, window_s: rule.flap_window_s, event_id: Number(row.id) },
      });
      return true;
    }
    if (decision.clear) {
      await sql`DELETE FROM alert_flaps WHERE rule_id = ${rule.id}::uuid AND device_id = ${row.device_id}::uuid`.execute(
        trx,
      );
    }
    return false;
  }

  /** "New device" alerts whose delay is over: judged now, with the names and vendor resolved since. */
  private async releasePending(): Promise<void> {
    const { trx } = this;
    const { rows } = await sql<{
      id: string;
      rule_id: string;
      device_id: string | null;
      details: Record<string, unknown>;
    }>`
      SELECT id, rule_id, device_id, details FROM alerts
       WHERE status = 'pending' AND due_at <= ${this.nowText}::timestamptz
       ORDER BY due_at, id
       LIMIT ${this.settings.batchSize}
       FOR UPDATE`.execute(trx);
    const rules = new Map(this.rules.map((rule) => [rule.id, rule]));
    for (const pending of rows) {
      this.result.released += 1;
      const rule = rules.get(pending.rule_id);
      const device = pending.device_id ? await this.device(pending.device_id) : undefined;
      if (!rule || !device) {
        await this.settle(pending.id, 'suppressed', rule ? 'device_deleted' : 'rule_disabled');
        continue;
      }
      if (!matchesFilters(rule.filters, facts(device))) {
        await this.settle(pending.id, 'suppressed', 'filtered');
        continue;
      }
      const label = labelOf(device);
      const macs = device.macs ?? [];
      const randomized = macs.length > 0 && macs.every((mac) => isLocallyAdministered(mac));
      let groupKey: string | null = null;
      let groupCount: number | undefined;
      if (randomized && rule.randomized_mac_policy === 'ignore') {
        await this.settle(pending.id, 'suppressed', 'randomized_mac');
        continue;
      }
      if (randomized && rule.randomized_mac_policy === 'group') {
        groupKey = randomizedGroupKey(device.display_name, device.vendor);
        const { rows: recent } = await sql<{ n: string; fired: string }>`
          SELECT count(*)::text AS n, count(*) FILTER (WHERE status = 'fired')::text AS fired FROM alerts
           WHERE rule_id = ${rule.id}::uuid AND group_key = ${groupKey}
             AND created_at > ${this.nowText}::timestamptz - make_interval(secs => ${rule.group_window_s})
             AND status IN ('fired', 'suppressed')`.execute(trx);
        groupCount = Number(recent[0]?.n ?? 0) + 1;
        if (Number(recent[0]?.fired ?? 0) > 0) {
          await this.settle(pending.id, 'suppressed', 'randomized_mac_group', groupKey);
          continue;
        }
      }
      const quiet = this.quiet(rule);
      if (quiet === 'drop') {
        await this.settle(pending.id, 'suppressed', 'quiet_hours', groupKey);
        continue;
      }
      const text = deviceAlertText('new_device', label, pending.details, { groupCount });
      const details = {
        ...pending.details,
        device: { name: label.name, vendor: label.vendor, ip: label.ip, mac: label.mac },
        randomized_mac: randomized,
      };
      const { rows: updated } = await sql<{ id: string }>`
        UPDATE alerts SET status = 'fired', title = ${text.title}, message = ${text.message},
                          details = ${JSON.stringify(details)}::jsonb, group_key = ${groupKey},
                          created_at = ${this.nowText}::timestamptz
         WHERE id = ${pending.id}::uuid RETURNING id`.execute(trx);
      if (updated[0]) {
        this.result.alerts += 1;
        await this.deliver(rule, pending.id, text.title, device.id, quiet);
      }
    }
  }

  private async settle(id: string, status: 'suppressed', reason: string, groupKey: string | null = null) {
    await sql`UPDATE alerts SET status = ${status}, suppressed_reason = ${reason}, group_key = ${groupKey},
                                created_at = ${this.nowText}::timestamptz
               WHERE id = ${id}::uuid`.execute(this.trx);
  }

  private async raise(alert: NewAlert): Promise<void> {
    const { rule } = alert;
    let status = alert.status;
    let reason = alert.suppressedReason ?? null;
    const quiet = status === 'fired' ? this.quiet(rule) : undefined;
    if (quiet === 'drop') {
      status = 'suppressed';
      reason = 'quiet_hours';
    }
    const { rows } = await sql<{ id: string }>`
      INSERT INTO alerts (rule_id, kind, dedupe_key, device_id, run_id, event_id, group_key, severity, status,
                          suppressed_reason, title, message, details, due_at, created_at)
      VALUES (${rule.id}::uuid, ${alert.kind}, ${alert.dedupeKey}, ${alert.deviceId}::uuid, ${alert.runId}::uuid,
              ${alert.eventId}::bigint, ${alert.groupKey ?? null}, ${rule.severity}, ${status}, ${reason},
              ${alert.title}, ${alert.message}, ${JSON.stringify(alert.details)}::jsonb,
              ${(alert.dueAt ?? this.now).toISOString()}::timestamptz, ${this.nowText}::timestamptz)
      ON CONFLICT (rule_id, dedupe_key) DO NOTHING
      RETURNING id`.execute(this.trx);
    const id = rows[0]?.id;
    if (!id || status !== 'fired') return;
    this.result.alerts += 1;
    await this.deliver(rule, id, alert.title, alert.deviceId, quiet);
  }

  /** The rule's quiet hours now: undefined (not quiet, or a critical rule), 'drop', or the time to hold until. */
  private quiet(rule: AlertRuleRow): 'drop' | Date | undefined {
    if (rule.severity === 'critical' || !rule.quiet_hours || !isQuiet(rule.quiet_hours, this.now)) return undefined;
    return rule.quiet_hours.mode === 'drop' ? 'drop' : quietUntil(rule.quiet_hours, this.now);
  }

  /** Puts the alert in the outbox of each of the rule's enabled channels (or into their open digest). */
  private async deliver(
    rule: AlertRuleRow,
    alertId: string,
    title: string,
    deviceId: string | null,
    quiet?: 'drop' | Date,
  ): Promise<void> {
    const holdUntil = quiet instanceof Date ? quiet : undefined;
    for (const channelId of rule.channel_ids) {
      const channel = this.channels.get(channelId);
      if (!channel?.enabled) continue;
      this.result.deliveries += 1;
      await enqueueDelivery(this.trx, {
        channel,
        alertId,
        ruleId: rule.id,
        deviceId,
        severity: rule.severity,
        title,
        now: this.now,
        holdUntil,
        maxAttempts: this.settings.maxAttempts,
      });
    }
  }

  private async device(id: string): Promise<DeviceRow | undefined> {
    const { rows } = await sql<DeviceRow>`
      SELECT d.id, d.display_name, d.vendor, host(d.primary_ip) AS ip, d.tags,
             (SELECT array_agg(DISTINCT m.mac::text) FROM mac_addresses m
               WHERE m.stale_since IS NULL
                 AND (m.device_id = d.id OR m.interface_id IN (SELECT i.id FROM interfaces i WHERE i.device_id = d.id))) AS macs,
             (SELECT array_agg(DISTINCT host(a.ip)) FROM ip_addresses a
               WHERE a.stale_since IS NULL
                 AND (a.device_id = d.id OR a.interface_id IN (SELECT i.id FROM interfaces i WHERE i.device_id = d.id))) AS ips,
             EXISTS (SELECT 1 FROM device_watch w WHERE w.device_id = d.id) AS watched
        FROM devices d WHERE d.id = ${id}::uuid`.execute(this.trx);
    return rows[0];
  }
}

function facts(device: DeviceRow): DeviceFacts {
  return { tags: device.tags, vendor: device.vendor, ips: device.ips ?? [], watched: device.watched };
}

function labelOf(device: DeviceRow): DeviceLabel {
  const macs = [...(device.macs ?? [])].sort();
  return { id: device.id, name: device.display_name, vendor: device.vendor, ip: device.ip, mac: macs[0] ?? null };
}

export interface EnqueueInput {
  channel: AlertChannelRow;
  alertId: string;
  ruleId: string | null;
  deviceId: string | null;
  severity: AlertSeverity;
  title: string;
  now: Date;
  holdUntil?: Date | undefined;
  maxAttempts: number;
}

/**
 * An immediate channel gets one delivery per alert; a digest channel collects alerts into its one
 * open (`collecting`) delivery, sent when its interval is over.
 */
export async function enqueueDelivery(trx: Trx, input: EnqueueInput): Promise<void> {
  const { channel, now } = input;
  if (channel.digest_interval_s) {
    const due = new Date(now.getTime() + channel.digest_interval_s * 1000).toISOString();
    await sql`
      INSERT INTO alert_deliveries (channel_id, kind, alert_ids, severity, title, status, max_attempts, next_attempt_at,
                                    created_at, updated_at)
      VALUES (${channel.id}::uuid, 'digest', ARRAY[${input.alertId}::uuid], ${input.severity}, 'Digest: 1 alert',
              'collecting', ${input.maxAttempts}, ${due}::timestamptz, ${now.toISOString()}::timestamptz, now())
      ON CONFLICT (channel_id) WHERE status = 'collecting' DO UPDATE
         SET alert_ids = alert_deliveries.alert_ids || EXCLUDED.alert_ids,
             title = 'Digest: ' || (cardinality(alert_deliveries.alert_ids) + 1)::text || ' alerts',
             severity = CASE WHEN 'critical' IN (alert_deliveries.severity, EXCLUDED.severity) THEN 'critical'
                             WHEN 'warning' IN (alert_deliveries.severity, EXCLUDED.severity) THEN 'warning'
                             ELSE 'info' END,
             updated_at = now()`.execute(trx);
    return;
  }
  const held = input.holdUntil !== undefined;
  await sql`
    INSERT INTO alert_deliveries (channel_id, kind, alert_ids, rule_id, device_id, severity, title, status, max_attempts,
                                  next_attempt_at, created_at, updated_at)
    VALUES (${channel.id}::uuid, 'alert', ARRAY[${input.alertId}::uuid], ${input.ruleId}::uuid, ${input.deviceId}::uuid,
            ${input.severity}, ${input.title}, ${held ? 'held' : 'queued'}, ${input.maxAttempts},
            ${(input.holdUntil ?? now).toISOString()}::timestamptz, ${now.toISOString()}::timestamptz, now())`.execute(
    trx,
  );
}
