/**
 * Physical: the focused device, its link peers, and one `link` edge per cable (links are already one
 * row per cable, see link-identity.ts). Several cables to the same peer stay several edges.
 */
import { baseInspector, type DeviceInfo, deviceLabel, focusOf, type ResolvedFocus } from './inspector.ts';
import {
  type Caps,
  complete,
  type MapEdge,
  type MapNode,
  type MapProjection,
  sortById,
  TRUNCATED_GUIDANCE,
  truncation,
} from './model.ts';
import { focusNode } from './scaffold.ts';

export interface LinkFact {
  id: string;
  link_key: string;
  source: string;
  link_type: string | null;
  /** The other end's device (the focus itself for a cable between two of its ports). */
  peer_id: string;
}

export interface PhysicalInput {
  /** Links touching the focus ordered by peer id, then link id (at least caps.edges + 1 when there are that many). */
  links: LinkFact[];
  linkTotal: number;
  peerTotal: number;
  devices: Map<string, DeviceInfo>;
}

export const NO_LINKS_GUIDANCE =
  'No physical links are known for this device yet. Links come from LLDP/CDP neighbour data gathered by SNMP enrichment; manual links are added in build mode.';

export function physicalProjection(
  focus: Extract<ResolvedFocus, { type: 'device' }>,
  input: PhysicalInput,
  caps: Caps,
): MapProjection {
  const peerRoom = Math.max(0, caps.nodes - 1);
  const peers: MapNode[] = [];
  const peerIds = new Set<string>();
  const edges: MapEdge[] = [];
  for (const link of input.links) {
    if (edges.length >= caps.edges) break;
    const isSelf = link.peer_id === focus.id;
    if (!isSelf && !peerIds.has(link.peer_id)) {
      if (peers.length >= peerRoom) continue;
      const info = input.devices.get(link.peer_id);
      peerIds.add(link.peer_id);
      peers.push({
        id: link.peer_id,
        kind: 'device',
        label: info ? deviceLabel(info) : link.peer_id,
        region_ids: [],
        meta: { device_id: link.peer_id },
      });
    }
    edges.push({
      id: `link:${link.id}`,
      kind: 'link',
      from: focus.id,
      to: link.peer_id,
      meta: { link_key: link.link_key, source: link.source, ...(link.link_type ? { link_type: link.link_type } : {}) },
    });
  }
  const nodes = sortById([focusNode(focus), ...peers]);
  const peersTotal = input.peerTotal;
  const nodesTruncated = peers.length < peersTotal;
  const edgesTruncated = edges.length < input.linkTotal;
  const inspector = baseInspector('physical', focus, 'physical (device focus)');
  inspector.status.push({
    label: 'Links',
    value:
      input.linkTotal === 0 ? 'none' : edgesTruncated ? `${edges.length} of ${input.linkTotal}` : String(edges.length),
  });
  inspector.status.push({ label: 'Neighbors', value: String(nodes.length - 1) });
  for (const node of nodes) {
    if (node.id === focus.id) continue;
    inspector.relationships.push({
      label: `Open device ${node.label ?? node.id}`,
      layer: 'physical',
      focus_type: 'device',
      focus_id: node.id,
    });
  }
  const guidance =
    input.linkTotal === 0 ? NO_LINKS_GUIDANCE : nodesTruncated || edgesTruncated ? TRUNCATED_GUIDANCE : undefined;
  return {
    layer: 'physical',
    focus: focusOf(focus),
    ...(guidance ? { guidance } : {}),
    regions: [],
    nodes,
    edges: sortById(edges),
    inspector,
    truncation: {
      regions: complete(0, caps.regions),
      nodes: nodesTruncated
        ? truncation(
            nodes.length,
            caps.nodes,
            true,
            peersTotal + 1,
            `Node cap hit: showing ${nodes.length} of ${peersTotal + 1} devices.`,
          )
        : truncation(nodes.length, caps.nodes, false, nodes.length),
      edges: edgesTruncated
        ? truncation(
            edges.length,
            caps.edges,
            true,
            input.linkTotal,
            `Edge cap hit: showing ${edges.length} of ${input.linkTotal}.`,
          )
        : truncation(edges.length, caps.edges, false, input.linkTotal),
    },
  };
}
