import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { ERROR_STATUS } from '../../src/shared/errors.ts';
import {
  collectVisible,
  documentedTexts,
  extractVisible,
  type Kind,
  matcherOf,
  undocumented,
  type Visible,
} from '../support/runbook-catalogue.ts';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const RUNBOOK = 'docs/runbooks.md';

/**
 * Texts the extractor finds that never reach an operator as such. Each needs a reason; keep this short.
 */
const NOT_OPERATOR_FACING: readonly { kind: Kind; text: string; why: string }[] = [
  {
    kind: 'refusal',
    text: 'dry run',
    why: 'thrown inside an inventory dry run only to roll its transaction back; never shown',
  },
];

function runbook(): string {
  return readFileSync(new URL(`../../${RUNBOOK}`, import.meta.url), 'utf8');
}

function catalogue(): Visible[] {
  const items = collectVisible(ROOT).filter(
    (item) => !NOT_OPERATOR_FACING.some((skip) => skip.kind === item.kind && skip.text === item.text),
  );
  for (const code of Object.keys(ERROR_STATUS)) {
    if (!items.some((item) => item.kind === 'api-code' && item.text === code)) {
      items.push({ kind: 'api-code', text: code, parts: [code], where: 'src/shared/errors.ts' });
    }
  }
  return items;
}

const describeMissing = (items: readonly Visible[]): string =>
  items.map((item) => `  ${item.kind.padEnd(11)} ${item.where}: ${item.text}`).join('\n');

describe(`${RUNBOOK} failure triage`, () => {
  const items = catalogue();
  const count = (kind: Kind): number => items.filter((item) => item.kind === kind).length;

  it('finds enough of each kind that a broken extractor cannot pass unnoticed', () => {
    expect(count('api-code')).toBe(Object.keys(ERROR_STATUS).length);
    expect(count('api-message')).toBeGreaterThanOrEqual(60);
    expect(count('log')).toBeGreaterThanOrEqual(25);
    expect(count('run-log')).toBeGreaterThanOrEqual(5);
    expect(count('run-reason')).toBeGreaterThanOrEqual(5);
    expect(count('refusal')).toBeGreaterThanOrEqual(30);
    expect(count('cli-warning')).toBeGreaterThanOrEqual(1);
    // Known landmarks of each rule, so a rule that silently stops matching is noticed.
    const texts = new Set(items.map((item) => `${item.kind}:${item.text}`));
    for (const landmark of [
      'api-code:db_unavailable',
      'api-message:invalid discovery scope',
      'log:failed to connect to database',
      'log:failed to list devices',
      'run-log:ping not found in PATH',
      'run-reason:worker lost',
      'run-reason:runtime budget of <…> ms exceeded',
      'refusal:force takes a version number ≥ 0 (or -1 for none)',
      'cli-warning:roller: warning: no user has the admin role, so nobody can change data: add one with --role admin, or `roller users set-role <username> admin`',
    ]) {
      expect(texts, landmark).toContain(landmark);
    }
  });

  it.each(['api-code', 'api-message', 'log', 'run-log', 'run-reason', 'refusal'] as const)(
    'explains every %s Roller can produce',
    (kind) => {
      const missing = undocumented(
        items.filter((item) => item.kind === kind),
        runbook(),
      );
      expect(
        missing,
        `not in ${RUNBOOK} (write each as \`code\`, with <placeholders> for the values):\n${describeMissing(missing)}`,
      ).toEqual([]);
    },
  );

  it('lists every error code with its HTTP status in the API table', () => {
    const text = runbook();
    for (const [code, status] of Object.entries(ERROR_STATUS)) {
      expect(text, code).toMatch(new RegExp(`^\\| \`${status}\` +\\| \`${code}\` +\\|`, 'm'));
    }
  });
});

/** GitHub's heading anchors: lower case, punctuation dropped, spaces to hyphens. */
function anchorsOf(markdown: string): Set<string> {
  const anchors = new Set<string>();
  for (const match of markdown.matchAll(/^#{1,6} +(.+)$/gm)) {
    const text = (match[1] as string).trim().toLowerCase();
    anchors.add(text.replace(/[^\p{L}\p{N}\s_-]/gu, '').replace(/\s/g, '-'));
  }
  return anchors;
}

describe(`${RUNBOOK} links`, () => {
  it('points only at documents and headings that exist', () => {
    const text = runbook();
    const broken: string[] = [];
    for (const match of text.matchAll(/\]\(([^)\s]+)\)/g)) {
      const target = match[1] as string;
      if (/^[a-z]+:/.test(target)) continue;
      const [file, anchor] = target.split('#') as [string, string | undefined];
      const path = file === '' ? RUNBOOK : `docs/${file}`;
      if (!existsSync(new URL(`../../${path}`, import.meta.url))) {
        broken.push(`${target}: no ${path}`);
        continue;
      }
      const markdown = file === '' ? text : readFileSync(new URL(`../../${path}`, import.meta.url), 'utf8');
      if (anchor !== undefined && !anchorsOf(markdown).has(anchor)) broken.push(`${target}: no heading #${anchor}`);
    }
    expect(broken).toEqual([]);
  });

  it('derives anchors the way GitHub does', () => {
    expect([...anchorsOf('## Failure triage\n### Run log warnings and errors\n#### `conflict` (409)')]).toEqual([
      'failure-triage',
      'run-log-warnings-and-errors',
      'conflict-409',
    ]);
  });
});

describe('the runbook extractor', () => {
  const fixture = `
    import { RollerError, validationFailed } from '../shared/errors.ts';
    export function f(id: string, logger: Logger, request: Request, ctx: RunContext) {
      if (!id) throw new RollerError('brand_new_code', \`thing \${id} is broken\`, { id });
      if (id === 'x') throw validationFailed('the x is not allowed');
      logger.warn({ id }, 'something odd happened');
      request.log.error({ id }, \`failed to frob \${id}\`);
      this.#logger.fatal('cannot go on');
      logger.info({ id }, 'all is well');
      console.error('not a logger of ours');
      await ctx.log('warn', \`probe \${id} failed: \${reason}\`);
      await ctx.log('info', 'run progress');
      throw new StageFailure(cond ? 'first reason' : \`second reason \${id}\`);
      controller.abort(new RunAbort('canceled', 'a new abort reason'));
      await sql\`UPDATE discovery_runs SET last_error = 'gone fishing' WHERE id = \${id}\`.execute(db);
      throw new Error('refused: ' + id + ' is bad');
      throw new RangeError('a programming error');
      throw new Error(error.message);
      process.stderr.write(\`roller: warning: the frob at \${id} is stale\\n\`);
      process.stderr.write('a banner, not a warning\\n');
    }
    class WidgetError extends Error {
      constructor(path: string) { super(\`widget \${path} is stuck\`); }
    }
    const route = { config: { dbErrorMessage: 'failed to list widgets' } };
  `;
  const found = extractVisible('src/worker/fixture.ts', fixture);
  const texts = found.map((item) => `${item.kind}:${item.text}`);

  it('finds each kind of operator-visible text, with holes for interpolated values', () => {
    expect(texts.sort()).toEqual(
      [
        'api-code:brand_new_code',
        'api-message:thing <…> is broken',
        'api-message:the x is not allowed',
        'log:something odd happened',
        'log:failed to frob <…>',
        'log:cannot go on',
        'log:failed to list widgets',
        'run-log:probe <…> failed: <…>',
        'run-reason:first reason',
        'run-reason:second reason <…>',
        'run-reason:a new abort reason',
        'run-reason:gone fishing',
        'refusal:refused: <…> is bad',
        'refusal:widget <…> is stuck',
        'cli-warning:roller: warning: the frob at <…> is stale',
      ].sort(),
    );
  });

  it('reports a new code or message until the runbook explains it', () => {
    const doc = [
      '| `400` | `brand_new_code` | … |',
      '- `thing 42 is broken`: cause and fix.',
      '- `failed to frob <device id>`',
      '```text',
      'probe 10.0.0.1 failed: timeout',
      '```',
    ].join('\n');
    const missing = undocumented(found, doc).map((item) => item.text);
    expect(missing).not.toContain('brand_new_code');
    expect(missing).not.toContain('thing <…> is broken');
    expect(missing).not.toContain('failed to frob <…>');
    expect(missing).not.toContain('probe <…> failed: <…>');
    expect(missing).toContain('something odd happened');
    expect(missing).toContain('gone fishing');
    // Without the table row, the new code itself is reported.
    expect(undocumented(found, doc.replace('`brand_new_code`', 'brand_new_code')).map((item) => item.text)).toContain(
      'brand_new_code',
    );
  });

  it('needs the whole message, not a fragment or a longer sentence around it', () => {
    const matcher = matcherOf({ parts: ['worker lost'] });
    expect(matcher.test('worker lost')).toBe(true);
    expect(matcher.test('worker')).toBe(false);
    expect(matcher.test('the worker lost it')).toBe(false);
    const withHole = matcherOf({ parts: [null, ' not found'] });
    expect(withHole.test('device not found')).toBe(true);
    expect(withHole.test(' not found')).toBe(false);
  });

  it('reads code spans in tables (escaped pipes) and lines of fenced blocks', () => {
    const texts = documentedTexts(
      ['| `a \\| b` | `c` |', '```text', '  fenced line  ', '```', 'prose with ``double `tick` span``'].join('\n'),
    );
    expect(texts).toEqual(['fenced line', 'a | b', 'c', 'double `tick` span']);
  });
});
