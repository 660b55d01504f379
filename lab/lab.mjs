#!/usr/bin/env node
// Roller network-namespace lab: builds the topology in lab/topology.json out of network namespaces.
//
//   sudo node lab/lab.mjs up|down|status [--prefix P] [--topology FILE]
//   sudo node lab/lab.mjs exec <node> -- <command> [args…]
//
// Also imported by the lab tests (see lab.d.mts for the API). Plain Node ESM, no dependencies.
//
// Safety: nothing here touches the root namespace's interfaces or routes. Every veth is created inside the
// lab's bridge namespace with its peer moved straight into a lab namespace, the bridges have no uplink, and
// no lab namespace may hold a default route (checked after every `up`; the lab is torn down if one appears).
// Packets sent inside the lab therefore cannot reach any real network.

import { spawn } from 'node:child_process';
import {
  chmodSync,
  chownSync,
  closeSync,
  existsSync,
  mkdirSync,
  openSync,
  readdirSync,
  readFileSync,
  rmdirSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath, pathToFileURL } from 'node:url';
import {
  avahiConfig,
  avahiServiceFile,
  dnsmasqArgs,
  dnsRecords,
  NMBD_DIRS,
  reverseName,
  smbConfig,
  snmpdConfig,
  snmprecText,
  switchModel,
  switchSnmprec,
  validateDaemonBlocks,
} from './daemons.mjs';

export {
  dnsRecords,
  expectedFdb,
  expectedLinks,
  expectedPortVlans,
  isLocallyAdministered,
  openTcpPorts,
  ouiKey,
  reverseName,
  switchModel,
  switchSnmprec,
} from './daemons.mjs';

export const LAB_DIR = dirname(fileURLToPath(import.meta.url));
export const TOPOLOGY_PATH = join(LAB_DIR, 'topology.json');
/** Per-lab state (owner, started processes, logs). tmpfs: it disappears on reboot, like /run/netns. */
export const STATE_ROOT = '/run/roller-lab';

const PREFIX_RE = /^[a-z][a-z0-9]{0,11}$/;
const NODE_NAME_RE = /^[a-z][a-z0-9]{0,9}$/;
const IFNAME_RE = /^[a-z][a-z0-9]{0,14}$/;
const MAC_RE = /^([0-9a-f]{2}:){5}[0-9a-f]{2}$/;
const IFNAMSIZ_MAX = 15;
const DEFAULT_EXEC_TIMEOUT_MS = 10_000;
const IP_TIMEOUT_MS = 5_000;

export class LabError extends Error {
  constructor(message) {
    super(message);
    this.name = 'LabError';
  }
}

// ---------------------------------------------------------------------------------------------------------
// Addresses

function ipToInt(ip) {
  const parts = String(ip).split('.');
  if (parts.length !== 4) throw new LabError(`not an IPv4 address: ${ip}`);
  let value = 0;
  for (const part of parts) {
    if (!/^\d{1,3}$/.test(part) || Number(part) > 255) throw new LabError(`not an IPv4 address: ${ip}`);
    value = value * 256 + Number(part);
  }
  return value;
}

export function parseCidr(cidr) {
  const match = /^([\d.]+)\/(\d{1,2})$/.exec(String(cidr));
  if (!match) throw new LabError(`not an IPv4 CIDR: ${cidr}`);
  const prefixLength = Number(match[2]);
  if (prefixLength > 32) throw new LabError(`not an IPv4 CIDR: ${cidr}`);
  const size = 2 ** (32 - prefixLength);
  const base = ipToInt(match[1]);
  if (base % size !== 0) throw new LabError(`CIDR has host bits set: ${cidr}`);
  return { base, size, prefixLength };
}

export function cidrContains(cidr, ip) {
  const { base, size } = parseCidr(cidr);
  const value = ipToInt(ip);
  return value >= base && value < base + size;
}

// The lab only uses private space; anything else in the topology file is refused outright.
const PRIVATE_RANGES = ['10.0.0.0/8', '172.16.0.0/12', '192.168.0.0/16'];
function isPrivateCidr(cidr) {
  const { base, size } = parseCidr(cidr);
  return PRIVATE_RANGES.some(
    (range) => cidrContains(range, intToIp(base)) && cidrContains(range, intToIp(base + size - 1)),
  );
}
function intToIp(value) {
  return [24, 16, 8, 0].map((shift) => Math.floor(value / 2 ** shift) % 256).join('.');
}

// ---------------------------------------------------------------------------------------------------------
// Topology

/**
 * Reads and validates the topology file and returns it normalised: `nodes` lists every namespace except the
 * bridge namespace (scanner, router, hosts) in one shape; `addresses` flattens their interfaces.
 */
export function loadTopology(path = TOPOLOGY_PATH) {
  let raw;
  try {
    raw = JSON.parse(readFileSync(path, 'utf8'));
  } catch (error) {
    throw new LabError(`cannot read topology ${path}: ${error.message}`);
  }
  const fail = (message) => {
    throw new LabError(`topology ${path}: ${message}`);
  };
  if (raw.version !== 1) fail(`unsupported version ${raw.version}`);
  if (!PREFIX_RE.test(raw.prefix ?? '')) fail(`prefix must match ${PREFIX_RE}`);
  if (!NODE_NAME_RE.test(raw.bridgeNamespace ?? '')) fail(`bridgeNamespace must match ${NODE_NAME_RE}`);

  const segments = new Map();
  for (const segment of raw.segments ?? []) {
    if (!segment.name || segments.has(segment.name)) fail(`segment names must be unique and set`);
    parseCidr(segment.cidr);
    if (!isPrivateCidr(segment.cidr)) fail(`segment ${segment.name}: ${segment.cidr} is not private address space`);
    if (!IFNAME_RE.test(segment.bridge ?? '')) fail(`segment ${segment.name}: bad bridge name ${segment.bridge}`);
    segments.set(segment.name, {
      name: segment.name,
      cidr: segment.cidr,
      prefixLength: parseCidr(segment.cidr).prefixLength,
      bridge: segment.bridge,
      bridgeOptions: { stp_state: 0, forward_delay: 0, mcast_snooping: 0, ...(segment.bridgeOptions ?? {}) },
    });
  }
  if (segments.size === 0) fail('no segments');

  const single = (entry) => [{ name: 'eth0', segment: entry.segment, ip: entry.ip, mac: entry.mac }];
  const nodes = [];
  const addNode = (role, entry) => {
    nodes.push({
      name: entry.name,
      role,
      icmp: entry.icmp !== false,
      interfaces: (entry.interfaces ?? single(entry)).map((iface) => ({
        ...iface,
        mac: String(iface.mac).toLowerCase(),
      })),
      routes: entry.routes ?? [],
      sysctls: { ...(entry.sysctls ?? {}) },
      services: entry.services ?? [],
      // Daemon blocks (see daemons.mjs and the README): what the node serves besides TCP listeners.
      snmpd: entry.snmpd ?? null,
      snmpsim: entry.snmpsim ?? null,
      avahi: entry.avahi ?? null,
      nmbd: entry.nmbd ?? null,
      dnsmasq: entry.dnsmasq ?? null,
      // What Roller's enrichment must conclude about the node.
      expect: {
        names: entry.expect?.names ?? [],
        displayName: entry.expect?.displayName ?? null,
        tags: entry.expect?.tags ?? [],
        vendor: entry.expect?.vendor ?? null,
      },
    });
  };
  if (!raw.scanner) fail('no scanner');
  addNode('scanner', raw.scanner);
  if (raw.router) addNode('router', raw.router);
  for (const host of raw.hosts ?? []) addNode('host', host);

  const names = new Set([raw.bridgeNamespace]);
  const ips = new Set();
  const macs = new Set();
  for (const node of nodes) {
    if (!NODE_NAME_RE.test(node.name ?? '')) fail(`node name ${node.name} must match ${NODE_NAME_RE}`);
    if (names.has(node.name)) fail(`duplicate node name ${node.name}`);
    names.add(node.name);
    if (node.interfaces.length === 0) fail(`${node.name}: no interfaces`);
    for (const iface of node.interfaces) {
      if (!IFNAME_RE.test(iface.name ?? '')) fail(`${node.name}: bad interface name ${iface.name}`);
      iface.peer = `${node.name}-${iface.name}`;
      if (iface.peer.length > IFNAMSIZ_MAX) fail(`${node.name}: bridge-side name ${iface.peer} exceeds 15 chars`);
      const segment = segments.get(iface.segment);
      if (!segment) fail(`${node.name}.${iface.name}: unknown segment ${iface.segment}`);
      if (!cidrContains(segment.cidr, iface.ip)) fail(`${node.name}.${iface.name}: ${iface.ip} not in ${segment.cidr}`);
      if (ips.has(iface.ip)) fail(`duplicate IP ${iface.ip}`);
      ips.add(iface.ip);
      if (!MAC_RE.test(iface.mac)) fail(`${node.name}.${iface.name}: bad MAC ${iface.mac}`);
      const first = Number.parseInt(iface.mac.slice(0, 2), 16);
      if ((first & 0x01) === 1) fail(`${node.name}.${iface.name}: MAC ${iface.mac} must be unicast`);
      // A real OUI (globally administered) only where the node says which vendor it stands for.
      if ((first & 0x02) === 0 && !node.expect.vendor) {
        fail(
          `${node.name}.${iface.name}: MAC ${iface.mac} must be locally administered (x2:…) unless expect.vendor is set`,
        );
      }
      if (macs.has(iface.mac)) fail(`duplicate MAC ${iface.mac}`);
      macs.add(iface.mac);
      iface.prefixLength = segment.prefixLength;
    }
    for (const route of node.routes) {
      if (route.to === 'default' || parseCidr(route.to).prefixLength === 0)
        fail(`${node.name}: default routes are forbidden`);
      if (!node.interfaces.some((iface) => cidrContains(segments.get(iface.segment).cidr, route.via))) {
        fail(`${node.name}: route via ${route.via} is not on one of its segments`);
      }
    }
    if (!node.icmp) node.sysctls['net.ipv4.icmp_echo_ignore_all'] = '1';
    const ports = new Set();
    for (const service of node.services) {
      if (service.proto !== 'tcp') fail(`${node.name}: only tcp services are supported (got ${service.proto})`);
      if (!Number.isInteger(service.port) || service.port < 1 || service.port > 65535 || ports.has(service.port)) {
        fail(`${node.name}: bad or duplicate port ${service.port}`);
      }
      ports.add(service.port);
    }
  }
  const scanner = nodes[0];
  if (scanner.interfaces.length !== 1) fail('the scanner has exactly one interface (eth0)');
  validateDaemonBlocks({ nodes }, fail);

  const addresses = nodes.flatMap((node) =>
    node.interfaces.map((iface) => ({
      node: node.name,
      role: node.role,
      interface: iface.name,
      ip: iface.ip,
      mac: iface.mac,
      segment: iface.segment,
      icmp: node.icmp,
    })),
  );
  return {
    path,
    version: raw.version,
    prefix: raw.prefix,
    ipv6: raw.ipv6 === true,
    bridgeNamespace: raw.bridgeNamespace,
    segments: [...segments.values()],
    nodes,
    scanner: {
      ...scanner,
      ip: scanner.interfaces[0].ip,
      mac: scanner.interfaces[0].mac,
      segment: scanner.interfaces[0].segment,
    },
    addresses,
    scopes: raw.scopes ?? {},
    raw,
  };
}

/** The prefix in effect: options.prefix, else ROLLER_LAB_PREFIX, else the topology's default. */
export function resolvePrefix(options = {}, topology = undefined) {
  const prefix =
    options.prefix ?? process.env.ROLLER_LAB_PREFIX ?? (topology ?? loadTopology(options.topologyPath)).prefix;
  if (!PREFIX_RE.test(prefix)) throw new LabError(`lab prefix "${prefix}" must match ${PREFIX_RE}`);
  return prefix;
}

/** Full namespace name for a logical node name (`scan` → `rl-scan`). */
export function nsName(logical, prefix = resolvePrefix()) {
  if (!PREFIX_RE.test(prefix)) throw new LabError(`lab prefix "${prefix}" must match ${PREFIX_RE}`);
  if (!NODE_NAME_RE.test(logical)) throw new LabError(`bad node name ${logical}`);
  return `${prefix}-${logical}`;
}

/** Every namespace of the lab, bridge namespace last. */
export function labNamespaces(topology, prefix) {
  return [...topology.nodes.map((node) => nsName(node.name, prefix)), nsName(topology.bridgeNamespace, prefix)];
}

// ---------------------------------------------------------------------------------------------------------
// Processes

/**
 * Runs argv (no shell) with a hard timeout (SIGKILL). Never throws for a non-zero exit: returns
 * { code, signal, stdout, stderr, timedOut, ms }. Throws only when the program cannot be started.
 */
export function run(argv, options = {}) {
  const timeoutMs = options.timeoutMs ?? DEFAULT_EXEC_TIMEOUT_MS;
  const started = performance.now();
  return new Promise((resolvePromise, reject) => {
    let child;
    try {
      child = spawn(argv[0], argv.slice(1), {
        stdio: [options.input === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'],
        env: options.env ? { ...process.env, ...options.env } : process.env,
      });
    } catch (error) {
      reject(error);
      return;
    }
    const out = [];
    const err = [];
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGKILL');
    }, timeoutMs);
    child.stdout.on('data', (chunk) => out.push(chunk));
    child.stderr.on('data', (chunk) => err.push(chunk));
    child.on('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolvePromise({
        code,
        signal,
        stdout: Buffer.concat(out).toString('utf8'),
        stderr: Buffer.concat(err).toString('utf8'),
        timedOut,
        ms: performance.now() - started,
      });
    });
    if (options.input !== undefined) child.stdin.end(options.input);
  });
}

/** Runs `ip …` and throws a LabError with its stderr when it fails. */
async function ip(args, options = {}) {
  const result = await run(['ip', ...args], { timeoutMs: IP_TIMEOUT_MS, ...options });
  if (result.code !== 0) {
    throw new LabError(
      `ip ${args.join(' ')} failed (${result.timedOut ? 'timed out' : `exit ${result.code}`}): ${result.stderr.trim()}`,
    );
  }
  return result.stdout;
}

/** `ip -n <ns> -batch -`: many ip commands in one process. */
async function ipBatch(ns, lines) {
  if (lines.length === 0) return;
  await ip(['-n', ns, '-batch', '-'], { input: `${lines.join('\n')}\n` });
}

/**
 * Runs argv inside namespace `ns` (a full name, see nsName) via `ip netns exec`, with a timeout.
 * Same result shape as run(); never throws for a non-zero exit.
 */
export function exec(ns, argv, options = {}) {
  return run(['ip', 'netns', 'exec', ns, ...argv], options);
}

/** `/proc/<pid>/stat` state and start time (clock ticks since boot), or null when there is no such process. */
function procStat(pid) {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return { state: fields[0], start: fields[19] };
  } catch {
    return null;
  }
}

/** Alive = exists and is not a zombie (an orphan's zombie may linger until init reaps it). */
function pidAlive(pid) {
  const stat = procStat(pid);
  return stat !== null && stat.state !== 'Z' && stat.state !== 'X';
}

const sleep = (ms) => new Promise((resolveSleep) => setTimeout(resolveSleep, ms));

// ---------------------------------------------------------------------------------------------------------
// Prerequisites

/** { ok: true } or { ok: false, reason } — why the lab cannot run here. Does not throw. */
export async function checkPrerequisites() {
  if (process.platform !== 'linux') return { ok: false, reason: 'the lab needs Linux network namespaces' };
  if (typeof process.getuid !== 'function' || process.getuid() !== 0) {
    return { ok: false, reason: 'the lab needs root (run: sudo node lab/lab.mjs up)' };
  }
  let result;
  try {
    result = await run(['ip', 'netns', 'list'], { timeoutMs: IP_TIMEOUT_MS });
  } catch (error) {
    return {
      ok: false,
      reason: `\`ip\` (iproute2) is not usable: ${error.code ?? error.message}; apt-get install -y iproute2`,
    };
  }
  if (result.code !== 0) return { ok: false, reason: `\`ip netns\` is unavailable: ${result.stderr.trim()}` };
  return { ok: true };
}

async function assertPrerequisites() {
  const check = await checkPrerequisites();
  if (!check.ok) throw new LabError(`refusing: ${check.reason}`);
}

export async function listNamespaces() {
  const out = await ip(['-j', 'netns', 'list']);
  if (!out.trim()) return [];
  return JSON.parse(out).map((entry) => entry.name);
}

// ---------------------------------------------------------------------------------------------------------
// State

function stateDir(prefix) {
  return join(STATE_ROOT, prefix);
}

function readState(prefix) {
  try {
    return JSON.parse(readFileSync(join(stateDir(prefix), 'state.json'), 'utf8'));
  } catch {
    return null;
  }
}

function writeState(prefix, state) {
  mkdirSync(join(stateDir(prefix), 'logs'), { recursive: true });
  writeFileSync(join(stateDir(prefix), 'state.json'), `${JSON.stringify(state, null, 2)}\n`);
}

// ---------------------------------------------------------------------------------------------------------
// Daemons inside namespaces

/**
 * Starts a long-running process inside a lab namespace, detached, stdout+stderr to a log file, and waits
 * (bounded) until it is ready: `readyPattern` (RegExp) appears in its log, or `ready(log)` resolves true (it
 * gets the log text so far). `ip netns exec` execs the command, so the recorded pid is the daemon itself.
 * `down` kills it via `ip netns pids`, so nothing depends on this bookkeeping for clean-up.
 */
export async function startDaemon(lab, { node, name, argv, readyPattern, ready, timeoutMs = 3000, env }) {
  const ns = nsName(node, lab.prefix);
  const logFile = join(stateDir(lab.prefix), 'logs', `${node}-${name}.log`);
  const fd = openSync(logFile, 'w');
  let exited = null;
  let child;
  const started = performance.now();
  try {
    child = spawn('ip', ['netns', 'exec', ns, ...argv], {
      detached: true,
      stdio: ['ignore', fd, fd],
      env: env ? { ...process.env, ...env } : process.env,
    });
  } finally {
    closeSync(fd);
  }
  child.on('exit', (code, signal) => {
    exited = { code, signal };
  });
  child.on('error', (error) => {
    exited = { error: error.message };
  });
  child.unref();
  const deadline = started + timeoutMs;
  const log = () => (existsSync(logFile) ? readFileSync(logFile, 'utf8') : '');
  let isReady = false;
  while (performance.now() < deadline) {
    if (readyPattern?.test(log())) isReady = true;
    else if (ready && (await ready(log()))) isReady = true;
    if (isReady) break;
    if (exited) throw new LabError(`${name} in ${ns} exited early (${JSON.stringify(exited)}): ${log().slice(-1000)}`);
    await sleep(20);
  }
  if (!isReady) throw new LabError(`${name} in ${ns} not ready within ${timeoutMs} ms: ${log().slice(-1000)}`);
  if (exited) throw new LabError(`${name} in ${ns} exited (${JSON.stringify(exited)}): ${log().slice(-1000)}`);
  const record = { node, name, pid: child.pid, argv, log: logFile, readyMs: Math.round(performance.now() - started) };
  lab.state.daemons.push(record);
  writeState(lab.prefix, lab.state);
  return record;
}

/** A private directory for one daemon of one node: `/run/roller-lab/<prefix>/daemons/<node>-<name>/`. */
function daemonDir(lab, node, name, subdirs = []) {
  const dir = join(stateDir(lab.prefix), 'daemons', `${node.name}-${name}`);
  for (const sub of ['', ...subdirs]) mkdirSync(join(dir, sub), { recursive: true, mode: 0o755 });
  // Daemons that drop privileges (snmpsimd, dnsmasq) must be able to traverse down to their files.
  for (const path of [STATE_ROOT, stateDir(lab.prefix), join(stateDir(lab.prefix), 'daemons'), dir]) {
    chmodSync(path, 0o755);
  }
  return dir;
}

/** uid/gid of a system account from /etc/passwd or /etc/group; null when absent. */
function systemId(file, name) {
  try {
    const line = readFileSync(file, 'utf8')
      .split('\n')
      .find((entry) => entry.startsWith(`${name}:`));
    return line ? Number(line.split(':')[2]) : null;
  } catch {
    return null;
  }
}

const SEARCH_PATH = ['/usr/local/sbin', '/usr/local/bin', '/usr/sbin', '/usr/bin', '/sbin', '/bin'];

/** Absolute path of a program (PATH, then the usual sbin dirs), or null. */
export function findProgram(program) {
  const dirs = [...(process.env.PATH ?? '').split(':').filter(Boolean), ...SEARCH_PATH];
  for (const dir of dirs) {
    const candidate = join(dir, program);
    if (existsSync(candidate)) return candidate;
  }
  return null;
}

/** Programs each daemon block needs, and the Debian package that ships them. */
export const DAEMON_PROGRAMS = {
  snmpd: { programs: ['snmpd'], package: 'snmpd' },
  snmpsim: { programs: ['snmpsimd'], package: 'snmpsim' },
  avahi: { programs: ['avahi-daemon', 'unshare', 'sh'], package: 'avahi-daemon' },
  nmbd: { programs: ['nmbd'], package: 'samba' },
  dnsmasq: { programs: ['dnsmasq'], package: 'dnsmasq' },
};

/** Daemon kinds the topology uses whose programs are missing here: [{ kind, nodes, missing, package }]. */
export function missingDaemonPrograms(topology = loadTopology()) {
  const result = [];
  for (const [kind, need] of Object.entries(DAEMON_PROGRAMS)) {
    const nodes = topology.nodes.filter((node) => node[kind]).map((node) => node.name);
    if (nodes.length === 0) continue;
    const missing = need.programs.filter((program) => !findProgram(program));
    if (missing.length > 0) result.push({ kind, nodes, missing, package: need.package });
  }
  return result;
}

/** Runs lab/probe.mjs inside a node's namespace; resolves true when it got an answer within waitMs. */
async function probe(lab, node, args, waitMs = 1000) {
  const result = await exec(
    nsName(node.name, lab.prefix),
    [process.execPath, join(LAB_DIR, 'probe.mjs'), ...args, '--wait', String(waitMs)],
    { timeoutMs: waitMs + 3000 },
  );
  return result.code === 0;
}

/** Node-side probe limit per attempt: startDaemon's own deadline bounds the total. */
const PROBE_ATTEMPT_MS = 1000;
/** Python (snmpsimd) and mDNS probing (avahi: ~1 s of probes and announcements) need longer than the rest. */
const SLOW_DAEMON_MS = 10_000;
const DAEMON_MS = 5000;

/**
 * Daemon starters, run for every node after the network is up, all at once. Each one looks at its block on
 * the node (topology.json), writes its config under `/run/roller-lab/<prefix>/daemons/<node>-<kind>/` and
 * calls startDaemon with a readiness probe that talks to the daemon on the node's lab IP from inside the node.
 */
const DAEMON_STARTERS = {
  async services(lab, node) {
    if (node.services.length === 0) return;
    await startDaemon(lab, {
      node: node.name,
      name: 'services',
      argv: [process.execPath, join(LAB_DIR, 'services.mjs'), node.interfaces[0].ip, JSON.stringify(node.services)],
      readyPattern: /^ready /m,
    });
  },

  /** net-snmp snmpd: v1/v2c communities and v3 users from the topology, on the node's first IP only. */
  async snmpd(lab, node) {
    const dir = daemonDir(lab, node, 'snmpd', ['persist']);
    writeFileSync(join(dir, 'snmpd.conf'), snmpdConfig(node), { mode: 0o600 });
    const community = node.snmpd.credentials.find((credential) => credential.version !== '3')?.community;
    const ip = node.interfaces[0].ip;
    await startDaemon(lab, {
      node: node.name,
      name: 'snmpd',
      argv: [findProgram('snmpd'), '-f', '-Lo', '-C', '-c', join(dir, 'snmpd.conf'), '-p', join(dir, 'snmpd.pid')],
      // No MIBs (Debian ships none); persistent state (engine boots, localised v3 keys) stays in the lab dir.
      env: { MIBS: '', SNMP_PERSISTENT_DIR: join(dir, 'persist'), SNMPCONFPATH: dir },
      ready: community
        ? () => probe(lab, node, ['snmp-get', ip, community, '1.3.6.1.2.1.1.5.0'], PROBE_ATTEMPT_MS)
        : undefined,
      readyPattern: community ? undefined : /NET-SNMP version/,
      timeoutMs: DAEMON_MS,
    });
  },

  /** snmpsimd serving the switch's generated snmprec (one data file per community) on the node's IP. */
  async snmpsim(lab, node) {
    const dir = daemonDir(lab, node, 'snmpsim', ['data', 'cache']);
    const model = switchModel(lab.topology, node.name);
    const text = snmprecText(switchSnmprec(model));
    for (const community of model.communities) writeFileSync(join(dir, 'data', `${community}.snmprec`), text);
    // snmpsimd drops to nobody/nogroup after binding port 161; its index cache must be writable then.
    const uid = systemId('/etc/passwd', 'nobody');
    const gid = systemId('/etc/group', 'nogroup');
    if (uid !== null && gid !== null) chownSync(join(dir, 'cache'), uid, gid);
    else chmodSync(join(dir, 'cache'), 0o777);
    chmodSync(join(dir, 'data'), 0o755);
    await startDaemon(lab, {
      node: node.name,
      name: 'snmpsim',
      argv: [
        findProgram('snmpsimd'),
        `--data-dir=${join(dir, 'data')}`,
        `--cache-dir=${join(dir, 'cache')}`,
        `--agent-udpv4-endpoint=${node.interfaces[0].ip}:161`,
        '--process-user=nobody',
        '--process-group=nogroup',
      ],
      // HOME: snmpsimd also scans ~/.snmpsim for data files and variation modules; keep it to the lab dir.
      env: { HOME: dir },
      ready: () =>
        probe(
          lab,
          node,
          ['snmp-get', node.interfaces[0].ip, model.communities[0], '1.3.6.1.2.1.1.5.0'],
          PROBE_ATTEMPT_MS,
        ),
      timeoutMs: SLOW_DAEMON_MS,
    });
  },

  /**
   * avahi-daemon without dbus: a private mount namespace in which the generated config dir is bind-mounted on
   * /etc/avahi (avahi reads its config and static services there only) and /run is a fresh tmpfs (its pid file
   * and socket). Ready once the host name and every service are established (probing done).
   */
  async avahi(lab, node) {
    const dir = daemonDir(lab, node, 'avahi', ['services']);
    writeFileSync(join(dir, 'avahi-daemon.conf'), avahiConfig(node));
    writeFileSync(join(dir, 'hosts'), '');
    const services = node.avahi.services ?? [];
    for (const [index, service] of services.entries()) {
      writeFileSync(join(dir, 'services', `lab-${index}.service`), avahiServiceFile(service));
    }
    const script =
      'mount --bind "$1" /etc/avahi && mount -t tmpfs -o mode=0755,size=4m tmpfs /run && ' +
      'exec avahi-daemon --no-drop-root --no-chroot --no-rlimits';
    await startDaemon(lab, {
      node: node.name,
      name: 'avahi',
      argv: [findProgram('unshare'), '--mount', '--propagation', 'private', 'sh', '-c', script, 'avahi-lab', dir],
      ready: (log) =>
        log.includes('Server startup complete') &&
        (log.match(/successfully established/g) ?? []).length >= services.length,
      timeoutMs: SLOW_DAEMON_MS,
    });
  },

  /** nmbd alone (no smbd): the NetBIOS name service answering NBSTAT on the node's IP. */
  async nmbd(lab, node) {
    const dir = daemonDir(lab, node, 'nmbd', NMBD_DIRS);
    writeFileSync(join(dir, 'smb.conf'), smbConfig(node, dir));
    await startDaemon(lab, {
      node: node.name,
      name: 'nmbd',
      argv: [
        findProgram('nmbd'),
        '--foreground',
        '--no-process-group',
        '--debug-stdout',
        `--configfile=${join(dir, 'smb.conf')}`,
      ],
      ready: () =>
        probe(
          lab,
          node,
          ['nbstat', node.interfaces[0].ip, '--name', node.nmbd.netbiosName.toUpperCase()],
          PROBE_ATTEMPT_MS,
        ),
      timeoutMs: DAEMON_MS,
    });
  },

  /** dnsmasq: authoritative A + PTR for the topology's records, no upstream, only the node's IP. */
  async dnsmasq(lab, node) {
    const dir = daemonDir(lab, node, 'dnsmasq');
    const ip = node.interfaces[0].ip;
    const first = dnsRecords(lab.topology).find((record) => record.server === ip);
    await startDaemon(lab, {
      node: node.name,
      name: 'dnsmasq',
      argv: [findProgram('dnsmasq'), ...dnsmasqArgs(lab.topology, node, dir)],
      ready: first ? () => probe(lab, node, ['dns', ip, reverseName(first.ip), 'PTR'], PROBE_ATTEMPT_MS) : undefined,
      readyPattern: first ? undefined : /started, version/,
      timeoutMs: DAEMON_MS,
    });
  },
};

/**
 * Starts every daemon of every node at once and waits for all of them (never leaves a start running behind a
 * failure). Daemon kinds whose programs are missing are skipped, or fail the start when `require` is set.
 */
async function startDaemons(lab, { require = false } = {}) {
  const missing = missingDaemonPrograms(lab.topology);
  if (missing.length > 0 && require) {
    const list = missing.map(
      (entry) => `${entry.kind} (${entry.missing.join(', ')}; apt-get install -y ${entry.package})`,
    );
    throw new LabError(`daemon programs missing: ${list.join('; ')}`);
  }
  const skip = new Set(missing.map((entry) => entry.kind));
  lab.state.skippedDaemons = missing;
  const jobs = [];
  for (const [kind, starter] of Object.entries(DAEMON_STARTERS)) {
    for (const node of lab.topology.nodes) {
      if (kind !== 'services' && (!node[kind] || skip.has(kind))) continue;
      jobs.push(starter(lab, node));
    }
  }
  const results = await Promise.allSettled(jobs);
  const failures = results.filter((result) => result.status === 'rejected').map((result) => result.reason);
  if (failures.length > 0) {
    throw failures.length === 1
      ? failures[0]
      : new LabError(`${failures.length} daemons failed:\n  ${failures.map((error) => error.message).join('\n  ')}`);
  }
}

// ---------------------------------------------------------------------------------------------------------
// up / down / status

async function defaultRoutes(ns) {
  const found = [];
  for (const family of ['-4', '-6']) {
    const out = await ip(['-n', ns, '-j', family, 'route', 'show', 'default']);
    const routes = out.trim() ? JSON.parse(out) : [];
    for (const route of routes) found.push(`${family === '-4' ? 'IPv4' : 'IPv6'} ${JSON.stringify(route)}`);
  }
  return found;
}

/** Throws when any namespace of the lab holds a default route. */
export async function assertNoDefaultRoutes(topology, prefix) {
  const namespaces = labNamespaces(topology, prefix);
  const found = await Promise.all(namespaces.map((ns) => defaultRoutes(ns)));
  const bad = namespaces.flatMap((ns, index) => found[index].map((route) => `${ns}: ${route}`));
  if (bad.length > 0) throw new LabError(`SAFETY: default route(s) in lab namespaces:\n  ${bad.join('\n  ')}`);
}

export async function neighbours(ns) {
  const out = await ip(['-n', ns, '-j', '-4', 'neigh', 'show']);
  return out.trim() ? JSON.parse(out) : [];
}

/** Pings once from the scanner; resolves true when the target answered. */
async function pingOnce(scannerNs, target, waitSeconds) {
  const result = await exec(scannerNs, ['ping', '-n', '-q', '-c', '1', '-W', String(waitSeconds), target], {
    timeoutMs: waitSeconds * 1000 + 2000,
  });
  return result.code === 0;
}

/**
 * Waits (bounded) until the scanner reaches every address that answers ICMP, checks that ICMP-dropping
 * nodes really drop it, and that the scanner's neighbour table then holds the right MAC for every address on
 * its segment and none for addresses behind the router.
 */
async function waitUntilReachable(topology, prefix, timeoutMs) {
  const scannerNs = nsName(topology.scanner.name, prefix);
  const targets = topology.addresses.filter((address) => address.node !== topology.scanner.name);
  const deadline = performance.now() + timeoutMs;
  const pending = new Set(targets.filter((address) => address.icmp).map((address) => address.ip));
  const silent = targets.filter((address) => !address.icmp);
  const silentChecks = Promise.all(silent.map((address) => pingOnce(scannerNs, address.ip, 0.3)));
  while (pending.size > 0 && performance.now() < deadline) {
    const batch = [...pending];
    const answers = await Promise.all(batch.map((target) => pingOnce(scannerNs, target, 0.5)));
    for (const [index, target] of batch.entries()) if (answers[index]) pending.delete(target);
    if (pending.size > 0) await sleep(100); // a fast failure (unreachable) must not spin
  }
  const silentAnswers = await silentChecks;
  if (pending.size > 0) {
    throw new LabError(`scanner ${scannerNs} cannot reach ${[...pending].join(', ')} within ${timeoutMs} ms`);
  }
  const loud = silent.filter((_, index) => silentAnswers[index]);
  if (loud.length > 0) throw new LabError(`expected no ICMP echo reply from ${loud.map((a) => a.ip).join(', ')}`);

  const table = new Map((await neighbours(scannerNs)).map((entry) => [entry.dst, entry.lladdr?.toLowerCase()]));
  const problems = [];
  for (const address of targets) {
    const seen = table.get(address.ip);
    if (address.segment === topology.scanner.segment) {
      if (seen !== address.mac)
        problems.push(`${address.ip}: expected MAC ${address.mac}, neighbour table has ${seen}`);
    } else if (seen !== undefined) {
      problems.push(`${address.ip} is behind the router but the scanner has a neighbour entry for it`);
    }
  }
  if (problems.length > 0) throw new LabError(`scanner neighbour table is wrong:\n  ${problems.join('\n  ')}`);
}

/**
 * Builds the lab. Idempotent: a lab with the same prefix is torn down first.
 * options: { prefix, topologyPath, readyTimeoutMs = 5000, flushNeighbours = true, ownerPid, requireDaemons = false }
 * `ownerPid`: the lab belongs to that process; reapStaleLabs() removes it once the process is gone.
 * `requireDaemons`: fail when a daemon's program is missing (default: skip that daemon kind, and report it in
 * `skippedDaemons`), so hosts without snmpd/avahi/… still get the plain lab.
 * Returns a handle: { prefix, topology, ns(name), exec(name, argv, opts), down(), timings, daemons, skippedDaemons }.
 */
export async function labUp(options = {}) {
  const started = performance.now();
  await assertPrerequisites();
  const topology = loadTopology(options.topologyPath);
  const prefix = resolvePrefix(options, topology);
  await labDown({ prefix, topologyPath: options.topologyPath });
  const afterDown = performance.now();

  const state = {
    prefix,
    topologyPath: topology.path,
    ownerPid: options.ownerPid ?? null,
    ownerStart: options.ownerPid ? (procStat(options.ownerPid)?.start ?? null) : null,
    createdAt: new Date().toISOString(),
    namespaces: labNamespaces(topology, prefix),
    daemons: [],
  };
  writeState(prefix, state);
  const lab = { prefix, topology, state };
  const bridgeNs = nsName(topology.bridgeNamespace, prefix);
  const segments = new Map(topology.segments.map((segment) => [segment.name, segment]));
  const keepIpv6 = topology.ipv6 || !existsSync('/proc/sys/net/ipv6');

  try {
    // The first `ip netns add` may set up /run/netns itself; the rest can then go in parallel.
    const addNamespace = (ns) =>
      ip(['netns', 'add', ns]).catch((error) => {
        throw new LabError(`cannot create network namespace ${ns} (are namespaces available here?): ${error.message}`);
      });
    await addNamespace(state.namespaces[0]);
    await Promise.all(state.namespaces.slice(1).map(addNamespace));

    // Sysctls first, so that IPv6 is off before any interface exists (no link-local chatter, no MLD).
    const sysctlsFor = (extra) => ({
      ...(keepIpv6 ? {} : { 'net.ipv6.conf.all.disable_ipv6': '1', 'net.ipv6.conf.default.disable_ipv6': '1' }),
      ...extra,
    });
    const sysctlJobs = [
      [bridgeNs, sysctlsFor({})],
      ...topology.nodes.map((node) => [nsName(node.name, prefix), sysctlsFor(node.sysctls)]),
    ];
    await Promise.all(
      sysctlJobs.map(async ([ns, values]) => {
        const args = Object.entries(values).map(([key, value]) => `${key}=${value}`);
        if (args.length === 0) return;
        const result = await exec(ns, ['sysctl', '-q', '-w', ...args], { timeoutMs: IP_TIMEOUT_MS });
        if (result.code !== 0) throw new LabError(`sysctl in ${ns} failed: ${result.stderr.trim()}`);
      }),
    );

    // Bridges and veths, all created inside the bridge namespace; each peer goes straight into its node.
    const bridgeLines = ['link set lo up'];
    for (const segment of topology.segments) {
      const opts = Object.entries(segment.bridgeOptions).flatMap(([key, value]) => [key, String(value)]);
      bridgeLines.push(`link add ${segment.bridge} type bridge ${opts.join(' ')}`, `link set ${segment.bridge} up`);
    }
    for (const node of topology.nodes) {
      for (const iface of node.interfaces) {
        bridgeLines.push(
          `link add ${iface.peer} type veth peer name ${iface.name} address ${iface.mac} netns ${nsName(node.name, prefix)}`,
          `link set ${iface.peer} master ${segments.get(iface.segment).bridge} up`,
        );
      }
    }
    await ipBatch(bridgeNs, bridgeLines);

    await Promise.all(
      topology.nodes.map((node) => {
        const lines = ['link set lo up'];
        for (const iface of node.interfaces) {
          lines.push(`addr add ${iface.ip}/${iface.prefixLength} dev ${iface.name}`, `link set ${iface.name} up`);
        }
        for (const route of node.routes) lines.push(`route add ${route.to} via ${route.via}`);
        return ipBatch(nsName(node.name, prefix), lines);
      }),
    );

    await assertNoDefaultRoutes(topology, prefix);
    const networkReady = performance.now();
    // Reachability checks and daemon start-up run side by side (daemons bind to addresses that exist by now and
    // probe themselves inside their own namespace, so they add nothing to the scanner's neighbour table).
    let reachable = networkReady;
    let daemonsReady = networkReady;
    const [reach, daemons] = await Promise.allSettled([
      waitUntilReachable(topology, prefix, options.readyTimeoutMs ?? 5000).then(() => {
        reachable = performance.now();
      }),
      startDaemons(lab, { require: options.requireDaemons === true }).then(() => {
        daemonsReady = performance.now();
      }),
    ]);
    if (reach.status === 'rejected') throw reach.reason;
    if (daemons.status === 'rejected') throw daemons.reason;
    await assertNoDefaultRoutes(topology, prefix);
    if (options.flushNeighbours !== false) {
      // Every node forgets the readiness pings: scans start cold, and no host sends a late unicast ARP
      // probe (neighbour DELAY/PROBE) to the scanner in the middle of the first arp-scan.
      await Promise.all(topology.nodes.map((node) => ip(['-n', nsName(node.name, prefix), 'neigh', 'flush', 'all'])));
    }
    const done = performance.now();
    lab.timings = {
      teardownMs: Math.round(afterDown - started),
      networkMs: Math.round(networkReady - afterDown),
      reachableMs: Math.round(reachable - networkReady),
      daemonsMs: Math.round(daemonsReady - networkReady),
      totalMs: Math.round(done - started),
    };
    state.timings = lab.timings;
    writeState(prefix, state);
  } catch (error) {
    await labDown({ prefix, topologyPath: options.topologyPath }).catch(() => {});
    throw error;
  }

  return {
    prefix,
    topology,
    timings: lab.timings,
    daemons: state.daemons,
    skippedDaemons: state.skippedDaemons ?? [],
    ns: (name) => nsName(name, prefix),
    exec: (name, argv, execOptions) => exec(nsName(name, prefix), argv, execOptions),
    down: () => labDown({ prefix, topologyPath: options.topologyPath }),
  };
}

async function killNamespaceProcesses(namespaces) {
  const pidsOf = async (ns) => {
    const result = await run(['ip', 'netns', 'pids', ns], { timeoutMs: IP_TIMEOUT_MS });
    return result.code === 0 ? result.stdout.split(/\s+/).filter(Boolean).map(Number) : [];
  };
  const all = async () => (await Promise.all(namespaces.map(pidsOf))).flat().filter((pid) => pid !== process.pid);
  let pids = await all();
  if (pids.length === 0) return 0;
  const killed = pids.length;
  for (const signal of ['SIGTERM', 'SIGKILL']) {
    for (const pid of pids) {
      try {
        process.kill(pid, signal);
      } catch {}
    }
    const deadline = performance.now() + (signal === 'SIGTERM' ? 1500 : 2000);
    while (performance.now() < deadline) {
      await sleep(25);
      pids = (await all()).filter(pidAlive);
      if (pids.length === 0) return killed;
    }
  }
  throw new LabError(`processes still running in lab namespaces after SIGKILL: ${pids.join(', ')}`);
}

/**
 * Tears the lab down: kills every process in its namespaces, deletes every namespace named `<prefix>-*`
 * (the prefix is reserved for the lab), removes the state directory, and checks nothing is left.
 */
export async function labDown(options = {}) {
  const started = performance.now();
  await assertPrerequisites();
  const prefix = resolvePrefix(options);
  const ours = (await listNamespaces()).filter((name) => name.startsWith(`${prefix}-`));
  const killed = await killNamespaceProcesses(ours);
  // Host namespaces first, the bridge namespace (which owns the bridge ends of the veths) last.
  let bridgeName = null;
  try {
    bridgeName = nsName(loadTopology(options.topologyPath).bridgeNamespace, prefix);
  } catch {}
  await Promise.all(ours.filter((name) => name !== bridgeName).map((ns) => ip(['netns', 'del', ns])));
  for (const ns of ours.filter((name) => name === bridgeName)) await ip(['netns', 'del', ns]);
  const left = (await listNamespaces()).filter((name) => name.startsWith(`${prefix}-`));
  if (left.length > 0) throw new LabError(`namespaces left after down: ${left.join(', ')}`);
  rmSync(stateDir(prefix), { recursive: true, force: true });
  try {
    rmdirSync(STATE_ROOT); // only when no other lab is up
  } catch {}
  return {
    prefix,
    namespacesDeleted: ours.length,
    processesKilled: killed,
    ms: Math.round(performance.now() - started),
  };
}

/**
 * Tears down labs whose prefix starts with `prefixStart` and whose owning process (labUp's ownerPid) is
 * gone: what a crashed test run leaves behind. Labs without an owner (made by the CLI) are never touched.
 */
export async function reapStaleLabs(prefixStart) {
  const reaped = [];
  if (!existsSync(STATE_ROOT)) return reaped;
  for (const prefix of readdirSync(STATE_ROOT)) {
    if (!prefix.startsWith(prefixStart) || !PREFIX_RE.test(prefix)) continue;
    const state = readState(prefix);
    if (!state?.ownerPid) continue;
    const owner = procStat(state.ownerPid);
    const ownerAlive = pidAlive(state.ownerPid) && (!state.ownerStart || owner?.start === state.ownerStart);
    if (ownerAlive) continue;
    await labDown({ prefix, topologyPath: state.topologyPath });
    reaped.push(prefix);
  }
  return reaped;
}

/** JSON-able description of the lab as it is now (works without root for the namespace list). */
export async function labStatus(options = {}) {
  const topology = loadTopology(options.topologyPath);
  const prefix = resolvePrefix(options, topology);
  const existing = await listNamespaces().catch(() => []);
  const expected = labNamespaces(topology, prefix);
  const isRoot = process.getuid?.() === 0;
  const namespaces = [];
  for (const ns of expected) {
    const entry = { name: ns, exists: existing.includes(ns) };
    if (entry.exists && isRoot) {
      const addrs = JSON.parse((await ip(['-n', ns, '-j', 'addr', 'show'])) || '[]');
      entry.addresses = addrs
        .filter((link) => link.ifname !== 'lo')
        .map((link) => ({
          ifname: link.ifname,
          mac: link.address,
          state: link.operstate,
          ipv4: (link.addr_info ?? [])
            .filter((info) => info.family === 'inet')
            .map((info) => `${info.local}/${info.prefixlen}`),
        }));
      entry.routes = JSON.parse((await ip(['-n', ns, '-j', '-4', 'route', 'show'])) || '[]').map((route) =>
        route.gateway ? `${route.dst} via ${route.gateway}` : `${route.dst} dev ${route.dev}`,
      );
      entry.defaultRoutes = await defaultRoutes(ns);
      const pids = await run(['ip', 'netns', 'pids', ns]);
      entry.pids = pids.stdout.split(/\s+/).filter(Boolean).map(Number);
    }
    namespaces.push(entry);
  }
  const present = namespaces.filter((entry) => entry.exists).length;
  return {
    prefix,
    topology: topology.path,
    up: present === expected.length,
    partial: present > 0 && present < expected.length,
    namespaces,
    strays: existing.filter((name) => name.startsWith(`${prefix}-`) && !expected.includes(name)),
    state: readState(prefix),
    scanner: { namespace: nsName(topology.scanner.name, prefix), ip: topology.scanner.ip },
    scopes: topology.scopes,
  };
}

// ---------------------------------------------------------------------------------------------------------
// CLI

const USAGE = `usage: sudo node lab/lab.mjs <command> [--prefix P] [--topology FILE]
  up       build the lab (tears down a previous one with the same prefix first)
  down     kill every process in the lab namespaces and delete them
  status   print the lab's state as JSON
  exec <node> -- <command> [args…]   run a command inside a lab namespace (e.g. exec scan -- fping -a …)
prefix: --prefix, else ROLLER_LAB_PREFIX, else the topology's default ("rl")`;

async function main(argv) {
  const options = {};
  const rest = [];
  for (let i = 0; i < argv.length; i += 1) {
    if (argv[i] === '--') {
      rest.push(...argv.slice(i));
      break;
    }
    if (argv[i] === '--prefix') options.prefix = argv[++i];
    else if (argv[i] === '--topology') options.topologyPath = resolve(argv[++i]);
    else if (argv[i] === '-h' || argv[i] === '--help') rest.unshift('help');
    else rest.push(argv[i]);
  }
  const command = rest.shift();
  switch (command) {
    case 'up': {
      const lab = await labUp(options);
      const { topology, timings } = lab;
      console.log(
        `lab ${lab.prefix} up in ${(timings.totalMs / 1000).toFixed(2)} s: ${labNamespaces(topology, lab.prefix).length} namespaces; ` +
          `scanner ${lab.ns(topology.scanner.name)} (${topology.scanner.ip}); scopes ${Object.values(topology.scopes).join(', ')}`,
      );
      for (const daemon of lab.daemons) {
        console.log(
          `  ${daemon.name.padEnd(8)} in ${lab.ns(daemon.node)} pid ${daemon.pid}, ready in ${daemon.readyMs} ms`,
        );
      }
      for (const skipped of lab.skippedDaemons) {
        console.warn(
          `  SKIPPED ${skipped.kind} on ${skipped.nodes.join(', ')}: ${skipped.missing.join(', ')} not found (apt-get install -y ${skipped.package})`,
        );
      }
      console.log(`  run inside the scanner: sudo ip netns exec ${lab.ns(topology.scanner.name)} <command>`);
      return 0;
    }
    case 'down': {
      const result = await labDown(options);
      console.log(
        `lab ${result.prefix} down in ${(result.ms / 1000).toFixed(2)} s: ${result.namespacesDeleted} namespaces deleted, ${result.processesKilled} processes killed`,
      );
      return 0;
    }
    case 'status':
      console.log(JSON.stringify(await labStatus(options), null, 2));
      return 0;
    case 'exec': {
      const node = rest.shift();
      if (rest[0] === '--') rest.shift();
      if (!node || rest.length === 0) break;
      await assertPrerequisites();
      const ns = nsName(node, resolvePrefix(options));
      if (!(await listNamespaces()).includes(ns)) throw new LabError(`namespace ${ns} does not exist (is the lab up?)`);
      const child = spawn('ip', ['netns', 'exec', ns, ...rest], { stdio: 'inherit' });
      return await new Promise((done) => child.on('close', (code, signal) => done(code ?? (signal ? 128 : 1))));
    }
    case 'help':
      console.log(USAGE);
      return 0;
    default:
      break;
  }
  console.error(USAGE);
  return 2;
}

if (process.argv[1] && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) {
  main(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (error) => {
      console.error(error instanceof LabError ? `lab: ${error.message}` : error);
      process.exit(1);
    },
  );
}
