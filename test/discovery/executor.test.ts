// The run executor (SPEC §5.4–§5.7, §5.13) driven directly: a scripted ProcessRunner stands in for
// fping/ping/ip, a temp file for /proc/net/arp, and plain functions for the log, progress and fold.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/config.ts';
import { configuredRunSettings } from '../../src/config/run-settings.ts';
import type { ProcessRequest, ProcessResult, ProcessRunner } from '../../src/discovery/exec/process-runner.ts';
import {
  DEFAULT_ARP_TABLE_PATH,
  executeRun,
  type FoldOutcome,
  RunAbort,
  type RunContext,
  type RunOutcome,
} from '../../src/discovery/run-executor.ts';
import type { LocalSegment } from '../../src/discovery/sweep.ts';
import type { Observation } from '../../src/domain/identity.ts';
import { effectiveSettings, type Preset, type ScanTag } from '../../src/domain/run-settings.ts';

type Script = (request: ProcessRequest) => Partial<ProcessResult> | Promise<Partial<ProcessResult>>;

interface Call {
  command: string;
  args: string[];
  input?: string;
  timeoutMs: number;
  signal?: AbortSignal;
}

/** A strict ProcessRunner double: only the scripted commands exist, every call is recorded. */
class ScriptedRunner implements ProcessRunner {
  readonly calls: Call[] = [];
  constructor(private readonly scripts: Record<string, Script>) {}

  which(command: string): string | undefined {
    return command in this.scripts ? `/usr/bin/${command}` : undefined;
  }

  async run(request: ProcessRequest): Promise<ProcessResult> {
    const name = basename(request.command);
    const script = this.scripts[name];
    if (!script || request.command !== `/usr/bin/${name}`) {
      throw new Error(`unexpected command ${request.command} ${request.args.join(' ')}`);
    }
    this.calls.push({
      command: name,
      args: [...request.args],
      timeoutMs: request.timeoutMs,
      ...(request.input !== undefined ? { input: request.input } : {}),
      ...(request.signal ? { signal: request.signal } : {}),
    });
    return {
      exitCode: 0,
      signal: null,
      stdout: '',
      stderr: '',
      timedOut: false,
      aborted: false,
      truncated: false,
      durationMs: 1,
      ...(await script(request)),
    };
  }

  commands(): string[] {
    return this.calls.map((call) => `${call.command} ${call.args.join(' ')}`);
  }
}

const isPreflight = (request: ProcessRequest) => request.args.at(-1) === '127.0.0.1';

/** fping with raw-socket permission: the preflight passes and the sweep reports `alive`. */
const fping =
  (alive: string[]): Script =>
  (request) =>
    isPreflight(request) ? { exitCode: 0 } : { exitCode: 1, stdout: alive.map((ip) => `${ip}\n`).join('') };

const workDir = mkdtempSync(join(tmpdir(), 'roller-executor-'));
afterAll(() => rmSync(workDir, { recursive: true, force: true }));

const ARP_HEADER = 'IP address       HW type     Flags       HW address            Mask     Device';
let arpFiles = 0;
/** A /proc/net/arp-format file: entries as [ip, flags, mac]. */
function arpTable(entries: [string, string, string][]): string {
  const path = join(workDir, `arp-${++arpFiles}`);
  const lines = entries.map(
    ([ip, flags, mac]) => `${ip.padEnd(17)}0x1         ${flags.padEnd(12)}${mac}     *        eth0`,
  );
  writeFileSync(path, `${[ARP_HEADER, ...lines].join('\n')}\n`);
  return path;
}

const MAC_1 = '02:00:00:00:00:01';
const MAC_2 = '02:00:00:00:00:02';
const MAC_3 = '02:00:00:00:00:03';
const MAC_OUT = '02:00:00:00:00:99';

interface Harness {
  ctx: RunContext;
  logs: { level: string; message: string }[];
  progress: { stage: string; done: number; total: number }[];
  folds: Observation[][];
  messages(): string[];
}

interface HarnessOptions {
  runner: ProcessRunner;
  scope?: string | null;
  preset?: Preset;
  tags?: ScanTag[];
  arpTablePath?: string;
  runDelayMs?: number;
  signal?: AbortSignal;
  fold?: (observations: Observation[]) => Promise<FoldOutcome>;
  /** This host's networks as the engine should see them (default: none, so every target is routed). */
  segments?: LocalSegment[];
}

/** Every observation becomes its own new device, named after its IP. */
const foldAllNew = async (observations: Observation[]): Promise<FoldOutcome> => ({
  deviceIds: observations.map((observation) => `dev-${observation.ip}`),
  devicesCreated: observations.length,
  ipMoves: [],
  targets: observations.map((observation) => ({ deviceId: `dev-${observation.ip}`, ip: observation.ip })),
});

function harness(options: HarnessOptions): Harness {
  const preset = options.preset ?? 'normal';
  const tags = options.tags ?? [];
  const logs: Harness['logs'] = [];
  const progress: Harness['progress'] = [];
  const folds: Observation[][] = [];
  const fold = options.fold ?? foldAllNew;
  const ctx: RunContext = {
    runId: '00000000-0000-4000-8000-000000000001',
    scope: options.scope === undefined ? '10.0.0.0/30' : options.scope,
    preset,
    tags,
    settings: effectiveSettings(configuredRunSettings(loadConfig({}).discovery), preset, tags),
    runDelayMs: options.runDelayMs ?? 0,
    arpTablePath: options.arpTablePath ?? join(workDir, 'no-such-arp-table'),
    runner: options.runner,
    signal: options.signal ?? new AbortController().signal,
    log: async (level, message) => {
      logs.push({ level, message });
    },
    progress: (stage, done, total) => {
      progress.push({ stage, done, total });
    },
    fold: async (observations) => {
      folds.push(observations);
      return fold(observations);
    },
    localSegments: () => options.segments ?? [],
  };
  return { ctx, logs, progress, folds, messages: () => logs.map((line) => line.message) };
}

/** Asserts that `expected` appear in `actual` in this order (other lines may sit between them). */
function expectInOrder(actual: string[], expected: string[]): void {
  let from = 0;
  for (const line of expected) {
    const index = actual.indexOf(line, from);
    expect(index, `"${line}" after position ${from} in:\n${actual.join('\n')}`).toBeGreaterThanOrEqual(0);
    from = index + 1;
  }
}

const SUCCESS_STATS_KEYS = [
  // SPEC §5.13 (enrichment and port_scan only when those stages ran)
  'stage',
  'preset',
  'method',
  'scope',
  'scope_targets',
  'max_targets',
  'runtime_budget_ms',
  'ping_available',
  'ping_attempted',
  'ping_succeeded',
  'arp_entries',
  'devices_seen',
  'devices_created',
  // additions of this engine
  'liveness_method',
  'stage_ms',
];
const FAILURE_STATS_KEYS = ['stage', 'scope', 'max_targets', 'runtime_budget_ms', 'ping_timeout_ms', 'ping_workers'];

describe('executeRun: a successful run', () => {
  it('writes the SPEC log lines in order and folds the in-scope hosts the sweep and ARP table found', async () => {
    const arpTablePath = arpTable([
      ['10.0.0.1', '0x2', MAC_1],
      ['10.0.0.2', '0x2', MAC_2.toUpperCase()],
      ['10.0.0.3', '0x0', '00:00:00:00:00:00'], // incomplete: no MAC for this host
      ['192.168.1.1', '0x2', MAC_OUT], // outside the scope
    ]);
    const runner = new ScriptedRunner({
      fping: fping(['10.0.0.1', '10.0.0.2', '10.0.0.3']),
      ip: () => {
        throw new Error('ip neigh must not be used with a non-default ARP table path');
      },
    });
    const h = harness({ runner, arpTablePath, tags: ['names', 'snmp'] });
    const outcome = await executeRun(h.ctx);

    expect(outcome.status).toBe('succeeded');
    expect(outcome.lastError).toBeNull();
    expect(h.logs).toEqual([
      { level: 'info', message: 'discovery run started' },
      { level: 'info', message: 'scan preset: normal' },
      { level: 'info', message: 'scan tags: names, snmp' },
      { level: 'info', message: 'scope targets: 4 (max=1024)' },
      { level: 'info', message: 'liveness: fping (raw ICMP, one process) for 2 targets' },
      { level: 'info', message: 'ping sweep: attempted=2 succeeded=2' },
      { level: 'info', message: `arp source: ${arpTablePath}` },
      { level: 'info', message: 'arp scrape: entries=2 devices_seen=2 devices_created=2' },
      { level: 'info', message: 'discovery run completed' },
    ]);
    // The network and broadcast addresses of the /30 are not probed (G-25); fping's stray .3 is ignored.
    // Each observation names the probes that saw it (presence, issue 11): a plain ARP file has no state,
    // so its entries count as ARP answers.
    expect(h.folds).toEqual([
      [
        { ip: '10.0.0.1', mac: MAC_1, probes: ['arp', 'icmp'] },
        { ip: '10.0.0.2', mac: MAC_2, probes: ['arp', 'icmp'] },
      ],
    ]);
    expect(runner.commands()).toEqual(['fping -c 1 -q -t 800 127.0.0.1', 'fping -a -q -r 1 -t 800 -i 1 -B 1']);
    expect(runner.calls[1]?.input).toBe('10.0.0.1\n10.0.0.2\n');
    expect(runner.calls.every((call) => call.signal === h.ctx.signal)).toBe(true);
  });

  it('merges the SPEC §5.13 summary (plus liveness_method and stage_ms) into stats', async () => {
    const arpTablePath = arpTable([
      ['10.0.0.1', '0x2', MAC_1],
      ['10.0.0.2', '0x2', MAC_2],
    ]);
    const h = harness({ runner: new ScriptedRunner({ fping: fping(['10.0.0.1']) }), arpTablePath, tags: ['ports'] });
    const { stats } = await executeRun(h.ctx);
    expect(Object.keys(stats)).toEqual(expect.arrayContaining([...SUCCESS_STATS_KEYS, 'tags']));
    expect(stats).toMatchObject({
      stage: 'completed',
      preset: 'normal',
      tags: ['ports'],
      method: 'arp+icmp',
      liveness_method: 'fping',
      scope: '10.0.0.0/30',
      scope_targets: 4,
      max_targets: 1024,
      runtime_budget_ms: 30_000,
      ping_available: true,
      ping_attempted: 2,
      ping_succeeded: 1,
      arp_entries: 2,
      devices_seen: 2,
      devices_created: 2,
    });
    expect(stats.stage_ms).toEqual({ sweep: expect.any(Number), fold: expect.any(Number) });
    expect(stats.duration_ms).toEqual(expect.any(Number));
    expect(stats).not.toHaveProperty('ping_timeout_ms');
  });

  it('reports progress per stage, ending with completed', async () => {
    const h = harness({ runner: new ScriptedRunner({ fping: fping(['10.0.0.1']) }), arpTablePath: arpTable([]) });
    await executeRun(h.ctx);
    expect(h.progress[0]).toEqual({ stage: 'sweep', done: 0, total: 2 });
    expect(h.progress).toContainEqual({ stage: 'sweep', done: 2, total: 2 });
    expect(h.progress).toContainEqual({ stage: 'fold', done: 1, total: 1 });
    expect(h.progress.at(-1)).toEqual({ stage: 'completed', done: 1, total: 1 });
    expect(h.progress.map((entry) => entry.stage).filter((stage, i, all) => stage !== all[i - 1])).toEqual([
      'sweep',
      'fold',
      'completed',
    ]);
  });

  it('without a scope skips counting and the sweep and folds the whole ARP table', async () => {
    const arpTablePath = arpTable([
      ['10.0.0.1', '0x2', MAC_1],
      ['192.168.1.1', '0x2', MAC_OUT],
      ['10.0.0.9', '0x0', MAC_3],
    ]);
    const runner = new ScriptedRunner({});
    const h = harness({ runner, scope: null, arpTablePath });
    const outcome = await executeRun(h.ctx);
    expect(outcome.status).toBe('succeeded');
    expect(runner.calls).toEqual([]);
    expect(h.messages()).toEqual([
      'discovery run started',
      'scan preset: normal',
      `arp source: ${arpTablePath}`,
      'arp scrape: entries=2 devices_seen=2 devices_created=2',
      'discovery run completed',
    ]);
    expect(h.folds).toEqual([
      [
        { ip: '10.0.0.1', mac: MAC_1, probes: ['arp'] },
        { ip: '192.168.1.1', mac: MAC_OUT, probes: ['arp'] },
      ],
    ]);
    expect(outcome.stats).toMatchObject({
      scope: null,
      scope_targets: 0,
      method: 'arp',
      ping_available: false,
      ping_attempted: 0,
      ping_succeeded: 0,
    });
  });

  it('treats a missing ARP table as empty', async () => {
    const h = harness({ runner: new ScriptedRunner({ fping: fping([]) }) });
    const outcome = await executeRun(h.ctx);
    expect(outcome.status).toBe('succeeded');
    expect(h.messages()).toContain(`arp source: ${h.ctx.arpTablePath} (missing)`);
    expect(h.messages()).toContain('arp scrape: entries=0 devices_seen=0 devices_created=0');
    expect(h.folds).toEqual([]);
  });

  it('reads the kernel table through `ip -j neigh` at the default path: stale entries count only if alive', async () => {
    const neighbours = [
      { dst: '10.0.0.1', dev: 'eth0', lladdr: MAC_1, state: ['STALE'] }, // answered this run
      { dst: '10.0.0.2', dev: 'eth0', lladdr: MAC_2, state: ['STALE'] }, // silent: an old entry
      { dst: '10.0.0.3', dev: 'eth0', lladdr: MAC_3, state: ['REACHABLE'] },
      { dst: '10.0.0.0', dev: 'eth0', state: ['FAILED'] },
      { dst: '10.9.9.9', dev: 'eth0', lladdr: MAC_OUT, state: ['REACHABLE'] }, // outside the scope
    ];
    const runner = new ScriptedRunner({
      fping: fping(['10.0.0.1']),
      ip: () => ({ stdout: JSON.stringify(neighbours) }),
    });
    const h = harness({ runner, arpTablePath: DEFAULT_ARP_TABLE_PATH });
    await executeRun(h.ctx);
    expect(runner.commands()).toContain('ip -s -j -4 neigh show');
    // 10.0.0.1 answered ping and its entry was not confirmed this run: ICMP alone saw it.
    expect(h.folds).toEqual([
      [
        { ip: '10.0.0.1', mac: MAC_1, probes: ['icmp'] },
        { ip: '10.0.0.3', mac: MAC_3, probes: ['arp'] },
      ],
    ]);
    expect(h.messages()).toContain('arp source: kernel neighbour table');
  });

  it('folds in batches of 2000 and counts distinct devices, not entries', async () => {
    const entries: [string, string, string][] = Array.from({ length: 2500 }, (_, i) => [
      `10.1.${i >> 8}.${i & 255}`,
      '0x2',
      `02:00:00:01:${((i >> 8) & 255).toString(16).padStart(2, '0')}:${(i & 255).toString(16).padStart(2, '0')}`,
    ]);
    const h = harness({
      runner: new ScriptedRunner({}),
      scope: null,
      arpTablePath: arpTable(entries.reverse()),
      fold: async (observations) => ({
        deviceIds: [...new Set(observations.map((o) => `dev-${Number(o.ip.split('.')[3]) % 100}`))],
        devicesCreated: 7,
        ipMoves: [],
        targets: [],
      }),
    });
    const outcome = await executeRun(h.ctx);
    expect(h.folds.map((batch) => batch.length)).toEqual([2000, 500]);
    expect(h.folds[0]?.slice(0, 3).map((o) => o.ip)).toEqual(['10.1.0.0', '10.1.0.1', '10.1.0.2']);
    expect(h.folds[1]?.at(-1)?.ip).toBe('10.1.9.195');
    expect(outcome.stats).toMatchObject({ arp_entries: 2500, devices_seen: 100, devices_created: 14 });
    expect(h.progress).toContainEqual({ stage: 'fold', done: 2000, total: 2500 });
    expect(h.messages()).toContain('arp scrape: entries=2500 devices_seen=100 devices_created=14');
  });

  it('logs each IP that moved to a new MAC before the scrape summary', async () => {
    const h = harness({
      runner: new ScriptedRunner({ fping: fping(['10.0.0.2']) }),
      arpTablePath: arpTable([['10.0.0.2', '0x2', MAC_2]]),
      fold: async () => ({
        deviceIds: ['dev-new'],
        devicesCreated: 1,
        ipMoves: [{ ip: '10.0.0.2', fromDeviceId: 'dev-old', toDeviceId: 'dev-new' }],
        targets: [{ deviceId: 'dev-new', ip: '10.0.0.2' }],
      }),
    });
    const outcome = await executeRun(h.ctx);
    expectInOrder(h.messages(), [
      'ip 10.0.0.2 moved from device dev-old to device dev-new (new MAC)',
      'arp scrape: entries=1 devices_seen=1 devices_created=1',
      'discovery run completed',
    ]);
    expect(outcome.stats.ip_moves).toBe(1);
  });
});

describe('executeRun: choosing how to test liveness', () => {
  it('falls back to a ping pool when fping may not open a raw socket', async () => {
    const runner = new ScriptedRunner({
      fping: (request) =>
        isPreflight(request)
          ? { exitCode: 4, stderr: "fping: can't create socket (must run as root?)\n" }
          : { exitCode: 99 },
      ping: (request) =>
        isPreflight(request) || request.args.at(-1) === '10.0.0.1' ? { exitCode: 0 } : { exitCode: 1 },
    });
    const h = harness({ runner, arpTablePath: arpTable([]) });
    const outcome = await executeRun(h.ctx);
    expect(outcome.status).toBe('succeeded');
    expect(h.logs).toContainEqual({
      level: 'warn',
      message: "fping cannot send raw ICMP here (fping: can't create socket (must run as root?))",
    });
    expectInOrder(h.messages(), [
      'scope targets: 4 (max=1024)',
      'liveness: ping pool of 16 for 2 targets',
      'ping sweep: attempted=2 succeeded=1',
      'arp scrape: entries=0 devices_seen=1 devices_created=1',
    ]);
    expect(runner.commands().slice(0, 2)).toEqual(['fping -c 1 -q -t 800 127.0.0.1', 'ping -c 1 -W 1 127.0.0.1']);
    expect(runner.commands().slice(2).sort()).toEqual(['ping -c 1 -n -W 0.8 10.0.0.1', 'ping -c 1 -n -W 0.8 10.0.0.2']);
    expect(h.folds).toEqual([[{ ip: '10.0.0.1', probes: ['icmp'] }]]);
    expect(outcome.stats).toMatchObject({ liveness_method: 'ping', method: 'arp+icmp', ping_succeeded: 1 });
  });

  it.each([
    [
      'ping: socket: Operation not permitted\n',
      'ping not permitted (missing CAP_NET_RAW?): ping: socket: Operation not permitted',
    ],
    [
      'ping: icmp open socket: Permission denied\n',
      'ping not permitted (missing CAP_NET_RAW?): ping: icmp open socket: Permission denied',
    ],
    ['connect: Network is unreachable\n', 'ping failed: connect: Network is unreachable'],
  ])('falls back to TCP connects when the ping preflight says %j', async (stderr, note) => {
    const runner = new ScriptedRunner({ ping: (request) => (isPreflight(request) ? { exitCode: 2, stderr } : {}) });
    // 127.0.0.1 answers a TCP connect on some common port, or refuses it: alive either way.
    const h = harness({ runner, scope: '127.0.0.1', arpTablePath: arpTable([]) });
    const outcome = await executeRun(h.ctx);
    expect(outcome.status).toBe('succeeded');
    expect(h.logs).toContainEqual({ level: 'warn', message: note });
    expectInOrder(h.messages(), [
      'scope targets: 1 (max=1024)',
      note,
      'liveness: TCP connect to common ports (ICMP not usable here) for 1 target',
      'tcp sweep: attempted=1 alive=1',
      'arp scrape: entries=0 devices_seen=1 devices_created=1',
      'discovery run completed',
    ]);
    expect(h.messages().some((message) => message.startsWith('ping sweep:'))).toBe(false);
    expect(runner.commands()).toEqual(['ping -c 1 -W 1 127.0.0.1']);
    expect(h.folds).toEqual([[{ ip: '127.0.0.1', probes: ['tcp'] }]]);
    expect(outcome.stats).toMatchObject({
      liveness_method: 'tcp',
      method: 'arp+tcp',
      ping_available: true,
      ping_attempted: 0,
      ping_succeeded: 0,
      tcp_alive: 1,
    });
  });

  it('says `ping not found in PATH` and uses TCP when there is no ping at all', async () => {
    const h = harness({ runner: new ScriptedRunner({}), scope: '127.0.0.1', arpTablePath: arpTable([]) });
    const outcome = await executeRun(h.ctx);
    expect(h.logs).toContainEqual({ level: 'warn', message: 'ping not found in PATH' });
    expect(outcome.stats).toMatchObject({ liveness_method: 'tcp', ping_available: false, tcp_alive: 1 });
  });

  it('fails the run when the fping sweep itself breaks', async () => {
    const runner = new ScriptedRunner({
      fping: (request) =>
        isPreflight(request) ? { exitCode: 0 } : { exitCode: 3, stderr: 'fping: invalid option -- B' },
    });
    const h = harness({ runner, arpTablePath: arpTable([]) });
    const outcome = await executeRun(h.ctx);
    expect(outcome).toMatchObject({
      status: 'failed',
      lastError: 'ping failed: fping exited 3: fping: invalid option -- B',
    });
    expect(h.logs.slice(-2)).toEqual([
      { level: 'error', message: 'liveness sweep failed: fping exited 3: fping: invalid option -- B' },
      { level: 'error', message: 'discovery run failed: ping failed: fping exited 3: fping: invalid option -- B' },
    ]);
    expect(h.folds).toEqual([]);
  });
});

describe('executeRun: failures', () => {
  it.each([
    ['10.0.0.0/21', 'normal', 'scope too large (2048 targets); max targets is 1024'],
    ['10.0.0.0/23', 'fast', 'scope too large (512 targets); max targets is 256'],
    ['128.0.0.0/1', 'deep', 'scope too large (/1); max targets is 4096'],
    ['2001:db8::/64', 'normal', 'ipv6 scope must be a single IP (/128) for now'],
  ] as const)('fails %s (%s) with the SPEC text and runs nothing', async (scope, preset, reason) => {
    const runner = new ScriptedRunner({});
    const h = harness({ runner, scope, preset, tags: ['snmp'] });
    const outcome: RunOutcome = await executeRun(h.ctx);
    expect(outcome.status).toBe('failed');
    expect(outcome.lastError).toBe(reason);
    expect(h.logs).toEqual([
      { level: 'info', message: 'discovery run started' },
      { level: 'info', message: `scan preset: ${preset}` },
      { level: 'info', message: 'scan tags: snmp' },
      { level: 'error', message: reason },
      { level: 'error', message: `discovery run failed: ${reason}` },
    ]);
    expect(runner.calls).toEqual([]);
    expect(h.folds).toEqual([]);
    expect(Object.keys(outcome.stats)).toEqual(expect.arrayContaining([...FAILURE_STATS_KEYS, 'tags']));
    expect(outcome.stats).toMatchObject({
      stage: 'failed',
      scope,
      tags: ['snmp'],
      max_targets: h.ctx.settings.maxTargets,
      runtime_budget_ms: h.ctx.settings.runtimeBudgetMs,
      ping_timeout_ms: h.ctx.settings.pingTimeoutMs,
      ping_workers: h.ctx.settings.pingWorkers,
    });
    expect(outcome.stats).not.toHaveProperty('devices_seen');
  });

  it('fails a scope that bypassed API validation as `invalid discovery scope`', async () => {
    const h = harness({ runner: new ScriptedRunner({}), scope: 'not-a-scope' });
    const outcome = await executeRun(h.ctx);
    expect(outcome).toMatchObject({ status: 'failed', lastError: 'invalid discovery scope' });
    expect(h.logs.slice(-2)).toEqual([
      {
        level: 'error',
        message:
          'invalid discovery scope: scope must be a CIDR prefix (e.g. 10.0.0.0/24) or a single IP (e.g. 10.0.0.5); "not-a-scope" is neither',
      },
      { level: 'error', message: 'discovery run failed: invalid discovery scope' },
    ]);
  });

  it('fails with the read error when the ARP table is unreadable (not merely missing)', async () => {
    const directory = join(workDir, 'arp-is-a-directory');
    mkdirSync(directory);
    const h = harness({ runner: new ScriptedRunner({ fping: fping([]) }), arpTablePath: directory });
    const outcome = await executeRun(h.ctx);
    expect(outcome.status).toBe('failed');
    expect(outcome.lastError).toMatch(/^EISDIR/);
    expect(h.logs.at(-1)).toEqual({ level: 'error', message: `discovery run failed: ${outcome.lastError}` });
    expect(outcome.stats.stage).toBe('failed');
  });

  it('fails with the database error text when folding fails, keeping the failure stats', async () => {
    const h = harness({
      runner: new ScriptedRunner({ fping: fping(['10.0.0.1']) }),
      arpTablePath: arpTable([['10.0.0.1', '0x2', MAC_1]]),
      fold: async () => {
        throw new Error('connection terminated unexpectedly');
      },
    });
    const outcome = await executeRun(h.ctx);
    expect(outcome).toMatchObject({ status: 'failed', lastError: 'connection terminated unexpectedly' });
    expect(h.logs.at(-1)).toEqual({
      level: 'error',
      message: 'discovery run failed: connection terminated unexpectedly',
    });
    expect(Object.keys(outcome.stats)).toEqual(expect.arrayContaining(FAILURE_STATS_KEYS));
  });
});

describe('executeRun: cancel and deadline', () => {
  /** fping whose sweep hangs until the run's signal fires, which `abort` does once the sweep started. */
  function hangingSweep(abort: () => void): Script {
    return (request) => {
      if (isPreflight(request)) return { exitCode: 0 };
      return new Promise((resolve) => {
        request.signal?.addEventListener('abort', () => resolve({ exitCode: null, signal: 'SIGKILL', aborted: true }));
        setTimeout(abort, 20);
      });
    };
  }

  it('ends canceled with the reason logged when the signal fires with RunAbort(canceled)', async () => {
    const controller = new AbortController();
    const runner = new ScriptedRunner({
      fping: hangingSweep(() => controller.abort(new RunAbort('canceled', 'requested by operator'))),
    });
    const h = harness({ runner, signal: controller.signal, arpTablePath: arpTable([['10.0.0.1', '0x2', MAC_1]]) });
    const outcome = await executeRun(h.ctx);
    expect(outcome.status).toBe('canceled');
    expect(outcome.lastError).toBe('requested by operator');
    expect(h.logs.at(-1)).toEqual({ level: 'info', message: 'discovery run canceled: requested by operator' });
    expect(h.messages()).not.toContain('discovery run completed');
    expect(h.folds).toEqual([]);
    expect(runner.calls[1]?.signal).toBe(controller.signal); // the sweep's process was tied to the run
    expect(outcome.stats).toMatchObject({ stage: 'canceled', ping_timeout_ms: 800, ping_workers: 16 });
  });

  it('ends failed with the deadline reason when the signal fires with RunAbort(deadline)', async () => {
    const controller = new AbortController();
    const runner = new ScriptedRunner({
      fping: hangingSweep(() => controller.abort(new RunAbort('deadline', 'runtime budget of 30000 ms exceeded'))),
    });
    const h = harness({ runner, signal: controller.signal, arpTablePath: arpTable([]) });
    const outcome = await executeRun(h.ctx);
    expect(outcome.status).toBe('failed');
    expect(outcome.lastError).toBe('runtime budget of 30000 ms exceeded');
    expect(h.logs.at(-1)).toEqual({
      level: 'error',
      message: 'discovery run failed: runtime budget of 30000 ms exceeded',
    });
    expect(Object.keys(outcome.stats)).toEqual(expect.arrayContaining(FAILURE_STATS_KEYS));
    expect(outcome.stats.stage).toBe('failed');
  });

  it('stops waiting out the run delay as soon as the run is canceled', async () => {
    const controller = new AbortController();
    const runner = new ScriptedRunner({ fping: fping([]) });
    const h = harness({ runner, signal: controller.signal, runDelayMs: 60_000 });
    setTimeout(() => controller.abort(new RunAbort('canceled', 'worker shutting down')), 20);
    const started = performance.now();
    const outcome = await executeRun(h.ctx);
    expect(performance.now() - started).toBeLessThan(2000);
    expect(outcome).toMatchObject({ status: 'canceled', lastError: 'worker shutting down' });
    expect(runner.calls).toEqual([]);
    expect(h.messages()).toEqual([
      'discovery run started',
      'scan preset: normal',
      'discovery run canceled: worker shutting down',
    ]);
  });

  it('does not start when the signal fired before the run began', async () => {
    const controller = new AbortController();
    controller.abort(new RunAbort('canceled', 'requested by operator'));
    const runner = new ScriptedRunner({ fping: fping([]) });
    const h = harness({ runner, signal: controller.signal });
    const outcome = await executeRun(h.ctx);
    expect(outcome.status).toBe('canceled');
    expect(runner.calls).toEqual([]);
  });
});

describe('executeRun: hosts on a local segment', () => {
  // The scanner sits on 10.0.0.0/29 as 10.0.0.2 (its own MAC 02:00:00:00:00:aa); 10.0.1.0/30 is routed.
  const segment: LocalSegment = {
    iface: 'eth0',
    address: '10.0.0.2',
    mac: '02:00:00:00:00:aa',
    network: 0x0a000000n,
    bits: 29,
  };

  it('tests on-link targets with arp-scan alone, routed ones with fping at the same time, and records itself', async () => {
    const runner = new ScriptedRunner({
      fping: fping(['10.0.1.1']),
      'arp-scan': () => ({ stdout: `10.0.0.1\t${MAC_1}\n10.0.0.5\t${MAC_3}\n` }),
    });
    const h = harness({ runner, scope: '10.0.0.0/29,10.0.1.0/30', segments: [segment] });
    const outcome = await executeRun(h.ctx);
    expect(outcome.status).toBe('succeeded');
    const arpCall = runner.calls.find((call) => call.command === 'arp-scan');
    expect(arpCall?.args).toContain('--interface=eth0');
    // The scanner's own address is never probed; network and broadcast addresses neither.
    expect(arpCall?.input).toBe('10.0.0.1\n10.0.0.3\n10.0.0.4\n10.0.0.5\n10.0.0.6\n');
    const fpingSweep = runner.calls.find((call) => call.command === 'fping' && call.input !== undefined);
    expect(fpingSweep?.input).toBe('10.0.1.1\n10.0.1.2\n');
    expect(h.folds).toEqual([
      [
        { ip: '10.0.0.1', mac: MAC_1, probes: ['arp'] },
        { ip: '10.0.0.2', mac: '02:00:00:00:00:aa', probes: ['self'] },
        { ip: '10.0.0.5', mac: MAC_3, probes: ['arp'] },
        { ip: '10.0.1.1', probes: ['icmp'] },
      ],
    ]);
    expectInOrder(h.messages(), [
      'arp sweep: attempted=5 answered=2',
      'ping sweep: attempted=2 succeeded=1',
      'arp source: arp-scan on eth0',
    ]);
    expect(outcome.stats).toMatchObject({
      arp_attempted: 5,
      arp_answered: 2,
      ping_attempted: 2,
      liveness_method: 'fping',
    });
  });

  it('falls back to fping and fresh neighbour entries on the segment when arp-scan cannot run', async () => {
    const neighbours = [
      { dst: '10.0.0.1', dev: 'eth0', lladdr: MAC_1, confirmed: 0, state: ['REACHABLE'] }, // confirmed now
      { dst: '10.0.0.3', dev: 'eth0', lladdr: MAC_2, confirmed: 600, state: ['REACHABLE'] }, // left 10 min ago
      { dst: '10.0.0.4', dev: 'eth0', lladdr: MAC_3, confirmed: 0, state: ['REACHABLE'] }, // drops ICMP
    ];
    const runner = new ScriptedRunner({
      fping: fping(['10.0.0.1']),
      'arp-scan': () => ({ exitCode: 1, stderr: 'arp-scan: pcap_activate: You don\u2019t have permission\n' }),
      ip: () => ({ stdout: JSON.stringify(neighbours) }),
    });
    const h = harness({ runner, scope: '10.0.0.0/29', segments: [segment], arpTablePath: DEFAULT_ARP_TABLE_PATH });
    const outcome = await executeRun(h.ctx);
    expect(outcome.status).toBe('succeeded');
    // 10.0.0.4 drops ICMP: the kernel's ARP resolution during the run is what saw it.
    expect(h.folds).toEqual([
      [
        { ip: '10.0.0.1', mac: MAC_1, probes: ['arp', 'icmp'] },
        { ip: '10.0.0.2', mac: '02:00:00:00:00:aa', probes: ['self'] },
        { ip: '10.0.0.4', mac: MAC_3, probes: ['arp'] },
      ],
    ]);
    expect(h.messages().find((message) => message.startsWith('arp source:'))).toMatch(
      /^arp source: kernel neighbour table \(arp-scan skipped: arp-scan not usable \(eth0: arp-scan: pcap_activate/,
    );
    expect(outcome.stats).toMatchObject({ arp_attempted: 0, ping_attempted: 5, ping_succeeded: 1 });
  });
});
