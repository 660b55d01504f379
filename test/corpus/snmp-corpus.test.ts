// The SNMP corpus end to end: every recording of ../shared/snmp-corpus (real devices, see its README)
// served by snmpsimd on its own loopback address (127.0.91.N, port 161), ONE `roller core` with an
// embedded database and ONE discovery run with SNMP and topology over those addresses, then each
// device's facts read back through the API and compared with the recording's .truth.json per category
// (readers + storage + API together). Also: seven recordings stay seven devices, whatever loopback,
// unspecified or redacted values they share.
//
// Without the corpus the suite does not run (a fresh machine elsewhere has none): it prints why, and
// its one test only confirms the corpus is absent, so CI=true does not count a skip as a failure.
// With the corpus but without root/snmpsimd it is skipped with the reason, and fails under CI=true.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseMacText } from '../../src/discovery/snmp/varbind.decode.ts';
import { isIdentityAddress } from '../../src/shared/ip-math.ts';
import { killAllRollers, registerProcessCleanup } from '../support/process.ts';
import { IN_CI } from '../support/test-env.ts';
import {
  type CorpusAgent,
  corpusDir,
  corpusMissing,
  listRecordings,
  snmpsimMissing,
  startCorpusAgents,
  stopCorpusAgents,
} from './corpus-agents.ts';
import {
  type ApiDeviceView,
  CATEGORIES,
  type Category,
  canonicalIp,
  compareDevice,
  type Score,
  type Truth,
} from './corpus-compare.ts';
import { type CorpusRun, runCorpusDiscovery } from './corpus-run.ts';

const SUBNET = '127.0.91';
const ALLOWLIST = `${SUBNET}.0/24`;
const CORPUS = corpusDir();
const noCorpus = corpusMissing(CORPUS);
const noAgents = noCorpus ? null : snmpsimMissing();
const recordings = noCorpus ? [] : listRecordings(CORPUS).slice(0, 254);
const addressOf = (index: number): string => `${SUBNET}.${index + 1}`;

if (noCorpus) process.stderr.write(`\n[roller tests] SNMP corpus suite skipped: ${noCorpus}\n`);
else if (noAgents && !IN_CI) process.stderr.write(`\n[roller tests] SNMP corpus suite skipped: ${noAgents}\n`);

interface Loaded {
  name: string;
  address: string;
  truth: Truth;
  recording: string;
  device: ApiDeviceView & { id: string };
  scores: Record<Category, Score>;
}

if (noCorpus) {
  // Issue 10: a machine without the recordings skips with the reason; the title carries the mark
  // scripts/run-tests.mjs accepts as the one legitimate skip under CI.
  process.stderr.write(`\n[roller tests] SNMP corpus suite skipped: ${noCorpus}\n`);
  describe.skip('SNMP corpus end to end [needs external data]', () => {
    it(`needs the recordings: ${noCorpus}`, () => {});
  });
} else if (noAgents && IN_CI) {
  describe('SNMP corpus end to end', () => {
    it('can serve the corpus (CI=true requires root and snmpsimd)', () => {
      throw new Error(noAgents);
    });
  });
} else {
  describe.skipIf(noAgents !== null)('SNMP corpus end to end (snmpsimd → roller core → API)', () => {
    registerProcessCleanup();
    let agents: CorpusAgent[] = [];
    let result: CorpusRun;
    const loaded: Loaded[] = [];
    const views = new Map<string, ApiDeviceView & { id: string }>();

    beforeAll(async () => {
      agents = await startCorpusAgents(
        recordings,
        recordings.map((_, index) => addressOf(index)),
        CORPUS,
      );
      result = await runCorpusDiscovery(agents, { allowlist: ALLOWLIST });
      // Everything is read; the core is not needed any more.
      await result.core.kill();
      for (const device of result.devices) views.set(device.id, device);
      for (const [index, name] of recordings.entries()) {
        const address = addressOf(index);
        const device = result.devices.find((entry) => entry.facts.snmp?.address === address);
        if (!device) continue;
        const truth = JSON.parse(readFileSync(join(CORPUS, `${name}.truth.json`), 'utf8')) as Truth;
        const recording = readFileSync(join(CORPUS, `${name}.snmprec`), 'utf8');
        loaded.push({
          name,
          address,
          truth,
          recording,
          device,
          scores: compareDevice(truth, recording, device, views),
        });
      }
    }, 420_000);

    afterAll(async () => {
      await killAllRollers();
      await stopCorpusAgents(agents);
    }, 60_000);

    it('completes one discovery run with SNMP and topology over every recording', () => {
      const enrichment = result.run.stats.enrichment as Record<string, number>;
      const stageMs = result.run.stats.stage_ms as Record<string, number>;
      process.stdout.write(
        `\n[snmp corpus e2e] run ${result.run.status} in ${Math.round(result.clientMs)} ms (enrichment ${stageMs?.enrichment} ms): ${JSON.stringify(enrichment)}\n`,
      );
      expect(result.run.status, JSON.stringify(result.run)).toBe('succeeded');
      expect(enrichment).toMatchObject({ targets: recordings.length, snmp_ok: recordings.length, snmp_failed: 0 });
      expect(enrichment.walk_failures).toBe(0);
      expect(loaded.map((entry) => entry.name)).toEqual(recordings);
    });

    it('shows every recording through the API as its truth file says (table per recording and category)', () => {
      const width = Math.max(14, ...recordings.map((name) => name.length + 2));
      const lines = [['recording'.padEnd(width), ...CATEGORIES.map((category) => category.padStart(11))].join('')];
      const misses: string[] = [];
      for (const entry of loaded) {
        lines.push(
          [
            entry.name.padEnd(width),
            ...CATEGORIES.map((category) =>
              `${entry.scores[category].matched}/${entry.scores[category].total}`.padStart(11),
            ),
          ].join(''),
        );
        for (const category of CATEGORIES) {
          for (const miss of entry.scores[category].misses.slice(0, 8))
            misses.push(`${entry.name} ${category} ${miss}`);
        }
      }
      process.stdout.write(`\n[snmp corpus e2e] facts matched/total per recording and category\n${lines.join('\n')}\n`);
      if (misses.length > 0) process.stdout.write(`[snmp corpus e2e] mismatches:\n${misses.join('\n')}\n`);
      expect(loaded.length).toBe(recordings.length);
    });

    for (const name of recordings) {
      it(`${name}: 100% in every category`, () => {
        const entry = loaded.find((row) => row.name === name);
        expect(entry, `no device answered SNMP for ${name}`).toBeDefined();
        const incomplete = CATEGORIES.filter(
          (category) => (entry as Loaded).scores[category].matched !== (entry as Loaded).scores[category].total,
        ).map((category) => ({ category, misses: (entry as Loaded).scores[category].misses.slice(0, 20) }));
        expect(incomplete).toEqual([]);
      });
    }

    it('keeps every recording its own device: one per scanned address, none holding another’s facts', () => {
      const devicesByAddress = recordings.map((_, index) =>
        result.devices.filter((device) => device.facts.ips.some((row) => row.ip === addressOf(index))),
      );
      for (const [index, found] of devicesByAddress.entries()) {
        expect(
          found.map((device) => device.id),
          addressOf(index),
        ).toHaveLength(1);
        expect(found[0]?.facts.snmp?.address).toBe(addressOf(index));
      }
      const ids = devicesByAddress.map((found) => found[0]?.id);
      expect(new Set(ids).size).toBe(recordings.length);
      expect(result.devices.filter((device) => device.facts.snmp?.sys_descr !== undefined)).toHaveLength(
        recordings.length,
      );

      for (const entry of loaded) {
        const facts = entry.device.facts;
        // Its own interfaces, MACs and addresses only.
        const ifIndexes = facts.interfaces.flatMap((row) => (row.ifindex === undefined ? [] : [String(row.ifindex)]));
        expect(ifIndexes.sort(), entry.name).toEqual(Object.keys(entry.truth.interfaces).sort());
        const ownMacs = new Set(facts.interfaces.flatMap((row) => (row.mac ? [row.mac] : [])));
        expect(
          facts.macs.filter((row) => !ownMacs.has(row.mac)),
          entry.name,
        ).toEqual([]);
        const otherAddresses = recordings.map((_, index) => addressOf(index)).filter((ip) => ip !== entry.address);
        expect(
          facts.ips.filter((row) => otherAddresses.includes(row.ip)),
          entry.name,
        ).toEqual([]);
        expect(facts.ips.filter((row) => row.interface_id === undefined).map((row) => row.ip)).toEqual([entry.address]);
      }
    });

    it('never merges devices on addresses or names that say nothing about identity', () => {
      const addressesOf = (truth: Truth): string[] => [
        ...truth.ipv4.map((row) => row.address),
        ...truth.ip_address_mib.map((row) => canonicalIp(row.address)),
      ];
      const nonIdentity = new Set(
        loaded.flatMap((entry) => addressesOf(entry.truth)).filter((ip) => !isIdentityAddress(ip)),
      );
      // 127.0.0.1, 0.0.0.0, ::1, …: each device that reports one keeps it on its own interface.
      for (const address of nonIdentity) {
        const reporting = loaded.filter((entry) => addressesOf(entry.truth).includes(address));
        const holders = result.devices.filter((device) => device.facts.ips.some((row) => row.ip === address));
        expect(holders.map((device) => device.id).sort(), address).toEqual(
          reporting.map((entry) => entry.device.id).sort(),
        );
        for (const holder of holders) {
          expect(holder.facts.ips.find((row) => row.ip === address)?.interface_id, address).toBeDefined();
        }
      }
      // A redacted or shared sysName (`<private>`) is not an identity either.
      const bySysName = new Map<string, Loaded[]>();
      for (const entry of loaded) {
        const sysName = entry.truth.sysName?.trim();
        if (sysName) bySysName.set(sysName, [...(bySysName.get(sysName) ?? []), entry]);
      }
      for (const [sysName, sharing] of bySysName) {
        const holders = result.devices.filter((device) => device.facts.snmp?.sys_name === sysName);
        expect(holders, sysName).toHaveLength(sharing.length);
      }
      // Neighbours: one device per chassis identity the truth files name, none carrying an address
      // that identifies nothing (LLDP management address 0.0.0.0).
      // (A chassis MAC that is one of the scanned devices' own MACs names that device, not a new one.)
      const scannedMacs = new Set(
        loaded.flatMap((entry) =>
          Object.values(entry.truth.interfaces).flatMap((row) => parseMacText(row.ifPhysAddress ?? '') ?? []),
        ),
      );
      const identities = new Set<string>();
      for (const entry of loaded) {
        for (const chassis of [
          ...entry.truth.lldp.map((row) => row.chassisId),
          ...entry.truth.cdp.map((row) => row.deviceId),
        ]) {
          if (!scannedMacs.has(parseMacText(chassis) ?? '')) identities.add(chassis.trim().toLowerCase());
        }
      }
      const scanned = new Set(loaded.map((entry) => entry.device.id));
      const neighbours = result.devices.filter((device) => !scanned.has(device.id));
      expect(neighbours).toHaveLength(identities.size);
      for (const neighbour of neighbours) {
        expect(
          neighbour.facts.ips.filter((row) => !isIdentityAddress(row.ip)),
          neighbour.id,
        ).toEqual([]);
        expect(neighbour.facts.links.length, neighbour.id).toBeGreaterThan(0);
      }
    });
  });
}
