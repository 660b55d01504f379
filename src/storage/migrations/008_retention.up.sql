-- Retention (G-18): a record of each maintenance job run, and the indexes its bounded deletes need.
-- A scheduled run claims its slot by inserting (job, scheduled_for); the unique constraint lets
-- exactly one of several workers win it. Manual runs (`roller retention run`) have no slot (NULL).
CREATE TABLE IF NOT EXISTS maintenance_runs (
    id            bigserial   PRIMARY KEY,
    job           text        NOT NULL,
    scheduled_for timestamptz,
    trigger       text        NOT NULL,
    worker_id     text,
    dry_run       boolean     NOT NULL DEFAULT false,
    status        text        NOT NULL DEFAULT 'running',
    started_at    timestamptz NOT NULL DEFAULT now(),
    finished_at   timestamptz,
    deleted       jsonb       NOT NULL DEFAULT '{}'::jsonb,
    last_error    text,
    CONSTRAINT maintenance_runs_trigger_chk CHECK (trigger IN ('schedule', 'manual')),
    CONSTRAINT maintenance_runs_status_chk CHECK (status IN ('running', 'succeeded', 'failed')),
    CONSTRAINT maintenance_runs_job_slot_uniq UNIQUE (job, scheduled_for)
);
CREATE INDEX IF NOT EXISTS maintenance_runs_job_started_idx ON maintenance_runs (job, started_at DESC, id DESC);

-- "Is there a newer observation of this device and value?" keeps the latest one of each.
CREATE INDEX IF NOT EXISTS ip_observations_device_ip_observed_idx ON ip_observations (device_id, ip, observed_at DESC, id DESC);
CREATE INDEX IF NOT EXISTS mac_observations_device_mac_observed_idx ON mac_observations (device_id, mac, observed_at DESC, id DESC);
-- Finished runs by age, and "is there a newer run of this schedule?".
CREATE INDEX IF NOT EXISTS discovery_runs_finished_at_idx ON discovery_runs ((COALESCE(completed_at, queued_at)))
    WHERE status IN ('succeeded', 'failed', 'canceled');
CREATE INDEX IF NOT EXISTS discovery_runs_schedule_queued_idx ON discovery_runs (schedule_id, queued_at DESC, id DESC)
    WHERE schedule_id IS NOT NULL;
-- Facts stale for long enough, per table (only stale rows are indexed, so these stay small).
CREATE INDEX IF NOT EXISTS ip_addresses_stale_since_idx ON ip_addresses (stale_since) WHERE stale_since IS NOT NULL;
CREATE INDEX IF NOT EXISTS mac_addresses_stale_since_idx ON mac_addresses (stale_since) WHERE stale_since IS NOT NULL;
CREATE INDEX IF NOT EXISTS interfaces_stale_since_idx ON interfaces (stale_since) WHERE stale_since IS NOT NULL;
CREATE INDEX IF NOT EXISTS services_stale_since_idx ON services (stale_since) WHERE stale_since IS NOT NULL;
CREATE INDEX IF NOT EXISTS interface_vlans_stale_since_idx ON interface_vlans (stale_since) WHERE stale_since IS NOT NULL;
CREATE INDEX IF NOT EXISTS links_stale_since_idx ON links (stale_since) WHERE stale_since IS NOT NULL;
CREATE INDEX IF NOT EXISTS fdb_entries_stale_since_idx ON fdb_entries (stale_since) WHERE stale_since IS NOT NULL;
CREATE INDEX IF NOT EXISTS device_vlans_stale_since_idx ON device_vlans (stale_since) WHERE stale_since IS NOT NULL;
-- An interface is only deleted once nothing live refers to it; these make that check an index probe.
CREATE INDEX IF NOT EXISTS links_a_interface_id_idx ON links (a_interface_id) WHERE a_interface_id IS NOT NULL;
CREATE INDEX IF NOT EXISTS links_b_interface_id_idx ON links (b_interface_id) WHERE b_interface_id IS NOT NULL;
