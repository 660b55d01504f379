// Every recording in the shared SNMP corpus (real switches and routers, see its README) read through
// the same readers the network path uses, compared with the recording's .truth.json per category.
// The corpus is read in place (../shared/snmp-corpus, or ROLLER_SNMP_CORPUS) and never copied here.
// Without it (a fresh machine elsewhere) the test does not run: it prints why, and its one test only
// confirms the corpus is absent, so CI=true does not count a skip as a failure. The end-to-end
// counterpart (snmpsimd → roller core → API) is test/corpus/snmp-corpus.test.ts.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { corpusDir, corpusMissing, listRecordings } from '../../../test/corpus/corpus-location.ts';
import type { NeighbourSighting } from '../../domain/enrichment.types.ts';
import { bigIntToIpv6, ipv6ToBigInt } from '../../shared/ip-math.ts';
import { CDP_COLUMNS, readCdpRows } from './cdp.reader.ts';
import { isIdentityAddress } from './identity-address.ts';
import { readSnmpDevice, type SnmpDeviceWalks } from './snmp-device.ts';
import { MemorySession } from './snmprec.ts';
import { readSystem, SYSTEM_OIDS } from './system.reader.ts';
import { maskToPrefixLength, parseMacText } from './varbind.decode.ts';

const CORPUS = corpusDir();
const corpusAbsent = corpusMissing(CORPUS);
if (corpusAbsent) process.stderr.write(`\n[roller tests] SNMP corpus test skipped: ${corpusAbsent}\n`);

// ---- the truth file, as far as this test reads it ----
interface TruthInterface {
  ifDescr: string | null;
  ifName: string | null;
  ifAlias: string | null;
  ifMtu: number | null;
  ifPhysAddress: string | null;
  speed_bps: number | null;
  adminStatus: string | null;
  operStatus: string | null;
}
interface TruthPortSet {
  ifIndexes: number[];
}
interface TruthVlan {
  name?: string;
  current_egress?: TruthPortSet;
  current_untagged?: TruthPortSet;
}
interface TruthLldp {
  local_ifindex: number;
  chassisIdSubtype: string;
  chassisId: string;
  portIdSubtype: string;
  portId: string;
  portDesc: string;
  sysName: string;
  sysDesc: string;
  managementAddresses: { subtype: number; address: string }[];
}
interface Truth {
  sysName: string | null;
  sysDescr: string | null;
  sysObjectID: string | null;
  interfaces: Record<string, TruthInterface>;
  ipv4: { address: string; ifIndex: number; netmask: string }[];
  ip_address_mib: { type: string; address: string; ifIndex: number }[];
  pvid: { by_ifIndex: Record<string, number>; unmapped_index_is_ifIndex: Record<string, number> };
  vlans: Record<string, TruthVlan>;
  lldp: TruthLldp[];
  cdp: { ifIndex: number; deviceId: string; devicePort: string; address: string; platform: string }[];
  fdb: { dot1dTpFdbPort: number; dot1qTpFdbPort: number };
  cisco?: { vmVlan_by_ifIndex: Record<string, number>; vtp_vlans: Record<string, string> };
}

// ---- scoring ----
interface Score {
  matched: number;
  total: number;
  misses: string[];
}
const CATEGORIES = ['system', 'interfaces', 'ipv4', 'pvid', 'vlans', 'lldp', 'cdp', 'fdb'] as const;
type Category = (typeof CATEGORIES)[number];

/** Compares keyed expectations with keyed results; a result nobody expected counts as a miss too. */
function score<T>(expected: Map<string, T>, actual: Map<string, T>): Score {
  const result: Score = { matched: 0, total: 0, misses: [] };
  for (const [key, want] of expected) {
    result.total++;
    const got = actual.get(key);
    if (JSON.stringify(got) === JSON.stringify(want)) result.matched++;
    else result.misses.push(`${key}: expected ${JSON.stringify(want)} got ${JSON.stringify(got)}`);
  }
  for (const [key, got] of actual) {
    if (expected.has(key)) continue;
    result.total++;
    result.misses.push(`${key}: unexpected ${JSON.stringify(got)}`);
  }
  return result;
}

// The truth states what the agent served; these are the documented reading rules applied to it.
const text = (value: string | null | undefined): string | null => (value?.trim() ? value.trim() : null);
const mac = (value: string | null): string | null => (value ? parseMacText(value) : null);
const STATUS: Record<string, number> = {
  up: 1,
  down: 2,
  testing: 3,
  unknown: 4,
  dormant: 5,
  notPresent: 6,
  lowerLayerDown: 7,
};
const status = (value: string | null): number | null => (value === null ? null : (STATUS[value] ?? null));
const sortedNumbers = (values: Iterable<number>): number[] => [...values].sort((a, b) => a - b);

function compareRecording(
  truth: Truth,
  system: ReturnType<typeof readSystem>,
  walks: SnmpDeviceWalks,
  cdpPlatforms: Map<string, string | null>,
): Record<Category, Score> {
  const ok = <T>(outcome: { ok: true; value: T } | { ok: false; error: string } | undefined, fallback: T): T =>
    outcome?.ok ? outcome.value : fallback;

  const systemScore = score(
    new Map<string, string | null>([
      ['sysName', text(truth.sysName)],
      ['sysDescr', text(truth.sysDescr)],
      ['sysObjectID', truth.sysObjectID?.replace(/^\./, '') ?? null],
    ]),
    new Map<string, string | null>([
      ['sysName', system.sysName],
      ['sysDescr', system.sysDescr],
      ['sysObjectID', system.sysObjectId],
    ]),
  );

  const interfaces = ok(walks.interfaces, []);
  const interfaceScore = score(
    new Map(
      Object.entries(truth.interfaces).map(([ifIndex, row]) => [
        ifIndex,
        {
          name: text(row.ifName),
          descr: text(row.ifDescr),
          alias: text(row.ifAlias),
          mac: mac(row.ifPhysAddress),
          adminStatus: status(row.adminStatus),
          operStatus: status(row.operStatus),
          mtu: row.ifMtu,
          speedBps: row.speed_bps,
        },
      ]),
    ),
    new Map(interfaces.map(({ ifIndex, ...rest }) => [String(ifIndex), rest])),
  );

  const canonicalIp = (address: string): string =>
    address.includes(':') ? bigIntToIpv6(ipv6ToBigInt(address)) : address;
  const addresses = ok(walks.addresses, []);
  const ipScore = score(
    new Map<string, number | null | 'present'>([
      ...truth.ipv4.map((row) => [`${row.ifIndex}|${row.address}`, maskToPrefixLength(row.netmask)] as const),
      // ipAddressTable rows: the truth records no prefix for them, so only presence is compared.
      ...truth.ip_address_mib.map((row) => [`${row.ifIndex}|${canonicalIp(row.address)}`, 'present'] as const),
    ]),
    new Map<string, number | null | 'present'>(
      addresses.map((row) => {
        const fromIpv4Table = truth.ipv4.some((entry) => entry.address === row.ip && entry.ifIndex === row.ifIndex);
        return [`${row.ifIndex}|${row.ip}`, fromIpv4Table ? row.prefixLength : 'present'] as const;
      }),
    ),
  );

  // Q-BRIDGE absent and Cisco's vmVlan present: the access VLAN is the PVID (and the untagged VLAN).
  const cisco =
    Object.keys(truth.vlans).length === 0 && Object.keys(truth.pvid.by_ifIndex).length === 0 && truth.cisco
      ? truth.cisco
      : undefined;
  const expectedPvids = new Map<string, number>(
    Object.entries(
      cisco ? cisco.vmVlan_by_ifIndex : { ...truth.pvid.by_ifIndex, ...truth.pvid.unmapped_index_is_ifIndex },
    )
      // PVID 0 means "none": it is not a VLAN.
      .filter(([, vlanId]) => vlanId > 0),
  );
  const vlanReport = ok(walks.vlans, { vlans: [], memberships: [] });
  const pvidScore = score(
    expectedPvids,
    new Map(
      vlanReport.memberships
        .filter((entry) => entry.role === 'pvid')
        .map((entry) => [String(entry.ifIndex), entry.vlanId]),
    ),
  );

  const expectedVlans = new Map<string, { name: string | null; tagged: number[]; untagged: number[] }>();
  if (cisco) {
    for (const [vlanId, name] of Object.entries(cisco.vtp_vlans))
      expectedVlans.set(vlanId, { name: text(name), tagged: [], untagged: [] });
  } else {
    for (const [vlanId, vlan] of Object.entries(truth.vlans)) {
      const untagged = new Set(vlan.current_untagged?.ifIndexes ?? []);
      const tagged = (vlan.current_egress?.ifIndexes ?? []).filter((ifIndex) => !untagged.has(ifIndex));
      expectedVlans.set(vlanId, {
        name: text(vlan.name),
        tagged: sortedNumbers(tagged),
        untagged: sortedNumbers(untagged),
      });
    }
  }
  // A VLAN in use as a PVID exists on the device even when no VLAN table lists it.
  for (const [ifIndex, vlanId] of expectedPvids) {
    const entry = expectedVlans.get(String(vlanId)) ?? { name: null, tagged: [], untagged: [] };
    if (cisco) entry.untagged = sortedNumbers(new Set([...entry.untagged, Number(ifIndex)]));
    expectedVlans.set(String(vlanId), entry);
  }
  const actualVlans = new Map(
    vlanReport.vlans.map((vlan) => {
      const members = (role: string) =>
        sortedNumbers(
          vlanReport.memberships
            .filter((entry) => entry.vlanId === vlan.vlanId && entry.role === role)
            .map((entry) => entry.ifIndex),
        );
      return [String(vlan.vlanId), { name: vlan.name, tagged: members('tagged'), untagged: members('untagged') }];
    }),
  );
  const vlanScore = score(expectedVlans, actualVlans);

  const lldpKey = (localIfIndex: number | null, chassisId: string | null) => `${localIfIndex}|${chassisId}`;
  const lldpScore = score(
    new Map(
      truth.lldp.map((row) => {
        const management = row.managementAddresses.map((entry) => entry.address).filter(isIdentityAddress);
        const chassisIp =
          row.chassisIdSubtype === 'networkAddress' && isIdentityAddress(row.chassisId) ? row.chassisId : null;
        return [
          lldpKey(row.local_ifindex, row.chassisId),
          {
            remoteChassisMac: row.chassisIdSubtype === 'networkAddress' ? null : mac(row.chassisId),
            remoteSysName: text(row.sysName),
            remoteSysDescr: text(row.sysDesc),
            remotePortId: text(row.portId),
            remotePortDescr: text(row.portDesc),
            remotePortMac: row.portIdSubtype === 'macAddress' ? mac(row.portId) : null,
            remoteManagementIp: management.find((ip) => !ip.includes(':')) ?? management[0] ?? chassisIp,
          },
        ];
      }),
    ),
    new Map(
      ok(walks.lldp, [] as NeighbourSighting[]).map((row) => [
        lldpKey(row.localIfIndex, row.remoteChassisId),
        {
          remoteChassisMac: row.remoteChassisMac,
          remoteSysName: row.remoteSysName,
          remoteSysDescr: row.remoteSysDescr,
          remotePortId: row.remotePortId,
          remotePortDescr: row.remotePortDescr,
          remotePortMac: row.remotePortMac,
          remoteManagementIp: row.remoteManagementIp,
        },
      ]),
    ),
  );

  const cdpKey = (localIfIndex: number | null, deviceId: string | null) => `${localIfIndex}|${deviceId}`;
  const cdpScore = score(
    new Map(
      truth.cdp.map((row) => [
        cdpKey(row.ifIndex, row.deviceId),
        {
          remotePortId: text(row.devicePort),
          remoteManagementIp: isIdentityAddress(row.address) ? row.address : null,
          platform: text(row.platform),
        },
      ]),
    ),
    new Map(
      ok(walks.cdp, [] as NeighbourSighting[]).map((row) => [
        cdpKey(row.localIfIndex, row.remoteChassisId),
        {
          remotePortId: row.remotePortId,
          remoteManagementIp: row.remoteManagementIp,
          platform: cdpPlatforms.get(cdpKey(row.localIfIndex, row.remoteChassisId)) ?? null,
        },
      ]),
    ),
  );

  const fdbScore = score(
    new Map([['entries', truth.fdb.dot1qTpFdbPort > 0 ? truth.fdb.dot1qTpFdbPort : truth.fdb.dot1dTpFdbPort]]),
    new Map([['entries', ok(walks.fdb, []).length]]),
  );

  return {
    system: systemScore,
    interfaces: interfaceScore,
    ipv4: ipScore,
    pvid: pvidScore,
    vlans: vlanScore,
    lldp: lldpScore,
    cdp: cdpScore,
    fdb: fdbScore,
  };
}

const recordings = corpusAbsent ? [] : listRecordings(CORPUS);

if (corpusAbsent) {
  // Issue 10: without the recordings this skips with the reason, marked as the one skip CI accepts.
  process.stderr.write(`\n[roller tests] SNMP corpus reader test skipped: ${corpusAbsent}\n`);
  describe.skip('SNMP corpus recordings against their truth files [needs external data]', () => {
    it(`needs the recordings: ${corpusAbsent}`, () => {});
  });
} else {
  describe('SNMP corpus recordings against their truth files', () => {
    it('has recordings to compare', () => {
      expect(recordings.length).toBeGreaterThan(0);
    });

    it('matches every category of every recording', async () => {
      const table: string[] = [];
      const misses: string[] = [];
      table.push(['recording'.padEnd(14), ...CATEGORIES.map((category) => category.padStart(11))].join(''));
      for (const name of recordings) {
        const session = new MemorySession(readFileSync(join(CORPUS, `${name}.snmprec`), 'utf8'));
        const truth = JSON.parse(readFileSync(join(CORPUS, `${name}.truth.json`), 'utf8')) as Truth;
        const system = readSystem(await session.get(SYSTEM_OIDS));
        const walks = await readSnmpDevice(session, { lldp: true, cdp: true });
        const cdpWalked = new Map(
          await Promise.all(
            CDP_COLUMNS.map(
              async (column) => [column, { ok: true as const, value: await session.walk(column) }] as const,
            ),
          ),
        );
        const cdpRows = readCdpRows(cdpWalked);
        const platforms = new Map(
          (cdpRows.ok ? cdpRows.value : []).map((row) => [`${row.localIfIndex}|${row.deviceId}`, row.platform]),
        );
        const scores = compareRecording(truth, system, walks, platforms);
        table.push(
          [
            name.padEnd(14),
            ...CATEGORIES.map((category) => `${scores[category].matched}/${scores[category].total}`.padStart(11)),
          ].join(''),
        );
        for (const category of CATEGORIES) {
          for (const miss of scores[category].misses.slice(0, 5)) misses.push(`${name} ${category} ${miss}`);
        }
        session.close();
      }
      process.stdout.write(`\n[snmp corpus] matched/total per category\n${table.join('\n')}\n`);
      if (misses.length > 0) process.stdout.write(`[snmp corpus] mismatches:\n${misses.join('\n')}\n`);
      expect(misses).toEqual([]);
    });
  });
}
