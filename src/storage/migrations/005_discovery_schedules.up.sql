-- Recurring discovery runs. A due schedule is claimed with SKIP LOCKED and moved forward in the
-- same transaction that enqueues its run, so several workers enqueue it exactly once.
CREATE TABLE IF NOT EXISTS discovery_schedules (
    id               uuid        PRIMARY KEY DEFAULT gen_random_uuid(),
    name             text,
    scope            text        NOT NULL,
    preset           text        NOT NULL DEFAULT 'normal',
    tags             text[]      NOT NULL DEFAULT '{}',
    interval_seconds integer,
    cron             text,
    enabled          boolean     NOT NULL DEFAULT true,
    next_run_at      timestamptz,
    last_run_id      uuid        REFERENCES discovery_runs (id) ON DELETE SET NULL,
    last_enqueued_at timestamptz,
    created_at       timestamptz NOT NULL DEFAULT now(),
    updated_at       timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT discovery_schedules_preset_chk CHECK (preset IN ('fast', 'normal', 'deep')),
    CONSTRAINT discovery_schedules_interval_chk CHECK (interval_seconds IS NULL OR interval_seconds >= 60),
    CONSTRAINT discovery_schedules_one_timing_chk CHECK ((interval_seconds IS NULL) <> (cron IS NULL))
);
CREATE INDEX IF NOT EXISTS discovery_schedules_due_idx ON discovery_schedules (next_run_at) WHERE enabled;
CREATE INDEX IF NOT EXISTS discovery_schedules_created_idx ON discovery_schedules (created_at DESC, id DESC);

ALTER TABLE discovery_runs ADD COLUMN IF NOT EXISTS schedule_id uuid REFERENCES discovery_schedules (id) ON DELETE SET NULL;
