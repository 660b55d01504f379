DROP TABLE IF EXISTS device_tags;
DROP TABLE IF EXISTS links;
DROP TABLE IF EXISTS interface_vlans;
DROP TABLE IF EXISTS device_name_candidates;
DROP TABLE IF EXISTS device_snmp;
DROP TABLE IF EXISTS services;
