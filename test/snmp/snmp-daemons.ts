import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { createSocket } from 'node:dgram';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { compareOids } from '../../src/discovery/snmp/oid.ts';
import type { SnmpCredential } from '../../src/discovery/snmp/snmp.types.ts';
import { openSnmpSession } from '../../src/discovery/snmp/snmp-session.ts';
import { sleep, withTimeout } from '../support/timing.ts';

/**
 * Real SNMP agents for the session tests: Debian's net-snmp snmpd (v1, v2c and a v3 user) and
 * snmpsimd serving a recording. Both listen on 127.0.77.x only, run in their own process group,
 * and are killed by stop() (or, failing that, when this process exits).
 */

export const SNMPD = '/usr/sbin/snmpd';
const READY_LIMIT_MS = 15_000;
const STOP_LIMIT_MS = 5_000;

export const V3_USER = { user: 'rollerv3', authKey: 'roller-auth-pass', privKey: 'roller-priv-pass' } as const;

/** Why the real-daemon tests cannot run here, or null. */
export function prerequisitesMissing(): string | null {
  if (process.getuid?.() !== 0) return 'needs root (snmpsimd must drop privileges to nobody)';
  if (!existsSync(SNMPD)) return `${SNMPD} not installed (apt-get install -y snmpd)`;
  if (spawnSync('snmpsimd', ['--version'], { stdio: 'ignore' }).error)
    return 'snmpsimd not installed (apt-get install -y snmpsim)';
  for (const [what, name] of [
    ['user', 'nobody'],
    ['group', 'nogroup'],
  ] as const) {
    if (spawnSync('getent', [what === 'user' ? 'passwd' : 'group', name], { stdio: 'ignore' }).status !== 0) {
      return `${what} ${name} missing (snmpsimd runs as nobody:nogroup)`;
    }
  }
  return null;
}

/** A UDP port on `address` that was free a moment ago. */
export function freeUdpPort(address: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const socket = createSocket('udp4');
    socket.once('error', reject);
    socket.bind(0, address, () => {
      const { port } = socket.address();
      socket.close(() => resolve(port));
    });
  });
}

export class Daemon {
  readonly output: string[] = [];
  readonly exited: Promise<void>;
  private readonly child: ChildProcess;
  private running = true;

  constructor(
    readonly name: string,
    command: string,
    args: readonly string[],
    env: NodeJS.ProcessEnv,
    private readonly workDir: string,
  ) {
    // Its own process group, so stop() can take down anything it forks.
    this.child = spawn(command, args, { env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
    this.child.stdout?.setEncoding('utf8').on('data', (chunk: string) => this.output.push(chunk));
    this.child.stderr?.setEncoding('utf8').on('data', (chunk: string) => this.output.push(chunk));
    this.exited = new Promise((resolve) => {
      this.child.once('close', () => {
        this.running = false;
        resolve();
      });
      this.child.once('error', (error) => {
        this.output.push(`spawn error: ${error.message}`);
        this.running = false;
        resolve();
      });
    });
    live.add(this);
  }

  get alive(): boolean {
    return this.running;
  }

  describe(): string {
    return `${this.name} (${this.running ? `pid ${this.child.pid}` : 'exited'}):\n${this.output.join('').slice(-4000)}`;
  }

  /** SIGTERM to the group, SIGKILL if it lingers; bounded either way. Removes the work directory. */
  async stop(): Promise<void> {
    if (this.running && this.child.pid !== undefined) {
      signalGroup(this.child.pid, 'SIGTERM');
      if (
        (await withTimeout(
          this.exited.then(() => true),
          STOP_LIMIT_MS,
        )) === undefined
      ) {
        signalGroup(this.child.pid, 'SIGKILL');
        await withTimeout(this.exited, STOP_LIMIT_MS);
      }
    }
    live.delete(this);
    rmSync(this.workDir, { recursive: true, force: true });
  }

  killNow(): void {
    if (this.running && this.child.pid !== undefined) signalGroup(this.child.pid, 'SIGKILL');
  }
}

function signalGroup(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pid, signal);
  } catch {
    // Already gone.
  }
}

const live = new Set<Daemon>();
process.once('exit', () => {
  for (const daemon of live) daemon.killNow();
});

/** Polls (bounded) with a system-group GET until the agent answers with `credential`. */
export async function waitUntilAnswering(
  daemon: Daemon,
  address: string,
  port: number,
  credential: SnmpCredential,
): Promise<void> {
  const deadline = performance.now() + READY_LIMIT_MS;
  while (performance.now() < deadline) {
    if (!daemon.alive) throw new Error(`${daemon.name} exited before answering\n${daemon.describe()}`);
    const session = openSnmpSession(address, credential, { port, timeoutMs: 250, retries: 0 });
    try {
      await session.get(['1.3.6.1.2.1.1.1.0']);
      return;
    } catch {
      await sleep(150);
    } finally {
      session.close();
    }
  }
  throw new Error(`${daemon.name} did not answer within ${READY_LIMIT_MS} ms\n${daemon.describe()}`);
}

/** net-snmp's snmpd with community `public` (v1/v2c) and a SHA/AES authPriv v3 user. */
export async function startSnmpd(address: string, port: number): Promise<Daemon> {
  const workDir = mkdtempSync(join(tmpdir(), 'roller-snmpd-'));
  const persist = join(workDir, 'persist');
  mkdirSync(persist);
  const config = join(workDir, 'snmpd.conf');
  writeFileSync(
    config,
    [
      `[snmp] persistentDir ${persist}`,
      `agentAddress udp:${address}:${port}`,
      'rocommunity public 127.0.0.0/8',
      `createUser ${V3_USER.user} SHA "${V3_USER.authKey}" AES "${V3_USER.privKey}"`,
      `rouser ${V3_USER.user} priv`,
      'sysName roller-snmpd',
      'sysLocation roller test lab',
      'sysContact roller@example.invalid',
      '',
    ].join('\n'),
  );
  const daemon = new Daemon(
    'snmpd',
    SNMPD,
    ['-f', '-Lo', '-C', '-c', config, '-p', join(workDir, 'snmpd.pid')],
    { PATH: process.env.PATH ?? '/usr/bin:/bin', MIBS: '', SNMP_PERSISTENT_DIR: persist },
    workDir,
  );
  await waitUntilAnswering(daemon, address, port, { name: 'ready', version: '2c', community: 'public' });
  return daemon;
}

/** snmpsimd serving `recording` (OID-sorted here) as community `public`. */
export async function startSnmpsimd(address: string, port: number, recording: string): Promise<Daemon> {
  const workDir = mkdtempSync(join(tmpdir(), 'roller-snmpsim-'));
  const data = join(workDir, 'data');
  const cache = join(workDir, 'cache');
  mkdirSync(data);
  mkdirSync(cache);
  // snmpsimd drops to nobody:nogroup: it must read the data and write its index cache.
  chmodSync(workDir, 0o755);
  chmodSync(data, 0o755);
  chmodSync(cache, 0o777);
  const file = join(data, 'public.snmprec');
  writeFileSync(file, sortRecords(recording));
  chmodSync(file, 0o644);
  const daemon = new Daemon(
    'snmpsimd',
    'snmpsimd',
    [
      `--data-dir=${data}`,
      `--cache-dir=${cache}`,
      `--agent-udpv4-endpoint=${address}:${port}`,
      '--process-user=nobody',
      '--process-group=nogroup',
      '--logging-method=null',
    ],
    { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: workDir },
    workDir,
  );
  await waitUntilAnswering(daemon, address, port, { name: 'ready', version: '2c', community: 'public' });
  return daemon;
}

/** snmpsim needs records in OID order; a value may contain `|`, so only the OID is parsed. */
export function sortRecords(text: string): string {
  const lines = text.split('\n').filter((line) => line.trim() !== '');
  lines.sort((a, b) => compareOids(a.slice(0, a.indexOf('|')), b.slice(0, b.indexOf('|'))));
  return `${lines.join('\n')}\n`;
}

export function readFixture(name: string): string {
  return readFileSync(join(import.meta.dirname, 'fixtures', name), 'utf8');
}
