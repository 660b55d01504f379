import { describe, expect, it } from 'vitest';
import { MemorySession, parseSnmprec } from './snmprec.ts';

describe('parseSnmprec', () => {
  it('splits on the first two bars only and decodes every tag', () => {
    const rows = parseSnmprec(
      [
        '1.3.6.1.2.1.1.1.0|4|V4.80(ACGP.3) | 11/26/2024',
        '1.3.6.1.2.1.1.2.0|6|.1.3.6.1.4.1.207.1.14.137',
        '1.3.6.1.2.1.1.3.0|67|407369700',
        '1.3.6.1.2.1.2.2.1.6.1|4x|AC7E8A19BF03',
        '1.3.6.1.2.1.2.2.1.8.1|2|1',
        '1.3.6.1.2.1.4.20.1.3.10.0.0.1|64|255.255.255.0',
        '1.3.6.1.2.1.2.2.1.10.1|65|4294967295',
        '1.3.6.1.2.1.31.1.1.1.15.1|66|1000',
        '1.3.6.1.2.1.31.1.1.1.6.1|70|18446744073709551615',
        '',
      ].join('\n'),
    );
    expect(rows.map((row) => [row.oid, row.type])).toEqual([
      ['1.3.6.1.2.1.1.1.0', 'octets'],
      ['1.3.6.1.2.1.1.2.0', 'oid'],
      ['1.3.6.1.2.1.1.3.0', 'timeticks'],
      ['1.3.6.1.2.1.2.2.1.6.1', 'octets'],
      ['1.3.6.1.2.1.2.2.1.8.1', 'integer'],
      ['1.3.6.1.2.1.2.2.1.10.1', 'counter'],
      ['1.3.6.1.2.1.4.20.1.3.10.0.0.1', 'ipaddress'],
      ['1.3.6.1.2.1.31.1.1.1.6.1', 'counter64'],
      ['1.3.6.1.2.1.31.1.1.1.15.1', 'gauge'],
    ]);
    expect(rows[0]?.value).toEqual(Buffer.from('V4.80(ACGP.3) | 11/26/2024'));
    expect(rows[1]?.value).toBe('1.3.6.1.4.1.207.1.14.137');
    expect(rows[3]?.value).toEqual(Buffer.from([0xac, 0x7e, 0x8a, 0x19, 0xbf, 0x03]));
    expect(rows[7]?.value).toBe(18446744073709551615n);
  });

  it('keeps the first of repeated OIDs', () => {
    const rows = parseSnmprec('1.3.6.1.2.1.1.5.0|4|first\n1.3.6.1.2.1.1.5.0|4|second');
    expect(rows).toHaveLength(1);
    expect(rows[0]?.value).toEqual(Buffer.from('first'));
  });

  it('names the line of a malformed or unsupported record', () => {
    expect(() => parseSnmprec('1.3.6.1.2.1.1.5.0|4|ok\n1.3.6.1.2.1.1.6.0')).toThrow(/line 2/);
    expect(() => parseSnmprec('1.3.6.1.2.1.1.5.0|99|x')).toThrow(/line 1: unsupported tag 99/);
  });
});

describe('MemorySession', () => {
  const text = [
    '1.3.6.1.2.1.2.2.1.2.10|4|ten',
    '1.3.6.1.2.1.2.2.1.2.9|4|nine',
    '1.3.6.1.2.1.2.2.1.2.100|4|hundred',
    '1.3.6.1.2.1.2.2.1.3.9|2|6',
    '1.3.6.1.2.1.1.5.0|4|sw1',
  ].join('\n');

  it('answers GETs exactly and marks missing OIDs', async () => {
    const session = new MemorySession(text);
    expect(await session.get(['1.3.6.1.2.1.1.5.0', '1.3.6.1.2.1.1.6.0'])).toEqual([
      { oid: '1.3.6.1.2.1.1.5.0', type: 'octets', value: Buffer.from('sw1') },
      { oid: '1.3.6.1.2.1.1.6.0', type: 'noSuchObject', value: null },
    ]);
  });

  it('walks in numeric OID order across small bulk answers and stays in the subtree', async () => {
    const session = new MemorySession(text, { maxRepetitions: 1 });
    const rows = await session.walk('1.3.6.1.2.1.2.2.1.2');
    expect(rows.map((row) => row.oid)).toEqual([
      '1.3.6.1.2.1.2.2.1.2.9',
      '1.3.6.1.2.1.2.2.1.2.10',
      '1.3.6.1.2.1.2.2.1.2.100',
    ]);
    expect(await session.walk('1.3.6.1.2.1.2.2.1.4')).toEqual([]);
    expect(await session.walk('1.3.6.1.4')).toEqual([]);
  });

  it('fails scripted walks and refuses use after close', async () => {
    const session = new MemorySession(text, { failingWalks: new Map([['1.3.6.1.2.1.2.2.1.2', 'timeout']]) });
    await expect(session.walk('1.3.6.1.2.1.2.2.1.2')).rejects.toThrow('timeout');
    session.close();
    await expect(session.get(['1.3.6.1.2.1.1.5.0'])).rejects.toThrow('session closed');
  });
});
