import { describe, expect, it } from 'vitest';
import {
  type CanonicalLink,
  canonicalLink,
  endpointsCompatible,
  type LinkEndpoint,
  linkKey,
  matchSighting,
  mergeEndpoints,
} from './link-identity.ts';

const A = '11111111-1111-4111-8111-111111111111';
const B = '22222222-2222-4222-8222-222222222222';
const C = '33333333-3333-4333-8333-333333333333';
const ep = (deviceId: string, interfaceId: string | null = null): LinkEndpoint => ({ deviceId, interfaceId });
const link = (x: LinkEndpoint, y: LinkEndpoint): CanonicalLink => ({ a: x, b: y });

describe('canonicalLink', () => {
  it('puts the lower device id first, whichever end reported', () => {
    expect(canonicalLink(ep(B, 'q1'), ep(A, 'p1'))).toEqual({ a: ep(A, 'p1'), b: ep(B, 'q1') });
    expect(canonicalLink(ep(A, 'p1'), ep(B, 'q1'))).toEqual({ a: ep(A, 'p1'), b: ep(B, 'q1') });
    expect(canonicalLink(ep(B), ep(A, 'z'))).toEqual({ a: ep(A, 'z'), b: ep(B) });
  });

  it('orders two ports of one device by interface id, unknown ("") first', () => {
    expect(canonicalLink(ep(A, 'p2'), ep(A, 'p1'))).toEqual({ a: ep(A, 'p1'), b: ep(A, 'p2') });
    expect(canonicalLink(ep(A, 'p1'), ep(A))).toEqual({ a: ep(A), b: ep(A, 'p1') });
    expect(canonicalLink(ep(A), ep(A))).toEqual({ a: ep(A), b: ep(A) });
  });

  it('returns copies, never the inputs', () => {
    const x = ep(A, 'p1');
    const result = canonicalLink(x, ep(B));
    expect(result.a).not.toBe(x);
    result.a.interfaceId = 'changed';
    expect(x.interfaceId).toBe('p1');
  });
});

describe('linkKey', () => {
  it('has no source and is the same from both ends', () => {
    expect(linkKey(ep(A, 'p1'), ep(B, 'q1'))).toBe(`link:${A}:p1:${B}:q1`);
    expect(linkKey(ep(B, 'q1'), ep(A, 'p1'))).toBe(`link:${A}:p1:${B}:q1`);
  });

  it('writes "-" for unknown ports', () => {
    expect(linkKey(ep(B), ep(A, 'p1'))).toBe(`link:${A}:p1:${B}:-`);
    expect(linkKey(ep(B, 'q1'), ep(A))).toBe(`link:${A}:-:${B}:q1`);
    expect(linkKey(ep(A), ep(B))).toBe(`link:${A}:-:${B}:-`);
  });

  it('keys a cable between two ports of one device the same both ways', () => {
    expect(linkKey(ep(A, 'p2'), ep(A, 'p1'))).toBe(`link:${A}:p1:${A}:p2`);
    expect(linkKey(ep(A, 'p1'), ep(A, 'p2'))).toBe(`link:${A}:p1:${A}:p2`);
    expect(linkKey(ep(A, 'p1'), ep(A))).toBe(`link:${A}:-:${A}:p1`);
  });

  it('keeps parallel cables apart', () => {
    expect(linkKey(ep(A, 'p1'), ep(B, 'q1'))).not.toBe(linkKey(ep(A, 'p2'), ep(B, 'q2')));
  });
});

describe('endpointsCompatible', () => {
  it.each<[string, CanonicalLink, CanonicalLink, boolean]>([
    ['identical', link(ep(A, 'p1'), ep(B, 'q1')), link(ep(A, 'p1'), ep(B, 'q1')), true],
    [
      'seen from the other end (LLDP on A, CDP on B)',
      link(ep(A, 'p1'), ep(B, 'q1')),
      link(ep(B, 'q1'), ep(A, 'p1')),
      true,
    ],
    [
      'stored with unknown remote port, sighting knows both',
      link(ep(A, 'p1'), ep(B)),
      link(ep(B, 'q1'), ep(A, 'p1')),
      true,
    ],
    ['stored knows both, sighting knows one', link(ep(A, 'p1'), ep(B, 'q1')), link(ep(A), ep(B, 'q1')), true],
    ['unknown ports on opposite ends', link(ep(A, 'p1'), ep(B)), link(ep(A), ep(B, 'q1')), true],
    ['nothing known on either', link(ep(A), ep(B)), link(ep(B), ep(A)), true],
    ['parallel cable on other ports', link(ep(A, 'p1'), ep(B, 'q1')), link(ep(A, 'p2'), ep(B, 'q2')), false],
    ['same A port, different B port', link(ep(A, 'p1'), ep(B, 'q1')), link(ep(A, 'p1'), ep(B, 'q2')), false],
    ['different A port, B unknown', link(ep(A, 'p1'), ep(B)), link(ep(A, 'p2'), ep(B, 'q1')), false],
    ['different device pair', link(ep(A, 'p1'), ep(B, 'q1')), link(ep(A, 'p1'), ep(C, 'q1')), false],
    ['one shared device only, all ports unknown', link(ep(A), ep(B)), link(ep(A), ep(C)), false],
    ['A–B is not A–A', link(ep(A), ep(B)), link(ep(A), ep(A)), false],
    ['one device, laid either way', link(ep(A, 'p1'), ep(A, 'p2')), link(ep(A, 'p2'), ep(A, 'p1')), true],
    ['one device, unknown port changes the order', link(ep(A), ep(A, 'p2')), link(ep(A, 'p3'), ep(A, 'p2')), true],
    ['one device, other ports', link(ep(A, 'p1'), ep(A, 'p2')), link(ep(A, 'p1'), ep(A, 'p3')), false],
  ])('%s → %s', (_label, existing, sighting, expected) => {
    expect(endpointsCompatible(existing, sighting)).toBe(expected);
    expect(endpointsCompatible(sighting, existing)).toBe(expected);
  });

  it('does not care whether the stored link is in canonical order', () => {
    expect(endpointsCompatible(link(ep(B, 'q1'), ep(A)), link(ep(A, 'p1'), ep(B, 'q1')))).toBe(true);
  });
});

describe('mergeEndpoints', () => {
  it('fills an unknown port from the sighting and re-keys the link', () => {
    const merged = mergeEndpoints(link(ep(A, 'p1'), ep(B)), link(ep(B, 'q1'), ep(A, 'p1')));
    expect(merged).toEqual({ a: ep(A, 'p1'), b: ep(B, 'q1') });
    expect(merged && linkKey(merged.a, merged.b)).toBe(`link:${A}:p1:${B}:q1`);
  });

  it('fills both unknown ports, from either direction', () => {
    expect(mergeEndpoints(link(ep(B), ep(A)), link(ep(A, 'p1'), ep(B, 'q1')))).toEqual({
      a: ep(A, 'p1'),
      b: ep(B, 'q1'),
    });
    expect(mergeEndpoints(link(ep(A, 'p1'), ep(B)), link(ep(A), ep(B, 'q1')))).toEqual({
      a: ep(A, 'p1'),
      b: ep(B, 'q1'),
    });
  });

  it('never drops a known port for an unknown one', () => {
    expect(mergeEndpoints(link(ep(A, 'p1'), ep(B, 'q1')), link(ep(A), ep(B)))).toEqual({
      a: ep(A, 'p1'),
      b: ep(B, 'q1'),
    });
  });

  it('returns null for a different cable', () => {
    expect(mergeEndpoints(link(ep(A, 'p1'), ep(B, 'q1')), link(ep(A, 'p2'), ep(B, 'q2')))).toBeNull();
    expect(mergeEndpoints(link(ep(A), ep(B)), link(ep(A), ep(C)))).toBeNull();
  });

  it('handles a cable between two ports of one device, preferring the alignment that agrees on a port', () => {
    // Stored (A:-, A:p2); sighting (A:p2, A:p3): p2 is the known end, so the unknown end is p3.
    expect(mergeEndpoints(link(ep(A), ep(A, 'p2')), link(ep(A, 'p3'), ep(A, 'p2')))).toEqual({
      a: ep(A, 'p2'),
      b: ep(A, 'p3'),
    });
    expect(mergeEndpoints(link(ep(A), ep(A)), link(ep(A, 'p2'), ep(A, 'p1')))).toEqual({
      a: ep(A, 'p1'),
      b: ep(A, 'p2'),
    });
  });
});

describe('matchSighting', () => {
  type Stored = CanonicalLink & { id: string };
  const stored = (id: string, x: LinkEndpoint, y: LinkEndpoint): Stored => ({ id, ...canonicalLink(x, y) });

  it('merges an LLDP and a CDP sighting of one cable into one link', () => {
    const fromLldp = stored('l1', ep(A, 'p1'), ep(B, 'q1'));
    const cdpFromB = link(ep(B, 'q1'), ep(A, 'p1'));
    expect(matchSighting([fromLldp], cdpFromB)).toEqual({ kind: 'match', link: fromLldp });
  });

  it('asks for a new link when nothing is compatible, e.g. a parallel cable', () => {
    const first = stored('l1', ep(A, 'p1'), ep(B, 'q1'));
    expect(matchSighting([first], link(ep(A, 'p2'), ep(B, 'q2')))).toEqual({ kind: 'new' });
    expect(matchSighting([], link(ep(A, 'p2'), ep(B, 'q2')))).toEqual({ kind: 'new' });
  });

  it('picks the parallel cable whose known port agrees', () => {
    const one = stored('l1', ep(A, 'p1'), ep(B, 'q1'));
    const two = stored('l2', ep(A, 'p2'), ep(B, 'q2'));
    expect(matchSighting([one, two], link(ep(B, 'q2'), ep(A)))).toEqual({ kind: 'match', link: two });
    expect(matchSighting([one, two], link(ep(A, 'p1'), ep(B)))).toEqual({ kind: 'match', link: one });
  });

  it('prefers a link that agrees on known ports over one that merely has unknown ports', () => {
    const exact = stored('l1', ep(A, 'p1'), ep(B, 'q1'));
    const vague = stored('l2', ep(A), ep(B));
    expect(matchSighting([vague, exact], link(ep(A, 'p1'), ep(B, 'q1')))).toEqual({ kind: 'match', link: exact });
    const half = stored('l3', ep(A, 'p1'), ep(B));
    expect(matchSighting([vague, half], link(ep(B, 'q1'), ep(A, 'p1')))).toEqual({ kind: 'match', link: half });
  });

  it('is ambiguous when parallel cables cannot be told apart', () => {
    const one = stored('l1', ep(A, 'p1'), ep(B));
    const two = stored('l2', ep(A, 'p2'), ep(B));
    expect(matchSighting([one, two], link(ep(B, 'q1'), ep(A)))).toEqual({ kind: 'ambiguous', links: [one, two] });
    const known1 = stored('k1', ep(A, 'p1'), ep(B, 'q1'));
    const known2 = stored('k2', ep(A, 'p2'), ep(B, 'q2'));
    expect(matchSighting([known1, known2], link(ep(A), ep(B)))).toEqual({
      kind: 'ambiguous',
      links: [known1, known2],
    });
  });

  it('ignores links of other device pairs', () => {
    const other = stored('l1', ep(A, 'p1'), ep(C, 'r1'));
    expect(matchSighting([other], link(ep(A, 'p1'), ep(B, 'q1')))).toEqual({ kind: 'new' });
  });

  it('walks a typical upgrade: half-known link, then full sighting, then the other end', () => {
    // Run 1: A's LLDP sees B but B's port id does not map to an interface.
    let links: Stored[] = [];
    const first = link(ep(A, 'p1'), ep(B));
    expect(matchSighting(links, first)).toEqual({ kind: 'new' });
    links = [{ id: 'l1', ...canonicalLink(first.a, first.b) }];
    // Run 2: B's CDP sees A on q1 with A's port p1: same cable, port filled in.
    const second = link(ep(B, 'q1'), ep(A, 'p1'));
    const hit = matchSighting(links, second);
    expect(hit.kind).toBe('match');
    const merged = hit.kind === 'match' ? mergeEndpoints(hit.link, second) : null;
    expect(merged && linkKey(merged.a, merged.b)).toBe(`link:${A}:p1:${B}:q1`);
  });
});
