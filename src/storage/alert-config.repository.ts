import { type Kysely, sql } from 'kysely';
import type {
  AlertEvent,
  AlertSeverity,
  ChannelType,
  QuietHours,
  RandomizedMacPolicy,
  RuleFilters,
} from '../domain/alerts/alert.types.ts';
import type { Schema } from './schema.ts';

export interface AlertRuleRow {
  id: string;
  name: string;
  enabled: boolean;
  event: AlertEvent;
  severity: AlertSeverity;
  filters: RuleFilters;
  channel_ids: string[];
  new_device_delay_s: number;
  randomized_mac_policy: RandomizedMacPolicy;
  group_window_s: number;
  flap_threshold: number;
  flap_window_s: number;
  quiet_hours: QuietHours | null;
  created_at: string;
  updated_at: string;
}

export type AlertRuleInput = Omit<AlertRuleRow, 'id' | 'created_at' | 'updated_at'>;

export interface AlertChannelRow {
  id: string;
  name: string;
  type: ChannelType;
  enabled: boolean;
  config: Record<string, unknown>;
  /** Write-only in the API: presenters turn it into `has_secret`. */
  secret: string | null;
  digest_interval_s: number | null;
  quiet_hours: QuietHours | null;
  created_at: string;
  updated_at: string;
}

export type AlertChannelInput = Omit<AlertChannelRow, 'id' | 'created_at' | 'updated_at'>;

const RULE_COLUMNS = sql`id, name, enabled, event, severity, filters, channel_ids::text[] AS channel_ids,
  new_device_delay_s, randomized_mac_policy, group_window_s, flap_threshold, flap_window_s, quiet_hours,
  created_at, updated_at`;
const CHANNEL_COLUMNS = sql`id, name, type, enabled, config, secret, digest_interval_s, quiet_hours, created_at, updated_at`;

const json = (value: unknown) => (value === null || value === undefined ? null : JSON.stringify(value));

/** Alert rules, channels and the per-device watch flag (migration 012). */
export class AlertConfigRepository {
  constructor(private readonly db: Kysely<Schema>) {}

  async listRules(): Promise<AlertRuleRow[]> {
    const { rows } = await sql<AlertRuleRow>`SELECT ${RULE_COLUMNS} FROM alert_rules ORDER BY name, id`.execute(
      this.db,
    );
    return rows;
  }

  async enabledRules(): Promise<AlertRuleRow[]> {
    const { rows } = await sql<AlertRuleRow>`
      SELECT ${RULE_COLUMNS} FROM alert_rules WHERE enabled ORDER BY created_at, id`.execute(this.db);
    return rows;
  }

  async getRule(id: string): Promise<AlertRuleRow | undefined> {
    const { rows } = await sql<AlertRuleRow>`SELECT ${RULE_COLUMNS} FROM alert_rules WHERE id = ${id}::uuid`.execute(
      this.db,
    );
    return rows[0];
  }

  /**
   * Creates a rule. The first rule ever also starts the engine's cursor at the newest event (in the
   * same transaction): alerts start with the first rule, and history recorded before raises nothing.
   */
  async insertRule(input: AlertRuleInput): Promise<AlertRuleRow> {
    return this.db.transaction().execute(async (trx) => {
      await sql`
        INSERT INTO alert_engine_state (id, event_cursor, runs_since)
        SELECT 1, COALESCE(max(id), 0), now() FROM device_events
        ON CONFLICT (id) DO NOTHING`.execute(trx);
      return this.insertRuleRow(trx, input);
    });
  }

  private async insertRuleRow(trx: Kysely<Schema>, input: AlertRuleInput): Promise<AlertRuleRow> {
    const { rows } = await sql<AlertRuleRow>`
      INSERT INTO alert_rules (name, enabled, event, severity, filters, channel_ids, new_device_delay_s,
                               randomized_mac_policy, group_window_s, flap_threshold, flap_window_s, quiet_hours)
      VALUES (${input.name}, ${input.enabled}, ${input.event}, ${input.severity}, ${json(input.filters)}::jsonb,
              ${sql.val(input.channel_ids)}::uuid[], ${input.new_device_delay_s}, ${input.randomized_mac_policy},
              ${input.group_window_s}, ${input.flap_threshold}, ${input.flap_window_s}, ${json(input.quiet_hours)}::jsonb)
      RETURNING ${RULE_COLUMNS}`.execute(trx);
    return rows[0] as AlertRuleRow;
  }

  async updateRule(id: string, input: AlertRuleInput): Promise<AlertRuleRow | undefined> {
    const { rows } = await sql<AlertRuleRow>`
      UPDATE alert_rules
         SET name = ${input.name}, enabled = ${input.enabled}, event = ${input.event}, severity = ${input.severity},
             filters = ${json(input.filters)}::jsonb, channel_ids = ${sql.val(input.channel_ids)}::uuid[],
             new_device_delay_s = ${input.new_device_delay_s}, randomized_mac_policy = ${input.randomized_mac_policy},
             group_window_s = ${input.group_window_s}, flap_threshold = ${input.flap_threshold},
             flap_window_s = ${input.flap_window_s}, quiet_hours = ${json(input.quiet_hours)}::jsonb, updated_at = now()
       WHERE id = ${id}::uuid
      RETURNING ${RULE_COLUMNS}`.execute(this.db);
    return rows[0];
  }

  async deleteRule(id: string): Promise<boolean> {
    const result = await sql`DELETE FROM alert_rules WHERE id = ${id}::uuid`.execute(this.db);
    return Number(result.numAffectedRows ?? 0) > 0;
  }

  async listChannels(): Promise<AlertChannelRow[]> {
    const { rows } = await sql<AlertChannelRow>`
      SELECT ${CHANNEL_COLUMNS} FROM alert_channels ORDER BY name, id`.execute(this.db);
    return rows;
  }

  async getChannel(id: string): Promise<AlertChannelRow | undefined> {
    const { rows } = await sql<AlertChannelRow>`
      SELECT ${CHANNEL_COLUMNS} FROM alert_channels WHERE id = ${id}::uuid`.execute(this.db);
    return rows[0];
  }

  /** The ids among `ids` that name no channel. */
  async missingChannels(ids: readonly string[]): Promise<string[]> {
    if (ids.length === 0) return [];
    const { rows } = await sql<{ id: string }>`
      SELECT x.id FROM unnest(${sql.val([...ids])}::uuid[]) AS x(id)
       WHERE NOT EXISTS (SELECT 1 FROM alert_channels c WHERE c.id = x.id)`.execute(this.db);
    return rows.map((row) => row.id);
  }

  async insertChannel(input: AlertChannelInput): Promise<AlertChannelRow> {
    const { rows } = await sql<AlertChannelRow>`
      INSERT INTO alert_channels (name, type, enabled, config, secret, digest_interval_s, quiet_hours)
      VALUES (${input.name}, ${input.type}, ${input.enabled}, ${json(input.config)}::jsonb, ${input.secret},
              ${input.digest_interval_s}, ${json(input.quiet_hours)}::jsonb)
      RETURNING ${CHANNEL_COLUMNS}`.execute(this.db);
    return rows[0] as AlertChannelRow;
  }

  async updateChannel(id: string, input: AlertChannelInput): Promise<AlertChannelRow | undefined> {
    const { rows } = await sql<AlertChannelRow>`
      UPDATE alert_channels
         SET name = ${input.name}, type = ${input.type}, enabled = ${input.enabled}, config = ${json(input.config)}::jsonb,
             secret = ${input.secret}, digest_interval_s = ${input.digest_interval_s},
             quiet_hours = ${json(input.quiet_hours)}::jsonb, updated_at = now()
       WHERE id = ${id}::uuid
      RETURNING ${CHANNEL_COLUMNS}`.execute(this.db);
    return rows[0];
  }

  /** Deletes the channel (its deliveries go with it) and drops it from every rule. */
  async deleteChannel(id: string): Promise<boolean> {
    return this.db.transaction().execute(async (trx) => {
      await sql`UPDATE alert_rules SET channel_ids = array_remove(channel_ids, ${id}::uuid), updated_at = now()
                 WHERE ${id}::uuid = ANY(channel_ids)`.execute(trx);
      const result = await sql`DELETE FROM alert_channels WHERE id = ${id}::uuid`.execute(trx);
      return Number(result.numAffectedRows ?? 0) > 0;
    });
  }

  async deviceExists(id: string): Promise<boolean> {
    const { rows } = await sql`SELECT 1 FROM devices WHERE id = ${id}::uuid`.execute(this.db);
    return rows.length > 0;
  }

  async watch(deviceId: string): Promise<string> {
    const { rows } = await sql<{ created_at: string }>`
      INSERT INTO device_watch (device_id) VALUES (${deviceId}::uuid)
      ON CONFLICT (device_id) DO UPDATE SET device_id = EXCLUDED.device_id
      RETURNING created_at`.execute(this.db);
    return (rows[0] as { created_at: string }).created_at;
  }

  async unwatch(deviceId: string): Promise<void> {
    await sql`DELETE FROM device_watch WHERE device_id = ${deviceId}::uuid`.execute(this.db);
  }

  async watchedSince(deviceId: string): Promise<string | undefined> {
    const { rows } = await sql<{ created_at: string }>`
      SELECT created_at FROM device_watch WHERE device_id = ${deviceId}::uuid`.execute(this.db);
    return rows[0]?.created_at;
  }
}
