/**
 * Builds the L2 and L3 projections (regions = VLANs or subnets, nodes = devices) from an expansion.
 * The layer files supply the rules and the wording.
 */
import { baseInspector, type DeviceInfo, deviceLabel, focusOf, type ResolvedFocus } from './inspector.ts';
import { type Expansion, memberRegions, type RegionRules } from './membership.ts';
import {
  type Caps,
  complete,
  type LabelValue,
  type MapEdge,
  type MapLayer,
  type MapNode,
  type MapProjection,
  type MapRegion,
  type Relationship,
  sortById,
  TRUNCATED_GUIDANCE,
  truncation,
} from './model.ts';

export interface RegionalLayer<F> {
  layer: MapLayer;
  rules: RegionRules<F>;
  regionKind: 'subnet' | 'vlan';
  regionLabel(id: string): string;
  /** `Subnet` / `VLAN` in the cap warning. */
  capName: string;
  /** `Subnets` / `VLANs`. */
  countLabel: string;
  /** `Primary subnet` / `Primary VLAN`. */
  primaryLabel: string;
  /** `Open subnet 10.0.1.0/24` / `Open VLAN 10`. */
  openLabel(id: string): string;
  primaryOf(regionIds: readonly string[], device: DeviceInfo | undefined): string | undefined;
  /** Whether the focus is connected to its direct peers by `peer` edges (L3). */
  peerEdges: boolean;
  /** Status rows right after `Projection` (e.g. L2's membership model). */
  extraStatus: LabelValue[];
  noFactsGuidance: string;
  emptyRegionGuidance: string;
}

function regionOf<F>(layer: RegionalLayer<F>, id: string): MapRegion {
  return { id, kind: layer.regionKind, label: layer.regionLabel(id) };
}

function deviceNode<F>(
  layer: RegionalLayer<F>,
  id: string,
  regions: string[],
  expansion: Expansion<F>,
  info?: DeviceInfo,
): MapNode {
  const regionIds = memberRegions(layer.rules, regions, expansion.facts.get(id) ?? []);
  const primary = layer.primaryOf(regionIds, info);
  const label = info ? deviceLabel(info) : id;
  return {
    id,
    kind: 'device',
    label,
    ...(primary ? { primary_region_id: primary } : {}),
    region_ids: regionIds,
    meta: { device_id: id },
  };
}

function nodeTruncation(count: number, caps: Caps, truncated: boolean) {
  return truncated
    ? truncation(count, caps.nodes, true, undefined, `Node cap hit: showing ${count} of >${caps.nodes} devices.`)
    : complete(count, caps.nodes);
}

function regionTruncation<F>(layer: RegionalLayer<F>, count: number, caps: Caps, expansion: Expansion<F>) {
  const total = expansion.regionsSeen;
  return expansion.regionsTruncated
    ? truncation(count, caps.regions, true, total, `${layer.capName} cap hit: showing ${count} of ${total}.`)
    : truncation(count, caps.regions, false, total);
}

const openDevice = (layer: MapLayer, node: MapNode): Relationship => ({
  label: `Open device ${node.label ?? node.id}`,
  layer,
  focus_type: 'device',
  focus_id: node.id,
});

/** Device focus with depth ≥ 1. */
export function regionalDeviceProjection<F>(
  layer: RegionalLayer<F>,
  focus: Extract<ResolvedFocus, { type: 'device' }>,
  expansion: Expansion<F>,
  devices: Map<string, DeviceInfo>,
  caps: Caps,
  projection: { status: string; identity?: LabelValue[]; statusFirst?: LabelValue[] },
): MapProjection {
  const regions = expansion.regions;
  const focusNode = deviceNode(layer, focus.id, regions, expansion, focus.device);
  const peers = expansion.peers.map((id) => deviceNode(layer, id, regions, expansion, devices.get(id)));
  const nodes = sortById([focusNode, ...peers]);

  let edges: MapEdge[] = [];
  let edgeTruncation = complete(0, caps.edges);
  if (layer.peerEdges) {
    const direct = [...expansion.directPeers].sort();
    const all = direct.map((peer) => ({ id: `peer:${focus.id}:${peer}`, kind: 'peer', from: focus.id, to: peer }));
    edges = all.slice(0, caps.edges);
    edgeTruncation =
      all.length > caps.edges
        ? truncation(
            edges.length,
            caps.edges,
            true,
            all.length,
            `Edge cap hit: showing ${edges.length} of ${all.length}.`,
          )
        : truncation(edges.length, caps.edges, false, all.length);
  }

  const own = expansion.focusRegions;
  const ownShown = own.filter((id) => regions.includes(id));
  const primary = focusNode.primary_region_id;
  const others = ownShown.filter((id) => id !== primary);
  const more = own.length - ownShown.length;
  const inspector = baseInspector(layer.layer, focus, projection.status);
  inspector.identity.push(...(projection.identity ?? []));
  inspector.status.push(...layer.extraStatus, ...(projection.statusFirst ?? []));
  inspector.status.push({
    label: layer.countLabel,
    value: own.length === 0 ? 'none' : more > 0 ? `${ownShown.length} of ${own.length}` : String(own.length),
  });
  if (primary) inspector.status.push({ label: layer.primaryLabel, value: primary });
  if (others.length > 0 || more > 0) {
    inspector.status.push({
      label: 'Also in',
      value: `${others.join(', ')}${more > 0 ? `${others.length > 0 ? ' ' : ''}(+${more} more)` : ''}`,
    });
  }
  inspector.status.push({ label: 'Peers', value: String(nodes.length - 1) });
  for (const id of regions) {
    inspector.relationships.push({
      label: layer.openLabel(id),
      layer: layer.layer,
      focus_type: layer.regionKind,
      focus_id: id,
    });
  }
  for (const node of nodes) if (node.id !== focus.id) inspector.relationships.push(openDevice(layer.layer, node));

  const regionList = regions.map((id) => regionOf(layer, id));
  const truncated = expansion.regionsTruncated || expansion.nodesTruncated || edgeTruncation.truncated;
  const guidance = own.length === 0 ? layer.noFactsGuidance : truncated ? TRUNCATED_GUIDANCE : undefined;
  return {
    layer: layer.layer,
    focus: focusOf(focus),
    ...(guidance ? { guidance } : {}),
    regions: regionList,
    nodes,
    edges: sortById(edges),
    inspector,
    truncation: {
      regions: regionTruncation(layer, regionList.length, caps, expansion),
      nodes: nodeTruncation(nodes.length, caps, expansion.nodesTruncated),
      edges: edgeTruncation,
    },
  };
}

/** Subnet focus on L3 or VLAN focus on L2 (depth 0: the region only). */
export function regionalRegionProjection<F>(
  layer: RegionalLayer<F>,
  focus: Extract<ResolvedFocus, { type: 'subnet' | 'vlan' }>,
  expansion: Expansion<F>,
  devices: Map<string, DeviceInfo>,
  caps: Caps,
  depth: number,
  projection: string,
): MapProjection {
  const regions = expansion.regions;
  const nodes = sortById(expansion.peers.map((id) => deviceNode(layer, id, regions, expansion, devices.get(id))));
  const inspector = baseInspector(layer.layer, focus, projection);
  inspector.status.push(...layer.extraStatus);
  if (depth >= 1) inspector.status.push({ label: 'Devices', value: String(nodes.length) });
  for (const node of nodes) inspector.relationships.push(openDevice(layer.layer, node));
  for (const id of regions) {
    if (id === focus.id) continue;
    inspector.relationships.push({
      label: layer.openLabel(id),
      layer: layer.layer,
      focus_type: layer.regionKind,
      focus_id: id,
    });
  }
  const truncated = expansion.regionsTruncated || expansion.nodesTruncated;
  const guidance =
    depth >= 1 && nodes.length === 0 ? layer.emptyRegionGuidance : truncated ? TRUNCATED_GUIDANCE : undefined;
  return {
    layer: layer.layer,
    focus: focusOf(focus),
    ...(guidance ? { guidance } : {}),
    regions: regions.map((id) => regionOf(layer, id)),
    nodes,
    edges: [],
    inspector,
    truncation: {
      regions: regionTruncation(layer, regions.length, caps, expansion),
      nodes: nodeTruncation(nodes.length, caps, expansion.nodesTruncated),
      edges: complete(0, caps.edges),
    },
  };
}
