import { networkInterfaces } from 'node:os';
import { ipv4ToBigInt } from '../shared/ip-math.ts';
import type { ProcessRunner } from './exec/process-runner.ts';
import { mapPool } from './pool.ts';
import { failed, ok, type ProbeOutcome, skipped } from './probe.ts';
import { arpScanArgs, parseArpScan } from './probes/arp-scan.args.ts';
import { fpingPreflightArgs, fpingSweepArgs, parseFpingAlive } from './probes/fping.args.ts';
import { classifyPingFailure, pingArgs, pingPreflightArgs } from './probes/ping.args.ts';
import { LIVENESS_PORTS, tcpAlive } from './probes/tcp-liveness.ts';

export type LivenessMethod = 'fping' | 'ping' | 'tcp';

export interface LivenessPlan {
  method: LivenessMethod;
  /** Why a cheaper method was not used (written to the run log). */
  notes: string[];
  pingAvailable: boolean;
}

export interface SweepOptions {
  timeoutMs: number;
  retries: number;
  workers: number;
  signal: AbortSignal;
  onProgress?: (done: number, total: number) => void;
}

/**
 * Chooses how to test liveness: fping (one process, raw ICMP) when it may open a raw socket;
 * otherwise a pool of `ping` when that works unprivileged; otherwise TCP connects. The SPEC's
 * preflight texts are kept as notes so operators see why (`ping not found in PATH`, `ping not
 * permitted (missing CAP_NET_RAW?): …`).
 */
export async function planLiveness(
  runner: ProcessRunner,
  timeoutMs: number,
  signal: AbortSignal,
): Promise<LivenessPlan> {
  const notes: string[] = [];
  const fping = runner.which('fping');
  if (fping) {
    const result = await runner.run({
      command: fping,
      args: fpingPreflightArgs(timeoutMs),
      timeoutMs: timeoutMs + 1000,
      signal,
    });
    if (result.exitCode === 0) return { method: 'fping', notes, pingAvailable: true };
    notes.push(
      `fping cannot send raw ICMP here (${oneLine(result.stderr || result.spawnError || `exit ${result.exitCode}`)})`,
    );
  }
  const ping = runner.which('ping');
  if (!ping) {
    notes.push('ping not found in PATH');
    return { method: 'tcp', notes, pingAvailable: false };
  }
  const result = await runner.run({
    command: ping,
    args: pingPreflightArgs(),
    timeoutMs: Math.max(timeoutMs, 1500),
    signal,
  });
  if (result.exitCode === 0) return { method: 'ping', notes, pingAvailable: true };
  const output = oneLine(`${result.stdout}${result.stderr}`) || result.spawnError || `exit ${result.exitCode}`;
  notes.push(
    classifyPingFailure(output) === 'not_permitted'
      ? `ping not permitted (missing CAP_NET_RAW?): ${output}`
      : `ping failed: ${output}`,
  );
  return { method: 'tcp', notes, pingAvailable: true };
}

/** Runs the chosen liveness probe over every target; returns the addresses that answered. */
export async function sweep(
  runner: ProcessRunner,
  method: LivenessMethod,
  targets: readonly string[],
  options: SweepOptions,
): Promise<ProbeOutcome<string[]>> {
  if (targets.length === 0) return ok([]);
  if (method === 'fping') {
    const fping = runner.which('fping') as string;
    const intervalMs = 1;
    // fping's own worst case (all targets dead), plus slack; the run's deadline still applies.
    const expectedMs = targets.length * intervalMs + options.timeoutMs * (options.retries + 1) + 2000;
    const started = Date.now();
    const ticker = setInterval(
      () =>
        options.onProgress?.(
          Math.min(targets.length, Math.floor(((Date.now() - started) / expectedMs) * targets.length)),
          targets.length,
        ),
      500,
    );
    try {
      const result = await runner.run({
        command: fping,
        args: fpingSweepArgs({ timeoutMs: options.timeoutMs, retries: options.retries, intervalMs }),
        input: `${targets.join('\n')}\n`,
        timeoutMs: expectedMs * 2,
        signal: options.signal,
      });
      if (result.aborted) return failed('aborted');
      // Exit 1 only means "some targets did not answer".
      if (result.exitCode !== 0 && result.exitCode !== 1) {
        return failed(
          `fping exited ${result.exitCode ?? result.signal}: ${oneLine(result.stderr) || result.spawnError || ''}`,
        );
      }
      options.onProgress?.(targets.length, targets.length);
      return ok(parseFpingAlive(result.stdout));
    } finally {
      clearInterval(ticker);
    }
  }
  let done = 0;
  const probe =
    method === 'ping'
      ? async (ip: string) => {
          const ping = runner.which('ping') as string;
          const result = await runner.run({
            command: ping,
            args: pingArgs(ip, options.timeoutMs),
            timeoutMs: options.timeoutMs + 1000,
            signal: options.signal,
          });
          return result.exitCode === 0;
        }
      : (ip: string) => tcpAlive(ip, LIVENESS_PORTS, options.timeoutMs, options.signal);
  const answers = await mapPool(
    targets,
    options.workers,
    async (ip) => {
      const alive = await probe(ip);
      done += 1;
      options.onProgress?.(done, targets.length);
      return alive ? ip : undefined;
    },
    options.signal,
  );
  if (options.signal.aborted) return failed('aborted');
  return ok(answers.filter((ip): ip is string => ip !== undefined));
}

export interface LocalSegment {
  iface: string;
  address: string;
  /** The interface's own MAC (undefined for interfaces without one). */
  mac: string | undefined;
  network: bigint;
  bits: number;
}

/** IPv4 networks this host (or namespace) sits on, for ARP on local segments. */
export function localSegments(): LocalSegment[] {
  const segments: LocalSegment[] = [];
  for (const [iface, addresses] of Object.entries(networkInterfaces())) {
    for (const address of addresses ?? []) {
      if (address.family !== 'IPv4' || address.internal || !address.cidr) continue;
      const bits = Number(address.cidr.split('/')[1]);
      if (bits < 8) continue;
      const hostBits = BigInt(32 - bits);
      const mac = address.mac && address.mac !== '00:00:00:00:00:00' ? address.mac.toLowerCase() : undefined;
      segments.push({
        iface,
        address: address.address,
        mac,
        network: (ipv4ToBigInt(address.address) >> hostBits) << hostBits,
        bits,
      });
    }
  }
  return segments;
}

export function onSegment(segment: LocalSegment, ip: string): boolean {
  const hostBits = BigInt(32 - segment.bits);
  return ipv4ToBigInt(ip) >> hostBits === segment.network >> hostBits;
}

/** Active ARP on each local segment the targets touch (arp-scan; needs raw sockets). */
export async function arpScan(
  runner: ProcessRunner,
  targets: readonly string[],
  options: { timeoutMs: number; retries: number; signal: AbortSignal; segments?: readonly LocalSegment[] },
): Promise<ProbeOutcome<{ found: { ip: string; mac: string }[]; interfaces: string[] }>> {
  const command = runner.which('arp-scan');
  if (!command) return skipped('arp-scan not installed');
  const segments = options.segments ?? localSegments();
  const bySegment = segments
    .map((segment) => ({
      segment,
      targets: targets.filter((ip) => ip !== segment.address && onSegment(segment, ip)),
    }))
    .filter((entry) => entry.targets.length > 0);
  if (bySegment.length === 0) return skipped('no target is on a local segment');
  const results = await Promise.all(
    bySegment.map(({ segment, targets: segmentTargets }) =>
      runner.run({
        command,
        args: arpScanArgs({ iface: segment.iface, timeoutMs: options.timeoutMs, retries: options.retries }),
        input: `${segmentTargets.join('\n')}\n`,
        timeoutMs: 30_000 + segmentTargets.length * 10,
        signal: options.signal,
      }),
    ),
  );
  const found: { ip: string; mac: string }[] = [];
  const problems: string[] = [];
  results.forEach((result, index) => {
    if (result.exitCode === 0) found.push(...parseArpScan(result.stdout));
    else
      problems.push(
        `${bySegment[index]?.segment.iface}: ${oneLine(result.stderr) || result.spawnError || `exit ${result.exitCode}`}`,
      );
  });
  if (problems.length === results.length) return skipped(`arp-scan not usable (${problems.join('; ')})`);
  return ok({ found, interfaces: bySegment.map((entry) => entry.segment.iface) });
}

function oneLine(text: string): string {
  return text.replace(/\s+/g, ' ').trim().slice(0, 300);
}
