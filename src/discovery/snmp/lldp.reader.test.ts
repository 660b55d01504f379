import { describe, expect, it } from 'vitest';
import type { SnmpInterface } from '../../domain/enrichment.types.ts';
import { LLDP_COLUMNS, LocalPortMapper, readLldp } from './lldp.reader.ts';
import { decodeChassisId, decodePortId } from './lldp-id.decode.ts';
import { LLDP } from './mib-oids.ts';
import { MemorySession } from './snmprec.ts';
import { WalkRunner } from './walk-runner.ts';

const walk = (records: string, failing: [string, string][] = []) =>
  new WalkRunner(new MemorySession(records, { failingWalks: new Map(failing) })).walkAll(LLDP_COLUMNS);

const iface = (ifIndex: number, name: string | null, descr: string | null = null): SnmpInterface => ({
  ifIndex,
  name,
  descr,
  alias: null,
  mac: null,
  adminStatus: null,
  operStatus: null,
  mtu: null,
  speedBps: null,
});

describe('readLldp', () => {
  const RECORDS = `
1.0.8802.1.1.2.1.3.7.1.3.1|4|1001
1.0.8802.1.1.2.1.3.7.1.3.24|4|1024
1.0.8802.1.1.2.1.4.1.1.4.1.1.18|2|4
1.0.8802.1.1.2.1.4.1.1.4.1.24.2|2|4
1.0.8802.1.1.2.1.4.1.1.4.0.24.2|2|4
1.0.8802.1.1.2.1.4.1.1.5.1.1.18|4|ac:a3:1e:c3:af:aa
1.0.8802.1.1.2.1.4.1.1.5.1.24.2|4x|2CFAA22D0FDB
1.0.8802.1.1.2.1.4.1.1.5.0.24.2|4x|0000000000AA
1.0.8802.1.1.2.1.4.1.1.6.1.1.18|2|3
1.0.8802.1.1.2.1.4.1.1.6.1.24.2|2|7
1.0.8802.1.1.2.1.4.1.1.7.1.1.18|4|ac:a3:1e:c3:af:aa
1.0.8802.1.1.2.1.4.1.1.7.1.24.2|4|1038
1.0.8802.1.1.2.1.4.1.1.8.1.1.18|4|bond0
1.0.8802.1.1.2.1.4.1.1.9.1.1.18|4|ar1-ade7j0c
1.0.8802.1.1.2.1.4.1.1.9.1.24.2|4|
1.0.8802.1.1.2.1.4.1.1.10.1.1.18|4|ArubaOS (MODEL: 205)
1.0.8802.1.1.2.1.4.2.1.3.1.1.18.1.4.127.0.0.1|2|2
1.0.8802.1.1.2.1.4.2.1.3.1.1.18.2.16.32.1.13.184.0.0.0.0.0.0.0.0.0.0.0.1|2|2
1.0.8802.1.1.2.1.4.2.1.3.1.1.18.1.4.172.31.126.41|2|2
1.0.8802.1.1.2.1.4.2.1.3.1.24.2.1.4.0.0.0.0|2|2
`;
  const interfaces = [iface(1001, '1/1', 'Alcatel-Lucent 1/1'), iface(1024, '1/24', 'Alcatel-Lucent 1/24')];

  it('reads neighbours with a non-zero timeMark, text MACs, and management addresses from the index', async () => {
    const result = readLldp(await walk(RECORDS), { interfaces, bridgePorts: new Map([[1, 1001]]) });
    expect(result).toEqual({
      ok: true,
      value: [
        {
          protocol: 'lldp',
          localIfIndex: 1001,
          remoteChassisMac: 'ac:a3:1e:c3:af:aa',
          remoteChassisId: 'ac:a3:1e:c3:af:aa',
          remoteSysName: 'ar1-ade7j0c',
          remoteSysDescr: 'ArubaOS (MODEL: 205)',
          remotePortId: 'ac:a3:1e:c3:af:aa',
          remotePortDescr: 'bond0',
          remotePortMac: 'ac:a3:1e:c3:af:aa',
          // 127.0.0.1 says nothing about identity; IPv4 is preferred over the IPv6 address.
          remoteManagementIp: '172.31.126.41',
        },
        {
          protocol: 'lldp',
          localIfIndex: 1024,
          // timeMark 1 replaces the stale timeMark-0 row of the same neighbour.
          remoteChassisMac: '2c:fa:a2:2d:0f:db',
          remoteChassisId: '2c:fa:a2:2d:0f:db',
          remoteSysName: null,
          remoteSysDescr: null,
          remotePortId: '1038',
          remotePortDescr: null,
          remotePortMac: null,
          remoteManagementIp: null,
        },
      ],
    });
  });

  it('fails only when every remote column failed', async () => {
    const failing = LLDP_COLUMNS.map((column): [string, string] => [column, 'agent error: genErr']);
    expect(readLldp(await walk(RECORDS, failing), { interfaces, bridgePorts: new Map() })).toEqual({
      ok: false,
      error: 'agent error: genErr',
    });
    const partial = readLldp(await walk(RECORDS, [[LLDP.lldpRemSysName, 'timeout']]), {
      interfaces,
      bridgePorts: new Map(),
    });
    expect(partial.ok && partial.value.map((row) => row.remoteSysName)).toEqual([null, null]);
  });
});

describe('LocalPortMapper order', () => {
  const mapper = async (records: string, interfaces: SnmpInterface[], bridgePorts: [number, number][] = []) =>
    new LocalPortMapper(await walk(records), { interfaces, bridgePorts: new Map(bridgePorts) });

  it('matches lldpLocPortId against ifName before anything else', async () => {
    const map = await mapper('1.0.8802.1.1.2.1.3.7.1.3.27|4|A1', [iface(27, '27'), iface(55, 'A1')]);
    expect(map.map(27)).toEqual({ ifIndex: 55, via: 'locPortId=ifName' });
  });

  it('then ifDescr, then lldpLocPortDesc', async () => {
    const interfaces = [iface(3, 'Gi0/3', 'GigabitEthernet0/3'), iface(4, 'Gi0/4', 'port four')];
    const map = await mapper(
      '1.0.8802.1.1.2.1.3.7.1.3.1|4|GigabitEthernet0/3\n1.0.8802.1.1.2.1.3.7.1.3.2|4|x\n1.0.8802.1.1.2.1.3.7.1.4.2|4|port four',
      interfaces,
    );
    expect(map.map(1)).toEqual({ ifIndex: 3, via: 'locPortId=ifDescr' });
    expect(map.map(2)).toEqual({ ifIndex: 4, via: 'locPortDesc=ifDescr' });
  });

  it('skips a name shared by several interfaces', async () => {
    const map = await mapper(
      '1.0.8802.1.1.2.1.3.7.1.3.5|4|Link',
      [iface(5101, 'p1', 'Link'), iface(5102, 'p2', 'Link')],
      [[5, 5102]],
    );
    expect(map.map(5)).toEqual({ ifIndex: 5102, via: 'portNum=bridgePort' });
  });

  it('then a numeric lldpLocPortId naming an ifIndex, then the port number as ifIndex, then as bridge port', async () => {
    const interfaces = [iface(1001, '1/1'), iface(7, 'seven'), iface(1009, '1/9')];
    const map = await mapper('1.0.8802.1.1.2.1.3.7.1.3.1|4|1001', interfaces, [
      [7, 1009],
      [9, 1009],
    ]);
    expect(map.map(1)).toEqual({ ifIndex: 1001, via: 'locPortId=ifIndex' });
    expect(map.map(7)).toEqual({ ifIndex: 7, via: 'portNum=ifIndex' });
    expect(map.map(9)).toEqual({ ifIndex: 1009, via: 'portNum=bridgePort' });
    expect(map.map(12)).toEqual({ ifIndex: null, via: 'none' });
  });

  it('without an interface list trusts the bridge port map, else the number', async () => {
    const map = await mapper('', [], [[3, 10103]]);
    expect(map.map(3)).toEqual({ ifIndex: 10103, via: 'portNum=bridgePort' });
    expect(map.map(8)).toEqual({ ifIndex: 8, via: 'portNum=ifIndex' });
  });
});

describe('LLDP id decoding', () => {
  it('decodes chassis ids of every subtype to text, and to a MAC when they encode one', () => {
    expect(decodeChassisId(4, Buffer.from('B8A44FB93D1A', 'hex'))).toEqual({
      text: 'b8:a4:4f:b9:3d:1a',
      mac: 'b8:a4:4f:b9:3d:1a',
      ip: null,
    });
    expect(decodeChassisId(4, Buffer.from('b8a4.4fb9.3d1a'))).toMatchObject({ mac: 'b8:a4:4f:b9:3d:1a' });
    expect(decodeChassisId(5, Buffer.from('010A382071', 'hex'))).toEqual({
      text: '10.56.32.113',
      mac: null,
      ip: '10.56.32.113',
    });
    expect(decodeChassisId(5, Buffer.from('10.0.0.9'))).toEqual({ text: '10.0.0.9', mac: null, ip: '10.0.0.9' });
    expect(decodeChassisId(7, Buffer.from('SW-CORE-1'))).toEqual({ text: 'SW-CORE-1', mac: null, ip: null });
    expect(decodeChassisId(7, Buffer.from('00-11-22-33-44-55'))).toMatchObject({ mac: '00:11:22:33:44:55' });
    expect(decodeChassisId(1, Buffer.from([0x01, 0x02, 0xff]))).toEqual({ text: '01:02:ff', mac: null, ip: null });
    expect(decodeChassisId(4, Buffer.alloc(6))).toEqual({ text: '00:00:00:00:00:00', mac: null, ip: null });
    expect(decodeChassisId(null, null)).toEqual({ text: null, mac: null, ip: null });
  });

  it('gives a port id a MAC only when its subtype says so', () => {
    expect(decodePortId(3, Buffer.from('0004F2C67078', 'hex'))).toMatchObject({
      text: '00:04:f2:c6:70:78',
      mac: '00:04:f2:c6:70:78',
    });
    expect(decodePortId(5, Buffer.from('aa:bb:cc:dd:ee:ff'))).toEqual({
      text: 'aa:bb:cc:dd:ee:ff',
      mac: null,
      ip: null,
    });
    expect(decodePortId(5, Buffer.from('1/7/18'))).toEqual({ text: '1/7/18', mac: null, ip: null });
  });
});
