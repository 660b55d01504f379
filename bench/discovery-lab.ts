/**
 * `npx tsx bench/discovery-lab.ts`: discovery speed and recall in the network-namespace lab, next to fping
 * and nmap on the same scope in the same run, plus fold throughput on both storage backends.
 *
 * Lab part (needs root, iproute2, fping, arp-scan, nmap, bash): a lab with its own prefix (`rlb<pid>`),
 * `roller core` inside the scanner namespace (Unix socket, temporary database), and on the main segment:
 *   - Roller runs with the fast and the normal preset: claim → completed (started_at → completed_at),
 *     enqueue → completed (queued_at → completed_at), and POST → final status as seen by the client.
 *     The segment is local to the scanner, so Roller tests it with arp-scan alone (no ping); each run's
 *     stats are checked for that (liveness_method `arp`, nothing pinged, every target ARP-probed);
 *   - arp-scan with Roller's own argv and target list per preset: the one probe Roller runs here;
 *   - `fping -a -q -g -r 0 -t 200 -i 1 <scope>`, and fping with Roller's ping argv per preset on Roller's
 *     target list (what Roller would cost if it pinged this segment, as it pings routed targets);
 *   - `nmap -sn -n <scope>`.
 * Every tool runs inside the scanner namespace (no default route: packets stay in the lab) and is timed
 * there by bash's $EPOCHREALTIME, so `ip netns exec` start-up is not counted. Every node's neighbour table is
 * flushed before each measurement (every tool starts cold); the order of the tools rotates per repetition.
 * Recall is counted against lab/topology.json: the addresses on the scanner's segment, the scanner excluded.
 *
 * Fold part: N synthetic observations (distinct 10.x.y.z IPs and MACs; rows only, no packets) folded through
 * FoldRepository in batches, on a fresh migrated database per repetition: first fold (all new) and second
 * fold (all existing), devices/s. PGlite in a temporary directory; PostgreSQL in a fresh database next to
 * BENCH_POSTGRES_URL (loopback only), dropped afterwards; skipped with the reason when unreachable.
 *
 * Options: --repeat=5 --parts=lab,fold --backends=pglite,postgres --observations=10000 --batch=2000
 * Output: a table and a JSON document on stdout (also bench/results/discovery-<timestamp>.json); progress on
 * stderr.
 */
import { accessSync, constants, mkdirSync, writeFileSync } from 'node:fs';
import { type Kysely, sql } from 'kysely';
import {
  checkPrerequisites,
  exec,
  type LabAddress,
  labDown,
  labUp,
  loadTopology,
  nsName,
  reapStaleLabs,
  run,
} from '../lab/lab.mjs';
import { loadConfig } from '../src/config/config.ts';
import { configuredRunSettings } from '../src/config/run-settings.ts';
import { arpScanArgs, parseArpScan } from '../src/discovery/probes/arp-scan.args.ts';
import { fpingSweepArgs } from '../src/discovery/probes/fping.args.ts';
import type { Observation } from '../src/domain/identity.ts';
import { effectiveSettings, type Preset } from '../src/domain/run-settings.ts';
import { parseScope, sweepTargets } from '../src/domain/scope.ts';
import { FoldRepository } from '../src/storage/fold.repository.ts';
import type { Schema } from '../src/storage/schema.ts';
import { type ApiRun, LabCore, timestampMs } from '../test/support/lab-core.ts';
import { openBenchDatabase, postgresUnavailable, redact } from './backends.ts';
import { machineLoad } from './cpu.ts';
import { type BackendName, machineInfo, parseOptions } from './options.ts';

const RESULTS_DIR = new URL('./results/', import.meta.url);
/** sweep.ts sends one packet per millisecond; fping with "Roller's parameters" uses the same interval. */
const ROLLER_FPING_INTERVAL_MS = 1;
/** presence-stage.ts arpOptions() caps arp-scan's timeout at this (not exported; keep in step). */
const ROLLER_ARP_TIMEOUT_CAP_MS = 250;
const TOOL_LIMIT_MS = 60_000;

interface Options {
  repeat: number;
  parts: Set<'lab' | 'fold'>;
  backends: BackendName[];
  observations: number;
  batch: number;
}

function parseArgs(argv: readonly string[]): Options {
  const flags = new Map<string, string>();
  for (const arg of argv) {
    const match = /^--([a-z]+)=(.+)$/.exec(arg);
    if (!match?.[1] || match[2] === undefined) {
      throw new Error(
        `unknown argument ${arg}\nusage: npx tsx bench/discovery-lab.ts [--repeat=5] [--parts=lab,fold] ` +
          '[--backends=pglite,postgres] [--observations=10000] [--batch=2000]',
      );
    }
    flags.set(match[1], match[2]);
  }
  const integer = (name: string, fallback: number, min: number): number => {
    const value = Number(flags.get(name) ?? fallback);
    if (!Number.isInteger(value) || value < min) throw new Error(`--${name} must be an integer ≥ ${min}`);
    return value;
  };
  const list = (name: string, fallback: string): string[] =>
    (flags.get(name) ?? fallback)
      .split(',')
      .map((item) => item.trim())
      .filter(Boolean);
  const parts = list('parts', 'lab,fold');
  const backends = list('backends', 'pglite,postgres');
  for (const part of parts) if (part !== 'lab' && part !== 'fold') throw new Error(`--parts: unknown part ${part}`);
  for (const backend of backends) {
    if (backend !== 'pglite' && backend !== 'postgres') throw new Error(`--backends: unknown backend ${backend}`);
  }
  return {
    repeat: integer('repeat', 5, 1),
    parts: new Set(parts as ('lab' | 'fold')[]),
    backends: [...new Set(backends as BackendName[])],
    observations: integer('observations', 10_000, 1),
    batch: integer('batch', 2000, 1),
  };
}

// ---------------------------------------------------------------------------------------------------------
// Statistics

interface Summary {
  samples: number[];
  median: number;
  min: number;
  max: number;
}

function summarise(samples: readonly number[]): Summary {
  const ordered = [...samples].sort((a, b) => a - b);
  const middle = Math.floor(ordered.length / 2);
  const median =
    ordered.length % 2 === 1
      ? (ordered[middle] ?? Number.NaN)
      : ((ordered[middle - 1] ?? Number.NaN) + (ordered[middle] ?? Number.NaN)) / 2;
  return {
    samples: samples.map((value) => round(value)),
    median: round(median),
    min: round(ordered[0] ?? Number.NaN),
    max: round(ordered.at(-1) ?? Number.NaN),
  };
}

function round(value: number, digits = 1): number {
  const factor = 10 ** digits;
  return Math.round(value * factor) / factor;
}

// ---------------------------------------------------------------------------------------------------------
// Lab measurements

/** Times "$@" inside the namespace: the figure excludes `ip netns exec` and bash start-up. */
const TIMER_SCRIPT =
  't0=$EPOCHREALTIME; "$@"; rc=$?; t1=$EPOCHREALTIME; printf "\\n__bench__ %s %s %s\\n" "$t0" "$t1" "$rc" >&2';

async function timedInNamespace(
  ns: string,
  argv: readonly string[],
  input?: string,
): Promise<{ ms: number; outerMs: number; code: number; stdout: string; stderr: string }> {
  const result = await exec(ns, ['bash', '-c', TIMER_SCRIPT, 'bash', ...argv], {
    timeoutMs: TOOL_LIMIT_MS,
    env: { LC_ALL: 'C' },
    ...(input === undefined ? {} : { input }),
  });
  const match = /__bench__ (\d+)\.(\d{6}) (\d+)\.(\d{6}) (\d+)/.exec(result.stderr);
  if (!match || result.timedOut) {
    throw new Error(`${argv.join(' ')} in ${ns}: no timing (${result.timedOut ? 'timed out' : result.stderr.trim()})`);
  }
  const micros = (seconds: string | undefined, fraction: string | undefined): number =>
    Number(seconds) * 1e6 + Number(fraction);
  return {
    ms: (micros(match[3], match[4]) - micros(match[1], match[2])) / 1000,
    outerMs: result.ms,
    code: Number(match[5]),
    stdout: result.stdout,
    stderr: result.stderr.replace(/\n?__bench__.*\n?$/, ''),
  };
}

interface Found {
  /** Addresses reported up (the scanner's own excluded). */
  ips: string[];
  /** MAC reported per address, when the tool reports MACs. */
  macs?: Map<string, string>;
}

interface Sample {
  ms: number;
  found: Found;
  extra?: Record<string, number>;
  /** Where a Roller run did not probe as designed (see rollerMeasure). */
  problems?: string[];
}

interface Measurement {
  name: string;
  command: string;
  /** Which figure the median/min refer to. */
  figure: string;
  measure(): Promise<Sample>;
}

interface Recall {
  expected: number;
  found: number;
  recall: number;
  missed: string[];
  /** Addresses reported that the topology does not have on the segment (the scanner's own excluded). */
  extra: string[];
  /** For tools that report MACs: addresses found with the topology's MAC. */
  macCorrect?: number;
}

function recallOf(found: Found, expected: readonly LabAddress[]): Recall {
  const ips = new Set(found.ips);
  const expectedIps = new Set(expected.map((address) => address.ip));
  const hits = expected.filter((address) => ips.has(address.ip));
  return {
    expected: expected.length,
    found: hits.length,
    recall: round((hits.length / expected.length) * 100, 1),
    missed: expected.filter((address) => !ips.has(address.ip)).map((address) => address.ip),
    extra: found.ips.filter((ip) => !expectedIps.has(ip)),
    ...(found.macs ? { macCorrect: hits.filter((address) => found.macs?.get(address.ip) === address.mac).length } : {}),
  };
}

function parseNmapXml(xml: string): { ips: string[]; macs: Map<string, string> } {
  const ips: string[] = [];
  const macs = new Map<string, string>();
  for (const host of xml.split('<host').slice(1)) {
    if (!/<status state="up"/.test(host)) continue;
    const ip = /<address addr="([\d.]+)" addrtype="ipv4"/.exec(host)?.[1];
    const mac = /<address addr="([0-9A-Fa-f:]+)" addrtype="mac"/.exec(host)?.[1];
    if (!ip) continue;
    ips.push(ip);
    if (mac) macs.set(ip, mac.toLowerCase());
  }
  return { ips, macs };
}

interface LabReport {
  prefix: string;
  scope: string;
  expected: { ip: string; mac: string; icmp: boolean; node: string }[];
  scanner: string;
  coreReadyMs: number;
  repeat: number;
  firstRollerRun: Record<string, unknown>;
  results: {
    name: string;
    command: string;
    figure: string;
    ms: Summary;
    extra: Record<string, Summary>;
    recall: Recall[];
  }[];
  ratios: { name: string; numerator: string; denominator: string; medianRatio: number; minRatio: number }[];
  targets: { check: string; value: string; pass: boolean }[];
}

async function flushNeighbours(namespaces: readonly string[]): Promise<void> {
  await Promise.all(namespaces.map((ns) => run(['ip', '-n', ns, 'neigh', 'flush', 'all'], { timeoutMs: 5000 })));
}

async function labBench(options: Options): Promise<LabReport> {
  const topology = loadTopology();
  const scanner = topology.scanner;
  const segment = topology.segments.find((entry) => entry.name === scanner.segment);
  if (!segment) throw new Error(`topology: no segment ${scanner.segment}`);
  const scope = segment.cidr;
  const expected = topology.addresses.filter(
    (address) => address.node !== scanner.name && address.segment === scanner.segment,
  );
  const prefix = `rlb${(process.pid % 46_656).toString(36)}`;
  const scanNs = nsName(scanner.name, prefix);
  const namespaces = topology.nodes.map((node) => nsName(node.name, prefix));
  const parsed = parseScope(scope);
  if (!parsed.ok) throw new Error(`scope ${scope}: ${parsed.error}`);
  // What Roller probes: the scope less network and broadcast addresses (sweepTargets), less its own address.
  const rollerTargets = sweepTargets(parsed.entries).filter((ip) => ip !== scanner.ip);
  const targetList = `${rollerTargets.join('\n')}\n`;
  const base = configuredRunSettings(loadConfig({}).discovery);
  const rollerFping = (preset: Preset): string[] => {
    const settings = effectiveSettings(base, preset, []);
    return fpingSweepArgs({
      timeoutMs: settings.pingTimeoutMs,
      retries: settings.pingRetries,
      intervalMs: ROLLER_FPING_INTERVAL_MS,
    });
  };

  /** presence-stage.ts arpOptions(): timeout min(ping timeout, 250 ms), the preset's retries. */
  const rollerArpScan = (preset: Preset): string[] => {
    const settings = effectiveSettings(base, preset, []);
    return arpScanArgs({
      iface: scanner.interfaces.find((entry) => entry.segment === scanner.segment)?.name ?? 'eth0',
      timeoutMs: Math.min(settings.pingTimeoutMs, ROLLER_ARP_TIMEOUT_CAP_MS),
      retries: settings.pingRetries,
    });
  };

  await reapStaleLabs('rlb');
  log(`lab ${prefix}: up`);
  const lab = await labUp({ prefix, ownerPid: process.pid });
  let core: LabCore | undefined;
  const cleanup = async (): Promise<void> => {
    await core?.dispose().catch(() => {});
    await labDown({ prefix }).catch(() => {});
  };
  const onSignal = (): void => {
    log('interrupted: tearing the lab down');
    cleanup().finally(() => process.exit(130));
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  try {
    log(`lab up in ${lab.timings.totalMs} ms; starting roller core in ${scanNs}`);
    // Default settings, except the API's run rate limit (10 a minute), which a bench exceeds by design.
    core = await LabCore.start({ namespace: scanNs, name: 'bench core', env: { DISCOVERY_RUN_RATE_LIMIT: '10000' } });
    const api = core;
    log(`core ready in ${Math.round(api.readyMs ?? 0)} ms`);

    const scannerIface = scanner.interfaces.find((entry) => entry.segment === scanner.segment)?.name ?? 'eth0';
    /** The segment is local to the scanner: arp-scan alone must test every target, and nothing is pinged. */
    const probeProblems = (stats: Record<string, unknown>): string[] => {
      const wanted: Record<string, unknown> = {
        liveness_method: 'arp',
        ping_attempted: 0,
        arp_attempted: rollerTargets.length,
        arp_answered: expected.length,
        arp_source: `arp-scan on ${scannerIface}`,
      };
      return Object.entries(wanted)
        .filter(([key, value]) => stats[key] !== value)
        .map(([key, value]) => `${key}=${JSON.stringify(stats[key])} (want ${JSON.stringify(value)})`);
    };

    const rollerMeasure = async (preset: Preset): Promise<Sample & { run: ApiRun }> => {
      const t0 = performance.now();
      const queued = await api.enqueueRun({ scope, preset });
      const done = await api.waitForRun(queued.id, { pollMs: 20, limitMs: 60_000 });
      const clientMs = performance.now() - t0;
      if (done.status !== 'succeeded') throw new Error(`roller ${preset} run ${done.status}: ${done.last_error}`);
      const started = timestampMs(done.started_at ?? '');
      const completed = timestampMs(done.completed_at ?? '');
      const queuedAt = timestampMs(done.queued_at);
      // What this run observed: facts it upserted (updated_at ≥ its claim time).
      const ips: string[] = [];
      const macs = new Map<string, string>();
      for (const device of await api.inventory()) {
        const seen = device.facts.ips.filter((fact) => timestampMs(fact.updated_at) >= started).map((f) => f.ip);
        const mac = device.facts.macs.find((fact) => timestampMs(fact.updated_at) >= started)?.mac;
        for (const ip of seen) {
          if (ip === scanner.ip) continue;
          ips.push(ip);
          if (mac) macs.set(ip, mac);
        }
      }
      return {
        ms: completed - started,
        found: { ips, macs },
        extra: {
          enqueueToCompletedMs: completed - queuedAt,
          clientPostToFinalMs: clientMs,
          queueWaitMs: started - queuedAt,
          sweepStageMs: Number((done.stats.stage_ms as Record<string, number> | undefined)?.sweep ?? Number.NaN),
          foldStageMs: Number((done.stats.stage_ms as Record<string, number> | undefined)?.fold ?? Number.NaN),
        },
        problems: probeProblems(done.stats),
        run: done,
      };
    };
    const fpingMeasure = async (argv: string[], input?: string): Promise<Sample> => {
      const result = await timedInNamespace(scanNs, argv, input);
      if (result.code !== 0 && result.code !== 1) throw new Error(`${argv.join(' ')} exited ${result.code}`);
      const ips = result.stdout
        .split('\n')
        .map((line) => line.trim())
        .filter((line) => /^\d+\.\d+\.\d+\.\d+$/.test(line) && line !== scanner.ip);
      return { ms: result.ms, found: { ips }, extra: { outerMs: result.outerMs } };
    };

    const quickFping = ['fping', '-a', '-q', '-g', '-r', '0', '-t', '200', '-i', '1', scope];
    const measurements: Measurement[] = [
      {
        name: 'roller fast',
        command: `POST /api/v1/discovery/run {scope: ${scope}, preset: fast}`,
        figure: 'claim → completed (started_at → completed_at)',
        measure: () => rollerMeasure('fast'),
      },
      {
        name: 'roller normal',
        command: `POST /api/v1/discovery/run {scope: ${scope}, preset: normal}`,
        figure: 'claim → completed (started_at → completed_at)',
        measure: () => rollerMeasure('normal'),
      },
      {
        name: 'fping -r0 -t200',
        command: quickFping.join(' '),
        figure: 'process wall time inside the namespace',
        measure: () => fpingMeasure(quickFping),
      },
      {
        name: 'fping as roller fast',
        command: `fping ${rollerFping('fast').join(' ')} < Roller's targets (${rollerTargets.length})`,
        figure: 'process wall time inside the namespace',
        measure: () => fpingMeasure(['fping', ...rollerFping('fast')], targetList),
      },
      {
        name: 'fping as roller normal',
        command: `fping ${rollerFping('normal').join(' ')} < Roller's targets (${rollerTargets.length})`,
        figure: 'process wall time inside the namespace',
        measure: () => fpingMeasure(['fping', ...rollerFping('normal')], targetList),
      },
      ...(['fast', 'normal'] as const).map((preset) => ({
        name: `arp-scan as roller ${preset}`,
        command: `arp-scan ${rollerArpScan(preset).join(' ')} < Roller's targets (${rollerTargets.length})`,
        figure: "process wall time inside the namespace (the only probe of Roller's sweep stage here)",
        async measure(): Promise<Sample> {
          const result = await timedInNamespace(scanNs, ['arp-scan', ...rollerArpScan(preset)], targetList);
          if (result.code !== 0) throw new Error(`arp-scan exited ${result.code}: ${result.stderr.trim()}`);
          const found = parseArpScan(result.stdout);
          return {
            ms: result.ms,
            found: { ips: found.map((entry) => entry.ip), macs: new Map(found.map((entry) => [entry.ip, entry.mac])) },
            extra: { outerMs: result.outerMs },
          };
        },
      })),
      {
        name: 'nmap -sn',
        command: `nmap -sn -n ${scope}`,
        figure: 'process wall time inside the namespace',
        async measure() {
          const argv = ['nmap', '-sn', '-n', '-oX', '-', scope];
          const result = await timedInNamespace(scanNs, argv);
          if (result.code !== 0) throw new Error(`nmap exited ${result.code}: ${result.stderr.trim()}`);
          const { ips, macs } = parseNmapXml(result.stdout);
          return {
            ms: result.ms,
            found: { ips: ips.filter((ip) => ip !== scanner.ip), macs },
            extra: { outerMs: result.outerMs },
          };
        },
      },
    ];

    // Unrecorded warm-up of every tool; Roller's first run (creates every device) is reported on its own.
    await flushNeighbours(namespaces);
    const first = await rollerMeasure('fast');
    log(`first roller run (creates the devices): ${round(first.ms)} ms claim → completed`);
    for (const measurement of measurements.slice(1)) {
      await flushNeighbours(namespaces);
      await measurement.measure();
    }

    const samples = new Map<string, Sample[]>(measurements.map((m) => [m.name, []]));
    for (let rep = 0; rep < options.repeat; rep++) {
      const order = measurements.map((_, index) => measurements[(index + rep) % measurements.length] as Measurement);
      for (const measurement of order) {
        await flushNeighbours(namespaces);
        const sample = await measurement.measure();
        samples.get(measurement.name)?.push(sample);
        log(
          `rep ${rep + 1}/${options.repeat} ${measurement.name}: ${round(sample.ms)} ms, found ${sample.found.ips.length}`,
        );
      }
    }

    const results = measurements.map((measurement) => {
      const list = samples.get(measurement.name) ?? [];
      const extraKeys = [...new Set(list.flatMap((sample) => Object.keys(sample.extra ?? {})))];
      return {
        name: measurement.name,
        command: measurement.command,
        figure: measurement.figure,
        ms: summarise(list.map((sample) => sample.ms)),
        extra: Object.fromEntries(
          extraKeys.map((key) => [key, summarise(list.map((sample) => sample.extra?.[key] ?? Number.NaN))]),
        ),
        recall: list.map((sample) => recallOf(sample.found, expected)),
      };
    });
    const byName = new Map(results.map((result) => [result.name, result]));
    const ratio = (name: string, numerator: string, denominator: string) => {
      const a = byName.get(numerator)?.ms;
      const b = byName.get(denominator)?.ms;
      return {
        name,
        numerator,
        denominator,
        medianRatio: round((a?.median ?? Number.NaN) / (b?.median ?? Number.NaN), 2),
        minRatio: round((a?.min ?? Number.NaN) / (b?.min ?? Number.NaN), 2),
      };
    };
    const ratios = [
      ratio('roller fast / fping -r0 -t200', 'roller fast', 'fping -r0 -t200'),
      ratio('roller fast / fping with the same parameters', 'roller fast', 'fping as roller fast'),
      ratio('roller normal / fping with the same parameters', 'roller normal', 'fping as roller normal'),
      ratio('roller fast / nmap -sn', 'roller fast', 'nmap -sn'),
      ratio('roller normal / nmap -sn', 'roller normal', 'nmap -sn'),
      // Roller's overhead over the only probe it runs on this segment.
      ratio('roller fast / arp-scan with the same parameters', 'roller fast', 'arp-scan as roller fast'),
      ratio('roller normal / arp-scan with the same parameters', 'roller normal', 'arp-scan as roller normal'),
    ];
    const ratioOf = (name: string): number => ratios.find((entry) => entry.name === name)?.medianRatio ?? Number.NaN;
    const rollerRecall = ['roller fast', 'roller normal'].flatMap((name) => byName.get(name)?.recall ?? []);
    const rollerSamples = ['roller fast', 'roller normal'].flatMap((name) => samples.get(name) ?? []);
    const problems = [...new Set(rollerSamples.flatMap((sample) => sample.problems ?? []))];
    const targets = [
      {
        check: `roller probes the segment with arp-scan alone (${rollerTargets.length} targets, no ping)`,
        value: problems.length === 0 ? `${rollerSamples.length}/${rollerSamples.length} runs` : problems.join('; '),
        pass: problems.length === 0,
      },
      {
        check: 'roller recall 100% in every run (IP and topology MAC)',
        value: `${rollerRecall.filter((entry) => entry.recall === 100 && entry.macCorrect === entry.expected).length}/${rollerRecall.length} runs`,
        pass: rollerRecall.every((entry) => entry.recall === 100 && entry.macCorrect === entry.expected),
      },
      {
        check: 'roller fast ≤ 1.3 × fping -r0 -t200 (median)',
        value: `${ratioOf('roller fast / fping -r0 -t200')}×`,
        pass: ratioOf('roller fast / fping -r0 -t200') <= 1.3,
      },
      {
        check: 'roller fast ≤ 1.3 × fping with the same parameters (median)',
        value: `${ratioOf('roller fast / fping with the same parameters')}×`,
        pass: ratioOf('roller fast / fping with the same parameters') <= 1.3,
      },
      {
        check: 'roller normal ≤ 1.3 × fping with the same parameters (median)',
        value: `${ratioOf('roller normal / fping with the same parameters')}×`,
        pass: ratioOf('roller normal / fping with the same parameters') <= 1.3,
      },
      {
        check: 'roller fast faster than nmap -sn (median)',
        value: `${ratioOf('roller fast / nmap -sn')}×`,
        pass: ratioOf('roller fast / nmap -sn') < 1,
      },
      {
        check: 'roller normal faster than nmap -sn (median)',
        value: `${ratioOf('roller normal / nmap -sn')}×`,
        pass: ratioOf('roller normal / nmap -sn') < 1,
      },
    ];
    return {
      prefix,
      scope,
      expected: expected.map((address) => ({
        ip: address.ip,
        mac: address.mac,
        icmp: address.icmp,
        node: address.node,
      })),
      scanner: scanner.ip,
      coreReadyMs: round(api.readyMs ?? Number.NaN),
      repeat: options.repeat,
      firstRollerRun: {
        claimToCompletedMs: round(first.ms),
        devicesCreated: first.run.stats.devices_created,
        ...Object.fromEntries(Object.entries(first.extra ?? {}).map(([key, value]) => [key, round(value)])),
        recall: recallOf(first.found, expected),
        probeProblems: first.problems ?? [],
      },
      results,
      ratios,
      targets,
    };
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    await cleanup();
    log(`lab ${prefix}: down`);
  }
}

// ---------------------------------------------------------------------------------------------------------
// Fold throughput

interface FoldReport {
  /** Backend, and `jit=off` for the PostgreSQL diagnostic variant. */
  backend: string;
  location: string;
  observations: number;
  batch: number;
  firstFold: { ms: Summary; devicesPerSecond: Summary };
  secondFold: { ms: Summary; devicesPerSecond: Summary };
}

/** Distinct IPs 10.x.y.z and locally administered unicast MACs, one per observation. */
function syntheticObservations(count: number): Observation[] {
  const observations: Observation[] = [];
  for (let i = 0; i < count; i++) {
    const n = i + 1;
    const bytes = [(n >> 16) & 0xff, (n >> 8) & 0xff, n & 0xff];
    observations.push({
      ip: `10.${bytes[0]}.${bytes[1]}.${bytes[2]}`,
      mac: `02:00:00:${bytes.map((byte) => byte.toString(16).padStart(2, '0')).join(':')}`,
    });
  }
  return observations;
}

async function foldBench(backend: BackendName, options: Options, jitOff = false): Promise<FoldReport> {
  const benchOptions = parseOptions([], process.env);
  const observations = syntheticObservations(options.observations);
  const label = `${backend}${jitOff ? ' jit=off' : ''}`;
  const first: number[] = [];
  const second: number[] = [];
  let location = '';
  for (let rep = 0; rep < options.repeat; rep++) {
    const bench = await openBenchDatabase(backend, benchOptions);
    location = backend === 'postgres' ? `fresh database on ${new URL(benchOptions.postgresUrl).host}` : 'PGlite';
    try {
      const measure = async (db: Kysely<Schema>): Promise<{ a: number; b: number }> => {
        const folds = new FoldRepository(db);
        const newRun = async (): Promise<string> => {
          const { rows } = await sql<{ id: string }>`
            INSERT INTO discovery_runs (status, scope, started_at) VALUES ('running', 'bench', now()) RETURNING id`.execute(
            db,
          );
          return rows[0]?.id as string;
        };
        const foldAll = async (runId: string): Promise<{ ms: number; created: number }> => {
          let created = 0;
          const started = performance.now();
          for (let start = 0; start < observations.length; start += options.batch) {
            created += (await folds.fold(runId, observations.slice(start, start + options.batch))).devicesCreated;
          }
          return { ms: performance.now() - started, created };
        };
        const a = await foldAll(await newRun());
        if (a.created !== observations.length) throw new Error(`first fold created ${a.created} devices`);
        const b = await foldAll(await newRun());
        if (b.created !== 0) throw new Error(`second fold created ${b.created} devices`);
        const { rows } = await sql<{ n: number }>`SELECT count(*)::int AS n FROM devices`.execute(db);
        if (rows[0]?.n !== observations.length) throw new Error(`expected ${observations.length} devices`);
        return { a: a.ms, b: b.ms };
      };
      // As Roller runs it: FoldRepository on the pooled handle. The jit=off variant (diagnostic: PostgreSQL's
      // JIT compiles the device-summary UPDATE of every batch) pins one connection with the setting.
      const { a, b } = jitOff
        ? await bench.database.db.connection().execute(async (conn) => {
            await sql`SET jit = off`.execute(conn);
            return measure(conn);
          })
        : await measure(bench.database.db);
      first.push(a);
      second.push(b);
      log(`fold ${label} rep ${rep + 1}/${options.repeat}: first ${round(a)} ms, second ${round(b)} ms`);
    } finally {
      await bench.dispose();
    }
  }
  const perSecond = (list: number[]) => summarise(list.map((ms) => (observations.length / ms) * 1000));
  return {
    backend: label,
    location,
    observations: observations.length,
    batch: options.batch,
    firstFold: { ms: summarise(first), devicesPerSecond: perSecond(first) },
    secondFold: { ms: summarise(second), devicesPerSecond: perSecond(second) },
  };
}

// ---------------------------------------------------------------------------------------------------------
// Output

function formatTable(header: string[], rows: string[][]): string {
  const widths = header.map((title, column) =>
    Math.max(title.length, ...rows.map((row) => (row[column] ?? '').length)),
  );
  const line = (cells: string[]): string =>
    cells
      .map((cell, column) => (column === 0 ? cell.padEnd(widths[column] ?? 0) : cell.padStart(widths[column] ?? 0)))
      .join('  ');
  return [line(header), widths.map((width) => '-'.repeat(width)).join('  '), ...rows.map(line)].join('\n');
}

function renderLab(report: LabReport): string {
  const rows = report.results.map((result) => {
    const recalls = result.recall.map((entry) => entry.recall);
    const missed = [...new Set(result.recall.flatMap((entry) => entry.missed))];
    const mac = result.recall.every((entry) => entry.macCorrect === undefined)
      ? '-'
      : `${Math.min(...result.recall.map((entry) => entry.macCorrect ?? 0))}/${report.expected.length}`;
    return [
      result.name,
      result.ms.median.toFixed(1),
      result.ms.min.toFixed(1),
      result.extra.enqueueToCompletedMs ? result.extra.enqueueToCompletedMs.median.toFixed(1) : '-',
      result.extra.clientPostToFinalMs ? result.extra.clientPostToFinalMs.median.toFixed(1) : '-',
      result.extra.queueWaitMs ? result.extra.queueWaitMs.median.toFixed(0) : '-',
      result.extra.sweepStageMs ? result.extra.sweepStageMs.median.toFixed(0) : '-',
      result.extra.foldStageMs ? result.extra.foldStageMs.median.toFixed(0) : '-',
      `${Math.min(...recalls)}%`,
      mac,
      missed.join(',') || '-',
    ];
  });
  const table = formatTable(
    [
      'measurement',
      'median ms',
      'min ms',
      'enq→done ms',
      'POST→seen ms',
      'queue ms',
      'sweep ms',
      'fold ms',
      'recall',
      'MACs',
      'missed',
    ],
    rows,
  );
  const ratios = formatTable(
    ['ratio', 'median', 'min'],
    report.ratios.map((entry) => [entry.name, `${entry.medianRatio}×`, `${entry.minRatio}×`]),
  );
  const targets = formatTable(
    ['target', 'value', 'result'],
    report.targets.map((entry) => [entry.check, entry.value, entry.pass ? 'pass' : 'FAIL']),
  );
  return `Lab: ${report.scope}, ${report.expected.length} hosts on the segment (scanner ${report.scanner} excluded), ${report.repeat} repetitions; recall = worst run\n\n${table}\n\n${ratios}\n\n${targets}`;
}

function renderFold(reports: readonly FoldReport[]): string {
  return formatTable(
    [
      'fold',
      'observations',
      'batch',
      '1st median ms',
      '1st dev/s',
      '2nd median ms',
      '2nd dev/s',
      '1st min ms',
      '2nd min ms',
    ],
    reports.map((report) => [
      report.backend,
      String(report.observations),
      String(report.batch),
      report.firstFold.ms.median.toFixed(0),
      report.firstFold.devicesPerSecond.median.toFixed(0),
      report.secondFold.ms.median.toFixed(0),
      report.secondFold.devicesPerSecond.median.toFixed(0),
      report.firstFold.ms.min.toFixed(0),
      report.secondFold.ms.min.toFixed(0),
    ]),
  );
}

function log(text: string): void {
  process.stderr.write(`${new Date().toISOString().slice(11, 19)} ${text}\n`);
}

async function main(): Promise<void> {
  const options = parseArgs(process.argv.slice(2));
  const machine = machineInfo();
  const load = machineLoad();
  log(`machine: ${machine.cores} cores (${machine.cpu}), node ${machine.node}, load ${load.loadAverage}`);
  if (load.loadAverage > load.cores * 0.25) log(`warning: load average ${load.loadAverage}; figures will be noisy`);
  const skipped: { part: string; reason: string }[] = [];

  let lab: LabReport | undefined;
  if (options.parts.has('lab')) {
    const check = await checkPrerequisites();
    const missing = ['fping', 'arp-scan', 'nmap', 'bash'].filter(
      (tool) => !process.env.PATH?.split(':').some((dir) => existsExecutable(`${dir}/${tool}`)),
    );
    const reason = !check.ok ? check.reason : missing.length > 0 ? `missing ${missing.join(', ')}` : undefined;
    if (reason) {
      log(`skipping the lab part: ${reason}`);
      skipped.push({ part: 'lab', reason });
    } else {
      lab = await labBench(options);
    }
  }

  const folds: FoldReport[] = [];
  if (options.parts.has('fold')) {
    for (const backend of options.backends) {
      const reason = backend === 'postgres' ? await postgresUnavailable(parseOptions([], process.env)) : undefined;
      if (reason) {
        log(`skipping fold on postgres: ${reason}`);
        skipped.push({ part: `fold ${backend}`, reason });
        continue;
      }
      folds.push(await foldBench(backend, options));
      if (backend === 'postgres') folds.push(await foldBench(backend, options, true));
    }
  }

  const document = {
    benchmark: 'discovery-lab',
    generatedAt: new Date().toISOString(),
    machine: { ...machine, loadAverageAtStart: load.loadAverage },
    options: {
      repeat: options.repeat,
      parts: [...options.parts],
      backends: options.backends,
      observations: options.observations,
      batch: options.batch,
      postgresUrl: redact(parseOptions([], process.env).postgresUrl),
    },
    notes: [
      'lab times in ms; tools are timed inside the scanner namespace by bash $EPOCHREALTIME (outerMs adds ip netns exec)',
      "roller figure = started_at → completed_at of the run (claim → completed, server clock); enqueueToCompletedMs = queued_at → completed_at; clientPostToFinalMs = POST until the client's 20 ms poll saw the final status",
      'every lab node flushes its neighbour table before each measurement; the tool order rotates per repetition',
      "recall: addresses on the scanner's segment in lab/topology.json, the scanner's own address excluded",
      'fold: devices/s = observations / seconds over all batches, fresh migrated database per repetition',
    ],
    skipped,
    lab,
    fold: folds,
  };
  mkdirSync(RESULTS_DIR, { recursive: true });
  const file = new URL(`discovery-${document.generatedAt.replace(/[:.]/g, '-')}.json`, RESULTS_DIR);
  writeFileSync(file, `${JSON.stringify(document, null, 2)}\n`);
  const parts = [lab ? renderLab(lab) : undefined, folds.length > 0 ? renderFold(folds) : undefined].filter(Boolean);
  process.stdout.write(`\n${parts.join('\n\n')}\n\n${JSON.stringify(document, null, 2)}\n`);
  log(`written to ${file.pathname}`);
}

function existsExecutable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`bench failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});
