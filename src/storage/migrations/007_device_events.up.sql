-- History that is recorded, not rebuilt (G-11): every change to a device is appended here where it
-- happens (fold, enrichment, edits, imports, presence), with the run or actor that caused it.
CREATE TABLE IF NOT EXISTS device_events (
    id        bigserial   PRIMARY KEY,
    device_id uuid        NOT NULL REFERENCES devices (id) ON DELETE CASCADE,
    kind      text        NOT NULL,
    event_at  timestamptz NOT NULL DEFAULT clock_timestamp(),
    run_id    uuid,
    actor     text,
    summary   text        NOT NULL,
    details   jsonb       NOT NULL DEFAULT '{}'
);
CREATE INDEX IF NOT EXISTS device_events_at_id_idx ON device_events (event_at DESC, id DESC);
CREATE INDEX IF NOT EXISTS device_events_device_at_id_idx ON device_events (device_id, event_at DESC, id DESC);
CREATE INDEX IF NOT EXISTS device_events_kind_at_id_idx ON device_events (kind, event_at DESC, id DESC);

-- Presence as last evaluated, so going offline and coming back are events exactly once.
ALTER TABLE devices ADD COLUMN IF NOT EXISTS presence text NOT NULL DEFAULT 'unknown';
ALTER TABLE devices DROP CONSTRAINT IF EXISTS devices_presence_chk;
ALTER TABLE devices ADD CONSTRAINT devices_presence_chk CHECK (presence IN ('online', 'offline', 'unknown'));
