import { describe, expect, it } from 'vitest';
import { decodePortList, recoverHexDump } from './port-list.decode.ts';

describe('decodePortList', () => {
  it('reads bridge ports most significant bit first', () => {
    expect(decodePortList(Buffer.from([0x80, 0x01]))).toEqual([1, 16]);
    expect(decodePortList(Buffer.from([0x0c, 0x05, 0x00, 0xc0]))).toEqual([5, 6, 14, 16, 25, 26]);
    expect(decodePortList(Buffer.alloc(0))).toEqual([]);
  });

  it('recovers a list whose tail was stored as a net-snmp hex dump', () => {
    const dump = '\n00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 \n00 00 00 00 40 ';
    const served = Buffer.concat([Buffer.from([0x80, 0, 0, 0]), Buffer.from(dump, 'latin1')]);
    // 4 raw octets + 21 dumped: port 1 and, in dumped octet 20 (list octet 24), port 24*8+2.
    expect(decodePortList(served)).toEqual([1, 194]);
  });

  it('finds the dump even when the raw prefix itself holds a 0x0a octet', () => {
    const served = Buffer.concat([Buffer.from([0x0a, 0]), Buffer.from('\n01 00 00 00 00 00 00 80 ', 'latin1')]);
    expect(decodePortList(served)).toEqual([5, 7, 24, 73]);
  });

  it('leaves real bitmaps alone, including ones with 0x0a octets or too short a text tail', () => {
    const bitmap = Buffer.from([0x0a, 0x30, 0x30, 0x20]);
    expect(recoverHexDump(bitmap)).toBeUndefined();
    expect(recoverHexDump(Buffer.from('\x80\n00 00 ', 'latin1'))).toBeUndefined();
    expect(decodePortList(bitmap)).toEqual([5, 7, 11, 12, 19, 20, 27]);
  });
});
