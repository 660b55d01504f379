-- Presence from scans (issue 11): which probe saw a device when, how many scans that covered it in a
-- row it missed, and per-device and per-tag thresholds. A device goes offline only after enough missed
-- scans of a scope that covers it and a grace period; a device no covering scan has judged stays as it is.
CREATE TABLE IF NOT EXISTS device_sightings (
    device_id     uuid        NOT NULL REFERENCES devices (id) ON DELETE CASCADE,
    probe         text        NOT NULL,
    first_seen_at timestamptz NOT NULL DEFAULT now(),
    last_seen_at  timestamptz NOT NULL DEFAULT now(),
    run_id        uuid        REFERENCES discovery_runs (id) ON DELETE SET NULL,
    CONSTRAINT device_sightings_pkey PRIMARY KEY (device_id, probe),
    CONSTRAINT device_sightings_probe_chk
        CHECK (probe IN ('self', 'arp', 'icmp', 'tcp', 'snmp', 'mdns', 'netbios'))
);
-- Retention deletes old runs: their sightings keep the time and lose the run id.
CREATE INDEX IF NOT EXISTS device_sightings_run_idx ON device_sightings (run_id) WHERE run_id IS NOT NULL;

ALTER TABLE devices ADD COLUMN IF NOT EXISTS presence_since timestamptz;
ALTER TABLE devices ADD COLUMN IF NOT EXISTS presence_missed_scans integer NOT NULL DEFAULT 0;
ALTER TABLE devices ADD COLUMN IF NOT EXISTS presence_checked_at timestamptz;
ALTER TABLE devices ADD COLUMN IF NOT EXISTS presence_run_id uuid;
-- Candidates of every evaluation: devices with misses that are not offline yet.
CREATE INDEX IF NOT EXISTS devices_presence_missed_idx ON devices (id)
    WHERE presence_missed_scans > 0 AND presence <> 'offline';

CREATE TABLE IF NOT EXISTS device_presence_settings (
    device_id    uuid        PRIMARY KEY REFERENCES devices (id) ON DELETE CASCADE,
    missed_scans integer,
    grace_s      integer,
    updated_at   timestamptz NOT NULL DEFAULT now(),
    updated_by   text,
    CONSTRAINT device_presence_settings_missed_chk CHECK (missed_scans BETWEEN 1 AND 1000),
    CONSTRAINT device_presence_settings_grace_chk CHECK (grace_s BETWEEN 0 AND 2592000)
);

CREATE TABLE IF NOT EXISTS tag_presence_settings (
    tag          text        PRIMARY KEY,
    missed_scans integer,
    grace_s      integer,
    updated_at   timestamptz NOT NULL DEFAULT now(),
    updated_by   text,
    CONSTRAINT tag_presence_settings_missed_chk CHECK (missed_scans BETWEEN 1 AND 1000),
    CONSTRAINT tag_presence_settings_grace_chk CHECK (grace_s BETWEEN 0 AND 2592000)
);
