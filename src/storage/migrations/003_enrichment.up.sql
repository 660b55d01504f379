-- Enrichment facts: services, SNMP, name hints, VLANs, links and tags (SPEC §3.2).
CREATE TABLE IF NOT EXISTS services (
    id          uuid        PRIMARY KEY DEFAULT gen_random_uuid(),
    device_id   uuid        NOT NULL REFERENCES devices (id) ON DELETE CASCADE,
    protocol    text,
    port        integer,
    name        text,
    state       text,
    source      text,
    observed_at timestamptz NOT NULL DEFAULT now(),
    created_at  timestamptz NOT NULL DEFAULT now(),
    updated_at  timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT services_protocol_chk CHECK (protocol IS NULL OR protocol IN ('tcp', 'udp')),
    CONSTRAINT services_port_range_chk CHECK (port IS NULL OR port BETWEEN 1 AND 65535),
    CONSTRAINT services_state_chk CHECK (state IS NULL OR state IN ('open', 'closed'))
);
CREATE INDEX IF NOT EXISTS services_device_id_idx ON services (device_id);
CREATE INDEX IF NOT EXISTS services_port_idx ON services (port);
CREATE UNIQUE INDEX IF NOT EXISTS services_device_protocol_port_uniq
    ON services (device_id, protocol, port) WHERE protocol IS NOT NULL AND port IS NOT NULL;
CREATE INDEX IF NOT EXISTS services_device_observed_at_idx ON services (device_id, observed_at DESC);
CREATE INDEX IF NOT EXISTS services_observed_at_idx ON services (observed_at DESC);

CREATE TABLE IF NOT EXISTS device_snmp (
    device_id       uuid        PRIMARY KEY REFERENCES devices (id) ON DELETE CASCADE,
    address         inet,
    sys_name        text,
    sys_descr       text,
    sys_object_id   text,
    sys_contact     text,
    sys_location    text,
    last_success_at timestamptz,
    last_error      text,
    updated_at      timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX IF NOT EXISTS device_snmp_sys_name_idx ON device_snmp (sys_name);

-- G-16: NULLS NOT DISTINCT so neighbour-derived names (no address) are not inserted again every run.
CREATE TABLE IF NOT EXISTS device_name_candidates (
    id          bigserial   PRIMARY KEY,
    device_id   uuid        NOT NULL REFERENCES devices (id) ON DELETE CASCADE,
    name        text        NOT NULL,
    source      text        NOT NULL,
    address     inet,
    observed_at timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT device_name_candidates_device_source_name_addr_uniq
        UNIQUE NULLS NOT DISTINCT (device_id, source, name, address)
);
CREATE INDEX IF NOT EXISTS device_name_candidates_device_observed_at_idx
    ON device_name_candidates (device_id, observed_at DESC);

-- One PVID per interface; tagged/untagged membership may list many VLANs per interface.
CREATE TABLE IF NOT EXISTS interface_vlans (
    id           bigserial   PRIMARY KEY,
    interface_id uuid        NOT NULL REFERENCES interfaces (id) ON DELETE CASCADE,
    vlan_id      integer     NOT NULL,
    role         text        NOT NULL,
    source       text        NOT NULL,
    observed_at  timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT interface_vlans_role_chk CHECK (role IN ('pvid', 'tagged', 'untagged')),
    CONSTRAINT interface_vlans_vlan_id_chk CHECK (vlan_id BETWEEN 0 AND 4095),
    CONSTRAINT interface_vlans_interface_role_vlan_uniq UNIQUE (interface_id, role, vlan_id)
);
CREATE UNIQUE INDEX IF NOT EXISTS interface_vlans_interface_pvid_uniq ON interface_vlans (interface_id) WHERE role = 'pvid';
CREATE INDEX IF NOT EXISTS interface_vlans_vlan_id_idx ON interface_vlans (vlan_id);
CREATE INDEX IF NOT EXISTS interface_vlans_observed_at_idx ON interface_vlans (observed_at DESC);

-- link_key identifies the cable, not the protocol that saw it: an LLDP and a CDP sighting of one
-- cable are one row (G-29).
CREATE TABLE IF NOT EXISTS links (
    id             uuid        PRIMARY KEY DEFAULT gen_random_uuid(),
    link_key       text        NOT NULL,
    a_device_id    uuid        NOT NULL REFERENCES devices (id) ON DELETE CASCADE,
    a_interface_id uuid        REFERENCES interfaces (id) ON DELETE SET NULL,
    b_device_id    uuid        NOT NULL REFERENCES devices (id) ON DELETE CASCADE,
    b_interface_id uuid        REFERENCES interfaces (id) ON DELETE SET NULL,
    link_type      text,
    source         text        NOT NULL,
    observed_at    timestamptz,
    created_at     timestamptz NOT NULL DEFAULT now(),
    updated_at     timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT links_link_key_uniq UNIQUE (link_key),
    CONSTRAINT links_link_type_chk CHECK (link_type IS NULL OR link_type IN ('ethernet', 'wireless', 'virtual')),
    CONSTRAINT links_source_chk CHECK (source IN ('manual', 'lldp', 'cdp'))
);
CREATE INDEX IF NOT EXISTS links_a_device_id_idx ON links (a_device_id);
CREATE INDEX IF NOT EXISTS links_b_device_id_idx ON links (b_device_id);
CREATE INDEX IF NOT EXISTS links_source_idx ON links (source);
CREATE INDEX IF NOT EXISTS links_observed_at_idx ON links (observed_at DESC);

CREATE TABLE IF NOT EXISTS device_tags (
    id         bigserial   PRIMARY KEY,
    device_id  uuid        NOT NULL REFERENCES devices (id) ON DELETE CASCADE,
    tag        text        NOT NULL,
    source     text        NOT NULL,
    confidence integer     NOT NULL DEFAULT 50,
    evidence   jsonb,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT device_tags_source_chk CHECK (source IN ('auto', 'manual')),
    CONSTRAINT device_tags_confidence_chk CHECK (confidence BETWEEN 0 AND 100),
    CONSTRAINT device_tags_device_tag_source_uniq UNIQUE (device_id, tag, source)
);
CREATE INDEX IF NOT EXISTS device_tags_device_id_idx ON device_tags (device_id);
CREATE INDEX IF NOT EXISTS device_tags_tag_idx ON device_tags (tag);
