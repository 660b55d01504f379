/**
 * Turns a projection into graph elements and derives the inspector of a selected element
 * (SPEC §10.8). Pure: the canvas, the outline list and the exports all read from here.
 */
import type { MapProjectionT } from '../../api/types.ts';
import { type FocusTypeId, isFocusType, MAP_LAYERS } from './map-url.ts';

type MapNode = MapProjectionT['nodes'][number];
type MapEdge = MapProjectionT['edges'][number];
type Inspector = NonNullable<MapProjectionT['inspector']>;
type Row = { label: string; value: string };

/** Element ids are prefixed so a region, a node and an edge can never clash (a host region and its device). */
export const regionKey = (id: string) => `r:${id}`;
export const nodeKey = (id: string) => `n:${id}`;
export const edgeKey = (id: string) => `e:${id}`;

export interface CanvasNodeData {
  id: string;
  ref: string;
  label: string;
  kind: string;
  role: 'region' | 'node';
  parent?: string;
  color?: string;
  focus?: boolean;
}
export interface CanvasEdgeData {
  id: string;
  ref: string;
  label: string;
  kind: string;
  source: string;
  target: string;
  action?: string;
}
export interface CanvasElements {
  nodes: CanvasNodeData[];
  edges: CanvasEdgeData[];
}

const collator = new Intl.Collator(undefined, { numeric: true, sensitivity: 'base' });
export const titleOf = (item: { id: string; label?: string }): string => item.label || item.id;
/** Locale-aware natural order by title (numbers compare numerically), then id. */
export const byTitle = <T extends { id: string; label?: string }>(a: T, b: T): number =>
  collator.compare(titleOf(a), titleOf(b)) || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);

/** The region a node is drawn in: its primary region (else its first) when that region is on the canvas. */
export function placementOf(node: MapNode, regionIds: ReadonlySet<string>): string | undefined {
  const wanted = node.primary_region_id ?? node.region_ids[0];
  return wanted !== undefined && regionIds.has(wanted) ? wanted : undefined;
}

export function toCanvasElements(projection: MapProjectionT): CanvasElements {
  const regionIds = new Set(projection.regions.map((region) => region.id));
  const nodeIds = new Set(projection.nodes.map((node) => node.id));
  const focusNodeId =
    projection.focus?.type === 'device' || projection.focus?.type === 'service' ? projection.focus.id : '';
  const focusRegionId = projection.focus?.id ?? '';
  const nodes: CanvasNodeData[] = [];
  for (const region of [...projection.regions].sort(byTitle)) {
    const parent =
      region.parent_region_id && regionIds.has(region.parent_region_id) ? region.parent_region_id : undefined;
    const color = typeof region.meta?.color === 'string' ? region.meta.color : undefined;
    nodes.push({
      id: regionKey(region.id),
      ref: region.id,
      label: titleOf(region),
      kind: region.kind,
      role: 'region',
      ...(parent ? { parent: regionKey(parent) } : {}),
      ...(color ? { color } : {}),
      ...(region.id === focusRegionId ? { focus: true } : {}),
    });
  }
  for (const node of [...projection.nodes].sort(byTitle)) {
    const placed = placementOf(node, regionIds);
    nodes.push({
      id: nodeKey(node.id),
      ref: node.id,
      label: titleOf(node),
      kind: node.kind,
      role: 'node',
      ...(placed ? { parent: regionKey(placed) } : {}),
      ...(node.id === focusNodeId ? { focus: true } : {}),
    });
  }
  // An edge end is a node when one has that id, else a region (security policies join zones).
  const endKey = (id: string) => (nodeIds.has(id) ? nodeKey(id) : regionIds.has(id) ? regionKey(id) : undefined);
  const edges: CanvasEdgeData[] = [];
  for (const edge of projection.edges) {
    const source = endKey(edge.from);
    const target = endKey(edge.to);
    if (!source || !target) continue;
    const action = typeof edge.meta?.action === 'string' ? edge.meta.action : undefined;
    edges.push({
      id: edgeKey(edge.id),
      ref: edge.id,
      label: edge.label ?? edgeCaption(edge),
      kind: edge.kind,
      source,
      target,
      ...(action ? { action } : {}),
    });
  }
  return { nodes, edges };
}

/** `ethernet • lldp` for a link without a label; the kind otherwise. */
function edgeCaption(edge: MapEdge): string {
  const parts = [edge.meta?.link_type, edge.meta?.source].filter((part): part is string => typeof part === 'string');
  return parts.length > 0 ? parts.join(' • ') : '';
}

export type Selection = { role: 'region' | 'node' | 'edge'; id: string };

/** Region kinds and node kinds that map onto a focus type (a `device` region is a services host). */
export function focusTypeOfKind(kind: string): FocusTypeId | undefined {
  return isFocusType(kind) ? kind : undefined;
}

const capitalise = (text: string) => text.charAt(0).toUpperCase() + text.slice(1);

function relationshipsFor(
  kind: string,
  id: string,
  currentLayer: string,
  drillIn: boolean,
): Inspector['relationships'] {
  const type = focusTypeOfKind(kind);
  if (!type) return [];
  const views = MAP_LAYERS.map((layer) => ({
    label: `View in ${layer.label.replace(/ \(.*\)$/, '')}`,
    layer: layer.id,
    focus_type: type,
    focus_id: id,
  }));
  return drillIn
    ? [
        {
          label: 'Drill in',
          layer: currentLayer as Inspector['relationships'][number]['layer'],
          focus_type: type,
          focus_id: id,
        },
        ...views,
      ]
    : views;
}

/** The inspector of a selected element, derived from the projection alone (no round trip). */
export function selectionInspector(projection: MapProjectionT, selection: Selection): Inspector | undefined {
  const regionsById = new Map(projection.regions.map((region) => [region.id, region]));
  if (selection.role === 'region') {
    const region = regionsById.get(selection.id);
    if (!region) return undefined;
    const identity: Row[] = [
      { label: 'Type', value: capitalise(region.kind) },
      { label: 'ID', value: region.id },
    ];
    if (region.label && region.label !== region.id) identity.push({ label: 'Label', value: region.label });
    const parent = region.parent_region_id ? regionsById.get(region.parent_region_id) : undefined;
    if (parent) identity.push({ label: 'Parent', value: titleOf(parent) });
    const members = projection.nodes.filter((node) => node.region_ids.includes(region.id)).length;
    return {
      title: titleOf(region),
      identity,
      status: [
        { label: 'Layer', value: projection.layer },
        { label: 'Members', value: String(members) },
      ],
      relationships: relationshipsFor(region.kind, region.id, projection.layer, true),
    };
  }
  if (selection.role === 'node') {
    const node = projection.nodes.find((candidate) => candidate.id === selection.id);
    if (!node) return undefined;
    const identity: Row[] = [
      { label: 'Type', value: capitalise(node.kind) },
      { label: 'ID', value: node.id },
    ];
    if (node.label && node.label !== node.id) identity.push({ label: 'Label', value: node.label });
    const titles = node.region_ids.map((id) => {
      const region = regionsById.get(id);
      return region ? titleOf(region) : id;
    });
    if (titles.length > 0) {
      identity.push({
        label: 'Also in',
        value: titles.length > 4 ? `${titles.slice(0, 4).join(', ')}, …` : titles.join(', '),
      });
    }
    const primary = placementOf(node, new Set(regionsById.keys()));
    const primaryRegion = primary ? regionsById.get(primary) : undefined;
    const status: Row[] = [{ label: 'Layer', value: projection.layer }];
    if (primaryRegion) status.push({ label: 'Primary region', value: titleOf(primaryRegion) });
    status.push({ label: 'Regions', value: String(node.region_ids.length) });
    for (const [key, value] of Object.entries(node.meta ?? {})) {
      if (key !== 'device_id' && (typeof value === 'string' || typeof value === 'number')) {
        status.push({ label: capitalise(key.replace(/_/g, ' ')), value: String(value) });
      }
    }
    return {
      title: titleOf(node),
      identity,
      status,
      // A services-layer bare-device node is `device:<uuid>`; its focus id is the device UUID.
      relationships: relationshipsFor(
        node.kind,
        node.kind === 'device' && typeof node.meta?.device_id === 'string' ? node.meta.device_id : node.id,
        projection.layer,
        true,
      ),
    };
  }
  const edge = projection.edges.find((candidate) => candidate.id === selection.id);
  if (!edge) return undefined;
  const title = (id: string) => {
    const item = projection.nodes.find((node) => node.id === id) ?? regionsById.get(id);
    return item ? titleOf(item) : id;
  };
  const status: Row[] = [{ label: 'Layer', value: projection.layer }];
  for (const [key, value] of Object.entries(edge.meta ?? {})) {
    if (typeof value === 'string' || typeof value === 'number') {
      status.push({ label: capitalise(key.replace(/_/g, ' ')), value: String(value) });
    }
  }
  return {
    title: edge.label || `${title(edge.from)} → ${title(edge.to)}`,
    identity: [
      { label: 'Type', value: capitalise(edge.kind) },
      { label: 'ID', value: edge.id },
      { label: 'From', value: title(edge.from) },
      { label: 'To', value: title(edge.to) },
    ],
    status,
    relationships: [],
  };
}

/** Every cap warning of the projection, regions first. */
export function truncationWarnings(projection: MapProjectionT): string[] {
  const { regions, nodes, edges } = projection.truncation;
  return [regions, nodes, edges].flatMap((part) => (part.truncated && part.warning ? [part.warning] : []));
}

/** A stable serialisation (keys sorted) to tell whether a refetched projection differs from the shown one. */
export function stableKey(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(stableKey).join(',')}]`;
  if (value && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([key, item]) => `${JSON.stringify(key)}:${stableKey(item)}`).join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}
