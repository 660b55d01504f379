import { readFileSync } from 'node:fs';
import { ChildProcessRunner, type ProcessResult } from '../discovery/exec/process-runner.ts';

/**
 * The host half of `roller doctor`: are the discovery tools there, and may they send raw packets?
 * Permission is judged twice: from what grants it (root, a file capability, the ping group range)
 * and by a harmless probe of 127.0.0.1 that only succeeds with it. Nothing but loopback is touched.
 */

export type CheckStatus = 'ok' | 'warn' | 'fail';

export interface CheckResult {
  status: CheckStatus;
  check: string;
  detail: string;
  /** What to do about it; present whenever status is not ok. */
  fix?: string;
}

interface Tool {
  name: 'ping' | 'fping' | 'arp-scan' | 'nmap';
  debianPackage: string;
  versionArgs: string[];
  /** A probe of loopback that needs a raw socket (or ping's unprivileged ICMP) to succeed. */
  probeArgs: string[];
  /** How a probe result proves permission (default: exit status 0). */
  probeProved?: (result: ProcessResult) => boolean;
  /** Without raw packets discovery degrades (warn) or loses the tool's job entirely (fail). */
  withoutRaw: 'warn' | 'fail';
  rawFix: (path: string) => string;
  role: string;
}

const LOOPBACK = '127.0.0.1';

const TOOLS: readonly Tool[] = [
  {
    name: 'ping',
    debianPackage: 'iputils-ping',
    versionArgs: ['-V'],
    probeArgs: ['-c', '1', '-W', '2', '-n', LOOPBACK],
    withoutRaw: 'fail',
    rawFix: (path) =>
      `sudo setcap cap_net_raw+ep ${path}, or allow unprivileged ICMP: sudo sysctl -w net.ipv4.ping_group_range="0 2147483647"`,
    role: 'presence checks',
  },
  {
    name: 'fping',
    debianPackage: 'fping',
    versionArgs: ['-v'],
    probeArgs: ['-c', '1', '-t', '500', LOOPBACK],
    withoutRaw: 'warn',
    // fping without a raw socket reports every host unreachable (fping 5.1): discovery then uses ping.
    rawFix: (path) => `sudo setcap cap_net_raw+ep ${path} (without it discovery falls back to ping, which is slower)`,
    role: 'fast sweeps',
  },
  {
    name: 'arp-scan',
    debianPackage: 'arp-scan',
    versionArgs: ['--version'],
    // On lo arp-scan stops before sending anything: "cannot get a MAC for lo" once the capture
    // opened (permitted), a permission error when it could not open it.
    probeArgs: ['-I', 'lo', '-r', '1', '-t', '100', LOOPBACK],
    probeProved: (result) =>
      result.spawnError === undefined &&
      !/permission|not permitted/i.test(`${result.stdout}\n${result.stderr}`) &&
      (result.exitCode === 0 || /MAC address/i.test(result.stderr)),
    withoutRaw: 'warn',
    rawFix: (path) => `run Roller as root, or sudo setcap cap_net_raw,cap_net_admin+eip ${path}`,
    role: 'ARP sweeps of local segments',
  },
  {
    name: 'nmap',
    debianPackage: 'nmap',
    versionArgs: ['--version'],
    // One SYN to a closed loopback port: only possible with a raw socket.
    probeArgs: ['-sS', '-p', '1', '-n', '--privileged', LOOPBACK],
    probeProved: (result) => result.exitCode === 0 && !/raw socket/i.test(result.stderr),
    withoutRaw: 'warn',
    rawFix: (path) =>
      `run Roller as root, or sudo setcap cap_net_raw,cap_net_admin,cap_net_bind_service+eip ${path} (without it nmap falls back to connect scans)`,
    role: 'port and host scans',
  },
];

const RUN_LIMIT_MS = 10_000;

function firstLine(text: string): string {
  return (
    text
      .split('\n')
      .map((line) => line.trim())
      .find((line) => line !== '') ?? ''
  );
}

/** The version line a tool prints (some print it on stderr). */
function versionOf(result: ProcessResult): string {
  const text = `${result.stdout}\n${result.stderr}`;
  const match = /(\d+\.\d+(?:\.\d+)?|iputils[ -]\S+)/.exec(text);
  return match ? (match[1] as string) : firstLine(text) || 'unknown version';
}

/** What grants this process raw packets for `path`, if anything. */
async function privilegeSource(runner: ChildProcessRunner, tool: Tool, path: string): Promise<string | undefined> {
  if (process.geteuid?.() === 0) return 'running as root';
  const getcap = runner.which('getcap');
  if (getcap) {
    const result = await runner.run({ command: getcap, args: [path], timeoutMs: RUN_LIMIT_MS });
    if (/cap_net_raw/.test(result.stdout))
      return `file capability (${firstLine(result.stdout).split(/\s+/).slice(1).join(' ')})`;
  }
  if (tool.name === 'ping' && pingGroupAllows()) return 'unprivileged ICMP (net.ipv4.ping_group_range)';
  return undefined;
}

/** Whether net.ipv4.ping_group_range covers one of this process's groups. */
function pingGroupAllows(): boolean {
  try {
    const [low, high] = readFileSync('/proc/sys/net/ipv4/ping_group_range', 'utf8').trim().split(/\s+/).map(Number);
    const groups = [process.getegid?.(), ...(process.getgroups?.() ?? [])].filter((gid) => gid !== undefined);
    return groups.some((gid) => gid >= (low ?? 1) && gid <= (high ?? 0));
  } catch {
    return false;
  }
}

export async function checkTools(runner = new ChildProcessRunner()): Promise<CheckResult[]> {
  const results: CheckResult[] = [];
  for (const tool of TOOLS) {
    const path = runner.which(tool.name);
    if (!path) {
      results.push({
        status: 'fail',
        check: tool.name,
        detail: `not found on PATH (needed for ${tool.role})`,
        fix: `install it: apt-get install ${tool.debianPackage} (or put its directory on PATH)`,
      });
      continue;
    }
    const version = await runner.run({ command: path, args: tool.versionArgs, timeoutMs: RUN_LIMIT_MS });
    results.push({ status: 'ok', check: tool.name, detail: `${path} (${versionOf(version)})` });

    const source = await privilegeSource(runner, tool, path);
    const probe = await runner.run({ command: path, args: tool.probeArgs, timeoutMs: RUN_LIMIT_MS });
    const proved = tool.probeProved ? tool.probeProved(probe) : probe.exitCode === 0;
    const probeText = `${tool.name} ${tool.probeArgs.join(' ')}`;
    if (proved) {
      results.push({
        status: 'ok',
        check: `${tool.name} raw packets`,
        detail: `${source ?? 'permitted'}; probe \`${probeText}\` succeeded`,
      });
    } else {
      const why = firstLine(probe.stderr) || firstLine(probe.stdout) || `exit ${probe.exitCode}`;
      results.push({
        status: tool.withoutRaw,
        check: `${tool.name} raw packets`,
        detail: `${source ? `${source}, yet ` : 'no root, capability or ping group; '}probe \`${probeText}\` failed: ${why}`,
        fix: tool.rawFix(path),
      });
    }
  }
  return results;
}
