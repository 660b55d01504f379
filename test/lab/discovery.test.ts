// Discovery end to end in the network-namespace lab: `roller core` runs inside the scanner namespace (fping,
// arp-scan and the kernel neighbour table of that namespace), the test talks to it over a Unix socket, and
// every expectation (addresses, MACs, who drops ICMP, what sits behind the router) comes from
// lab/topology.json. Same rules as lab.test.ts: needs root, iproute2, fping and arp-scan; skipped with a
// printed reason elsewhere, failed instead of skipped under CI=true. Own prefix (`rld<pid>`), so neither a
// developer's lab (`rl`) nor lab.test.ts (`rlt<pid>`) nor a concurrent run is touched.
//
// How the engine finds presence (src/discovery/presence-stage.ts, docs/discovery.md):
// - targets are the scope's addresses less the network and broadcast addresses of prefixes /30 and wider
//   (`scope_targets` still counts the whole scope);
// - the scanner's own addresses are recorded without probing, with the MAC of its own interface, so the
//   scanner is a device like any other;
// - targets on the scanner's segments are tested by arp-scan alone (ARP is the liveness test on-link);
//   targets off them (routed) are pinged by fping, concurrently. The expectations below follow from that.
import { spawnSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  checkPrerequisites,
  cidrContains,
  exec,
  type LabAddress,
  labDown,
  labUp,
  loadTopology,
  nsName,
  parseCidr,
  reapStaleLabs,
} from '../../lab/lab.mjs';
import { openPglite } from '../../src/storage/database.ts';
import {
  type ApiDevice,
  type ApiFacts,
  type ApiRun,
  LabCore,
  namespaceProcesses,
  timestampMs,
} from '../support/lab-core.ts';
import { IN_CI } from '../support/test-env.ts';

const PREFIX = `rld${(process.pid % 46_656).toString(36)}`;
const topology = loadTopology();
const scanner = topology.scanner;
const SCAN = nsName(scanner.name, PREFIX);

const mainSegment = topology.segments.find((segment) => segment.name === scanner.segment);
if (!mainSegment) throw new Error(`topology: the scanner's segment ${scanner.segment} is not defined`);
const MAIN_SCOPE = mainSegment.cidr;
const OTHER_SCOPES = topology.segments.filter((segment) => segment !== mainSegment).map((segment) => segment.cidr);
const BOTH_SCOPES = [MAIN_SCOPE, ...OTHER_SCOPES].join(', ');

/** Everything a scan from the scanner can see: every interface of every other node. */
const targets = topology.addresses.filter((address) => address.node !== scanner.name);
const onSegment = targets.filter((address) => address.segment === scanner.segment);
const behindRouter = targets.filter((address) => address.segment !== scanner.segment);
/** Hosts on the scanner's segment that answer ICMP and have nothing else running: safe to re-address. */
const plainHosts = onSegment.filter(
  (address) =>
    address.role === 'host' &&
    address.icmp &&
    (topology.nodes.find((node) => node.name === address.node)?.services.length ?? 1) === 0,
);

/** The scanner's own interfaces, and the segments it sits on (its local segments: ARP there, ping elsewhere). */
const scannerAddresses = topology.addresses.filter((address) => address.node === scanner.name);
const scannerInterface = scanner.interfaces.find((entry) => entry.segment === scanner.segment);
if (!scannerInterface) throw new Error(`topology: the scanner has no interface on ${scanner.segment}`);
const localScopes = topology.segments
  .filter((segment) => scannerAddresses.some((address) => address.segment === segment.name))
  .map((segment) => segment.cidr);
const routedScopes = OTHER_SCOPES.filter((cidr) => !localScopes.includes(cidr));

/** Addresses a sweep of `cidr` probes: all but the network and broadcast addresses (/30 and wider). */
function sweepSize(cidr: string): number {
  const { size, prefixLength } = parseCidr(cidr);
  return prefixLength <= 30 ? size - 2 : size;
}
/** Addresses of `cidrs` the engine probes: the swept ones less the scanner's own (recorded without probing). */
function probedIn(cidrs: readonly string[]): number {
  const own = scannerAddresses.filter((address) => cidrs.some((cidr) => cidrContains(cidr, address.ip)));
  return cidrs.reduce((sum, cidr) => sum + sweepSize(cidr), 0) - own.length;
}
/** `stats.arp_source`, and its log line. */
const ARP_SOURCE = `arp-scan on ${scannerInterface.name}`;
const ARP_SOURCE_LINE = `arp source: ${ARP_SOURCE}`;
/** The presence stage's own log lines, in the order it writes them. */
const SWEEP_LINE = /^(liveness|arp sweep|ping sweep|tcp sweep|arp source):/;

const sorted = (values: readonly string[]): string[] => [...values].sort();
/** A device as a comparable string: its IPs and MACs. */
const shapeOf = (ips: readonly string[], macs: readonly string[]): string =>
  `ips=${sorted(ips).join(',')} macs=${sorted(macs).join(',')}`;
const shapeOfFacts = (facts: ApiFacts): string =>
  shapeOf(
    facts.ips.map((fact) => fact.ip),
    facts.macs.map((fact) => fact.mac),
  );

/** Devices a run over the main segment must produce: each on-segment address with its MAC, and the scanner. */
const expectedMain = [
  ...onSegment.map((address) => shapeOf([address.ip], [address.mac])),
  shapeOf([scanner.ip], [scanner.mac]),
];
/** Behind the router only ICMP answers: one MAC-less device per answering address. */
const expectedRouted = behindRouter.filter((address) => address.icmp).map((address) => shapeOf([address.ip], []));

function intToIp(value: number): string {
  return [24, 16, 8, 0].map((shift) => Math.floor(value / 2 ** shift) % 256).join('.');
}
/** The highest host address of the main segment that no node uses (never hard-coded). */
function freeAddress(): string {
  const { base, size } = parseCidr(MAIN_SCOPE);
  const used = new Set(topology.addresses.map((address) => address.ip));
  for (let value = base + size - 2; value > base; value--) {
    if (!used.has(intToIp(value))) return intToIp(value);
  }
  throw new Error(`no free address in ${MAIN_SCOPE}`);
}
/** A locally administered unicast MAC that the topology does not use, derived from `mac`. */
function freeMac(mac: string): string {
  const used = new Set(topology.addresses.map((address) => address.mac));
  for (let octet = 0xff; octet > 0; octet--) {
    const parts = mac.split(':');
    parts[3] = octet.toString(16).padStart(2, '0');
    const candidate = parts.join(':');
    if (!used.has(candidate)) return candidate;
  }
  throw new Error(`no free MAC derived from ${mac}`);
}

const TOOLS = { fping: ['-v'], 'arp-scan': ['--version'] } as const;

async function whyNot(): Promise<string | null> {
  const check = await checkPrerequisites();
  if (!check.ok) return check.reason;
  const missing = Object.entries(TOOLS)
    .filter(([tool, args]) => spawnSync(tool, [...args], { stdio: 'ignore' }).error)
    .map(([tool]) => tool);
  if (missing.length > 0) return `missing ${missing.join(', ')} (apt-get install -y fping arp-scan)`;
  if (plainHosts.length < 2) return 'the topology needs two plain hosts (ICMP, no services) on the scanner segment';
  return null;
}

const reason = await whyNot();
if (reason && !IN_CI) process.stderr.write(`\n[roller tests] lab discovery tests skipped: ${reason}\n`);

async function labExec(node: string, argv: string[]): Promise<void> {
  const result = await exec(nsName(node, PREFIX), argv, { timeoutMs: 5000 });
  if (result.code !== 0) throw new Error(`${node}: ${argv.join(' ')} failed (${result.code}): ${result.stderr}`);
}

if (reason && IN_CI) {
  describe('discovery in the network-namespace lab', () => {
    it('can run (CI=true requires root, iproute2, fping and arp-scan)', () => {
      throw new Error(`lab discovery tests cannot run under CI=true: ${reason}`);
    });
  });
} else {
  describe.skipIf(reason !== null)('discovery in the network-namespace lab', () => {
    /** The core every scan runs on (default settings). */
    let core: LabCore;
    /** A second core with DISCOVERY_RUN_DELAY=10s and DISCOVERY_MAX_RUNTIME=1s, for cancel and budget. */
    let slowCore: Promise<LabCore>;
    const cores: Promise<LabCore | undefined>[] = [];
    /** Successful runs over the main scope, with their device and fact counts, for the observation check. */
    const foldedRuns: { id: string; ips: number; macs: number }[] = [];
    /** Device id by MAC after the first run. */
    const deviceByMac = new Map<string, string>();

    async function inventoryShapes(): Promise<string[]> {
      return sorted((await core.inventory()).map((device) => shapeOfFacts(device.facts)));
    }

    async function expectOnlyCores(): Promise<void> {
      const live = (await Promise.all(cores)).filter((entry): entry is LabCore => entry?.running === true);
      const processes = await namespaceProcesses(SCAN);
      // A live core may have one more child that is not a probe: tsx's transform service (`esbuild --service`),
      // started when tsx's cache (/tmp/tsx-<uid>) misses a source file, e.g. right after an edit, and kept for
      // the life of the core. Anything else, fping and arp-scan included, must be gone.
      const isCore = (pid: number): boolean => live.some((c) => c.pid === pid);
      expect(
        processes.filter((entry) => !isCore(entry.pid) && !(entry.comm === 'esbuild' && isCore(entry.ppid))),
        `processes left in ${SCAN}`,
      ).toEqual([]);
    }

    beforeAll(async () => {
      await reapStaleLabs('rld');
      const lab = await labUp({ prefix: PREFIX, ownerPid: process.pid });
      process.stdout.write(`[lab ${PREFIX}] up ${JSON.stringify(lab.timings)}\n`);
      // Default settings, except the API's run rate limit (10 a minute), which this file could reach.
      const started = LabCore.start({ namespace: SCAN, name: 'core', env: { DISCOVERY_RUN_RATE_LIMIT: '1000' } });
      cores.push(started.catch(() => undefined));
      core = await started;
      process.stdout.write(`[lab ${PREFIX}] core ready in ${Math.round(core.readyMs ?? 0)} ms\n`);
      // The second core starts while the first one's runs wait on the network; only cancel/budget await it.
      slowCore = LabCore.start({
        namespace: SCAN,
        name: 'slow core',
        env: { DISCOVERY_RUN_DELAY: '10s', DISCOVERY_MAX_RUNTIME: '1s' },
      });
      cores.push(slowCore.catch(() => undefined));
    });

    afterAll(async () => {
      await Promise.all(cores.map(async (entry) => (await entry)?.dispose()));
      // down kills whatever is still running in the namespaces, cores included.
      await labDown({ prefix: PREFIX });
    });

    it('a run over the main segment finds exactly its hosts with their MACs (ARP finds the ICMP-dropping one)', async () => {
      const run = await core.runDiscovery({ scope: MAIN_SCOPE });
      expect(run.status, JSON.stringify(run)).toBe('succeeded');
      const silent = onSegment.filter((address) => !address.icmp);
      expect(silent.length).toBeGreaterThan(0);
      // The whole segment is local: arp-scan alone tests it, nothing is pinged.
      const arpAttempted = probedIn([MAIN_SCOPE]);
      expect(run.stats).toMatchObject({
        liveness_method: 'arp',
        scope_targets: parseCidr(MAIN_SCOPE).size,
        arp_attempted: arpAttempted,
        // Every other node on the segment answers ARP, the ICMP-dropping one included.
        arp_answered: onSegment.length,
        ping_attempted: 0,
        ping_succeeded: 0,
        arp_source: ARP_SOURCE,
        // Every device has a MAC: the hosts from arp-scan, the scanner from its own interface.
        arp_entries: expectedMain.length,
        hosts_without_mac: 0,
        devices_created: expectedMain.length,
        devices_seen: expectedMain.length,
        ip_moves: 0,
      });
      const logs = (await core.runLogs(run.id)).map((line) => line.message);
      const sweepLines = logs.filter((line) => SWEEP_LINE.test(line));
      expect(sweepLines).toEqual([
        `arp sweep: attempted=${arpAttempted} answered=${onSegment.length}`,
        ARP_SOURCE_LINE,
      ]);
      const scopeLine = `scope targets: ${parseCidr(MAIN_SCOPE).size} (max=`;
      expect(logs.filter((line) => line.startsWith(scopeLine))).toHaveLength(1);
      expect(logs.at(-1)).toBe('discovery run completed');

      expect(await inventoryShapes()).toEqual(sorted(expectedMain));
      for (const device of await core.inventory()) {
        for (const mac of device.facts.macs) deviceByMac.set(mac.mac, device.id);
      }
      foldedRuns.push({ id: run.id, ips: expectedMain.length, macs: expectedMain.length });
    });

    it('a run over both scopes also finds the routed hosts, by IP only and without a MAC', async () => {
      expect(expectedRouted.length).toBeGreaterThan(0);
      const run = await core.runDiscovery({ scope: BOTH_SCOPES });
      expect(run.status, JSON.stringify(run)).toBe('succeeded');
      // arp-scan on the scanner's segment and fping for the routed scopes, at the same time.
      const arpAttempted = probedIn(localScopes);
      const pingAttempted = probedIn(routedScopes);
      expect(routedScopes.length).toBeGreaterThan(0);
      expect(run.stats).toMatchObject({
        liveness_method: 'fping',
        scope_targets: [MAIN_SCOPE, ...OTHER_SCOPES].reduce((sum, cidr) => sum + parseCidr(cidr).size, 0),
        arp_attempted: arpAttempted,
        arp_answered: onSegment.length,
        ping_attempted: pingAttempted,
        ping_succeeded: expectedRouted.length,
        arp_source: ARP_SOURCE,
        devices_created: expectedRouted.length,
        devices_seen: expectedMain.length + expectedRouted.length,
        arp_entries: expectedMain.length,
        hosts_without_mac: expectedRouted.length,
        ip_moves: 0,
      });
      const logs = (await core.runLogs(run.id)).map((line) => line.message);
      const sweepLines = logs.filter((line) => SWEEP_LINE.test(line));
      expect(sweepLines).toEqual([
        `liveness: fping (raw ICMP, one process) for ${pingAttempted} targets`,
        `arp sweep: attempted=${arpAttempted} answered=${onSegment.length}`,
        `ping sweep: attempted=${pingAttempted} succeeded=${expectedRouted.length}`,
        ARP_SOURCE_LINE,
      ]);
      const inventory = await core.inventory();
      expect(sorted(inventory.map((device) => shapeOfFacts(device.facts)))).toEqual(
        sorted([...expectedMain, ...expectedRouted]),
      );
      // The MACs behind the router never reach the scanner.
      const macs = new Set(inventory.flatMap((device) => device.facts.macs.map((fact) => fact.mac)));
      for (const address of behindRouter) expect(macs.has(address.mac), address.mac).toBe(false);
      // The main segment's devices are the same ones as before.
      for (const address of onSegment) {
        const device = inventory.find((entry) => entry.facts.macs.some((fact) => fact.mac === address.mac));
        expect(device?.id, address.mac).toBe(deviceByMac.get(address.mac));
      }
      foldedRuns.push({
        id: run.id,
        ips: expectedMain.length + expectedRouted.length,
        macs: expectedMain.length,
      });
    });

    it('a second run creates no duplicates, and records the devices as seen again', async () => {
      const before = await core.inventory();
      const run = await core.runDiscovery({ scope: MAIN_SCOPE });
      expect(run.status, JSON.stringify(run)).toBe('succeeded');
      expect(run.stats).toMatchObject({
        liveness_method: 'arp',
        arp_answered: onSegment.length,
        devices_created: 0,
        devices_seen: expectedMain.length,
        ip_moves: 0,
      });
      const after = await core.inventory();
      expect(sorted(after.map((device) => device.id))).toEqual(sorted(before.map((device) => device.id)));
      expect(sorted(after.map((device) => shapeOfFacts(device.facts)))).toEqual(
        sorted([...expectedMain, ...expectedRouted]),
      );
      // Facts seen by this run were touched by it (and the device's last_seen_at with them); devices outside
      // its scope were not.
      const startedAt = timestampMs(run.started_at ?? '');
      const inMain = new Set([...onSegment.map((address) => address.ip), scanner.ip]);
      for (const device of after) {
        const seen = device.facts.ips.some((fact) => inMain.has(fact.ip));
        for (const fact of device.facts.ips) {
          expect(timestampMs(fact.updated_at) >= startedAt, `${fact.ip} touched by the second run`).toBe(seen);
        }
        if (seen) expect(timestampMs(device.last_seen_at ?? '')).toBeGreaterThanOrEqual(startedAt);
      }
      foldedRuns.push({ id: run.id, ips: expectedMain.length, macs: expectedMain.length });
    });

    describe('a host that changes its IP', () => {
      const host = plainHosts[0] as LabAddress;
      const segment = mainSegment;
      const newIp = freeAddress();
      let run: ApiRun;

      beforeAll(async () => {
        await labExec(host.node, ['ip', 'addr', 'del', `${host.ip}/${segment.prefixLength}`, 'dev', host.interface]);
        await labExec(host.node, ['ip', 'addr', 'add', `${newIp}/${segment.prefixLength}`, 'dev', host.interface]);
        run = await core.runDiscovery({ scope: MAIN_SCOPE });
      });

      afterAll(async () => {
        await labExec(host.node, ['ip', 'addr', 'flush', 'dev', host.interface]);
        await labExec(host.node, ['ip', 'addr', 'add', `${host.ip}/${segment.prefixLength}`, 'dev', host.interface]);
      });

      it('keeps its device: the same device id now lists the new IP (MAC identity wins)', async () => {
        expect(run.status, JSON.stringify(run)).toBe('succeeded');
        // The host answers ARP on its new address; the old one is silent.
        expect(run.stats).toMatchObject({
          arp_answered: onSegment.length,
          devices_created: 0,
          devices_seen: expectedMain.length,
          ip_moves: 0,
        });
        const deviceId = deviceByMac.get(host.mac) as string;
        const facts = await core.facts(deviceId);
        expect(facts.ips.map((fact) => fact.ip)).toContain(newIp);
        expect(facts.macs.map((fact) => fact.mac)).toEqual([host.mac]);
        const inventory = await core.inventory();
        expect(inventory.length).toBe(expectedMain.length + expectedRouted.length);
        const owners = inventory.filter((device) => device.facts.ips.some((fact) => fact.ip === newIp));
        expect(owners.map((device) => device.id)).toEqual([deviceId]);
      });

      // The scanner's kernel still holds the old IP → old MAC entry from the previous run; on a segment
      // arp-scan covers, only an ARP answer in this run counts, so the address the host left is not seen.
      it('does not report the IP it left as seen again', async () => {
        const facts = await core.facts(deviceByMac.get(host.mac) as string);
        const old = facts.ips.find((fact) => fact.ip === host.ip);
        expect(old ? timestampMs(old.updated_at) >= timestampMs(run.started_at ?? '') : false).toBe(false);
      });
    });

    describe('a new MAC answering on an IP another device owned', () => {
      const host = plainHosts[1] as LabAddress;
      const newMac = host ? freeMac(host.mac) : ''; // collected (not run) when the suite is skipped
      let run: ApiRun;

      beforeAll(async () => {
        await labExec(host.node, ['ip', 'link', 'set', 'dev', host.interface, 'address', newMac]);
        run = await core.runDiscovery({ scope: MAIN_SCOPE });
      });

      afterAll(async () => {
        await labExec(host.node, ['ip', 'link', 'set', 'dev', host.interface, 'address', host.mac]);
      });

      it('becomes its own device, takes the IP, and the run log records the move', async () => {
        expect(run.status, JSON.stringify(run)).toBe('succeeded');
        expect(run.stats).toMatchObject({ devices_created: 1, ip_moves: 1 });
        const oldId = deviceByMac.get(host.mac) as string;
        const inventory = await core.inventory();
        const fresh = inventory.find((device) => device.facts.macs.some((fact) => fact.mac === newMac));
        expect(fresh, `a device with ${newMac}`).toBeDefined();
        const newId = (fresh as ApiDevice & { facts: ApiFacts }).id;
        expect(newId).not.toBe(oldId);
        expect(shapeOfFacts((fresh as { facts: ApiFacts }).facts)).toBe(shapeOf([host.ip], [newMac]));
        const old = await core.facts(oldId);
        expect(old.macs.map((fact) => fact.mac)).toEqual([host.mac]);
        expect(old.ips.map((fact) => fact.ip)).not.toContain(host.ip);
        const logs = (await core.runLogs(run.id)).map((line) => line.message);
        expect(logs).toContain(`ip ${host.ip} moved from device ${oldId} to device ${newId} (new MAC)`);
      });
    });

    describe('cancel and runtime budget (core with DISCOVERY_RUN_DELAY=10s, DISCOVERY_MAX_RUNTIME=1s)', () => {
      it('POST cancel ends a running run as canceled, and leaves no process behind', async () => {
        const slow = await slowCore;
        // deep's budget is max(configured, 120 s), so only the cancel can end this run early.
        const queued = await slow.enqueueRun({ scope: MAIN_SCOPE, preset: 'deep' });
        await slow.waitForRun(queued.id, { done: (r) => r.status === 'running', limitMs: 10_000 });
        const cancel = await slow.cancelRun(queued.id);
        expect(cancel.cancel_requested_at).toBeDefined();
        const run = await slow.waitForRun(queued.id, { limitMs: 8000 });
        expect(run.status, JSON.stringify(run)).toBe('canceled');
        expect(run.last_error).toBe('requested by operator');
        expect(run.stats.stage).toBe('canceled');
        const logs = (await slow.runLogs(run.id)).map((line) => line.message);
        expect(logs.at(-1)).toBe('discovery run canceled: requested by operator');
        // The heartbeat (2 s) carries the request to the worker; the 10 s delay never ran out.
        expect(timestampMs(run.completed_at ?? '') - timestampMs(run.started_at ?? '')).toBeLessThan(8000);
        await expectOnlyCores();
      });

      it('a run that outlives DISCOVERY_MAX_RUNTIME fails with the runtime-budget reason, leaving no process', async () => {
        const slow = await slowCore;
        const run = await slow.runDiscovery({ scope: MAIN_SCOPE }, 10_000);
        expect(run.status, JSON.stringify(run)).toBe('failed');
        expect(run.last_error).toBe('runtime budget of 1000 ms exceeded');
        expect(run.stats).toMatchObject({ stage: 'failed', runtime_budget_ms: 1000 });
        const took = timestampMs(run.completed_at ?? '') - timestampMs(run.started_at ?? '');
        expect(took).toBeGreaterThanOrEqual(900);
        expect(took).toBeLessThan(5000);
        const logs = (await slow.runLogs(run.id)).map((line) => line.message);
        expect(logs.at(-1)).toBe('discovery run failed: runtime budget of 1000 ms exceeded');
        await expectOnlyCores();
      });

      it('cancel during the sweep kills fping and arp-scan', async () => {
        // On the default core: deep's sweep (1.5 s timeout, 2 retries) runs long enough to be caught mid-way.
        // Both scopes, so that fping (the routed targets) runs next to arp-scan (the scanner's segment).
        const queued = await core.enqueueRun({ scope: BOTH_SCOPES, preset: 'deep' });
        let seen: string[] = [];
        const deadline = performance.now() + 10_000;
        while (performance.now() < deadline) {
          seen = (await namespaceProcesses(SCAN)).map((entry) => entry.comm);
          if (seen.includes('fping') && seen.includes('arp-scan')) break;
          await new Promise((resolve) => setTimeout(resolve, 20));
        }
        expect(seen, 'fping and arp-scan running in the scanner namespace').toEqual(
          expect.arrayContaining(['fping', 'arp-scan']),
        );
        await core.cancelRun(queued.id);
        const run = await core.waitForRun(queued.id, { limitMs: 8000 });
        expect(run.status, JSON.stringify(run)).toBe('canceled');
        expect(run.stats.stage).toBe('canceled');
        await expectOnlyCores();
      });
    });

    it('every run appended its own observation rows (read from the stopped core database)', async () => {
      expect(foldedRuns.length).toBe(3);
      expect((await core.stop()).code).toBe(0);
      const database = await openPglite({ dataDir: core.dataDir });
      try {
        const ips = await database.pglite?.query<{ run_id: string; n: number }>(
          'SELECT run_id::text, count(*)::int AS n FROM ip_observations GROUP BY run_id',
        );
        const macs = await database.pglite?.query<{ run_id: string; n: number }>(
          'SELECT run_id::text, count(*)::int AS n FROM mac_observations GROUP BY run_id',
        );
        const ipRows = new Map(ips?.rows.map((row) => [row.run_id, row.n]));
        const macRows = new Map(macs?.rows.map((row) => [row.run_id, row.n]));
        for (const run of foldedRuns) {
          expect({ run: run.id, ips: ipRows.get(run.id), macs: macRows.get(run.id) }).toEqual({
            run: run.id,
            ips: run.ips,
            macs: run.macs,
          });
        }
      } finally {
        await database.close();
      }
    });
  });
}
