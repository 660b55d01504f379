import { describe, expect, it } from 'vitest';
import { CDP_COLUMNS, decodeCdpAddress, readCdp, readCdpRows } from './cdp.reader.ts';
import { MemorySession } from './snmprec.ts';
import { WalkRunner } from './walk-runner.ts';

const walk = (records: string, failing: [string, string][] = []) =>
  new WalkRunner(new MemorySession(records, { failingWalks: new Map(failing) })).walkAll(CDP_COLUMNS);

const RECORDS = `
1.3.6.1.4.1.9.9.23.1.2.1.1.3.10103.1|2|1
1.3.6.1.4.1.9.9.23.1.2.1.1.3.10152.8|2|1
1.3.6.1.4.1.9.9.23.1.2.1.1.4.10103.1|4x|AC1B3154
1.3.6.1.4.1.9.9.23.1.2.1.1.4.10152.8|4x|7F000001
1.3.6.1.4.1.9.9.23.1.2.1.1.5.10103.1|4|Cisco IOS Software, C2700 Software
1.3.6.1.4.1.9.9.23.1.2.1.1.6.10103.1|4|acme-fr-ap-011
1.3.6.1.4.1.9.9.23.1.2.1.1.6.10152.8|4|0011.2233.4455
1.3.6.1.4.1.9.9.23.1.2.1.1.6.10200.9|4|
1.3.6.1.4.1.9.9.23.1.2.1.1.7.10103.1|4|GigabitEthernet0
1.3.6.1.4.1.9.9.23.1.2.1.1.7.10152.8|4|GigabitEthernet1/0/3
1.3.6.1.4.1.9.9.23.1.2.1.1.8.10103.1|4|cisco AIR-AP2702I-UXK9
1.3.6.1.4.1.9.9.23.1.2.1.1.8.10152.8|4|cisco WS-C3850-12S
`;

describe('readCdp', () => {
  it('reads the cache keyed ifIndex.deviceIndex and never offers loopback as a management address', async () => {
    expect(readCdp(await walk(RECORDS))).toEqual({
      ok: true,
      value: [
        {
          protocol: 'cdp',
          localIfIndex: 10103,
          remoteChassisMac: null,
          remoteChassisId: 'acme-fr-ap-011',
          remoteSysName: 'acme-fr-ap-011',
          remoteSysDescr: 'Cisco IOS Software, C2700 Software',
          remotePortId: 'GigabitEthernet0',
          remotePortDescr: null,
          remotePortMac: null,
          remoteManagementIp: '172.27.49.84',
        },
        {
          protocol: 'cdp',
          localIfIndex: 10152,
          remoteChassisMac: '00:11:22:33:44:55',
          remoteChassisId: '0011.2233.4455',
          remoteSysName: '0011.2233.4455',
          remoteSysDescr: 'cisco WS-C3850-12S',
          remotePortId: 'GigabitEthernet1/0/3',
          remotePortDescr: null,
          remotePortMac: null,
          remoteManagementIp: null,
        },
      ],
    });
  });

  it('keeps the platform on the raw rows and drops rows with neither id nor address', async () => {
    const rows = readCdpRows(await walk(RECORDS));
    expect(rows.ok && rows.value.map((row) => [row.localIfIndex, row.platform, row.address])).toEqual([
      [10103, 'cisco AIR-AP2702I-UXK9', '172.27.49.84'],
      [10152, 'cisco WS-C3850-12S', '127.0.0.1'],
    ]);
  });

  it('fails only when every column failed', async () => {
    const failing = CDP_COLUMNS.map((column): [string, string] => [column, 'agent error: genErr']);
    expect(readCdp(await walk(RECORDS, failing))).toEqual({ ok: false, error: 'agent error: genErr' });
  });
});

describe('decodeCdpAddress', () => {
  const octets = (hex: string) => ({ oid: '1', type: 'octets' as const, value: Buffer.from(hex, 'hex') });

  it('reads 4/16-byte addresses and the type-length-address encoding', () => {
    expect(decodeCdpAddress(1, octets('0A364005'))).toBe('10.54.64.5');
    expect(decodeCdpAddress(20, octets('20010db8000000000000000000000001'))).toBe('2001:db8::1');
    expect(decodeCdpAddress(null, octets('01040A364005'))).toBe('10.54.64.5');
    expect(decodeCdpAddress(null, octets('0210fe800000000000000000000000000001'))).toBe('fe80::1');
  });

  it('refuses other protocols and odd lengths', () => {
    expect(decodeCdpAddress(2, octets('0A364005'))).toBeNull();
    expect(decodeCdpAddress(1, octets('0A3640'))).toBeNull();
    expect(decodeCdpAddress(1, undefined)).toBeNull();
  });
});
