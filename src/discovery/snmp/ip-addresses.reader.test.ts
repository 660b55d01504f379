import { describe, expect, it } from 'vitest';
import { IP_ADDRESS_COLUMNS, inetAddressFromIndex, readAddresses } from './ip-addresses.reader.ts';
import { IP } from './mib-oids.ts';
import { MemorySession } from './snmprec.ts';
import { WalkRunner } from './walk-runner.ts';

const walk = (records: string, failing: [string, string][] = []) =>
  new WalkRunner(new MemorySession(records, { failingWalks: new Map(failing) })).walkAll(IP_ADDRESS_COLUMNS);

const V6 = '2.16.32.1.13.184.0.0.0.0.0.0.0.0.0.0.0.1';
const RECORDS = `
1.3.6.1.2.1.4.20.1.2.10.54.64.9|2|99
1.3.6.1.2.1.4.20.1.2.127.0.0.1|2|5473
1.3.6.1.2.1.4.20.1.3.10.54.64.9|64|255.255.255.224
1.3.6.1.2.1.4.20.1.3.127.0.0.1|64|255.0.0.0
1.3.6.1.2.1.4.34.1.3.1.4.10.54.64.9|2|99
1.3.6.1.2.1.4.34.1.3.1.4.10.54.64.31|2|99
1.3.6.1.2.1.4.34.1.3.${V6}|2|7
1.3.6.1.2.1.4.34.1.4.1.4.10.54.64.31|2|3
1.3.6.1.2.1.4.34.1.4.${V6}|2|1
1.3.6.1.2.1.4.34.1.5.${V6}|6|1.3.6.1.2.1.4.32.1.5.7.2.16.32.1.13.184.0.0.0.0.0.0.0.0.0.0.0.0.64
`;

describe('readAddresses', () => {
  it('reads ipAddrTable and ipAddressTable, once per address and interface, without broadcast rows', async () => {
    expect(readAddresses(await walk(RECORDS))).toEqual({
      ok: true,
      value: [
        { ifIndex: 99, ip: '10.54.64.9', prefixLength: 27 },
        // Loopback stays on its interface; isIdentityAddress() keeps it from identifying anything.
        { ifIndex: 5473, ip: '127.0.0.1', prefixLength: 8 },
        { ifIndex: 7, ip: '2001:db8::1', prefixLength: 64 },
      ],
    });
  });

  it('fails only when the columns naming interfaces failed and nothing was read', async () => {
    expect(readAddresses(await walk(RECORDS, [[IP.ipAdEntIfIndex, 'timeout']])).ok).toBe(true);
    expect(
      readAddresses(
        await walk(RECORDS, [
          [IP.ipAdEntIfIndex, 'timeout'],
          [IP.ipAddressIfIndex, 'timeout'],
        ]),
      ),
    ).toEqual({ ok: false, error: 'timeout' });
    expect(readAddresses(await walk('', [[IP.ipAdEntIfIndex, 'agent error: genErr']]))).toEqual({
      ok: false,
      error: 'agent error: genErr',
    });
  });
});

describe('inetAddressFromIndex', () => {
  it('reads typed, length-prefixed addresses and tolerates a missing length', () => {
    expect(inetAddressFromIndex([1, 4, 192, 0, 2, 1])).toBe('192.0.2.1');
    expect(inetAddressFromIndex([1, 192, 0, 2, 1])).toBe('192.0.2.1');
    expect(inetAddressFromIndex([4, 20, 0xfe, 0x80, ...Array(13).fill(0), 1, 0, 0, 0, 3])).toBe('fe80::1');
    expect(inetAddressFromIndex([16, 4, 1, 2, 3, 4])).toBeNull();
    expect(inetAddressFromIndex([1, 4, 1, 2])).toBeNull();
  });
});
