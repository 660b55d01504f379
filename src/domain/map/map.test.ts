import { describe, expect, it } from 'vitest';
import { L2_LAYER } from './l2.ts';
import type { IpFact } from './l3.ts';
import { L3_LAYER } from './l3.ts';
import { expandMembership, type MembershipSource } from './membership.ts';
import { capsFor, parseLayer, parseSubnetId, parseVlanId } from './model.ts';
import { physicalProjection } from './physical.ts';
import { compareSubnetIds, primarySubnet, subnetOf } from './subnet.ts';

describe('map model', () => {
  it('caps are min(fixed, limit)', () => {
    expect(capsFor(120)).toEqual({ regions: 8, nodes: 120, edges: 80 });
    expect(capsFor(5)).toEqual({ regions: 5, nodes: 5, edges: 5 });
  });
  it('parses layers, subnets and vlans', () => {
    expect(parseLayer(' L3 ')).toBe('l3');
    expect(parseLayer('l4')).toBeUndefined();
    expect(parseSubnetId('10.0.1.7/24')).toBe('10.0.1.0/24');
    expect(parseSubnetId('10.0.1.7')).toBeUndefined();
    expect(parseVlanId('0')).toBeUndefined();
    expect(parseVlanId('4094')).toBe(4094);
  });
});

describe('subnets', () => {
  it('keeps a known prefix and falls back to /24 and /64', () => {
    expect(subnetOf('10.0.1.10', 25)?.id).toBe('10.0.1.0/25');
    expect(subnetOf('10.0.1.200', null)?.id).toBe('10.0.1.0/24');
    expect(subnetOf('2001:db8::5', null)?.id).toBe('2001:db8::/64');
    expect(subnetOf('127.0.0.1', 8)).toBeUndefined();
  });
  it('orders numerically', () => {
    const ids = ['10.0.10.0/24', '10.0.2.0/24', '10.0.2.0/23', '2001:db8::/64'];
    expect([...ids].sort(compareSubnetIds)).toEqual(['10.0.2.0/23', '10.0.2.0/24', '10.0.10.0/24', '2001:db8::/64']);
  });
  it('the primary subnet is the most specific one containing the primary IP', () => {
    expect(primarySubnet(['10.0.0.0/16', '10.0.1.0/24', '10.0.2.0/24'], '10.0.1.5')).toBe('10.0.1.0/24');
    expect(primarySubnet(['10.0.10.0/24', '10.0.2.0/24'], '192.168.0.1')).toBe('10.0.2.0/24');
  });
  it('the primary VLAN is the lowest numerically', () => {
    expect(L2_LAYER.primaryOf(['10', '2', '30'], undefined)).toBe('2');
  });
});

function memorySource(facts: Record<string, IpFact[]>): MembershipSource<IpFact> {
  return {
    factsOf: async (ids) => new Map(ids.map((id) => [id, facts[id] ?? []])),
    membersOf: async (regions, limit) =>
      new Map(
        regions.map((region) => [
          region,
          Object.keys(facts)
            .filter((id) => (facts[id] ?? []).some((fact) => L3_LAYER.rules.contains(region, fact)))
            .sort()
            .slice(0, limit),
        ]),
      ),
  };
}

describe('membership expansion', () => {
  const facts: Record<string, IpFact[]> = {
    a: [{ ip: '10.0.1.1', prefix: 24 }],
    b: [
      { ip: '10.0.1.2', prefix: 24 },
      { ip: '10.0.2.2', prefix: 24 },
    ],
    c: [{ ip: '10.0.2.3', prefix: 24 }],
  };
  it('depth 1 stays in the focus regions', async () => {
    const e = await expandMembership(L3_LAYER.rules, memorySource(facts), {
      focusDeviceId: 'a',
      depth: 1,
      caps: capsFor(120),
    });
    expect(e.regions).toEqual(['10.0.1.0/24']);
    expect(e.peers).toEqual(['b']);
  });
  it('depth 2 adds the peers’ other regions and their members', async () => {
    const e = await expandMembership(L3_LAYER.rules, memorySource(facts), {
      focusDeviceId: 'a',
      depth: 2,
      caps: capsFor(120),
    });
    expect(e.regions).toEqual(['10.0.1.0/24', '10.0.2.0/24']);
    expect(e.peers).toEqual(['b', 'c']);
    expect(e.directPeers).toEqual(['b']);
  });
  it('depth 2 respects the region and node caps', async () => {
    const e = await expandMembership(L3_LAYER.rules, memorySource(facts), {
      focusDeviceId: 'a',
      depth: 2,
      caps: capsFor(1),
    });
    expect(e.regions).toEqual(['10.0.1.0/24']);
    expect(e.peers).toEqual([]);
    expect(e.nodesTruncated).toBe(true);
  });
});

describe('physical', () => {
  it('keeps one edge per link, also to the same peer', () => {
    const focus = { type: 'device' as const, id: 'f', device: { id: 'f', display_name: 'F' } };
    const link = (id: string, peer: string) => ({
      id,
      link_key: `k${id}`,
      source: 'lldp',
      link_type: null,
      peer_id: peer,
    });
    const p = physicalProjection(
      focus,
      { links: [link('1', 'p'), link('2', 'p'), link('3', 'q')], linkTotal: 3, peerTotal: 2, devices: new Map() },
      capsFor(120),
    );
    expect(p.edges.map((e) => e.id)).toEqual(['link:1', 'link:2', 'link:3']);
    expect(p.nodes.map((n) => n.id)).toEqual(['f', 'p', 'q']);
    const capped = physicalProjection(
      focus,
      { links: [link('1', 'p'), link('2', 'p'), link('3', 'q')], linkTotal: 3, peerTotal: 2, devices: new Map() },
      capsFor(2),
    );
    expect(capped.edges.map((e) => e.id)).toEqual(['link:1', 'link:2']);
    expect(capped.truncation.edges.truncated).toBe(true);
    expect(capped.truncation.nodes.truncated).toBe(true);
  });
});
