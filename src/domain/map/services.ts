/**
 * Services (SPEC §8.7, §12.3): host devices as regions, services as nodes, and the operator's service
 * dependencies ("A depends on B") as the only edges. The focus host's current services are drawn as
 * before; from depth 1 every dependency touching the host adds an edge and brings in its other end
 * (a service, or a bare device as a `device:<uuid>` node) inside that end's host region. Depth 2 and
 * 3 follow dependencies from the newly drawn hosts, breadth-first.
 */
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
  type MapEdge,
  type MapNode,
  type MapProjection,
  type MapRegion,
  sortById,
  TRUNCATED_GUIDANCE,
  truncation,
} from './model.ts';

export const NO_SERVICES_GUIDANCE =
  'No services are known for this device yet. Enable service (port) scanning in a discovery run to fill them in.';
export const SERVICES_FOCUS_GUIDANCE = 'The services layer supports only a device or service focus.';

/** One `service_dependencies` row: `from` depends on `to`; a NULL service id is a bare-device end. */
export interface DependencyFact {
  id: string;
  from_device_id: string;
  from_service_id: string | null;
  to_device_id: string;
  to_service_id: string | null;
  source: string;
  description: string | null;
}

/** A service drawn as a dependency end: it may be stale (the dependency is curated and outlives the scan). */
export type DependencyServiceInfo = ServiceInfo & { stale_since?: string | null };

export interface DependencySource {
  /**
   * Dependencies with an end on one of `frontier` and no end on any of `done` (those were read in an
   * earlier hop), by id, at most `limit`.
   */
  dependencies(frontier: readonly string[], done: readonly string[], limit: number): Promise<DependencyFact[]>;
}

export interface DependencyExpansion {
  /** Host devices to draw: the focus host first, then hop by hop, by id within a hop; at most caps.regions. */
  hosts: string[];
  /** Every dependency read, hop by hop and by id within a hop; at most caps.edges. */
  dependencies: DependencyFact[];
  /** False when a read hit its limit (more dependencies exist than were read). */
  complete: boolean;
  /** Distinct host devices at the ends of the dependencies read, the focus host included. */
  hostsSeen: number;
}

/** The node id of a bare-device end: distinct from the device's region id (the device UUID itself). */
export const bareDeviceNodeId = (deviceId: string): string => `device:${deviceId}`;

const endNodeId = (deviceId: string, serviceId: string | null): string => serviceId ?? bareDeviceNodeId(deviceId);

/**
 * Breadth-first over host devices: hop 1 reads the dependencies touching the focus host, each further
 * hop (up to `depth`) those touching the hosts the previous hop added. Every read is keyed by at most
 * caps.regions device ids and asks for the remaining edge room + 1, so a cut read is detected.
 */
export async function expandDependencies(
  source: DependencySource,
  hostId: string,
  depth: number,
  caps: Caps,
): Promise<DependencyExpansion> {
  const hosts = [hostId];
  const seen = new Set([hostId]);
  const dependencies: DependencyFact[] = [];
  const done: string[] = [];
  let frontier = [hostId];
  let whole = true;
  for (let hop = 0; hop < depth && frontier.length > 0; hop++) {
    const room = caps.edges - dependencies.length;
    const rows = await source.dependencies(frontier, done, room + 1);
    if (rows.length > room) whole = false;
    const taken = rows.slice(0, room);
    dependencies.push(...taken);
    done.push(...frontier);
    const fresh = [
      ...new Set(taken.flatMap((row) => [row.from_device_id, row.to_device_id]).filter((id) => !seen.has(id))),
    ].sort();
    const next: string[] = [];
    for (const id of fresh) {
      seen.add(id);
      if (hosts.length < caps.regions) {
        hosts.push(id);
        next.push(id);
      }
    }
    frontier = next;
    if (!whole) break;
  }
  return { hosts, dependencies, complete: whole, hostsSeen: seen.size };
}

export interface ServicesInput {
  host: DeviceInfo;
  /** The host's current services in display order, at most caps.nodes + 1. */
  services: ServiceInfo[];
  /** Absent at depth 0 or when nothing was expanded: the host alone. */
  expansion?: DependencyExpansion;
  /** Services at dependency ends, by id. */
  endServices?: Map<string, DependencyServiceInfo>;
  /** Host devices drawn, by id (labels of regions and bare-device nodes). */
  devices?: Map<string, DeviceInfo>;
}

function serviceNode(service: DependencyServiceInfo, deviceId: string): MapNode {
  const label = serviceLabel(service);
  return {
    id: service.id,
    kind: 'service',
    ...(label ? { label } : {}),
    primary_region_id: deviceId,
    region_ids: [deviceId],
    meta: {
      device_id: deviceId,
      observed_at: service.observed_at,
      ...(service.protocol ? { protocol: service.protocol } : {}),
      ...(service.port !== null ? { port: service.port } : {}),
      ...(service.name ? { name: service.name } : {}),
      ...(service.state ? { state: service.state } : {}),
      ...(service.source ? { source: service.source } : {}),
      ...(service.stale_since ? { stale_since: service.stale_since } : {}),
    },
  };
}

export function servicesProjection(
  focus: Extract<ResolvedFocus, { type: 'device' | 'service' }>,
  input: ServicesInput,
  caps: Caps,
): MapProjection {
  const { host, expansion } = input;
  const devices = input.devices ?? new Map([[host.id, host]]);
  const labelOf = (deviceId: string): string => {
    const info = devices.get(deviceId);
    return info ? deviceLabel(info) : deviceId;
  };

  // The focus host's own services come first: they keep their place when the node cap bites.
  const servicesTruncated = input.services.length > caps.nodes;
  const nodes = new Map<string, MapNode>();
  for (const service of input.services.slice(0, caps.nodes)) nodes.set(service.id, serviceNode(service, host.id));
  const hostServices = nodes.size;

  const hosts = expansion?.hosts ?? [host.id];
  const drawn = new Set(hosts);
  const edges: MapEdge[] = [];
  let nodesTruncated = servicesTruncated;
  let dropped = 0;
  for (const dependency of expansion?.dependencies ?? []) {
    if (!drawn.has(dependency.from_device_id) || !drawn.has(dependency.to_device_id)) {
      dropped++;
      continue;
    }
    const ends = [
      { deviceId: dependency.from_device_id, serviceId: dependency.from_service_id },
      { deviceId: dependency.to_device_id, serviceId: dependency.to_service_id },
    ];
    const missing = [...new Set(ends.map((end) => endNodeId(end.deviceId, end.serviceId)))].filter(
      (id) => !nodes.has(id),
    );
    if (nodes.size + missing.length > caps.nodes) {
      nodesTruncated = true;
      dropped++;
      continue;
    }
    for (const end of ends) {
      const id = endNodeId(end.deviceId, end.serviceId);
      if (nodes.has(id)) continue;
      const service = end.serviceId === null ? undefined : input.endServices?.get(end.serviceId);
      nodes.set(
        id,
        end.serviceId === null
          ? {
              id,
              kind: 'device',
              label: labelOf(end.deviceId),
              primary_region_id: end.deviceId,
              region_ids: [end.deviceId],
              meta: { device_id: end.deviceId },
            }
          : service
            ? serviceNode(service, end.deviceId)
            : {
                id,
                kind: 'service',
                primary_region_id: end.deviceId,
                region_ids: [end.deviceId],
                meta: { device_id: end.deviceId },
              },
      );
    }
    const description = dependency.description ?? undefined;
    edges.push({
      id: dependency.id,
      kind: 'dependency',
      from: endNodeId(dependency.from_device_id, dependency.from_service_id),
      to: endNodeId(dependency.to_device_id, dependency.to_service_id),
      label: description ?? 'depends on',
      meta: {
        source: dependency.source,
        ...(description !== undefined ? { description } : {}),
        from_device_id: dependency.from_device_id,
        to_device_id: dependency.to_device_id,
      },
    });
  }

  const regions: MapRegion[] = sortById(
    hosts.map((id) => ({ id, kind: 'device', label: labelOf(id), meta: { device_id: id } })),
  );
  const whole = expansion?.complete ?? true;
  const hostsSeen = expansion?.hostsSeen ?? 1;
  const regionsTruncated = hostsSeen > hosts.length;
  const edgesTruncated = !whole || dropped > 0;
  const edgeTotal = whole ? (expansion?.dependencies.length ?? 0) : undefined;

  const inspector = baseInspector(
    'services',
    focus,
    focus.type === 'device' ? 'services (device focus)' : 'services (service focus)',
  );
  inspector.status.push({
    label: 'Services',
    value: servicesTruncated ? `${hostServices} of >${caps.nodes}` : String(hostServices),
  });
  inspector.status.push({
    label: 'Dependencies',
    value: !edgesTruncated
      ? String(edges.length)
      : edgeTotal === undefined
        ? `${edges.length} of >${caps.edges}`
        : `${edges.length} of ${edgeTotal}`,
  });
  for (const region of regions) {
    if (region.id === host.id) continue;
    inspector.relationships.push({
      label: `Open device ${region.label}`,
      layer: 'services',
      focus_type: 'device',
      focus_id: region.id,
    });
  }

  const anyTruncated = nodesTruncated || regionsTruncated || edgesTruncated;
  const guidance = anyTruncated ? TRUNCATED_GUIDANCE : hostServices === 0 ? NO_SERVICES_GUIDANCE : undefined;
  const shownNodes = sortById([...nodes.values()]);
  return {
    layer: 'services',
    focus: focusOf(focus),
    ...(guidance ? { guidance } : {}),
    regions,
    nodes: shownNodes,
    edges: sortById(edges),
    inspector,
    truncation: {
      regions: regionsTruncated
        ? truncation(
            regions.length,
            caps.regions,
            true,
            whole ? hostsSeen : undefined,
            `Device cap hit: showing ${regions.length} of ${whole ? hostsSeen : `>${regions.length}`}.`,
          )
        : complete(regions.length, caps.regions),
      nodes: nodesTruncated
        ? truncation(
            shownNodes.length,
            caps.nodes,
            true,
            undefined,
            `Node cap hit: showing ${shownNodes.length} of >${caps.nodes} services.`,
          )
        : complete(shownNodes.length, caps.nodes),
      edges: !edgesTruncated
        ? complete(edges.length, caps.edges)
        : edgeTotal === undefined
          ? truncation(
              edges.length,
              caps.edges,
              true,
              undefined,
              `Edge cap hit: showing ${edges.length} of >${caps.edges}.`,
            )
          : truncation(
              edges.length,
              caps.edges,
              true,
              edgeTotal,
              `Showing ${edges.length} of ${edgeTotal} dependencies: the others lead beyond the device or node cap.`,
            ),
    },
  };
}
