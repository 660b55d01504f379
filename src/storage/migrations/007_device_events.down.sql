ALTER TABLE devices DROP CONSTRAINT IF EXISTS devices_presence_chk;
ALTER TABLE devices DROP COLUMN IF EXISTS presence;
DROP TABLE IF EXISTS device_events;
