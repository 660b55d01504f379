import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { createSocket, type Socket } from 'node:dgram';
import { accessSync, constants, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { IN_CI } from '../../support/test-env.ts';
import { sleep } from '../../support/timing.ts';

/**
 * Real daemons for the name-lookup tests: started in their own process group, output kept for
 * failure messages, every wait bounded, and everything killed by stopAll() (afterAll) whatever
 * happened in between. Only loopback addresses 127.0.78.x, or addresses inside network namespaces
 * the test created itself.
 */

const SEARCH_PATH = `${process.env.PATH ?? ''}${delimiter}/usr/sbin${delimiter}/sbin`;

export function findTool(name: string): string | undefined {
  for (const directory of SEARCH_PATH.split(delimiter)) {
    if (!directory) continue;
    try {
      accessSync(join(directory, name), constants.X_OK);
      return join(directory, name);
    } catch {
      // not in this directory
    }
  }
  return undefined;
}

/** Why these tests cannot run here (not root, a tool missing), or null. */
export function whyNot(tools: readonly string[], installHint: string): string | null {
  if (process.getuid?.() !== 0) return 'needs root';
  const missing = tools.filter((tool) => findTool(tool) === undefined);
  return missing.length > 0 ? `missing ${missing.join(', ')} (${installHint})` : null;
}

/** Prints why a suite is skipped; under CI=true the suite runs and fails instead (see failInCi). */
export function announceSkip(suite: string, reason: string | null): boolean {
  if (reason && !IN_CI) process.stderr.write(`\n[roller tests] ${suite} skipped: ${reason}\n`);
  return reason !== null && !IN_CI;
}

export function failInCi(reason: string | null): void {
  if (reason) throw new Error(`CI=true requires this suite's prerequisites: ${reason}`);
}

export class Daemon {
  readonly child: ChildProcess;
  output = '';
  readonly exited: Promise<void>;
  exitCode: number | null | undefined;

  constructor(
    readonly name: string,
    argv: readonly string[],
  ) {
    const [command, ...args] = argv;
    this.child = spawn(command as string, args, { detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
    const collect = (chunk: Buffer): void => {
      if (this.output.length < 200_000) this.output += chunk.toString('utf8');
    };
    this.child.stdout?.on('data', collect);
    this.child.stderr?.on('data', collect);
    this.exited = new Promise((resolve) => {
      this.child.once('error', (error) => {
        this.output += `\nspawn error: ${error.message}`;
        this.exitCode = null;
        resolve();
      });
      this.child.once('exit', (code) => {
        this.exitCode = code;
        resolve();
      });
    });
    live.add(this);
  }

  get running(): boolean {
    return this.exitCode === undefined;
  }

  /** SIGTERM to the process group, SIGKILL after a grace; resolves once the process is gone. */
  async stop(graceMs = 2_000): Promise<void> {
    const pid = this.child.pid;
    if (pid !== undefined && this.running) {
      signalGroup(pid, 'SIGTERM');
      const gone = await Promise.race([this.exited.then(() => true), sleep(graceMs).then(() => false)]);
      if (!gone) {
        signalGroup(pid, 'SIGKILL');
        await Promise.race([this.exited, sleep(graceMs)]);
      }
    }
    live.delete(this);
  }

  describe(): string {
    return `${this.name} (exit ${String(this.exitCode)}):\n${this.output.slice(-3000)}`;
  }
}

const live = new Set<Daemon>();

function signalGroup(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pid, signal);
  } catch {
    try {
      process.kill(pid, signal);
    } catch {
      // already gone
    }
  }
}

export async function stopAll(): Promise<void> {
  await Promise.all([...live].map((daemon) => daemon.stop()));
}

/** Polls `check` until it is true or `limitMs` passed; false on timeout (never hangs). */
export async function waitFor(
  check: () => boolean | Promise<boolean>,
  limitMs: number,
  everyMs = 50,
): Promise<boolean> {
  const deadline = performance.now() + limitMs;
  while (performance.now() < deadline) {
    if (await check()) return true;
    await sleep(everyMs);
  }
  return false;
}

/** A private directory for configs and state, removed by the returned function. */
export function scratchDir(prefix: string): { path: string; remove: () => void } {
  const path = mkdtempSync(join(tmpdir(), prefix));
  return { path, remove: () => rmSync(path, { recursive: true, force: true }) };
}

/** A UDP socket that reads and never answers: a resolver or name server that is "dead" but present. */
export async function blackHole(address: string, port: number): Promise<Socket> {
  const socket = createSocket('udp4');
  await new Promise<void>((resolve, reject) => {
    socket.once('error', reject);
    socket.bind({ address, port, exclusive: true }, () => resolve());
  });
  socket.on('message', () => {});
  return socket;
}

/** A UDP port on `address` with nothing bound to it right now (bound once, then released). */
export async function freeUdpPort(address: string): Promise<number> {
  const socket = createSocket('udp4');
  await new Promise<void>((resolve) => socket.bind({ address, port: 0 }, () => resolve()));
  const { port } = socket.address();
  await new Promise<void>((resolve) => socket.close(() => resolve()));
  return port;
}

export function closeSocket(socket: Socket | undefined): Promise<void> {
  return new Promise((resolve) => {
    if (!socket) return resolve();
    try {
      socket.close(() => resolve());
    } catch {
      resolve();
    }
  });
}

/** Runs a short command to completion with a hard timeout; never throws. */
export function runQuick(argv: readonly string[], timeoutMs = 10_000): { status: number | null; output: string } {
  const [command, ...args] = argv;
  const result = spawnSync(command as string, args, { encoding: 'utf8', timeout: timeoutMs });
  return {
    status: result.status,
    output: `${result.stdout ?? ''}${result.stderr ?? ''}${result.error?.message ?? ''}`,
  };
}
