import type { DeviceInfo, ResolvedFocus } from '../../domain/map/inspector.ts';
import { L2_LAYER, type VlanFact } from '../../domain/map/l2.ts';
import { type IpFact, L3_LAYER } from '../../domain/map/l3.ts';
import { expandMembership, type MembershipSource } from '../../domain/map/membership.ts';
import {
  type Caps,
  capsFor,
  clampDepth,
  isUuid,
  type MapLayer,
  type MapProjection,
  parseFocusType,
  parseLayer,
  parseSubnetId,
  parseVlanId,
} from '../../domain/map/model.ts';
import { physicalProjection } from '../../domain/map/physical.ts';
import { regionalDeviceProjection, regionalRegionProjection } from '../../domain/map/regional.ts';
import { noFocusProjection, scaffoldProjection } from '../../domain/map/scaffold.ts';
import {
  DEVICE_WITHOUT_ZONE_GUIDANCE,
  SECURITY_GUIDANCE,
  type SecurityData,
  securityProjection,
  unknownZoneGuidance,
  type ZoneInfo,
} from '../../domain/map/security.ts';
import { expandDependencies, SERVICES_FOCUS_GUIDANCE, servicesProjection } from '../../domain/map/services.ts';
import { RollerError, validationFailed } from '../../shared/errors.ts';
import { MAP_LIMIT_DEFAULT, MAP_LIMIT_MAX, type MapQueryParams } from '../../shared/schemas/map.ts';
import type { MapRepository } from '../../storage/map.repository.ts';

/** How many zones one policy hop may bring in before the walk stops (zones are curated by hand). */
const ZONE_SCAN_LIMIT = 500;

/** `GET /api/v1/map/{layer}` (SPEC §8 with G-29/G-30 settled; docs/map.md). */
export class MapService {
  constructor(private readonly repository: MapRepository) {}

  async project(rawLayer: string, query: MapQueryParams): Promise<MapProjection> {
    const layer = parseLayer(rawLayer);
    if (!layer) throw validationFailed('invalid layer', { layer: rawLayer });
    const caps = capsFor(Math.min(query.limit ?? MAP_LIMIT_DEFAULT, MAP_LIMIT_MAX));
    const depth = clampDepth(query.depth);
    const hasType = query.focusType !== undefined;
    const hasId = query.focusId !== undefined;
    if (hasType !== hasId) {
      throw validationFailed('focusType and focusId must be provided together', {
        focusType: query.focusType ?? null,
        focusId: query.focusId ?? null,
      });
    }
    if (query.focusType === undefined || query.focusId === undefined) return noFocusProjection(layer, caps);
    const focus = await this.resolve(layer, query.focusType, query.focusId);
    return this.projectFocus(layer, focus, depth, caps);
  }

  private async resolve(layer: MapLayer, rawType: string, rawId: string): Promise<ResolvedFocus> {
    const type = parseFocusType(rawType);
    if (!type) throw validationFailed('invalid focusType', { focusType: rawType });
    const id = rawId.trim();
    switch (type) {
      case 'device':
        return { type, id: id.toLowerCase(), device: await this.device(id) };
      case 'subnet': {
        const subnet = parseSubnetId(id);
        if (!subnet) throw new RollerError('invalid_id', 'subnet id must be a CIDR prefix', { id: rawId });
        return { type, id: subnet };
      }
      case 'vlan': {
        const vlan = parseVlanId(id);
        if (vlan === undefined) {
          throw new RollerError('invalid_id', 'vlan id must be an integer between 1 and 4094', { id: rawId });
        }
        return { type, id: String(vlan), vlan };
      }
      case 'zone':
        return { type, id };
      case 'service': {
        if (layer !== 'services') return { type, id };
        if (!isUuid(id)) throw new RollerError('invalid_id', 'service id is not a valid uuid', { id: rawId });
        const service = await this.repository.service(id.toLowerCase());
        if (!service) throw new RollerError('not_found', 'service not found', { id: rawId });
        return { type, id: service.id, service };
      }
    }
  }

  private async device(id: string): Promise<DeviceInfo> {
    if (!isUuid(id)) throw new RollerError('invalid_id', 'device id is not a valid uuid', { id });
    const [device] = await this.repository.devices([id.toLowerCase()]);
    if (!device) throw new RollerError('not_found', 'device not found', { id });
    return device;
  }

  private async deviceMap(ids: readonly string[]): Promise<Map<string, DeviceInfo>> {
    const rows = await this.repository.devices(ids);
    return new Map(rows.map((row) => [row.id, row]));
  }

  private async projectFocus(layer: MapLayer, focus: ResolvedFocus, depth: number, caps: Caps): Promise<MapProjection> {
    switch (layer) {
      case 'security':
        return this.security(focus, depth, caps);
      case 'services':
        return this.services(focus, depth, caps);
      case 'physical':
        if (focus.type !== 'device' || depth === 0) return scaffoldProjection(layer, focus, caps);
        return this.physical(focus, caps);
      case 'l3':
        return this.l3(focus, depth, caps);
      case 'l2':
        return this.l2(focus, depth, caps);
    }
  }

  private async security(focus: ResolvedFocus, depth: number, caps: Caps): Promise<MapProjection> {
    if (focus.type !== 'device' && focus.type !== 'zone') return securityProjection(focus, caps, {});
    if (depth === 0) return securityProjection(focus, caps, {});
    const anchorZones =
      focus.type === 'zone'
        ? await this.repository.zones([focus.id])
        : await this.repository.zones((await this.repository.zonesOfDevices([focus.id])).map((row) => row.zone_id));
    if (anchorZones.length === 0) {
      const guidance = !(await this.repository.anyZone())
        ? SECURITY_GUIDANCE
        : focus.type === 'zone'
          ? unknownZoneGuidance(focus.id)
          : DEVICE_WITHOUT_ZONE_GUIDANCE;
      return securityProjection(focus, caps, { guidance });
    }
    return securityProjection(focus, caps, await this.securityData(focus, anchorZones, depth, caps));
  }

  /**
   * Zones reached through policies breadth-first within `depth` hops (every hop bounded), the
   * policies among the shown zones, and the members to draw: the anchor zones' members first, then,
   * from depth 2, the other shown zones' members, all within the node cap + 1.
   */
  private async securityData(
    focus: Extract<ResolvedFocus, { type: 'device' | 'zone' }>,
    anchorZones: ZoneInfo[],
    depth: number,
    caps: Caps,
  ): Promise<SecurityData> {
    const reached = anchorZones.map((zone) => zone.id);
    let frontier = reached;
    for (let hop = 0; hop < depth && frontier.length > 0 && reached.length <= ZONE_SCAN_LIMIT; hop++) {
      frontier = await this.repository.policyNeighbours(reached, ZONE_SCAN_LIMIT);
      reached.push(...frontier);
    }
    const shownIds = reached.slice(0, caps.regions);
    const shownZones = new Map((await this.repository.zones(shownIds)).map((zone) => [zone.id, zone]));
    const reachedZones = shownIds.flatMap((id) => shownZones.get(id) ?? []);
    const policies = await this.repository.policiesAmong(shownIds, caps.edges + 1);

    const members: string[] = [];
    const wanted = caps.nodes + 1;
    const memberZones = depth >= 2 ? shownIds : anchorZones.map((zone) => zone.id);
    if (focus.type === 'device') members.push(focus.id);
    if (focus.type === 'zone' || depth >= 2) {
      for (const zone of memberZones) {
        if (members.length >= wanted) break;
        for (const id of await this.repository.zoneMembers(zone, wanted)) {
          if (!members.includes(id)) members.push(id);
          if (members.length >= wanted) break;
        }
      }
    }
    const membership = new Map<string, string[]>();
    for (const row of await this.repository.zonesOfDevices(members)) {
      membership.set(row.device_id, [...(membership.get(row.device_id) ?? []), row.zone_id]);
    }
    return {
      anchorZones,
      reachedZones,
      reachedTotal: reached.length,
      policies,
      members,
      ...(focus.type === 'zone' ? { memberTotal: await this.repository.zoneMemberCount(focus.id) } : {}),
      membership,
      devices: await this.deviceMap(members),
    };
  }

  private async services(focus: ResolvedFocus, depth: number, caps: Caps): Promise<MapProjection> {
    if (focus.type !== 'device' && focus.type !== 'service') {
      return scaffoldProjection('services', focus, caps, { guidance: SERVICES_FOCUS_GUIDANCE });
    }
    if (depth === 0) return scaffoldProjection('services', focus, caps);
    const host = focus.type === 'device' ? focus.device : await this.device(focus.service?.device_id ?? '');
    const services = await this.repository.services(host.id, caps.nodes + 1);
    const expansion = await expandDependencies(
      { dependencies: (frontier, done, limit) => this.repository.dependencies(frontier, done, limit) },
      host.id,
      depth,
      caps,
    );
    const endIds = expansion.dependencies.flatMap((row) => [row.from_service_id, row.to_service_id]);
    const endServices = await this.repository.servicesByIds([
      ...new Set(endIds.filter((id): id is string => id !== null)),
    ]);
    const devices = await this.deviceMap(expansion.hosts);
    return servicesProjection(
      focus,
      { host, services, expansion, endServices: new Map(endServices.map((row) => [row.id, row])), devices },
      caps,
    );
  }

  private async physical(focus: Extract<ResolvedFocus, { type: 'device' }>, caps: Caps): Promise<MapProjection> {
    const links = await this.repository.links(focus.id, caps.edges + 1);
    const counts = await this.repository.linkCounts(focus.id);
    const devices = await this.deviceMap([...new Set(links.map((link) => link.peer_id))]);
    return physicalProjection(focus, { links, linkTotal: counts.links, peerTotal: counts.peers, devices }, caps);
  }

  private async l3(focus: ResolvedFocus, depth: number, caps: Caps): Promise<MapProjection> {
    const source: MembershipSource<IpFact> = {
      factsOf: async (ids) => {
        const facts = new Map<string, IpFact[]>();
        for (const row of await this.repository.ipFacts(ids)) {
          const list = facts.get(row.device_id) ?? [];
          list.push({ ip: row.ip, prefix: row.prefix });
          facts.set(row.device_id, list);
        }
        return facts;
      },
      membersOf: async (regions, limit) =>
        new Map(
          await Promise.all(regions.map(async (r) => [r, await this.repository.subnetMembers(r, limit)] as const)),
        ),
    };
    if (focus.type === 'device') {
      if (depth === 0) return scaffoldProjection('l3', focus, caps);
      const expansion = await expandMembership(L3_LAYER.rules, source, { focusDeviceId: focus.id, depth, caps });
      const devices = await this.deviceMap(expansion.peers);
      const ips = expansion.facts.get(focus.id) ?? [];
      const primary = focus.device.primary_ip;
      return regionalDeviceProjection(L3_LAYER, focus, expansion, devices, caps, {
        status: 'l3 (device focus)',
        identity: primary ? [{ label: 'Primary IP', value: primary }] : [],
        statusFirst: [{ label: 'IP facts', value: String(ips.length) }],
      });
    }
    if (focus.type === 'subnet') {
      const expansion = await expandMembership(L3_LAYER.rules, source, { focusRegionId: focus.id, depth, caps });
      const devices = await this.deviceMap(expansion.peers);
      return regionalRegionProjection(L3_LAYER, focus, expansion, devices, caps, depth, 'l3 (subnet focus)');
    }
    return scaffoldProjection('l3', focus, caps);
  }

  private async l2(focus: ResolvedFocus, depth: number, caps: Caps): Promise<MapProjection> {
    const source: MembershipSource<VlanFact> = {
      factsOf: async (ids) => {
        const facts = new Map<string, VlanFact[]>();
        for (const row of await this.repository.vlanFacts(ids)) {
          const list = facts.get(row.device_id) ?? [];
          list.push({ vlan: row.vlan });
          facts.set(row.device_id, list);
        }
        return facts;
      },
      membersOf: async (regions, limit) =>
        new Map(
          await Promise.all(
            regions.map(async (r) => [r, await this.repository.vlanMembers(Number(r), limit)] as const),
          ),
        ),
    };
    if (focus.type === 'device') {
      if (depth === 0) return scaffoldProjection('l2', focus, caps);
      const expansion = await expandMembership(L2_LAYER.rules, source, { focusDeviceId: focus.id, depth, caps });
      const devices = await this.deviceMap(expansion.peers);
      return regionalDeviceProjection(L2_LAYER, focus, expansion, devices, caps, { status: 'l2 (device focus)' });
    }
    if (focus.type === 'vlan') {
      const expansion = await expandMembership(L2_LAYER.rules, source, { focusRegionId: focus.id, depth, caps });
      const devices = await this.deviceMap(expansion.peers);
      return regionalRegionProjection(L2_LAYER, focus, expansion, devices, caps, depth, 'l2 (vlan focus)');
    }
    return scaffoldProjection('l2', focus, caps);
  }
}
