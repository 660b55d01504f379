import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { sleep, withTimeout } from './timing.ts';

export { sleep };

/**
 * `roller core` inside a lab network namespace (`ip netns exec <ns> node bin/roller.js core`), listening on
 * a Unix socket (reachable from the root namespace: a socket path is not bound to a network namespace) with
 * its embedded database in a temporary ROLLER_DATA_DIR, and a small JSON client over that socket.
 *
 * No vitest import: the lab bench (bench/discovery-lab.ts) uses it too. Every wait is bounded; stop() ends
 * the process (SIGTERM, then SIGKILL) and dispose() removes the temporary directory.
 */

export const REPO_ROOT = resolve(import.meta.dirname, '../..');
const ROLLER_BIN = join(REPO_ROOT, 'bin', 'roller.js');

/** Only these come from the caller's environment; everything else is explicit. */
const INHERITED_ENV = ['PATH', 'HOME', 'TMPDIR', 'LANG', 'LC_ALL', 'TZ'] as const;

const READY_LIMIT_MS = 60_000;
const READY_POLL_MS = 50;
const REQUEST_LIMIT_MS = 10_000;
const EXIT_LIMIT_MS = 15_000;

export type RunStatus = 'queued' | 'running' | 'succeeded' | 'failed' | 'canceled';
export const FINAL_RUN_STATUSES: readonly RunStatus[] = ['succeeded', 'failed', 'canceled'];

export interface ApiRun {
  id: string;
  status: RunStatus;
  scope?: string;
  stats: Record<string, unknown>;
  queued_at: string;
  started_at?: string;
  completed_at?: string;
  last_error?: string;
  cancel_requested_at?: string;
}

export interface ApiLogLine {
  id: number;
  level: string;
  message: string;
  created_at: string;
}

export interface ApiDevice {
  id: string;
  primary_ip?: string;
  last_seen_at?: string;
  last_change_at: string;
  created_at: string;
}

export interface ApiFact {
  created_at: string;
  updated_at: string;
}

export interface ApiFacts {
  device_id: string;
  ips: (ApiFact & { ip: string })[];
  macs: (ApiFact & { mac: string })[];
}

export interface JsonResponse<T> {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: T;
}

export interface LabCoreOptions {
  /** Full name of the network namespace to run in (e.g. `rld1a-scan`). */
  namespace: string;
  /** Extra variables (DISCOVERY_RUN_DELAY, DISCOVERY_MAX_RUNTIME, …). HTTP_ADDR and ROLLER_DATA_DIR are set here. */
  env?: Record<string, string>;
  /** Bound on start-up until /readyz answers 200 (default 60 s). */
  readyLimitMs?: number;
  /** Label for error messages. */
  name?: string;
}

/** One `roller core` process in a network namespace, and a JSON client for its Unix socket. */
export class LabCore {
  readonly dir: string;
  readonly socketPath: string;
  readonly dataDir: string;
  readonly name: string;
  readonly child: ChildProcess;
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  readonly startedAt = performance.now();
  /** Start-up time until /readyz answered 200 (ms since spawn), once ready. */
  readyMs: number | undefined;
  private readonly output: string[] = [];
  private exitResult: { code: number | null; signal: NodeJS.Signals | null } | undefined;

  private constructor(options: LabCoreOptions) {
    this.name = options.name ?? `core in ${options.namespace}`;
    // Short path: a Unix socket path is limited to 107 bytes.
    this.dir = mkdtempSync(join(tmpdir(), 'rlcore-'));
    this.socketPath = join(this.dir, 'core.sock');
    this.dataDir = join(this.dir, 'data');
    const env: Record<string, string> = {};
    for (const name of INHERITED_ENV) {
      const value = process.env[name];
      if (value !== undefined) env[name] = value;
    }
    Object.assign(env, { LOG_LEVEL: 'info', ...options.env });
    env.HTTP_ADDR = `unix:${this.socketPath}`;
    env.ROLLER_DATA_DIR = this.dataDir;
    // `ip netns exec` execs node, so the child's pid is the core process itself.
    this.child = spawn('ip', ['netns', 'exec', options.namespace, process.execPath, ROLLER_BIN, 'core'], {
      cwd: REPO_ROOT,
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const collect = (chunk: string): void => {
      this.output.push(chunk);
      if (this.output.length > 5000) this.output.splice(0, this.output.length - 5000);
    };
    this.child.stdout?.setEncoding('utf8').on('data', collect);
    this.child.stderr?.setEncoding('utf8').on('data', collect);
    this.exited = new Promise((resolveExit) => {
      this.child.once('close', (code, signal) => {
        this.exitResult ??= { code, signal };
        resolveExit(this.exitResult);
      });
      this.child.once('error', (error) => {
        collect(`spawn error: ${error.message}\n`);
        this.exitResult ??= { code: null, signal: null };
        resolveExit(this.exitResult);
      });
    });
  }

  /** Starts the core and waits (bounded) until GET /readyz answers 200. */
  static async start(options: LabCoreOptions): Promise<LabCore> {
    const core = new LabCore(options);
    try {
      await core.waitReady(options.readyLimitMs ?? READY_LIMIT_MS);
    } catch (error) {
      await core.dispose();
      throw error;
    }
    return core;
  }

  get pid(): number {
    if (this.child.pid === undefined) throw new Error(`${this.name} did not start`);
    return this.child.pid;
  }

  get running(): boolean {
    return this.exitResult === undefined;
  }

  /** Everything the process printed (last ~5000 chunks). */
  get log(): string {
    return this.output.join('');
  }

  describe(): string {
    const status = this.exitResult
      ? `exited code=${this.exitResult.code} signal=${this.exitResult.signal}`
      : `running pid=${this.child.pid}`;
    return `${this.name} (${status})\n--- output ---\n${this.log.slice(-6000)}`;
  }

  private async waitReady(limitMs: number): Promise<void> {
    const deadline = performance.now() + limitMs;
    let last = 'no answer yet';
    while (performance.now() < deadline) {
      if (!this.running) throw new Error(`${this.describe()}\nexited before /readyz answered 200 (last: ${last})`);
      if (existsSync(this.socketPath)) {
        try {
          const response = await this.request('GET', '/readyz', undefined, 2000);
          if (response.status === 200) {
            this.readyMs = performance.now() - this.startedAt;
            return;
          }
          last = `${response.status} ${JSON.stringify(response.body)}`;
        } catch (error) {
          last = (error as Error).message;
        }
      }
      await sleep(READY_POLL_MS);
    }
    throw new Error(`${this.describe()}\n/readyz did not answer 200 within ${limitMs} ms (last: ${last})`);
  }

  /** One JSON request over the Unix socket (bounded). Never touches the network. */
  request<T = Record<string, unknown>>(
    method: string,
    path: string,
    body?: unknown,
    limitMs = REQUEST_LIMIT_MS,
  ): Promise<JsonResponse<T>> {
    const payload = body === undefined ? undefined : JSON.stringify(body);
    return new Promise((resolveRequest, reject) => {
      const req = httpRequest(
        {
          socketPath: this.socketPath,
          path,
          method,
          headers: payload === undefined ? {} : { 'content-type': 'application/json' },
          timeout: limitMs,
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (chunk: Buffer) => chunks.push(chunk));
          res.on('end', () => {
            const text = Buffer.concat(chunks).toString('utf8');
            let parsed: unknown;
            try {
              parsed = text === '' ? undefined : JSON.parse(text);
            } catch {
              reject(new Error(`${method} ${path} answered ${res.statusCode} with non-JSON: ${text.slice(0, 500)}`));
              return;
            }
            resolveRequest({ status: res.statusCode ?? 0, headers: res.headers, body: parsed as T });
          });
          res.on('error', reject);
        },
      );
      req.on('timeout', () => req.destroy(new Error(`${method} ${path}: no answer within ${limitMs} ms`)));
      req.on('error', reject);
      req.end(payload);
    });
  }

  /** The request, asserting the status; throws with the body otherwise. */
  async expect<T>(status: number, method: string, path: string, body?: unknown): Promise<T> {
    const response = await this.request<T>(method, path, body);
    if (response.status !== status) {
      throw new Error(`${method} ${path}: expected ${status}, got ${response.status} ${JSON.stringify(response.body)}`);
    }
    return response.body;
  }

  /** POST /api/v1/discovery/run → the queued run (202). */
  enqueueRun(request: { scope?: string; preset?: string; tags?: string[] }): Promise<ApiRun> {
    return this.expect<ApiRun>(202, 'POST', '/api/v1/discovery/run', request);
  }

  getRun(id: string): Promise<ApiRun> {
    return this.expect<ApiRun>(200, 'GET', `/api/v1/discovery/runs/${id}`);
  }

  cancelRun(id: string): Promise<ApiRun> {
    return this.expect<ApiRun>(202, 'POST', `/api/v1/discovery/runs/${id}/cancel`);
  }

  /**
   * Polls the run every `pollMs` until `done(run)` (default: a final status), bounded by `limitMs`.
   * Resolves with the run and the wall-clock ms at which it was seen done.
   */
  async waitForRun(
    id: string,
    options: { limitMs?: number; pollMs?: number; done?: (run: ApiRun) => boolean } = {},
  ): Promise<ApiRun> {
    const done = options.done ?? ((run: ApiRun) => FINAL_RUN_STATUSES.includes(run.status));
    const deadline = performance.now() + (options.limitMs ?? 30_000);
    let run = await this.getRun(id);
    while (!done(run)) {
      if (performance.now() > deadline) {
        throw new Error(`run ${id} not done within ${options.limitMs ?? 30_000} ms: ${JSON.stringify(run)}`);
      }
      if (!this.running) throw new Error(`${this.describe()}\nexited while run ${id} was ${run.status}`);
      await sleep(options.pollMs ?? 50);
      run = await this.getRun(id);
    }
    return run;
  }

  /** Enqueues a run and waits (bounded) for its final status. */
  async runDiscovery(request: { scope?: string; preset?: string; tags?: string[] }, limitMs = 30_000): Promise<ApiRun> {
    const queued = await this.enqueueRun(request);
    return this.waitForRun(queued.id, { limitMs });
  }

  /** Every log line of a run, oldest first (follows the cursor, bounded). */
  async runLogs(id: string): Promise<ApiLogLine[]> {
    const lines: ApiLogLine[] = [];
    let cursor: string | undefined;
    for (let page = 0; page < 50; page++) {
      const query = `limit=500${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`;
      const body = await this.expect<{ logs: ApiLogLine[]; cursor?: string }>(
        200,
        'GET',
        `/api/v1/discovery/runs/${id}/logs?${query}`,
      );
      lines.push(...body.logs);
      cursor = body.cursor;
      if (!cursor) break;
    }
    return lines.sort((a, b) => a.id - b.id);
  }

  /** Every device (pages of 200 via the cursor, bounded). */
  async devices(): Promise<ApiDevice[]> {
    const devices: ApiDevice[] = [];
    let cursor: string | undefined;
    for (let page = 0; page < 100; page++) {
      const query = `limit=200${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`;
      const body = await this.expect<{ devices: ApiDevice[]; cursor?: string }>(200, 'GET', `/api/v1/devices?${query}`);
      devices.push(...body.devices);
      cursor = body.cursor;
      if (!cursor) break;
    }
    return devices;
  }

  facts(deviceId: string): Promise<ApiFacts> {
    return this.expect<ApiFacts>(200, 'GET', `/api/v1/devices/${deviceId}/facts`);
  }

  /** Every device with its facts. */
  async inventory(): Promise<(ApiDevice & { facts: ApiFacts })[]> {
    const devices = await this.devices();
    return Promise.all(devices.map(async (device) => ({ ...device, facts: await this.facts(device.id) })));
  }

  /** SIGTERM and a bounded wait; SIGKILL when the process lingers. Resolves with how it exited. */
  async stop(limitMs = EXIT_LIMIT_MS): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
    if (!this.running) return this.exitResult as { code: number | null; signal: NodeJS.Signals | null };
    this.child.kill('SIGTERM');
    const result = await withTimeout(this.exited, limitMs);
    if (result) return result;
    this.child.kill('SIGKILL');
    const forced = await withTimeout(this.exited, EXIT_LIMIT_MS);
    if (!forced) throw new Error(`${this.describe()}\ndid not exit after SIGKILL`);
    throw new Error(`${this.name} ignored SIGTERM for ${limitMs} ms and was killed`);
  }

  /** Stops the process (if running) and removes the temporary directory. */
  async dispose(): Promise<void> {
    try {
      await this.stop().catch(() => {});
    } finally {
      rmSync(this.dir, { recursive: true, force: true, maxRetries: 3 });
    }
  }
}

/** Server timestamps (RFC 3339, up to µs) as epoch milliseconds with the fraction kept. */
export function timestampMs(text: string): number {
  const match = /^(.*T\d\d:\d\d:\d\d)(?:\.(\d+))?(Z|[+-]\d\d:\d\d)$/.exec(text);
  if (!match) throw new Error(`not an RFC 3339 timestamp: ${text}`);
  const whole = Date.parse(`${match[1]}${match[3]}`);
  const fraction = match[2] ? Number(`0.${match[2]}`) * 1000 : 0;
  return whole + fraction;
}

/** A process in a network namespace: its pid, parent pid, command name and state letter (`/proc/<pid>/stat`). */
export interface NamespaceProcess {
  pid: number;
  ppid: number;
  comm: string;
  state: string;
}

/** Pids of every process in a network namespace (`ip netns pids`), with their parents and command names. */
export function namespaceProcesses(namespace: string): Promise<NamespaceProcess[]> {
  return new Promise((resolvePids, reject) => {
    const child = spawn('ip', ['netns', 'pids', namespace], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      out += chunk;
    });
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
      err += chunk;
    });
    child.on('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      if (code !== 0) {
        reject(new Error(`ip netns pids ${namespace} failed (${code}): ${err.trim()}`));
        return;
      }
      const processes = out
        .split(/\s+/)
        .filter(Boolean)
        .map(Number)
        .map((pid) => ({ pid, ...procInfo(pid) }))
        // A zombie (exited, not reaped yet) is gone for our purposes.
        .filter((entry) => entry.state !== '' && entry.state !== 'Z' && entry.state !== 'X');
      resolvePids(processes);
    });
  });
}

function procInfo(pid: number): { ppid: number; comm: string; state: string } {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const comm = stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
    // After the command: state, ppid, … (proc(5)).
    const [state = '', ppid = '0'] = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return { ppid: Number(ppid), comm, state };
  } catch {
    return { ppid: 0, comm: '', state: '' };
  }
}
