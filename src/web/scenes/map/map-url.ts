/**
 * The map's URL contract (SPEC §10.8): `/map?layer=<layer>&focusType=<type>&focusId=<id>[&depth=<n>][&mode=build]`.
 * Everything the canvas shows is derived from it, so a deep link reloads to the same view.
 */
export const MAP_LAYERS = [
  { id: 'physical', label: 'Physical', description: 'Cabling and adjacency' },
  { id: 'l2', label: 'L2 (VLANs)', description: 'VLAN grouping, PVID only' },
  { id: 'l3', label: 'L3 (Subnets)', description: 'Subnets and membership' },
  { id: 'services', label: 'Services', description: 'Discovered ports and services' },
  { id: 'security', label: 'Security', description: 'Zones and policies' },
] as const;
export type MapLayerId = (typeof MAP_LAYERS)[number]['id'];

export const FOCUS_TYPES = [
  { id: 'device', label: 'Device', hint: 'a device id (UUID)' },
  { id: 'subnet', label: 'Subnet', hint: 'a CIDR prefix, e.g. 10.0.1.0/24' },
  { id: 'vlan', label: 'VLAN', hint: 'a VLAN number 1–4094' },
  { id: 'zone', label: 'Zone', hint: 'a zone id, e.g. dmz' },
  { id: 'service', label: 'Service', hint: 'a service id (UUID)' },
] as const;
export type FocusTypeId = (typeof FOCUS_TYPES)[number]['id'];

/** Focus types each layer keeps when switching to it (SPEC §8.8). */
export const LAYER_FOCUS: Record<MapLayerId, readonly FocusTypeId[]> = {
  physical: ['device'],
  l2: ['device', 'vlan'],
  l3: ['device', 'subnet'],
  services: ['device', 'service'],
  security: ['device', 'zone'],
};

export const DEFAULT_LAYER: MapLayerId = 'l3';
export const MAX_DEPTH = 3;

export interface MapView {
  layer: string;
  focusType?: string;
  focusId?: string;
  depth: number;
  build: boolean;
}

export const isLayer = (value: string): value is MapLayerId => MAP_LAYERS.some((layer) => layer.id === value);
export const isFocusType = (value: string): value is FocusTypeId => FOCUS_TYPES.some((type) => type.id === value);
export const layerInfo = (id: string) => MAP_LAYERS.find((layer) => layer.id === id);
export const focusTypeLabel = (id: string): string => FOCUS_TYPES.find((type) => type.id === id)?.label ?? id;

/** Reads the view from the query string; `layer` is undefined when missing or blank (the page redirects). */
export function readMapView(params: URLSearchParams): MapView & { layerMissing: boolean } {
  const layer = params.get('layer')?.trim().toLowerCase() ?? '';
  const focusType = params.get('focusType')?.trim().toLowerCase() || undefined;
  const focusId = params.get('focusId')?.trim() || undefined;
  const rawDepth = Number(params.get('depth'));
  const depth = Number.isInteger(rawDepth) && rawDepth >= 1 ? Math.min(rawDepth, MAX_DEPTH) : 1;
  return {
    layer: layer || DEFAULT_LAYER,
    layerMissing: layer === '',
    ...(focusType ? { focusType } : {}),
    ...(focusId ? { focusId } : {}),
    depth,
    build: params.get('mode') === 'build',
  };
}

/** The `/map?…` link for a view; depth 1 and explore mode are the defaults and left out. */
export function mapHref(view: Partial<MapView> & { layer: string }): string {
  const params = new URLSearchParams({ layer: view.layer });
  if (view.focusType && view.focusId) {
    params.set('focusType', view.focusType);
    params.set('focusId', view.focusId);
  }
  if (view.depth && view.depth > 1) params.set('depth', String(view.depth));
  if (view.build) params.set('mode', 'build');
  return `/map?${params.toString()}`;
}

export const layerTakesFocus = (layer: string, focusType: string | undefined): boolean =>
  focusType !== undefined && isLayer(layer) && (LAYER_FOCUS[layer] as readonly string[]).includes(focusType);

/** Switching layers keeps the focus only when the target layer accepts its type (SPEC §10.8). */
export function layerSwitchHref(view: MapView, layer: MapLayerId): string {
  const keep = layerTakesFocus(layer, view.focusType);
  return mapHref({
    layer,
    ...(keep ? { focusType: view.focusType, focusId: view.focusId } : {}),
    depth: view.depth,
    build: view.build,
  });
}

/** What is wrong with the focus part of the URL, for the inspector; undefined when complete and known. */
export function focusProblem(view: MapView): string | undefined {
  if (view.focusType && !isFocusType(view.focusType)) return `Unknown focus type "${view.focusType}".`;
  if (view.focusType && !view.focusId) return 'A focus type without a focus id: add the id.';
  if (!view.focusType && view.focusId) return 'A focus id without a focus type: choose the type.';
  return undefined;
}

/** The layer a focus type is best seen on, when the current one cannot take it. */
export function layerFor(focusType: FocusTypeId, current: string): MapLayerId {
  if (layerTakesFocus(current, focusType)) return current as MapLayerId;
  switch (focusType) {
    case 'subnet':
      return 'l3';
    case 'vlan':
      return 'l2';
    case 'zone':
      return 'security';
    case 'service':
      return 'services';
    case 'device':
      return isLayer(current) ? current : DEFAULT_LAYER;
  }
}

const CIDR = /^[0-9a-f:.]+\/\d{1,3}$/i;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Literal focus ids recognisable in a search box: a prefix, a VLAN number or a UUID. */
export function literalFocus(text: string): { type: FocusTypeId; id: string; label: string }[] {
  const value = text.trim();
  if (CIDR.test(value)) return [{ type: 'subnet', id: value, label: `Subnet ${value}` }];
  if (/^\d{1,4}$/.test(value) && Number(value) >= 1 && Number(value) <= 4094) {
    return [{ type: 'vlan', id: String(Number(value)), label: `VLAN ${Number(value)}` }];
  }
  if (UUID.test(value)) {
    return [
      { type: 'device', id: value.toLowerCase(), label: `Device ${value.toLowerCase()}` },
      { type: 'service', id: value.toLowerCase(), label: `Service ${value.toLowerCase()}` },
    ];
  }
  return [];
}
