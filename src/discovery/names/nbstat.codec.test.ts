import { describe, expect, it } from 'vitest';
import {
  encodeNodeStatusRequest,
  type NodeStatusEntry,
  parseNodeStatusResponse,
  preferredNames,
} from './nbstat.codec.ts';

/** A real answer of Samba 4.17 nmbd (netbios name ROLLERNB, workgroup ROLLERWG) to transaction 0x1234. */
const NMBD_ANSWER = Buffer.from(
  '12348400000000010000000020434b414141414141414141414141414141414141414141414141414141414141000021000100000000008905524f4c4c45524e4220202020202020000400524f4c4c45524e4220202020202020030400524f4c4c45524e4220202020202020200400524f4c4c4552574720202020202020008400524f4c4c45525747202020202020201e840000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000',
  'hex',
);

const WILDCARD = Buffer.from('CKAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA', 'latin1');

interface Entry {
  name: string;
  suffix: number;
  flags?: number;
}

/** Hand-built answer: header, optional echoed question, answer name, NBSTAT RR, name table, statistics. */
function answer(options: {
  id?: number;
  flags?: number;
  questions?: number;
  answers?: number;
  type?: number;
  entries?: Entry[];
  unitId?: number[];
  compressedName?: boolean;
  rdLength?: number;
}): Buffer {
  const header = Buffer.alloc(12);
  header.writeUInt16BE(options.id ?? 0x4242, 0);
  header.writeUInt16BE(options.flags ?? 0x8400, 2);
  header.writeUInt16BE(options.questions ?? 0, 4);
  header.writeUInt16BE(options.answers ?? 1, 6);
  const encodedName = Buffer.concat([Buffer.from([0x20]), WILDCARD, Buffer.from([0])]);
  const question = Buffer.concat([encodedName, Buffer.from([0x00, 0x21, 0x00, 0x01])]);
  const questions = Array.from({ length: options.questions ?? 0 }, () => question);
  const entries = (options.entries ?? []).map((entry) => {
    const row = Buffer.alloc(18);
    row.write(entry.name.padEnd(15, ' '), 0, 'latin1');
    row.writeUInt8(entry.suffix, 15);
    row.writeUInt16BE(entry.flags ?? 0x0400, 16);
    return row;
  });
  const stats = Buffer.alloc(46);
  Buffer.from(options.unitId ?? [0, 0, 0, 0, 0, 0]).copy(stats, 0);
  const data = Buffer.concat([Buffer.from([entries.length]), ...entries, stats]);
  const rr = Buffer.alloc(10);
  rr.writeUInt16BE(options.type ?? 0x21, 0);
  rr.writeUInt16BE(1, 2);
  rr.writeUInt32BE(0, 4);
  rr.writeUInt16BE(options.rdLength ?? data.length, 8);
  const answerName = options.compressedName ? Buffer.from([0xc0, 0x0c]) : encodedName;
  return Buffer.concat([header, ...questions, answerName, rr, data]);
}

describe('encodeNodeStatusRequest', () => {
  it('builds the 50-byte NBSTAT query for the NUL-padded wildcard (G-26)', () => {
    const request = encodeNodeStatusRequest(0xbeef);
    expect(request.length).toBe(50);
    expect(request.subarray(0, 12).toString('hex')).toBe('beef00000001000000000000');
    expect(request[12]).toBe(0x20);
    // '*' = 0x2a → 'C''K'; each NUL → 'A''A' (space padding would be 'C''A').
    expect(request.subarray(13, 45).toString('latin1')).toBe(`CK${'AA'.repeat(15)}`);
    expect(request.subarray(45).toString('hex')).toBe('0000210001');
  });

  it('keeps only the low 16 bits of the transaction id', () => {
    expect(encodeNodeStatusRequest(0x1_0001).readUInt16BE(0)).toBe(1);
  });
});

describe('parseNodeStatusResponse', () => {
  it('reads a real nmbd answer (QDCOUNT 0): five names, zero MAC reported as null', () => {
    const parsed = parseNodeStatusResponse(NMBD_ANSWER, 0x1234);
    expect(parsed).toEqual({
      ok: true,
      value: {
        entries: [
          { name: 'ROLLERNB', suffix: 0x00, group: false, flags: 0x0400 },
          { name: 'ROLLERNB', suffix: 0x03, group: false, flags: 0x0400 },
          { name: 'ROLLERNB', suffix: 0x20, group: false, flags: 0x0400 },
          { name: 'ROLLERWG', suffix: 0x00, group: true, flags: 0x8400 },
          { name: 'ROLLERWG', suffix: 0x1e, group: true, flags: 0x8400 },
        ],
        mac: null,
      },
    });
    if (parsed.ok) expect(preferredNames(parsed.value.entries)).toEqual(['ROLLERNB']);
  });

  it('returns the MAC from the statistics block when it is not all zero', () => {
    const message = answer({
      entries: [{ name: 'DESKTOP-7', suffix: 0x20 }],
      unitId: [0x00, 0x1b, 0x21, 0xab, 0xcd, 0xef],
    });
    const parsed = parseNodeStatusResponse(message, 0x4242);
    expect(parsed.ok && parsed.value.mac).toBe('00:1b:21:ab:cd:ef');
  });

  it('has no MAC when the data ends right after the name table', () => {
    const full = answer({ entries: [{ name: 'PC', suffix: 0x20 }] });
    const cut = full.subarray(0, full.length - 46);
    cut.writeUInt16BE(1 + 18, cut.length - 1 - 18 - 2); // RDLENGTH without statistics
    const parsed = parseNodeStatusResponse(cut, 0x4242);
    expect(parsed).toEqual({ ok: true, value: { entries: [expect.objectContaining({ name: 'PC' })], mac: null } });
  });

  it('skips an echoed question and follows a compressed answer name', () => {
    const message = answer({ questions: 1, compressedName: true, entries: [{ name: 'NAS', suffix: 0x20 }] });
    const parsed = parseNodeStatusResponse(message, 0x4242);
    expect(parsed.ok && parsed.value.entries.map((entry) => entry.name)).toEqual(['NAS']);
  });

  it('strips NUL as well as space padding from names', () => {
    const message = answer({ entries: [{ name: 'PAD\0\0\0', suffix: 0x20 }] });
    const parsed = parseNodeStatusResponse(message, 0x4242);
    expect(parsed.ok && parsed.value.entries[0]?.name).toBe('PAD');
  });

  it('rejects short, foreign, non-response, negative, empty and non-NBSTAT answers', () => {
    expect(parseNodeStatusResponse(Buffer.alloc(11), 1)).toEqual({ ok: false, error: 'response too short (11 bytes)' });
    expect(parseNodeStatusResponse(NMBD_ANSWER, 0x1235)).toEqual({
      ok: false,
      error: 'response to another transaction',
      wrongId: true,
    });
    expect(parseNodeStatusResponse(answer({ flags: 0x0000 }), 0x4242)).toMatchObject({ error: 'not a response' });
    expect(parseNodeStatusResponse(answer({ flags: 0x8403 }), 0x4242)).toMatchObject({
      error: 'negative response (rcode 3)',
    });
    expect(parseNodeStatusResponse(answer({ answers: 0 }), 0x4242)).toMatchObject({
      error: 'response without an answer',
    });
    expect(parseNodeStatusResponse(answer({ type: 0x20 }), 0x4242)).toMatchObject({
      error: 'answer type 0x20 is not NBSTAT',
    });
  });

  it('rejects truncated datagrams at every stage without reading past the end', () => {
    const full = answer({
      questions: 1,
      entries: [
        { name: 'A', suffix: 0 },
        { name: 'B', suffix: 0x20 },
      ],
    });
    const errors = new Set<string>();
    for (let length = 12; length < full.length - 46; length += 1) {
      const parsed = parseNodeStatusResponse(full.subarray(0, length), 0x4242);
      expect(parsed.ok, `length ${length}`).toBe(false);
      if (!parsed.ok) errors.add(parsed.error);
    }
    expect([...errors]).toEqual(
      expect.arrayContaining([
        'truncated question',
        'truncated answer header',
        'empty node status data',
        'name table of 2 entries runs past the end of the response',
      ]),
    );
  });

  it('does not trust an RDLENGTH that is larger than the datagram', () => {
    const message = answer({ entries: [{ name: 'HOST', suffix: 0x20 }], rdLength: 4000 });
    const parsed = parseNodeStatusResponse(message, 0x4242);
    expect(parsed.ok && parsed.value.entries.length).toBe(1);
  });

  it('rejects a name table that does not fit a too-small RDLENGTH', () => {
    const message = answer({ entries: [{ name: 'HOST', suffix: 0x20 }], rdLength: 10 });
    expect(parseNodeStatusResponse(message, 0x4242)).toMatchObject({ ok: false });
  });

  it('stops at a name whose labels never end', () => {
    const message = Buffer.concat([Buffer.from('424284000001000100000000', 'hex'), Buffer.alloc(300, 0x01)]);
    expect(parseNodeStatusResponse(message, 0x4242)).toEqual({ ok: false, error: 'truncated question' });
  });
});

describe('preferredNames', () => {
  const entry = (name: string, suffix: number, group = false): NodeStatusEntry => ({
    name,
    suffix,
    group,
    flags: group ? 0x8400 : 0x0400,
  });

  it('puts 0x20 names before 0x00 names and drops groups, blanks, other suffixes and duplicates', () => {
    expect(
      preferredNames([
        entry('WORKSTATION0', 0x00),
        entry('', 0x20),
        entry('GROUPNAME', 0x20, true),
        entry('SERVER20', 0x20),
        entry('server20', 0x00),
        entry('MESSENGER', 0x03),
        entry('MASTER', 0x1d),
        entry('Server20', 0x20),
      ]),
    ).toEqual(['SERVER20', 'WORKSTATION0']);
  });

  it('is empty when only group names are present', () => {
    expect(preferredNames([entry('WORKGROUP', 0x00, true)])).toEqual([]);
  });
});
