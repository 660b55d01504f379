// Pure builders for the lab's daemons (no I/O, no imports from lab.mjs, which imports this): topology validation
// of the daemon blocks, the config files and argv of snmpd, avahi-daemon, nmbd and dnsmasq, the switch's snmprec
// (generated at `up`, never hand-written), and the expectations derived from the same data, so tests and set-up
// cannot drift apart. See lab/README.md ("Daemons", "Expectations").

// ---------------------------------------------------------------------------------------------------------
// Small helpers

const TEXT_RE = /^[\x20-\x7e]*$/; // printable ASCII, so values survive every config syntax and the snmprec format
const HOST_LABEL_RE = /^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/i;
const NETBIOS_RE = /^[A-Z0-9][A-Z0-9-]{0,14}$/;
const OID_RE = /^\d+(\.\d+)+$/;

export const NAME_SOURCES = ['reverse_dns', 'mdns', 'netbios', 'snmp', 'lldp', 'cdp'];
export const TAXONOMY = [
  'router',
  'switch',
  'access_point',
  'firewall',
  'printer',
  'server',
  'workstation',
  'nas',
  'camera',
  'vm_host',
  'iot',
];

export function macBytes(mac) {
  return String(mac)
    .split(':')
    .map((part) => Number.parseInt(part, 16));
}

/** Locally administered (bit 0x02 of the first octet): what a randomised MAC looks like. */
export function isLocallyAdministered(mac) {
  return (macBytes(mac)[0] & 0x02) !== 0;
}

/** The OUI key used by oui-data: the first three octets as 6 upper-case hex digits. */
export function ouiKey(mac) {
  return String(mac).replaceAll(':', '').slice(0, 6).toUpperCase();
}

function ipBytes(ip) {
  return String(ip).split('.').map(Number);
}

function hex(bytes) {
  return Buffer.from(bytes).toString('hex');
}

function maskOf(prefixLength) {
  const bits = prefixLength === 0 ? 0 : (0xffffffff << (32 - prefixLength)) >>> 0;
  return [24, 16, 8, 0].map((shift) => (bits >>> shift) & 0xff).join('.');
}

/** Reverse-lookup name of an IPv4 address (`10.250.0.11` → `11.0.250.10.in-addr.arpa`). */
export function reverseName(ip) {
  return `${ipBytes(ip).reverse().join('.')}.in-addr.arpa`;
}

// ---------------------------------------------------------------------------------------------------------
// Node references: "h11" (its interface on the given segment, else its first) or "rtr.eth1"

/** Resolves a node reference to { node, iface } inside a normalised topology; null when unknown. */
export function resolveRef(topology, ref, segment) {
  const [nodeName, ifName] = String(ref).split('.');
  const node = topology.nodes.find((entry) => entry.name === nodeName);
  if (!node) return null;
  const iface = ifName
    ? node.interfaces.find((entry) => entry.name === ifName)
    : (node.interfaces.find((entry) => entry.segment === segment) ?? node.interfaces[0]);
  return iface ? { node, iface } : null;
}

// ---------------------------------------------------------------------------------------------------------
// Validation (called by loadTopology once the nodes are normalised)

/**
 * Checks every daemon block and `expect` block; `fail(message)` throws. Referenced nodes must exist, the
 * switch's numbering must be unique, VLANs must be declared, and advertised mDNS services must have a listener.
 */
export function validateDaemonBlocks(topology, fail) {
  const text = (where, value, { required = true, max = 255 } = {}) => {
    if (value === undefined || value === null || value === '') {
      if (required) fail(`${where} is required`);
      return;
    }
    if (typeof value !== 'string' || !TEXT_RE.test(value) || value.length > max || /["\\]/.test(value)) {
      fail(`${where} must be printable ASCII without quotes or backslashes (≤ ${max} chars)`);
    }
  };
  const system = (where, block) => {
    if (!block || typeof block !== 'object') fail(`${where} is required`);
    text(`${where}.sysName`, block.sysName, { max: 64 });
    text(`${where}.sysDescr`, block.sysDescr);
    if (!OID_RE.test(block.sysObjectID ?? '')) fail(`${where}.sysObjectID must be a numeric OID`);
    text(`${where}.sysContact`, block.sysContact, { required: false });
    text(`${where}.sysLocation`, block.sysLocation, { required: false });
  };
  const credentials = (where, list, { v3 }) => {
    if (!Array.isArray(list) || list.length === 0) fail(`${where} must list at least one credential`);
    for (const [index, credential] of list.entries()) {
      const at = `${where}[${index}]`;
      text(`${at}.name`, credential.name, { max: 32 });
      if (credential.version === '1' || credential.version === '2c') {
        text(`${at}.community`, credential.community, { max: 64 });
        if (/\s/.test(credential.community)) fail(`${at}.community must not contain whitespace`);
      } else if (credential.version === '3' && v3) {
        if (!/^[a-z][a-z0-9-]{0,31}$/i.test(credential.user ?? '')) fail(`${at}.user is not a plain user name`);
        if (credential.level !== 'authPriv' && credential.level !== 'authNoPriv') {
          fail(`${at}.level must be authPriv or authNoPriv`);
        }
        if (!['md5', 'sha'].includes(credential.authProtocol)) fail(`${at}.authProtocol must be md5 or sha`);
        text(`${at}.authKey`, credential.authKey, { max: 64 });
        if (credential.authKey.length < 8) fail(`${at}.authKey must be at least 8 characters`);
        if (credential.level === 'authPriv') {
          if (!['des', 'aes'].includes(credential.privProtocol)) fail(`${at}.privProtocol must be des or aes`);
          text(`${at}.privKey`, credential.privKey, { max: 64 });
          if (credential.privKey.length < 8) fail(`${at}.privKey must be at least 8 characters`);
        }
      } else {
        fail(`${at}.version must be 1 or 2c${v3 ? ' or 3' : ''} (got ${credential.version})`);
      }
    }
  };

  for (const node of topology.nodes) {
    const where = (block) => `${node.name}.${block}`;
    if (node.snmpd) {
      system(where('snmpd.system'), node.snmpd.system);
      credentials(where('snmpd.credentials'), node.snmpd.credentials, { v3: true });
    }
    if (node.snmpsim) validateSwitch(topology, node, fail, { text, system, credentials });
    if (node.avahi) {
      if (!HOST_LABEL_RE.test(node.avahi.hostName ?? '')) fail(`${where('avahi.hostName')} must be a host label`);
      const listening = new Set(node.services.map((service) => service.port));
      for (const [index, service] of (node.avahi.services ?? []).entries()) {
        const at = where(`avahi.services[${index}]`);
        text(`${at}.name`, service.name, { max: 63 });
        if (!/^_[a-z0-9-]+\._(tcp|udp)$/.test(service.type ?? '')) fail(`${at}.type must look like _http._tcp`);
        if (!listening.has(service.port)) fail(`${at}: port ${service.port} has no listener in ${node.name}.services`);
        for (const entry of service.txt ?? []) text(`${at}.txt`, entry, { max: 200 });
      }
    }
    if (node.nmbd) {
      if (!NETBIOS_RE.test(node.nmbd.netbiosName ?? '')) fail(`${where('nmbd.netbiosName')}: ≤ 15 upper-case chars`);
      if (!NETBIOS_RE.test(node.nmbd.workgroup ?? '')) fail(`${where('nmbd.workgroup')}: ≤ 15 upper-case chars`);
      text(where('nmbd.serverString'), node.nmbd.serverString, { required: false });
    }
    if (node.dnsmasq) {
      if (!/^[a-z0-9-]+(\.[a-z0-9-]+)*$/.test(node.dnsmasq.domain ?? ''))
        fail(`${where('dnsmasq.domain')} is not a domain`);
      const names = new Set();
      for (const record of node.dnsmasq.records ?? []) {
        if (!resolveRef(topology, record.node)) fail(`${where('dnsmasq.records')}: unknown node ${record.node}`);
        const name = String(record.name ?? '');
        if (!name.endsWith(`.${node.dnsmasq.domain}`) || !name.split('.').every((label) => HOST_LABEL_RE.test(label))) {
          fail(`${where('dnsmasq.records')}: ${name} must be a host name under ${node.dnsmasq.domain}`);
        }
        if (names.has(name)) fail(`${where('dnsmasq.records')}: duplicate ${name}`);
        names.add(name);
      }
    }
    const expect = node.expect;
    for (const candidate of expect.names) {
      if (!NAME_SOURCES.includes(candidate.source))
        fail(`${where('expect.names')}: unknown source ${candidate.source}`);
      text(where('expect.names'), candidate.name, { max: 253 });
    }
    for (const tag of expect.tags) if (!TAXONOMY.includes(tag)) fail(`${where('expect.tags')}: unknown tag ${tag}`);
    if (expect.displayName !== null) text(where('expect.displayName'), expect.displayName, { max: 253 });
    if (expect.vendor !== null) text(where('expect.vendor'), expect.vendor);
  }
}

function validateSwitch(topology, node, fail, { text, system, credentials }) {
  const sim = node.snmpsim;
  const at = (path) => `${node.name}.snmpsim.${path}`;
  system(at('system'), sim.system);
  credentials(at('credentials'), sim.credentials, { v3: false });
  const communities = sim.credentials.map((credential) => credential.community);
  for (const community of communities) {
    if (!/^[A-Za-z0-9_-]+$/.test(community)) fail(`${at('credentials')}: community ${community} must be a file name`);
  }
  if (!['bridgePort', 'ifIndex'].includes(sim.lldpLocalPortNumber ?? 'bridgePort')) {
    fail(`${at('lldpLocalPortNumber')} must be bridgePort or ifIndex`);
  }
  const vlanIds = new Set();
  for (const vlan of sim.vlans ?? []) {
    if (!Number.isInteger(vlan.id) || vlan.id < 1 || vlan.id > 4094 || vlanIds.has(vlan.id)) {
      fail(`${at('vlans')}: bad or duplicate VLAN id ${vlan.id}`);
    }
    vlanIds.add(vlan.id);
    text(at(`vlans[${vlan.id}].name`), vlan.name, { max: 32 });
  }
  const ifIndexes = new Set();
  const bridgePorts = new Set();
  const names = new Set();
  const claim = (set, value, what) => {
    if (!Number.isInteger(value) || value < 1 || set.has(value)) fail(`${at(what)}: bad or duplicate ${value}`);
    set.add(value);
  };
  for (const extra of [sim.management, sim.loopback]) {
    if (!extra) continue;
    claim(ifIndexes, extra.ifIndex, 'ifIndex');
    if (names.has(extra.name)) fail(`${at('ifName')}: duplicate ${extra.name}`);
    names.add(extra.name);
  }
  if (!sim.management) fail(`${at('management')} is required (the interface holding the management IP)`);
  const timeMarks = new Set();
  for (const port of sim.ports ?? []) {
    const where = `ports[${port.name}]`;
    claim(ifIndexes, port.ifIndex, `${where}.ifIndex`);
    claim(bridgePorts, port.bridgePort, `${where}.bridgePort`);
    text(at(`${where}.name`), port.name, { max: 64 });
    if (names.has(port.name)) fail(`${at(where)}: duplicate name`);
    names.add(port.name);
    text(at(`${where}.descr`), port.descr);
    text(at(`${where}.alias`), port.alias, { required: false });
    if (!/^([0-9a-f]{2}:){5}[0-9a-f]{2}$/.test(port.mac ?? '')) fail(`${at(where)}: bad mac ${port.mac}`);
    for (const field of ['admin', 'oper']) {
      if (!['up', 'down'].includes(port[field])) fail(`${at(where)}.${field} must be up or down`);
    }
    for (const vid of [port.pvid, ...(port.untagged ?? []), ...(port.tagged ?? [])]) {
      if (!vlanIds.has(vid)) fail(`${at(where)}: VLAN ${vid} is not in snmpsim.vlans`);
    }
    if ((port.untagged ?? []).some((vid) => (port.tagged ?? []).includes(vid))) {
      fail(`${at(where)}: a VLAN cannot be both tagged and untagged`);
    }
    for (const ref of port.behind ?? []) {
      if (!resolveRef(topology, ref, node.interfaces[0].segment)) fail(`${at(where)}.behind: unknown node ${ref}`);
    }
    const neighbour = port.neighbour;
    if (neighbour) {
      if (!resolveRef(topology, neighbour.node, node.interfaces[0].segment)) {
        fail(`${at(where)}.neighbour: unknown node ${neighbour.node}`);
      }
      text(at(`${where}.neighbour.port`), neighbour.port, { max: 64 });
      text(at(`${where}.neighbour.sysName`), neighbour.sysName, { max: 64 });
      text(at(`${where}.neighbour.sysDescr`), neighbour.sysDescr, { required: false });
      for (const capability of neighbour.capabilities ?? []) {
        if (!(capability in LLDP_CAPABILITY_BITS)) fail(`${at(where)}.neighbour: unknown capability ${capability}`);
      }
      if (!Array.isArray(neighbour.protocols) || neighbour.protocols.length === 0) {
        fail(`${at(where)}.neighbour.protocols must list lldp and/or cdp`);
      }
      for (const protocol of neighbour.protocols) {
        if (protocol !== 'lldp' && protocol !== 'cdp') fail(`${at(where)}.neighbour: unknown protocol ${protocol}`);
        if (!neighbour[protocol]) fail(`${at(where)}.neighbour.${protocol} block is required`);
      }
      if (neighbour.lldp) {
        const key = `${neighbour.lldp.timeMark}.${neighbour.lldp.remIndex}`;
        if (
          !Number.isInteger(neighbour.lldp.timeMark) ||
          !Number.isInteger(neighbour.lldp.remIndex) ||
          timeMarks.has(key)
        ) {
          fail(`${at(where)}.neighbour.lldp: integer timeMark and unique remIndex required`);
        }
        timeMarks.add(key);
        if (!['interfaceName', 'macAddress'].includes(neighbour.lldp.portIdSubtype)) {
          fail(`${at(where)}.neighbour.lldp.portIdSubtype must be interfaceName or macAddress`);
        }
      }
    }
  }
  if ((sim.ports ?? []).length === 0) fail(`${at('ports')}: at least one port`);
}

// ---------------------------------------------------------------------------------------------------------
// The switch model: the snmpsim block with every reference resolved

const LLDP_CAPABILITY_BITS = {
  other: 0,
  repeater: 1,
  bridge: 2,
  wlanAccessPoint: 3,
  router: 4,
  telephone: 5,
  docsisCableDevice: 6,
  stationOnly: 7,
};
const CDP_CAPABILITY_BITS = { router: 0x01, bridge: 0x08, repeater: 0x40, stationOnly: 0x10, other: 0x10 };

/**
 * The switch served by snmpsim on `nodeName`, resolved against the topology: ports with their neighbour's
 * chassis MAC / management IP / port MAC, and the MACs behind each port. The snmprec and the expectations are
 * both computed from this, nothing else.
 */
export function switchModel(topology, nodeName) {
  const node = topology.nodes.find((entry) => entry.name === nodeName);
  if (!node?.snmpsim) throw new Error(`${nodeName} is not an snmpsim switch`);
  const sim = node.snmpsim;
  const mgmtIface = node.interfaces[0];
  const segment = mgmtIface.segment;
  const lldpByBridgePort = (sim.lldpLocalPortNumber ?? 'bridgePort') === 'bridgePort';
  const vlanById = new Map(sim.vlans.map((vlan) => [vlan.id, vlan]));
  const ports = sim.ports.map((port) => {
    const behind = (port.behind ?? []).map((ref) => {
      const { node: host, iface } = resolveRef(topology, ref, segment);
      return { node: host.name, interface: iface.name, mac: iface.mac, vlan: port.pvid };
    });
    let neighbour = null;
    if (port.neighbour) {
      const { node: remote, iface } = resolveRef(topology, port.neighbour.node, segment);
      neighbour = {
        ...port.neighbour,
        node: remote.name,
        chassisMac: iface.mac,
        managementIp: iface.ip,
        portMac: (remote.interfaces.find((entry) => entry.name === port.neighbour.port) ?? iface).mac,
        sysDescr: port.neighbour.sysDescr ?? '',
        capabilities: port.neighbour.capabilities ?? ['stationOnly'],
      };
    }
    return {
      ...port,
      alias: port.alias ?? '',
      untagged: [...(port.untagged ?? [])],
      tagged: [...(port.tagged ?? [])],
      lldpPortNum: lldpByBridgePort ? port.bridgePort : port.ifIndex,
      behind,
      neighbour,
    };
  });
  const vlans = sim.vlans.map((vlan) => ({
    id: vlan.id,
    name: vlan.name,
    egressPorts: ports
      .filter((port) => port.untagged.includes(vlan.id) || port.tagged.includes(vlan.id))
      .map((port) => port.bridgePort),
    untaggedPorts: ports.filter((port) => port.untagged.includes(vlan.id)).map((port) => port.bridgePort),
  }));
  return {
    node: node.name,
    credentials: sim.credentials,
    communities: sim.credentials.map((credential) => credential.community),
    system: sim.system,
    management: { ...sim.management, mac: mgmtIface.mac, ip: mgmtIface.ip, prefixLength: mgmtIface.prefixLength },
    loopback: sim.loopback ?? null,
    lldpLocalPortNumber: lldpByBridgePort ? 'bridgePort' : 'ifIndex',
    vlans,
    vlanName: (id) => vlanById.get(id)?.name ?? null,
    ports,
  };
}

// ---------------------------------------------------------------------------------------------------------
// Expectations derived from the data

/** FDB rows the switch reports: one per MAC behind a port, in the port's PVID (= the FDB id). */
export function expectedFdb(model) {
  return model.ports.flatMap((port) =>
    port.behind.map((entry) => ({
      mac: entry.mac,
      node: entry.node,
      port: port.name,
      ifIndex: port.ifIndex,
      bridgePort: port.bridgePort,
      vlan: entry.vlan,
    })),
  );
}

/** Physical links the switch reports: ONE per cable, whichever protocols describe it. */
export function expectedLinks(model) {
  return model.ports
    .filter((port) => port.neighbour)
    .map((port) => ({
      localPort: port.name,
      localIfIndex: port.ifIndex,
      node: port.neighbour.node,
      remotePort: port.neighbour.port,
      remoteName: port.neighbour.sysName,
      managementIp: port.neighbour.managementIp,
      chassisMac: port.neighbour.chassisMac,
      protocols: [...port.neighbour.protocols].sort(),
    }));
}

/** VLANs per port by ifIndex: PVID, untagged and tagged memberships. */
export function expectedPortVlans(model) {
  return model.ports.map((port) => ({
    port: port.name,
    ifIndex: port.ifIndex,
    bridgePort: port.bridgePort,
    pvid: port.pvid,
    untagged: [...port.untagged].sort((a, b) => a - b),
    tagged: [...port.tagged].sort((a, b) => a - b),
  }));
}

/** TCP ports a connect scan finds open on a node: its `services` listeners, plus DNS on a dnsmasq node. */
export function openTcpPorts(node) {
  const ports = new Set(node.services.map((service) => service.port));
  if (node.dnsmasq) ports.add(53);
  return [...ports].sort((a, b) => a - b);
}

/** DNS records served by every dnsmasq node: { server, name, node, ip }. A and PTR both exist for each. */
export function dnsRecords(topology) {
  return topology.nodes
    .filter((node) => node.dnsmasq)
    .flatMap((server) =>
      server.dnsmasq.records.map((record) => {
        const { node, iface } = resolveRef(topology, record.node, server.interfaces[0].segment);
        return { server: server.interfaces[0].ip, name: record.name, node: node.name, ip: iface.ip };
      }),
    );
}

// ---------------------------------------------------------------------------------------------------------
// snmpd (net-snmp)

/** snmpd.conf for a node with an `snmpd` block: system group, v1/v2c communities and v3 users, one address. */
export function snmpdConfig(node) {
  const { system, credentials } = node.snmpd;
  const ip = node.interfaces[0].ip;
  const lines = [
    '# generated by lab/lab.mjs from lab/topology.json',
    `agentaddress udp:${ip}:161`,
    `sysName ${system.sysName}`,
    `sysDescr ${system.sysDescr}`,
    `sysObjectID ${system.sysObjectID}`,
    ...(system.sysContact ? [`sysContact ${system.sysContact}`] : []),
    ...(system.sysLocation ? [`sysLocation ${system.sysLocation}`] : []),
    'sysServices 72',
    'dontLogTCPWrappersConnects yes',
  ];
  for (const credential of credentials) {
    if (credential.version === '3') {
      const auth = credential.authProtocol.toUpperCase();
      const priv =
        credential.level === 'authPriv' ? ` ${credential.privProtocol.toUpperCase()} "${credential.privKey}"` : '';
      lines.push(`createUser ${credential.user} ${auth} "${credential.authKey}"${priv}`);
      lines.push(`rouser ${credential.user} ${credential.level === 'authPriv' ? 'priv' : 'auth'}`);
    } else {
      lines.push(`rocommunity ${credential.community} default`); // serves v1 and v2c alike
    }
  }
  return `${lines.join('\n')}\n`;
}

// ---------------------------------------------------------------------------------------------------------
// snmprec for the switch

/** Compares dotted numeric OIDs component by component. */
export function compareOids(a, b) {
  const x = a.split('.').map(Number);
  const y = b.split('.').map(Number);
  for (let i = 0; i < Math.min(x.length, y.length); i++) if (x[i] !== y[i]) return x[i] - y[i];
  return x.length - y.length;
}

function portList(bridgePorts, maxPort) {
  const bytes = new Array(Math.max(1, Math.ceil(maxPort / 8))).fill(0);
  for (const port of bridgePorts) bytes[Math.floor((port - 1) / 8)] |= 0x80 >> ((port - 1) % 8);
  return hex(bytes);
}

/**
 * The switch's snmprec records, [oid, tag, value], sorted by numeric OID: system group, ifTable/ifXTable,
 * ipAddrTable, BRIDGE-MIB base ports, Q-BRIDGE PVIDs/static VLANs/FDB, LLDP local ports and remote table
 * (+ management addresses), CISCO-CDP-MIB cache.
 */
export function switchSnmprec(model) {
  const records = [];
  const add = (oid, tag, value) => records.push([oid, String(tag), String(value)]);
  const sys = model.system;
  add('1.3.6.1.2.1.1.1.0', 4, sys.sysDescr);
  add('1.3.6.1.2.1.1.2.0', 6, sys.sysObjectID);
  add('1.3.6.1.2.1.1.3.0', 67, sys.sysUpTime ?? 8_640_000);
  add('1.3.6.1.2.1.1.4.0', 4, sys.sysContact ?? '');
  add('1.3.6.1.2.1.1.5.0', 4, sys.sysName);
  add('1.3.6.1.2.1.1.6.0', 4, sys.sysLocation ?? '');
  add('1.3.6.1.2.1.1.7.0', 2, 2); // sysServices: layer 2

  // Interfaces: management, loopback, then the bridge ports.
  const interfaces = [
    {
      ifIndex: model.management.ifIndex,
      name: model.management.name,
      descr: model.management.descr ?? model.management.name,
      alias: model.management.alias ?? '',
      type: 6,
      mtu: model.management.mtu ?? 1500,
      speedMbps: model.management.speedMbps ?? 1000,
      mac: model.management.mac,
      admin: 'up',
      oper: 'up',
    },
    ...(model.loopback
      ? [
          {
            ifIndex: model.loopback.ifIndex,
            name: model.loopback.name,
            descr: model.loopback.descr ?? model.loopback.name,
            alias: '',
            type: 24,
            mtu: 65535,
            speedMbps: 0,
            mac: null,
            admin: 'up',
            oper: 'up',
          },
        ]
      : []),
    ...model.ports.map((port) => ({ ...port, type: 6 })),
  ];
  add('1.3.6.1.2.1.2.1.0', 2, interfaces.length);
  const status = (value) => (value === 'up' ? 1 : 2);
  for (const entry of interfaces) {
    const i = entry.ifIndex;
    const bps = entry.speedMbps * 1_000_000;
    const traffic = entry.oper === 'up' ? i * 1_000_003 : 0;
    add(`1.3.6.1.2.1.2.2.1.1.${i}`, 2, i);
    add(`1.3.6.1.2.1.2.2.1.2.${i}`, 4, entry.descr);
    add(`1.3.6.1.2.1.2.2.1.3.${i}`, 2, entry.type);
    add(`1.3.6.1.2.1.2.2.1.4.${i}`, 2, entry.mtu);
    add(`1.3.6.1.2.1.2.2.1.5.${i}`, 66, Math.min(bps, 4_294_967_295));
    add(`1.3.6.1.2.1.2.2.1.6.${i}`, entry.mac ? '4x' : 4, entry.mac ? hex(macBytes(entry.mac)) : '');
    add(`1.3.6.1.2.1.2.2.1.7.${i}`, 2, status(entry.admin));
    add(`1.3.6.1.2.1.2.2.1.8.${i}`, 2, status(entry.oper));
    add(`1.3.6.1.2.1.2.2.1.9.${i}`, 67, 0);
    add(`1.3.6.1.2.1.2.2.1.10.${i}`, 65, traffic % 4_294_967_296);
    add(`1.3.6.1.2.1.2.2.1.16.${i}`, 65, (traffic * 3) % 4_294_967_296);
    add(`1.3.6.1.2.1.31.1.1.1.1.${i}`, 4, entry.name);
    add(`1.3.6.1.2.1.31.1.1.1.6.${i}`, 70, traffic * 4_294_967);
    add(`1.3.6.1.2.1.31.1.1.1.10.${i}`, 70, traffic * 3 * 4_294_967);
    add(`1.3.6.1.2.1.31.1.1.1.15.${i}`, 66, entry.speedMbps);
    add(`1.3.6.1.2.1.31.1.1.1.18.${i}`, 4, entry.alias ?? '');
  }

  // IP-MIB ipAddrTable: the management address (and the loopback's, which says nothing about identity).
  const addresses = [
    { ip: model.management.ip, ifIndex: model.management.ifIndex, prefixLength: model.management.prefixLength },
    ...(model.loopback ? [{ ip: '127.0.0.1', ifIndex: model.loopback.ifIndex, prefixLength: 8 }] : []),
  ];
  for (const address of addresses) {
    add(`1.3.6.1.2.1.4.20.1.1.${address.ip}`, 64, address.ip);
    add(`1.3.6.1.2.1.4.20.1.2.${address.ip}`, 2, address.ifIndex);
    add(`1.3.6.1.2.1.4.20.1.3.${address.ip}`, 64, maskOf(address.prefixLength));
    add(`1.3.6.1.2.1.4.20.1.4.${address.ip}`, 2, 1);
  }

  // BRIDGE-MIB: base bridge address, port count, bridge port → ifIndex.
  add('1.3.6.1.2.1.17.1.1.0', '4x', hex(macBytes(model.management.mac)));
  add('1.3.6.1.2.1.17.1.2.0', 2, model.ports.length);
  add('1.3.6.1.2.1.17.1.3.0', 2, 2); // transparent-only
  for (const port of model.ports) {
    add(`1.3.6.1.2.1.17.1.4.1.1.${port.bridgePort}`, 2, port.bridgePort);
    add(`1.3.6.1.2.1.17.1.4.1.2.${port.bridgePort}`, 2, port.ifIndex);
  }

  // Q-BRIDGE-MIB: FDB (fdbId.mac → bridge port, learned), static VLANs with port bitmaps, PVIDs.
  add('1.3.6.1.2.1.17.7.1.1.1.0', 2, 1);
  add('1.3.6.1.2.1.17.7.1.1.4.0', 66, model.vlans.length);
  for (const entry of expectedFdb(model)) {
    const index = `${entry.vlan}.${macBytes(entry.mac).join('.')}`;
    add(`1.3.6.1.2.1.17.7.1.2.2.1.2.${index}`, 2, entry.bridgePort);
    add(`1.3.6.1.2.1.17.7.1.2.2.1.3.${index}`, 2, 3);
  }
  const maxPort = Math.max(...model.ports.map((port) => port.bridgePort));
  for (const vlan of model.vlans) {
    add(`1.3.6.1.2.1.17.7.1.4.3.1.1.${vlan.id}`, 4, vlan.name);
    add(`1.3.6.1.2.1.17.7.1.4.3.1.2.${vlan.id}`, '4x', portList(vlan.egressPorts, maxPort));
    add(`1.3.6.1.2.1.17.7.1.4.3.1.3.${vlan.id}`, '4x', portList([], maxPort));
    add(`1.3.6.1.2.1.17.7.1.4.3.1.4.${vlan.id}`, '4x', portList(vlan.untaggedPorts, maxPort));
    add(`1.3.6.1.2.1.17.7.1.4.3.1.5.${vlan.id}`, 2, 1);
  }
  for (const port of model.ports) add(`1.3.6.1.2.1.17.7.1.4.5.1.1.${port.bridgePort}`, 66, port.pvid);

  // LLDP-MIB: local system and ports, remote table, remote management addresses.
  add('1.0.8802.1.1.2.1.3.1.0', 2, 4);
  add('1.0.8802.1.1.2.1.3.2.0', '4x', hex(macBytes(model.management.mac)));
  add('1.0.8802.1.1.2.1.3.3.0', 4, sys.sysName);
  add('1.0.8802.1.1.2.1.3.4.0', 4, sys.sysDescr);
  for (const port of model.ports) {
    add(`1.0.8802.1.1.2.1.3.7.1.2.${port.lldpPortNum}`, 2, 5); // interfaceName
    add(`1.0.8802.1.1.2.1.3.7.1.3.${port.lldpPortNum}`, 4, port.name);
    add(`1.0.8802.1.1.2.1.3.7.1.4.${port.lldpPortNum}`, 4, port.descr);
  }
  for (const port of model.ports) {
    const neighbour = port.neighbour;
    if (!neighbour?.protocols.includes('lldp')) continue;
    const index = `${neighbour.lldp.timeMark}.${port.lldpPortNum}.${neighbour.lldp.remIndex}`;
    const caps = neighbour.capabilities.reduce((bits, name) => bits | (0x80 >> (LLDP_CAPABILITY_BITS[name] ?? 0)), 0);
    const byMac = neighbour.lldp.portIdSubtype === 'macAddress';
    add(`1.0.8802.1.1.2.1.4.1.1.4.${index}`, 2, 4); // chassis id subtype: macAddress
    add(`1.0.8802.1.1.2.1.4.1.1.5.${index}`, '4x', hex(macBytes(neighbour.chassisMac)));
    add(`1.0.8802.1.1.2.1.4.1.1.6.${index}`, 2, byMac ? 3 : 5);
    add(
      `1.0.8802.1.1.2.1.4.1.1.7.${index}`,
      byMac ? '4x' : 4,
      byMac ? hex(macBytes(neighbour.portMac)) : neighbour.port,
    );
    add(`1.0.8802.1.1.2.1.4.1.1.8.${index}`, 4, neighbour.port);
    add(`1.0.8802.1.1.2.1.4.1.1.9.${index}`, 4, neighbour.sysName);
    add(`1.0.8802.1.1.2.1.4.1.1.10.${index}`, 4, neighbour.sysDescr);
    add(`1.0.8802.1.1.2.1.4.1.1.11.${index}`, '4x', hex([caps]));
    add(`1.0.8802.1.1.2.1.4.1.1.12.${index}`, '4x', hex([caps]));
    const manIndex = `${index}.1.4.${neighbour.managementIp}`;
    add(`1.0.8802.1.1.2.1.4.2.1.3.${manIndex}`, 2, 1); // ifSubtype unknown
    add(`1.0.8802.1.1.2.1.4.2.1.4.${manIndex}`, 2, 0);
    add(`1.0.8802.1.1.2.1.4.2.1.5.${manIndex}`, 6, '0.0');
  }

  // CISCO-CDP-MIB cdpCacheTable, indexed by the local ifIndex and a device index.
  for (const port of model.ports) {
    const neighbour = port.neighbour;
    if (!neighbour?.protocols.includes('cdp')) continue;
    const index = `${port.ifIndex}.${neighbour.cdp.deviceIndex}`;
    const caps = neighbour.capabilities.reduce((bits, name) => bits | (CDP_CAPABILITY_BITS[name] ?? 0), 0);
    add(`1.3.6.1.4.1.9.9.23.1.2.1.1.3.${index}`, 2, 1); // address type: ip
    add(`1.3.6.1.4.1.9.9.23.1.2.1.1.4.${index}`, '4x', hex(ipBytes(neighbour.managementIp)));
    add(`1.3.6.1.4.1.9.9.23.1.2.1.1.5.${index}`, 4, neighbour.sysDescr);
    add(`1.3.6.1.4.1.9.9.23.1.2.1.1.6.${index}`, 4, neighbour.sysName);
    add(`1.3.6.1.4.1.9.9.23.1.2.1.1.7.${index}`, 4, neighbour.port);
    add(`1.3.6.1.4.1.9.9.23.1.2.1.1.8.${index}`, 4, neighbour.cdp.platform ?? '');
    add(`1.3.6.1.4.1.9.9.23.1.2.1.1.9.${index}`, '4x', hex([0, 0, 0, caps]));
  }

  records.sort((a, b) => compareOids(a[0], b[0]));
  for (let i = 1; i < records.length; i++) {
    if (compareOids(records[i - 1][0], records[i][0]) === 0) throw new Error(`duplicate OID ${records[i][0]}`);
  }
  return records;
}

export function snmprecText(records) {
  return `${records.map(([oid, tag, value]) => `${oid}|${tag}|${value}`).join('\n')}\n`;
}

// ---------------------------------------------------------------------------------------------------------
// avahi-daemon

export function avahiConfig(node) {
  return [
    '# generated by lab/lab.mjs from lab/topology.json',
    '[server]',
    `host-name=${node.avahi.hostName}`,
    'domain-name=local',
    'use-ipv4=yes',
    'use-ipv6=no',
    `allow-interfaces=${node.interfaces.map((iface) => iface.name).join(',')}`,
    'enable-dbus=no',
    'ratelimit-interval-usec=1000000',
    'ratelimit-burst=1000',
    '',
    '[wide-area]',
    'enable-wide-area=no',
    '',
    '[publish]',
    'publish-addresses=yes',
    'publish-hinfo=no',
    'publish-workstation=no',
    'publish-domain=no',
    'publish-aaaa-on-ipv4=no',
    'publish-a-on-ipv6=no',
    '',
    '[reflector]',
    'enable-reflector=no',
    '',
    '[rlimits]',
    '',
  ].join('\n');
}

const xml = (value) =>
  String(value).replaceAll('&', '&amp;').replaceAll('<', '&lt;').replaceAll('>', '&gt;').replaceAll("'", '&apos;');

/** A static avahi service file (what /etc/avahi/services/*.service holds). */
export function avahiServiceFile(service) {
  return [
    `<?xml version="1.0" standalone='no'?>`,
    '<!DOCTYPE service-group SYSTEM "avahi-service.dtd">',
    '<service-group>',
    `  <name>${xml(service.name)}</name>`,
    '  <service>',
    `    <type>${xml(service.type)}</type>`,
    `    <port>${service.port}</port>`,
    ...(service.txt ?? []).map((entry) => `    <txt-record>${xml(entry)}</txt-record>`),
    '  </service>',
    '</service-group>',
    '',
  ].join('\n');
}

// ---------------------------------------------------------------------------------------------------------
// nmbd (samba)

/** smb.conf for nmbd alone: one interface, private lock/state/cache/pid dirs under `dir`, no browse master. */
export function smbConfig(node, dir) {
  const iface = node.interfaces[0];
  return [
    '# generated by lab/lab.mjs from lab/topology.json',
    '[global]',
    `  netbios name = ${node.nmbd.netbiosName}`,
    `  workgroup = ${node.nmbd.workgroup}`,
    `  server string = ${node.nmbd.serverString ?? 'Roller lab'}`,
    `  interfaces = ${iface.ip}/${iface.prefixLength}`,
    '  bind interfaces only = yes',
    '  server role = standalone server',
    '  disable netbios = no',
    '  local master = no',
    '  domain master = no',
    '  preferred master = no',
    '  wins support = no',
    '  dns proxy = no',
    '  load printers = no',
    `  lock directory = ${dir}/lock`,
    `  state directory = ${dir}/state`,
    `  cache directory = ${dir}/cache`,
    `  pid directory = ${dir}/pid`,
    `  private dir = ${dir}/private`,
    `  ncalrpc dir = ${dir}/ncalrpc`,
    `  binddns dir = ${dir}/binddns`,
    // nmbd's unexpected-packet socket lives outside the lock dir (default /run/samba/nmbd): unix socket paths
    // are not per network namespace, so two labs' nmbds would share it.
    `  nmbd:socket dir = ${dir}/socket`,
    `  log file = ${dir}/log.%m`,
    '',
  ].join('\n');
}

export const NMBD_DIRS = ['lock', 'state', 'cache', 'pid', 'private', 'ncalrpc', 'binddns', 'socket'];

// ---------------------------------------------------------------------------------------------------------
// dnsmasq

/** dnsmasq argv (after the binary): authoritative A + PTR for the records, no upstream, only the lab IP. */
export function dnsmasqArgs(topology, node, dir) {
  const ip = node.interfaces[0].ip;
  const records = dnsRecords(topology).filter((record) => record.server === ip);
  return [
    '--keep-in-foreground',
    '--conf-file=/dev/null',
    '--no-resolv',
    '--no-hosts',
    '--no-poll',
    `--listen-address=${ip}`,
    '--bind-interfaces',
    '--except-interface=lo',
    `--pid-file=${dir}/dnsmasq.pid`,
    '--log-facility=-',
    '--user=nobody',
    '--group=nogroup',
    '--domain-needed',
    '--bogus-priv',
    `--local=/${node.dnsmasq.domain}/`,
    '--local-ttl=60',
    ...records.map((record) => `--host-record=${record.name},${record.ip}`),
  ];
}
