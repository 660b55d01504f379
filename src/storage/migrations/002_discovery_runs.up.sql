-- Discovery runs, their log lines and the append-only per-run observations (SPEC §3.2).
-- Fixes G-12/G-13: queued_at is the enqueue time, started_at the claim time; worker_id and
-- heartbeat_at let a live worker recover a run whose worker died; canceled is a final status.
CREATE TABLE IF NOT EXISTS discovery_runs (
    id                  uuid        PRIMARY KEY DEFAULT gen_random_uuid(),
    status              text        NOT NULL,
    scope               text,
    stats               jsonb       NOT NULL DEFAULT '{}'::jsonb,
    queued_at           timestamptz NOT NULL DEFAULT now(),
    started_at          timestamptz,
    completed_at        timestamptz,
    last_error          text,
    worker_id           text,
    heartbeat_at        timestamptz,
    cancel_requested_at timestamptz,
    CONSTRAINT discovery_runs_status_chk CHECK (status IN ('queued', 'running', 'succeeded', 'failed', 'canceled'))
);
CREATE INDEX IF NOT EXISTS discovery_runs_queued_at_id_idx ON discovery_runs (queued_at DESC, id DESC);
CREATE INDEX IF NOT EXISTS discovery_runs_queue_idx ON discovery_runs (queued_at, id) WHERE status = 'queued';
CREATE INDEX IF NOT EXISTS discovery_runs_running_idx ON discovery_runs (heartbeat_at) WHERE status = 'running';

CREATE TABLE IF NOT EXISTS discovery_run_logs (
    id         bigserial   PRIMARY KEY,
    run_id     uuid        NOT NULL REFERENCES discovery_runs (id) ON DELETE CASCADE,
    level      text        NOT NULL DEFAULT 'info',
    message    text        NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX IF NOT EXISTS discovery_run_logs_run_created_id_idx ON discovery_run_logs (run_id, created_at DESC, id DESC);
CREATE INDEX IF NOT EXISTS discovery_run_logs_created_at_idx ON discovery_run_logs (created_at);

CREATE TABLE IF NOT EXISTS ip_observations (
    id          bigserial   PRIMARY KEY,
    run_id      uuid        NOT NULL REFERENCES discovery_runs (id) ON DELETE CASCADE,
    device_id   uuid        NOT NULL REFERENCES devices (id) ON DELETE CASCADE,
    ip          inet        NOT NULL,
    observed_at timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT ip_observations_run_device_ip_uniq UNIQUE (run_id, device_id, ip)
);
CREATE INDEX IF NOT EXISTS ip_observations_device_id_observed_at_idx ON ip_observations (device_id, observed_at DESC);
CREATE INDEX IF NOT EXISTS ip_observations_observed_at_idx ON ip_observations (observed_at DESC);

CREATE TABLE IF NOT EXISTS mac_observations (
    id          bigserial   PRIMARY KEY,
    run_id      uuid        NOT NULL REFERENCES discovery_runs (id) ON DELETE CASCADE,
    device_id   uuid        NOT NULL REFERENCES devices (id) ON DELETE CASCADE,
    mac         macaddr     NOT NULL,
    observed_at timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT mac_observations_run_device_mac_uniq UNIQUE (run_id, device_id, mac)
);
CREATE INDEX IF NOT EXISTS mac_observations_device_id_observed_at_idx ON mac_observations (device_id, observed_at DESC);
CREATE INDEX IF NOT EXISTS mac_observations_observed_at_idx ON mac_observations (observed_at DESC);
