/** L3: subnets as regions, devices as nodes, `peer` edges from a focused device (SPEC §8.7, G-29 fixed). */
import type { RegionalLayer } from './regional.ts';
import { compareSubnetIds, parseSubnet, primarySubnet, subnetContains, subnetOf } from './subnet.ts';

/** An IP of a device with the narrowest prefix known for it (null: none known). */
export interface IpFact {
  ip: string;
  prefix: number | null;
}

export const L3_LAYER: RegionalLayer<IpFact> = {
  layer: 'l3',
  rules: {
    regionOf: (fact) => subnetOf(fact.ip, fact.prefix)?.id,
    contains: (regionId, fact) => {
      const subnet = parseSubnet(regionId);
      return subnet !== undefined && subnetContains(subnet, fact.ip);
    },
    compare: compareSubnetIds,
  },
  regionKind: 'subnet',
  regionLabel: (id) => id,
  capName: 'Subnet',
  countLabel: 'Subnets',
  primaryLabel: 'Primary subnet',
  openLabel: (id) => `Open subnet ${id}`,
  primaryOf: (regionIds, device) => primarySubnet(regionIds, device?.primary_ip),
  peerEdges: true,
  extraStatus: [],
  noFactsGuidance:
    'No subnet regions could be derived: this device has no usable IP facts yet. Run discovery (or add IP facts) to place it in subnets.',
  emptyRegionGuidance: 'No devices observed in this subnet yet.',
};
