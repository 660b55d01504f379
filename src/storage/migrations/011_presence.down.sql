DROP TABLE IF EXISTS tag_presence_settings;
DROP TABLE IF EXISTS device_presence_settings;
DROP INDEX IF EXISTS devices_presence_missed_idx;
ALTER TABLE devices DROP COLUMN IF EXISTS presence_run_id;
ALTER TABLE devices DROP COLUMN IF EXISTS presence_checked_at;
ALTER TABLE devices DROP COLUMN IF EXISTS presence_missed_scans;
ALTER TABLE devices DROP COLUMN IF EXISTS presence_since;
DROP TABLE IF EXISTS device_sightings;
