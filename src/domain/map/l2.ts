/** L2: VLANs (interface PVIDs) as regions, devices as nodes, no edges (SPEC §8.7, numeric order). */
import type { RegionalLayer } from './regional.ts';

/** An interface PVID of a device. */
export interface VlanFact {
  vlan: number;
}

const compareVlans = (a: string, b: string): number => Number(a) - Number(b);

export const L2_LAYER: RegionalLayer<VlanFact> = {
  layer: 'l2',
  rules: {
    regionOf: (fact) => (fact.vlan >= 1 && fact.vlan <= 4094 ? String(fact.vlan) : undefined),
    contains: (regionId, fact) => String(fact.vlan) === regionId,
    compare: compareVlans,
  },
  regionKind: 'vlan',
  regionLabel: (id) => `VLAN ${id}`,
  capName: 'VLAN',
  countLabel: 'VLANs',
  primaryLabel: 'Primary VLAN',
  openLabel: (id) => `Open VLAN ${id}`,
  /** The lowest VLAN numerically. */
  primaryOf: (regionIds) => [...regionIds].sort(compareVlans)[0],
  peerEdges: false,
  extraStatus: [{ label: 'Membership model', value: 'PVID only' }],
  noFactsGuidance:
    'No VLAN regions could be derived: no interface of this device has a known PVID. Run discovery with SNMP (VLAN enrichment) to fill them in.',
  emptyRegionGuidance: 'No devices observed in this VLAN yet.',
};
