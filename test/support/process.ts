import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, afterEach } from 'vitest';
import { sleep, withTimeout } from './timing.ts';

export { sleep };

/**
 * Runs the real `roller` command as a child process (`node bin/roller.js …`) for process-level tests:
 * durability across SIGKILL, concurrent start-up, the data-directory lock, configuration errors and
 * the migrate CLI. Every child and temp directory is tracked so a failing test cannot leak them.
 */

export const REPO_ROOT = resolve(import.meta.dirname, '../..');
const ROLLER_BIN = join(REPO_ROOT, 'bin', 'roller.js');

/** Only these are copied from the test runner's environment; everything else is given explicitly. */
const INHERITED_ENV = ['PATH', 'HOME', 'TMPDIR', 'TMP', 'TEMP', 'LANG', 'LC_ALL', 'TZ', 'SYSTEMROOT'] as const;

const READY_POLL_MS = 100;
const READY_LIMIT_MS = 60_000;
const RUN_LIMIT_MS = 60_000;
const EXIT_LIMIT_MS = 15_000;
const REQUEST_LIMIT_MS = 10_000;
const OUTPUT_POLL_MS = 20;
const OUTPUT_LIMIT_MS = 10_000;

export interface ExitResult {
  code: number | null;
  signal: NodeJS.Signals | null;
}

/** A parsed JSON log line (pino, `message` key). */
export type LogLine = Record<string, unknown> & { message?: string };

export interface SpawnOptions {
  /** Roller's variables for this run (DATABASE_URL, ROLLER_DATA_DIR, HTTP_ADDR, …); undefined = unset. */
  env?: Record<string, string | undefined>;
  /** Working directory; defaults to the repository root (avoid: `./data` would land there). */
  cwd?: string;
}

export class RollerProcess {
  readonly child: ChildProcess;
  readonly args: readonly string[];
  readonly startedAt = performance.now();
  readonly stdoutLines: string[] = [];
  readonly stderrLines: string[] = [];
  /** Settles once the process has exited and its output streams are closed. */
  readonly exited: Promise<ExitResult>;
  exitResult: ExitResult | undefined;
  private readonly partial = { stdout: '', stderr: '' };

  constructor(args: readonly string[], options: SpawnOptions = {}) {
    this.args = args;
    const env: Record<string, string> = {};
    for (const name of INHERITED_ENV) {
      const value = process.env[name];
      if (value !== undefined) env[name] = value;
    }
    for (const [name, value] of Object.entries(options.env ?? {})) {
      if (value !== undefined) env[name] = value;
    }
    this.child = spawn(process.execPath, [ROLLER_BIN, ...args], {
      cwd: options.cwd ?? REPO_ROOT,
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    this.child.stdout?.setEncoding('utf8').on('data', (chunk: string) => this.collect('stdout', chunk));
    this.child.stderr?.setEncoding('utf8').on('data', (chunk: string) => this.collect('stderr', chunk));
    this.exited = new Promise<ExitResult>((resolveExit) => {
      const finish = (code: number | null, signal: NodeJS.Signals | null): void => {
        this.flush();
        this.exitResult ??= { code, signal };
        live.delete(this);
        resolveExit(this.exitResult);
      };
      this.child.once('close', finish);
      // A spawn failure emits 'error' and maybe no 'close'.
      this.child.once('error', (error) => {
        this.stderrLines.push(`spawn error: ${error.message}`);
        finish(null, null);
      });
    });
    live.add(this);
  }

  get pid(): number {
    if (this.child.pid === undefined) throw new Error(`roller ${this.args.join(' ')} did not start`);
    return this.child.pid;
  }

  get running(): boolean {
    return this.exitResult === undefined;
  }

  get stdout(): string {
    return this.stdoutLines.join('\n');
  }

  get stderr(): string {
    return this.stderrLines.join('\n');
  }

  /** stdout lines that are JSON log objects (the human banner lines are skipped). */
  get logs(): LogLine[] {
    const logs: LogLine[] = [];
    for (const line of this.stdoutLines) {
      if (!line.startsWith('{')) continue;
      try {
        logs.push(JSON.parse(line) as LogLine);
      } catch {
        // a line cut by SIGKILL
      }
    }
    return logs;
  }

  /** stdout lines that are not JSON log objects (what the CLI prints for people). */
  get textLines(): string[] {
    return this.stdoutLines.filter((line) => line.trim() !== '' && !line.startsWith('{'));
  }

  logsWithMessage(message: string): LogLine[] {
    return this.logs.filter((log) => log.message === message);
  }

  /**
   * Waits (bounded) until `find` returns something: output reaches the test through a pipe, so a line
   * written before an HTTP answer may still arrive after it.
   */
  async waitFor<T>(find: () => T | undefined, what: string, limitMs = OUTPUT_LIMIT_MS): Promise<T> {
    const deadline = performance.now() + limitMs;
    for (;;) {
      const found = find();
      if (found !== undefined) return found;
      if (!this.running || performance.now() > deadline) {
        // One last look: the exit flushes the last partial line.
        const last = find();
        if (last !== undefined) return last;
        throw new Error(`${this.describe()}
never printed ${what} (waited ${limitMs} ms)`);
      }
      await sleep(OUTPUT_POLL_MS);
    }
  }

  /** The first JSON log line with this message, waiting (bounded) for it. */
  waitForLog(message: string, limitMs = OUTPUT_LIMIT_MS): Promise<LogLine> {
    return this.waitFor(() => this.logsWithMessage(message)[0], `a "${message}" log line`, limitMs);
  }

  /** The first line for people (non-JSON stdout, or stderr) containing `text`, waiting (bounded) for it. */
  waitForText(text: string, limitMs = OUTPUT_LIMIT_MS): Promise<string> {
    return this.waitFor(
      () => [...this.textLines, ...this.stderrLines].find((line) => line.includes(text)),
      `"${text}"`,
      limitMs,
    );
  }

  /** Everything the process printed, for assertion messages. */
  describe(): string {
    const status = this.exitResult
      ? `exited code=${this.exitResult.code} signal=${this.exitResult.signal}`
      : `running pid=${this.child.pid}`;
    return `roller ${this.args.join(' ')} (${status})\n--- stdout ---\n${this.stdout}\n--- stderr ---\n${this.stderr}`;
  }

  /** Sends `signal` and waits (bounded) for the exit; SIGKILL follows when the process lingers. */
  async kill(signal: NodeJS.Signals = 'SIGTERM', limitMs = EXIT_LIMIT_MS): Promise<ExitResult> {
    if (!this.running) return this.exitResult as ExitResult;
    this.child.kill(signal);
    const result = await withTimeout(this.exited, limitMs);
    if (result) return result;
    this.child.kill('SIGKILL');
    const forced = await withTimeout(this.exited, EXIT_LIMIT_MS);
    if (!forced) throw new Error(`${this.describe()}\ndid not exit after SIGKILL`);
    throw new Error(`roller ${this.args.join(' ')} ignored ${signal} for ${limitMs} ms and was killed`);
  }

  /** Waits (bounded) for the process to end on its own. */
  async waitForExit(limitMs = RUN_LIMIT_MS): Promise<ExitResult> {
    const result = await withTimeout(this.exited, limitMs);
    if (result) return result;
    await this.kill('SIGKILL');
    throw new Error(`${this.describe()}\ndid not exit within ${limitMs} ms (killed)`);
  }

  private collect(stream: 'stdout' | 'stderr', chunk: string): void {
    const text = this.partial[stream] + chunk;
    const lines = text.split('\n');
    this.partial[stream] = lines.pop() ?? '';
    (stream === 'stdout' ? this.stdoutLines : this.stderrLines).push(...lines);
  }

  private flush(): void {
    for (const stream of ['stdout', 'stderr'] as const) {
      if (this.partial[stream] !== '') {
        (stream === 'stdout' ? this.stdoutLines : this.stderrLines).push(this.partial[stream]);
        this.partial[stream] = '';
      }
    }
  }
}

const live = new Set<RollerProcess>();
const tempDirs = new Set<string>();

export function spawnRoller(args: readonly string[], options: SpawnOptions = {}): RollerProcess {
  return new RollerProcess(args, options);
}

export interface RunResult extends ExitResult {
  process: RollerProcess;
  stdout: string;
  stderr: string;
  /** Non-JSON stdout lines. */
  text: string[];
  logs: LogLine[];
}

/** Runs a command to completion (bounded) and returns its exit status and output. */
export async function runRoller(
  args: readonly string[],
  options: SpawnOptions & { limitMs?: number } = {},
): Promise<RunResult> {
  const child = spawnRoller(args, options);
  const result = await child.waitForExit(options.limitMs ?? RUN_LIMIT_MS);
  return {
    ...result,
    process: child,
    stdout: child.stdout,
    stderr: child.stderr,
    text: child.textLines,
    logs: child.logs,
  };
}

/** A TCP port on 127.0.0.1 that was free a moment ago (listen on 0, read it, close). */
export function freePort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const server = createServer();
    server.unref();
    server.once('error', reject);
    server.listen({ host: '127.0.0.1', port: 0, exclusive: true }, () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => (port > 0 ? resolvePort(port) : reject(new Error('no port assigned'))));
    });
  });
}

export function baseUrlFor(port: number): string {
  return `http://127.0.0.1:${port}`;
}

/**
 * Polls `GET /readyz` every 100 ms until it answers 200 (hard limit 60 s). Fails early, with the
 * process output, when the process exits first. Resolves with the wall-clock ms since the spawn.
 */
export async function waitForReady(roller: RollerProcess, baseUrl: string, limitMs = READY_LIMIT_MS): Promise<number> {
  if (!baseUrl.startsWith('http://127.0.0.1:')) throw new Error(`tests only connect to 127.0.0.1, not ${baseUrl}`);
  const deadline = performance.now() + limitMs;
  let last = 'no answer yet';
  while (performance.now() < deadline) {
    if (!roller.running) throw new Error(`${roller.describe()}\nexited before /readyz answered 200 (last: ${last})`);
    try {
      const response = await fetch(`${baseUrl}/readyz`, { signal: AbortSignal.timeout(2000) });
      const body = await response.text();
      if (response.status === 200) return performance.now() - roller.startedAt;
      last = `${response.status} ${body}`;
    } catch (error) {
      last = (error as Error).message;
    }
    await sleep(READY_POLL_MS);
  }
  throw new Error(`${roller.describe()}\n/readyz did not answer 200 within ${limitMs} ms (last: ${last})`);
}

export interface JsonResponse<T> {
  status: number;
  body: T;
}

/** One JSON request against a local Roller (bounded). */
export async function requestJson<T = Record<string, unknown>>(
  baseUrl: string,
  method: string,
  path: string,
  body?: unknown,
  headers: Record<string, string> = {},
): Promise<JsonResponse<T>> {
  const { status, body: parsed } = await requestJsonWithHeaders<T>(baseUrl, method, path, body, headers);
  return { status, body: parsed };
}

/** As requestJson, with the response headers (Set-Cookie for sign-in tests). */
export async function requestJsonWithHeaders<T = Record<string, unknown>>(
  baseUrl: string,
  method: string,
  path: string,
  body?: unknown,
  headers: Record<string, string> = {},
): Promise<JsonResponse<T> & { headers: Headers }> {
  if (!baseUrl.startsWith('http://127.0.0.1:')) throw new Error(`tests only connect to 127.0.0.1, not ${baseUrl}`);
  const response = await fetch(`${baseUrl}${path}`, {
    method,
    headers: body === undefined ? headers : { 'content-type': 'application/json', ...headers },
    body: body === undefined ? undefined : JSON.stringify(body),
    signal: AbortSignal.timeout(REQUEST_LIMIT_MS),
  });
  const text = await response.text();
  let parsed: unknown;
  try {
    parsed = text === '' ? undefined : JSON.parse(text);
  } catch {
    throw new Error(`${method} ${path} answered ${response.status} with non-JSON: ${text.slice(0, 500)}`);
  }
  return { status: response.status, body: parsed as T, headers: response.headers };
}

/** A new empty directory under the OS temp dir, removed by the cleanup hooks. */
export function makeTempDir(prefix = 'roller-process-'): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  tempDirs.add(dir);
  return dir;
}

/** SIGKILLs every child still running and waits (bounded) for each to exit. */
export async function killAllRollers(): Promise<void> {
  const running = [...live];
  await Promise.all(
    running.map(async (roller) => {
      if (!roller.running) return;
      roller.child.kill('SIGKILL');
      await withTimeout(roller.exited, EXIT_LIMIT_MS);
    }),
  );
}

export function removeTempDirs(): void {
  for (const dir of tempDirs) rmSync(dir, { recursive: true, force: true, maxRetries: 3 });
  tempDirs.clear();
}

/** Call once per test file: kills leftover children after each test, removes temp dirs at the end. */
/** Kills leftover processes after each test (default), or only after the file when a suite shares one process. */
export function registerProcessCleanup(options: { perTest?: boolean } = {}): void {
  if (options.perTest ?? true) {
    afterEach(async () => {
      await killAllRollers();
    }, EXIT_LIMIT_MS * 2);
  }
  afterAll(async () => {
    await killAllRollers();
    removeTempDirs();
  }, EXIT_LIMIT_MS * 2);
}
