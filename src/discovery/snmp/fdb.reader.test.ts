import { describe, expect, it } from 'vitest';
import { FDB_COLUMNS, FDB_FALLBACK_COLUMNS, type FdbContext, readFdb } from './fdb.reader.ts';
import { BRIDGE } from './mib-oids.ts';
import { MemorySession } from './snmprec.ts';
import { WalkRunner } from './walk-runner.ts';

const walk = (records: string, failing: [string, string][] = []) =>
  new WalkRunner(new MemorySession(records, { failingWalks: new Map(failing) })).walkAll([
    ...FDB_COLUMNS,
    ...FDB_FALLBACK_COLUMNS,
  ]);

const context = (fdbIdByVlan: [number, number][] = []): FdbContext => ({
  bridgePorts: new Map([
    [1, 1001],
    [2, 1002],
  ]),
  ifIndexes: new Set([1001, 1002]),
  fdbIdByVlan: new Map(fdbIdByVlan),
});

// dot1qTpFdbPort index: fdbId + 6 MAC octets (0x00 0x04 0xf2 … = 0.4.242.…).
const Q = `
1.3.6.1.2.1.17.7.1.2.2.1.2.1.0.4.242.198.112.120|2|1
1.3.6.1.2.1.17.7.1.2.2.1.2.1.0.4.242.198.112.121|2|0
1.3.6.1.2.1.17.7.1.2.2.1.2.5.184.164.79.185.61.26|2|2
1.3.6.1.2.1.17.7.1.2.2.1.2.5.184.164.79.185.61.27|2|2
1.3.6.1.2.1.17.7.1.2.2.1.2.5.184.164.79.185.61.28|2|9
1.3.6.1.2.1.17.7.1.2.2.1.3.5.184.164.79.185.61.27|2|4
1.3.6.1.2.1.17.7.1.2.2.1.3.5.184.164.79.185.61.26|2|3
`;

describe('readFdb', () => {
  it('reads Q-BRIDGE entries, maps ports and FDB ids, keeps unmapped ports and skips self entries', async () => {
    expect(readFdb(await walk(Q), context([[100, 5]]))).toEqual({
      ok: true,
      value: [
        { mac: '00:04:f2:c6:70:78', ifIndex: 1001, vlanId: 1 },
        { mac: '00:04:f2:c6:70:79', ifIndex: null, vlanId: 1 },
        { mac: 'b8:a4:4f:b9:3d:1a', ifIndex: 1002, vlanId: 100 },
        { mac: 'b8:a4:4f:b9:3d:1c', ifIndex: null, vlanId: 100 },
      ],
    });
  });

  it('names no VLAN for an FDB id shared by several VLANs', async () => {
    const result = readFdb(
      await walk(Q),
      context([
        [100, 5],
        [200, 5],
      ]),
    );
    expect(
      result.ok && result.value.filter((entry) => entry.mac.startsWith('b8')).map((entry) => entry.vlanId),
    ).toEqual([null, null]);
  });

  it('falls back to BRIDGE-MIB when Q-BRIDGE has no rows', async () => {
    const d = `
1.3.6.1.2.1.17.4.3.1.2.0.4.242.198.112.120|2|2
1.3.6.1.2.1.17.4.3.1.2.172.126.138.25.191.3|2|1
1.3.6.1.2.1.17.4.3.1.3.172.126.138.25.191.3|2|4
`;
    expect(readFdb(await walk(d), context())).toEqual({
      ok: true,
      value: [{ mac: '00:04:f2:c6:70:78', ifIndex: 1002, vlanId: null }],
    });
  });

  it('fails only when no table could be read', async () => {
    expect(readFdb(await walk('', [[BRIDGE.dot1qTpFdbPort, 'timeout']]), context())).toEqual({ ok: true, value: [] });
    expect(
      readFdb(
        await walk('', [
          [BRIDGE.dot1qTpFdbPort, 'timeout'],
          [BRIDGE.dot1dTpFdbPort, 'timeout'],
        ]),
        context(),
      ),
    ).toEqual({ ok: false, error: 'timeout' });
  });
});
