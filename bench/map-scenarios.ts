/**
 * The map bench's scenarios (layer × focus × depth) and, for each, the "bare SQL" reference: the
 * fewest indexed statements that read the rows the projection shows, written by hand for this bench
 * (bench/README.md lists them). Where a projection discovers its rows hop by hop (L2/L3), the
 * reference reads the rows of the nodes it returned by id, i.e. what a renderer needs once the
 * selection is known: the lower bound of the read, not another way to compute the selection.
 */
import type { MapProjection } from '../src/domain/map/model.ts';
import type { CapturedQuery } from './capture-sql.ts';
import type { MapFocusTargets } from './map-seed.ts';

export interface MapScenario {
  name: string;
  layer: 'physical' | 'l2' | 'l3' | 'services' | 'security';
  focusType: 'device' | 'subnet' | 'vlan' | 'service' | 'zone';
  focusId: string;
  depth: number;
  /** What the focus is, in words. */
  detail: string;
  path: string;
  /** The reference statements, given the API's answer (for the node ids it chose). */
  bare(projection: MapProjection): BareReference;
}

export interface BareReference {
  /** Names of the hand-written statements, in the order they run (see bench/README.md). */
  names: string[];
  statements: CapturedQuery[];
  /**
   * Checks that the reference read the rows the projection shows (undefined = same rows), given the
   * rows each statement returned.
   */
  check(rows: readonly Record<string, unknown>[][]): string | undefined;
}

/** Node cap + 1 and edge cap + 1, as the projections ask for them to detect truncation. */
const NODE_LIMIT = 121;
const EDGE_LIMIT = 81;

const DEVICE_ROW = `
SELECT d.id::text AS id, d.display_name, host(d.primary_ip) AS primary_ip, m.owner, m.location
  FROM devices d LEFT JOIN device_metadata m ON m.device_id = d.id
 WHERE d.id = $1::uuid`;

/** L3 nodes: each device with its current addresses and their own prefix (the subnet they place it in). */
const DEVICES_WITH_IPS = `
SELECT d.id::text AS id, d.display_name, host(d.primary_ip) AS primary_ip, m.owner, m.location, f.ips
  FROM devices d
  LEFT JOIN device_metadata m ON m.device_id = d.id
  LEFT JOIN LATERAL (
    SELECT array_agg(host(a.ip) || '/' || COALESCE(a.prefix_length, masklen(a.ip)) ORDER BY a.ip) AS ips
      FROM ip_addresses a WHERE a.device_id = d.id AND a.stale_since IS NULL
  ) f ON true
 WHERE d.id = ANY($1::uuid[])`;

/** L2 nodes: each device with its current interface PVIDs. */
const DEVICES_WITH_PVIDS = `
SELECT d.id::text AS id, d.display_name, host(d.primary_ip) AS primary_ip, m.owner, m.location, f.vlans
  FROM devices d
  LEFT JOIN device_metadata m ON m.device_id = d.id
  LEFT JOIN LATERAL (
    SELECT array_agg(DISTINCT v.vlan_id) AS vlans
      FROM interfaces i JOIN interface_vlans v ON v.interface_id = i.id
     WHERE i.device_id = d.id AND v.role = 'pvid' AND v.stale_since IS NULL
  ) f ON true
 WHERE d.id = ANY($1::uuid[])`;

/** Physical: the focus's current links with the peer device at the other end, and how many there are. */
const LINKS_WITH_PEERS = `
SELECT l.id::text AS id, l.link_key, l.source, l.link_type, p.id::text AS peer_id, p.display_name,
       host(p.primary_ip) AS primary_ip, count(*) OVER () AS total
  FROM links l
  JOIN devices p ON p.id = CASE WHEN l.a_device_id = $1::uuid THEN l.b_device_id ELSE l.a_device_id END
 WHERE (l.a_device_id = $1::uuid OR l.b_device_id = $1::uuid) AND l.stale_since IS NULL
 ORDER BY p.id, l.id
 LIMIT $2`;

const SERVICE_COLUMNS = 's.id::text AS id, s.protocol, s.port, s.name, s.state, s.source, s.observed_at';
/** Services: newest first, then protocol, port, name, id (docs/map.md). */
const SERVICE_ORDER = 's.observed_at DESC, s.protocol NULLS LAST, s.port NULLS LAST, s.name NULLS LAST, s.id';

const HOST_SERVICES = `
SELECT ${SERVICE_COLUMNS} FROM services s
 WHERE s.device_id = $1::uuid AND s.stale_since IS NULL
 ORDER BY ${SERVICE_ORDER} LIMIT $2`;

const SERVICE_HOST_ROW = `
SELECT d.id::text AS id, d.display_name, host(d.primary_ip) AS primary_ip, m.owner, m.location
  FROM services f JOIN devices d ON d.id = f.device_id LEFT JOIN device_metadata m ON m.device_id = d.id
 WHERE f.id = $1::uuid`;

const SIBLING_SERVICES = `
SELECT ${SERVICE_COLUMNS} FROM services f JOIN services s ON s.device_id = f.device_id
 WHERE f.id = $1::uuid AND s.stale_since IS NULL
 ORDER BY ${SERVICE_ORDER} LIMIT $2`;

/** Security: the zones shown (regions), by id. */
const ZONES_BY_ID = 'SELECT z.id, z.name, z.description, z.color FROM zones z WHERE z.id = ANY($1::text[])';

/** Security: the policies with both ends among the shown zones (the edges). */
const POLICIES_AMONG = `
SELECT p.id::text AS id, p.from_zone_id, p.to_zone_id, p.protocol, p.ports, p.action, p.description
  FROM zone_policies p
 WHERE p.from_zone_id = ANY($1::text[]) AND p.to_zone_id = ANY($1::text[])
 ORDER BY p.id LIMIT $2`;

/** Security nodes: each device with the zones it is in. */
const DEVICES_WITH_ZONES = `
SELECT d.id::text AS id, d.display_name, host(d.primary_ip) AS primary_ip, m.owner, m.location, f.zones
  FROM devices d
  LEFT JOIN device_metadata m ON m.device_id = d.id
  LEFT JOIN LATERAL (SELECT array_agg(z.zone_id) AS zones FROM device_zones z WHERE z.device_id = d.id) f ON true
 WHERE d.id = ANY($1::uuid[])`;

/** The SQL text of every named reference statement, for the report and the README. */
export const BARE_STATEMENTS: Record<string, string> = {
  DEVICE_ROW,
  DEVICES_WITH_IPS,
  DEVICES_WITH_PVIDS,
  LINKS_WITH_PEERS,
  HOST_SERVICES,
  SERVICE_HOST_ROW,
  SIBLING_SERVICES,
  ZONES_BY_ID,
  POLICIES_AMONG,
  DEVICES_WITH_ZONES,
};

function reference(
  parts: [keyof typeof BARE_STATEMENTS, unknown[]][],
  check: BareReference['check'] = () => undefined,
): BareReference {
  return {
    names: parts.map(([name]) => name),
    statements: parts.map(([name, parameters]) => ({ sql: (BARE_STATEMENTS[name] ?? '').trim(), parameters })),
    check,
  };
}

const deviceNodeIds = (projection: MapProjection): string[] =>
  projection.nodes.filter((node) => node.kind === 'device').map((node) => node.id);

const ids = (rows: readonly Record<string, unknown>[] | undefined): string[] =>
  (rows ?? []).map((row) => String(row.id));

function sameSet(what: string, expected: readonly string[], actual: readonly string[]): string | undefined {
  const want = [...expected].sort().join();
  const got = [...actual].sort().join();
  return want === got
    ? undefined
    : `${what}: the reference read ${actual.length} rows, the projection shows ${expected.length}`;
}

/** Regional layers: every device node with the facts that place it in its regions, by id. */
function regional(statement: 'DEVICES_WITH_IPS' | 'DEVICES_WITH_PVIDS') {
  return (projection: MapProjection): BareReference => {
    const nodes = deviceNodeIds(projection);
    return reference([[statement, [nodes]]], (rows) => sameSet('device nodes', nodes, ids(rows[0])));
  };
}

/** Security: the zones, policies and devices shown, by the ids the projection returned. */
function security(projection: MapProjection): BareReference {
  const zones = projection.regions.map((region) => region.id);
  const policies = projection.edges.map((edge) => edge.id);
  const nodes = deviceNodeIds(projection);
  return reference(
    [
      ['ZONES_BY_ID', [zones]],
      ['POLICIES_AMONG', [zones, EDGE_LIMIT]],
      ['DEVICES_WITH_ZONES', [nodes]],
    ],
    (rows) =>
      sameSet('zone regions', zones, ids(rows[0])) ??
      sameSet('policy edges', policies, ids(rows[1]).slice(0, policies.length)) ??
      sameSet('device nodes', nodes, ids(rows[2])),
  );
}

export function mapScenarios(targets: MapFocusTargets): MapScenario[] {
  const list: Omit<MapScenario, 'path'>[] = [
    {
      name: 'physical device',
      layer: 'physical',
      focusType: 'device',
      focusId: targets.linkHub,
      depth: 1,
      detail: 'link hub (access switch)',
      bare: (projection) => {
        const edges = projection.edges.map((edge) => edge.id.replace(/^link:/, ''));
        return reference(
          [
            ['DEVICE_ROW', [targets.linkHub]],
            ['LINKS_WITH_PEERS', [targets.linkHub, EDGE_LIMIT]],
          ],
          (rows) => sameSet('link edges', edges, ids(rows[1]).slice(0, edges.length)),
        );
      },
    },
    ...[1, 3].flatMap((depth) => [
      {
        name: `l2 device d${depth}`,
        layer: 'l2' as const,
        focusType: 'device' as const,
        focusId: targets.l2Device,
        depth,
        detail: 'switch with the most PVIDs',
        bare: regional('DEVICES_WITH_PVIDS'),
      },
      {
        name: `l2 vlan d${depth}`,
        layer: 'l2' as const,
        focusType: 'vlan' as const,
        focusId: String(targets.busyVlan),
        depth,
        detail: `VLAN ${targets.busyVlan} (busiest)`,
        bare: regional('DEVICES_WITH_PVIDS'),
      },
      {
        name: `l3 device d${depth}`,
        layer: 'l3' as const,
        focusType: 'device' as const,
        focusId: targets.busyDevice,
        depth,
        detail: 'router, gateway of 25 subnets',
        bare: regional('DEVICES_WITH_IPS'),
      },
      {
        name: `l3 subnet d${depth}`,
        layer: 'l3' as const,
        focusType: 'subnet' as const,
        focusId: targets.busySubnet,
        depth,
        detail: `${targets.busySubnet} (busiest)`,
        bare: regional('DEVICES_WITH_IPS'),
      },
    ]),
    {
      name: 'l3 typical device d1',
      layer: 'l3',
      focusType: 'device',
      focusId: targets.typicalDevice,
      depth: 1,
      detail: 'an end device in a /22',
      bare: regional('DEVICES_WITH_IPS'),
    },
    {
      name: 'services device',
      layer: 'services',
      focusType: 'device',
      focusId: targets.serviceHost,
      depth: 1,
      detail: 'host with the most services',
      bare: (projection) => {
        const nodes = projection.nodes.map((node) => node.id);
        return reference(
          [
            ['DEVICE_ROW', [targets.serviceHost]],
            ['HOST_SERVICES', [targets.serviceHost, NODE_LIMIT]],
          ],
          (rows) => sameSet('service nodes', nodes, ids(rows[1]).slice(0, nodes.length)),
        );
      },
    },
    {
      name: 'services service',
      layer: 'services',
      focusType: 'service',
      focusId: targets.service,
      depth: 1,
      detail: 'one of that host’s services',
      bare: (projection) => {
        const nodes = projection.nodes.map((node) => node.id);
        return reference(
          [
            ['SERVICE_HOST_ROW', [targets.service]],
            ['SIBLING_SERVICES', [targets.service, NODE_LIMIT]],
          ],
          (rows) => sameSet('service nodes', nodes, ids(rows[1]).slice(0, nodes.length)),
        );
      },
    },
    ...[1, 3].flatMap((depth) => [
      {
        name: `security zone d${depth}`,
        layer: 'security' as const,
        focusType: 'zone' as const,
        focusId: targets.busyZone,
        depth,
        detail: `zone ${targets.busyZone} (most members)`,
        bare: security,
      },
      {
        name: `security device d${depth}`,
        layer: 'security' as const,
        focusType: 'device' as const,
        focusId: targets.busyDevice,
        depth,
        detail: 'router, member of every zone',
        bare: security,
      },
    ]),
  ];
  return list.map((scenario) => {
    const query = new URLSearchParams({
      focusType: scenario.focusType,
      focusId: scenario.focusId,
      depth: String(scenario.depth),
    });
    return { ...scenario, path: `/api/v1/map/${scenario.layer}?${query.toString()}` };
  });
}
