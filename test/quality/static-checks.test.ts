import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';

/** `npm run lint` and `npm run typecheck` as tests, so CI counts them like any other check. */
const run = (script: string) => {
  const result = spawnSync('npm', ['run', '--silent', script], { encoding: 'utf8', timeout: 180_000 });
  return { status: result.status, output: `${result.stdout}${result.stderr}`.slice(-4000) };
};

describe('static checks', () => {
  it('passes the linter, the formatter check and the import-direction rules', () => {
    const result = run('lint');
    expect(result.status, result.output).toBe(0);
  });

  it('type-checks in strict mode', () => {
    const result = run('typecheck');
    expect(result.status, result.output).toBe(0);
  });
});
