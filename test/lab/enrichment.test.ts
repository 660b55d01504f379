// Enrichment end to end in the network-namespace lab: one deep discovery run of `roller core` inside the
// scanner namespace against real daemons (snmpd, snmpsim serving a switch generated from the topology,
// avahi, nmbd, dnsmasq, TCP listeners), then every fact read back through the API and compared with what
// lab/topology.json says: sysName and sysDescr, interfaces, VLAN per port, links between the right devices
// and interfaces (one per cable), MACs behind switch ports, name candidates and the chosen display names,
// services, vendors and tags. Then a second run after a change (a service stopped) shows a fact that
// ages out (the storage tests cover every other kind). Needs root and the daemons; skipped with a printed reason elsewhere,
// failed instead under CI=true. Own prefix (`rlx<pid>`).
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  checkPrerequisites,
  expectedFdb,
  expectedLinks,
  expectedPortVlans,
  labDown,
  labUp,
  loadTopology,
  missingDaemonPrograms,
  nsName,
  openTcpPorts,
  reapStaleLabs,
  switchModel,
} from '../../lab/lab.mjs';
import { type ApiRun, LabCore, namespaceProcesses, REPO_ROOT } from '../support/lab-core.ts';
import { IN_CI } from '../support/test-env.ts';

const PREFIX = `rlx${(process.pid % 46_656).toString(36)}`;
const topology = loadTopology();
const scanner = topology.scanner;
const SCAN = nsName(scanner.name, PREFIX);
const mainSegment = topology.segments.find((segment) => segment.name === scanner.segment);
if (!mainSegment) throw new Error('topology: no scanner segment');
const MAIN_SCOPE = mainSegment.cidr;

const switchNode = topology.nodes.find((node) => node.snmpsim);
if (!switchNode) throw new Error('topology: no snmpsim switch');
const model = switchModel(topology, switchNode.name);
const dnsServer = topology.nodes.find((node) => node.dnsmasq);
if (!dnsServer) throw new Error('topology: no dnsmasq node');
const snmpdNode = topology.nodes.find((node) => node.snmpd);
if (!snmpdNode) throw new Error('topology: no snmpd node');
/** Every credential set the lab serves, v3 first (so the v2c-only switch proves the fall-through). */
const credentials = [
  ...(snmpdNode.snmpd?.credentials ?? []).filter((credential: { version: string }) => credential.version === '3'),
  ...model.credentials,
];
const onSegmentNodes = topology.nodes.filter(
  (node) => node.name !== scanner.name && node.interfaces.some((iface) => iface.segment === scanner.segment),
);
const scannedPorts = [...new Set([22, 80, ...onSegmentNodes.flatMap((node) => openTcpPorts(node))])].sort(
  (a, b) => a - b,
);

interface Device {
  id: string;
  display_name?: string;
  primary_ip?: string;
  vendor?: string;
  tags?: string[];
}
interface Interface {
  id: string;
  name?: string;
  ifindex?: number;
  descr?: string;
  mac?: string;
  mtu?: number;
  speed_bps?: number;
  admin_status?: number;
  pvid?: number;
  tagged_vlans: number[];
  untagged_vlans: number[];
  stale: boolean;
}
interface Facts {
  ips: { ip: string; interface_name?: string; stale: boolean }[];
  macs: { mac: string; vendor?: string; locally_administered: boolean; stale: boolean }[];
  interfaces: Interface[];
  services: { protocol?: string; port?: number; name?: string; state?: string; source?: string; stale: boolean }[];
  snmp?: { sys_name?: string; sys_descr?: string; sys_object_id?: string; credential?: string; last_error?: string };
  links: {
    peer_device_id: string;
    local_interface_name?: string;
    peer_interface_name?: string;
    protocols: string[];
    stale: boolean;
  }[];
  vlans: { vlan_id: number; name?: string }[];
  fdb: { mac: string; vlan_id?: number; interface_name?: string; device_id?: string; stale: boolean }[];
  switch_ports: { mac: string; switch_device_id: string; interface_name?: string }[];
}
interface Candidate {
  name: string;
  source: string;
}

const canRun = await (async () => {
  const prerequisites = await checkPrerequisites();
  if (!prerequisites.ok) return prerequisites.reason;
  const missing = missingDaemonPrograms(topology);
  if (missing.length > 0) return `daemon programs missing: ${missing.join(', ')}`;
  return true;
})();
if (canRun !== true) {
  if (IN_CI) throw new Error(`lab enrichment tests cannot run under CI: ${canRun}`);
  console.warn(`[lab enrichment] skipped: ${canRun}`);
}

describe.skipIf(canRun !== true)('enrichment in the lab (deep run against real daemons)', () => {
  let core: LabCore;
  let run: ApiRun;
  const byIp = new Map<string, Device>();
  const facts = new Map<string, Facts>();

  const nodeIp = (name: string): string => {
    const node = topology.nodes.find((entry) => entry.name === name);
    const iface = node?.interfaces.find((entry) => entry.segment === scanner.segment) ?? node?.interfaces[0];
    if (!iface) throw new Error(`topology: no node ${name}`);
    return iface.ip;
  };
  const deviceOf = (name: string): Device => {
    const device = byIp.get(nodeIp(name));
    if (!device) throw new Error(`no device found at ${nodeIp(name)} (${name})`);
    return device;
  };
  const factsOf = (name: string): Facts => {
    const found = facts.get(deviceOf(name).id);
    if (!found) throw new Error(`no facts loaded for ${name}`);
    return found;
  };
  const loadAll = async (): Promise<void> => {
    byIp.clear();
    facts.clear();
    const list = await core.expect<{ devices: Device[] }>(200, 'GET', '/api/v1/devices?limit=200');
    for (const device of list.devices) {
      if (device.primary_ip) byIp.set(device.primary_ip, device);
      facts.set(device.id, await core.expect<Facts>(200, 'GET', `/api/v1/devices/${device.id}/facts`));
    }
  };

  beforeAll(async () => {
    await reapStaleLabs(PREFIX);
    await labUp({ prefix: PREFIX, requireDaemons: true });
    core = await LabCore.start({
      namespace: SCAN,
      name: 'enrichment core',
      env: {
        DISCOVERY_MAX_RUNTIME: '60s',
        DISCOVERY_DNS_SERVERS: nodeIp(dnsServer.name),
        DISCOVERY_SNMP_CREDENTIALS: JSON.stringify(credentials),
        DISCOVERY_SNMP_TIMEOUT: '500ms',
        DISCOVERY_TOPOLOGY_ALLOWLIST: MAIN_SCOPE,
        DISCOVERY_PORT_SCAN_ALLOWLIST: MAIN_SCOPE,
        DISCOVERY_PORT_SCAN_PORTS: scannedPorts.join(','),
      },
    });
    run = await core.runDiscovery({ scope: MAIN_SCOPE, preset: 'deep' }, 120_000);
    await loadAll();
  }, 240_000);

  afterAll(async () => {
    await core?.dispose();
    await labDown({ prefix: PREFIX });
  }, 60_000);

  it('completes the deep run with every enrichment stage and the SPEC log lines', async () => {
    expect(run.status, JSON.stringify(run)).toBe('succeeded');
    const enrichment = run.stats.enrichment as Record<string, number>;
    expect(enrichment.snmp_ok).toBe(2); // the snmpd host and the switch
    expect(enrichment.links_written).toBeGreaterThanOrEqual(expectedLinks(model).length);
    const logs = (await core.runLogs(run.id)).map((line) => line.message);
    expect(logs.some((line) => /^enrichment: targets=\d+ snmp_ok=2 names=\d+ vlans=\d+ links=\d+$/.test(line))).toBe(
      true,
    );
    expect(logs.some((line) => /^port scan: targets=\d+ attempted=\d+ succeeded=\d+ services=\d+$/.test(line))).toBe(
      true,
    );
    expect(run.stats.port_scan).toMatchObject({ enabled: true, available: true });
  });

  it('reads the system group of the snmpd host (v3 authPriv) and of the switch (v2c after v3 fails)', () => {
    const host = factsOf(snmpdNode.name).snmp;
    const system = snmpdNode.snmpd?.system;
    expect(host).toMatchObject({
      sys_name: system?.sysName,
      sys_descr: system?.sysDescr,
      sys_object_id: system?.sysObjectID,
      credential: credentials[0]?.name,
    });
    expect(factsOf(switchNode.name).snmp).toMatchObject({
      sys_name: model.system.sysName,
      sys_descr: model.system.sysDescr,
      sys_object_id: model.system.sysObjectID,
      credential: model.credentials[0]?.name,
    });
  });

  it("lists the snmpd host's real interfaces with its lab MAC and address", () => {
    const host = factsOf(snmpdNode.name);
    const eth = snmpdNode.interfaces[0];
    const eth0 = host.interfaces.find((entry) => entry.mac === eth?.mac);
    expect(eth0, JSON.stringify(host.interfaces)).toBeDefined();
    expect(eth0?.name).toBe('eth0');
    expect(host.interfaces.some((entry) => entry.name === 'lo')).toBe(true);
    expect(host.ips.find((entry) => entry.ip === eth?.ip)?.interface_name).toBe('eth0');
    expect(host.ips.find((entry) => entry.ip === '127.0.0.1')?.interface_name).toBe('lo');
  });

  it('lists every switch port with name, MAC, MTU, speed and its VLANs (PVID, untagged, tagged)', () => {
    const sw = factsOf(switchNode.name);
    for (const expected of expectedPortVlans(model)) {
      const port = sw.interfaces.find((entry) => entry.ifindex === expected.ifIndex);
      const declared = model.ports.find((entry: { ifIndex: number }) => entry.ifIndex === expected.ifIndex);
      expect(port, `port ${expected.port}`).toBeDefined();
      expect(port).toMatchObject({
        name: expected.port,
        pvid: expected.pvid,
        untagged_vlans: expected.untagged,
        tagged_vlans: expected.tagged,
        stale: false,
      });
      expect(port?.mac).toBe(declared?.mac);
      expect(port?.speed_bps).toBe((declared?.speedMbps ?? 0) * 1_000_000);
      expect(port?.mtu).toBe(declared?.mtu ?? 1500);
    }
    expect(sw.vlans.map((vlan) => [vlan.vlan_id, vlan.name])).toEqual(
      model.vlans.map((vlan: { id: number; name: string }) => [vlan.id, vlan.name]),
    );
  });

  it("places each host's MAC behind the right switch port (FDB), seen from both sides", () => {
    const sw = factsOf(switchNode.name);
    const switchId = deviceOf(switchNode.name).id;
    for (const entry of expectedFdb(model)) {
      const row = sw.fdb.find((fdb) => fdb.mac === entry.mac && fdb.vlan_id === entry.vlan);
      expect(row, `${entry.node} ${entry.mac}`).toMatchObject({ interface_name: entry.port, stale: false });
      const owner = byIp.get(nodeIp(entry.node));
      if (owner && entry.node !== scanner.name) {
        expect(row?.device_id).toBe(owner.id);
        expect(facts.get(owner.id)?.switch_ports).toContainEqual(
          expect.objectContaining({ mac: entry.mac, switch_device_id: switchId, interface_name: entry.port }),
        );
      }
    }
  });

  it('links the switch to each neighbour on the right ports, one link per cable (LLDP and CDP merged)', () => {
    const sw = factsOf(switchNode.name);
    const expected = expectedLinks(model);
    expect(sw.links.filter((link) => !link.stale)).toHaveLength(expected.length);
    for (const cable of expected) {
      const peer = deviceOf(cable.node);
      const link = sw.links.find((entry) => entry.peer_device_id === peer.id);
      expect(link, `${cable.localPort} → ${cable.node}`).toMatchObject({
        local_interface_name: cable.localPort,
        peer_interface_name: cable.remotePort,
        protocols: cable.protocols,
        stale: false,
      });
      // The same cable seen from the neighbour's side.
      expect(
        facts.get(peer.id)?.links.filter((entry) => entry.peer_device_id === deviceOf(switchNode.name).id),
      ).toHaveLength(1);
    }
  });

  it('gives every device the name candidates and the display name the topology expects', async () => {
    for (const node of onSegmentNodes.filter((entry) => entry.expect)) {
      const device = byIp.get(nodeIp(node.name));
      if (!device) throw new Error(`${node.name}: no device`);
      const candidates = await core.expect<Candidate[]>(200, 'GET', `/api/v1/devices/${device.id}/name-candidates`);
      for (const name of node.expect.names) {
        expect(candidates, `${node.name}: ${name.source} ${name.name}`).toContainEqual(
          expect.objectContaining({
            source: name.source,
            name: name.source === 'reverse_dns' || name.source === 'mdns' ? name.name.toLowerCase() : name.name,
          }),
        );
      }
      expect(device.display_name ?? null, node.name).toBe(node.expect.displayName);
    }
  });

  it('finds the open TCP services of each host, and the DNS-SD service of the avahi host', () => {
    for (const node of onSegmentNodes.filter((entry) => entry.role === 'host')) {
      const open = facts
        .get(deviceOf(node.name).id)
        ?.services.filter((service) => service.state === 'open' && service.protocol === 'tcp')
        .map((service) => service.port);
      const expected = openTcpPorts(node).filter((port) => scannedPorts.includes(port));
      expect(
        [...new Set(open)].sort((a, b) => (a ?? 0) - (b ?? 0)),
        node.name,
      ).toEqual(expected);
    }
    const avahi = topology.nodes.find((node) => node.avahi);
    const advertised = avahi?.avahi?.services?.[0];
    if (avahi && advertised) {
      expect(factsOf(avahi.name).services).toContainEqual(
        expect.objectContaining({ port: advertised.port, protocol: 'tcp', state: 'open' }),
      );
    }
  });

  it('names each MAC vendor from the IEEE registry and flags locally administered MACs', () => {
    for (const node of onSegmentNodes) {
      const mac = node.interfaces.find((iface) => iface.segment === scanner.segment)?.mac;
      const row = facts.get(deviceOf(node.name).id)?.macs.find((entry) => entry.mac === mac);
      expect(row, `${node.name} ${mac}`).toBeDefined();
      if (node.expect?.vendor) {
        expect(row?.vendor).toBe(node.expect.vendor);
        expect(row?.locally_administered).toBe(false);
        expect(deviceOf(node.name).vendor).toBe(node.expect.vendor);
      } else {
        expect(row?.locally_administered).toBe(true);
        expect(row?.vendor).toBeUndefined();
      }
    }
  });

  it('tags each device as the topology expects (names, sysDescr, open ports)', () => {
    for (const node of onSegmentNodes.filter((entry) => entry.expect)) {
      const tags = [...(byIp.get(nodeIp(node.name))?.tags ?? [])].sort();
      expect(tags, node.name).toEqual([...node.expect.tags].sort());
    }
  });

  it('keeps every lab node one device (neighbour tables and ARP agree on identity)', () => {
    const expectedDevices = topology.nodes.length; // every node has an address on a scanned or neighbour path
    const onMain = new Set(onSegmentNodes.map((node) => nodeIp(node.name)));
    for (const ip of onMain) expect(byIp.has(ip), ip).toBe(true);
    // No device was created twice for a neighbour the sweep also found.
    const ids = [...byIp.values()].map((device) => device.id);
    expect(new Set(ids).size).toBe(ids.length);
    expect(facts.size).toBeLessThanOrEqual(expectedDevices + 1);
  });

  it('marks what a later run no longer sees: a port that closed is closed and stale, the others stay current', async () => {
    const host = onSegmentNodes.find((node) => node.role === 'host' && openTcpPorts(node).includes(80));
    if (!host) throw new Error('topology: no host serving tcp/80');
    // Restart the host's services without port 80 (lab/services.mjs serves all of a host's ports).
    const namespace = nsName(host.name, PREFIX);
    // Only this namespace's process: pkill would match every lab's services on the host (one PID namespace).
    for (const pid of (await namespaceProcesses(namespace)).map((entry) => entry.pid)) {
      const cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').join(' ');
      if (cmdline.includes('lab/services.mjs')) process.kill(pid, 'SIGTERM');
    }
    const remaining = host.services.filter((service: { port: number }) => service.port !== 80);
    const restarted = spawn(
      'ip',
      ['netns', 'exec', namespace, process.execPath, 'lab/services.mjs', nodeIp(host.name), JSON.stringify(remaining)],
      { cwd: REPO_ROOT, stdio: ['ignore', 'pipe', 'ignore'] },
    );
    await new Promise<void>((resolveReady, reject) => {
      const timer = setTimeout(() => reject(new Error('services.mjs did not become ready')), 10_000);
      restarted.stdout?.once('data', () => {
        clearTimeout(timer);
        resolveReady();
      });
    });
    const second = await core.runDiscovery({ scope: `${nodeIp(host.name)}/32`, tags: ['ports'] });
    expect(second.status).toBe('succeeded');
    const after = await core.expect<Facts>(200, 'GET', `/api/v1/devices/${deviceOf(host.name).id}/facts`);
    const http = after.services.find((service) => service.port === 80);
    const others = after.services.filter((service) => service.port !== 80 && service.state === 'open');
    expect(http).toMatchObject({ state: 'closed', stale: true });
    expect(others.length).toBeGreaterThan(0);
    expect(others.every((service) => !service.stale)).toBe(true);
  });
});
