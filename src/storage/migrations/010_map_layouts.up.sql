-- Saved map layouts (issue 8): node positions an operator dragged, one layout per layer and focus,
-- shared by every operator. Keyed by the normalised focus (device/service UUID, masked subnet
-- prefix, VLAN integer text, zone id) with no foreign key: a layout may outlive its focus object, and
-- deleting a device never has to touch this table.
CREATE TABLE IF NOT EXISTS map_layouts (
    layer      text        NOT NULL,
    focus_type text        NOT NULL,
    focus_id   text        NOT NULL,
    positions  jsonb       NOT NULL,
    updated_at timestamptz NOT NULL DEFAULT now(),
    updated_by text,
    CONSTRAINT map_layouts_pkey PRIMARY KEY (layer, focus_type, focus_id),
    CONSTRAINT map_layouts_layer_chk CHECK (layer IN ('physical', 'l2', 'l3', 'services', 'security')),
    CONSTRAINT map_layouts_focus_type_chk CHECK (focus_type IN ('device', 'subnet', 'vlan', 'zone', 'service')),
    CONSTRAINT map_layouts_positions_chk CHECK (jsonb_typeof(positions) = 'object')
);
