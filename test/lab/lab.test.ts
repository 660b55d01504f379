// The network-namespace lab itself (lab/lab.mjs + lab/topology.json): every expectation comes from the
// topology file. Needs root and iproute2; skipped with a printed reason elsewhere, but under CI=true it
// fails instead of skipping. Uses its own prefix (`rlt<pid>`) so a developer's lab (`rl`) or a concurrent
// test run is never touched.
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  checkPrerequisites,
  exec,
  type Lab,
  labDown,
  labNamespaces,
  labUp,
  listNamespaces,
  loadTopology,
  neighbours,
  nsName,
  reapStaleLabs,
  run,
  STATE_ROOT,
} from '../../lab/lab.mjs';
import { IN_CI } from '../support/test-env.ts';

const PREFIX = `rlt${(process.pid % 46_656).toString(36)}`;
const topology = loadTopology();
const scanner = topology.scanner;
const SCAN = nsName(scanner.name, PREFIX);

/** Everything a scan from the scanner can see: every interface of every other node. */
const targets = topology.addresses.filter((address) => address.node !== scanner.name);
const onSegment = targets.filter((address) => address.segment === scanner.segment);
const behindRouter = targets.filter((address) => address.segment !== scanner.segment);
const sorted = (values: string[]) => [...values].sort();

/** A process that exited but was not reaped yet (a zombie) counts as gone. */
function running(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return !/^[ZX]/.test(stat.slice(stat.lastIndexOf(')') + 2));
  } catch {
    return false;
  }
}

const TOOLS = { fping: ['-v'], 'arp-scan': ['--version'], ping: ['-V'] } as const;

async function whyNot(): Promise<string | null> {
  const check = await checkPrerequisites();
  if (!check.ok) return check.reason;
  const missing = Object.entries(TOOLS)
    .filter(([tool, args]) => spawnSync(tool, [...args], { stdio: 'ignore' }).error)
    .map(([tool]) => tool);
  if (missing.length > 0) return `missing ${missing.join(', ')} (apt-get install -y fping arp-scan iputils-ping)`;
  return null;
}

const reason = await whyNot();
if (reason && !IN_CI) process.stderr.write(`\n[roller tests] network-namespace lab tests skipped: ${reason}\n`);

if (reason && IN_CI) {
  describe('network-namespace lab', () => {
    it('can run (CI=true requires root, iproute2, fping, arp-scan and ping)', () => {
      throw new Error(`lab tests cannot run under CI=true: ${reason}`);
    });
  });
} else {
  describe.skipIf(reason !== null)('network-namespace lab', () => {
    let lab: Lab;

    beforeAll(async () => {
      await reapStaleLabs('rlt');
      lab = await labUp({ prefix: PREFIX, ownerPid: process.pid });
      process.stdout.write(`[lab] up ${JSON.stringify(lab.timings)}\n`);
    });

    afterAll(async () => {
      await labDown({ prefix: PREFIX });
    });

    it('builds every namespace of the topology, and none has a default route', async () => {
      const existing = await listNamespaces();
      const expected = labNamespaces(topology, PREFIX);
      expect(sorted(existing.filter((name) => name.startsWith(`${PREFIX}-`)))).toEqual(sorted(expected));
      for (const ns of expected) {
        for (const family of ['-4', '-6']) {
          const result = await run(['ip', '-n', ns, '-j', family, 'route', 'show', 'default']);
          expect(result.code, result.stderr).toBe(0);
          const routes = result.stdout.trim() ? JSON.parse(result.stdout) : [];
          expect(routes, `${ns} ${family} default route`).toEqual([]);
        }
      }
    });

    it('gives the scanner its address and a route to the routed subnet via the router only', async () => {
      const addr = await exec(SCAN, ['ip', '-j', 'addr', 'show', 'dev', 'eth0']);
      const info = JSON.parse(addr.stdout)[0];
      expect(info.address).toBe(scanner.mac);
      const ipv4 = info.addr_info.filter((entry: { family: string }) => entry.family === 'inet');
      expect(ipv4.map((entry: { local: string }) => entry.local)).toEqual([scanner.ip]);
      for (const routed of behindRouter) {
        const route = JSON.parse((await exec(SCAN, ['ip', '-j', 'route', 'get', routed.ip])).stdout)[0];
        expect(scanner.routes.map((r) => r.via)).toContain(route.gateway);
      }
      // Anything outside the lab is unroutable from the scanner (route lookup only: no packet is sent).
      const outside = await exec(SCAN, ['ip', 'route', 'get', '192.0.2.1']);
      expect(outside.code).not.toBe(0);
      expect(outside.stderr).toMatch(/unreachable/i);
    });

    it('fping from the scanner reports exactly the addresses that answer ICMP, routed ones included', async () => {
      const ips = targets.map((address) => address.ip);
      const result = await lab.exec(scanner.name, ['fping', '-a', '-q', '-r', '0', '-t', '300', ...ips]);
      const alive = result.stdout.split('\n').filter(Boolean);
      const expected = targets.filter((address) => address.icmp).map((address) => address.ip);
      expect(sorted(alive), result.stderr).toEqual(sorted(expected));
      expect(behindRouter.filter((address) => address.icmp).length).toBeGreaterThan(0);
      // fping exits 1 when some target did not answer, 0 when all did.
      expect(result.code).toBe(expected.length === ips.length ? 0 : 1);
    });

    it('an ICMP-dropping host ignores ping but answers ARP (arp-scan sees exactly the segment)', async () => {
      const silent = onSegment.filter((address) => !address.icmp);
      expect(silent.length).toBeGreaterThan(0);
      for (const address of silent) {
        const ping = await lab.exec(scanner.name, ['ping', '-n', '-c', '1', '-W', '0.3', address.ip]);
        expect(ping.code, `${address.ip} answered ping`).not.toBe(0);
      }
      const scan = await lab.exec(scanner.name, [
        'arp-scan',
        '--interface',
        'eth0',
        '--localnet',
        '--retry=1',
        '--timeout=200',
        '--quiet',
        '--plain',
      ]);
      expect(scan.code, scan.stderr).toBe(0);
      const seen = new Map<string, string>();
      for (const line of scan.stdout.split('\n')) {
        const [ip, mac] = line.split('\t');
        if (ip && mac) seen.set(ip, mac.toLowerCase());
      }
      expect(Object.fromEntries(seen)).toEqual(Object.fromEntries(onSegment.map((a) => [a.ip, a.mac])));
    });

    it('after fping the neighbour table has every on-segment MAC and no MAC from behind the router', async () => {
      expect((await lab.exec(scanner.name, ['ip', 'neigh', 'flush', 'all'])).code).toBe(0);
      await lab.exec(scanner.name, ['fping', '-q', '-r', '0', '-t', '300', ...targets.map((a) => a.ip)]);
      const table = await neighbours(SCAN);
      const macOf = new Map(table.map((entry) => [entry.dst, entry.lladdr?.toLowerCase()]));
      for (const address of onSegment) expect(macOf.get(address.ip), address.ip).toBe(address.mac);
      const seenMacs = new Set(table.map((entry) => entry.lladdr?.toLowerCase()));
      for (const address of behindRouter) {
        expect(macOf.has(address.ip), `neighbour entry for routed ${address.ip}`).toBe(false);
        expect(seenMacs.has(address.mac), `routed MAC ${address.mac} visible`).toBe(false);
      }
    });

    it('serves the TCP services listed in the topology', async () => {
      const withServices = topology.nodes.filter((node) => node.services.length > 0);
      expect(withServices.length).toBeGreaterThan(0);
      for (const node of withServices) {
        const ip = node.interfaces[0]?.ip ?? '';
        for (const service of node.services) {
          const script = `const s=require('node:net').connect(${service.port},${JSON.stringify(ip)});let b='';
            s.setTimeout(2000,()=>{console.log('timeout');process.exit(2)});
            s.on('connect',()=>{${service.http ? `s.write('GET / HTTP/1.0\\r\\n\\r\\n')` : service.banner ? '' : `console.log('open');process.exit(0)`}});
            s.on('data',d=>{b+=d;${service.http ? '' : `if(b.includes('\\n')){console.log(b.trim());process.exit(0)}`}});
            s.on('end',()=>{console.log(b);process.exit(0)});s.on('error',e=>{console.log(e.code);process.exit(1)});`;
          const result = await lab.exec(scanner.name, [process.execPath, '-e', script], { timeoutMs: 5000 });
          expect(result.code, `${ip}:${service.port} ${result.stdout}${result.stderr}`).toBe(0);
          if (service.banner) expect(result.stdout.trim()).toBe(service.banner);
          else if (service.http) {
            expect(result.stdout).toMatch(/^HTTP\/1\.0 200 OK/);
            if (service.http.server) expect(result.stdout).toContain(`Server: ${service.http.server}`);
          } else expect(result.stdout.trim()).toBe('open');
        }
      }
    });

    it('up is idempotent: a second up replaces the lab and still verifies it', async () => {
      lab = await labUp({ prefix: PREFIX, ownerPid: process.pid });
      const existing = (await listNamespaces()).filter((name) => name.startsWith(`${PREFIX}-`));
      expect(sorted(existing)).toEqual(sorted(labNamespaces(topology, PREFIX)));
      const ping = await lab.exec(scanner.name, ['ping', '-n', '-c', '1', '-W', '1', onSegment[0]?.ip ?? '']);
      expect(ping.code).toBe(0);
    });

    it('down kills every lab process and leaves no namespace with the prefix', async () => {
      const namespaces = labNamespaces(topology, PREFIX);
      const pids = (await Promise.all(namespaces.map((ns) => run(['ip', 'netns', 'pids', ns]))))
        .flatMap((result) => result.stdout.split(/\s+/).filter(Boolean))
        .map(Number);
      expect(pids.length).toBeGreaterThan(0); // the TCP services
      const result = await labDown({ prefix: PREFIX });
      process.stdout.write(`[lab] down ${result.ms} ms\n`);
      expect((await listNamespaces()).filter((name) => name.startsWith(`${PREFIX}-`))).toEqual([]);
      for (const pid of pids) expect(running(pid), `process ${pid} still running`).toBe(false);
      expect(existsSync(join(STATE_ROOT, PREFIX))).toBe(false);
    });
  });
}
