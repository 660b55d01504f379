DROP INDEX IF EXISTS interfaces_device_id_name_idx;
CREATE UNIQUE INDEX IF NOT EXISTS interfaces_device_id_name_uniq ON interfaces (device_id, name) WHERE name IS NOT NULL;
ALTER TABLE device_name_candidates DROP CONSTRAINT IF EXISTS device_name_candidates_device_source_name_uniq;
ALTER TABLE device_name_candidates DROP CONSTRAINT IF EXISTS device_name_candidates_device_source_name_addr_uniq;
ALTER TABLE device_name_candidates
    ADD CONSTRAINT device_name_candidates_device_source_name_addr_uniq UNIQUE NULLS NOT DISTINCT (device_id, source, name, address);
ALTER TABLE device_name_candidates DROP COLUMN IF EXISTS last_seen_at;
DROP TABLE IF EXISTS device_vlans;
DROP TABLE IF EXISTS fdb_entries;
DROP INDEX IF EXISTS devices_vendor_idx;
ALTER TABLE devices DROP COLUMN IF EXISTS vendor;
ALTER TABLE devices DROP COLUMN IF EXISTS display_name_auto;
ALTER TABLE device_snmp DROP COLUMN IF EXISTS sys_uptime, DROP COLUMN IF EXISTS credential;
ALTER TABLE links DROP COLUMN IF EXISTS protocols, DROP COLUMN IF EXISTS stale_since, DROP COLUMN IF EXISTS seen_run_id;
ALTER TABLE interface_vlans DROP COLUMN IF EXISTS stale_since, DROP COLUMN IF EXISTS seen_run_id;
ALTER TABLE services DROP COLUMN IF EXISTS stale_since, DROP COLUMN IF EXISTS seen_run_id;
ALTER TABLE interfaces DROP COLUMN IF EXISTS stale_since, DROP COLUMN IF EXISTS seen_run_id, DROP COLUMN IF EXISTS source;
ALTER TABLE mac_addresses DROP COLUMN IF EXISTS locally_administered, DROP COLUMN IF EXISTS vendor,
    DROP COLUMN IF EXISTS stale_since, DROP COLUMN IF EXISTS seen_run_id, DROP COLUMN IF EXISTS source;
ALTER TABLE ip_addresses DROP COLUMN IF EXISTS prefix_length, DROP COLUMN IF EXISTS stale_since,
    DROP COLUMN IF EXISTS seen_run_id, DROP COLUMN IF EXISTS source;
