/**
 * Region membership expansion shared by the L2 and L3 layers: start from the focus (a device's
 * regions, or one region), add the region members, and for `depth` > 1 the members' other regions
 * and their members, hop by hop, never beyond the caps. The data comes through `MembershipSource`
 * (bounded queries in storage; plain maps in unit tests).
 */
import type { Caps } from './model.ts';

export interface RegionRules<F> {
  /** The region a fact places its device in, or undefined (e.g. a loopback address). */
  regionOf(fact: F): string | undefined;
  /** Whether a fact places its device inside the region. */
  contains(regionId: string, fact: F): boolean;
  /** Numeric order of region ids. */
  compare(a: string, b: string): number;
}

export interface MembershipSource<F> {
  /** Current facts of these devices (IPs with their known prefix, interface PVIDs). */
  factsOf(deviceIds: readonly string[]): Promise<Map<string, F[]>>;
  /** Per region: ids of devices with a fact inside it, ascending, at most `limit`. */
  membersOf(regionIds: readonly string[], limit: number): Promise<Map<string, string[]>>;
}

export interface ExpansionRequest {
  focusDeviceId?: string;
  focusRegionId?: string;
  depth: number;
  caps: Caps;
}

export interface Expansion<F> {
  /** Included regions in numeric order. */
  regions: string[];
  /** All regions of the focus device in numeric order (device focus only). */
  focusRegions: string[];
  /** Distinct regions discovered (focus regions plus those found through members). */
  regionsSeen: number;
  regionsTruncated: boolean;
  /** Included devices other than the focus, by hop, then by id. */
  peers: string[];
  /** Peers found in the first hop (members of the focus's own regions). */
  directPeers: string[];
  nodesTruncated: boolean;
  /** Facts of the focus device and of every peer. */
  facts: Map<string, F[]>;
}

function regionsOf<F>(rules: RegionRules<F>, facts: readonly F[]): string[] {
  const ids = new Set<string>();
  for (const fact of facts) {
    const id = rules.regionOf(fact);
    if (id !== undefined) ids.add(id);
  }
  return [...ids].sort(rules.compare);
}

export async function expandMembership<F>(
  rules: RegionRules<F>,
  source: MembershipSource<F>,
  request: ExpansionRequest,
): Promise<Expansion<F>> {
  const { caps, depth, focusDeviceId } = request;
  const facts = new Map<string, F[]>();
  const seen = new Set<string>();
  let focusRegions: string[] = [];
  let included: string[];
  if (focusDeviceId !== undefined) {
    const own = await source.factsOf([focusDeviceId]);
    facts.set(focusDeviceId, own.get(focusDeviceId) ?? []);
    focusRegions = regionsOf(rules, facts.get(focusDeviceId) ?? []);
    for (const id of focusRegions) seen.add(id);
    included = focusRegions.slice(0, caps.regions);
  } else {
    included = request.focusRegionId === undefined ? [] : [request.focusRegionId];
    for (const id of included) seen.add(id);
  }

  const peers: string[] = [];
  const peerSet = new Set<string>();
  let directPeers: string[] = [];
  let nodesTruncated = false;
  const peerRoom = Math.max(0, caps.nodes - (focusDeviceId === undefined ? 0 : 1));
  const memberLimit = caps.nodes + 1;
  let frontier = depth >= 1 ? [...included] : [];
  for (let hop = 1; hop <= depth && frontier.length > 0; hop++) {
    const members = await source.membersOf(frontier, memberLimit);
    const fresh = new Set<string>();
    for (const region of frontier) {
      const list = members.get(region) ?? [];
      if (list.length >= memberLimit) nodesTruncated = true;
      for (const id of list) if (id !== focusDeviceId && !peerSet.has(id)) fresh.add(id);
    }
    let added = [...fresh].sort();
    const room = peerRoom - peers.length;
    if (added.length > room) {
      nodesTruncated = true;
      added = added.slice(0, room);
    }
    for (const id of added) {
      peers.push(id);
      peerSet.add(id);
    }
    if (hop === 1) directPeers = added;
    if (hop === depth || added.length === 0) break;
    const addedFacts = await source.factsOf(added);
    const candidates = new Set<string>();
    for (const id of added) {
      facts.set(id, addedFacts.get(id) ?? []);
      for (const region of regionsOf(rules, facts.get(id) ?? [])) {
        seen.add(region);
        if (!included.includes(region)) candidates.add(region);
      }
    }
    const next = [...candidates].sort(rules.compare).slice(0, Math.max(0, caps.regions - included.length));
    included = [...included, ...next];
    frontier = next;
  }
  const missing = peers.filter((id) => !facts.has(id));
  if (missing.length > 0) {
    const rest = await source.factsOf(missing);
    for (const id of missing) facts.set(id, rest.get(id) ?? []);
  }
  return {
    regions: [...included].sort(rules.compare),
    focusRegions,
    regionsSeen: seen.size,
    regionsTruncated: seen.size > included.length,
    peers,
    directPeers,
    nodesTruncated,
    facts,
  };
}

/** The included regions a device's facts place it in, in numeric order. */
export function memberRegions<F>(rules: RegionRules<F>, regions: readonly string[], facts: readonly F[]): string[] {
  return regions.filter((region) => facts.some((fact) => rules.contains(region, fact)));
}
