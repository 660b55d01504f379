import { readdirSync, readFileSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import ts from 'typescript';

/**
 * Collects, from Roller's own source, every failure text an operator can meet, so that
 * test/quality/runbook-coverage.test.ts can check docs/runbooks.md explains each one.
 *
 * Rules (TypeScript compiler API, no regex over code except for SQL text):
 * - `api-code`: every code in `new RollerError('<code>', …)`; the test adds every key of ERROR_STATUS.
 * - `api-message`: the message of `new RollerError(code, message)` and of `validationFailed(message)`, and
 *   every `message:` of an object in src/shared/schemas/ (the `x-error` of a query or path parameter).
 * - `log`: the message (last argument) of `<…log|logger>.warn|error|fatal(…)`, and every route's
 *   `dbErrorMessage` (logged at error and sent as the `db_error` message).
 * - `run-log`: the message of `<x>.log('warn' | 'error', message)` (a discovery run's own log) and of
 *   `notes.push(message)` under src/discovery (liveness preflight notes, logged at warn).
 * - `run-reason`: the message of `new StageFailure(message)` and `new RunAbort(kind, message)`, and every
 *   `last_error = '<text>'` written by SQL: what a failed or canceled run shows as `last_error`.
 * - `refusal`: the message of `new <Something>Error(…)` (a start-up refusal, a CLI error, a config error,
 *   an SNMP walk error), RollerError excepted, and of `super(…)` inside a class extending `…Error`.
 * - `cli-warning`: what a command writes to stderr as `roller: warning: …` (and goes on).
 *
 * A message is kept as a pattern: literal text with holes where the code interpolates a value
 * (`${…}` in a template, a non-literal operand of `+`); a message of several lines is kept by its first
 * line; both branches of `cond ? 'a' : 'b'` are kept. A message with no literal text at all
 * (`error.message`, a variable) cannot be checked and is left out: the runbook covers those by hand.
 */
export type Kind = 'api-code' | 'api-message' | 'log' | 'run-log' | 'run-reason' | 'refusal' | 'cli-warning';

/** A literal piece, or null for a hole (an interpolated value). */
export type Part = string | null;

export interface Visible {
  kind: Kind;
  /** Literal text with `<…>` for every hole, as an operator would write it down. */
  text: string;
  parts: Part[];
  /** `path:line` of the first place it was found. */
  where: string;
}

const LOG_LEVELS = new Set(['warn', 'error', 'fatal']);
const RUN_LOG_LEVELS = new Set(['warn', 'error']);
/** Error classes whose message is not the operator's concern: programming errors of argument builders. */
const PROGRAMMING_ERRORS = new Set(['RangeError', 'TypeError', 'SyntaxError']);

/** Turns a string-valued expression into parts, or undefined when it is not built from literals. */
export function partsOf(node: ts.Expression): Part[] | undefined {
  if (ts.isParenthesizedExpression(node)) return partsOf(node.expression);
  if (ts.isStringLiteral(node) || ts.isNoSubstitutionTemplateLiteral(node)) return [node.text];
  if (ts.isTemplateExpression(node)) {
    const parts: Part[] = [node.head.text];
    for (const span of node.templateSpans) {
      parts.push(...(partsOf(span.expression) ?? [null]), span.literal.text);
    }
    return normalise(parts);
  }
  if (ts.isBinaryExpression(node) && node.operatorToken.kind === ts.SyntaxKind.PlusToken) {
    const left = partsOf(node.left);
    const right = partsOf(node.right);
    if (left === undefined && right === undefined) return undefined;
    return normalise([...(left ?? [null]), ...(right ?? [null])]);
  }
  return undefined;
}

function normalise(parts: Part[]): Part[] {
  const out: Part[] = [];
  for (const part of parts) {
    const last = out[out.length - 1];
    if (part === null) {
      if (last !== null || out.length === 0) out.push(null);
    } else if (part !== '') {
      if (typeof last === 'string') out[out.length - 1] = last + part;
      else out.push(part);
    }
  }
  return out;
}

export function textOf(parts: readonly Part[]): string {
  return parts.map((part) => part ?? '<…>').join('');
}

/** A message of several lines is documented by its first line. */
function firstLine(parts: readonly Part[]): Part[] {
  const out: Part[] = [];
  for (const part of parts) {
    if (part?.includes('\n')) {
      out.push(part.slice(0, part.indexOf('\n')));
      break;
    }
    out.push(part);
  }
  return normalise(out);
}

/** A message worth checking has some words of its own, not just punctuation around a value. */
function meaningful(parts: readonly Part[]): boolean {
  return parts.some((part) => part !== null && /[a-z]{3,}/i.test(part));
}

/** Both branches of `cond ? 'a' : 'b'` are messages of their own. */
function messagesOf(node: ts.Expression): Part[][] {
  if (ts.isParenthesizedExpression(node)) return messagesOf(node.expression);
  if (ts.isConditionalExpression(node)) return [...messagesOf(node.whenTrue), ...messagesOf(node.whenFalse)];
  const parts = partsOf(node);
  return parts ? [parts] : [];
}

function calleeName(node: ts.Expression): string {
  if (ts.isIdentifier(node)) return node.text;
  if (ts.isPropertyAccessExpression(node)) return node.name.text;
  return '';
}

function receiverText(node: ts.Expression, source: ts.SourceFile): string {
  return ts.isPropertyAccessExpression(node) ? node.expression.getText(source) : '';
}

/** Is `node` inside a class that extends `…Error` (other than RollerError)? */
function insideErrorClass(node: ts.Node): boolean {
  let current: ts.Node | undefined = node.parent;
  while (current && !ts.isClassDeclaration(current)) current = current.parent;
  const base = current?.heritageClauses?.[0]?.types[0]?.expression;
  return base !== undefined && ts.isIdentifier(base) && base.text.endsWith('Error') && base.text !== 'RollerError';
}

/** Everything `fileName` (its text given) shows an operator. */
export function extractVisible(fileName: string, text: string): Visible[] {
  const source = ts.createSourceFile(fileName, text, ts.ScriptTarget.Latest, true);
  const found: Visible[] = [];
  const add = (kind: Kind, node: ts.Node, message: ts.Expression | undefined): void => {
    if (!message) return;
    for (const whole of messagesOf(message)) {
      const parts = firstLine(whole);
      if (!meaningful(parts)) continue;
      const line = source.getLineAndCharacterOfPosition(node.getStart(source)).line + 1;
      found.push({ kind, text: textOf(parts), parts, where: `${fileName}:${line}` });
    }
  };
  const addCode = (node: ts.Node, code: ts.Expression | undefined): void => {
    if (!code || !ts.isStringLiteral(code)) return;
    const line = source.getLineAndCharacterOfPosition(node.getStart(source)).line + 1;
    found.push({ kind: 'api-code', text: code.text, parts: [code.text], where: `${fileName}:${line}` });
  };

  const visit = (node: ts.Node): void => {
    if (ts.isNewExpression(node)) {
      const name = calleeName(node.expression);
      const args = node.arguments ?? [];
      if (name === 'RollerError') {
        addCode(node, args[0]);
        add('api-message', node, args[1]);
      } else if (name === 'StageFailure') {
        add('run-reason', node, args[0]);
      } else if (name === 'RunAbort') {
        add('run-reason', node, args[1]);
      } else if (name.endsWith('Error') && !PROGRAMMING_ERRORS.has(name)) {
        const message = args.find((arg) => partsOf(arg) !== undefined || ts.isConditionalExpression(arg));
        add('refusal', node, message);
      }
    } else if (ts.isCallExpression(node)) {
      const name = calleeName(node.expression);
      const args = node.arguments;
      const receiver = receiverText(node.expression, source);
      if (name === 'validationFailed') {
        add('api-message', node, args[0]);
      } else if (LOG_LEVELS.has(name) && /(^|\.|#)(log|logger)$/i.test(receiver)) {
        add('log', node, args[args.length - 1]);
      } else if (name === 'log' && args.length >= 2) {
        const level = args[0];
        if (level && ts.isStringLiteral(level) && RUN_LOG_LEVELS.has(level.text)) add('run-log', node, args[1]);
      } else if (name === 'push' && receiver === 'notes' && fileName.includes('discovery')) {
        add('run-log', node, args[0]);
      } else if (name === 'write' && receiver === 'process.stderr') {
        const first = args[0] ? partsOf(args[0])?.[0] : undefined;
        if (typeof first === 'string' && first.startsWith('roller: warning:')) add('cli-warning', node, args[0]);
      } else if (node.expression.kind === ts.SyntaxKind.SuperKeyword && insideErrorClass(node)) {
        // An error class that writes its own message (the data-directory lock, a dirty schema…).
        add(
          'refusal',
          node,
          args.find((arg) => partsOf(arg) !== undefined),
        );
      }
    } else if (ts.isPropertyAssignment(node) && ts.isIdentifier(node.name)) {
      // A route's `dbErrorMessage` is logged at error and answered as the `db_error` message.
      if (node.name.text === 'dbErrorMessage') add('log', node, node.initializer);
      // A parameter schema's `x-error` message is the envelope message of a bad query or path parameter.
      if (node.name.text === 'message' && fileName.includes('shared/schemas/'))
        add('api-message', node, node.initializer);
    }
    ts.forEachChild(node, visit);
  };
  visit(source);

  // SQL that fails or cancels a run writes its reason as a literal.
  for (const match of text.matchAll(/last_error\s*=\s*'([^']+)'/g)) {
    const line = text.slice(0, match.index).split('\n').length;
    const reason = match[1] as string;
    found.push({ kind: 'run-reason', text: reason, parts: [reason], where: `${fileName}:${line}` });
  }
  return found;
}

/** Source files an operator's messages come from: all of src/ except the browser app, tests and typings. */
export function sourceFiles(root: string): string[] {
  const out: string[] = [];
  const walk = (dir: string): void => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) {
        if (relative(root, path).split(sep).join('/') !== 'src/web') walk(path);
      } else if (/\.ts$/.test(entry.name) && !/\.(test|d)\.ts$/.test(entry.name)) {
        out.push(path);
      }
    }
  };
  walk(join(root, 'src'));
  return out.sort();
}

/** Every visible text of the repository at `root`, one entry per (kind, text). */
export function collectVisible(root: string): Visible[] {
  const unique = new Map<string, Visible>();
  for (const file of sourceFiles(root)) {
    const name = relative(root, file).split(sep).join('/');
    for (const item of extractVisible(name, readFileSync(file, 'utf8'))) {
      const key = `${item.kind}\u0000${item.text}`;
      if (!unique.has(key)) unique.set(key, item);
    }
  }
  return [...unique.values()];
}

/**
 * Texts the runbook writes down as code: inline code spans (with `\|` read as `|`, as tables need it)
 * and every line of fenced code blocks.
 */
export function documentedTexts(markdown: string): string[] {
  const texts: string[] = [];
  let inFence = false;
  const prose: string[] = [];
  for (const line of markdown.split('\n')) {
    if (/^\s*```/.test(line)) {
      inFence = !inFence;
      continue;
    }
    if (inFence) texts.push(line.trim());
    else prose.push(line);
  }
  for (const line of prose) {
    for (const match of line.matchAll(/(`+)(.+?)\1(?!`)/g))
      texts.push((match[2] as string).trim().replace(/\\\|/g, '|'));
  }
  return texts;
}

/**
 * Does one documented text spell out this message? Literal parts must appear as written, in
 * order, and each hole must be filled by something (`<address>`, an example value…).
 */
export function matcherOf(item: Pick<Visible, 'parts'>): RegExp {
  const body = item.parts.map((part) => (part === null ? '.+?' : part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'))).join('');
  return new RegExp(`^${body}$`, 's');
}

export function undocumented(items: readonly Visible[], markdown: string): Visible[] {
  const texts = documentedTexts(markdown);
  return items.filter((item) => {
    const matcher = matcherOf(item);
    return !texts.some((text) => matcher.test(text));
  });
}
