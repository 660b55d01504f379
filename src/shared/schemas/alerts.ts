import { type Static, type TString, Type } from 'typebox';
import { cursorParam, limitParam, type ParameterError, Timestamp, Uuid, X_ERROR } from './common.ts';

/** Alert rules, channels, deliveries and the per-device watch flag (issue 11, docs/alerts.md). */

function idParam(entity: string): TString {
  return Type.String({
    format: 'uuid',
    description: `${entity[0]?.toUpperCase()}${entity.slice(1)} id`,
    [X_ERROR]: { code: 'invalid_id', message: `${entity} id is not a valid uuid` } satisfies ParameterError,
  });
}

export const AlertRuleIdParams = Type.Object({ id: idParam('rule') }, { additionalProperties: false });
export const AlertChannelIdParams = Type.Object({ id: idParam('channel') }, { additionalProperties: false });

const AlertEventSchema = Type.Union(
  [
    Type.Literal('new_device'),
    Type.Literal('device_offline'),
    Type.Literal('device_online'),
    Type.Literal('ip_changed'),
    Type.Literal('port_opened'),
    Type.Literal('run_failed'),
  ],
  { description: 'What the rule fires on' },
);
const SeveritySchema = Type.Union([Type.Literal('info'), Type.Literal('warning'), Type.Literal('critical')], {
  description: 'critical alerts ignore quiet hours',
});
const MacPolicySchema = Type.Union([Type.Literal('alert'), Type.Literal('group'), Type.Literal('ignore')], {
  description:
    'New devices whose MACs are all locally administered (randomised): alert each, one alert per name and vendor per group window, or none',
});

const HHMM = Type.String({ pattern: '^([01][0-9]|2[0-3]):[0-5][0-9]$', description: 'HH:MM local time' });

export const QuietHoursSchema = Type.Object(
  {
    time_zone: Type.String({ minLength: 1, maxLength: 64, description: 'IANA time zone, e.g. Europe/Berlin' }),
    ranges: Type.Array(Type.Object({ start: HHMM, end: HHMM }, { additionalProperties: false }), {
      minItems: 1,
      maxItems: 8,
      description: 'An end before the start crosses midnight',
    }),
    mode: Type.Union([Type.Literal('hold'), Type.Literal('drop')], {
      description: 'hold: send when the quiet hours end; drop: do not send',
    }),
  },
  { additionalProperties: false },
);

const FiltersSchema = Type.Object(
  {
    tags: Type.Optional(Type.Array(Type.String({ minLength: 1, maxLength: 64 }), { maxItems: 32 })),
    subnets: Type.Optional(
      Type.Array(Type.String({ minLength: 1, maxLength: 64, description: 'CIDR prefix' }), { maxItems: 32 }),
    ),
    vendors: Type.Optional(Type.Array(Type.String({ minLength: 1, maxLength: 200 }), { maxItems: 32 })),
    watched_only: Type.Optional(Type.Boolean()),
  },
  { additionalProperties: false, description: 'Every given filter must match; within one, any value' },
);

const ruleFields = {
  name: Type.String({ minLength: 1, maxLength: 200 }),
  enabled: Type.Boolean(),
  event: AlertEventSchema,
  severity: SeveritySchema,
  filters: FiltersSchema,
  channel_ids: Type.Array(Uuid, { maxItems: 32 }),
  new_device_delay_s: Type.Integer({ minimum: 0, maximum: 86_400, description: 'new_device: wait before judging' }),
  randomized_mac_policy: MacPolicySchema,
  group_window_s: Type.Integer({ minimum: 60, maximum: 30 * 86_400 }),
  flap_threshold: Type.Integer({
    minimum: 0,
    maximum: 100,
    description: 'More online/offline changes than this within flap_window_s is flapping; 0 turns damping off',
  }),
  flap_window_s: Type.Integer({ minimum: 60, maximum: 7 * 86_400 }),
  quiet_hours: Type.Union([QuietHoursSchema, Type.Null()]),
};

export const AlertRuleCreate = Type.Object(
  {
    name: ruleFields.name,
    event: ruleFields.event,
    enabled: Type.Optional(ruleFields.enabled),
    severity: Type.Optional(ruleFields.severity),
    filters: Type.Optional(ruleFields.filters),
    channel_ids: Type.Optional(ruleFields.channel_ids),
    new_device_delay_s: Type.Optional(ruleFields.new_device_delay_s),
    randomized_mac_policy: Type.Optional(ruleFields.randomized_mac_policy),
    group_window_s: Type.Optional(ruleFields.group_window_s),
    flap_threshold: Type.Optional(ruleFields.flap_threshold),
    flap_window_s: Type.Optional(ruleFields.flap_window_s),
    quiet_hours: Type.Optional(ruleFields.quiet_hours),
  },
  { additionalProperties: false },
);
export type AlertRuleCreateBody = Static<typeof AlertRuleCreate>;

export const AlertRuleUpdate = Type.Partial(AlertRuleCreate, {
  additionalProperties: false,
  description: 'Omitted fields stay; quiet_hours null clears',
});
export type AlertRuleUpdateBody = Static<typeof AlertRuleUpdate>;

export const AlertRule = Type.Object(
  {
    id: Uuid,
    ...ruleFields,
    quiet_hours: Type.Optional(QuietHoursSchema),
    created_at: Timestamp,
    updated_at: Timestamp,
  },
  { additionalProperties: false, $id: 'AlertRule' },
);
export const AlertRuleList = Type.Object({ rules: Type.Array(AlertRule) }, { additionalProperties: false });

const ChannelType = Type.Union([Type.Literal('webhook'), Type.Literal('ntfy'), Type.Literal('email')]);

const ChannelConfigSchema = Type.Object(
  {
    url: Type.Optional(Type.String({ format: 'uri', maxLength: 2048, description: 'webhook: http(s) URL' })),
    server_url: Type.Optional(
      Type.String({ format: 'uri', maxLength: 2048, description: 'ntfy: server, default https://ntfy.sh' }),
    ),
    topic: Type.Optional(Type.String({ pattern: '^[A-Za-z0-9_-]{1,64}$', description: 'ntfy: topic' })),
    host: Type.Optional(Type.String({ minLength: 1, maxLength: 255, description: 'email: SMTP server' })),
    port: Type.Optional(Type.Integer({ minimum: 1, maximum: 65_535, description: 'email: default 587' })),
    tls: Type.Optional(
      Type.Union([Type.Literal('starttls'), Type.Literal('tls'), Type.Literal('none')], {
        description: 'email: STARTTLS required (default), TLS, or plain',
      }),
    ),
    username: Type.Optional(Type.String({ minLength: 1, maxLength: 255, description: 'email: SMTP login' })),
    from: Type.Optional(Type.String({ minLength: 3, maxLength: 320, description: 'email: sender address' })),
    to: Type.Optional(
      Type.Array(Type.String({ minLength: 3, maxLength: 320 }), { minItems: 1, maxItems: 20, description: 'email' }),
    ),
  },
  { additionalProperties: false, description: 'Settings of the channel type (secrets go in `secret`)' },
);

const channelFields = {
  name: Type.String({ minLength: 1, maxLength: 200 }),
  type: ChannelType,
  enabled: Type.Boolean(),
  config: ChannelConfigSchema,
  digest_interval_s: Type.Union([Type.Integer({ minimum: 60, maximum: 7 * 86_400 }), Type.Null()], {
    description: 'Collect alerts and send one message per interval; null sends each at once',
  }),
  quiet_hours: Type.Union([QuietHoursSchema, Type.Null()]),
};

const SecretSchema = Type.Union([Type.String({ minLength: 1, maxLength: 1024 }), Type.Null()], {
  description: 'Write-only: webhook HMAC key, ntfy access token or SMTP password; null removes it',
});

export const AlertChannelCreate = Type.Object(
  {
    name: channelFields.name,
    type: channelFields.type,
    config: channelFields.config,
    enabled: Type.Optional(channelFields.enabled),
    secret: Type.Optional(SecretSchema),
    digest_interval_s: Type.Optional(channelFields.digest_interval_s),
    quiet_hours: Type.Optional(channelFields.quiet_hours),
  },
  { additionalProperties: false },
);
export type AlertChannelCreateBody = Static<typeof AlertChannelCreate>;

export const AlertChannelUpdate = Type.Object(
  {
    name: Type.Optional(channelFields.name),
    config: Type.Optional(channelFields.config),
    enabled: Type.Optional(channelFields.enabled),
    secret: Type.Optional(SecretSchema),
    digest_interval_s: Type.Optional(channelFields.digest_interval_s),
    quiet_hours: Type.Optional(channelFields.quiet_hours),
  },
  { additionalProperties: false, description: 'Omitted fields stay; the type is fixed; config is replaced whole' },
);
export type AlertChannelUpdateBody = Static<typeof AlertChannelUpdate>;

export const AlertChannel = Type.Object(
  {
    id: Uuid,
    name: channelFields.name,
    type: channelFields.type,
    enabled: channelFields.enabled,
    config: channelFields.config,
    has_secret: Type.Boolean({ description: 'Whether a secret is stored (it is never returned)' }),
    digest_interval_s: Type.Optional(Type.Integer()),
    quiet_hours: Type.Optional(QuietHoursSchema),
    created_at: Timestamp,
    updated_at: Timestamp,
  },
  { additionalProperties: false, $id: 'AlertChannel' },
);
export const AlertChannelList = Type.Object({ channels: Type.Array(AlertChannel) }, { additionalProperties: false });

const DeliveryStatusSchema = Type.Union([
  Type.Literal('collecting'),
  Type.Literal('queued'),
  Type.Literal('held'),
  Type.Literal('sending'),
  Type.Literal('retrying'),
  Type.Literal('sent'),
  Type.Literal('failed'),
  Type.Literal('dropped'),
]);

export const AlertDelivery = Type.Object(
  {
    id: Uuid,
    channel_id: Uuid,
    channel_name: Type.Optional(Type.String()),
    channel_type: Type.Optional(ChannelType),
    kind: Type.Union([Type.Literal('alert'), Type.Literal('digest'), Type.Literal('test')]),
    alert_ids: Type.Array(Uuid),
    rule_id: Type.Optional(Uuid),
    device_id: Type.Optional(Uuid),
    severity: SeveritySchema,
    title: Type.String(),
    status: DeliveryStatusSchema,
    attempts: Type.Integer({ minimum: 0 }),
    max_attempts: Type.Integer({ minimum: 1 }),
    next_attempt_at: Type.Optional(Timestamp),
    last_error: Type.Optional(Type.String()),
    sent_at: Type.Optional(Timestamp),
    created_at: Timestamp,
    updated_at: Timestamp,
    attempt_log: Type.Array(
      Type.Object(
        {
          attempt: Type.Integer({ minimum: 1 }),
          outcome: Type.Union([Type.Literal('sent'), Type.Literal('failed')]),
          error: Type.Optional(Type.String()),
          duration_ms: Type.Integer({ minimum: 0 }),
          attempted_at: Timestamp,
        },
        { additionalProperties: false },
      ),
    ),
  },
  { additionalProperties: false, $id: 'AlertDelivery' },
);
export const AlertDeliveryList = Type.Object(
  { deliveries: Type.Array(AlertDelivery), cursor: Type.Optional(Type.String()) },
  { additionalProperties: false },
);

export const AlertDeliveryQuery = Type.Object(
  {
    channel_id: Type.Optional(idParam('channel')),
    rule_id: Type.Optional(idParam('rule')),
    device_id: Type.Optional(idParam('device')),
    status: Type.Optional(DeliveryStatusSchema),
    kind: Type.Optional(Type.Union([Type.Literal('alert'), Type.Literal('digest'), Type.Literal('test')])),
    limit: Type.Optional(limitParam(50, 200)),
    cursor: Type.Optional(cursorParam()),
  },
  { additionalProperties: false },
);
export type AlertDeliveryQueryType = Static<typeof AlertDeliveryQuery>;

export const AlertChannelTestResult = Type.Object(
  { delivery: AlertDelivery },
  { additionalProperties: false, description: 'The test delivery with its one attempt (status sent or failed)' },
);

export const DeviceWatch = Type.Object(
  {
    device_id: Uuid,
    watched: Type.Boolean(),
    watched_since: Type.Optional(Timestamp),
  },
  { additionalProperties: false },
);

export const RaisedAlert = Type.Object(
  {
    id: Uuid,
    rule_id: Uuid,
    rule_name: Type.Optional(Type.String()),
    event: Type.String({ description: 'The rule event, or `flapping`' }),
    device_id: Type.Optional(Uuid),
    run_id: Type.Optional(Uuid),
    severity: SeveritySchema,
    status: Type.Union([Type.Literal('pending'), Type.Literal('fired'), Type.Literal('suppressed')]),
    suppressed_reason: Type.Optional(
      Type.String({
        description: 'randomized_mac, randomized_mac_group, quiet_hours, filtered, device_deleted or rule_disabled',
      }),
    ),
    title: Type.String(),
    message: Type.String(),
    details: Type.Record(Type.String(), Type.Unknown()),
    due_at: Type.Optional(Timestamp),
    created_at: Timestamp,
  },
  { additionalProperties: false, $id: 'RaisedAlert' },
);
export const RaisedAlertList = Type.Object(
  { alerts: Type.Array(RaisedAlert), cursor: Type.Optional(Type.String()) },
  { additionalProperties: false },
);
export const RaisedAlertQuery = Type.Object(
  {
    rule_id: Type.Optional(idParam('rule')),
    device_id: Type.Optional(idParam('device')),
    status: Type.Optional(Type.Union([Type.Literal('pending'), Type.Literal('fired'), Type.Literal('suppressed')])),
    limit: Type.Optional(limitParam(50, 200)),
    cursor: Type.Optional(cursorParam()),
  },
  { additionalProperties: false },
);
export type RaisedAlertQueryType = Static<typeof RaisedAlertQuery>;
