// Name lookups against real daemons across a real link: two network namespaces of our own joined
// by a veth pair (10.253.7.1 scanner, 10.253.7.2 host). The host namespace runs avahi-daemon
// (without dbus, private /run and services directory via a private mount namespace), dnsmasq and
// nmbd, all bound to 10.253.7.2; the scanner runs Roller's lookups (support/ns-probe.ts), so mDNS
// goes out as real multicast from one socket bound to the scanner's interface. Nothing is created
// in the root namespace; afterAll kills every process in both namespaces and deletes them.
// Needs root, iproute2, unshare, avahi-daemon, dnsmasq, nmbd; skipped with a printed reason
// otherwise, failing instead under CI=true.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  announceSkip,
  Daemon,
  failInCi,
  findTool,
  runQuick,
  scratchDir,
  stopAll,
  waitFor,
  whyNot,
} from './support/daemons.ts';

const REPO = resolve(import.meta.dirname, '../..');
// The full pid in base 36 names our namespaces, so a later run can reap the ones a dead run left.
const PREFIX = `rnm${process.pid.toString(36)}`;
const SCAN = `${PREFIX}-s`;
const HOST = `${PREFIX}-a`;
const SCAN_IP = '10.253.7.1';
const HOST_IP = '10.253.7.2';

const reason =
  whyNot(
    ['ip', 'unshare', 'avahi-daemon', 'dnsmasq', 'nmbd'],
    'apt-get install -y iproute2 avahi-daemon dnsmasq samba',
  ) ?? namespacesUnusable();
const skip = announceSkip('mDNS/DNS/NetBIOS against daemons in network namespaces', reason);

function namespacesUnusable(): string | null {
  if (process.getuid?.() !== 0) return 'needs root';
  const probe = `rnmprobe${process.pid.toString(36)}`;
  const added = runQuick(['ip', 'netns', 'add', probe]);
  runQuick(['ip', 'netns', 'del', probe]);
  return added.status === 0 ? null : `cannot create network namespaces: ${added.output.trim()}`;
}

function must(argv: string[]): void {
  const result = runQuick(argv);
  if (result.status !== 0) throw new Error(`${argv.join(' ')} failed: ${result.output}`);
}

function inNs(ns: string, argv: string[]): string[] {
  return ['ip', 'netns', 'exec', ns, ...argv];
}

/** Namespaces of earlier runs whose owning process is gone. */
function reapStale(): void {
  const listed = runQuick(['ip', 'netns', 'list']).output;
  for (const line of listed.split('\n')) {
    const match = /^(rnm([0-9a-z]+))-[sa]\b/.exec(line.trim());
    if (!match?.[2] || match[2] === 'probe') continue;
    const owner = Number.parseInt(match[2], 36);
    if (owner === process.pid || isAlive(owner)) continue;
    removeNamespace(line.trim().split(/\s/)[0] as string);
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

function removeNamespace(ns: string): void {
  const pids = runQuick(['ip', 'netns', 'pids', ns]).output.split(/\s+/).filter(Boolean);
  for (const pid of pids) {
    try {
      process.kill(Number(pid), 'SIGKILL');
    } catch {
      // already gone
    }
  }
  runQuick(['ip', 'netns', 'del', ns]);
}

let scratch: ReturnType<typeof scratchDir> | undefined;
let avahi: Daemon | undefined;
let probe: Record<string, unknown> & {
  resolved: Record<string, { hints: unknown[]; failures: unknown[]; mac: string | null; elapsedMs: number }>;
  browse: {
    names: Record<string, unknown>;
    services: Record<string, unknown>;
    complete: boolean;
    errors: string[];
    elapsedMs: number;
  };
};

describe.skipIf(skip)('name lookups across a namespace link', () => {
  beforeAll(async () => {
    failInCi(reason);
    reapStale();
    scratch = scratchDir('roller-names-ns-');
    const dir = scratch.path;

    for (const ns of [SCAN, HOST]) removeNamespace(ns);
    must(['ip', 'netns', 'add', SCAN]);
    must(['ip', 'netns', 'add', HOST]);
    must([
      'ip',
      'link',
      'add',
      `${PREFIX}s`,
      'netns',
      SCAN,
      'type',
      'veth',
      'peer',
      'name',
      `${PREFIX}a`,
      'netns',
      HOST,
    ]);
    for (const [ns, ifname, ip] of [
      [SCAN, `${PREFIX}s`, SCAN_IP],
      [HOST, `${PREFIX}a`, HOST_IP],
    ] as const) {
      must(['ip', '-n', ns, 'link', 'set', ifname, 'name', 'eth0']);
      must(['ip', '-n', ns, 'addr', 'add', `${ip}/24`, 'dev', 'eth0']);
      must(inNs(ns, ['sysctl', '-qw', 'net.ipv6.conf.all.disable_ipv6=1', 'net.ipv6.conf.default.disable_ipv6=1']));
      must(['ip', '-n', ns, 'link', 'set', 'lo', 'up']);
      must(['ip', '-n', ns, 'link', 'set', 'eth0', 'up']);
      const routes = runQuick(['ip', '-n', ns, 'route', 'show', 'default']).output.trim();
      if (routes !== '') throw new Error(`namespace ${ns} has a default route: ${routes}`);
    }

    mkdirSync(join(dir, 'services'));
    writeFileSync(
      join(dir, 'avahi.conf'),
      [
        '[server]',
        'host-name=roller-avahi',
        'domain-name=local',
        'use-ipv4=yes',
        'use-ipv6=no',
        'allow-interfaces=eth0',
        'enable-dbus=no',
        '[wide-area]',
        'enable-wide-area=no',
        '[publish]',
        'publish-addresses=yes',
        'publish-hinfo=no',
        'publish-workstation=no',
        '',
      ].join('\n'),
    );
    writeFileSync(
      join(dir, 'services', 'roller.service'),
      `<?xml version="1.0" standalone='no'?>
<!DOCTYPE service-group SYSTEM "avahi-service.dtd">
<service-group>
  <name>Roller Web</name>
  <service><type>_http._tcp</type><port>8080</port><txt-record>path=/</txt-record></service>
  <service><type>_ssh._tcp</type><port>22</port></service>
  <service><type>_ipp._udp</type><port>631</port></service>
</service-group>
`,
    );
    // A private mount namespace gives avahi its own /run (pid file, socket) and services directory.
    avahi = new Daemon(
      'avahi-daemon',
      inNs(HOST, [
        'unshare',
        '--mount',
        '--propagation',
        'private',
        'sh',
        '-c',
        `mount -t tmpfs tmpfs /run && mount --bind "${dir}/services" /etc/avahi/services && exec avahi-daemon -f "${dir}/avahi.conf" --no-drop-root --no-chroot --no-rlimits`,
      ]),
    );
    new Daemon(
      'dnsmasq',
      inNs(HOST, [
        findTool('dnsmasq') as string,
        '--keep-in-foreground',
        '--conf-file=/dev/null',
        '--no-resolv',
        '--no-hosts',
        '--bind-interfaces',
        `--listen-address=${HOST_IP}`,
        '--port=53',
        '--pid-file=',
        '--log-facility=-',
        '--user=root',
        '--local=/7.253.10.in-addr.arpa/',
        `--ptr-record=2.7.253.10.in-addr.arpa,roller-box.lab.test`,
      ]),
    );
    writeFileSync(
      join(dir, 'smb.conf'),
      [
        '[global]',
        '  netbios name = ROLLERBOX',
        '  workgroup = ROLLERLAB',
        `  interfaces = ${HOST_IP}/24`,
        '  bind interfaces only = yes',
        ...['lock directory', 'state directory', 'cache directory', 'pid directory', 'private dir'].map(
          (key) => `  ${key} = ${dir}`,
        ),
        `  log file = ${join(dir, 'nmbd.%m')}`,
        '  local master = no',
        '  domain master = no',
        '  preferred master = no',
        '',
      ].join('\n'),
    );
    new Daemon(
      'nmbd',
      inNs(HOST, [
        findTool('nmbd') as string,
        '--foreground',
        '--no-process-group',
        '--debug-stdout',
        '--debuglevel=1',
        `--configfile=${join(dir, 'smb.conf')}`,
      ]),
    );
    const announced = await waitFor(
      () => /Server startup complete/.test(avahi?.output ?? '') && /successfully established/.test(avahi?.output ?? ''),
      15_000,
    );
    if (!announced) throw new Error(`avahi did not come up: ${avahi.describe()}`);

    const request = {
      config: {
        dnsServers: [HOST_IP],
        dnsTimeoutMs: 500,
        mdnsTimeoutMs: 400,
        mdnsBrowseMs: 1500,
        netbiosTimeoutMs: 500,
      },
      interfaces: [SCAN_IP],
      targets: [HOST_IP],
      readyLimitMs: 20_000,
    };
    const ran = runQuick(
      inNs(SCAN, [
        process.execPath,
        '--import',
        'tsx',
        join(REPO, 'test/names/support/ns-probe.ts'),
        JSON.stringify(request),
      ]),
      60_000,
    );
    const line = ran.output.split('\n').find((text) => text.startsWith('{'));
    if (ran.status !== 0 || !line) throw new Error(`probe in ${SCAN} failed (${ran.status}): ${ran.output}`);
    probe = JSON.parse(line);
  });

  afterAll(async () => {
    await stopAll();
    for (const ns of [SCAN, HOST]) removeNamespace(ns);
    scratch?.remove();
  });

  it('resolves the host through reverse DNS, mDNS and NetBIOS at once', () => {
    expect(probe.ready).toEqual({ dnsMs: expect.any(Number), netbiosMs: expect.any(Number) });
    expect(Object.values(probe.ready as Record<string, number>).every((ms) => ms >= 0)).toBe(true);
    expect(probe.mdnsUnavailable).toBeNull();
    const result = probe.resolved[HOST_IP];
    expect(result?.hints).toEqual([
      { source: 'reverse_dns', name: 'roller-box.lab.test' },
      { source: 'mdns', name: 'roller-avahi.local' },
      { source: 'netbios', name: 'ROLLERBOX' },
    ]);
    expect(result?.failures).toEqual([]);
    expect(result?.mac).toBeNull(); // Samba reports a zero unit id
    expect(result?.elapsedMs).toBeLessThan(500);
  });

  it('browses what Avahi announces: host name and services per address', () => {
    expect(probe.browse.names).toEqual({ [HOST_IP]: [{ source: 'mdns', name: 'roller-avahi.local' }] });
    expect(probe.browse.services).toEqual({
      [HOST_IP]: [
        { protocol: 'tcp', port: 22, name: 'ssh', source: 'mdns' },
        { protocol: 'tcp', port: 8080, name: 'http', source: 'mdns' },
        { protocol: 'udp', port: 631, name: 'ipp', source: 'mdns' },
      ],
    });
    expect(probe.browse.complete).toBe(true);
    expect(probe.browse.errors).toEqual([]);
    expect(probe.browse.elapsedMs).toBeLessThan(1500 + 200);
  });

  it('left no socket or timer open after close()', () => {
    expect(probe.activeHandles).toBe(0);
  });
});
