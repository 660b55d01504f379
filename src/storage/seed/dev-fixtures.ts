import type { SnmpDeviceReport } from '../../domain/enrichment.types.ts';

/**
 * The development fixtures `roller seed` writes: a small office network. Every address is in a
 * documentation range (192.0.2.0/24, 198.51.100.0/24, 2001:db8::/32, RFC 5737/3849) and only ever
 * stored, never contacted. The keys here (IPs, MACs, run keys, zone ids) are what makes the seed
 * idempotent: a second seed finds each thing by its key instead of adding it again.
 */

/** Written into every seeded run's stats and used as actor, so seed data can be told apart. */
export const SEED_ACTOR = 'roller-seed';

export interface SeedHost {
  key: string;
  ip: string;
  mac: string;
  /** Name a person gave it (display name and metadata), or undefined to leave it to discovery. */
  displayName?: string;
  metadata?: { owner: string | null; location: string | null; notes: string | null };
  manualTags?: string[];
  /** Extra addresses seen on the same MAC. */
  extraIps?: string[];
  reverseDns?: string;
  services?: { protocol: 'tcp' | 'udp'; port: number; name: string | null }[];
}

export const SEED_HOSTS: readonly SeedHost[] = [
  {
    key: 'router',
    ip: '192.0.2.254',
    mac: 'f0:9f:c2:00:02:fe',
    // The name the dev stack's smoke test looks for (SPEC §11.9).
    displayName: 'Seeded Office Router',
    metadata: { owner: 'Infrastructure Team', location: 'Data Center Lab', notes: 'Seeded device for dev/staging use' },
    manualTags: ['infrastructure', 'seed'],
    extraIps: ['2001:db8::fe'],
    services: [
      { protocol: 'tcp', port: 22, name: 'ssh' },
      { protocol: 'tcp', port: 443, name: 'https' },
    ],
  },
  {
    key: 'switch',
    ip: '192.0.2.2',
    mac: '00:1b:21:00:02:02',
    manualTags: ['infrastructure', 'seed'],
    services: [{ protocol: 'tcp', port: 22, name: 'ssh' }],
  },
  {
    key: 'nas',
    ip: '192.0.2.20',
    mac: '00:11:32:00:02:14',
    metadata: { owner: 'Operations', location: 'Server cupboard', notes: 'Backups land here' },
    manualTags: ['seed', 'storage'],
    extraIps: ['2001:db8::14'],
    reverseDns: 'nas.office.example',
    services: [
      { protocol: 'tcp', port: 22, name: 'ssh' },
      { protocol: 'tcp', port: 445, name: 'microsoft-ds' },
      { protocol: 'tcp', port: 5000, name: 'http' },
    ],
  },
  {
    key: 'printer',
    ip: '192.0.2.30',
    mac: '00:00:48:00:02:1e',
    reverseDns: 'printer-2f.office.example',
    manualTags: ['seed'],
    services: [
      { protocol: 'tcp', port: 631, name: 'ipp' },
      { protocol: 'tcp', port: 9100, name: 'jetdirect' },
    ],
  },
  {
    key: 'laptop',
    ip: '192.0.2.50',
    mac: '3c:22:fb:00:02:32',
    reverseDns: 'alex-laptop.office.example',
    manualTags: ['seed'],
  },
  {
    key: 'sensor',
    ip: '192.0.2.60',
    mac: 'b8:27:eb:00:02:3c',
    displayName: 'Greenhouse sensor',
    metadata: { owner: 'Facilities', location: 'Greenhouse', notes: null },
    manualTags: ['iot', 'seed'],
    services: [{ protocol: 'tcp', port: 1883, name: 'mqtt' }],
  },
];

/** A branch office host, seen only by the second scan. */
export const SEED_BRANCH_HOST: SeedHost = {
  key: 'branch-ap',
  ip: '198.51.100.10',
  mac: 'f0:9f:c2:00:64:0a',
  displayName: 'Branch access point',
  manualTags: ['seed', 'wifi'],
};

/** A device entered by hand (no address yet). */
export const SEED_MANUAL_DEVICE = {
  displayName: 'Lab UPS',
  metadata: { owner: 'Facilities', location: 'Data Center Lab', notes: 'Entered by hand; not discoverable' },
  manualTags: ['power', 'seed'],
} as const;

export const SEED_RUNS = {
  /** Everything answers; the switch's SNMP reports its ports, VLANs and neighbours. */
  first: { key: 'office-scan-1', scope: '192.0.2.0/24' },
  /** The laptop has gone home (its address goes stale: history); the branch shows up. */
  second: { key: 'office-scan-2', scope: '192.0.2.0/24, 198.51.100.0/24' },
  /** A run that failed, as runs sometimes do. */
  failed: { key: 'branch-scan-failed', scope: '198.51.100.0/24' },
} as const;

export const SEED_ZONES = [
  {
    id: 'seed-office',
    name: 'Office (seed)',
    description: 'Desks, printers and the sensor',
    color: '#2f80ed',
    members: ['printer', 'laptop', 'sensor'],
  },
  {
    id: 'seed-servers',
    name: 'Servers (seed)',
    description: 'Storage and network gear',
    color: '#27ae60',
    members: ['nas', 'switch', 'router'],
  },
] as const;

/** What the switch's SNMP agent says in the first run: ports, VLANs, forwarding table, LLDP neighbours. */
export function switchReport(hosts: Record<string, SeedHost>): SnmpDeviceReport {
  const port = (ifIndex: number, alias: string | null, operStatus = 1) => ({
    ifIndex,
    name: `ge${ifIndex}`,
    descr: `GigabitEthernet 1/0/${ifIndex}`,
    alias,
    mac: `00:1b:21:00:03:0${ifIndex}`,
    adminStatus: 1,
    operStatus,
    mtu: 1500,
    speedBps: 1_000_000_000,
  });
  const host = (key: string): SeedHost => hosts[key] as SeedHost;
  return {
    address: host('switch').ip,
    credential: 'seed-v2c',
    system: {
      sysName: 'core-sw1',
      sysDescr: 'Seed switch, 8 ports',
      sysObjectId: '1.3.6.1.4.1.8072.3.2.10',
      sysContact: 'noc@office.example',
      sysLocation: 'Server cupboard',
      sysUpTime: 8_640_000,
    },
    interfaces: {
      ok: true,
      value: [port(1, 'uplink to router'), port(2, 'nas'), port(3, 'office'), port(4, null, 2)],
    },
    addresses: { ok: true, value: [{ ifIndex: 1, ip: host('switch').ip, prefixLength: 24 }] },
    vlans: {
      ok: true,
      value: {
        vlans: [
          { vlanId: 1, name: 'default' },
          { vlanId: 10, name: 'office' },
          { vlanId: 20, name: 'servers' },
          { vlanId: 30, name: 'guests' },
        ],
        memberships: [
          { ifIndex: 1, vlanId: 1, role: 'pvid' },
          { ifIndex: 1, vlanId: 10, role: 'tagged' },
          { ifIndex: 1, vlanId: 20, role: 'tagged' },
          { ifIndex: 1, vlanId: 30, role: 'tagged' },
          { ifIndex: 2, vlanId: 20, role: 'pvid' },
          { ifIndex: 2, vlanId: 20, role: 'untagged' },
          { ifIndex: 3, vlanId: 10, role: 'pvid' },
          { ifIndex: 3, vlanId: 10, role: 'untagged' },
          { ifIndex: 4, vlanId: 30, role: 'pvid' },
        ],
      },
    },
    fdb: {
      ok: true,
      value: [
        { mac: host('router').mac, ifIndex: 1, vlanId: 1 },
        { mac: host('nas').mac, ifIndex: 2, vlanId: 20 },
        { mac: host('printer').mac, ifIndex: 3, vlanId: 10 },
        { mac: host('laptop').mac, ifIndex: 3, vlanId: 10 },
        { mac: host('sensor').mac, ifIndex: 3, vlanId: 10 },
      ],
    },
    lldp: {
      ok: true,
      value: [
        {
          protocol: 'lldp',
          localIfIndex: 1,
          remoteChassisMac: host('router').mac,
          remoteChassisId: host('router').mac,
          remoteSysName: 'edge-gw',
          remoteSysDescr: 'Seed router',
          remotePortId: 'eth1',
          remotePortDescr: 'LAN',
          remotePortMac: null,
          remoteManagementIp: host('router').ip,
        },
        {
          protocol: 'lldp',
          localIfIndex: 2,
          remoteChassisMac: host('nas').mac,
          remoteChassisId: host('nas').mac,
          remoteSysName: 'nas',
          remoteSysDescr: 'Seed NAS',
          remotePortId: 'eth0',
          remotePortDescr: null,
          remotePortMac: null,
          remoteManagementIp: host('nas').ip,
        },
      ],
    },
    durationMs: 420,
  };
}
