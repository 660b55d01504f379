/**
 * Identity of a physical link: one per cable, whichever protocol (LLDP, CDP, manual) and whichever
 * end reported it. This replaces SPEC §5.9.4, whose key carried the source and so stored the same
 * cable twice when both LLDP and CDP saw it (G-29).
 *
 * A sighting often knows only one port (the remote port id did not map to an interface). Such a
 * sighting and a later one that knows both ports describe the same cable, so matching treats an
 * unknown port as a wildcard; two known ports that differ never match, which keeps parallel cables
 * between the same two devices apart.
 *
 * Ids are compared as given: pass the database text form (lower-case UUIDs) consistently.
 */

export interface LinkEndpoint {
  deviceId: string;
  /** null when the port is not known (or was deleted: the FK is ON DELETE SET NULL). */
  interfaceId: string | null;
}

/** Endpoints in canonical order: `a` is the end with the lower device id (then interface id). */
export interface CanonicalLink {
  a: LinkEndpoint;
  b: LinkEndpoint;
}

function compareIds(x: string, y: string): number {
  return x < y ? -1 : x > y ? 1 : 0;
}

function compareEndpoints(x: LinkEndpoint, y: LinkEndpoint): number {
  return compareIds(x.deviceId, y.deviceId) || compareIds(x.interfaceId ?? '', y.interfaceId ?? '');
}

function copy(endpoint: LinkEndpoint): LinkEndpoint {
  return { deviceId: endpoint.deviceId, interfaceId: endpoint.interfaceId };
}

/**
 * Order two endpoints: lower device id first; for a cable between two ports of one device, the
 * lower interface id first ('' for unknown, so an unknown port comes first).
 */
export function canonicalLink(x: LinkEndpoint, y: LinkEndpoint): CanonicalLink {
  return compareEndpoints(x, y) <= 0 ? { a: copy(x), b: copy(y) } : { a: copy(y), b: copy(x) };
}

/** `link:<a_dev>:<a_if|->:<b_dev>:<b_if|->`: the same for both directions and every source. */
export function linkKey(x: LinkEndpoint, y: LinkEndpoint): string {
  const { a, b } = canonicalLink(x, y);
  return `link:${a.deviceId}:${a.interfaceId ?? '-'}:${b.deviceId}:${b.interfaceId ?? '-'}`;
}

/** One end of two links describes the same port: same device, and ports equal or one unknown. */
function sameEnd(x: LinkEndpoint, y: LinkEndpoint): boolean {
  return (
    x.deviceId === y.deviceId && (x.interfaceId === null || y.interfaceId === null || x.interfaceId === y.interfaceId)
  );
}

/** Ends where both ports are known and equal: how strongly a pairing is confirmed. */
function knownPortAgreement(pairs: readonly [LinkEndpoint, LinkEndpoint][]): number {
  return pairs.filter(([x, y]) => x.interfaceId !== null && x.interfaceId === y.interfaceId).length;
}

/**
 * The ways to lay the sighting's ends onto the stored link's ends so that each pair is the same
 * end. Between two devices there is at most one; a cable between two ports of one device can be
 * laid both ways, and filling in an unknown port can change its canonical order.
 */
function alignments(existing: CanonicalLink, sighting: CanonicalLink): [LinkEndpoint, LinkEndpoint][][] {
  const out: [LinkEndpoint, LinkEndpoint][][] = [];
  if (sameEnd(existing.a, sighting.a) && sameEnd(existing.b, sighting.b)) {
    out.push([
      [existing.a, sighting.a],
      [existing.b, sighting.b],
    ]);
  }
  if (sameEnd(existing.a, sighting.b) && sameEnd(existing.b, sighting.a)) {
    out.push([
      [existing.a, sighting.b],
      [existing.b, sighting.a],
    ]);
  }
  return out;
}

function bestAlignment(existing: CanonicalLink, sighting: CanonicalLink): [LinkEndpoint, LinkEndpoint][] | undefined {
  let best: [LinkEndpoint, LinkEndpoint][] | undefined;
  for (const candidate of alignments(existing, sighting)) {
    if (best === undefined || knownPortAgreement(candidate) > knownPortAgreement(best)) best = candidate;
  }
  return best;
}

/**
 * A stored link and a new sighting describe the same cable: the same two devices, and on each end
 * the ports are equal or one of them is unknown. Endpoint order does not matter.
 */
export function endpointsCompatible(existing: CanonicalLink, sighting: CanonicalLink): boolean {
  return bestAlignment(canonicalLink(existing.a, existing.b), canonicalLink(sighting.a, sighting.b)) !== undefined;
}

/**
 * The stored link with its unknown ports filled from a compatible sighting, in canonical order (the
 * link key may change: recompute it with `linkKey`). A known port is never replaced. Null when the
 * two are not the same cable.
 */
export function mergeEndpoints(existing: CanonicalLink, sighting: CanonicalLink): CanonicalLink | null {
  const aligned = bestAlignment(canonicalLink(existing.a, existing.b), canonicalLink(sighting.a, sighting.b));
  if (!aligned) return null;
  const [first, second] = aligned.map(([stored, seen]) => ({
    deviceId: stored.deviceId,
    interfaceId: stored.interfaceId ?? seen.interfaceId,
  }));
  if (!first || !second) return null;
  return canonicalLink(first, second);
}

export type LinkMatch<T extends CanonicalLink> =
  /** No stored link can be this cable: insert a new one. */
  | { kind: 'new' }
  /** This stored link is the cable: merge the sighting into it. */
  | { kind: 'match'; link: T }
  /**
   * Several stored links fit equally well (e.g. two parallel cables and a sighting that knows
   * neither port): nothing tells them apart, so neither merge nor insert.
   */
  | { kind: 'ambiguous'; links: T[] };

/**
 * Which of a device pair's stored links a sighting belongs to. Among compatible links, the one
 * with the most ends whose known ports agree wins (a known port carries one cable); a tie between
 * the best is ambiguous.
 */
export function matchSighting<T extends CanonicalLink>(stored: readonly T[], sighting: CanonicalLink): LinkMatch<T> {
  const seen = canonicalLink(sighting.a, sighting.b);
  let bestScore = -1;
  let best: T[] = [];
  for (const link of stored) {
    const aligned = bestAlignment(canonicalLink(link.a, link.b), seen);
    if (!aligned) continue;
    const score = knownPortAgreement(aligned);
    if (score > bestScore) {
      bestScore = score;
      best = [link];
    } else if (score === bestScore) {
      best.push(link);
    }
  }
  const [only] = best;
  if (only === undefined) return { kind: 'new' };
  if (best.length === 1) return { kind: 'match', link: only };
  return { kind: 'ambiguous', links: best };
}
