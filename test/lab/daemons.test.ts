// The lab's enrichment daemons (lab/topology.json: snmpd, snmpsim, avahi, nmbd, dnsmasq, TCP services), checked
// FROM THE SCANNER NAMESPACE with the real client tools: snmpget/snmpbulkwalk, dig, nmblookup, nmap, and the
// lab's own NBSTAT/mDNS probes (lab/probe.mjs). Every expectation comes from the topology (derived with the
// helpers in lab/daemons.mjs), so the lab and the future enrichment tests agree on one set of facts.
//
// The first block needs nothing: it checks that the topology's `expect` blocks follow from its daemon data
// (SPEC §5.11 naming, §5.12 tags, oui-data vendors). The second needs root, iproute2 and the daemon and client
// programs; it is skipped with a printed reason elsewhere, and fails instead under CI=true. Own prefix
// (`rle<pid>`), so a developer's lab (`rl`) and the other lab tests are never touched.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, readlinkSync, rmSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  checkPrerequisites,
  dnsRecords,
  exec,
  expectedFdb,
  expectedLinks,
  expectedPortVlans,
  isLocallyAdministered,
  LAB_DIR,
  type Lab,
  type LabNode,
  type LabSwitchModel,
  labDown,
  labNamespaces,
  labUp,
  listNamespaces,
  loadTopology,
  missingDaemonPrograms,
  nsName,
  openTcpPorts,
  ouiKey,
  type RunResult,
  reapStaleLabs,
  reverseName,
  run,
  STATE_ROOT,
  switchModel,
  switchSnmprec,
} from '../../lab/lab.mjs';
import { IN_CI } from '../support/test-env.ts';

const PREFIX = `rle${(process.pid % 46_656).toString(36)}`;
const topology = loadTopology();
const scanner = topology.scanner;
const SCAN = nsName(scanner.name, PREFIX);
const nodes = topology.nodes;
const nodeNamed = (name: string): LabNode => {
  const node = nodes.find((entry) => entry.name === name);
  if (!node) throw new Error(`topology has no node ${name}`);
  return node;
};
const ipOf = (node: LabNode): string => node.interfaces[0]?.ip ?? '';
const sorted = <T>(values: readonly T[]): T[] => [...values].sort();
const byNumber = (a: number, b: number): number => a - b;

const snmpdNodes = nodes.filter((node) => node.snmpd);
const switches = nodes.filter((node) => node.snmpsim);
const avahiNodes = nodes.filter((node) => node.avahi);
const nmbdNodes = nodes.filter((node) => node.nmbd);
const dnsNodes = nodes.filter((node) => node.dnsmasq);
const models: LabSwitchModel[] = switches.map((node) => switchModel(topology, node.name));

// ---------------------------------------------------------------------------------------------------------
// SPEC §5.11 / §5.12, small enough to restate here: the `expect` blocks must follow from the daemon data.

const BASE_SCORE: Record<string, number> = {
  dhcp: 95,
  reverse_dns: 90,
  snmp: 88,
  lldp: 86,
  cdp: 86,
  mdns: 80,
  netbios: 78,
  manual: 70,
};
const GARBAGE = ['workgroup', 'mshome', '__msbrowse__', 'localdomain', 'localhost'];

function normaliseName(source: string, raw: string): { display: string; stored: string; score: number } | null {
  const name = raw.trim().replace(/\.$/, '');
  if (!name) return null;
  const stored = source === 'reverse_dns' || source === 'mdns' ? name.toLowerCase() : name;
  const display = stored.includes('.') && !/\s/.test(stored) ? (stored.split('.')[0] ?? stored) : stored;
  const lower = stored.toLowerCase();
  if (lower.includes('in-addr.arpa') || lower.includes('ip6.arpa') || GARBAGE.includes(lower)) return null;
  let score = BASE_SCORE[source] ?? 50;
  if (display.length < 2) score -= 50;
  if (/[ \t]/.test(display)) score -= 25;
  if (!/^[A-Za-z0-9_-]+$/.test(display)) score -= 20;
  if (lower.endsWith('.local') || lower.endsWith('.localdomain')) score -= 5;
  return { display, stored, score };
}

function bestDisplayName(candidates: readonly { source: string; name: string }[]): string | null {
  const valid = candidates
    .map((candidate) => normaliseName(candidate.source, candidate.name))
    .filter((entry): entry is NonNullable<typeof entry> => entry !== null && entry.score >= 70);
  valid.sort(
    (a, b) =>
      b.score - a.score ||
      a.display.length - b.display.length ||
      (a.display < b.display ? -1 : a.display > b.display ? 1 : 0) ||
      (a.stored < b.stored ? -1 : 1),
  );
  return valid[0]?.display ?? null;
}

const NAME_RULES: [string[], string][] = [
  [['ap', 'wap', 'unifi', 'eap', 'wlan', 'wireless'], 'access_point'],
  [['sw', 'switch'], 'switch'],
  [['gw', 'router', 'gateway', 'edge'], 'router'],
  [['fw', 'firewall', 'pfsense', 'opnsense', 'fortigate', 'fortinet', 'paloalto', 'panos', 'asa'], 'firewall'],
  [['printer', 'hp', 'brother', 'epson', 'canon'], 'printer'],
  [['nas', 'synology', 'qnap', 'truenas', 'freenas'], 'nas'],
  [['esxi', 'vmware', 'proxmox', 'pve', 'hyperv', 'xen'], 'vm_host'],
  [['cam', 'camera', 'nvr', 'dvr'], 'camera'],
  [['iot'], 'iot'],
];

function tagsFor(names: readonly string[], sysDescr: string | null, ports: readonly number[]): string[] {
  const tags = new Set<string>();
  for (const name of names) {
    const tokens = name.toLowerCase().split(/[^a-z0-9]+/);
    const rule = NAME_RULES.find(([words]) => words.some((word) => tokens.includes(word)));
    if (rule) tags.add(rule[1]);
  }
  if (sysDescr) {
    const text = sysDescr.toLowerCase();
    if (text.includes('access point') || text.includes('wireless')) tags.add('access_point');
    else if (text.includes('switch')) tags.add('switch');
    else if (text.includes('router') || text.includes('routing')) tags.add('router');
    if (['firewall', 'pfsense', 'opnsense', 'fortigate', 'pan-os', 'palo alto'].some((w) => text.includes(w))) {
      tags.add('firewall');
    }
    if (['vmware esxi', 'proxmox', 'hyper-v'].some((w) => text.includes(w))) tags.add('vm_host');
    if (['synology', 'qnap', 'truenas', 'freenas'].some((w) => text.includes(w))) tags.add('nas');
    if (text.includes('printer')) tags.add('printer');
  }
  const open = (list: number[]): boolean => list.some((port) => ports.includes(port));
  if (open([9100, 515, 631])) tags.add('printer');
  if (open([554, 8554])) tags.add('camera');
  if (ports.includes(53) && open([67, 68])) tags.add('router');
  if (open([2049, 3260])) tags.add('nas');
  return sorted([...tags]);
}

/** Every name the lab's daemons give a node, by source: what enrichment can collect. */
function namesServedFor(node: LabNode): { source: string; name: string }[] {
  const ips = new Set(node.interfaces.map((iface) => iface.ip));
  const names: { source: string; name: string }[] = [];
  for (const record of dnsRecords(topology)) {
    if (ips.has(record.ip)) names.push({ source: 'reverse_dns', name: record.name });
  }
  const system = node.snmpd?.system ?? node.snmpsim?.system;
  if (system) names.push({ source: 'snmp', name: system.sysName });
  if (node.avahi) names.push({ source: 'mdns', name: `${node.avahi.hostName}.local` });
  if (node.nmbd) names.push({ source: 'netbios', name: node.nmbd.netbiosName });
  for (const model of models) {
    for (const port of model.ports) {
      if (port.neighbour?.node !== node.name) continue;
      for (const protocol of port.neighbour.protocols) names.push({ source: protocol, name: port.neighbour.sysName });
    }
  }
  return names;
}

const key = (candidate: { source: string; name: string }): string => `${candidate.source}:${candidate.name}`;

describe('lab topology: enrichment expectations follow from the daemon data', () => {
  const ouiPath = createRequire(import.meta.url).resolve('oui-data');
  const oui = JSON.parse(readFileSync(ouiPath, 'utf8')) as Record<string, string>;

  it('adds the enrichment nodes: an snmpd host, an snmpsim switch, avahi, nmbd, dnsmasq, classifier ports', () => {
    expect(snmpdNodes.length).toBeGreaterThan(0);
    expect(switches.length).toBeGreaterThan(0);
    expect(avahiNodes.length).toBeGreaterThan(0);
    expect(nmbdNodes.length).toBeGreaterThan(0);
    expect(dnsNodes.length).toBeGreaterThan(0);
    const classified = nodes.filter((node) => tagsFor([], null, openTcpPorts(node)).length > 0);
    expect(classified.length, 'a host whose open ports the classifier maps').toBeGreaterThan(0);
    for (const node of snmpdNodes) {
      const versions = (node.snmpd?.credentials ?? []).map((credential) => credential.version);
      expect(versions).toContain('2c');
      expect(versions).toContain('3');
    }
    // The scanner must keep no default route; no node may have one (the loader refuses them).
    for (const node of nodes)
      for (const route of node.routes) expect(route.to).not.toMatch(/^(default|0\.0\.0\.0\/0)$/);
  });

  it('every name candidate in `expect.names` is served by a lab daemon, and every served name is expected', () => {
    for (const node of nodes) {
      expect(sorted(node.expect.names.map(key)), node.name).toEqual(sorted(namesServedFor(node).map(key)));
    }
  });

  it('`expect.displayName` is the SPEC §5.11 winner among the candidates', () => {
    for (const node of nodes) expect(bestDisplayName(node.expect.names), node.name).toBe(node.expect.displayName);
    // The scores really compete somewhere: reverse DNS over SNMP, SNMP over LLDP/CDP, mDNS and NetBIOS alone.
    const sources = (node: LabNode): string[] => node.expect.names.map((candidate) => candidate.source);
    expect(nodes.some((node) => sources(node).includes('reverse_dns') && sources(node).includes('snmp'))).toBe(true);
    expect(nodes.some((node) => node.expect.displayName && sources(node).join() === 'mdns')).toBe(true);
    expect(nodes.some((node) => node.expect.displayName && sources(node).join() === 'netbios')).toBe(true);
  });

  it('`expect.tags` follow SPEC §5.12 from names, sysDescr and open TCP ports', () => {
    for (const node of nodes) {
      const sysDescr = node.snmpd?.system.sysDescr ?? node.snmpsim?.system.sysDescr ?? null;
      // Rule set 1 runs on the device's own names (resolvers and sysName), not on what neighbours call it.
      const names = node.expect.names
        .filter((candidate) => ['reverse_dns', 'mdns', 'netbios', 'snmp'].includes(candidate.source))
        .map((candidate) => candidate.name);
      expect(tagsFor(names, sysDescr, openTcpPorts(node)), node.name).toEqual(sorted(node.expect.tags));
    }
    for (const node of switches) expect(node.snmpsim?.system.sysDescr.toLowerCase()).toContain('switch');
  });

  it('vendors: real IEEE OUIs carry the oui-data organisation, every other MAC is locally administered', () => {
    const real = nodes.filter((node) => node.interfaces.some((iface) => !isLocallyAdministered(iface.mac)));
    expect(real.length).toBeGreaterThanOrEqual(2);
    for (const node of nodes) {
      for (const iface of node.interfaces) {
        if (isLocallyAdministered(iface.mac)) continue;
        const organisation = oui[ouiKey(iface.mac)]?.split('\n')[0];
        expect(organisation, `${node.name} ${iface.mac}`).toBe(node.expect.vendor);
      }
      if (node.interfaces.every((iface) => isLocallyAdministered(iface.mac))) expect(node.expect.vendor).toBeNull();
    }
    expect(
      nodes.filter((node) => node.interfaces.every((iface) => isLocallyAdministered(iface.mac))).length,
    ).toBeGreaterThan(2);
  });

  it('the switch model exercises the mapping traps: bridge port ≠ ifIndex, access vs trunk, timeMark, LLDP+CDP', () => {
    for (const model of models) {
      for (const port of model.ports) expect(port.bridgePort, port.name).not.toBe(port.ifIndex);
      const vlans = expectedPortVlans(model);
      expect(vlans.some((port) => port.untagged.length === 1 && port.tagged.length === 0)).toBe(true);
      expect(vlans.some((port) => port.tagged.length >= 2)).toBe(true);
      const neighbours = model.ports.flatMap((port) => (port.neighbour ? [port.neighbour] : []));
      expect(neighbours.some((neighbour) => neighbour.lldp && neighbour.lldp.timeMark !== 0)).toBe(true);
      const links = expectedLinks(model);
      const both = links.filter((link) => link.protocols.join() === 'cdp,lldp');
      const cdpOnly = links.filter((link) => link.protocols.join() === 'cdp');
      expect(both.length).toBeGreaterThan(0);
      expect(cdpOnly.length).toBeGreaterThan(0);
      expect(cdpOnly.every((link) => !both.some((other) => other.node === link.node))).toBe(true);
      const fdbNodes = expectedFdb(model).map((entry) => entry.node);
      for (const name of ['h11', 'h12', ...snmpdNodes.map((node) => node.name)]) expect(fdbNodes).toContain(name);
    }
  });

  it('the generated snmprec is sorted by numeric OID with unique OIDs and valid tags', () => {
    for (const model of models) {
      const records = switchSnmprec(model);
      expect(records.length).toBeGreaterThan(100);
      const parts = (oid: string): number[] => oid.split('.').map(Number);
      for (let i = 1; i < records.length; i++) {
        const [a, b] = [parts(records[i - 1]?.[0] ?? ''), parts(records[i]?.[0] ?? '')];
        let order = 0;
        for (let j = 0; j < Math.min(a.length, b.length) && order === 0; j++) order = (a[j] ?? 0) - (b[j] ?? 0);
        if (order === 0) order = a.length - b.length;
        expect(order, `${records[i - 1]?.[0]} before ${records[i]?.[0]}`).toBeLessThan(0);
      }
      for (const [oid, tag, value] of records) {
        expect(['2', '4', '4x', '6', '64', '65', '66', '67', '70'], oid).toContain(tag);
        expect(value, oid).not.toMatch(/[\r\n]/);
      }
    }
  });
});

// ---------------------------------------------------------------------------------------------------------
// The daemons, from the scanner

const CLIENTS = {
  snmpget: 'snmp',
  snmpbulkwalk: 'snmp',
  dig: 'bind9-dnsutils',
  nmblookup: 'samba-common-bin',
  nmap: 'nmap',
} as const;

async function whyNot(): Promise<string | null> {
  const check = await checkPrerequisites();
  if (!check.ok) return check.reason;
  const daemons = missingDaemonPrograms(topology);
  if (daemons.length > 0) {
    return `missing ${daemons.map((entry) => `${entry.missing.join(', ')} (apt-get install -y ${entry.package})`).join('; ')}`;
  }
  const clients = Object.entries(CLIENTS).filter(
    ([tool]) => spawnSync('sh', ['-c', `command -v ${tool}`], { stdio: 'ignore' }).status !== 0,
  );
  if (clients.length > 0) {
    return `missing ${clients.map(([tool, pkg]) => `${tool} (apt-get install -y ${pkg})`).join(', ')}`;
  }
  return null;
}

const reason = await whyNot();
if (reason && !IN_CI) process.stderr.write(`\n[roller tests] lab daemon tests skipped: ${reason}\n`);

/** One SNMP value from `snmpbulkwalk -On -Ox`: octet strings as bytes, numbers as numbers. */
interface SnmpValue {
  type: string;
  text: string;
  bytes: Buffer;
  int: number;
}

function parseSnmpOutput(stdout: string, base: string): Map<string, SnmpValue> {
  // Continuation lines (long Hex-STRINGs wrap) belong to the previous varbind.
  const lines: string[] = [];
  for (const line of stdout.split('\n')) {
    if (line.startsWith('.')) lines.push(line);
    else if (line.trim() && lines.length > 0) lines[lines.length - 1] += ` ${line.trim()}`;
  }
  const values = new Map<string, SnmpValue>();
  for (const line of lines) {
    const match = /^\.([\d.]+) = (?:([\w-]+): )?(.*)$/.exec(line);
    if (!match?.[1] || /No more variables|No Such/.test(line)) continue;
    const oid = match[1];
    if (!oid.startsWith(`${base}.`) && oid !== base) continue;
    const type = match[2] ?? 'STRING';
    const raw = (match[3] ?? '').trim();
    let bytes = Buffer.alloc(0);
    let text = raw;
    if (type === 'Hex-STRING') {
      bytes = Buffer.from(raw.replaceAll(' ', ''), 'hex');
      text = bytes.toString('latin1');
    } else if (type === 'STRING' || raw === '""') {
      text = raw.replace(/^"|"$/g, '');
      bytes = Buffer.from(text, 'latin1');
    } else if (type === 'OID') text = raw.replace(/^\./, '');
    else if (type === 'Timeticks') text = /\((\d+)\)/.exec(raw)?.[1] ?? raw;
    const int = Number.parseInt(text, 10);
    values.set(oid === base ? '' : oid.slice(base.length + 1), { type, text, bytes, int });
  }
  return values;
}

const macText = (bytes: Buffer): string => [...bytes].map((byte) => byte.toString(16).padStart(2, '0')).join(':');
const bitmapPorts = (bytes: Buffer): number[] => {
  const ports: number[] = [];
  bytes.forEach((byte, index) => {
    for (let bit = 0; bit < 8; bit++) if (byte & (0x80 >> bit)) ports.push(index * 8 + bit + 1);
  });
  return ports;
};

if (reason && IN_CI) {
  describe('lab daemons', () => {
    it('can run (CI=true requires root, iproute2, the daemons and the client tools)', () => {
      throw new Error(`lab daemon tests cannot run under CI=true: ${reason}`);
    });
  });
} else {
  describe.skipIf(reason !== null)('lab daemons, queried from the scanner namespace', () => {
    let lab: Lab;
    let clientDir = '';
    let labIsDown = false;
    /** net-snmp clients: no MIBs, and no persistent files outside a temp dir. */
    const snmpEnv = (): Record<string, string> => ({
      MIBS: '',
      SNMP_PERSISTENT_DIR: clientDir,
      SNMPCONFPATH: clientDir,
    });

    const scan = (argv: string[], timeoutMs = 10_000): Promise<RunResult> =>
      exec(SCAN, argv, { timeoutMs, env: snmpEnv() });

    async function snmpGet(ip: string, auth: string[], oids: string[]): Promise<Map<string, SnmpValue>> {
      const result = await scan(['snmpget', ...auth, '-On', '-Ox', '-t', '1', '-r', '1', ip, ...oids]);
      expect(result.code, `snmpget ${ip}: ${result.stderr}`).toBe(0);
      return parseSnmpOutput(result.stdout, '1');
    }

    async function walk(ip: string, community: string, base: string): Promise<Map<string, SnmpValue>> {
      const result = await scan([
        'snmpbulkwalk',
        '-v2c',
        '-c',
        community,
        '-On',
        '-Ox',
        '-t',
        '1',
        '-r',
        '1',
        ip,
        base,
      ]);
      expect(result.code, `snmpbulkwalk ${ip} ${base}: ${result.stderr}`).toBe(0);
      return parseSnmpOutput(result.stdout, base);
    }

    beforeAll(async () => {
      clientDir = mkdtempSync(join(tmpdir(), 'rle-snmp-'));
      await reapStaleLabs('rle');
      lab = await labUp({ prefix: PREFIX, ownerPid: process.pid, requireDaemons: true });
      const ready = lab.daemons.map((daemon) => `${daemon.node}/${daemon.name} ${daemon.readyMs} ms`).join(', ');
      process.stdout.write(`[lab ${PREFIX}] up ${JSON.stringify(lab.timings)}; daemons: ${ready}\n`);
    });

    afterAll(async () => {
      if (!labIsDown) await labDown({ prefix: PREFIX });
      if (clientDir) rmSync(clientDir, { recursive: true, force: true });
    });

    it('starts every daemon the topology asks for inside its node, in a few seconds', async () => {
      const expected = nodes.flatMap((node) => [
        ...(node.services.length > 0 ? [`${node.name}/services`] : []),
        ...(['snmpd', 'snmpsim', 'avahi', 'nmbd', 'dnsmasq'] as const)
          .filter((kind) => node[kind])
          .map((kind) => `${node.name}/${kind}`),
      ]);
      expect(sorted(lab.daemons.map((daemon) => `${daemon.node}/${daemon.name}`))).toEqual(sorted(expected));
      expect(lab.skippedDaemons).toEqual([]);
      for (const daemon of lab.daemons) {
        const identify = await run(['ip', 'netns', 'identify', String(daemon.pid)]);
        expect(identify.stdout.trim(), `${daemon.node}/${daemon.name} pid ${daemon.pid}`).toBe(
          nsName(daemon.node, PREFIX),
        );
      }
    });

    describe('snmpd (net-snmp)', () => {
      it('answers v2c and v3 authPriv with the topology system group, and nothing else', async () => {
        for (const node of snmpdNodes) {
          const system = node.snmpd?.system;
          const credentials = node.snmpd?.credentials ?? [];
          const ip = ipOf(node);
          const v2c = credentials.find((credential) => credential.version === '2c');
          const v3 = credentials.find((credential) => credential.version === '3');
          if (!system || v2c?.version !== '2c' || v3?.version !== '3') throw new Error(`${node.name}: v2c and v3`);
          const sys = [
            '1.3.6.1.2.1.1.5.0',
            '1.3.6.1.2.1.1.1.0',
            '1.3.6.1.2.1.1.2.0',
            '1.3.6.1.2.1.1.4.0',
            '1.3.6.1.2.1.1.6.0',
          ];
          const values = await snmpGet(ip, ['-v2c', '-c', v2c.community], sys);
          expect([...values.values()].map((value) => value.text)).toEqual([
            system.sysName,
            system.sysDescr,
            system.sysObjectID,
            system.sysContact,
            system.sysLocation,
          ]);
          const v3Auth = [
            '-v3',
            '-l',
            v3.level,
            '-u',
            v3.user,
            '-a',
            v3.authProtocol.toUpperCase(),
            '-A',
            v3.authKey,
            '-x',
            (v3.privProtocol ?? 'aes').toUpperCase(),
            '-X',
            v3.privKey ?? '',
          ];
          const secure = await snmpGet(ip, v3Auth, ['1.3.6.1.2.1.1.5.0']);
          expect(secure.get('3.6.1.2.1.1.5.0')?.text).toBe(system.sysName);

          // A wrong community is a timeout (like a dead host); a wrong v3 key an authentication failure.
          const wrong = await scan([
            'snmpget',
            '-v2c',
            '-c',
            `${v2c.community}-x`,
            '-t',
            '0.3',
            '-r',
            '0',
            ip,
            '1.3.6.1.2.1.1.5.0',
          ]);
          expect(wrong.code).not.toBe(0);
          expect(wrong.stderr).toMatch(/Timeout/i);
          const badKey = v3Auth.map((arg) => (arg === v3.authKey ? `${v3.authKey}-x` : arg));
          const denied = await scan(['snmpget', ...badKey, '-t', '0.5', '-r', '0', ip, '1.3.6.1.2.1.1.5.0']);
          expect(denied.code).not.toBe(0);
          expect(denied.stderr).toMatch(/Authentication failure|wrong digest/i);
        }
      });

      it('reports the namespace’s real interfaces: eth0 with the lab MAC and IP, and lo', async () => {
        for (const node of snmpdNodes) {
          const ip = ipOf(node);
          const community = node.snmpd?.credentials.find((credential) => credential.version === '2c');
          if (community?.version !== '2c') throw new Error('v2c');
          const links = JSON.parse((await lab.exec(node.name, ['ip', '-j', 'link', 'show'])).stdout) as {
            ifindex: number;
            ifname: string;
            address: string;
          }[];
          const names = await walk(ip, community.community, '1.3.6.1.2.1.31.1.1.1.1');
          const macs = await walk(ip, community.community, '1.3.6.1.2.1.2.2.1.6');
          const seen = [...names].map(([index, value]) => ({
            ifIndex: Number(index),
            name: value.text,
            mac: macs.get(index)?.bytes.length ? macText(macs.get(index)?.bytes ?? Buffer.alloc(0)) : null,
          }));
          const real = links.map((link) => ({
            ifIndex: link.ifindex,
            name: link.ifname,
            mac: link.ifname === 'lo' ? null : link.address,
          }));
          expect(sorted(seen.map((entry) => JSON.stringify(entry)))).toEqual(
            sorted(real.map((e) => JSON.stringify(e))),
          );
          const eth0 = real.find((entry) => entry.name === node.interfaces[0]?.name);
          expect(eth0?.mac).toBe(node.interfaces[0]?.mac);
          const addresses = await walk(ip, community.community, '1.3.6.1.2.1.4.20.1.2');
          expect(addresses.get(ip)?.int).toBe(eth0?.ifIndex);
        }
      });
    });

    describe.each(models.map((model) => [model.node, model] as const))('snmpsim switch %s', (_name, model) => {
      const node = nodeNamed(model.node);
      const ip = ipOf(node);
      const community = model.communities[0] ?? '';
      const portByIfIndex = new Map(model.ports.map((port) => [port.ifIndex, port]));
      const portByBridgePort = new Map(model.ports.map((port) => [port.bridgePort, port]));

      it('serves the system group (sysDescr says switch) on its management IP', async () => {
        const values = await snmpGet(
          ip,
          ['-v2c', '-c', community],
          ['1.3.6.1.2.1.1.5.0', '1.3.6.1.2.1.1.1.0', '1.3.6.1.2.1.1.2.0'],
        );
        expect([...values.values()].map((value) => value.text)).toEqual([
          model.system.sysName,
          model.system.sysDescr,
          model.system.sysObjectID,
        ]);
        expect(model.system.sysDescr.toLowerCase()).toContain('switch');
      });

      it('ifTable/ifXTable: names, MACs, status, MTU, speed (ifHighSpeed) per port; IP-MIB has the management IP', async () => {
        const [names, macs, admin, oper, mtu, speed, highSpeed, alias] = await Promise.all(
          [
            '1.3.6.1.2.1.31.1.1.1.1',
            '1.3.6.1.2.1.2.2.1.6',
            '1.3.6.1.2.1.2.2.1.7',
            '1.3.6.1.2.1.2.2.1.8',
            '1.3.6.1.2.1.2.2.1.4',
            '1.3.6.1.2.1.2.2.1.5',
            '1.3.6.1.2.1.31.1.1.1.15',
            '1.3.6.1.2.1.31.1.1.1.18',
          ].map((oid) => walk(ip, community, oid)),
        );
        const status = (value: string): number => (value === 'up' ? 1 : 2);
        for (const port of model.ports) {
          const at = String(port.ifIndex);
          expect(names?.get(at)?.text, port.name).toBe(port.name);
          expect(macText(macs?.get(at)?.bytes ?? Buffer.alloc(0))).toBe(port.mac);
          expect(admin?.get(at)?.int).toBe(status(port.admin));
          expect(oper?.get(at)?.int).toBe(status(port.oper));
          expect(mtu?.get(at)?.int).toBe(port.mtu);
          expect(highSpeed?.get(at)?.int).toBe(port.speedMbps);
          expect(speed?.get(at)?.int).toBe(Math.min(port.speedMbps * 1_000_000, 4_294_967_295));
          expect(alias?.get(at)?.text ?? '').toBe(port.alias);
        }
        expect(names?.get(String(model.management.ifIndex))?.text).toBe(model.management.name);
        expect(macText(macs?.get(String(model.management.ifIndex))?.bytes ?? Buffer.alloc(0))).toBe(
          node.interfaces[0]?.mac,
        );
        const addresses = await walk(ip, community, '1.3.6.1.2.1.4.20.1.2');
        expect(addresses.get(ip)?.int).toBe(model.management.ifIndex);
      });

      it('BRIDGE-MIB + Q-BRIDGE: bridge port → ifIndex, PVIDs, static VLANs (names, egress and untagged bitmaps)', async () => {
        const basePorts = await walk(ip, community, '1.3.6.1.2.1.17.1.4.1.2');
        const pvids = await walk(ip, community, '1.3.6.1.2.1.17.7.1.4.5.1.1');
        const vlanNames = await walk(ip, community, '1.3.6.1.2.1.17.7.1.4.3.1.1');
        const egress = await walk(ip, community, '1.3.6.1.2.1.17.7.1.4.3.1.2');
        const untagged = await walk(ip, community, '1.3.6.1.2.1.17.7.1.4.3.1.4');
        const ifIndexOf = (bridgePort: number): number => basePorts.get(String(bridgePort))?.int ?? -1;
        // Rebuild each port's VLANs by ifIndex from the walks, as a reader must: base port → ifIndex.
        const seen = new Map<number, { pvid: number; untagged: number[]; tagged: number[] }>();
        for (const [bridgePort, value] of pvids)
          seen.set(ifIndexOf(Number(bridgePort)), { pvid: value.int, untagged: [], tagged: [] });
        for (const [vlanId, value] of egress) {
          const untaggedPorts = bitmapPorts(untagged.get(vlanId)?.bytes ?? Buffer.alloc(0));
          for (const bridgePort of bitmapPorts(value.bytes)) {
            const entry = seen.get(ifIndexOf(bridgePort));
            if (!entry) throw new Error(`VLAN ${vlanId}: bridge port ${bridgePort} has no PVID row`);
            (untaggedPorts.includes(bridgePort) ? entry.untagged : entry.tagged).push(Number(vlanId));
          }
        }
        const expected = expectedPortVlans(model);
        expect(expected.map((port) => ({ ...seen.get(port.ifIndex), port: port.port }))).toEqual(
          expected.map((port) => ({ pvid: port.pvid, untagged: port.untagged, tagged: port.tagged, port: port.port })),
        );
        expect(Object.fromEntries([...vlanNames].map(([id, value]) => [id, value.text]))).toEqual(
          Object.fromEntries(model.vlans.map((vlan) => [String(vlan.id), vlan.name])),
        );
        for (const port of model.ports) expect(ifIndexOf(port.bridgePort)).toBe(port.ifIndex);
      });

      it('Q-BRIDGE FDB: every MAC behind the port the topology puts it behind, in that port’s VLAN', async () => {
        const fdb = await walk(ip, community, '1.3.6.1.2.1.17.7.1.2.2.1.2');
        const seen = [...fdb].map(([index, value]) => {
          const parts = index.split('.').map(Number);
          return {
            mac: parts
              .slice(1)
              .map((byte) => byte.toString(16).padStart(2, '0'))
              .join(':'),
            vlan: parts[0],
            port: portByBridgePort.get(value.int)?.name,
          };
        });
        const expected = expectedFdb(model).map((entry) => ({ mac: entry.mac, vlan: entry.vlan, port: entry.port }));
        const text = (list: object[]): string[] => sorted(list.map((entry) => JSON.stringify(entry)));
        expect(text(seen)).toEqual(text(expected));
        // The MACs are the lab hosts' real MACs.
        for (const entry of expectedFdb(model)) {
          expect(nodeNamed(entry.node).interfaces.map((iface) => iface.mac)).toContain(entry.mac);
        }
      });

      it('LLDP: local ports named by ifName, remote chassis/port/name/management IP of the neighbouring lab hosts', async () => {
        const localIds = await walk(ip, community, '1.0.8802.1.1.2.1.3.7.1.3');
        const remote = await walk(ip, community, '1.0.8802.1.1.2.1.4.1.1');
        const manAddr = await walk(ip, community, '1.0.8802.1.1.2.1.4.2.1.3');
        const rows = new Map<string, Record<number, SnmpValue>>();
        for (const [index, value] of remote) {
          const [column, ...rest] = index.split('.');
          const rowKey = rest.join('.');
          rows.set(rowKey, { ...rows.get(rowKey), [Number(column)]: value });
        }
        const seen = [...rows].map(([rowKey, row]) => {
          const [timeMark, localPort, remIndex] = rowKey.split('.').map(Number);
          const address = [...manAddr.keys()].find((index) => index.startsWith(`${rowKey}.1.4.`));
          return {
            timeMark,
            remIndex,
            localPort: localIds.get(String(localPort))?.text,
            chassisSubtype: row[4]?.int,
            chassisMac: macText(row[5]?.bytes ?? Buffer.alloc(0)),
            portIdSubtype: row[6]?.int,
            portId: row[6]?.int === 3 ? macText(row[7]?.bytes ?? Buffer.alloc(0)) : row[7]?.text,
            portDesc: row[8]?.text,
            sysName: row[9]?.text,
            managementIp: address?.split('.').slice(-4).join('.'),
          };
        });
        const expected = model.ports
          .filter((port) => port.neighbour?.protocols.includes('lldp'))
          .map((port) => {
            const neighbour = port.neighbour;
            if (!neighbour?.lldp) throw new Error('lldp');
            const byMac = neighbour.lldp.portIdSubtype === 'macAddress';
            return {
              timeMark: neighbour.lldp.timeMark,
              remIndex: neighbour.lldp.remIndex,
              localPort: port.name,
              chassisSubtype: 4,
              chassisMac: neighbour.chassisMac,
              portIdSubtype: byMac ? 3 : 5,
              portId: byMac ? neighbour.portMac : neighbour.port,
              portDesc: neighbour.port,
              sysName: neighbour.sysName,
              managementIp: neighbour.managementIp,
            };
          });
        const text = (list: object[]): string[] => sorted(list.map((entry) => JSON.stringify(entry)));
        expect(text(seen)).toEqual(text(expected));
        expect(seen.some((row) => row.timeMark !== 0)).toBe(true);
        // The chassis ids are the neighbours' real lab MACs and the management IPs their lab IPs.
        for (const link of expectedLinks(model).filter((entry) => entry.protocols.includes('lldp'))) {
          const remoteNode = nodeNamed(link.node);
          expect(remoteNode.interfaces.map((iface) => iface.mac)).toContain(link.chassisMac);
          expect(remoteNode.interfaces.map((iface) => iface.ip)).toContain(link.managementIp);
        }
      });

      it('CDP: cache rows by local ifIndex; one describes the same cable as an LLDP row, another a different neighbour', async () => {
        const cache = await walk(ip, community, '1.3.6.1.4.1.9.9.23.1.2.1.1');
        const rows = new Map<string, Record<number, SnmpValue>>();
        for (const [index, value] of cache) {
          const [column, ...rest] = index.split('.');
          const rowKey = rest.join('.');
          rows.set(rowKey, { ...rows.get(rowKey), [Number(column)]: value });
        }
        const seen = [...rows].map(([rowKey, row]) => ({
          localPort: portByIfIndex.get(Number(rowKey.split('.')[0]))?.name,
          addressType: row[3]?.int,
          address: [...(row[4]?.bytes ?? [])].join('.'),
          deviceId: row[6]?.text,
          devicePort: row[7]?.text,
        }));
        const cdpLinks = expectedLinks(model).filter((link) => link.protocols.includes('cdp'));
        const expected = cdpLinks.map((link) => ({
          localPort: link.localPort,
          addressType: 1,
          address: link.managementIp,
          deviceId: link.remoteName,
          devicePort: link.remotePort,
        }));
        const text = (list: object[]): string[] => sorted(list.map((entry) => JSON.stringify(entry)));
        expect(text(seen)).toEqual(text(expected));
        // One link per cable: the topology's expected links have no duplicate local port.
        const links = expectedLinks(model);
        expect(new Set(links.map((link) => link.localPort)).size).toBe(links.length);
        expect(links.some((link) => link.protocols.length === 2)).toBe(true);
      });
    });

    it('dnsmasq answers PTR and A for every record, NXDOMAIN for other lab addresses', async () => {
      for (const record of dnsRecords(topology)) {
        const ptr = await scan(['dig', '+short', '+time=1', '+tries=2', '-x', record.ip, `@${record.server}`]);
        expect(ptr.stdout.trim().split('\n'), `${record.ip} PTR`).toEqual([`${record.name}.`]);
        const a = await scan(['dig', '+short', '+time=1', '+tries=2', record.name, 'A', `@${record.server}`]);
        expect(a.stdout.trim(), `${record.name} A`).toBe(record.ip);
      }
      const named = new Set(dnsRecords(topology).map((record) => record.ip));
      const unnamed = topology.addresses.find(
        (address) => !named.has(address.ip) && address.segment === scanner.segment,
      );
      for (const server of dnsNodes) {
        const miss = await scan(['dig', '+time=1', '+tries=2', '-x', unnamed?.ip ?? '', `@${ipOf(server)}`]);
        expect(miss.stdout).toMatch(/status: NXDOMAIN/);
        // Reverse names come straight from the topology helper the tests share.
        const direct = await scan([
          process.execPath,
          join(LAB_DIR, 'probe.mjs'),
          'dns',
          ipOf(server),
          reverseName(ipOf(server)),
          'PTR',
        ]);
        expect(direct.code, direct.stderr).toBe(0);
        expect(JSON.parse(direct.stdout).authoritative).toBe(true);
      }
    });

    it('nmbd answers NetBIOS node status with its name and workgroup (nmblookup -A and a raw NBSTAT)', async () => {
      for (const node of nmbdNodes) {
        const ip = ipOf(node);
        const netbios = node.nmbd;
        if (!netbios) throw new Error('nmbd');
        const lookup = await scan(['nmblookup', '-A', ip]);
        expect(lookup.code, lookup.stderr).toBe(0);
        expect(lookup.stdout).toMatch(new RegExp(`^\\s+${netbios.netbiosName}\\s+<20> -\\s+B <ACTIVE>`, 'm'));
        expect(lookup.stdout).toMatch(new RegExp(`^\\s+${netbios.workgroup}\\s+<00> - <GROUP> B <ACTIVE>`, 'm'));
        const raw = await scan([process.execPath, join(LAB_DIR, 'probe.mjs'), 'nbstat', ip, '--wait', '2000']);
        expect(raw.code, raw.stderr).toBe(0);
        const names = JSON.parse(raw.stdout).names as { name: string; suffix: number; group: boolean }[];
        expect(names).toContainEqual({ name: netbios.netbiosName, suffix: 0x20, group: false });
        expect(names).toContainEqual({ name: netbios.workgroup, suffix: 0x00, group: true });
      }
    });

    it('avahi answers mDNS for its host name (reverse PTR) and advertises its service (PTR, SRV, TXT)', async () => {
      for (const node of avahiNodes) {
        const ip = ipOf(node);
        const avahi = node.avahi;
        if (!avahi) throw new Error('avahi');
        const probe = (qname: string, qtype: string): Promise<RunResult> =>
          scan([process.execPath, join(LAB_DIR, 'probe.mjs'), 'mdns', scanner.ip, qname, qtype, '--wait', '2000']);
        // SPEC §5.9.2: a PTR query for the reverse name to 224.0.0.251:5353, recursion off.
        const reverse = await probe(reverseName(ip), 'PTR');
        expect(reverse.code, reverse.stderr).toBe(0);
        const answer = JSON.parse(reverse.stdout);
        expect(answer.from).toBe(ip);
        expect(answer.answers.map((entry: { data: string }) => entry.data)).toEqual([`${avahi.hostName}.local`]);
        // dig to the responder's unicast address on 5353 works too.
        const dig = await scan(['dig', '+short', '+time=1', '+tries=2', '-p', '5353', `@${ip}`, '-x', ip]);
        expect(dig.stdout.trim()).toBe(`${avahi.hostName}.local.`);
        for (const service of avahi.services ?? []) {
          const browse = await probe(`${service.type}.local`, 'PTR');
          expect(browse.code, browse.stderr).toBe(0);
          const records = JSON.parse(browse.stdout).answers as { name: string; type: string; data: unknown }[];
          const instance = `${service.name}.${service.type}.local`;
          expect(records).toContainEqual(expect.objectContaining({ type: 'PTR', data: instance }));
          expect(records).toContainEqual(
            expect.objectContaining({
              type: 'SRV',
              name: instance,
              data: expect.objectContaining({ port: service.port, target: `${avahi.hostName}.local` }),
            }),
          );
          expect(records).toContainEqual(
            expect.objectContaining({ type: 'TXT', name: instance, data: service.txt ?? [] }),
          );
        }
      }
    });

    it('nmap -sT finds exactly the open TCP ports the topology lists, on every service and daemon host', async () => {
      const hosts = nodes.filter(
        (node) => node.role === 'host' && node.interfaces[0]?.segment === scanner.segment && node.name !== scanner.name,
      );
      const ports = sorted([...new Set(nodes.flatMap((node) => openTcpPorts(node)))].map(String));
      const result = await scan(
        [
          'nmap',
          '-sT',
          '-Pn',
          '-n',
          '--max-retries',
          '1',
          '--host-timeout',
          '10s',
          '-p',
          ports.join(','),
          '-oG',
          '-',
          ...hosts.map(ipOf),
        ],
        30_000,
      );
      expect(result.code, result.stderr).toBe(0);
      const open = new Map<string, number[]>();
      for (const line of result.stdout.split('\n')) {
        const match = /^Host: (\S+) .*Ports: (.*)$/.exec(line);
        if (!match?.[1] || !match[2]) continue;
        const list = match[2]
          .split(',')
          .map((entry) => entry.trim().split('/'))
          .filter((fields) => fields[1] === 'open')
          .map((fields) => Number(fields[0]));
        open.set(match[1], list.sort(byNumber));
      }
      for (const node of hosts) expect(open.get(ipOf(node)) ?? [], node.name).toEqual(openTcpPorts(node));
      expect([...open.values()].flat()).toEqual(expect.arrayContaining([9100]));
    });

    it('down kills every daemon (no process left in the lab namespaces, none by name) and removes its files', async () => {
      const namespaces = labNamespaces(topology, PREFIX);
      const netnsInodes = new Set(namespaces.map((ns) => statSync(join('/run/netns', ns)).ino));
      const pids = (await Promise.all(namespaces.map((ns) => run(['ip', 'netns', 'pids', ns]))))
        .flatMap((result) => result.stdout.split(/\s+/).filter(Boolean))
        .map(Number);
      const comm = (pid: number): string => {
        try {
          return readFileSync(`/proc/${pid}/comm`, 'utf8').trim();
        } catch {
          return '';
        }
      };
      const daemonNames = ['snmpd', 'snmpsimd', 'avahi-daemon', 'nmbd', 'dnsmasq'];
      expect(sorted([...new Set(pids.map(comm).filter((name) => daemonNames.includes(name)))])).toEqual(
        sorted(daemonNames),
      );

      const result = await labDown({ prefix: PREFIX });
      labIsDown = true;
      process.stdout.write(`[lab ${PREFIX}] down ${result.ms} ms, ${result.processesKilled} processes killed\n`);
      expect((await listNamespaces()).filter((name) => name.startsWith(`${PREFIX}-`))).toEqual([]);

      // A process left behind would still hold its (deleted) network namespace: look for any process in one.
      const alive = (pid: number): boolean => {
        try {
          const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
          return !/^[ZX]/.test(stat.slice(stat.lastIndexOf(')') + 2));
        } catch {
          return false;
        }
      };
      const leftovers: string[] = [];
      for (const entry of readdirSync('/proc')) {
        if (!/^\d+$/.test(entry)) continue;
        try {
          const inode = Number(/net:\[(\d+)\]/.exec(readlinkSync(`/proc/${entry}/ns/net`))?.[1]);
          if (netnsInodes.has(inode) && alive(Number(entry))) leftovers.push(`${entry} ${comm(Number(entry))}`);
        } catch {}
      }
      expect(leftovers).toEqual([]);
      for (const pid of pids)
        expect(alive(pid) && daemonNames.includes(comm(pid)), `daemon ${pid} still running`).toBe(false);
      expect(() => statSync(join(STATE_ROOT, PREFIX))).toThrow();
    });
  });
}
