/**
 * NetBIOS node status (NBSTAT, RFC 1002 §4.2.17–18) as pure bytes in, values out. The request
 * asks for the conventional wildcard `*` padded with NULs (G-26: the space-padded form some
 * implementations send is not the wildcard and some responders ignore it).
 */

const NBSTAT = 0x0021;
const CLASS_IN = 0x0001;
const GROUP_FLAG = 0x8000;
const ENTRY_BYTES = 18;
const UNIT_ID_BYTES = 6;

/** 50 bytes: header, the encoded wildcard name, type NBSTAT, class IN. */
export function encodeNodeStatusRequest(transactionId: number): Buffer {
  const request = Buffer.alloc(50);
  request.writeUInt16BE(transactionId & 0xffff, 0);
  request.writeUInt16BE(0x0000, 2); // a query, no broadcast, no recursion
  request.writeUInt16BE(1, 4); // one question, no other records
  request.writeUInt8(0x20, 12);
  encodeFirstLevel(Buffer.from('*\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0', 'latin1')).copy(request, 13);
  request.writeUInt8(0x00, 45);
  request.writeUInt16BE(NBSTAT, 46);
  request.writeUInt16BE(CLASS_IN, 48);
  return request;
}

/** RFC 1001 first-level encoding: every byte becomes two letters, 'A' + high nibble, 'A' + low nibble. */
function encodeFirstLevel(name: Buffer): Buffer {
  const encoded = Buffer.alloc(name.length * 2);
  name.forEach((byte, index) => {
    encoded[index * 2] = 0x41 + (byte >> 4);
    encoded[index * 2 + 1] = 0x41 + (byte & 0x0f);
  });
  return encoded;
}

export interface NodeStatusEntry {
  /** The 15-character name with its padding (spaces, NULs) removed. */
  name: string;
  suffix: number;
  group: boolean;
  flags: number;
}

export interface NodeStatusAnswer {
  entries: NodeStatusEntry[];
  /** The unit id of the statistics block as a MAC; null when absent or all zero (Samba sends zeros). */
  mac: string | null;
}

export type NodeStatusParse = { ok: true; value: NodeStatusAnswer } | { ok: false; error: string; wrongId?: true };

/**
 * Reads a node status response. Rejected: shorter than a header, another transaction id (flagged
 * `wrongId` so a client keeps waiting), not a response, a negative response, no answer record, an
 * answer that is not NBSTAT, or a name table that runs past the end of the datagram. Questions are
 * skipped by count: Samba and Windows answer with QDCOUNT 0, others echo the question.
 */
export function parseNodeStatusResponse(message: Buffer, transactionId: number): NodeStatusParse {
  if (message.length < 12) return { ok: false, error: `response too short (${message.length} bytes)` };
  if (message.readUInt16BE(0) !== (transactionId & 0xffff)) {
    return { ok: false, error: 'response to another transaction', wrongId: true };
  }
  const flags = message.readUInt16BE(2);
  if ((flags & 0x8000) === 0) return { ok: false, error: 'not a response' };
  if ((flags & 0x000f) !== 0) return { ok: false, error: `negative response (rcode ${flags & 0x000f})` };
  const questions = message.readUInt16BE(4);
  if (message.readUInt16BE(6) === 0) return { ok: false, error: 'response without an answer' };

  let offset = 12;
  for (let index = 0; index < questions; index += 1) {
    const end = skipName(message, offset);
    if (end === null || end + 4 > message.length) return { ok: false, error: 'truncated question' };
    offset = end + 4;
  }
  const nameEnd = skipName(message, offset);
  if (nameEnd === null || nameEnd + 10 > message.length) return { ok: false, error: 'truncated answer header' };
  offset = nameEnd;
  const type = message.readUInt16BE(offset);
  if (type !== NBSTAT) return { ok: false, error: `answer type 0x${type.toString(16)} is not NBSTAT` };
  const dataLength = message.readUInt16BE(offset + 8);
  offset += 10;
  // RDLENGTH bounds the data, but never past the datagram: a lying length cannot make us overread.
  const dataEnd = Math.min(message.length, offset + dataLength);
  if (offset >= dataEnd) return { ok: false, error: 'empty node status data' };
  const count = message.readUInt8(offset);
  offset += 1;
  if (offset + count * ENTRY_BYTES > dataEnd) {
    return { ok: false, error: `name table of ${count} entries runs past the end of the response` };
  }
  const entries: NodeStatusEntry[] = [];
  for (let index = 0; index < count; index += 1) {
    const raw = message.subarray(offset, offset + 15).toString('latin1');
    const entryFlags = message.readUInt16BE(offset + 16);
    entries.push({
      name: raw.replace(/[\s\0]+$/, '').trim(),
      suffix: message.readUInt8(offset + 15),
      group: (entryFlags & GROUP_FLAG) !== 0,
      flags: entryFlags,
    });
    offset += ENTRY_BYTES;
  }
  return { ok: true, value: { entries, mac: unitIdMac(message, offset, dataEnd) } };
}

/** End offset of an encoded name (labels or a compression pointer), null if it runs off the end. */
function skipName(message: Buffer, start: number): number | null {
  let offset = start;
  // A name has at most 255 bytes, so at most 128 labels; the cap stops a hostile loop.
  for (let labels = 0; labels < 128; labels += 1) {
    if (offset >= message.length) return null;
    const length = message.readUInt8(offset);
    if (length === 0) return offset + 1;
    if ((length & 0xc0) === 0xc0) return offset + 2 <= message.length ? offset + 2 : null;
    offset += 1 + length;
  }
  return null;
}

function unitIdMac(message: Buffer, offset: number, end: number): string | null {
  if (offset + UNIT_ID_BYTES > end) return null;
  const bytes = message.subarray(offset, offset + UNIT_ID_BYTES);
  if (bytes.every((byte) => byte === 0)) return null;
  return [...bytes].map((byte) => byte.toString(16).padStart(2, '0')).join(':');
}

/**
 * The names worth keeping, in order: unique (non-group) names with suffix 0x20 (file server: the
 * machine name) first, then suffix 0x00 (workstation); blanks, other suffixes and case-insensitive
 * duplicates are dropped (SPEC §5.9.2).
 */
export function preferredNames(entries: readonly NodeStatusEntry[]): string[] {
  const names: string[] = [];
  const seen = new Set<string>();
  for (const suffix of [0x20, 0x00]) {
    for (const entry of entries) {
      if (entry.group || entry.suffix !== suffix || entry.name === '') continue;
      const key = entry.name.toLowerCase();
      if (seen.has(key)) continue;
      seen.add(key);
      names.push(entry.name);
    }
  }
  return names;
}
