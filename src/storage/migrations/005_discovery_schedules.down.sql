ALTER TABLE discovery_runs DROP COLUMN IF EXISTS schedule_id;
DROP TABLE IF EXISTS discovery_schedules;
