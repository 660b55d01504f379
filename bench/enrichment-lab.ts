/**
 * `npx tsx bench/enrichment-lab.ts`: a deep discovery run in the network-namespace lab, per stage, next to the
 * same enrichment and port-scan probes run one target at a time, in the same bench run.
 *
 * Needs root, iproute2, nmap and the lab daemons (snmpd, snmpsim, avahi, nmbd, dnsmasq); snmpbulkwalk for the
 * optional net-snmp reference. The lab comes up once with its own prefix (`rln<pid36>`: no test or other bench
 * uses `rln`), then each repetition:
 *   1. starts a fresh `roller core` in the scanner namespace (temporary database), configured like
 *      test/lab/enrichment.test.ts (lab resolver, SNMP credential sets v3 then v2c, 500 ms SNMP timeout,
 *      topology and port-scan allowlists = the main segment, the lab's open TCP ports), and runs
 *      `POST /api/v1/discovery/run {scope: <main segment>, preset: deep}` twice: cold (empty database) and warm
 *      (same database: devices exist, SNMP credential hints known). Figures: started_at → completed_at and
 *      stats.stage_ms (sweep, fold, enrichment, port_scan), with the enrichment and port-scan counters;
 *   2. stops the core, then runs bench/enrichment-probes.ts inside the scanner namespace: Roller's own probe
 *      functions with the same settings, one target at a time over the same targets (every address on the
 *      main segment, the scanner's own included, as the run enriches them): reverse DNS, mDNS reverse, NetBIOS,
 *      the DNS-SD browse once, SNMP (credentials in order, then device.read with LLDP/CDP), and one nmap per
 *      target with Roller's argv; plus `snmpbulkwalk -v2c` of the subtrees Roller walked on each SNMP agent;
 *   3. runs the helper again with the same probes pooled exactly as the two stages pool them, without a
 *      database: the stage time less this is what storage and bookkeeping cost.
 * Every node's neighbour table is flushed before each measurement. CPU used by other processes is recorded per
 * phase (/proc) and warned about. Nothing here asserts a time: this is a bench.
 *
 * Options: --repeat=3 --warm=yes|no --bulkwalk=yes|no --pooled=yes|no
 * Output: tables and a JSON document on stdout (also bench/results/enrichment-<timestamp>.json); progress on stderr.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import {
  checkPrerequisites,
  exec,
  findProgram,
  type LabNode,
  labDown,
  labUp,
  listNamespaces,
  loadTopology,
  missingDaemonPrograms,
  nsName,
  openTcpPorts,
  reapStaleLabs,
  run,
} from '../lab/lab.mjs';
import { type ApiRun, LabCore, namespaceProcesses, REPO_ROOT, timestampMs } from '../test/support/lab-core.ts';
import { machineLoad } from './cpu.ts';
import type { PooledResponse, ProbeRequest, ProbeResponse } from './enrichment-probes.ts';
import { machineInfo } from './options.ts';

const RESULTS_DIR = new URL('./results/', import.meta.url);
const PREFIX_START = 'rln';
/** A deep run here takes seconds; its own budget is 120 s. */
const RUN_LIMIT_MS = 180_000;
/** The sequential reference: ~12 targets × (names ≤ 1.5 s + SNMP ≤ 1 s + walks + nmap ≤ 7 s) at worst. */
const HELPER_LIMIT_MS = 300_000;
/** Other processes' CPU above this (cores, phase average) earns a warning. */
const OTHER_CPU_WARN_CORES = 0.25;
const TICKS_PER_SECOND = 100; // USER_HZ on Linux
const STAGES = ['sweep', 'fold', 'enrichment', 'port_scan'] as const;

interface Options {
  repeat: number;
  warm: boolean;
  bulkwalk: boolean;
  pooled: boolean;
}

function parseArgs(argv: readonly string[]): Options {
  const usage =
    'usage: npx tsx bench/enrichment-lab.ts [--repeat=3] [--warm=yes|no] [--bulkwalk=yes|no] [--pooled=yes|no]';
  const flags = new Map<string, string>();
  for (const arg of argv) {
    const match = /^--([a-z]+)=(.+)$/.exec(arg);
    if (!match?.[1] || match[2] === undefined || !['repeat', 'warm', 'bulkwalk', 'pooled'].includes(match[1])) {
      throw new Error(`unknown argument ${arg}\n${usage}`);
    }
    flags.set(match[1], match[2]);
  }
  const yesNo = (name: string, fallback: boolean): boolean => {
    const value = flags.get(name);
    if (value === undefined) return fallback;
    if (value === 'yes' || value === 'true') return true;
    if (value === 'no' || value === 'false') return false;
    throw new Error(`--${name} must be yes or no\n${usage}`);
  };
  const repeat = Number(flags.get('repeat') ?? 3);
  if (!Number.isInteger(repeat) || repeat < 1 || repeat > 50)
    throw new Error(`--repeat must be an integer 1–50\n${usage}`);
  return { repeat, warm: yesNo('warm', true), bulkwalk: yesNo('bulkwalk', true), pooled: yesNo('pooled', true) };
}

// ---------------------------------------------------------------------------------------------------------
// Statistics

interface Summary {
  samples: number[];
  median: number;
  min: number;
  max: number;
}

function summarise(samples: readonly number[], digits = 1): Summary {
  const ordered = samples.filter((value) => Number.isFinite(value)).sort((a, b) => a - b);
  const middle = Math.floor(ordered.length / 2);
  const median =
    ordered.length === 0
      ? Number.NaN
      : ordered.length % 2 === 1
        ? (ordered[middle] ?? Number.NaN)
        : ((ordered[middle - 1] ?? Number.NaN) + (ordered[middle] ?? Number.NaN)) / 2;
  return {
    samples: samples.map((value) => round(value, digits)),
    median: round(median, digits),
    min: round(ordered[0] ?? Number.NaN, digits),
    max: round(ordered.at(-1) ?? Number.NaN, digits),
  };
}

function round(value: number, digits = 1): number {
  const factor = 10 ** digits;
  return Math.round(value * factor) / factor;
}

// ---------------------------------------------------------------------------------------------------------
// CPU per phase: the machine (/proc/stat), this process with the children it reaped (the probe helper and
// its nmap/snmpbulkwalk), every process in the lab namespaces (the core with the probes it reaped, the
// daemons answering them), and the rest: other processes on the machine.

interface CpuSnapshot {
  at: number;
  machineBusy: number | null;
  self: number | null;
  lab: Map<number, number>;
}

export interface PhaseCpu {
  seconds: number;
  machineCores: number | null;
  /** This process and the children it reaped (the probe helper, with its nmap and snmpbulkwalk). */
  benchCores: number | null;
  /** Processes in the lab namespaces: the core (with its reaped probes) and the daemons. */
  labCores: number;
  /** Everything else: other people's processes. */
  otherCores: number | null;
}

function machineBusyTicks(): number | null {
  try {
    const line = readFileSync('/proc/stat', 'utf8').split('\n', 1)[0] ?? '';
    const values = line.trim().split(/\s+/).slice(1).map(Number);
    // user nice system idle iowait irq softirq steal (guest is already in user)
    const busy = values.slice(0, 8).reduce((sum, value, index) => (index === 3 || index === 4 ? sum : sum + value), 0);
    return Number.isFinite(busy) ? busy : null;
  } catch {
    return null;
  }
}

/** utime + stime + cutime + cstime: the process and every child it waited for. */
function processTicks(pid: number | 'self'): number | null {
  try {
    const text = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = text.slice(text.lastIndexOf(')') + 2).split(' ');
    return Number(fields[11]) + Number(fields[12]) + Number(fields[13]) + Number(fields[14]);
  } catch {
    return null;
  }
}

async function cpuSnapshot(namespaces: readonly string[]): Promise<CpuSnapshot> {
  const lab = new Map<number, number>();
  const lists = await Promise.all(namespaces.map((ns) => namespaceProcesses(ns).catch(() => [])));
  for (const entry of lists.flat()) {
    const ticks = processTicks(entry.pid);
    if (ticks !== null) lab.set(entry.pid, ticks);
  }
  return { at: performance.now(), machineBusy: machineBusyTicks(), self: processTicks('self'), lab };
}

function phaseCpu(before: CpuSnapshot, after: CpuSnapshot): PhaseCpu {
  const seconds = (after.at - before.at) / 1000;
  const cores = (ticks: number): number => round(ticks / TICKS_PER_SECOND / seconds, 2);
  let labTicks = 0;
  for (const [pid, ticks] of after.lab) labTicks += ticks - (before.lab.get(pid) ?? 0);
  const machine =
    before.machineBusy === null || after.machineBusy === null ? null : after.machineBusy - before.machineBusy;
  const self = before.self === null || after.self === null ? null : after.self - before.self;
  return {
    seconds: round(seconds, 2),
    machineCores: machine === null ? null : cores(machine),
    benchCores: self === null ? null : cores(self),
    labCores: cores(labTicks),
    otherCores: machine === null || self === null ? null : cores(Math.max(0, machine - self - labTicks)),
  };
}

// ---------------------------------------------------------------------------------------------------------
// The bench

interface RollerSample {
  runId: string;
  kind: 'cold' | 'warm';
  totalMs: number;
  durationMs: number;
  queueMs: number;
  stageMs: Record<string, number>;
  /** total − the four stages: claim, opening log lines, markPresence, completion. */
  otherMs: number;
  enrichment: Record<string, unknown>;
  portScan: Record<string, unknown>;
  warnLines: string[];
  problems: string[];
  cpu: PhaseCpu;
}

interface ReferenceSample {
  outerMs: number;
  response: ProbeResponse;
  problems: string[];
  cpu: PhaseCpu;
}

interface PooledSample {
  outerMs: number;
  response: PooledResponse;
  cpu: PhaseCpu;
}

interface Repetition {
  coreReadyMs: number;
  cold: RollerSample;
  warm?: RollerSample;
  reference: ReferenceSample;
  pooled?: PooledSample;
}

interface BenchReport {
  prefix: string;
  scope: string;
  targets: string[];
  repeat: number;
  coreEnv: Record<string, string>;
  repetitions: Repetition[];
  problems: string[];
}

/** Set by the signal handler: the process then exits 130 once the lab is down, whatever else failed. */
let interruptedBySignal = false;

function ipNumber(ip: string): number {
  return ip.split('.').reduce((value, octet) => value * 256 + Number(octet), 0);
}

function log(text: string): void {
  process.stderr.write(`${new Date().toISOString().slice(11, 19)} ${text}\n`);
}

async function flushNeighbours(namespaces: readonly string[]): Promise<void> {
  await Promise.all(namespaces.map((ns) => run(['ip', '-n', ns, 'neigh', 'flush', 'all'], { timeoutMs: 5000 })));
}

async function labBench(options: Options, cpuWarnings: string[]): Promise<BenchReport> {
  const topology = loadTopology();
  const scanner = topology.scanner;
  const segment = topology.segments.find((entry) => entry.name === scanner.segment);
  if (!segment) throw new Error(`topology: no segment ${scanner.segment}`);
  const scope = segment.cidr;
  const prefix = `${PREFIX_START}${(process.pid % 46_656).toString(36)}`;
  const scanNs = nsName(scanner.name, prefix);
  const namespaces = topology.nodes.map((node) => nsName(node.name, prefix));
  const cpuNamespaces = [...namespaces, nsName(topology.bridgeNamespace, prefix)];

  // Configured like test/lab/enrichment.test.ts.
  const nodeIp = (node: LabNode): string => {
    const iface = node.interfaces.find((entry) => entry.segment === scanner.segment) ?? node.interfaces[0];
    if (!iface) throw new Error(`topology: node ${node.name} has no interface`);
    return iface.ip;
  };
  const dnsServer = topology.nodes.find((node) => node.dnsmasq);
  const snmpdNode = topology.nodes.find((node) => node.snmpd);
  const switchNode = topology.nodes.find((node) => node.snmpsim);
  if (!dnsServer || !snmpdNode || !switchNode)
    throw new Error('topology: needs a dnsmasq, an snmpd and an snmpsim node');
  const credentials = [
    ...(snmpdNode.snmpd?.credentials ?? []).filter((credential) => credential.version === '3'),
    ...(switchNode.snmpsim?.credentials ?? []),
  ];
  const onSegmentNodes = topology.nodes.filter(
    (node) => node.name !== scanner.name && node.interfaces.some((iface) => iface.segment === scanner.segment),
  );
  const scannedPorts = [...new Set([22, 80, ...onSegmentNodes.flatMap((node) => openTcpPorts(node))])].sort(
    (a, b) => a - b,
  );
  const coreEnv: Record<string, string> = {
    DISCOVERY_MAX_RUNTIME: '60s',
    DISCOVERY_DNS_SERVERS: nodeIp(dnsServer),
    DISCOVERY_SNMP_CREDENTIALS: JSON.stringify(credentials),
    DISCOVERY_SNMP_TIMEOUT: '500ms',
    DISCOVERY_TOPOLOGY_ALLOWLIST: scope,
    DISCOVERY_PORT_SCAN_ALLOWLIST: scope,
    DISCOVERY_PORT_SCAN_PORTS: scannedPorts.join(','),
  };
  const community = credentials.find((credential) => credential.version === '2c');
  // The run enriches every device it found once, from its first address: every address on the segment,
  // the scanner's own included (presence-stage records it without probing).
  const targets = topology.addresses
    .filter((address) => address.segment === scanner.segment)
    .map((address) => address.ip)
    .sort((a, b) => ipNumber(a) - ipNumber(b));
  const problems: string[] = [];
  const problem = (text: string): void => {
    problems.push(text);
    log(`problem: ${text}`);
  };

  await reapStaleLabs(PREFIX_START);
  log(`lab ${prefix}: up`);
  let core: LabCore | undefined;
  let starting: Promise<LabCore> | undefined;
  let interrupted = false;
  // One teardown, shared by the signal handler and the normal path: whoever comes second waits for it.
  let teardown: Promise<void> | undefined;
  const tearDown = (): Promise<void> =>
    (teardown ??= (async () => {
      await core?.dispose().catch((error: unknown) => log(`core dispose failed: ${String(error)}`));
      await labDown({ prefix }).catch((error: unknown) => log(`lab down failed: ${String(error)}`));
      // A core still starting when the signal came: lab down killed it; let it remove its directory.
      await starting?.then(
        (late) => late.dispose(),
        () => {},
      );
      const left = (await listNamespaces().catch(() => [] as string[])).filter((ns) => ns.startsWith(`${prefix}-`));
      if (left.length > 0) log(`problem: namespaces left after lab down: ${left.join(', ')}`);
      log(`lab ${prefix}: down`);
    })());
  const onSignal = (): void => {
    if (interrupted) return;
    interrupted = true;
    interruptedBySignal = true;
    log('interrupted: tearing the lab down');
    tearDown().finally(() => process.exit(130));
  };
  // `on`, not `once`: a second Ctrl-C while the lab comes down must not cut the teardown short.
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  try {
    const lab = await labUp({ prefix, ownerPid: process.pid, requireDaemons: true });
    log(`lab up in ${lab.timings.totalMs} ms (${lab.daemons.length} daemons)`);

    const expectScanNsEmpty = async (when: string): Promise<void> => {
      const left = await namespaceProcesses(scanNs);
      if (left.length > 0) {
        problem(
          `processes left in ${scanNs} ${when}: ${left.map((entry) => `${entry.comm}(${entry.pid})`).join(', ')}`,
        );
      }
    };

    const rollerRun = async (api: LabCore, kind: 'cold' | 'warm'): Promise<RollerSample> => {
      await flushNeighbours(namespaces);
      const before = await cpuSnapshot(cpuNamespaces);
      const queued = await api.enqueueRun({ scope, preset: 'deep' });
      const done: ApiRun = await api.waitForRun(queued.id, { pollMs: 50, limitMs: RUN_LIMIT_MS });
      const cpu = phaseCpu(before, await cpuSnapshot(cpuNamespaces));
      if (done.status !== 'succeeded') throw new Error(`deep run ${done.id} ${done.status}: ${done.last_error}`);
      const started = timestampMs(done.started_at ?? '');
      const completed = timestampMs(done.completed_at ?? '');
      const stageMs = (done.stats.stage_ms ?? {}) as Record<string, number>;
      const totalMs = completed - started;
      const enrichment = (done.stats.enrichment ?? {}) as Record<string, unknown>;
      const portScan = (done.stats.port_scan ?? {}) as Record<string, unknown>;
      const logs = await api.runLogs(done.id);
      const sampleProblems: string[] = [];
      if (enrichment.targets !== targets.length) {
        sampleProblems.push(`enrichment targets ${String(enrichment.targets)} (want ${targets.length})`);
      }
      if (portScan.targets !== targets.length || portScan.succeeded !== targets.length) {
        sampleProblems.push(
          `port scan targets=${String(portScan.targets)} succeeded=${String(portScan.succeeded)} (want ${targets.length})`,
        );
      }
      if (enrichment.snmp_ok !== 2) sampleProblems.push(`snmp_ok=${String(enrichment.snmp_ok)} (want 2)`);
      if (enrichment.canceled || portScan.canceled) sampleProblems.push('a stage was cut by the run budget');
      for (const text of sampleProblems) problem(`${kind} run ${done.id}: ${text}`);
      return {
        runId: done.id,
        kind,
        totalMs,
        durationMs: Number(done.stats.duration_ms ?? Number.NaN),
        queueMs: started - timestampMs(done.queued_at),
        stageMs,
        otherMs: totalMs - STAGES.reduce((sum, stage) => sum + (stageMs[stage] ?? 0), 0),
        enrichment,
        portScan,
        warnLines: logs.filter((line) => line.level === 'warn' || line.level === 'error').map((line) => line.message),
        problems: sampleProblems,
        cpu,
      };
    };

    const runHelper = async (
      mode: ProbeRequest['mode'],
    ): Promise<{ outerMs: number; stdout: string; cpu: PhaseCpu }> => {
      await flushNeighbours(namespaces);
      const request: ProbeRequest = {
        mode,
        env: coreEnv,
        scope,
        targets,
        bulkwalkCommunity: options.bulkwalk && community?.version === '2c' ? community.community : null,
      };
      const before = await cpuSnapshot(cpuNamespaces);
      const result = await exec(scanNs, [process.execPath, '--import', 'tsx', 'bench/enrichment-probes.ts'], {
        input: JSON.stringify(request),
        timeoutMs: HELPER_LIMIT_MS,
      });
      const cpu = phaseCpu(before, await cpuSnapshot(cpuNamespaces));
      if (result.code !== 0 || result.timedOut) {
        throw new Error(
          `probe helper (${mode}) in ${scanNs} ${result.timedOut ? 'timed out' : `exited ${result.code}`}: ${result.stderr.trim()}`,
        );
      }
      await expectScanNsEmpty(`after the ${mode} probe helper`);
      return { outerMs: result.ms, stdout: result.stdout, cpu };
    };

    const reference = async (): Promise<ReferenceSample> => {
      const { outerMs, stdout, cpu } = await runHelper('sequential');
      const response = JSON.parse(stdout) as ProbeResponse;
      const sampleProblems = [...response.warnings];
      const snmpOk = response.targets.filter((target) => target.snmp.ok).length;
      if (snmpOk !== 2) sampleProblems.push(`sequential SNMP answered on ${snmpOk} targets (want 2)`);
      for (const text of sampleProblems) problem(`one at a time: ${text}`);
      return { outerMs, response, problems: sampleProblems, cpu };
    };

    const pooledProbes = async (): Promise<PooledSample> => {
      const { outerMs, stdout, cpu } = await runHelper('pooled');
      const response = JSON.parse(stdout) as PooledResponse;
      for (const text of response.warnings) problem(`pooled: ${text}`);
      if (response.snmpOk !== 2) problem(`pooled: SNMP answered on ${response.snmpOk} targets (want 2)`);
      return { outerMs, response, cpu };
    };

    const repetitions: Repetition[] = [];
    for (let rep = 0; rep < options.repeat; rep++) {
      if (interrupted) break;
      const label = `rep ${rep + 1}/${options.repeat}`;
      starting = LabCore.start({
        namespace: scanNs,
        name: `bench core ${rep + 1}`,
        env: { ...coreEnv, DISCOVERY_RUN_RATE_LIMIT: '10000' },
      });
      core = await starting;
      starting = undefined;
      const api = core;
      const coreReadyMs = api.readyMs ?? Number.NaN;
      log(`${label}: core ready in ${Math.round(coreReadyMs)} ms`);
      const cold = await rollerRun(api, 'cold');
      log(
        `${label}: roller cold ${round(cold.totalMs)} ms (${STAGES.map((stage) => `${stage} ${cold.stageMs[stage]}`).join(', ')})`,
      );
      if (rep === 0) {
        // Every target has its device (the reference probes exactly these addresses).
        const found = new Set((await api.inventory()).flatMap((device) => device.facts.ips.map((fact) => fact.ip)));
        const missing = targets.filter((ip) => !found.has(ip));
        if (missing.length > 0) problem(`no device for ${missing.join(', ')} after the first deep run`);
      }
      let warm: RollerSample | undefined;
      if (options.warm) {
        warm = await rollerRun(api, 'warm');
        log(
          `${label}: roller warm ${round(warm.totalMs)} ms (${STAGES.map((stage) => `${stage} ${warm?.stageMs[stage]}`).join(', ')})`,
        );
      }
      await api.dispose();
      core = undefined;
      if (api.running) problem(`${label}: core still running after dispose`);
      await expectScanNsEmpty(`after the core of ${label} stopped`);

      const ref = await reference();
      const pooled = options.pooled ? await pooledProbes() : undefined;
      if (pooled) {
        log(
          `${label}: pooled as Roller, no database: enrichment probes ${round(pooled.response.enrichmentMs)} ms, nmap groups ${round(pooled.response.portScanMs)} ms`,
        );
      }
      log(
        `${label}: one target at a time: enrichment probes ${round(ref.response.totals.enrichmentMs)} ms, nmap ${round(ref.response.totals.nmapMs)} ms, loop ${round(ref.response.totals.loopMs)} ms` +
          (ref.response.bulkwalk.length > 0 ? `, snmpbulkwalk ${round(ref.response.bulkwalkMs)} ms` : ''),
      );
      for (const [name, cpu] of [
        ['roller cold', cold.cpu],
        ['roller warm', warm?.cpu],
        ['one at a time', ref.cpu],
        ['pooled, no database', pooled?.cpu],
      ] as const) {
        if (cpu?.otherCores != null && cpu.otherCores > OTHER_CPU_WARN_CORES) {
          const text = `${label} ${name}: other processes used ${cpu.otherCores} cores (machine ${cpu.machineCores} of ${machineInfo().cores})`;
          cpuWarnings.push(text);
          log(`warning: ${text}`);
        }
      }
      repetitions.push({ coreReadyMs, cold, ...(warm ? { warm } : {}), reference: ref, ...(pooled ? { pooled } : {}) });
    }
    if (interrupted) throw new Error('interrupted');
    return { prefix, scope, targets, repeat: options.repeat, coreEnv, repetitions, problems };
  } finally {
    await tearDown();
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
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

const fmt = (value: number, digits = 0): string => (Number.isFinite(value) ? value.toFixed(digits) : '-');
const cells = (summary: Summary | undefined): string[] =>
  summary ? [fmt(summary.median), fmt(summary.min), fmt(summary.max)] : ['-', '-', '-'];

interface Analysis {
  roller: Record<'cold' | 'warm', Record<string, Summary>>;
  reference: Record<string, Summary>;
  pooled: Record<string, Summary>;
  comparisons: {
    name: string;
    roller: string;
    sequential: string;
    rollerMs: Summary;
    sequentialMs: Summary;
    /** Median of roller / sequential per repetition (same repetition pairs). */
    ratio: Summary;
  }[];
  perTarget: Record<string, Record<string, Summary>>;
  bulkwalk: {
    ip: string;
    subtrees: number;
    rows: number;
    rollerReadMs: Summary;
    bulkwalkMs: Summary;
    failures: string[];
  }[];
  cpu: Record<string, { otherCores: Summary; labCores: Summary; benchCores: Summary }>;
}

function analyse(report: BenchReport): Analysis {
  const reps = report.repetitions;
  const rollerFigures = (pick: (rep: Repetition) => RollerSample | undefined): Record<string, Summary> => {
    const samples = reps.map(pick).filter((sample): sample is RollerSample => sample !== undefined);
    if (samples.length === 0) return {};
    const out: Record<string, Summary> = {
      total: summarise(samples.map((sample) => sample.totalMs)),
      duration: summarise(samples.map((sample) => sample.durationMs)),
      queue: summarise(samples.map((sample) => sample.queueMs)),
      other: summarise(samples.map((sample) => sample.otherMs)),
    };
    for (const stage of STAGES) out[stage] = summarise(samples.map((sample) => sample.stageMs[stage] ?? Number.NaN));
    return out;
  };
  const totals = reps.map((rep) => rep.reference.response.totals);
  const reference: Record<string, Summary> = {};
  for (const key of Object.keys(totals[0] ?? {}) as (keyof ProbeResponse['totals'])[]) {
    reference[key] = summarise(totals.map((entry) => entry[key]));
  }
  reference.outer = summarise(reps.map((rep) => rep.reference.outerMs));
  const pooledReps = reps.map((rep) => rep.pooled?.response).filter((entry) => entry !== undefined);
  const pooled: Record<string, Summary> =
    pooledReps.length === 0
      ? {}
      : {
          enrichmentMs: summarise(pooledReps.map((entry) => entry.enrichmentMs)),
          longestTaskMs: summarise(pooledReps.map((entry) => Math.max(...Object.values(entry.taskMs)))),
          portScanMs: summarise(pooledReps.map((entry) => entry.portScanMs)),
          nmapGroupMs: summarise(pooledReps.flatMap((entry) => entry.nmapGroups.map((group) => group.ms))),
        };
  reference.bulkwalk = summarise(reps.map((rep) => rep.reference.response.bulkwalkMs));

  const pair = (
    name: string,
    roller: string,
    sequential: string,
    rollerOf: (rep: Repetition) => number,
    sequentialOf: (rep: Repetition) => number,
  ): Analysis['comparisons'][number] => ({
    name,
    roller,
    sequential,
    rollerMs: summarise(reps.map(rollerOf)),
    sequentialMs: summarise(reps.map(sequentialOf)),
    ratio: summarise(
      reps.map((rep) => rollerOf(rep) / sequentialOf(rep)),
      3,
    ),
  });
  const stage = (sample: RollerSample | undefined, name: string): number => sample?.stageMs[name] ?? Number.NaN;
  const pooledAll = reps.every((rep) => rep.pooled);
  const warmAll = reps.every((rep) => rep.warm);
  const comparisons = [
    pair(
      'enrichment, cold',
      'enrichment stage (Roller, pooled)',
      'names + browse + SNMP, one target at a time',
      (rep) => stage(rep.cold, 'enrichment'),
      (rep) => rep.reference.response.totals.enrichmentMs,
    ),
    ...(pooledAll
      ? [
          pair(
            'enrichment, cold, vs pooled probes',
            'enrichment stage (Roller, pooled)',
            'the same probes pooled as Roller, no database',
            (rep) => stage(rep.cold, 'enrichment'),
            (rep) => rep.pooled?.response.enrichmentMs ?? Number.NaN,
          ),
        ]
      : []),
    pair(
      'port scan, cold',
      'port_scan stage (Roller, grouped nmap)',
      'one nmap per target, one after another',
      (rep) => stage(rep.cold, 'port_scan'),
      (rep) => rep.reference.response.totals.nmapMs,
    ),
    ...(pooledAll
      ? [
          pair(
            'port scan, cold, vs pooled nmap',
            'port_scan stage (Roller, grouped nmap)',
            "Roller's nmap groups side by side, no database",
            (rep) => stage(rep.cold, 'port_scan'),
            (rep) => rep.pooled?.response.portScanMs ?? Number.NaN,
          ),
        ]
      : []),
    pair(
      'enrichment + port scan, cold',
      'enrichment + port_scan stages',
      'every probe one at a time (loop wall time)',
      (rep) => stage(rep.cold, 'enrichment') + stage(rep.cold, 'port_scan'),
      (rep) => rep.reference.response.totals.loopMs,
    ),
    ...(warmAll
      ? [
          pair(
            'enrichment, warm',
            'enrichment stage, warm (credential hints)',
            'names + browse + SNMP, one target at a time',
            (rep) => stage(rep.warm, 'enrichment'),
            (rep) => rep.reference.response.totals.enrichmentMs,
          ),
          pair(
            'port scan, warm',
            'port_scan stage, warm',
            'one nmap per target, one after another',
            (rep) => stage(rep.warm, 'port_scan'),
            (rep) => rep.reference.response.totals.nmapMs,
          ),
        ]
      : []),
  ];

  const perTarget: Analysis['perTarget'] = {};
  for (const ip of report.targets) {
    const of = (pick: (target: ProbeResponse['targets'][number]) => number): Summary =>
      summarise(
        reps
          .map((rep) => rep.reference.response.targets.find((target) => target.ip === ip))
          .map((t) => (t ? pick(t) : Number.NaN)),
      );
    perTarget[ip] = {
      reverseDns: of((target) => target.reverseDns.ms),
      mdns: of((target) => target.mdns.ms),
      netbios: of((target) => target.netbios.ms),
      snmpProbe: of((target) => target.snmp.probeMs),
      snmpRead: of((target) => target.snmp.readMs),
      nmap: of((target) => target.nmap.ms),
    };
  }

  const bulkIps = [...new Set(reps.flatMap((rep) => rep.reference.response.bulkwalk.map((entry) => entry.ip)))];
  const bulkwalk = bulkIps.map((ip) => {
    const entries = reps
      .map((rep) => rep.reference.response.bulkwalk.find((entry) => entry.ip === ip))
      .filter((entry) => entry !== undefined);
    return {
      ip,
      subtrees: entries[0]?.subtrees ?? 0,
      rows: entries[0]?.rows ?? 0,
      rollerReadMs: summarise(entries.map((entry) => entry.rollerReadMs)),
      bulkwalkMs: summarise(entries.map((entry) => entry.ms)),
      failures: [...new Set(entries.flatMap((entry) => entry.failures))],
    };
  });

  const cpu: Analysis['cpu'] = {};
  const phases: [string, (rep: Repetition) => PhaseCpu | undefined][] = [
    ['roller cold', (rep) => rep.cold.cpu],
    ['roller warm', (rep) => rep.warm?.cpu],
    ['one at a time', (rep) => rep.reference.cpu],
    ['pooled, no database', (rep) => rep.pooled?.cpu],
  ];
  for (const [name, pick] of phases) {
    const list = reps.map(pick).filter((entry): entry is PhaseCpu => entry !== undefined);
    if (list.length === 0) continue;
    cpu[name] = {
      otherCores: summarise(
        list.map((entry) => entry.otherCores ?? Number.NaN),
        2,
      ),
      labCores: summarise(
        list.map((entry) => entry.labCores),
        2,
      ),
      benchCores: summarise(
        list.map((entry) => entry.benchCores ?? Number.NaN),
        2,
      ),
    };
  }
  return {
    roller: { cold: rollerFigures((rep) => rep.cold), warm: rollerFigures((rep) => rep.warm) },
    reference,
    pooled,
    comparisons,
    perTarget,
    bulkwalk,
    cpu,
  };
}

function render(report: BenchReport, analysis: Analysis): string {
  const reps = report.repetitions;
  const warm = Object.keys(analysis.roller.warm).length > 0;
  const stageRows: [string, string][] = [
    ['total (started_at → completed_at)', 'total'],
    ['  sweep', 'sweep'],
    ['  fold', 'fold'],
    ['  enrichment', 'enrichment'],
    ['  port_scan', 'port_scan'],
    ['  rest (total − stages)', 'other'],
    ['stats.duration_ms', 'duration'],
    ['queue wait (queued_at → started_at)', 'queue'],
  ];
  const rollerTable = formatTable(
    ['roller deep run, ms', 'cold median', 'min', 'max', ...(warm ? ['warm median', 'min', 'max'] : [])],
    [
      ...stageRows.map(([title, key]) => [
        title,
        ...cells(analysis.roller.cold[key]),
        ...(warm ? cells(analysis.roller.warm[key]) : []),
      ]),
      ['core start → /readyz', ...cells(summarise(reps.map((rep) => rep.coreReadyMs))), ...(warm ? ['', '', ''] : [])],
    ],
  );

  const comparisonTable = formatTable(
    [
      'comparison (median over repetitions)',
      'roller ms',
      'one at a time ms',
      'roller / one at a time',
      'min–max ratio',
    ],
    analysis.comparisons.map((entry) => [
      `${entry.roller} vs ${entry.sequential}`,
      fmt(entry.rollerMs.median),
      fmt(entry.sequentialMs.median),
      `${fmt(entry.ratio.median, 3)}×`,
      `${fmt(entry.ratio.min, 3)}–${fmt(entry.ratio.max, 3)}×`,
    ]),
  );

  const ref = analysis.reference;
  const n = report.targets.length;
  const refRows: [string, string][] = [
    ['reverse DNS (lab dnsmasq)', 'reverseDnsMs'],
    ['mDNS reverse', 'mdnsMs'],
    ['NetBIOS node status', 'netbiosMs'],
    ['DNS-SD browse (once per run)', 'browseMs'],
    ['SNMP probe (credential sets + system GET)', 'snmpProbeMs'],
    ['SNMP walks (device.read)', 'snmpReadMs'],
    ['= enrichment probes', 'enrichmentMs'],
    ['nmap, one per target', 'nmapMs'],
    ['loop wall time (all of the above)', 'loopMs'],
    ['helper process (ip netns exec … tsx, outside)', 'outer'],
  ];
  const referenceTable = formatTable(
    [`one target at a time (${n} targets), ms`, 'median', 'min', 'max', 'per target'],
    refRows.map(([title, key]) => [
      title,
      ...cells(ref[key]),
      key === 'browseMs' || key === 'outer' || key === 'loopMs' ? '' : fmt((ref[key]?.median ?? Number.NaN) / n),
    ]),
  );

  const groups = reps.find((rep) => rep.pooled)?.pooled?.response.nmapGroups ?? [];
  const pooledTable =
    Object.keys(analysis.pooled).length === 0
      ? 'pooled as Roller: not run'
      : formatTable(
          ['the same probes pooled as Roller, no database, ms', 'median', 'min', 'max'],
          (
            [
              ['enrichment probes (openNameLookups, enrichWorkers pool)', 'enrichmentMs'],
              ['  longest pool task (names ‖ SNMP, browse, walks)', 'longestTaskMs'],
              [
                `nmap groups (${groups.length} × ≤${Math.max(0, ...groups.map((g) => g.ips.length))} hosts, side by side)`,
                'portScanMs',
              ],
              ['  one nmap group (every group, every repetition)', 'nmapGroupMs'],
            ] as const
          ).map(([title, key]) => [title, ...cells(analysis.pooled[key])]),
        );

  const last = reps.at(-1)?.reference.response;
  const perTargetTable = formatTable(
    ['target (median ms)', 'rDNS', 'mDNS', 'NetBIOS', 'SNMP probe', 'SNMP walks', 'nmap', 'found (last repetition)'],
    report.targets.map((ip) => {
      const figures = analysis.perTarget[ip] ?? {};
      const target = last?.targets.find((entry) => entry.ip === ip);
      const found = [
        target?.reverseDns.ok ? `dns ${target.reverseDns.detail}` : '',
        target?.mdns.ok ? `mdns ${target.mdns.detail}` : '',
        target?.netbios.ok ? `nb ${target.netbios.detail}` : '',
        target?.snmp.ok ? `snmp ${target.snmp.credential} (${target.snmp.walks.length} walks)` : '',
        target?.nmap.open.length ? `tcp ${target.nmap.open.join(',')}` : '',
      ]
        .filter(Boolean)
        .join('; ');
      return [
        ip,
        fmt(figures.reverseDns?.median ?? Number.NaN),
        fmt(figures.mdns?.median ?? Number.NaN),
        fmt(figures.netbios?.median ?? Number.NaN),
        fmt(figures.snmpProbe?.median ?? Number.NaN),
        fmt(figures.snmpRead?.median ?? Number.NaN),
        fmt(figures.nmap?.median ?? Number.NaN),
        found || '-',
      ];
    }),
  );

  const bulkTable =
    analysis.bulkwalk.length === 0
      ? 'snmpbulkwalk reference: not run'
      : formatTable(
          [
            'SNMP agent',
            'subtrees',
            'rows',
            "Roller's device.read ms",
            'snmpbulkwalk -v2c ms',
            'bulkwalk / roller',
            'failures',
          ],
          analysis.bulkwalk.map((entry) => [
            entry.ip,
            String(entry.subtrees),
            String(entry.rows),
            fmt(entry.rollerReadMs.median),
            fmt(entry.bulkwalkMs.median),
            `${fmt(entry.bulkwalkMs.median / entry.rollerReadMs.median, 2)}×`,
            entry.failures.length === 0 ? '-' : entry.failures.join('; ').slice(0, 120),
          ]),
        );

  const counterKeys = [
    ...new Set(
      reps.flatMap((rep) => [...Object.keys(rep.cold.enrichment), ...Object.keys(rep.warm?.enrichment ?? {})]),
    ),
  ];
  const portKeys = ['targets', 'attempted', 'succeeded', 'services_written'];
  const counterValues = (pick: (rep: Repetition) => Record<string, unknown> | undefined, key: string): string =>
    [...new Set(reps.map((rep) => String(pick(rep)?.[key] ?? '-')))].join('/');
  const counterTable = formatTable(
    ['counter (every repetition; a/b = differs)', 'cold', ...(warm ? ['warm'] : [])],
    [
      ...counterKeys.map((key) => [
        `enrichment.${key}`,
        counterValues((rep) => rep.cold.enrichment, key),
        ...(warm ? [counterValues((rep) => rep.warm?.enrichment, key)] : []),
      ]),
      ...portKeys.map((key) => [
        `port_scan.${key}`,
        counterValues((rep) => rep.cold.portScan, key),
        ...(warm ? [counterValues((rep) => rep.warm?.portScan, key)] : []),
      ]),
    ],
  );

  const cpuTable = formatTable(
    ['CPU during the phase (cores, median/max)', 'other processes', 'lab (core + daemons)', 'bench + helper'],
    Object.entries(analysis.cpu).map(([name, entry]) => [
      name,
      `${fmt(entry.otherCores.median, 2)}/${fmt(entry.otherCores.max, 2)}`,
      `${fmt(entry.labCores.median, 2)}/${fmt(entry.labCores.max, 2)}`,
      `${fmt(entry.benchCores.median, 2)}/${fmt(entry.benchCores.max, 2)}`,
    ]),
  );

  return [
    `Lab ${report.prefix}: deep run on ${report.scope}, ${report.targets.length} targets (${report.targets.join(', ')}), ${report.repeat} repetitions; fresh core per repetition: cold = empty database, warm = second run on the same database`,
    rollerTable,
    comparisonTable,
    referenceTable,
    pooledTable,
    perTargetTable,
    bulkTable,
    counterTable,
    cpuTable,
    report.problems.length > 0
      ? `problems:\n${report.problems.map((text) => `  - ${text}`).join('\n')}`
      : 'problems: none',
  ].join('\n\n');
}

async function main(): Promise<void> {
  const options = parseArgs(process.argv.slice(2));
  const machine = machineInfo();
  const loadAtStart = machineLoad();
  log(`machine: ${machine.cores} cores (${machine.cpu}), node ${machine.node}, load ${loadAtStart.loadAverage}`);
  const cpuWarnings: string[] = [];
  if (loadAtStart.loadAverage > loadAtStart.cores * 0.25) {
    const text = `load average ${loadAtStart.loadAverage} on ${loadAtStart.cores} cores at start: figures will be noisy`;
    cpuWarnings.push(text);
    log(`warning: ${text}`);
  }
  const check = await checkPrerequisites();
  if (!check.ok) throw new Error(`the lab cannot run here: ${check.reason}`);
  const missing = missingDaemonPrograms(loadTopology());
  if (missing.length > 0) {
    throw new Error(
      `daemon programs missing: ${missing.map((entry) => `${entry.kind} (${entry.package})`).join(', ')}`,
    );
  }
  if (!findProgram('nmap')) throw new Error('nmap not found (apt-get install -y nmap)');
  if (options.bulkwalk && !findProgram('snmpbulkwalk')) {
    log('snmpbulkwalk not found (apt-get install -y snmp): no bulkwalk reference');
    options.bulkwalk = false;
  }
  if (process.cwd() !== REPO_ROOT) process.chdir(REPO_ROOT); // the helper path is relative to the repository

  const report = await labBench(options, cpuWarnings);
  const analysis = analyse(report);
  const loadAtEnd = machineLoad();
  const document = {
    benchmark: 'enrichment-lab',
    generatedAt: new Date().toISOString(),
    machine: { ...machine, loadAverageAtStart: loadAtStart.loadAverage, loadAverageAtEnd: loadAtEnd.loadAverage },
    options,
    notes: [
      'times in ms; roller figures are server timestamps (started_at → completed_at) and stats.stage_ms',
      'one-at-a-time figures are timed inside the scanner namespace by the helper (performance.now), without node/tsx start-up; "outer" includes it',
      "the one-at-a-time reference runs Roller's own probe functions with the deep run's settings, no database writes, no credential hint (as a cold run)",
      'ratio = roller / one at a time, per repetition, then median/min/max',
      'snmpbulkwalk: one net-snmp process per subtree Roller walked (process start included), v2c with the lab community; Roller used its first answering credential (v3 on the snmpd host)',
      'cpu: other = machine busy − this process (with reaped children) − every process in the lab namespaces',
    ],
    coreEnv: { ...report.coreEnv, DISCOVERY_SNMP_CREDENTIALS: '(lab credential sets: names only below)' },
    credentialNames: (JSON.parse(report.coreEnv.DISCOVERY_SNMP_CREDENTIALS ?? '[]') as { name: string }[]).map(
      (credential) => credential.name,
    ),
    cpuWarnings,
    lab: { prefix: report.prefix, scope: report.scope, targets: report.targets, repeat: report.repeat },
    analysis,
    repetitions: report.repetitions,
    problems: report.problems,
  };
  mkdirSync(RESULTS_DIR, { recursive: true });
  const file = new URL(`enrichment-${document.generatedAt.replace(/[:.]/g, '-')}.json`, RESULTS_DIR);
  writeFileSync(file, `${JSON.stringify(document, null, 2)}\n`);
  const warnings =
    cpuWarnings.length > 0
      ? `\n\nWARNING: other processes were busy; figures are noisy:\n${cpuWarnings.map((text) => `  - ${text}`).join('\n')}`
      : '';
  process.stdout.write(`\n${render(report, analysis)}${warnings}\n\n${JSON.stringify(document, null, 2)}\n`);
  log(`written to ${file.pathname}`);
}

main().catch((error: unknown) => {
  if (interruptedBySignal) return; // the signal handler exits (130) once the lab is down
  process.stderr.write(`bench failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});
