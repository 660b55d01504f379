DROP INDEX IF EXISTS ip_addresses_own_network_gist;
