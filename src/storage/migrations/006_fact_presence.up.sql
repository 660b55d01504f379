-- Facts age out (G-20): every discovered fact remembers the run that last confirmed it and, once a
-- run that should have seen it did not, since when it is stale. Stale facts stay (history,
-- retention decides when they go) but are marked as such instead of looking current forever.
-- Also: vendors of MACs, the switch forwarding table, VLAN names, and the SNMP credential that
-- answered.

ALTER TABLE ip_addresses ADD COLUMN IF NOT EXISTS source text;
ALTER TABLE ip_addresses ADD COLUMN IF NOT EXISTS seen_run_id uuid;
ALTER TABLE ip_addresses ADD COLUMN IF NOT EXISTS stale_since timestamptz;
ALTER TABLE ip_addresses ADD COLUMN IF NOT EXISTS prefix_length smallint;

ALTER TABLE mac_addresses ADD COLUMN IF NOT EXISTS source text;
ALTER TABLE mac_addresses ADD COLUMN IF NOT EXISTS seen_run_id uuid;
ALTER TABLE mac_addresses ADD COLUMN IF NOT EXISTS stale_since timestamptz;
-- From the IEEE OUI registry at write time; NULL for locally administered (randomised) MACs.
ALTER TABLE mac_addresses ADD COLUMN IF NOT EXISTS vendor text;
ALTER TABLE mac_addresses ADD COLUMN IF NOT EXISTS locally_administered boolean NOT NULL DEFAULT false;

ALTER TABLE interfaces ADD COLUMN IF NOT EXISTS source text;
ALTER TABLE interfaces ADD COLUMN IF NOT EXISTS seen_run_id uuid;
ALTER TABLE interfaces ADD COLUMN IF NOT EXISTS stale_since timestamptz;

ALTER TABLE services ADD COLUMN IF NOT EXISTS seen_run_id uuid;
ALTER TABLE services ADD COLUMN IF NOT EXISTS stale_since timestamptz;

ALTER TABLE interface_vlans ADD COLUMN IF NOT EXISTS seen_run_id uuid;
ALTER TABLE interface_vlans ADD COLUMN IF NOT EXISTS stale_since timestamptz;

ALTER TABLE links ADD COLUMN IF NOT EXISTS seen_run_id uuid;
ALTER TABLE links ADD COLUMN IF NOT EXISTS stale_since timestamptz;
-- Every protocol that has seen this cable (one row per cable, however many protocols saw it).
ALTER TABLE links ADD COLUMN IF NOT EXISTS protocols text[] NOT NULL DEFAULT '{}';

ALTER TABLE device_snmp ADD COLUMN IF NOT EXISTS credential text;
ALTER TABLE device_snmp ADD COLUMN IF NOT EXISTS sys_uptime bigint;

-- Whether discovery chose the display name (true) or a person or an import set it (false). Only a
-- name discovery chose is ever replaced, and only by a better candidate.
ALTER TABLE devices ADD COLUMN IF NOT EXISTS display_name_auto boolean NOT NULL DEFAULT false;

-- The most common vendor among a device's MACs, for the list, filters and search.
ALTER TABLE devices ADD COLUMN IF NOT EXISTS vendor text;
CREATE INDEX IF NOT EXISTS devices_vendor_idx ON devices (lower(vendor));

-- A switch's forwarding table: which MAC it learnt behind which of its ports.
CREATE TABLE IF NOT EXISTS fdb_entries (
    id           bigserial   PRIMARY KEY,
    device_id    uuid        NOT NULL REFERENCES devices (id) ON DELETE CASCADE,
    interface_id uuid        REFERENCES interfaces (id) ON DELETE SET NULL,
    mac          macaddr     NOT NULL,
    vlan_id      integer,
    seen_run_id  uuid,
    observed_at  timestamptz NOT NULL DEFAULT now(),
    stale_since  timestamptz,
    created_at   timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT fdb_entries_device_mac_vlan_uniq UNIQUE NULLS NOT DISTINCT (device_id, mac, vlan_id)
);
CREATE INDEX IF NOT EXISTS fdb_entries_mac_idx ON fdb_entries (mac);
CREATE INDEX IF NOT EXISTS fdb_entries_interface_id_idx ON fdb_entries (interface_id);

-- VLANs a device reports, with their names.
CREATE TABLE IF NOT EXISTS device_vlans (
    device_id   uuid        NOT NULL REFERENCES devices (id) ON DELETE CASCADE,
    vlan_id     integer     NOT NULL,
    name        text,
    seen_run_id uuid,
    observed_at timestamptz NOT NULL DEFAULT now(),
    stale_since timestamptz,
    PRIMARY KEY (device_id, vlan_id),
    CONSTRAINT device_vlans_vlan_id_chk CHECK (vlan_id BETWEEN 0 AND 4095)
);
CREATE INDEX IF NOT EXISTS device_vlans_vlan_id_idx ON device_vlans (vlan_id);

-- One candidate per (device, source, name) whatever address it was seen on (the address is the
-- latest one); observed_at stays the first sighting and last_seen_at follows the latest.
ALTER TABLE device_name_candidates ADD COLUMN IF NOT EXISTS last_seen_at timestamptz;
UPDATE device_name_candidates SET last_seen_at = observed_at WHERE last_seen_at IS NULL;
ALTER TABLE device_name_candidates ALTER COLUMN last_seen_at SET DEFAULT now();
ALTER TABLE device_name_candidates ALTER COLUMN last_seen_at SET NOT NULL;
DELETE FROM device_name_candidates c USING device_name_candidates k
 WHERE c.device_id = k.device_id AND c.source = k.source AND c.name = k.name AND c.id > k.id;
ALTER TABLE device_name_candidates DROP CONSTRAINT IF EXISTS device_name_candidates_device_source_name_addr_uniq;
ALTER TABLE device_name_candidates DROP CONSTRAINT IF EXISTS device_name_candidates_device_source_name_uniq;
ALTER TABLE device_name_candidates
    ADD CONSTRAINT device_name_candidates_device_source_name_uniq UNIQUE (device_id, source, name);

-- Real devices report the same ifName on several ifIndexes (stack members, VLAN interfaces), so a
-- name cannot be unique per device; remote-port stubs are matched by lookup instead.
DROP INDEX IF EXISTS interfaces_device_id_name_uniq;
CREATE INDEX IF NOT EXISTS interfaces_device_id_name_idx ON interfaces (device_id, name);
