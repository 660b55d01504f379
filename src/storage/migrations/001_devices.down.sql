DROP TABLE IF EXISTS mac_addresses;
DROP TABLE IF EXISTS ip_addresses;
DROP TABLE IF EXISTS interfaces;
DROP TABLE IF EXISTS device_metadata;
DROP TABLE IF EXISTS devices;
-- pg_trgm stays: other schemas in the database may use it, and dropping an extension needs ownership.
