import { describe, expect, it } from 'vitest';
import { INTERFACE_COLUMNS, readInterfaces, speed } from './interfaces.reader.ts';
import { IF } from './mib-oids.ts';
import { MemorySession } from './snmprec.ts';
import { WalkRunner } from './walk-runner.ts';

const walk = (records: string, failing: [string, string][] = []) =>
  new WalkRunner(new MemorySession(records, { failingWalks: new Map(failing) })).walkAll(INTERFACE_COLUMNS);

const RECORDS = `
1.3.6.1.2.1.2.2.1.2.1|4|lo
1.3.6.1.2.1.2.2.1.2.3|4|GigabitEthernet1/0/1
1.3.6.1.2.1.2.2.1.2.20000|4|enif0
1.3.6.1.2.1.2.2.1.4.3|2|1500
1.3.6.1.2.1.2.2.1.5.3|66|4294967295
1.3.6.1.2.1.2.2.1.5.20000|66|64000
1.3.6.1.2.1.2.2.1.6.1|4|
1.3.6.1.2.1.2.2.1.6.3|4x|AC7E8A19BF03
1.3.6.1.2.1.2.2.1.6.20000|4x|000000000000
1.3.6.1.2.1.2.2.1.7.3|2|1
1.3.6.1.2.1.2.2.1.8.3|2|2
1.3.6.1.2.1.31.1.1.1.1.3|4|Gi1/0/1
1.3.6.1.2.1.31.1.1.1.1.77|4|only-in-ifXTable
1.3.6.1.2.1.31.1.1.1.15.3|66|10000
1.3.6.1.2.1.31.1.1.1.15.20000|66|0
1.3.6.1.2.1.31.1.1.1.18.3|4|  uplink to core  
`;

describe('readInterfaces', () => {
  it('joins ifTable and ifXTable by ifIndex, one row per index seen in any column', async () => {
    const result = readInterfaces(await walk(RECORDS));
    expect(result).toEqual({
      ok: true,
      value: [
        {
          ifIndex: 1,
          name: null,
          descr: 'lo',
          alias: null,
          mac: null,
          adminStatus: null,
          operStatus: null,
          mtu: null,
          speedBps: null,
        },
        {
          ifIndex: 3,
          name: 'Gi1/0/1',
          descr: 'GigabitEthernet1/0/1',
          alias: 'uplink to core',
          mac: 'ac:7e:8a:19:bf:03',
          adminStatus: 1,
          operStatus: 2,
          mtu: 1500,
          speedBps: 10_000_000_000,
        },
        {
          ifIndex: 77,
          name: 'only-in-ifXTable',
          descr: null,
          alias: null,
          mac: null,
          adminStatus: null,
          operStatus: null,
          mtu: null,
          speedBps: null,
        },
        {
          ifIndex: 20000,
          name: null,
          descr: 'enif0',
          alias: null,
          mac: null,
          adminStatus: null,
          operStatus: null,
          mtu: null,
          speedBps: 64000,
        },
      ],
    });
  });

  it('leaves a failing column null and still reads the others', async () => {
    const result = readInterfaces(await walk(RECORDS, [[IF.ifName, 'timeout']]));
    expect(result.ok && result.value.find((row) => row.ifIndex === 3)).toMatchObject({
      name: null,
      descr: 'GigabitEthernet1/0/1',
    });
  });

  it('is an error only when every column failed', async () => {
    const failing = INTERFACE_COLUMNS.map((column): [string, string] => [column, 'agent error: genErr']);
    expect(readInterfaces(await walk(RECORDS, failing))).toEqual({ ok: false, error: 'agent error: genErr' });
    expect(readInterfaces(await walk(''))).toEqual({ ok: true, value: [] });
  });
});

describe('speed', () => {
  it('prefers ifHighSpeed in Mbit/s, except a 0 for a sub-1 Mbit/s link with a real ifSpeed', () => {
    expect(speed(40_000, 4_294_967_295)).toBe(40_000_000_000);
    expect(speed(0, null)).toBe(0);
    expect(speed(0, 0)).toBe(0);
    expect(speed(0, 64_000)).toBe(64_000);
    expect(speed(null, 100_000_000)).toBe(100_000_000);
    expect(speed(null, null)).toBeNull();
  });
});
