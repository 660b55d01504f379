-- Devices and the facts that identify them (SPEC §3.2).
CREATE EXTENSION IF NOT EXISTS pg_trgm;

CREATE TABLE IF NOT EXISTS devices (
    id             uuid        PRIMARY KEY DEFAULT gen_random_uuid(),
    display_name   text,
    created_at     timestamptz NOT NULL DEFAULT now(),
    updated_at     timestamptz NOT NULL DEFAULT now(),
    -- Derived summary (primary IP, last seen, last change, search text). Rewritten by
    -- storage/device-summary.ts in the same transaction as any fact change, so the device
    -- list is a single indexed table scan instead of aggregating every fact table per request.
    primary_ip     inet,
    last_seen_at   timestamptz,
    last_change_at timestamptz NOT NULL DEFAULT now(),
    search_text    text        NOT NULL DEFAULT '',
    -- Effective tags (manual first, each once), so a list page never aggregates device_tags per row.
    tags           text[]      NOT NULL DEFAULT '{}'
);
CREATE INDEX IF NOT EXISTS devices_updated_at_idx ON devices (updated_at DESC);
CREATE INDEX IF NOT EXISTS devices_created_at_id_idx ON devices (created_at DESC, id DESC);
CREATE INDEX IF NOT EXISTS devices_last_seen_id_idx
    ON devices ((COALESCE(last_seen_at, '1970-01-01 00:00:00+00'::timestamptz)) DESC, id DESC);
CREATE INDEX IF NOT EXISTS devices_last_change_id_idx ON devices (last_change_at DESC, id DESC);
-- Trigram search. pg_trgm treats '.', ':' and '-' as word breaks, which makes IP, MAC and host-name
-- fragments ("10.0.1", "aa:bb", "printer-3") unselective; mapping them to a letter keeps each one
-- searchable word. The query re-checks the untranslated text, so the mapping never changes results.
CREATE INDEX IF NOT EXISTS devices_search_trgm_idx
    ON devices USING gin ((translate(search_text, '.:-', 'qqq')) gin_trgm_ops);

CREATE TABLE IF NOT EXISTS device_metadata (
    id         uuid        PRIMARY KEY DEFAULT gen_random_uuid(),
    device_id  uuid        NOT NULL UNIQUE REFERENCES devices (id) ON DELETE CASCADE,
    owner      text,
    location   text,
    notes      text,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX IF NOT EXISTS device_metadata_updated_at_idx ON device_metadata (updated_at DESC);

CREATE TABLE IF NOT EXISTS interfaces (
    id           uuid        PRIMARY KEY DEFAULT gen_random_uuid(),
    device_id    uuid        NOT NULL REFERENCES devices (id) ON DELETE CASCADE,
    name         text,
    ifindex      integer,
    descr        text,
    alias        text,
    mac          macaddr,
    admin_status integer,
    oper_status  integer,
    mtu          integer,
    speed_bps    bigint,
    created_at   timestamptz NOT NULL DEFAULT now(),
    updated_at   timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT interfaces_device_id_ifindex_uniq UNIQUE (device_id, ifindex)
);
CREATE INDEX IF NOT EXISTS interfaces_device_id_idx ON interfaces (device_id);
CREATE UNIQUE INDEX IF NOT EXISTS interfaces_device_id_name_uniq ON interfaces (device_id, name) WHERE name IS NOT NULL;

CREATE TABLE IF NOT EXISTS ip_addresses (
    id           uuid        PRIMARY KEY DEFAULT gen_random_uuid(),
    device_id    uuid        REFERENCES devices (id) ON DELETE CASCADE,
    interface_id uuid        REFERENCES interfaces (id) ON DELETE CASCADE,
    ip           inet        NOT NULL,
    created_at   timestamptz NOT NULL DEFAULT now(),
    updated_at   timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT ip_addresses_device_or_interface_chk CHECK (device_id IS NOT NULL OR interface_id IS NOT NULL)
);
CREATE INDEX IF NOT EXISTS ip_addresses_ip_idx ON ip_addresses (ip);
CREATE INDEX IF NOT EXISTS ip_addresses_device_id_idx ON ip_addresses (device_id);
CREATE INDEX IF NOT EXISTS ip_addresses_interface_id_idx ON ip_addresses (interface_id);
CREATE UNIQUE INDEX IF NOT EXISTS ip_addresses_device_id_ip_uniq ON ip_addresses (device_id, ip) WHERE device_id IS NOT NULL;
CREATE UNIQUE INDEX IF NOT EXISTS ip_addresses_interface_id_ip_uniq ON ip_addresses (interface_id, ip) WHERE interface_id IS NOT NULL;

CREATE TABLE IF NOT EXISTS mac_addresses (
    id           uuid        PRIMARY KEY DEFAULT gen_random_uuid(),
    device_id    uuid        REFERENCES devices (id) ON DELETE CASCADE,
    interface_id uuid        REFERENCES interfaces (id) ON DELETE CASCADE,
    mac          macaddr     NOT NULL,
    created_at   timestamptz NOT NULL DEFAULT now(),
    updated_at   timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT mac_addresses_device_or_interface_chk CHECK (device_id IS NOT NULL OR interface_id IS NOT NULL)
);
CREATE INDEX IF NOT EXISTS mac_addresses_mac_idx ON mac_addresses (mac);
CREATE INDEX IF NOT EXISTS mac_addresses_device_id_idx ON mac_addresses (device_id);
CREATE INDEX IF NOT EXISTS mac_addresses_interface_id_idx ON mac_addresses (interface_id);
CREATE UNIQUE INDEX IF NOT EXISTS mac_addresses_device_id_mac_uniq ON mac_addresses (device_id, mac) WHERE device_id IS NOT NULL;
CREATE UNIQUE INDEX IF NOT EXISTS mac_addresses_interface_id_mac_uniq ON mac_addresses (interface_id, mac) WHERE interface_id IS NOT NULL;
