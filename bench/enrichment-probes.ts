/**
 * Helper of bench/enrichment-lab.ts, run INSIDE the lab's scanner namespace:
 *   ip netns exec <prefix>-scan node --import tsx bench/enrichment-probes.ts < request.json
 *
 * Runs the probes of Roller's enrichment and port-scan stages one target at a time, with Roller's own functions
 * and the settings a deep run gets from the same environment (loadConfig → enrichmentConfig, effectiveSettings
 * 'deep'), and times each probe with performance.now() (node and tsx start-up are not counted):
 *   - the DNS-SD browse, once (Roller starts it once per run, when it opens the mDNS session);
 *   - per target, one after another: reverse DNS, mDNS reverse, NetBIOS node status (each through resolveNames
 *     with only that lookup enabled, so the same budget and overrun guard apply), then SNMP (probeSnmp with the
 *     credential sets in order, no preferred one, then device.read with LLDP/CDP as the deep run asks), then
 *     nmap with Roller's argv for this one target (nmapScanArgs([ip], …)) through Roller's ChildProcessRunner;
 *   - optionally, `snmpbulkwalk -v2c` of every subtree Roller walked on each agent that answered, one call per
 *     subtree (a net-snmp command-line reference; each call includes a process start).
 * Prints one JSON document on stdout. Refuses to run in a namespace that has a default route, and to probe
 * anything outside the request's scope, so it never sends a packet out of the lab.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '../src/config/config.ts';
import { configuredRunSettings } from '../src/config/run-settings.ts';
import type { EnrichmentConfig } from '../src/discovery/enrichment-context.ts';
import { ChildProcessRunner } from '../src/discovery/exec/process-runner.ts';
import type { LookupOutcome } from '../src/discovery/names/lookup.types.ts';
import { MdnsSession } from '../src/discovery/names/mdns.ts';
import { openNameLookups } from '../src/discovery/names/name-lookups.ts';
import { netbiosNodeStatus } from '../src/discovery/names/netbios.ts';
import {
  type NameBudgets,
  type NameFindings,
  type NameLookupSet,
  resolveNames,
} from '../src/discovery/names/resolve-names.ts';
import { parseResolverAddress } from '../src/discovery/names/resolver-address.parse.ts';
import { reverseDns } from '../src/discovery/names/reverse-dns.ts';
import { mapPool } from '../src/discovery/pool.ts';
import { MAX_NMAP_TARGETS, nmapProcessTimeoutMs, nmapScanArgs } from '../src/discovery/probes/nmap.args.ts';
import { parseNmapXml } from '../src/discovery/probes/nmap.parse.ts';
import type { SnmpSession } from '../src/discovery/snmp/snmp.types.ts';
import { probeSnmp } from '../src/discovery/snmp/snmp-probe.ts';
import { openSnmpSession } from '../src/discovery/snmp/snmp-session.ts';
import { localSegments } from '../src/discovery/sweep.ts';
import type { NameHint } from '../src/domain/enrichment.types.ts';
import { effectiveSettings, type RunSettings } from '../src/domain/run-settings.ts';
import { cidrListContains } from '../src/domain/scope.ts';
import { enrichmentConfig } from '../src/worker/enrichment-config.ts';

export interface ProbeRequest {
  /** sequential: every probe one target at a time; pooled: the same probes pooled as Roller's stages pool them. */
  mode: 'sequential' | 'pooled';
  /** The DISCOVERY_* variables the core gets (the helper builds its config from these alone). */
  env: Record<string, string>;
  /** Every target must lie inside it. */
  scope: string;
  targets: string[];
  /** v2c community for the snmpbulkwalk reference; null: no bulkwalk. */
  bulkwalkCommunity: string | null;
}

export interface LookupTiming {
  ms: number;
  ok: boolean;
  /** Names found, or the failure kind and text. */
  detail: string;
}

export interface WalkTiming {
  oid: string;
  ms: number;
  rows: number;
  ok: boolean;
  error?: string;
}

export interface TargetTiming {
  ip: string;
  reverseDns: LookupTiming;
  mdns: LookupTiming;
  netbios: LookupTiming;
  snmp: {
    allowed: boolean;
    probeMs: number;
    ok: boolean;
    credential?: string;
    error?: string;
    readMs: number;
    lldp: boolean;
    cdp: boolean;
    walks: WalkTiming[];
    walkFailures: string[];
  };
  nmap: { ms: number; exitCode: number | null; timedOut: boolean; hostTimedOut: boolean; open: number[] };
}

export interface BulkwalkTiming {
  ip: string;
  subtrees: number;
  ms: number;
  rows: number;
  failures: string[];
  /** Roller's own read of the same agent in this helper (device.read, 4 walks in flight). */
  rollerReadMs: number;
}

/**
 * The probes of both stages pooled exactly as enrich() and scanPorts() pool them (openNameLookups, enrichWorkers,
 * names and SNMP side by side per target, the browse awaited per target; nmap groups of
 * ceil(targets / portScanWorkers) hosts, portScanWorkers at a time), without a database: the stage time less
 * this is what storage and bookkeeping cost.
 */
export interface PooledResponse {
  mode: 'pooled';
  enrichmentMs: number;
  /** Per target: names + SNMP probe + browse wait + walks, as one pool task. */
  taskMs: Record<string, number>;
  snmpOk: number;
  portScanMs: number;
  nmapGroups: { ips: string[]; ms: number; exitCode: number | null }[];
  warnings: string[];
}

export interface ProbeResponse {
  mode: 'sequential';
  settings: Record<string, unknown>;
  mdnsInterfaces: string[];
  mdnsOpenMs: number;
  browse: { ms: number; complete: boolean; hosts: number; questionsSent: number };
  targets: TargetTiming[];
  totals: {
    reverseDnsMs: number;
    mdnsMs: number;
    netbiosMs: number;
    browseMs: number;
    namesMs: number;
    snmpProbeMs: number;
    snmpReadMs: number;
    snmpMs: number;
    /** Names + browse + SNMP: what Roller's enrichment stage runs. */
    enrichmentMs: number;
    nmapMs: number;
    /** Wall time of the whole sequential loop (browse, names, SNMP, nmap), glue included. */
    loopMs: number;
  };
  bulkwalk: BulkwalkTiming[];
  bulkwalkMs: number;
  warnings: string[];
}

const NEVER = new AbortController().signal;

function hasDefaultRoute(): boolean {
  const lines = readFileSync('/proc/net/route', 'utf8').trim().split('\n').slice(1);
  return lines.some((line) => line.trim().split(/\s+/)[1] === '00000000');
}

function names(outcome: LookupOutcome<NameHint[]>): LookupOutcome<NameFindings> {
  return outcome.ok ? { ok: true, value: { names: outcome.value } } : outcome;
}

/** One lookup through resolveNames (its budget and overrun guard), timed. */
async function timedLookup(
  ip: string,
  key: keyof NameLookupSet,
  lookup: NonNullable<NameLookupSet[keyof NameLookupSet]> | undefined,
  budgets: { reverseDnsMs: number; mdnsMs: number; netbiosMs: number },
): Promise<LookupTiming> {
  if (!lookup) return { ms: 0, ok: false, detail: 'not available' };
  const started = performance.now();
  const resolution = await resolveNames(ip, { [key]: lookup }, budgets, NEVER);
  const ms = performance.now() - started;
  const failure = resolution.failures[0];
  return failure
    ? { ms, ok: false, detail: `${failure.kind}: ${failure.error}` }
    : { ms, ok: true, detail: resolution.names.map((hint) => hint.name).join(',') };
}

interface Setup {
  request: ProbeRequest;
  config: EnrichmentConfig;
  settings: RunSettings;
  budgets: NameBudgets;
  runner: ChildProcessRunner;
  nmap: string;
  warnings: string[];
}

function setUp(request: ProbeRequest): Setup {
  if (hasDefaultRoute()) throw new Error('refusing to run: this network namespace has a default route');
  const outside = request.targets.filter((ip) => !cidrListContains([request.scope], ip));
  if (outside.length > 0) throw new Error(`refusing to probe targets outside ${request.scope}: ${outside.join(', ')}`);

  const discovery = loadConfig(request.env).discovery;
  const config = enrichmentConfig(discovery);
  const settings = effectiveSettings(configuredRunSettings(discovery), 'deep', []);
  if (config.names.dnsServers.length === 0)
    throw new Error('refusing to run without DISCOVERY_DNS_SERVERS (the system resolvers)');
  for (const server of config.names.dnsServers) {
    const address = parseResolverAddress(server)?.address;
    if (!address || !cidrListContains([request.scope], address)) {
      throw new Error(`refusing to use DNS server ${server}: not inside ${request.scope}`);
    }
  }
  const budgets = {
    reverseDnsMs: config.names.dnsTimeoutMs,
    mdnsMs: config.names.mdnsTimeoutMs,
    netbiosMs: config.names.netbiosTimeoutMs,
  };
  const warnings: string[] = [];
  const runner = new ChildProcessRunner();
  const nmap = runner.which('nmap');
  if (!nmap) throw new Error('nmap not found in PATH');
  return { request, config, settings, budgets, runner, nmap, warnings };
}

async function main(): Promise<void> {
  const setup = setUp(JSON.parse(readFileSync(0, 'utf8')) as ProbeRequest);
  const response = setup.request.mode === 'pooled' ? await pooled(setup) : await sequential(setup);
  process.stdout.write(`${JSON.stringify(response)}\n`);
}

async function pooled({ request, config, settings, runner, nmap, warnings }: Setup): Promise<PooledResponse> {
  const taskMs: Record<string, number> = {};
  let snmpOk = 0;
  const enrichmentStarted = performance.now();
  const lookups = settings.nameResolution
    ? await openNameLookups(
        config.names,
        localSegments().map((segment) => segment.address),
      )
    : undefined;
  try {
    await mapPool(request.targets, settings.enrichWorkers, async (ip) => {
      const started = performance.now();
      const snmpAllowed =
        settings.snmp && (config.snmp.allowlist.length === 0 || cidrListContains(config.snmp.allowlist, ip));
      const [, snmp] = await Promise.all([
        lookups?.resolve(ip, NEVER),
        snmpAllowed ? probeSnmp(ip, config.snmp, undefined, NEVER) : undefined,
      ]);
      await lookups?.browse();
      if (snmp?.ok) {
        snmpOk++;
        const topology = cidrListContains(config.topologyAllowlist, ip);
        try {
          await snmp.device.read({ lldp: settings.lldp && topology, cdp: settings.cdp && topology, signal: NEVER });
        } finally {
          snmp.device.close();
        }
      }
      taskMs[ip] = performance.now() - started;
    });
    await lookups?.browse();
  } finally {
    await lookups?.close();
  }
  const enrichmentMs = performance.now() - enrichmentStarted;

  const portScanStarted = performance.now();
  const groupSize = Math.min(
    MAX_NMAP_TARGETS,
    Math.max(1, Math.ceil(request.targets.length / settings.portScanWorkers)),
  );
  const groups: string[][] = [];
  for (let start = 0; start < request.targets.length; start += groupSize) {
    groups.push(request.targets.slice(start, start + groupSize));
  }
  const nmapGroups = await mapPool(groups, settings.portScanWorkers, async (ips) => {
    const started = performance.now();
    const result = await runner.run({
      command: nmap,
      args: nmapScanArgs(ips, { ports: config.portScan.ports, hostTimeoutMs: settings.portScanTimeoutMs }),
      timeoutMs: nmapProcessTimeoutMs(settings.portScanTimeoutMs),
    });
    if (result.exitCode !== 0 || result.timedOut) warnings.push(`nmap ${ips.join(' ')}: exit ${result.exitCode}`);
    return { ips, ms: performance.now() - started, exitCode: result.exitCode };
  });
  return {
    mode: 'pooled',
    enrichmentMs,
    taskMs,
    snmpOk,
    portScanMs: performance.now() - portScanStarted,
    nmapGroups,
    warnings,
  };
}

async function sequential({
  request,
  config,
  settings,
  budgets,
  runner,
  nmap,
  warnings,
}: Setup): Promise<ProbeResponse> {
  const loopStarted = performance.now();
  // mDNS: one session on the scanner's interfaces, as RunNameLookups.open does; the browse runs alone here.
  const interfaces = localSegments().map((segment) => segment.address);
  const openStarted = performance.now();
  const opened = await MdnsSession.open({ interfaces });
  const mdnsOpenMs = performance.now() - openStarted;
  const session = opened.ok ? opened.value : undefined;
  if (!opened.ok) warnings.push(`mDNS unavailable: ${opened.error}`);
  const browseStarted = performance.now();
  const browsed =
    session && config.names.mdnsBrowseMs > 0
      ? await session.browse({ budgetMs: config.names.mdnsBrowseMs })
      : undefined;
  const browse = {
    ms: performance.now() - browseStarted,
    complete: browsed?.complete ?? true,
    hosts: browsed?.hosts.length ?? 0,
    questionsSent: browsed?.questionsSent ?? 0,
  };

  const lookups: NameLookupSet = {
    reverseDns: async (ip, timeoutMs, signal) =>
      names(await reverseDns(ip, { servers: config.names.dnsServers, timeoutMs, signal })),
    netbios: (ip, timeoutMs, signal) => netbiosNodeStatus(ip, { timeoutMs, signal }),
    ...(session
      ? {
          mdns: async (ip: string, timeoutMs: number, signal: AbortSignal) =>
            names(await session.reverse(ip, { timeoutMs, signal })),
        }
      : {}),
  };

  const results: TargetTiming[] = [];
  const walkedByTarget = new Map<string, string[]>();
  try {
    for (const ip of request.targets) {
      const reverse = await timedLookup(ip, 'reverseDns', lookups.reverseDns, budgets);
      const mdns = await timedLookup(ip, 'mdns', lookups.mdns, budgets);
      const netbios = await timedLookup(ip, 'netbios', lookups.netbios, budgets);

      // SNMP as enrich() runs it: allowlist, credentials in order (a fresh database has no hint), then the walks.
      const allowed =
        settings.snmp && (config.snmp.allowlist.length === 0 || cidrListContains(config.snmp.allowlist, ip));
      const topology = cidrListContains(config.topologyAllowlist, ip);
      const lldp = settings.lldp && topology;
      const cdp = settings.cdp && topology;
      const walks: WalkTiming[] = [];
      const recording = (
        target: string,
        credential: Parameters<typeof openSnmpSession>[1],
        options: Parameters<typeof openSnmpSession>[2],
      ): SnmpSession => {
        const inner = openSnmpSession(target, credential, options);
        return {
          get: (oids) => inner.get(oids),
          async walk(rootOid, walkOptions) {
            const started = performance.now();
            try {
              const rows = await inner.walk(rootOid, walkOptions);
              walks.push({ oid: rootOid, ms: performance.now() - started, rows: rows.length, ok: true });
              return rows;
            } catch (error) {
              walks.push({ oid: rootOid, ms: performance.now() - started, rows: 0, ok: false, error: String(error) });
              throw error;
            }
          },
          close: () => inner.close(),
        };
      };
      const snmp: TargetTiming['snmp'] = {
        allowed,
        probeMs: 0,
        ok: false,
        readMs: 0,
        lldp,
        cdp,
        walks,
        walkFailures: [],
      };
      if (allowed) {
        const probeStarted = performance.now();
        const probe = await probeSnmp(ip, config.snmp, undefined, NEVER, recording);
        snmp.probeMs = performance.now() - probeStarted;
        if (probe.ok) {
          snmp.ok = true;
          snmp.credential = probe.credential;
          const readStarted = performance.now();
          try {
            const read = await probe.device.read({ lldp, cdp, signal: NEVER });
            snmp.readMs = performance.now() - readStarted;
            for (const walk of ['interfaces', 'addresses', 'vlans', 'fdb', 'lldp', 'cdp'] as const) {
              const outcome = read[walk];
              if (outcome && !outcome.ok) snmp.walkFailures.push(`${walk}: ${outcome.error}`);
            }
          } finally {
            probe.device.close();
          }
          walkedByTarget.set(
            ip,
            walks.map((walk) => walk.oid),
          );
        } else {
          snmp.error = probe.error;
        }
      }

      // nmap with Roller's argv for this one target, as port-scan-stage.ts runs a group.
      const nmapStarted = performance.now();
      const result = await runner.run({
        command: nmap,
        args: nmapScanArgs([ip], { ports: config.portScan.ports, hostTimeoutMs: settings.portScanTimeoutMs }),
        timeoutMs: nmapProcessTimeoutMs(settings.portScanTimeoutMs),
      });
      const nmapMs = performance.now() - nmapStarted;
      const parsed = result.exitCode === 0 ? parseNmapXml(result.stdout) : undefined;
      const host = parsed?.ok ? parsed.value.hosts.find((entry) => entry.ip === ip) : undefined;
      if (result.exitCode !== 0 || result.timedOut)
        warnings.push(`nmap ${ip}: exit ${result.exitCode}${result.timedOut ? ' (timed out)' : ''}`);
      results.push({
        ip,
        reverseDns: reverse,
        mdns,
        netbios,
        snmp,
        nmap: {
          ms: nmapMs,
          exitCode: result.exitCode,
          timedOut: result.timedOut,
          hostTimedOut: host?.timedOut ?? false,
          open: (host?.services ?? []).map((service) => service.port).sort((a, b) => a - b),
        },
      });
    }
  } finally {
    await session?.close();
  }
  const loopMs = performance.now() - loopStarted;

  // net-snmp's command-line walker over the same subtrees, one process per subtree.
  const bulkwalk: BulkwalkTiming[] = [];
  let bulkwalkMs = 0;
  const snmpbulkwalk = request.bulkwalkCommunity === null ? undefined : runner.which('snmpbulkwalk');
  if (request.bulkwalkCommunity !== null && !snmpbulkwalk)
    warnings.push('snmpbulkwalk not found: no bulkwalk reference');
  if (snmpbulkwalk && request.bulkwalkCommunity !== null) {
    const persistent = mkdtempSync(join(tmpdir(), 'rlbench-snmp-'));
    try {
      const timeoutSeconds = String(config.snmp.timeoutMs / 1000);
      for (const [ip, subtrees] of walkedByTarget) {
        const entry: BulkwalkTiming = {
          ip,
          subtrees: subtrees.length,
          ms: 0,
          rows: 0,
          failures: [],
          rollerReadMs: results.find((target) => target.ip === ip)?.snmp.readMs ?? 0,
        };
        const started = performance.now();
        for (const oid of subtrees) {
          const result = await runner.run({
            command: snmpbulkwalk,
            args: [
              '-v2c',
              '-c',
              request.bulkwalkCommunity,
              `-Cr${config.snmp.maxRepetitions}`,
              '-t',
              timeoutSeconds,
              '-r',
              String(config.snmp.retries),
              '-On',
              ip,
              oid,
            ],
            timeoutMs: 30_000,
            env: { PATH: process.env.PATH ?? '/usr/bin:/bin', LC_ALL: 'C', MIBS: '', SNMP_PERSISTENT_DIR: persistent },
          });
          const lines = result.stdout.split('\n').filter((line) => line.startsWith('.'));
          entry.rows += lines.length;
          if (result.exitCode !== 0)
            entry.failures.push(`${oid}: exit ${result.exitCode} ${result.stderr.trim().slice(0, 200)}`);
        }
        entry.ms = performance.now() - started;
        bulkwalkMs += entry.ms;
        bulkwalk.push(entry);
      }
    } finally {
      rmSync(persistent, { recursive: true, force: true });
    }
  }

  const sum = (pick: (target: TargetTiming) => number): number =>
    results.reduce((total, target) => total + pick(target), 0);
  const reverseDnsMs = sum((target) => target.reverseDns.ms);
  const mdnsMs = sum((target) => target.mdns.ms);
  const netbiosMs = sum((target) => target.netbios.ms);
  const snmpProbeMs = sum((target) => target.snmp.probeMs);
  const snmpReadMs = sum((target) => target.snmp.readMs);
  const namesMs = reverseDnsMs + mdnsMs + netbiosMs;
  return {
    mode: 'sequential',
    settings: {
      names: { ...config.names, dnsServers: [...config.names.dnsServers] },
      snmp: {
        credentials: config.snmp.credentials.map((credential) => credential.name),
        allowlist: config.snmp.allowlist,
        timeoutMs: config.snmp.timeoutMs,
        retries: config.snmp.retries,
        maxRepetitions: config.snmp.maxRepetitions,
      },
      topologyAllowlist: config.topologyAllowlist,
      lldp: settings.lldp,
      cdp: settings.cdp,
      portScan: { ports: config.portScan.ports, hostTimeoutMs: settings.portScanTimeoutMs },
    },
    mdnsInterfaces: interfaces,
    mdnsOpenMs,
    browse,
    targets: results,
    totals: {
      reverseDnsMs,
      mdnsMs,
      netbiosMs,
      browseMs: browse.ms,
      namesMs,
      snmpProbeMs,
      snmpReadMs,
      snmpMs: snmpProbeMs + snmpReadMs,
      enrichmentMs: namesMs + browse.ms + snmpProbeMs + snmpReadMs,
      nmapMs: sum((target) => target.nmap.ms),
      loopMs,
    },
    bulkwalk,
    bulkwalkMs,
    warnings,
  };
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    process.stderr.write(
      `enrichment-probes failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
    );
    process.exit(1);
  },
);
