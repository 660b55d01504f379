import { spawn } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import { delimiter, join } from 'node:path';

/**
 * The only code in Roller that starts processes. No shell ever: probes hand over an argv array
 * built as data. Every run has a timeout, an output cap and an AbortSignal, and its whole process
 * group is killed when any of them fires, so cancel and deadline leave nothing behind.
 */
export interface ProcessRequest {
  command: string;
  args: readonly string[];
  /** Text written to the child's stdin, then closed. */
  input?: string;
  timeoutMs: number;
  signal?: AbortSignal;
  /** Bytes kept per stream; the rest is dropped and `truncated` set. Default 4 MiB. */
  maxOutputBytes?: number;
  env?: NodeJS.ProcessEnv;
}

export interface ProcessResult {
  /** null when the process was killed. */
  exitCode: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  timedOut: boolean;
  aborted: boolean;
  truncated: boolean;
  durationMs: number;
  /** Set when the process could not be started at all (ENOENT, EACCES). */
  spawnError?: string;
}

export interface ProcessRunner {
  run(request: ProcessRequest): Promise<ProcessResult>;
  /** Absolute path of an executable found in PATH, or undefined. */
  which(command: string): string | undefined;
}

const DEFAULT_MAX_OUTPUT = 4 * 1024 * 1024;

export class ChildProcessRunner implements ProcessRunner {
  private readonly children = new Set<number>();

  constructor(private readonly path: string = process.env.PATH ?? '/usr/sbin:/usr/bin:/sbin:/bin') {}

  which(command: string): string | undefined {
    if (command.includes('/')) return isExecutable(command) ? command : undefined;
    for (const directory of this.path.split(delimiter)) {
      if (!directory) continue;
      const candidate = join(directory, command);
      if (isExecutable(candidate)) return candidate;
    }
    return undefined;
  }

  /** Number of child processes still running (tests check that none is left over). */
  get running(): number {
    return this.children.size;
  }

  run(request: ProcessRequest): Promise<ProcessResult> {
    const started = performance.now();
    const cap = request.maxOutputBytes ?? DEFAULT_MAX_OUTPUT;
    return new Promise((resolve) => {
      if (request.signal?.aborted) {
        resolve(emptyResult({ aborted: true, durationMs: 0 }));
        return;
      }
      const child = spawn(request.command, [...request.args], {
        shell: false,
        detached: true, // own process group: kill(-pid) reaches grandchildren too
        stdio: ['pipe', 'pipe', 'pipe'],
        env: request.env ?? { PATH: this.path, LANG: 'C', LC_ALL: 'C' },
      });
      const out: Buffer[] = [];
      const err: Buffer[] = [];
      let outBytes = 0;
      let errBytes = 0;
      let truncated = false;
      let timedOut = false;
      let aborted = false;
      let spawnError: string | undefined;
      const pid = child.pid;
      if (pid !== undefined) this.children.add(pid);

      const killGroup = (): void => {
        if (pid === undefined) return;
        try {
          process.kill(-pid, 'SIGKILL');
        } catch {
          child.kill('SIGKILL');
        }
      };
      const timer = setTimeout(() => {
        timedOut = true;
        killGroup();
      }, request.timeoutMs);
      const onAbort = (): void => {
        aborted = true;
        killGroup();
      };
      request.signal?.addEventListener('abort', onAbort, { once: true });

      child.stdout.on('data', (chunk: Buffer) => {
        if (outBytes + chunk.length > cap) {
          truncated = true;
          out.push(chunk.subarray(0, Math.max(0, cap - outBytes)));
          outBytes = cap;
        } else {
          out.push(chunk);
          outBytes += chunk.length;
        }
      });
      child.stderr.on('data', (chunk: Buffer) => {
        if (errBytes + chunk.length > cap) {
          truncated = true;
          err.push(chunk.subarray(0, Math.max(0, cap - errBytes)));
          errBytes = cap;
        } else {
          err.push(chunk);
          errBytes += chunk.length;
        }
      });
      child.stdin.on('error', () => {}); // the child may exit before reading its input
      child.on('error', (error: NodeJS.ErrnoException) => {
        spawnError = `${error.code ?? 'error'}: ${error.message}`;
      });
      child.on('close', (exitCode, signal) => {
        clearTimeout(timer);
        request.signal?.removeEventListener('abort', onAbort);
        if (pid !== undefined) this.children.delete(pid);
        resolve({
          exitCode,
          signal,
          stdout: Buffer.concat(out).toString('utf8'),
          stderr: Buffer.concat(err).toString('utf8'),
          timedOut,
          aborted,
          truncated,
          durationMs: performance.now() - started,
          ...(spawnError ? { spawnError } : {}),
        });
      });
      if (request.input !== undefined) child.stdin.end(request.input);
      else child.stdin.end();
    });
  }
}

function isExecutable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

function emptyResult(overrides: Partial<ProcessResult>): ProcessResult {
  return {
    exitCode: null,
    signal: null,
    stdout: '',
    stderr: '',
    timedOut: false,
    aborted: false,
    truncated: false,
    durationMs: 0,
    ...overrides,
  };
}
