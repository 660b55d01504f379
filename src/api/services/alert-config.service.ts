import { isIP } from 'node:net';
import type { QuietHours, RuleFilters } from '../../domain/alerts/alert.types.ts';
import { quietHoursProblem } from '../../domain/alerts/quiet-hours.ts';
import { hasDeviceFilters } from '../../domain/alerts/rule-matching.ts';
import { decodeCursor, encodeCursor } from '../../shared/cursor.ts';
import { notFound, RollerError, validationFailed } from '../../shared/errors.ts';
import { maskedPrefix } from '../../shared/ip-math.ts';
import type {
  AlertChannelCreateBody,
  AlertChannelUpdateBody,
  AlertDeliveryQueryType,
  AlertRuleCreateBody,
  AlertRuleUpdateBody,
  RaisedAlertQueryType,
} from '../../shared/schemas/alerts.ts';
import type {
  AlertChannelInput,
  AlertChannelRow,
  AlertConfigRepository,
  AlertRuleInput,
  AlertRuleRow,
} from '../../storage/alert-config.repository.ts';
import type { AlertDeliveriesRepository, DeliveryRow } from '../../storage/alert-deliveries.repository.ts';
import type { AlertDeliveryService } from './alert-delivery.service.ts';

const DELIVERY_MAX_LIMIT = 200;

const RULE_DEFAULTS = {
  enabled: true,
  severity: 'warning',
  filters: {},
  channel_ids: [],
  new_device_delay_s: 300,
  randomized_mac_policy: 'group',
  group_window_s: 86_400,
  flap_threshold: 4,
  flap_window_s: 3600,
  quiet_hours: null,
} as const;

const notFoundEntity = (entity: 'rule' | 'channel', id: string) =>
  new RollerError('not_found', `alert ${entity} not found`, { id });

function isUniqueViolation(error: unknown): boolean {
  return (error as { code?: string }).code === '23505';
}

/** Rules, channels, the delivery log and the watch flag behind the alert routes. */
export class AlertConfigService {
  constructor(
    private readonly repo: AlertConfigRepository,
    private readonly deliveries: AlertDeliveriesRepository,
    private readonly delivery: AlertDeliveryService,
    private readonly now: () => Date = () => new Date(),
  ) {}

  async listRules() {
    return { rules: (await this.repo.listRules()).map(presentRule) };
  }

  async getRule(id: string) {
    const row = await this.repo.getRule(id);
    if (!row) throw notFoundEntity('rule', id);
    return presentRule(row);
  }

  async createRule(body: AlertRuleCreateBody) {
    const input: AlertRuleInput = { ...RULE_DEFAULTS, ...body } as AlertRuleInput;
    await this.checkRule(input);
    try {
      return presentRule(await this.repo.insertRule(input));
    } catch (error) {
      if (isUniqueViolation(error)) throw new RollerError('conflict', 'an alert rule with this name already exists');
      throw error;
    }
  }

  async updateRule(id: string, body: AlertRuleUpdateBody) {
    const current = await this.repo.getRule(id);
    if (!current) throw notFoundEntity('rule', id);
    const input: AlertRuleInput = { ...stripRow(current), ...body } as AlertRuleInput;
    await this.checkRule(input);
    try {
      const row = await this.repo.updateRule(id, input);
      if (!row) throw notFoundEntity('rule', id);
      return presentRule(row);
    } catch (error) {
      if (isUniqueViolation(error)) throw new RollerError('conflict', 'an alert rule with this name already exists');
      throw error;
    }
  }

  async deleteRule(id: string): Promise<void> {
    if (!(await this.repo.deleteRule(id))) throw notFoundEntity('rule', id);
  }

  async listChannels() {
    return { channels: (await this.repo.listChannels()).map(presentChannel) };
  }

  async getChannel(id: string) {
    return presentChannel(await this.channel(id));
  }

  async createChannel(body: AlertChannelCreateBody) {
    const input: AlertChannelInput = {
      name: body.name,
      type: body.type,
      enabled: body.enabled ?? true,
      config: body.config,
      secret: body.secret ?? null,
      digest_interval_s: body.digest_interval_s ?? null,
      quiet_hours: (body.quiet_hours as QuietHours | null | undefined) ?? null,
    };
    checkChannel(input);
    try {
      return presentChannel(await this.repo.insertChannel(input));
    } catch (error) {
      if (isUniqueViolation(error)) throw new RollerError('conflict', 'an alert channel with this name already exists');
      throw error;
    }
  }

  async updateChannel(id: string, body: AlertChannelUpdateBody) {
    const current = await this.channel(id);
    const input: AlertChannelInput = {
      name: body.name ?? current.name,
      type: current.type,
      enabled: body.enabled ?? current.enabled,
      config: body.config ?? current.config,
      secret: body.secret === undefined ? current.secret : body.secret,
      digest_interval_s: body.digest_interval_s === undefined ? current.digest_interval_s : body.digest_interval_s,
      quiet_hours:
        body.quiet_hours === undefined ? current.quiet_hours : ((body.quiet_hours as QuietHours | null) ?? null),
    };
    checkChannel(input);
    try {
      const row = await this.repo.updateChannel(id, input);
      if (!row) throw notFoundEntity('channel', id);
      return presentChannel(row);
    } catch (error) {
      if (isUniqueViolation(error)) throw new RollerError('conflict', 'an alert channel with this name already exists');
      throw error;
    }
  }

  async deleteChannel(id: string): Promise<void> {
    if (!(await this.repo.deleteChannel(id))) throw notFoundEntity('channel', id);
  }

  async testChannel(id: string) {
    const channel = await this.channel(id);
    const delivery = await this.delivery.test(channel, this.now());
    const attempts = await this.deliveries.attemptsOf([delivery.id]);
    return { delivery: presentDelivery(delivery, attempts.get(delivery.id) ?? []) };
  }

  async listDeliveries(query: AlertDeliveryQueryType) {
    const limit = Math.min(query.limit ?? 50, DELIVERY_MAX_LIMIT);
    const after = query.cursor ? decodeCursor(query.cursor, 'uuid') : undefined;
    const rows = await this.deliveries.list({
      ...(query.channel_id ? { channelId: query.channel_id } : {}),
      ...(query.rule_id ? { ruleId: query.rule_id } : {}),
      ...(query.device_id ? { deviceId: query.device_id } : {}),
      ...(query.status ? { statuses: [query.status] } : {}),
      ...(query.kind ? { kind: query.kind } : {}),
      ...(after ? { after } : {}),
      limit,
    });
    const page = rows.slice(0, limit);
    const attempts = await this.deliveries.attemptsOf(page.map((row) => row.id));
    const last = page.at(-1);
    return {
      deliveries: page.map((row) => presentDelivery(row, attempts.get(row.id) ?? [])),
      ...(rows.length > limit && last ? { cursor: encodeCursor({ at: last.created_at, id: last.id }) } : {}),
    };
  }

  async listAlerts(query: RaisedAlertQueryType) {
    const limit = Math.min(query.limit ?? 50, DELIVERY_MAX_LIMIT);
    const after = query.cursor ? decodeCursor(query.cursor, 'uuid') : undefined;
    const rows = await this.deliveries.listAlerts({
      ...(query.rule_id ? { ruleId: query.rule_id } : {}),
      ...(query.device_id ? { deviceId: query.device_id } : {}),
      ...(query.status ? { status: query.status } : {}),
      ...(after ? { after } : {}),
      limit,
    });
    const page = rows.slice(0, limit);
    const last = page.at(-1);
    return {
      alerts: page.map((row) => ({
        id: row.id,
        rule_id: row.rule_id,
        ...(row.rule_name ? { rule_name: row.rule_name } : {}),
        event: row.kind,
        ...(row.device_id ? { device_id: row.device_id } : {}),
        ...(row.run_id ? { run_id: row.run_id } : {}),
        severity: row.severity,
        status: row.status,
        ...(row.suppressed_reason ? { suppressed_reason: row.suppressed_reason } : {}),
        title: row.title,
        message: row.message,
        details: row.details ?? {},
        ...(row.status === 'pending' ? { due_at: row.due_at } : {}),
        created_at: row.created_at,
      })),
      ...(rows.length > limit && last ? { cursor: encodeCursor({ at: last.created_at, id: last.id }) } : {}),
    };
  }

  async watch(deviceId: string) {
    if (!(await this.repo.deviceExists(deviceId))) throw notFound('device', deviceId);
    const since = await this.repo.watch(deviceId);
    return { device_id: deviceId, watched: true, watched_since: since };
  }

  async watchState(deviceId: string) {
    if (!(await this.repo.deviceExists(deviceId))) throw notFound('device', deviceId);
    const since = await this.repo.watchedSince(deviceId);
    return { device_id: deviceId, watched: since !== undefined, ...(since ? { watched_since: since } : {}) };
  }

  async unwatch(deviceId: string): Promise<void> {
    if (!(await this.repo.deviceExists(deviceId))) throw notFound('device', deviceId);
    await this.repo.unwatch(deviceId);
  }

  private async channel(id: string): Promise<AlertChannelRow> {
    const row = await this.repo.getChannel(id);
    if (!row) throw notFoundEntity('channel', id);
    return row;
  }

  private async checkRule(input: AlertRuleInput): Promise<void> {
    const filters = input.filters as RuleFilters;
    if (input.event === 'run_failed' && hasDeviceFilters(filters)) {
      throw validationFailed('a run_failed rule takes no device filters', { event: input.event });
    }
    for (const subnet of filters.subnets ?? []) {
      const cidr = subnet.includes('/') ? subnet : `${subnet}/${subnet.includes(':') ? 128 : 32}`;
      if (isIP(cidr.split('/')[0] ?? '') === 0 || !maskedPrefix(cidr)) {
        throw validationFailed('invalid subnet filter', { subnet, error: 'use a CIDR prefix, e.g. 10.0.0.0/24' });
      }
    }
    checkQuietHours(input.quiet_hours);
    const missing = await this.repo.missingChannels(input.channel_ids);
    if (missing.length > 0) throw new RollerError('not_found', 'alert channel not found', { channel_ids: missing });
  }
}

function checkQuietHours(quiet: QuietHours | null | undefined): void {
  if (!quiet) return;
  const problem = quietHoursProblem(quiet);
  if (problem) throw validationFailed('invalid quiet hours', { error: problem });
}

function checkChannel(input: AlertChannelInput): void {
  const config = input.config;
  const need = (keys: readonly string[]) => {
    const missing = keys.filter((key) => config[key] === undefined);
    if (missing.length > 0) {
      throw validationFailed('invalid channel config', { error: `${input.type} needs ${missing.join(', ')}` });
    }
  };
  const allowed: Record<string, readonly string[]> = {
    webhook: ['url'],
    ntfy: ['server_url', 'topic'],
    email: ['host', 'port', 'tls', 'username', 'from', 'to'],
  };
  const extra = Object.keys(config).filter((key) => !allowed[input.type]?.includes(key));
  if (extra.length > 0) {
    throw validationFailed('invalid channel config', { error: `${input.type} does not take ${extra.join(', ')}` });
  }
  if (input.type === 'webhook') need(['url']);
  if (input.type === 'ntfy') need(['topic']);
  if (input.type === 'email') need(['host', 'from', 'to']);
  for (const key of ['url', 'server_url']) {
    const value = config[key];
    if (typeof value === 'string' && !/^https?:\/\//i.test(value)) {
      throw validationFailed('invalid channel config', { error: `${key} must be an http or https URL` });
    }
  }
  checkQuietHours(input.quiet_hours);
}

function stripRow(row: AlertRuleRow): AlertRuleInput {
  const { id: _id, created_at: _created, updated_at: _updated, ...rest } = row;
  return rest;
}

export function presentRule(row: AlertRuleRow) {
  const { quiet_hours, ...rest } = row;
  return { ...rest, ...(quiet_hours ? { quiet_hours } : {}) };
}

export function presentChannel(row: AlertChannelRow) {
  const { secret, quiet_hours, digest_interval_s, ...rest } = row;
  return {
    ...rest,
    has_secret: secret !== null && secret !== '',
    ...(digest_interval_s ? { digest_interval_s } : {}),
    ...(quiet_hours ? { quiet_hours } : {}),
  };
}

export function presentDelivery(
  row: DeliveryRow,
  attempts: ReadonlyArray<{
    attempt: number;
    outcome: 'sent' | 'failed';
    error: string | null;
    duration_ms: number;
    attempted_at: string;
  }>,
) {
  const finished = row.status === 'sent' || row.status === 'failed' || row.status === 'dropped';
  return {
    id: row.id,
    channel_id: row.channel_id,
    ...(row.channel_name ? { channel_name: row.channel_name } : {}),
    ...(row.channel_type ? { channel_type: row.channel_type as 'webhook' | 'ntfy' | 'email' } : {}),
    kind: row.kind,
    alert_ids: row.alert_ids,
    ...(row.rule_id ? { rule_id: row.rule_id } : {}),
    ...(row.device_id ? { device_id: row.device_id } : {}),
    severity: row.severity,
    title: row.title,
    status: row.status,
    attempts: row.attempts,
    max_attempts: row.max_attempts,
    ...(finished ? {} : { next_attempt_at: row.next_attempt_at }),
    ...(row.last_error ? { last_error: row.last_error } : {}),
    ...(row.sent_at ? { sent_at: row.sent_at } : {}),
    created_at: row.created_at,
    updated_at: row.updated_at,
    attempt_log: attempts.map((attempt) => ({
      attempt: attempt.attempt,
      outcome: attempt.outcome,
      ...(attempt.error ? { error: attempt.error } : {}),
      duration_ms: attempt.duration_ms,
      attempted_at: attempt.attempted_at,
    })),
  };
}
