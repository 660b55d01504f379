/**
 * The rows of the map dataset (see map-seed.ts), generated deterministically in memory: the same device
 * count always gives the same rows and ids. Addresses are 10.x and 2001:db8:: data only, never contacted.
 */
import { createHash } from 'node:crypto';

const BASE_MS = Date.parse('2026-11-01T00:00:00.000Z');
const ROUTERS = 20;
const SWITCHES = 50;
const SWITCH_PORTS = 48;
const SERVICE_HOSTS = 5;
const SERVICES_PER_HOST = 150;
/** Device index ranges by role: routers, access switches, service hosts, then end devices. */
const FIRST_SWITCH = ROUTERS;
const FIRST_SERVICE_HOST = FIRST_SWITCH + SWITCHES;
export const FIRST_END_DEVICE = 100;
const COMMON_PORTS: readonly [string, number][] = [
  ['tcp', 22],
  ['tcp', 80],
  ['tcp', 443],
  ['udp', 161],
  ['tcp', 3389],
  ['tcp', 8080],
  ['tcp', 9100],
  ['udp', 53],
  ['udp', 5060],
  ['tcp', 554],
];
export const ZONES = [
  'corp-lan',
  'servers',
  'dmz',
  'iot',
  'guest',
  'mgmt',
  'voice',
  'cameras',
  'printers',
  'lab',
  'pci',
  'backup',
] as const;

export interface Subnet {
  cidr: string;
  prefix: number;
  /** IPv4 network as an integer, or the IPv6 /64 index. */
  network: number;
  family: 4 | 6;
}

/** 500 subnets: 20 × /22, 300 × /24, 100 × /26, 70 × /28, 10 × IPv6 /64 (in that index order). */
export function mapSubnets(): Subnet[] {
  const v4 = (a: number, b: number, c: number, d: number, prefix: number): Subnet => {
    const network = ((a << 24) >>> 0) + (b << 16) + (c << 8) + d;
    return { cidr: `${a}.${b}.${c}.${d}/${prefix}`, prefix, network, family: 4 };
  };
  const list: Subnet[] = [];
  for (let k = 0; k < 20; k++) list.push(v4(10, 30, k * 4, 0, 22));
  for (let k = 0; k < 300; k++) list.push(v4(10, 1 + Math.floor(k / 200), k % 200, 0, 24));
  for (let k = 0; k < 100; k++) list.push(v4(10, 20, Math.floor(k / 4), (k % 4) * 64, 26));
  for (let k = 0; k < 70; k++) list.push(v4(10, 21, Math.floor(k / 16), (k % 16) * 16, 28));
  for (let k = 0; k < 10; k++)
    list.push({ cidr: `2001:db8:0:${k.toString(16)}::/64`, prefix: 64, network: k, family: 6 });
  return list;
}

function address(subnet: Subnet, host: number): string {
  if (subnet.family === 6) return `2001:db8:0:${subnet.network.toString(16)}::${host.toString(16)}`;
  const value = subnet.network + host;
  return [value >>> 24, (value >>> 16) & 255, (value >>> 8) & 255, value & 255].join('.');
}

/** A stable UUID for a name: the same dataset always has the same ids. */
function uuidOf(name: string): string {
  const hex = createHash('md5').update(`roller-map-bench:${name}`).digest('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-a${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}

export const deviceId = (n: number): string => uuidOf(`device-${n}`);
const interfaceId = (n: number, ifindex: number): string => uuidOf(`interface-${n}-${ifindex}`);
export const at = (minutesBefore: number): string => new Date(BASE_MS - minutesBefore * 60_000).toISOString();

/** Where device n's primary address goes: [first subnet index of the kind, count of that kind, share]. */
const PLACEMENT: readonly [number, number, number][] = [
  [0, 20, 0.3], // /22
  [20, 300, 0.45], // /24
  [320, 100, 0.2], // /26
  [420, 70, 0.049], // /28
  [490, 10, 1], // IPv6 /64: the rest
];

function primaryPlacement(n: number, devices: number): { subnet: number; host: number } {
  let start = 0;
  for (const [first, count, share] of PLACEMENT) {
    const end = share === 1 ? devices : start + Math.round(devices * share);
    if (n < end) {
      const k = n - start;
      return { subnet: first + (k % count), host: 2 + Math.floor(k / count) };
    }
    start = end;
  }
  throw new Error(`device ${n} has no placement`);
}

export interface Rows {
  devices: { id: string; name: string | null; created: string }[];
  metadata: { id: string; owner: string; location: string }[];
  interfaces: { id: string; device: string; name: string; ifindex: number }[];
  pvids: { iface: string; vlan: number; stale: string | null }[];
  ips: { device: string; ip: string; prefix: number | null; stale: string | null }[];
  links: {
    key: string;
    a: string;
    aIf: string | null;
    b: string;
    bIf: string | null;
    type: string;
    source: string;
    protocols: string;
    label: string | null;
    stale: string | null;
  }[];
  services: { device: string; protocol: string; port: number; observed: string; stale: string | null }[];
  zoneMembers: { zone: string; device: string }[];
  policies: { from: string; to: string; protocol: string | null; ports: string | null; action: string }[];
}

function roleName(n: number): string | null {
  if (n < FIRST_SWITCH) return `rtr-core-${String(n).padStart(2, '0')}`;
  if (n < FIRST_SERVICE_HOST) return `sw-access-${String(n - FIRST_SWITCH).padStart(2, '0')}`;
  if (n < FIRST_SERVICE_HOST + SERVICE_HOSTS) return `srv-apps-${n - FIRST_SERVICE_HOST}`;
  if (n % 7 === 0) return null; // discovered, never named
  return `host-${String(n).padStart(5, '0')}`;
}

export function generate(devices: number, linkTarget: number): Rows {
  const subnets = mapSubnets();
  const rows: Rows = {
    devices: [],
    metadata: [],
    interfaces: [],
    pvids: [],
    ips: [],
    links: [],
    services: [],
    zoneMembers: [],
    policies: [],
  };
  const stale = at(60 * 24 * 3);
  for (let n = 0; n < devices; n++) {
    const id = deviceId(n);
    rows.devices.push({ id, name: roleName(n), created: at(n) });
    if (n % 3 === 0) rows.metadata.push({ id, owner: `team-${n % 8}`, location: `site-${n % 6} rack ${n % 40}` });
    // Primary address; every other one with its prefix known (SNMP), the rest host-only (ARP).
    const placed = primaryPlacement(n, devices);
    const subnet = subnets[placed.subnet] as Subnet;
    rows.ips.push({
      device: id,
      ip: address(subnet, placed.host),
      prefix: n % 2 === 0 ? subnet.prefix : null,
      stale: null,
    });
    // Multi-homed: a second, host-only address in a /24 management subnet.
    if (n % 10 === 5) {
      const k = Math.floor(n / 10);
      rows.ips.push({
        device: id,
        ip: address(subnets[20 + (k % 300)] as Subnet, 100 + Math.floor(k / 300)),
        prefix: null,
        stale: null,
      });
    }
    // An address no longer seen: left out of every projection.
    if (n % 97 === 0) {
      const k = Math.floor(n / 97);
      rows.ips.push({
        device: id,
        ip: address(subnets[20 + (k % 300)] as Subnet, 200 + Math.floor(k / 300)),
        prefix: null,
        stale,
      });
    }
    const eth0 = interfaceId(n, 1);
    rows.interfaces.push({ id: eth0, device: id, name: 'eth0', ifindex: 1 });
    // A quarter of the devices crowd into VLANs 10–19; the rest spread over VLANs 20–109.
    const vlan = n % 4 === 0 ? 10 + (Math.floor(n / 4) % 10) : 20 + (n % 90);
    rows.pvids.push({ iface: eth0, vlan, stale: n % 53 === 0 ? stale : null });
    if (n >= FIRST_SWITCH && n < FIRST_SERVICE_HOST) {
      for (let port = 1; port <= SWITCH_PORTS; port++) {
        const iface = interfaceId(n, 1 + port);
        rows.interfaces.push({ id: iface, device: id, name: `Gi1/0/${port}`, ifindex: 1 + port });
        rows.pvids.push({ iface, vlan: 10 + (((n - FIRST_SWITCH) * 7 + port) % 100), stale: null });
      }
    }
    const serviceCount = n >= FIRST_SERVICE_HOST && n < FIRST_SERVICE_HOST + SERVICE_HOSTS ? SERVICES_PER_HOST : n % 5;
    for (let k = 0; k < serviceCount; k++) {
      const [protocol, port] =
        serviceCount === SERVICES_PER_HOST
          ? ([k < 120 ? 'tcp' : 'udp', 1000 + k] as const)
          : (COMMON_PORTS[(n + k) % COMMON_PORTS.length] as [string, number]);
      rows.services.push({
        device: id,
        protocol,
        port,
        observed: at((n * 7 + k * 13) % 500),
        stale: (n + k) % 37 === 0 ? stale : null,
      });
    }
  }
  // Every router has the gateway (.1 / ::1, prefix known) of 25 subnets.
  subnets.forEach((subnet, index) => {
    rows.ips.push({ device: deviceId(index % ROUTERS), ip: address(subnet, 1), prefix: subnet.prefix, stale: null });
  });
  addLinks(rows, devices, linkTarget, stale);
  addZones(rows, devices);
  return rows;
}

function addLinks(rows: Rows, devices: number, target: number, stale: string): void {
  let i = 0;
  const add = (a: number, aIf: number | null, b: number, bIf: number | null): void => {
    const source = i % 40 === 0 ? 'manual' : i % 3 === 0 ? 'cdp' : 'lldp';
    // Every 40th cable (offset 20) was curated on top of a discovered one: adopted, two protocols.
    const protocols = source === 'manual' ? ['manual'] : i % 40 === 20 ? [source, 'manual'] : [source];
    const ends = [
      { id: deviceId(a), iface: aIf === null ? null : interfaceId(a, aIf) },
      { id: deviceId(b), iface: bIf === null ? null : interfaceId(b, bIf) },
    ].sort((x, y) => (x.id < y.id ? -1 : x.id > y.id ? 1 : 0));
    const [first, second] = ends as [{ id: string; iface: string | null }, { id: string; iface: string | null }];
    rows.links.push({
      key: `map-bench:${i}`,
      a: first.id,
      aIf: first.iface,
      b: second.id,
      bIf: second.iface,
      type: i % 10 === 9 ? 'wireless' : 'ethernet',
      source,
      protocols: `{${protocols.join(',')}}`,
      label: protocols.includes('manual') ? `patch ${i}` : null,
      stale: i % 101 === 0 ? stale : null,
    });
    i++;
  };
  // Core mesh between the routers, one parallel cable, then every switch to two routers.
  for (let x = 0; x < ROUTERS; x++) for (let y = x + 1; y < ROUTERS; y++) add(x, null, y, null);
  add(0, null, 1, null);
  for (let s = FIRST_SWITCH; s < FIRST_SERVICE_HOST; s++) {
    add(s, 1 + SWITCH_PORTS, s % ROUTERS, null);
    add(s, SWITCH_PORTS, (s + 1) % ROUTERS, null);
  }
  // Access cables: end devices round-robin over the switches' ports (each switch ends up a hub).
  for (let k = 0; i < target && FIRST_END_DEVICE + k < devices; k++) {
    const s = FIRST_SWITCH + (k % SWITCHES);
    add(s, 2 + (Math.floor(k / SWITCHES) % (SWITCH_PORTS - 2)), FIRST_END_DEVICE + k, 1);
  }
}

function addZones(rows: Rows, devices: number): void {
  for (let n = 0; n < devices; n++) {
    if (n < ROUTERS) for (const zone of ZONES) rows.zoneMembers.push({ zone, device: deviceId(n) });
    else if (n % 3 === 0)
      rows.zoneMembers.push({ zone: ZONES[Math.floor(n / 3) % ZONES.length] as string, device: deviceId(n) });
  }
  ZONES.forEach((zone, index) => {
    const to = (step: number): string => ZONES[(index + step) % ZONES.length] as string;
    rows.policies.push(
      { from: zone, to: zone, protocol: null, ports: null, action: 'allow' },
      { from: zone, to: to(1), protocol: 'tcp', ports: '22,443', action: 'allow' },
      { from: zone, to: to(3), protocol: 'udp', ports: '53,123', action: index % 2 === 0 ? 'allow' : 'deny' },
      { from: zone, to: to(5), protocol: 'icmp', ports: null, action: 'deny' },
    );
  });
}
