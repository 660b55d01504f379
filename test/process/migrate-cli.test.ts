import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadMigrations } from '../../src/storage/migrator.ts';
import { makeTempDir, type RunResult, registerProcessCleanup, runRoller } from '../support/process.ts';

registerProcessCleanup();

const LATEST = loadMigrations().at(-1)?.version ?? 0;

describe('roller migrate on an embedded (PGlite) data dir', () => {
  it('walks version, up, down, down --all, up N, force and rejects bad arguments', async () => {
    const dataDir = join(makeTempDir('roller-migrate-'), 'data');
    const cwd = makeTempDir('roller-migrate-cwd-');
    const migrate = async (...args: string[]): Promise<RunResult> =>
      runRoller(['migrate', ...args], { cwd, env: { ROLLER_DATA_DIR: dataDir } });
    /** Runs a command that must succeed and returns what it printed for people (not the JSON logs). */
    const ok = async (...args: string[]): Promise<{ text: string[]; result: RunResult }> => {
      const result = await migrate(...args);
      expect(result.code, result.process.describe()).toBe(0);
      expect(result.stderr, result.process.describe()).toBe('');
      expect(existsSync(join(dataDir, 'roller.lock')), 'the command released the data dir').toBe(false);
      return { text: result.text, result };
    };
    const versions = (result: RunResult, message: string): unknown[] =>
      result.logs.filter((log) => log.message === message).map((log) => log.version);

    expect((await ok('version')).text).toEqual([`none (latest ${LATEST})`]);

    const up = await ok('up');
    expect(up.text).toEqual([`applied ${LATEST}; schema version ${LATEST}`]);
    expect(versions(up.result, 'migration applied')).toEqual(Array.from({ length: LATEST }, (_, i) => i + 1));
    expect((await ok('version')).text).toEqual([`${LATEST} (latest ${LATEST})`]);

    expect((await ok('up')).text).toEqual([`no change; schema version ${LATEST}`]);

    const down = await ok('down', '1');
    expect(down.text).toEqual([`reverted 1; schema version ${LATEST - 1}`]);
    expect(versions(down.result, 'migration reverted')).toEqual([LATEST]);
    expect((await ok('version')).text).toEqual([`${LATEST - 1} (latest ${LATEST})`]);

    const all = await ok('down', '--all');
    expect(all.text).toEqual([`reverted ${LATEST - 1}; schema version none`]);
    expect(versions(all.result, 'migration reverted')).toEqual(
      Array.from({ length: LATEST - 1 }, (_, i) => LATEST - 1 - i),
    );
    expect((await ok('version')).text).toEqual([`none (latest ${LATEST})`]);

    const partial = await ok('up', '2');
    expect(partial.text).toEqual(['applied 2; schema version 2']);
    expect(versions(partial.result, 'migration applied')).toEqual([1, 2]);

    const rest = await ok('up');
    expect(rest.text).toEqual([`applied ${LATEST - 2}; schema version ${LATEST}`]);
    expect(versions(rest.result, 'migration applied')).toEqual(Array.from({ length: LATEST - 2 }, (_, i) => i + 3));

    // force only rewrites the bookkeeping; nothing runs.
    const forced = await ok('force', '2');
    expect(forced.text).toEqual(['schema version forced to 2']);
    expect(forced.result.logs.filter((log) => /^migration /.test(String(log.message)))).toEqual([]);
    expect((await ok('version')).text).toEqual([`2 (latest ${LATEST})`]);
    expect((await ok('force', String(LATEST))).text).toEqual([`schema version forced to ${LATEST}`]);

    // Bad arguments: a non-zero exit, a message naming the problem, and the schema untouched.
    const refused: [string[], string][] = [
      [['down', 'abc'], 'roller: N must be a positive whole number, got "abc"'],
      [['down', '0'], 'roller: N must be a positive whole number, got "0"'],
      [['up', '-1'], 'roller: N must be a positive whole number, got "-1"'],
      [['down', '2', '--all'], 'roller: give either N or --all, not both'],
      [['force', 'x'], 'roller: V must be a whole number, got "x"'],
      [['force'], "error: missing required argument 'V'"],
    ];
    // Argument checks come before the data dir is opened, so these can run side by side.
    const results = await Promise.all(refused.map(([args]) => migrate(...args)));
    for (const [index, result] of results.entries()) {
      const message = (refused[index] as [string[], string])[1];
      expect(result.code, result.process.describe()).not.toBe(0);
      expect(result.code, result.process.describe()).not.toBeNull();
      expect(result.stderr, result.process.describe()).toContain(message);
      expect(result.logs.filter((log) => /^migration /.test(String(log.message)))).toEqual([]);
    }
    expect((await ok('version')).text).toEqual([`${LATEST} (latest ${LATEST})`]);
  }, 300_000);
});
