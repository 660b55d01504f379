/**
 * Map projections (SPEC §8, issue 8): the shapes, caps, truncation reports, focus parsing and the
 * base inspector shared by every layer. Pure: no I/O.
 */
import { isIPv4, isIPv6 } from 'node:net';
import { maskedPrefix } from '../../shared/ip-math.ts';

export const MAP_LAYERS = ['physical', 'l2', 'l3', 'services', 'security'] as const;
export type MapLayer = (typeof MAP_LAYERS)[number];
export const FOCUS_TYPES = ['device', 'subnet', 'vlan', 'zone', 'service'] as const;
export type FocusType = (typeof FOCUS_TYPES)[number];

export const REGION_CAP = 8;
export const NODE_CAP = 120;
export const EDGE_CAP = 80;
export const MAP_DEFAULT_LIMIT = 120;
export const MAP_MAX_LIMIT = 500;
export const MAP_MAX_DEPTH = 3;
export const MAP_DEFAULT_DEPTH = 1;

export interface MapRegion {
  id: string;
  kind: string;
  label: string;
  parent_region_id?: string;
  meta?: Record<string, unknown>;
}
export interface MapNode {
  id: string;
  kind: string;
  label?: string;
  primary_region_id?: string;
  region_ids: string[];
  meta?: Record<string, unknown>;
}
export interface MapEdge {
  id: string;
  kind: string;
  from: string;
  to: string;
  label?: string;
  meta?: Record<string, unknown>;
}
export interface LabelValue {
  label: string;
  value: string;
}
export interface Relationship {
  label: string;
  layer: MapLayer;
  focus_type: FocusType;
  focus_id: string;
}
export interface Inspector {
  title: string;
  identity: LabelValue[];
  status: LabelValue[];
  relationships: Relationship[];
}
export interface Truncation {
  returned: number;
  limit: number;
  truncated: boolean;
  total?: number;
  warning?: string;
}
export interface MapFocus {
  type: FocusType;
  id: string;
  label?: string;
}
export interface MapProjection {
  layer: MapLayer;
  focus?: MapFocus;
  guidance?: string;
  regions: MapRegion[];
  nodes: MapNode[];
  edges: MapEdge[];
  inspector?: Inspector;
  truncation: { regions: Truncation; nodes: Truncation; edges: Truncation };
}

export interface Caps {
  regions: number;
  nodes: number;
  edges: number;
}

/** The effective caps: min(fixed maximum, limit); `limit` is already clamped to 1–500. */
export function capsFor(limit: number): Caps {
  return { regions: Math.min(REGION_CAP, limit), nodes: Math.min(NODE_CAP, limit), edges: Math.min(EDGE_CAP, limit) };
}

export function clampDepth(depth: number | undefined): number {
  return Math.min(depth ?? MAP_DEFAULT_DEPTH, MAP_MAX_DEPTH);
}

export function parseLayer(raw: string): MapLayer | undefined {
  const value = raw.trim().toLowerCase();
  return (MAP_LAYERS as readonly string[]).includes(value) ? (value as MapLayer) : undefined;
}

export function parseFocusType(raw: string): FocusType | undefined {
  const value = raw.trim().toLowerCase();
  return (FOCUS_TYPES as readonly string[]).includes(value) ? (value as FocusType) : undefined;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
export const isUuid = (value: string): boolean => UUID.test(value);

/** A CIDR prefix (a bare address is not one), masked to its network: `10.0.1.7/24` → `10.0.1.0/24`. */
export function parseSubnetId(raw: string): string | undefined {
  const text = raw.trim().toLowerCase();
  const slash = text.indexOf('/');
  if (slash < 0) return undefined;
  const address = text.slice(0, slash);
  if (!isIPv4(address) && !isIPv6(address)) return undefined;
  const masked = maskedPrefix(text);
  return masked ? `${masked.address}/${masked.bits}` : undefined;
}

/** VLAN id 1–4094 in canonical integer text, else undefined. */
export function parseVlanId(raw: string): number | undefined {
  const text = raw.trim();
  if (!/^\d{1,4}$/.test(text)) return undefined;
  const value = Number(text);
  return value >= 1 && value <= 4094 ? value : undefined;
}

export function truncation(
  returned: number,
  limit: number,
  truncated: boolean,
  total?: number,
  warning?: string,
): Truncation {
  return {
    returned,
    limit,
    truncated,
    ...(total === undefined ? {} : { total }),
    ...(warning === undefined ? {} : { warning }),
  };
}

/** Untruncated: total = returned. */
export const complete = (returned: number, limit: number): Truncation => truncation(returned, limit, false, returned);

const RELATIONSHIP_LAYERS: readonly [string, MapLayer][] = [
  ['View in Physical', 'physical'],
  ['View in L2', 'l2'],
  ['View in L3', 'l3'],
  ['View in Services', 'services'],
  ['View in Security', 'security'],
];

/** The five cross-layer relationships every inspector starts its relationship list with (§8.6). */
export function crossLayerRelationships(focus: MapFocus): Relationship[] {
  return RELATIONSHIP_LAYERS.map(([label, layer]) => ({ label, layer, focus_type: focus.type, focus_id: focus.id }));
}

const byId = <T extends { id: string }>(a: T, b: T): number => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);

/** Nodes and edges by id in plain string order (their ids are UUIDs or prefixed UUIDs). */
export function sortById<T extends { id: string }>(items: T[]): T[] {
  return [...items].sort(byId);
}

export const nonBlank = (value: string | null | undefined): string | undefined => {
  const trimmed = value?.trim();
  return trimmed ? trimmed : undefined;
};

/** `Projection` status for focus types a layer has no data for. */
export const SCAFFOLDING = 'scaffolding (no regions/nodes yet)';

export const NO_FOCUS_GUIDANCE =
  'Choose something to look at: pass focusType and focusId (for example focusType=device&focusId=<device id>) to get a scoped projection.';
export const TRUNCATED_GUIDANCE =
  'The projection was truncated for readability; open a region or device from the inspector to drill in.';
