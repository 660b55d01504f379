import { cidrListContains } from '../domain/scope.ts';
import { mapPool } from './pool.ts';
import { MAX_NMAP_TARGETS, nmapProcessTimeoutMs, nmapScanArgs } from './probes/nmap.args.ts';
import { parseNmapXml } from './probes/nmap.parse.ts';
import type { RunContext } from './run-context.ts';

export interface PortScanResult {
  stats: Record<string, unknown>;
  /** The run log line: `port scan skipped: <reason>` or the counters, zeros included (G-28). */
  line: string;
}

/**
 * Port scan (SPEC §5.10, with G-20 and G-28 fixed): a TCP connect scan with nmap of the first
 * address of each device inside the allowlist, up to the max targets, by a pool of workers. Open
 * ports are upserted; a port the scan covered and no longer found open is marked closed. A scan
 * that failed or timed out changes nothing. Auto tags of scanned devices are recomputed.
 */
export async function scanPorts(
  ctx: RunContext,
  targets: readonly { deviceId: string; ip: string }[],
): Promise<PortScanResult> {
  const enrichment = ctx.enrichment;
  const ports = enrichment?.config.portScan.ports ?? [];
  const allowlist = enrichment?.config.portScan.allowlist ?? [];
  if (!enrichment || ports.length === 0 || allowlist.length === 0) {
    return skipped('no_allowlist_or_ports', 'no allowlist or ports configured');
  }
  const nmap = ctx.runner.which('nmap');
  if (!nmap) return skipped('nmap_not_found', 'nmap not found in PATH');
  if (ctx.signal.aborted) return skipped('deadline', 'run budget used up before the scan');

  const seen = new Set<string>();
  const chosen: { deviceId: string; ip: string }[] = [];
  for (const target of targets) {
    if (chosen.length >= ctx.settings.portScanMaxTargets) break;
    if (seen.has(target.deviceId) || !cidrListContains(allowlist, target.ip)) continue;
    seen.add(target.deviceId);
    chosen.push(target);
  }
  const timeoutMs = ctx.settings.portScanTimeoutMs;
  const counters = { targets: chosen.length, attempted: 0, succeeded: 0, services_written: 0 };
  const scanned: string[] = [];
  // Hosts are scanned in groups, one nmap per group and the groups side by side: nmap scans a
  // group's hosts in parallel, so a group takes about one host timeout and costs one process.
  const groupSize = Math.min(MAX_NMAP_TARGETS, Math.max(1, Math.ceil(chosen.length / ctx.settings.portScanWorkers)));
  const groups: (typeof chosen)[] = [];
  for (let start = 0; start < chosen.length; start += groupSize) groups.push(chosen.slice(start, start + groupSize));
  let done = 0;
  ctx.progress('port_scan', 0, chosen.length);
  const results = await mapPool(
    groups,
    ctx.settings.portScanWorkers,
    async (group) => {
      counters.attempted += group.length;
      const result = await ctx.runner.run({
        command: nmap,
        args: nmapScanArgs(
          group.map((target) => target.ip),
          { ports, hostTimeoutMs: timeoutMs },
        ),
        timeoutMs: nmapProcessTimeoutMs(timeoutMs),
        signal: ctx.signal,
      });
      done += group.length;
      ctx.progress('port_scan', done, chosen.length);
      if (result.exitCode !== 0 || result.timedOut || result.aborted) return true;
      const parsed = parseNmapXml(result.stdout);
      if (!parsed.ok) return true;
      for (const target of group) {
        const host = parsed.value.hosts.find((entry) => entry.ip === target.ip);
        // A host nmap gave up on says nothing about which ports are closed.
        if (!host || host.timedOut) continue;
        const written = await enrichment.sink.saveServices(target.deviceId, {
          scannedTcpPorts: ports,
          open: host.services,
        });
        // Added after the await: `+= await` would add to a value read before other groups wrote theirs.
        counters.succeeded += 1;
        counters.services_written += written;
        scanned.push(target.deviceId);
      }
      return true;
    },
    ctx.signal,
  );
  await enrichment.sink.reclassify(scanned);
  const canceled = results.filter((result) => result !== undefined).length < groups.length;
  const timeout = `${timeoutMs}ms`;
  const stats: Record<string, unknown> = {
    enabled: true,
    available: true,
    ...counters,
    ...(canceled ? { canceled: true } : { ports: ports.join(','), timeout }),
  };
  return {
    stats,
    line: `port scan: targets=${counters.targets} attempted=${counters.attempted} succeeded=${counters.succeeded} services=${counters.services_written}`,
  };
}

function skipped(reason: string, words: string): PortScanResult {
  return { stats: { enabled: true, available: false, reason }, line: `port scan skipped: ${words}` };
}
