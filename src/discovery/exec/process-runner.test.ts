import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ChildProcessRunner } from './process-runner.ts';

const runner = new ChildProcessRunner();
/** A file that exists but may not be executed. */
const plainFile = join(mkdtempSync(join(tmpdir(), 'roller-runner-')), 'not-executable');
writeFileSync(plainFile, '#!/bin/sh\necho should not run\n', { mode: 0o644 });
const sh = (script: string, extra: { timeoutMs?: number; input?: string; signal?: AbortSignal } = {}) =>
  runner.run({ command: 'sh', args: ['-c', script], timeoutMs: extra.timeoutMs ?? 5000, ...extra });

/**
 * Whether a process still runs. `kill(pid, 0)` succeeds for a zombie too (killed, not yet reaped
 * by its new parent), and a zombie runs nothing, so it counts as gone.
 */
function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    return false;
  }
}

async function waitUntilGone(pids: number[], withinMs = 2000): Promise<number[]> {
  const deadline = Date.now() + withinMs;
  for (;;) {
    const alive = pids.filter(isRunning);
    if (alive.length === 0 || Date.now() > deadline) return alive;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

describe('ChildProcessRunner.run', () => {
  it('runs a command with an argv array and captures stdout', async () => {
    const result = await runner.run({ command: 'echo', args: ['hello', 'two words', '$HOME;|'], timeoutMs: 5000 });
    expect(result).toMatchObject({
      exitCode: 0,
      signal: null,
      stdout: 'hello two words $HOME;|\n',
      stderr: '',
      timedOut: false,
      aborted: false,
      truncated: false,
    });
    expect(result.spawnError).toBeUndefined();
    expect(result.durationMs).toBeGreaterThan(0);
  });

  it('reports non-zero exit codes and captures stderr separately', async () => {
    const result = await sh('echo out; echo oops >&2; exit 3');
    expect(result).toMatchObject({ exitCode: 3, signal: null, stdout: 'out\n', stderr: 'oops\n', timedOut: false });
  });

  it('writes the input to stdin and closes it', async () => {
    const result = await runner.run({ command: 'cat', args: [], input: '10.0.0.1\n10.0.0.2\n', timeoutMs: 5000 });
    expect(result).toMatchObject({ exitCode: 0, stdout: '10.0.0.1\n10.0.0.2\n' });
    const counted = await runner.run({ command: 'wc', args: ['-l'], input: 'a\nb\nc\n', timeoutMs: 5000 });
    expect(counted.stdout.trim()).toBe('3');
  });

  it('closes stdin at once when there is no input, so readers do not hang', async () => {
    const result = await runner.run({ command: 'cat', args: [], timeoutMs: 2000 });
    expect(result).toMatchObject({ exitCode: 0, stdout: '', timedOut: false });
  });

  it('survives a child that exits without reading a large input', async () => {
    const result = await runner.run({ command: 'true', args: [], input: 'x'.repeat(1 << 20), timeoutMs: 5000 });
    expect(result).toMatchObject({ exitCode: 0, timedOut: false });
  });

  it('gives the child a minimal C-locale environment by default', async () => {
    const result = await runner.run({ command: 'env', args: [], timeoutMs: 5000 });
    const names = result.stdout
      .trim()
      .split('\n')
      .map((line) => line.split('=')[0])
      .sort();
    expect(names).toEqual(['LANG', 'LC_ALL', 'PATH']);
    expect(result.stdout).toContain('LC_ALL=C\n');
  });

  it('kills the process on timeout and reports timedOut', async () => {
    const started = performance.now();
    const result = await runner.run({ command: 'sleep', args: ['30'], timeoutMs: 200 });
    expect(result).toMatchObject({ exitCode: null, signal: 'SIGKILL', timedOut: true, aborted: false });
    expect(performance.now() - started).toBeLessThan(3000);
    expect(runner.running).toBe(0);
  });

  it('kills the process when the signal fires and reports aborted', async () => {
    const controller = new AbortController();
    setTimeout(() => controller.abort(new Error('cancel')), 100);
    const started = performance.now();
    const result = await runner.run({ command: 'sleep', args: ['30'], timeoutMs: 30_000, signal: controller.signal });
    expect(result).toMatchObject({ exitCode: null, signal: 'SIGKILL', aborted: true, timedOut: false });
    expect(performance.now() - started).toBeLessThan(3000);
  });

  it('does not start anything for an already aborted signal', async () => {
    const controller = new AbortController();
    controller.abort();
    const result = await sh('echo started', { signal: controller.signal });
    expect(result).toMatchObject({ exitCode: null, aborted: true, stdout: '', durationMs: 0 });
  });

  it('keeps at most maxOutputBytes per stream and sets truncated', async () => {
    const result = await runner.run({ command: 'seq', args: ['1', '100000'], timeoutMs: 5000, maxOutputBytes: 1000 });
    expect(result.exitCode).toBe(0);
    expect(result.truncated).toBe(true);
    expect(Buffer.byteLength(result.stdout)).toBe(1000);
    expect(result.stdout.startsWith('1\n2\n3\n')).toBe(true);
    const errors = await sh('seq 1 5000 >&2', { timeoutMs: 5000 });
    expect(errors.truncated).toBe(false);
    const capped = await runner.run({
      command: 'sh',
      args: ['-c', 'seq 1 5000 >&2'],
      timeoutMs: 5000,
      maxOutputBytes: 10,
    });
    expect(capped).toMatchObject({ truncated: true, stderr: '1\n2\n3\n4\n5\n', stdout: '' });
  });

  it('reports a command that cannot be started as spawnError, never a throw', async () => {
    const result = await runner.run({ command: '/nonexistent/roller-probe', args: [], timeoutMs: 1000 });
    expect(result.spawnError).toMatch(/^ENOENT/);
    expect(result.exitCode).not.toBe(0);
    expect(result).toMatchObject({ stdout: '', timedOut: false, aborted: false });
    const notExecutable = await runner.run({ command: plainFile, args: [], timeoutMs: 1000 });
    expect(notExecutable.spawnError).toMatch(/^EACCES/);
  });

  it('kills grandchildren too: nothing is left behind after a timeout', async () => {
    const result = await sh('sleep 30 & echo $!; echo $$; sleep 30', { timeoutMs: 300 });
    expect(result.timedOut).toBe(true);
    const pids = result.stdout.trim().split('\n').map(Number);
    expect(pids).toHaveLength(2);
    expect(pids.every((pid) => Number.isInteger(pid) && pid > 1)).toBe(true);
    expect(await waitUntilGone(pids)).toEqual([]);
    expect(runner.running).toBe(0);
  });

  it('kills grandchildren on abort as well', async () => {
    const controller = new AbortController();
    const pending = sh('sleep 30 & echo $!; sleep 30', { timeoutMs: 30_000, signal: controller.signal });
    setTimeout(() => controller.abort(), 200);
    const result = await pending;
    expect(result.aborted).toBe(true);
    const [grandchild] = result.stdout.trim().split('\n').map(Number);
    expect(grandchild).toBeGreaterThan(1);
    expect(await waitUntilGone([grandchild as number])).toEqual([]);
  });
});

describe('ChildProcessRunner.which', () => {
  it('finds executables in PATH and refuses what is not there', () => {
    expect(runner.which('sh')).toMatch(/\/sh$/);
    expect(runner.which('roller-no-such-command')).toBeUndefined();
  });

  it('checks a path with a slash directly', () => {
    expect(runner.which('/bin/sh')).toBe('/bin/sh');
    expect(runner.which(plainFile)).toBeUndefined(); // exists, not executable
    expect(runner.which('/nonexistent/sh')).toBeUndefined();
  });

  it('searches only the PATH it was given', () => {
    const empty = new ChildProcessRunner('/nonexistent-dir');
    expect(empty.which('sh')).toBeUndefined();
    const bin = new ChildProcessRunner(':/nonexistent-dir:/bin');
    expect(bin.which('sh')).toBe('/bin/sh');
  });
});
