// The enrichment and port-scan stages driven directly (SPEC §5.9, §5.10 with G-17, G-20, G-26, G-28,
// G-31): scripted probes and nmap stand in for the network, a recording sink for storage. The real
// probes are tested against real daemons in test/snmp, test/names and the lab.
import { basename } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/config.ts';
import { configuredRunSettings } from '../../src/config/run-settings.ts';
import type {
  EnrichmentConfig,
  EnrichmentProbes,
  EnrichmentSink,
  NameLookups,
  SnmpProbe,
} from '../../src/discovery/enrichment-context.ts';
import { enrich } from '../../src/discovery/enrichment-stage.ts';
import type { ProcessRequest, ProcessResult, ProcessRunner } from '../../src/discovery/exec/process-runner.ts';
import { scanPorts } from '../../src/discovery/port-scan-stage.ts';
import { RunAbort, type RunContext } from '../../src/discovery/run-context.ts';
import type { NameHint, ServiceSighting, SnmpDeviceReport } from '../../src/domain/enrichment.types.ts';
import type { NameCandidate } from '../../src/domain/naming.ts';
import { effectiveSettings, type Preset, type ScanTag } from '../../src/domain/run-settings.ts';

const CONFIG: EnrichmentConfig = {
  names: { dnsServers: [], dnsTimeoutMs: 50, mdnsTimeoutMs: 50, mdnsBrowseMs: 0, netbiosTimeoutMs: 50 },
  snmp: {
    credentials: [{ name: 'v2c', version: '2c', community: 'public' }],
    allowlist: [],
    port: 161,
    timeoutMs: 100,
    retries: 0,
    maxRepetitions: 20,
  },
  topologyAllowlist: ['10.0.0.0/24'],
  portScan: { allowlist: ['10.0.0.0/24'], ports: [22, 80, 9100] },
};

const SYSTEM = {
  sysName: 'core-sw1',
  sysDescr: 'Lab switch',
  sysObjectId: '1.3.6.1.4.1.8072.3.2.10',
  sysContact: null,
  sysLocation: null,
  sysUpTime: 100,
};

type Walks = Omit<SnmpDeviceReport, 'credential'>;
const walks = (address: string, overrides: Partial<Walks> = {}): Walks => ({
  address,
  system: SYSTEM,
  interfaces: { ok: true, value: [] },
  addresses: { ok: true, value: [] },
  vlans: { ok: true, value: { vlans: [], memberships: [] } },
  fdb: { ok: true, value: [] },
  durationMs: 1,
  ...overrides,
});

class RecordingSink implements EnrichmentSink {
  readonly names: { deviceId: string; address: string | null; candidates: NameCandidate[] }[] = [];
  readonly snmp: { deviceId: string; report: SnmpDeviceReport }[] = [];
  readonly failures: { deviceId: string; error: string }[] = [];
  readonly services: { deviceId: string; scannedTcpPorts: number[]; open: ServiceSighting[] }[] = [];
  readonly reclassified: string[][] = [];
  async snmpCredentialHints() {
    return new Map([['dev-a', 'v3-core']]);
  }
  async saveNames(deviceId: string, address: string | null, candidates: readonly NameCandidate[]) {
    this.names.push({ deviceId, address, candidates: [...candidates] });
    return candidates.length;
  }
  async saveSnmp(deviceId: string, report: SnmpDeviceReport) {
    this.snmp.push({ deviceId, report });
    return { interfaces: 2, addresses: 1, vlans: 3, fdb: 4, links: 1, devicesCreated: 0 };
  }
  async saveSnmpFailure(deviceId: string, _address: string, error: string) {
    this.failures.push({ deviceId, error });
  }
  async saveServices(deviceId: string, scan: { scannedTcpPorts: readonly number[]; open: readonly ServiceSighting[] }) {
    this.services.push({ deviceId, scannedTcpPorts: [...scan.scannedTcpPorts], open: [...scan.open] });
    return scan.open.length;
  }
  async reclassify(deviceIds: readonly string[]) {
    this.reclassified.push([...deviceIds]);
  }
  async markPresence() {}
}

interface ProbeScript {
  names?: Record<string, NameHint[]>;
  browsedNames?: Record<string, NameHint[]>;
  browsedServices?: Record<string, ServiceSighting[]>;
  snmp?: Record<string, SnmpProbe | ((signal: AbortSignal) => Promise<SnmpProbe>)>;
}

class ScriptedProbes implements EnrichmentProbes {
  readonly resolved: string[] = [];
  readonly snmpAsked: { address: string; preferred: string | undefined }[] = [];
  closed = 0;
  constructor(private readonly script: ProbeScript) {}
  async openNameLookups(): Promise<NameLookups> {
    const script = this.script;
    return {
      resolve: async (ip) => {
        this.resolved.push(ip);
        return { hints: script.names?.[ip] ?? [], errors: [] };
      },
      browse: async () => ({
        names: new Map(Object.entries(script.browsedNames ?? {})),
        services: new Map(Object.entries(script.browsedServices ?? {})),
      }),
      close: async () => {
        this.closed += 1;
      },
    };
  }
  async probeSnmp(
    address: string,
    _config: EnrichmentConfig['snmp'],
    preferred: string | undefined,
    signal: AbortSignal,
  ) {
    this.snmpAsked.push({ address, preferred });
    const scripted = this.script.snmp?.[address];
    if (!scripted) return { ok: false as const, error: 'timeout' };
    return typeof scripted === 'function' ? scripted(signal) : scripted;
  }
}

const answering = (address: string, overrides: Partial<Walks> = {}, reads: string[] = []): SnmpProbe => ({
  ok: true,
  credential: 'v2c',
  system: SYSTEM,
  device: {
    read: async (options) => {
      reads.push(`${address} lldp=${options.lldp} cdp=${options.cdp}`);
      return walks(address, overrides);
    },
    close: () => {},
  },
});

class NmapRunner implements ProcessRunner {
  readonly calls: string[][] = [];
  constructor(
    private readonly stdout: (targets: string[]) => string,
    private readonly available = true,
    private readonly result: Partial<ProcessResult> = {},
  ) {}
  which(command: string) {
    return this.available && command === 'nmap' ? '/usr/bin/nmap' : undefined;
  }
  async run(request: ProcessRequest): Promise<ProcessResult> {
    expect(basename(request.command)).toBe('nmap');
    const targets = request.args.filter((arg) => /^\d+\.\d+\.\d+\.\d+$/.test(arg));
    this.calls.push([...request.args]);
    return {
      exitCode: 0,
      signal: null,
      stdout: this.stdout(targets),
      stderr: '',
      timedOut: false,
      aborted: false,
      truncated: false,
      durationMs: 1,
      ...this.result,
    };
  }
}

function nmapXml(hosts: Record<string, number[]>, timedOut: string[] = []): string {
  const body = Object.entries(hosts)
    .map(
      ([ip, ports]) => `<host${timedOut.includes(ip) ? ' timedout="true"' : ''}><status state="up"/>
<address addr="${ip}" addrtype="ipv4"/><ports>${ports
        .map(
          (port) =>
            `<port protocol="tcp" portid="${port}"><state state="open"/><service name="${port === 22 ? 'ssh' : 'http'}"/></port>`,
        )
        .join('')}</ports></host>`,
    )
    .join('\n');
  return `<?xml version="1.0"?><nmaprun scanner="nmap">${body}<runstats><finished exit="success"/></runstats></nmaprun>`;
}

interface Built {
  ctx: RunContext;
  sink: RecordingSink;
  lines: string[];
}

function build(options: {
  probes: EnrichmentProbes;
  preset?: Preset;
  tags?: ScanTag[];
  env?: Record<string, string>;
  runner?: ProcessRunner;
  signal?: AbortSignal;
  config?: Partial<EnrichmentConfig>;
}): Built {
  const sink = new RecordingSink();
  const lines: string[] = [];
  const preset = options.preset ?? 'normal';
  const tags = options.tags ?? [];
  const ctx: RunContext = {
    runId: '00000000-0000-4000-8000-000000000002',
    scope: '10.0.0.0/24',
    preset,
    tags,
    settings: effectiveSettings(configuredRunSettings(loadConfig(options.env ?? {}).discovery), preset, tags),
    runDelayMs: 0,
    arpTablePath: '/nonexistent',
    runner: options.runner ?? new NmapRunner(() => ''),
    signal: options.signal ?? new AbortController().signal,
    log: async (_level, message) => {
      lines.push(message);
    },
    progress: () => {},
    fold: async () => ({ deviceIds: [], devicesCreated: 0, ipMoves: [], targets: [] }),
    localSegments: () => [],
    enrichment: { config: { ...CONFIG, ...options.config }, probes: options.probes, sink },
  };
  return { ctx, sink, lines };
}

const TARGETS = [
  { deviceId: 'dev-a', ip: '10.0.0.1' },
  { deviceId: 'dev-b', ip: '10.0.0.2' },
  { deviceId: 'dev-a', ip: '10.0.0.9' }, // a second address of dev-a: skipped
  { deviceId: 'dev-c', ip: '10.0.0.3' },
];

describe('enrichment stage', () => {
  it('enriches each device once from its first address: names and SNMP side by side', async () => {
    const reads: string[] = [];
    const probes = new ScriptedProbes({
      names: { '10.0.0.2': [{ source: 'reverse_dns', name: 'printer-2.lab.test.' }] },
      browsedNames: { '10.0.0.2': [{ source: 'mdns', name: 'printer-2.local' }] },
      snmp: { '10.0.0.1': answering('10.0.0.1', {}, reads) },
    });
    const { ctx, sink } = build({ probes, env: { DISCOVERY_SNMP_ENABLED: 'true' } });
    const result = await enrich(ctx, TARGETS);

    expect(probes.resolved.sort()).toEqual(['10.0.0.1', '10.0.0.2', '10.0.0.3']);
    expect(probes.snmpAsked).toEqual([
      { address: '10.0.0.1', preferred: 'v3-core' },
      { address: '10.0.0.2', preferred: undefined },
      { address: '10.0.0.3', preferred: undefined },
    ]);
    // LLDP/CDP only when configured (normal preset, topology off by default).
    expect(reads).toEqual(['10.0.0.1 lldp=false cdp=false']);
    const printer = sink.names.find((entry) => entry.deviceId === 'dev-b');
    expect(printer?.candidates.map((c) => `${c.source}:${c.name}`)).toEqual([
      'reverse_dns:printer-2.lab.test',
      'mdns:printer-2.local',
    ]);
    const snmpNames = sink.names.find((entry) => entry.deviceId === 'dev-a');
    expect(snmpNames?.candidates.map((c) => `${c.source}:${c.name}`)).toEqual(['snmp:core-sw1']);
    expect(sink.snmp.map((entry) => entry.deviceId)).toEqual(['dev-a']);
    expect(sink.snmp[0]?.report.credential).toBe('v2c');
    expect(sink.failures.map((entry) => entry.deviceId).sort()).toEqual(['dev-b', 'dev-c']);
    expect(sink.reclassified).toEqual([expect.arrayContaining(['dev-a', 'dev-b', 'dev-c'])]);
    expect(result.stats).toMatchObject({
      targets: 3,
      snmp_ok: 1,
      snmp_failed: 2,
      names_written: 3,
      vlans_written: 3,
      links_written: 1,
      interfaces_written: 2,
      fdb_written: 4,
    });
    expect(result.stats.canceled).toBeUndefined();
    expect(probes.closed).toBe(1);
  });

  it('asks for LLDP and CDP only inside the topology allowlist, and SNMP only inside its allowlist', async () => {
    const reads: string[] = [];
    const probes = new ScriptedProbes({
      snmp: { '10.0.0.1': answering('10.0.0.1', {}, reads), '10.0.0.2': answering('10.0.0.2', {}, reads) },
    });
    const { ctx } = build({
      probes,
      tags: ['topology'],
      config: {
        topologyAllowlist: ['10.0.0.1/32'],
        snmp: { ...CONFIG.snmp, allowlist: ['10.0.0.0/31', '10.0.0.2/32'] },
      },
    });
    await enrich(ctx, TARGETS);
    expect(probes.snmpAsked.map((ask) => ask.address)).toEqual(['10.0.0.1', '10.0.0.2']);
    expect(reads.sort()).toEqual(['10.0.0.1 lldp=true cdp=true', '10.0.0.2 lldp=false cdp=false']);
  });

  it('logs each failing walk and still stores the walks that worked (G-17)', async () => {
    const probes = new ScriptedProbes({
      snmp: {
        '10.0.0.1': answering('10.0.0.1', {
          interfaces: { ok: false, error: 'timeout' },
          lldp: { ok: false, error: 'noSuchObject' },
        }),
      },
    });
    const { ctx, sink, lines } = build({ probes, tags: ['snmp'] });
    const result = await enrich(ctx, TARGETS.slice(0, 1));
    expect(lines).toEqual([
      'snmp 10.0.0.1: interfaces walk failed: timeout',
      'snmp 10.0.0.1: lldp walk failed: noSuchObject',
    ]);
    expect(sink.snmp[0]?.report.fdb).toEqual({ ok: true, value: [] });
    expect(result.stats).toMatchObject({ snmp_ok: 1, walk_failures: 2 });
  });

  it('does nothing, and reclassifies nobody, when neither names nor SNMP are on (G-31)', async () => {
    const probes = new ScriptedProbes({});
    const { ctx, sink } = build({ probes, preset: 'fast', env: { DISCOVERY_NAME_RESOLUTION_ENABLED: 'false' } });
    const result = await enrich(ctx, TARGETS);
    expect(result).toEqual({ stats: {}, processed: [] });
    expect(sink.reclassified).toEqual([]);
    expect(probes.resolved).toEqual([]);
  });

  it('stores services announced over DNS-SD for the devices of the run', async () => {
    const http: ServiceSighting = { protocol: 'tcp', port: 8080, name: 'http', source: 'mdns' };
    const probes = new ScriptedProbes({ browsedServices: { '10.0.0.3': [http], '10.9.9.9': [http] } });
    const { ctx, sink } = build({ probes });
    const result = await enrich(ctx, TARGETS);
    expect(sink.services).toEqual([{ deviceId: 'dev-c', scannedTcpPorts: [], open: [http] }]);
    expect(result.stats.mdns_services).toBe(1);
  });

  it('stops dispatching when the deadline fires and reports canceled, without throwing', async () => {
    const controller = new AbortController();
    const probes = new ScriptedProbes({
      snmp: {
        '10.0.0.1': async () => {
          controller.abort(new RunAbort('deadline', 'runtime budget exceeded'));
          return { ok: false, error: 'aborted' };
        },
      },
    });
    const { ctx, sink } = build({
      probes,
      tags: ['snmp'],
      signal: controller.signal,
      env: { DISCOVERY_ENRICH_WORKERS: '1' },
    });
    const result = await enrich(ctx, TARGETS);
    expect(result.stats.canceled).toBe(true);
    expect(result.stats.targets).toBe(3);
    expect(sink.reclassified).toEqual([['dev-a']]);
  });

  it('honours the enrichment max targets', async () => {
    const probes = new ScriptedProbes({});
    const { ctx } = build({ probes, env: { DISCOVERY_ENRICH_MAX_TARGETS: '2' } });
    const result = await enrich(ctx, TARGETS);
    expect(result.stats.targets).toBe(2);
    expect(probes.resolved.sort()).toEqual(['10.0.0.1', '10.0.0.2']);
  });
});

describe('port scan stage', () => {
  it('scans the first address of each allowlisted device, stores open ports and covers the scanned list', async () => {
    const runner = new NmapRunner((targets) => nmapXml(Object.fromEntries(targets.map((ip) => [ip, [22, 9100]]))));
    const { ctx, sink } = build({ probes: new ScriptedProbes({}), tags: ['ports'], runner });
    const result = await scanPorts(ctx, [...TARGETS, { deviceId: 'dev-out', ip: '192.168.7.1' }]);
    const scannedIps = runner.calls.flatMap((args) => args.filter((arg) => /^\d+\.\d+\.\d+\.\d+$/.test(arg)));
    expect(scannedIps.sort()).toEqual(['10.0.0.1', '10.0.0.2', '10.0.0.3']);
    for (const args of runner.calls) {
      expect(args).toEqual(expect.arrayContaining(['-oX', '-', '-Pn', '-sT', '-p', '22,80,9100']));
      expect(args[args.indexOf('--host-timeout') + 1]).toBe('3000ms'); // G-28: milliseconds, never `3s`
    }
    expect(sink.services.map((entry) => entry.deviceId).sort()).toEqual(['dev-a', 'dev-b', 'dev-c']);
    expect(sink.services[0]?.scannedTcpPorts).toEqual([22, 80, 9100]);
    expect(sink.services[0]?.open.map((service) => service.port)).toEqual([22, 9100]);
    expect(sink.reclassified).toEqual([expect.arrayContaining(['dev-a', 'dev-b', 'dev-c'])]);
    expect(result.stats).toEqual({
      enabled: true,
      available: true,
      targets: 3,
      attempted: 3,
      succeeded: 3,
      services_written: 6,
      ports: '22,80,9100',
      timeout: '3000ms',
    });
    expect(result.line).toBe('port scan: targets=3 attempted=3 succeeded=3 services=6');
  });

  it('changes nothing for a host nmap timed out on or a failed nmap', async () => {
    const timedOut = new NmapRunner(() => nmapXml({ '10.0.0.1': [] }, ['10.0.0.1']));
    const first = build({ probes: new ScriptedProbes({}), tags: ['ports'], runner: timedOut });
    const result = await scanPorts(first.ctx, TARGETS.slice(0, 1));
    expect(first.sink.services).toEqual([]);
    expect(result.stats).toMatchObject({ attempted: 1, succeeded: 0 });

    const failing = new NmapRunner(() => '', true, { exitCode: 1, stderr: 'Failed to resolve' });
    const second = build({ probes: new ScriptedProbes({}), tags: ['ports'], runner: failing });
    expect((await scanPorts(second.ctx, TARGETS.slice(0, 1))).line).toBe(
      'port scan: targets=1 attempted=1 succeeded=0 services=0',
    );
    expect(second.sink.services).toEqual([]);
  });

  it('prints zero counters when no device is in the allowlist (G-28)', async () => {
    const { ctx } = build({
      probes: new ScriptedProbes({}),
      tags: ['ports'],
      config: { portScan: { allowlist: ['172.16.0.0/12'], ports: [22] } },
    });
    const result = await scanPorts(ctx, TARGETS);
    expect(result.line).toBe('port scan: targets=0 attempted=0 succeeded=0 services=0');
    expect(result.stats).toMatchObject({ targets: 0, attempted: 0, succeeded: 0, services_written: 0 });
  });

  it('skips with a reason when there is no allowlist or no nmap', async () => {
    const noList = build({
      probes: new ScriptedProbes({}),
      tags: ['ports'],
      config: { portScan: { allowlist: [], ports: [22] } },
    });
    expect(await scanPorts(noList.ctx, TARGETS)).toEqual({
      stats: { enabled: true, available: false, reason: 'no_allowlist_or_ports' },
      line: 'port scan skipped: no allowlist or ports configured',
    });
    const noNmap = build({ probes: new ScriptedProbes({}), tags: ['ports'], runner: new NmapRunner(() => '', false) });
    expect((await scanPorts(noNmap.ctx, TARGETS)).line).toBe('port scan skipped: nmap not found in PATH');
  });

  it('stops at the port-scan max targets', async () => {
    const runner = new NmapRunner((targets) => nmapXml(Object.fromEntries(targets.map((ip) => [ip, [22]]))));
    const { ctx } = build({
      probes: new ScriptedProbes({}),
      tags: ['ports'],
      runner,
      env: { DISCOVERY_PORT_SCAN_MAX_TARGETS: '2' },
    });
    const result = await scanPorts(ctx, TARGETS);
    expect(result.stats).toMatchObject({ targets: 2, attempted: 2, succeeded: 2 });
  });
});
