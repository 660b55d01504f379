/**
 * The answer for combinations a layer has no data for (and `depth=0`): focus and inspector only,
 * plus a single node for a device focus (SPEC §8.7 preamble), and the no-focus answer (§8.5).
 */
import { baseInspector, deviceLabel, focusOf, type ResolvedFocus } from './inspector.ts';
import {
  type Caps,
  complete,
  type MapLayer,
  type MapNode,
  type MapProjection,
  NO_FOCUS_GUIDANCE,
  SCAFFOLDING,
} from './model.ts';

export function noFocusProjection(layer: MapLayer, caps: Caps): MapProjection {
  return {
    layer,
    guidance: NO_FOCUS_GUIDANCE,
    regions: [],
    nodes: [],
    edges: [],
    truncation: { regions: complete(0, caps.regions), nodes: complete(0, caps.nodes), edges: complete(0, caps.edges) },
  };
}

export function focusNode(focus: Extract<ResolvedFocus, { type: 'device' }>, regionIds: string[] = []): MapNode {
  return {
    id: focus.id,
    kind: 'device',
    label: deviceLabel(focus.device),
    ...(regionIds[0] ? { primary_region_id: regionIds[0] } : {}),
    region_ids: regionIds,
    meta: { device_id: focus.id },
  };
}

export function scaffoldProjection(
  layer: MapLayer,
  focus: ResolvedFocus,
  caps: Caps,
  options: { projection?: string; guidance?: string } = {},
): MapProjection {
  const nodes = focus.type === 'device' ? [focusNode(focus)] : [];
  return {
    layer,
    focus: focusOf(focus),
    ...(options.guidance ? { guidance: options.guidance } : {}),
    regions: [],
    nodes,
    edges: [],
    inspector: baseInspector(
      layer,
      focus,
      options.projection ?? (focus.type === 'device' ? 'scaffolding' : SCAFFOLDING),
    ),
    truncation: {
      regions: complete(0, caps.regions),
      nodes: complete(nodes.length, caps.nodes),
      edges: complete(0, caps.edges),
    },
  };
}
