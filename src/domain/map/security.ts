/**
 * Security (SPEC §12.3, G-30): zones are the regions, zone policies the only edges (drawn between
 * zone regions), devices the nodes. Zone-first and simplified: a zone focus shows the zone, the
 * zones its policies reach within `depth` policy hops, and the zone's members (plus the members of
 * the other zones from depth 2); a device focus shows the device in its zones and the zones their
 * policies reach (plus its zones' other members from depth 2). Zones are curated in build mode.
 */
import { baseInspector, type DeviceInfo, deviceLabel, focusOf, type ResolvedFocus } from './inspector.ts';
import {
  type Caps,
  complete,
  type MapEdge,
  type MapNode,
  type MapProjection,
  type MapRegion,
  type Relationship,
  sortById,
  TRUNCATED_GUIDANCE,
  truncation,
} from './model.ts';
import { scaffoldProjection } from './scaffold.ts';

export const SECURITY_GUIDANCE =
  'No security zones are defined yet. Zones and their policies are curated by hand: define them with the build-mode APIs, then focus a zone or a device here.';
export const SECURITY_FOCUS_GUIDANCE = 'The security layer supports only a device or zone focus.';
export const DEVICE_WITHOUT_ZONE_GUIDANCE =
  'This device is in no security zone yet. Add it to a zone in build mode to see the flows allowed to and from it.';
export const unknownZoneGuidance = (id: string): string =>
  `No zone with id "${id}" exists. Zones are defined in build mode; list them with GET /api/v1/zones.`;

export interface ZoneInfo {
  id: string;
  name: string;
  description: string | null;
  color: string | null;
}

export interface PolicyInfo {
  id: string;
  from_zone_id: string;
  to_zone_id: string;
  protocol: string | null;
  ports: string | null;
  action: 'allow' | 'deny';
  description: string | null;
}

/** What the service read for a focus, already bounded (every list at most cap + 1 long). */
export interface SecurityData {
  /** The focused zone (zone focus) or the device's zones in id order (device focus). */
  anchorZones: ZoneInfo[];
  /** Every zone reached through policies within depth hops, the anchors included, in BFS then id order. */
  reachedZones: ZoneInfo[];
  /** Total number of zones reached when known (before the cap). */
  reachedTotal: number;
  /** Policies with both ends among the shown zones, by id. */
  policies: PolicyInfo[];
  /** Member device ids to show, in the order they should survive the cap (anchor members first). */
  members: string[];
  /** Known member count of the anchor zones (zone focus), for the inspector. */
  memberTotal?: number;
  /** Zone memberships of the shown devices (only among the shown zones matter). */
  membership: Map<string, string[]>;
  devices: Map<string, DeviceInfo>;
}

/** `allow tcp/443`, `deny udp`, `allow any`. */
export function policyLabel(policy: Pick<PolicyInfo, 'action' | 'protocol' | 'ports'>): string {
  const protocol = policy.protocol ?? 'any';
  return `${policy.action} ${policy.ports ? `${protocol}/${policy.ports}` : protocol}`;
}

function zoneRegion(zone: ZoneInfo): MapRegion {
  const meta: Record<string, unknown> = { zone_id: zone.id };
  if (zone.color) meta.color = zone.color;
  if (zone.description) meta.description = zone.description;
  return { id: zone.id, kind: 'zone', label: zone.name, meta };
}

function zoneRelationship(zone: ZoneInfo, prefix: string): Relationship {
  return { label: `${prefix} ${zone.name}`, layer: 'security', focus_type: 'zone', focus_id: zone.id };
}

/**
 * The security projection. `data` is what the service read, or the guidance to give instead when
 * there is nothing to draw (no zones at all, an unknown zone, a device in no zone, depth 0).
 */
export function securityProjection(
  focus: ResolvedFocus,
  caps: Caps,
  data: SecurityData | { guidance?: string },
): MapProjection {
  if (focus.type !== 'device' && focus.type !== 'zone') {
    return scaffoldProjection('security', focus, caps, { guidance: SECURITY_FOCUS_GUIDANCE });
  }
  if (!('reachedZones' in data)) {
    const projection = focus.type === 'zone' ? 'security (zone focus)' : 'security (device focus)';
    return scaffoldProjection('security', focus, caps, { projection, ...data });
  }

  const shownZones = data.reachedZones.slice(0, caps.regions);
  const shownIds = new Set(shownZones.map((zone) => zone.id));
  const regionsTruncated = data.reachedTotal > shownZones.length;

  const memberIds =
    focus.type === 'device' ? [focus.id, ...data.members.filter((id) => id !== focus.id)] : data.members;
  const nodesTruncated = memberIds.length > caps.nodes;
  const anchorIds = data.anchorZones.map((zone) => zone.id);
  const nodes: MapNode[] = memberIds.slice(0, caps.nodes).map((id) => {
    const zones = (data.membership.get(id) ?? []).filter((zone) => shownIds.has(zone)).sort();
    const primary = anchorIds.find((zone) => zones.includes(zone)) ?? zones[0];
    const info = data.devices.get(id);
    return {
      id,
      kind: 'device',
      label: info ? deviceLabel(info) : id,
      ...(primary ? { primary_region_id: primary } : {}),
      region_ids: zones,
      meta: { device_id: id },
    };
  });

  const policies = data.policies.filter((p) => shownIds.has(p.from_zone_id) && shownIds.has(p.to_zone_id));
  const edgesTruncated = policies.length > caps.edges;
  const edges: MapEdge[] = policies.slice(0, caps.edges).map((policy) => ({
    id: policy.id,
    kind: 'policy',
    from: policy.from_zone_id,
    to: policy.to_zone_id,
    label: policyLabel(policy),
    meta: {
      action: policy.action,
      ...(policy.protocol ? { protocol: policy.protocol } : {}),
      ...(policy.ports ? { ports: policy.ports } : {}),
      ...(policy.description ? { description: policy.description } : {}),
    },
  }));

  const inspector = baseInspector(
    'security',
    focus,
    focus.type === 'zone' ? 'security (zone focus)' : 'security (device focus)',
  );
  const anchor = data.anchorZones[0];
  if (focus.type === 'zone' && anchor) {
    inspector.title = anchor.name;
    inspector.identity.push({ label: 'Name', value: anchor.name });
    if (anchor.description) inspector.identity.push({ label: 'Description', value: anchor.description });
    if (data.memberTotal !== undefined) inspector.status.push({ label: 'Members', value: String(data.memberTotal) });
  } else {
    inspector.status.push({ label: 'Zones', value: data.anchorZones.map((zone) => zone.name).join(', ') });
  }
  const anchorSet = new Set(anchorIds);
  inspector.status.push({
    label: 'Policies',
    value: edgesTruncated ? `${edges.length} of >${caps.edges}` : String(edges.length),
  });
  inspector.relationships.push(
    ...data.anchorZones
      .filter((zone) => focus.type === 'device' || zone.id !== focus.id)
      .map((z) => zoneRelationship(z, 'Zone')),
    ...shownZones.filter((zone) => !anchorSet.has(zone.id)).map((zone) => zoneRelationship(zone, 'Policy peer')),
  );

  const truncated = regionsTruncated || nodesTruncated || edgesTruncated;
  return {
    layer: 'security',
    focus: focusOf(focus),
    ...(truncated ? { guidance: TRUNCATED_GUIDANCE } : {}),
    regions: sortById(shownZones.map(zoneRegion)),
    nodes: sortById(nodes),
    edges: sortById(edges),
    inspector,
    truncation: {
      regions: regionsTruncated
        ? truncation(
            shownZones.length,
            caps.regions,
            true,
            data.reachedTotal,
            `Zone cap hit: showing ${shownZones.length} of ${data.reachedTotal}.`,
          )
        : complete(shownZones.length, caps.regions),
      nodes: nodesTruncated
        ? truncation(
            nodes.length,
            caps.nodes,
            true,
            undefined,
            `Node cap hit: showing ${nodes.length} of >${caps.nodes} devices.`,
          )
        : complete(nodes.length, caps.nodes),
      edges: edgesTruncated
        ? truncation(
            edges.length,
            caps.edges,
            true,
            undefined,
            `Edge cap hit: showing ${edges.length} of >${caps.edges} policies.`,
          )
        : complete(edges.length, caps.edges),
    },
  };
}
