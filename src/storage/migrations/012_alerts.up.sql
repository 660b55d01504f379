-- Alerts (issue 11): rules, channels, the per-device watch flag, the engine's cursor and marks, the
-- alerts it raised and the delivery outbox with one row per send attempt. See docs/alerts.md.
CREATE TABLE IF NOT EXISTS alert_channels (
    id                uuid        PRIMARY KEY DEFAULT gen_random_uuid(),
    name              text        NOT NULL,
    type              text        NOT NULL,
    enabled           boolean     NOT NULL DEFAULT true,
    -- Non-secret settings (URL, topic, SMTP host …); the secret (HMAC key, ntfy token, SMTP password)
    -- lives in its own column and is never returned by the API.
    config            jsonb       NOT NULL DEFAULT '{}',
    secret            text,
    digest_interval_s integer,
    quiet_hours       jsonb,
    created_at        timestamptz NOT NULL DEFAULT now(),
    updated_at        timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT alert_channels_name_uniq UNIQUE (name),
    CONSTRAINT alert_channels_type_chk CHECK (type IN ('webhook', 'ntfy', 'email')),
    CONSTRAINT alert_channels_digest_chk CHECK (digest_interval_s IS NULL OR digest_interval_s > 0)
);

CREATE TABLE IF NOT EXISTS alert_rules (
    id                    uuid        PRIMARY KEY DEFAULT gen_random_uuid(),
    name                  text        NOT NULL,
    enabled               boolean     NOT NULL DEFAULT true,
    event                 text        NOT NULL,
    severity              text        NOT NULL DEFAULT 'warning',
    -- {tags: [], subnets: [], vendors: [], watched_only: bool}; every present filter must match.
    filters               jsonb       NOT NULL DEFAULT '{}',
    channel_ids           uuid[]      NOT NULL DEFAULT '{}',
    new_device_delay_s    integer     NOT NULL DEFAULT 300,
    randomized_mac_policy text        NOT NULL DEFAULT 'group',
    group_window_s        integer     NOT NULL DEFAULT 86400,
    flap_threshold        integer     NOT NULL DEFAULT 4,
    flap_window_s         integer     NOT NULL DEFAULT 3600,
    quiet_hours           jsonb,
    created_at            timestamptz NOT NULL DEFAULT now(),
    updated_at            timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT alert_rules_name_uniq UNIQUE (name),
    CONSTRAINT alert_rules_event_chk CHECK (
        event IN ('new_device', 'device_offline', 'device_online', 'ip_changed', 'port_opened', 'run_failed')),
    CONSTRAINT alert_rules_severity_chk CHECK (severity IN ('info', 'warning', 'critical')),
    CONSTRAINT alert_rules_mac_policy_chk CHECK (randomized_mac_policy IN ('alert', 'group', 'ignore'))
);

CREATE TABLE IF NOT EXISTS device_watch (
    device_id  uuid        PRIMARY KEY REFERENCES devices (id) ON DELETE CASCADE,
    created_at timestamptz NOT NULL DEFAULT now()
);

-- One row: how far the engine has read device_events and since when it looks at failed runs. The
-- row is locked FOR UPDATE while a pass runs, so passes of several workers never overlap. It is
-- written when the first rule is created (alerts start then: older history raises nothing), not by
-- this migration, so a freshly migrated database still holds no rows at all.
CREATE TABLE IF NOT EXISTS alert_engine_state (
    id           integer     PRIMARY KEY,
    event_cursor bigint      NOT NULL,
    runs_since   timestamptz NOT NULL,
    updated_at   timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT alert_engine_state_one_row_chk CHECK (id = 1)
);

-- Events above the cursor that were already handled (the cursor only moves past events old enough
-- that no slower transaction can still commit one below them).
CREATE TABLE IF NOT EXISTS alert_event_marks (
    event_id bigint PRIMARY KEY
);

CREATE TABLE IF NOT EXISTS alert_run_marks (
    run_id    uuid        PRIMARY KEY,
    marked_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE IF NOT EXISTS alerts (
    id                uuid        PRIMARY KEY DEFAULT gen_random_uuid(),
    rule_id           uuid        NOT NULL REFERENCES alert_rules (id) ON DELETE CASCADE,
    kind              text        NOT NULL,
    -- One alert per rule and transition (the event id, the run id, a group or a flap episode).
    dedupe_key        text        NOT NULL,
    device_id         uuid        REFERENCES devices (id) ON DELETE SET NULL,
    run_id            uuid,
    event_id          bigint,
    group_key         text,
    severity          text        NOT NULL,
    status            text        NOT NULL,
    suppressed_reason text,
    title             text        NOT NULL,
    message           text        NOT NULL,
    details           jsonb       NOT NULL DEFAULT '{}',
    due_at            timestamptz NOT NULL DEFAULT now(),
    created_at        timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT alerts_rule_dedupe_uniq UNIQUE (rule_id, dedupe_key),
    CONSTRAINT alerts_status_chk CHECK (status IN ('pending', 'fired', 'suppressed'))
);
CREATE INDEX IF NOT EXISTS alerts_pending_due_idx ON alerts (due_at) WHERE status = 'pending';
CREATE INDEX IF NOT EXISTS alerts_group_idx ON alerts (rule_id, group_key, created_at DESC) WHERE group_key IS NOT NULL;
CREATE INDEX IF NOT EXISTS alerts_created_id_idx ON alerts (created_at DESC, id DESC);

-- Flap damping: a device in here for a rule is flapping; its transitions are suppressed until it
-- has been stable for the rule's flap window.
CREATE TABLE IF NOT EXISTS alert_flaps (
    rule_id            uuid        NOT NULL REFERENCES alert_rules (id) ON DELETE CASCADE,
    device_id          uuid        NOT NULL REFERENCES devices (id) ON DELETE CASCADE,
    flapping_since     timestamptz NOT NULL,
    last_transition_at timestamptz NOT NULL,
    PRIMARY KEY (rule_id, device_id)
);

-- The outbox: one row per message to one channel (an alert, a digest of alerts, or a test).
CREATE TABLE IF NOT EXISTS alert_deliveries (
    id              uuid        PRIMARY KEY DEFAULT gen_random_uuid(),
    channel_id      uuid        NOT NULL REFERENCES alert_channels (id) ON DELETE CASCADE,
    kind            text        NOT NULL,
    alert_ids       uuid[]      NOT NULL DEFAULT '{}',
    rule_id         uuid,
    device_id       uuid,
    severity        text        NOT NULL,
    title           text        NOT NULL,
    status          text        NOT NULL,
    attempts        integer     NOT NULL DEFAULT 0,
    max_attempts    integer     NOT NULL,
    next_attempt_at timestamptz NOT NULL DEFAULT now(),
    locked_until    timestamptz,
    last_error      text,
    sent_at         timestamptz,
    created_at      timestamptz NOT NULL DEFAULT now(),
    updated_at      timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT alert_deliveries_kind_chk CHECK (kind IN ('alert', 'digest', 'test')),
    CONSTRAINT alert_deliveries_status_chk CHECK (
        status IN ('collecting', 'queued', 'held', 'sending', 'retrying', 'sent', 'failed', 'dropped'))
);
CREATE INDEX IF NOT EXISTS alert_deliveries_due_idx ON alert_deliveries (next_attempt_at)
    WHERE status IN ('collecting', 'queued', 'held', 'retrying', 'sending');
CREATE INDEX IF NOT EXISTS alert_deliveries_created_id_idx ON alert_deliveries (created_at DESC, id DESC);
CREATE INDEX IF NOT EXISTS alert_deliveries_channel_created_idx ON alert_deliveries (channel_id, created_at DESC, id DESC);
-- At most one open digest per channel.
CREATE UNIQUE INDEX IF NOT EXISTS alert_deliveries_collecting_uniq ON alert_deliveries (channel_id) WHERE status = 'collecting';

CREATE TABLE IF NOT EXISTS alert_delivery_attempts (
    id           bigserial   PRIMARY KEY,
    delivery_id  uuid        NOT NULL REFERENCES alert_deliveries (id) ON DELETE CASCADE,
    attempt      integer     NOT NULL,
    outcome      text        NOT NULL,
    error        text,
    duration_ms  integer     NOT NULL,
    attempted_at timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT alert_delivery_attempts_outcome_chk CHECK (outcome IN ('sent', 'failed'))
);
CREATE INDEX IF NOT EXISTS alert_delivery_attempts_delivery_idx ON alert_delivery_attempts (delivery_id, attempt);
