/** Services: the host device as the one region, its services as nodes, no edges (SPEC §8.7). */
import {
  baseInspector,
  type DeviceInfo,
  deviceLabel,
  focusOf,
  type ResolvedFocus,
  type ServiceInfo,
  serviceLabel,
} from './inspector.ts';
import {
  type Caps,
  complete,
  type MapNode,
  type MapProjection,
  sortById,
  TRUNCATED_GUIDANCE,
  truncation,
} from './model.ts';

export const NO_SERVICES_GUIDANCE =
  'No services are known for this device yet. Enable service (port) scanning in a discovery run to fill them in.';
export const SERVICES_FOCUS_GUIDANCE = 'The services layer supports only a device or service focus.';

export function servicesProjection(
  focus: Extract<ResolvedFocus, { type: 'device' | 'service' }>,
  host: DeviceInfo,
  /** The host's services in display order, at most caps.nodes + 1. */
  services: ServiceInfo[],
  caps: Caps,
): MapProjection {
  const truncated = services.length > caps.nodes;
  const shown = services.slice(0, caps.nodes);
  const nodes: MapNode[] = shown.map((service) => {
    const label = serviceLabel(service);
    return {
      id: service.id,
      kind: 'service',
      ...(label ? { label } : {}),
      primary_region_id: host.id,
      region_ids: [host.id],
      meta: {
        device_id: host.id,
        observed_at: service.observed_at,
        ...(service.protocol ? { protocol: service.protocol } : {}),
        ...(service.port !== null ? { port: service.port } : {}),
        ...(service.name ? { name: service.name } : {}),
        ...(service.state ? { state: service.state } : {}),
        ...(service.source ? { source: service.source } : {}),
      },
    };
  });
  const inspector = baseInspector(
    'services',
    focus,
    focus.type === 'device' ? 'services (device focus)' : 'services (service focus)',
  );
  inspector.status.push({
    label: 'Services',
    value: truncated ? `${nodes.length} of >${caps.nodes}` : String(nodes.length),
  });
  const guidance = nodes.length === 0 ? NO_SERVICES_GUIDANCE : truncated ? TRUNCATED_GUIDANCE : undefined;
  return {
    layer: 'services',
    focus: focusOf(focus),
    ...(guidance ? { guidance } : {}),
    regions: [{ id: host.id, kind: 'device', label: deviceLabel(host), meta: { device_id: host.id } }],
    nodes: sortById(nodes),
    edges: [],
    inspector,
    truncation: {
      regions: complete(1, caps.regions),
      nodes: truncated
        ? truncation(
            nodes.length,
            caps.nodes,
            true,
            undefined,
            `Node cap hit: showing ${nodes.length} of >${caps.nodes} services.`,
          )
        : complete(nodes.length, caps.nodes),
      edges: complete(0, caps.edges),
    },
  };
}
