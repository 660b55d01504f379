import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  EXAMPLES,
  GENERATED_CONFIG_DOCS,
  renderConfigurationMarkdown,
  renderEnvExample,
} from '../../scripts/config-docs.ts';
import { VARIABLES, type VariableName } from '../../src/config/variables.ts';

const REGENERATE = 'out of date: run `npx tsx scripts/gen-config-docs.ts` and commit the result';
const NAMES = Object.keys(VARIABLES) as VariableName[];

function committed(path: string): string {
  return readFileSync(new URL(`../../${path}`, import.meta.url), 'utf8');
}

describe('generated configuration docs', () => {
  it.each(GENERATED_CONFIG_DOCS.map((doc) => [doc.path, doc] as const))('%s matches the script output', (path, doc) => {
    expect(committed(path), `${path} is ${REGENERATE}`).toBe(doc.render());
  });

  it('lists every variable in .env.example exactly once, commented out', () => {
    const text = committed('.env.example');
    for (const name of NAMES) {
      const lines = text.split('\n').filter((line) => line.startsWith(`# ${name}=`));
      expect(lines, `${name} in .env.example`).toHaveLength(1);
    }
  });

  it('lists every variable in the tables of docs/configuration.md', () => {
    const text = committed('docs/configuration.md');
    for (const name of NAMES) {
      expect(text, `${name} in docs/configuration.md`).toMatch(new RegExp(`^\\| \`${name}\` +\\|`, 'm'));
    }
  });

  it('keeps .env.example inert: no uncommented line, no secret shown with a value other than a placeholder', () => {
    const lines = renderEnvExample().split('\n');
    expect(lines.filter((line) => line.trim() !== '' && !line.startsWith('#'))).toEqual([]);
    for (const [name, spec] of Object.entries(VARIABLES) as [VariableName, { secret?: boolean }][]) {
      if (!spec.secret) continue;
      const value = lines.find((line) => line.startsWith(`# ${name}=`))?.slice(`# ${name}=`.length);
      expect(value === '' || value === EXAMPLES[name], `${name} is a secret`).toBe(true);
    }
  });

  it('shows only examples and defaults that Roller accepts', () => {
    for (const [name, example] of Object.entries(EXAMPLES) as [VariableName, string][]) {
      const parse = VARIABLES[name].parse as (raw: string) => { ok: boolean };
      expect(parse(example).ok, `example for ${name}: ${example}`).toBe(true);
    }
    for (const name of NAMES) {
      const spec = VARIABLES[name];
      const parse = spec.parse as (raw: string) => { ok: boolean };
      if (spec.default !== undefined) expect(parse(spec.default).ok, `default of ${name}`).toBe(true);
    }
  });

  it('refuses a variable whose group has no section', () => {
    const stray = { X: { parse: () => ({ ok: true }), default: undefined, description: 'x', group: 'nowhere' } };
    expect(() => renderConfigurationMarkdown(stray)).toThrow(/GROUPS does not list/);
    expect(() => renderEnvExample(stray)).toThrow(/GROUPS does not list/);
  });
});
