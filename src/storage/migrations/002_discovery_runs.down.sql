DROP TABLE IF EXISTS mac_observations;
DROP TABLE IF EXISTS ip_observations;
DROP TABLE IF EXISTS discovery_run_logs;
DROP TABLE IF EXISTS discovery_runs;
