import { randomInt } from 'node:crypto';
import * as dnsPacket from 'dns-packet';

/** A PTR question with recursion desired: we ask a recursive resolver, not the authority. */
export function encodePtrQuery(id: number, owner: string): Buffer {
  return dnsPacket.encode({
    type: 'query',
    id,
    flags: dnsPacket.RECURSION_DESIRED,
    questions: [{ type: 'PTR', name: owner, class: 'IN' }],
  });
}

export const randomQueryId = (): number => randomInt(0, 0x1_0000);

/** What one resolver's answer says; `undefined` from the reader means "not an answer to us". */
export type PtrVerdict =
  | { verdict: 'names'; names: string[] }
  | { verdict: 'no_name'; detail: 'NXDOMAIN' | 'NODATA' }
  | { verdict: 'server_error'; detail: string };

const RCODES: Record<number, string> = {
  1: 'FORMERR',
  2: 'SERVFAIL',
  3: 'NXDOMAIN',
  4: 'NOTIMP',
  5: 'REFUSED',
};

/**
 * Reads a resolver's answer to `encodePtrQuery(id, owner)`. Datagrams that do not echo our id and
 * question are ignored (undefined), not failed: a late answer to an earlier query is not an error.
 * PTR records count for the owner and for any CNAME target the answer chains to from it
 * (RFC 2317 classless delegation puts the PTR under a CNAME).
 */
export function readPtrAnswer(message: Buffer, id: number, owner: string): PtrVerdict | undefined {
  let packet: dnsPacket.DecodedPacket;
  try {
    packet = dnsPacket.decode(message);
  } catch {
    return undefined;
  }
  if (packet.type !== 'response' || packet.id !== id) return undefined;
  const question = packet.questions?.[0];
  if (!question || question.name.toLowerCase() !== owner.toLowerCase()) return undefined;

  const rcode = (packet.flags ?? 0) & 0xf;
  if (rcode === 3) return { verdict: 'no_name', detail: 'NXDOMAIN' };
  if (rcode !== 0) return { verdict: 'server_error', detail: RCODES[rcode] ?? `RCODE ${rcode}` };

  const owners = new Set([owner.toLowerCase()]);
  const names: string[] = [];
  const answers = packet.answers ?? [];
  // A chain is at most as long as the answer section; walking it that often reaches every link.
  for (let pass = 0; pass < answers.length; pass += 1) {
    const before = owners.size;
    for (const answer of answers) {
      if (answer.type === 'CNAME' && owners.has(answer.name.toLowerCase())) owners.add(answer.data.toLowerCase());
    }
    if (owners.size === before) break;
  }
  for (const answer of answers) {
    if (answer.type === 'PTR' && owners.has(answer.name.toLowerCase())) names.push(answer.data);
  }
  if (names.length > 0) return { verdict: 'names', names };
  if (packet.flag_tc) return { verdict: 'server_error', detail: 'truncated answer without a PTR record' };
  return { verdict: 'no_name', detail: 'NODATA' };
}
