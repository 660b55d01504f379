import { describe, expect, it } from 'vitest';
import { deviceLabel } from './inspector.ts';
import { L2_LAYER } from './l2.ts';
import type { IpFact } from './l3.ts';
import { L3_LAYER } from './l3.ts';
import { expandMembership, type MembershipSource } from './membership.ts';
import { capsFor, parseLayer, parseSubnetId, parseVlanId } from './model.ts';
import { physicalProjection } from './physical.ts';
import { type DependencyFact, type DependencySource, expandDependencies, servicesProjection } from './services.ts';
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

describe('device labels', () => {
  it('prefer the display name, then the primary IP, then the id', () => {
    const id = '00000000-0000-4000-8000-000000000001';
    expect(deviceLabel({ id, display_name: ' core-sw ', primary_ip: '10.0.0.1' })).toBe('core-sw');
    expect(deviceLabel({ id, display_name: '  ', primary_ip: '10.0.0.1' })).toBe('10.0.0.1');
    expect(deviceLabel({ id, display_name: null, primary_ip: null })).toBe(id);
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

describe('services dependencies', () => {
  const dep = (id: string, from: string, to: string): DependencyFact => {
    const [fromDevice, fromService = null] = from.split('/');
    const [toDevice, toService = null] = to.split('/');
    return {
      id,
      from_device_id: fromDevice ?? '',
      from_service_id: fromService,
      to_device_id: toDevice ?? '',
      to_service_id: toService,
      source: 'manual',
      description: null,
    };
  };
  /** An in-memory table answering like the repository, recording every read. */
  const memory = (rows: DependencyFact[]) => {
    const reads: { frontier: string[]; done: string[]; limit: number }[] = [];
    const source: DependencySource = {
      dependencies: async (frontier, done, limit) => {
        reads.push({ frontier: [...frontier], done: [...done], limit });
        const touches = (row: DependencyFact, ids: readonly string[]) =>
          ids.includes(row.from_device_id) || ids.includes(row.to_device_id);
        return rows
          .filter((row) => touches(row, frontier) && !touches(row, done))
          .sort((a, b) => (a.id < b.id ? -1 : 1))
          .slice(0, limit);
      },
    };
    return { source, reads };
  };
  // h -> a -> b -> c (device chain), plus x -> h.
  const chain = [dep('1', 'h', 'a'), dep('2', 'a', 'b'), dep('3', 'b', 'c'), dep('4', 'x', 'h')];
  const focus = { type: 'device' as const, id: 'h', device: { id: 'h', display_name: 'H' } };
  const service = (id: string, device: string) => ({
    id,
    device_id: device,
    protocol: 'tcp',
    port: 1,
    name: null,
    state: null,
    source: null,
    observed_at: 't',
  });

  it('walks hosts breadth-first, one hop per depth, never re-reading an expanded host', async () => {
    const one = memory(chain);
    const e1 = await expandDependencies(one.source, 'h', 1, capsFor(120));
    expect(e1).toEqual({ hosts: ['h', 'a', 'x'], dependencies: [chain[0], chain[3]], complete: true, hostsSeen: 3 });
    const three = memory(chain);
    const e3 = await expandDependencies(three.source, 'h', 3, capsFor(120));
    expect(e3.hosts).toEqual(['h', 'a', 'x', 'b', 'c']);
    expect(e3.dependencies.map((d) => d.id)).toEqual(['1', '4', '2', '3']);
    expect(three.reads).toEqual([
      { frontier: ['h'], done: [], limit: 81 },
      { frontier: ['a', 'x'], done: ['h'], limit: 79 },
      { frontier: ['b'], done: ['h', 'a', 'x'], limit: 78 },
    ]);
  });

  it('stops at the region cap and reads at most cap + 1 edges', async () => {
    const regions = await expandDependencies(memory(chain).source, 'h', 3, { regions: 2, nodes: 120, edges: 80 });
    expect(regions.hosts).toEqual(['h', 'a']);
    expect(regions.hostsSeen).toBe(4);
    const edges = memory(chain);
    const cut = await expandDependencies(edges.source, 'h', 3, { regions: 8, nodes: 120, edges: 1 });
    expect(cut.dependencies.map((d) => d.id)).toEqual(['1']);
    expect(cut.complete).toBe(false);
    expect(edges.reads.length).toBe(1);
    // New hosts of one hop enter by id, not in the order the dependencies name them.
    const byId = await expandDependencies(memory([dep('1', 'h', 'z'), dep('2', 'h', 'b')]).source, 'h', 1, {
      regions: 2,
      nodes: 120,
      edges: 80,
    });
    expect(byId.hosts).toEqual(['h', 'b']);
  });

  it('draws dependency edges between service and bare-device nodes with unique ids', async () => {
    const rows = [dep('d1', 'h/s1', 'a/s9'), dep('d2', 'h', 'a'), dep('d3', 'x', 'h/s2')];
    const expansion = await expandDependencies(memory(rows).source, 'h', 1, capsFor(120));
    const p = servicesProjection(
      focus,
      {
        host: focus.device,
        services: [service('s1', 'h'), service('s2', 'h')],
        expansion,
        endServices: new Map([['s9', { ...service('s9', 'a'), stale_since: 'yesterday' }]]),
        devices: new Map([
          ['h', focus.device],
          ['a', { id: 'a', display_name: 'A' }],
        ]),
      },
      capsFor(120),
    );
    expect(p.regions.map((r) => [r.id, r.label])).toEqual([
      ['a', 'A'],
      ['h', 'H'],
      ['x', 'x'],
    ]);
    expect(p.nodes.map((n) => [n.id, n.kind, n.primary_region_id])).toEqual([
      ['device:a', 'device', 'a'],
      ['device:h', 'device', 'h'],
      ['device:x', 'device', 'x'],
      ['s1', 'service', 'h'],
      ['s2', 'service', 'h'],
      ['s9', 'service', 'a'],
    ]);
    expect(p.nodes.find((n) => n.id === 's9')?.meta?.stale_since).toBe('yesterday');
    expect(p.edges.map((e) => [e.id, e.from, e.to, e.label])).toEqual([
      ['d1', 's1', 's9', 'depends on'],
      ['d2', 'device:h', 'device:a', 'depends on'],
      ['d3', 'device:x', 's2', 'depends on'],
    ]);
    const ids = [...p.regions, ...p.nodes, ...p.edges].map((x) => x.id);
    expect(new Set(ids).size).toBe(ids.length);
    expect(p.inspector?.status).toContainEqual({ label: 'Dependencies', value: '3' });
    expect(p.inspector?.relationships.slice(5).map((r) => [r.label, r.focus_id])).toEqual([
      ['Open device A', 'a'],
      ['Open device x', 'x'],
    ]);
  });

  it('keeps the focus host’s services when the node cap bites and reports what was left out', async () => {
    const rows = [dep('d1', 'h/s1', 'a/s9'), dep('d2', 'h/s2', 'b')];
    const expansion = await expandDependencies(memory(rows).source, 'h', 1, capsFor(3));
    const p = servicesProjection(
      focus,
      { host: focus.device, services: [service('s1', 'h'), service('s2', 'h')], expansion },
      capsFor(3),
    );
    expect(p.nodes.map((n) => n.id)).toEqual(['s1', 's2', 's9']);
    expect(p.edges.map((e) => e.id)).toEqual(['d1']);
    expect(p.truncation.nodes).toMatchObject({ returned: 3, truncated: true });
    expect(p.truncation.edges).toMatchObject({ returned: 1, truncated: true, total: 2 });
    expect(p.inspector?.status).toContainEqual({ label: 'Dependencies', value: '1 of 2' });
    // An edge whose other host is beyond the region cap is left out too.
    const narrow = await expandDependencies(memory(rows).source, 'h', 1, { regions: 2, nodes: 120, edges: 80 });
    const q = servicesProjection(focus, { host: focus.device, services: [], expansion: narrow }, capsFor(120));
    expect(q.regions.map((r) => r.id)).toEqual(['a', 'h']);
    expect(q.edges.map((e) => e.id)).toEqual(['d1']);
    expect(q.truncation.regions).toMatchObject({ returned: 2, truncated: true, total: 3 });
    expect(q.truncation.regions.warning).toBe('Device cap hit: showing 2 of 3.');
    expect(q.truncation.edges).toMatchObject({ returned: 1, truncated: true, total: 2 });
  });
});
