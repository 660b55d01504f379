-- Build mode (issue 8 item 2): curated truth written by operators, never by discovery.
-- Manual links live in `links` (one row per cable whoever reported it): a curated link has
-- 'manual' in `protocols` and source = 'manual'; these columns carry what only an operator knows.
ALTER TABLE links ADD COLUMN IF NOT EXISTS label text;
ALTER TABLE links ADD COLUMN IF NOT EXISTS notes text;

-- Zones are identified by a slug (the map's `zone` focus id), chosen by the operator or derived from the name.
CREATE TABLE IF NOT EXISTS zones (
    id          text        PRIMARY KEY,
    name        text        NOT NULL,
    description text,
    color       text,
    created_at  timestamptz NOT NULL DEFAULT now(),
    updated_at  timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT zones_id_chk CHECK (id ~ '^[a-z0-9]([a-z0-9-]{0,62}[a-z0-9])?$'),
    CONSTRAINT zones_color_chk CHECK (color IS NULL OR color ~ '^#[0-9a-f]{6}$')
);
CREATE UNIQUE INDEX IF NOT EXISTS zones_name_uniq ON zones (lower(name));

-- A device may belong to several zones.
CREATE TABLE IF NOT EXISTS device_zones (
    zone_id    text        NOT NULL REFERENCES zones (id) ON DELETE CASCADE,
    device_id  uuid        NOT NULL REFERENCES devices (id) ON DELETE CASCADE,
    created_at timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT device_zones_pkey PRIMARY KEY (zone_id, device_id)
);
CREATE INDEX IF NOT EXISTS device_zones_device_id_idx ON device_zones (device_id);

-- Flows between zones; a NULL protocol or ports means "any". One rule per flow (the action is not
-- part of the key: a flow cannot be both allowed and denied).
CREATE TABLE IF NOT EXISTS zone_policies (
    id           uuid        PRIMARY KEY DEFAULT gen_random_uuid(),
    from_zone_id text        NOT NULL REFERENCES zones (id) ON DELETE CASCADE,
    to_zone_id   text        NOT NULL REFERENCES zones (id) ON DELETE CASCADE,
    protocol     text,
    ports        text,
    action       text        NOT NULL DEFAULT 'allow',
    description  text,
    created_at   timestamptz NOT NULL DEFAULT now(),
    updated_at   timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT zone_policies_protocol_chk CHECK (protocol IS NULL OR protocol IN ('tcp', 'udp', 'icmp')),
    CONSTRAINT zone_policies_action_chk CHECK (action IN ('allow', 'deny')),
    CONSTRAINT zone_policies_ports_chk CHECK (ports IS NULL OR protocol IN ('tcp', 'udp'))
);
CREATE UNIQUE INDEX IF NOT EXISTS zone_policies_flow_uniq
    ON zone_policies (from_zone_id, to_zone_id, COALESCE(protocol, ''), COALESCE(ports, ''));
CREATE INDEX IF NOT EXISTS zone_policies_to_zone_id_idx ON zone_policies (to_zone_id);

-- "A depends on B": each end is a service (with its host device) or, when no service row exists, a
-- device on its own (service id NULL).
CREATE TABLE IF NOT EXISTS service_dependencies (
    id              uuid        PRIMARY KEY DEFAULT gen_random_uuid(),
    from_device_id  uuid        NOT NULL REFERENCES devices (id) ON DELETE CASCADE,
    from_service_id uuid        REFERENCES services (id) ON DELETE CASCADE,
    to_device_id    uuid        NOT NULL REFERENCES devices (id) ON DELETE CASCADE,
    to_service_id   uuid        REFERENCES services (id) ON DELETE CASCADE,
    source          text        NOT NULL DEFAULT 'manual',
    description     text,
    created_at      timestamptz NOT NULL DEFAULT now(),
    updated_at      timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT service_dependencies_source_chk CHECK (source IN ('manual', 'imported', 'inferred'))
);
CREATE UNIQUE INDEX IF NOT EXISTS service_dependencies_edge_uniq ON service_dependencies (
    from_device_id, COALESCE(from_service_id, '00000000-0000-0000-0000-000000000000'::uuid),
    to_device_id, COALESCE(to_service_id, '00000000-0000-0000-0000-000000000000'::uuid));
CREATE INDEX IF NOT EXISTS service_dependencies_to_device_id_idx ON service_dependencies (to_device_id);
