import type { GroupResult } from './measure.ts';

export const TARGETS = { backend: 'postgres', size: 100_000, minApiToSql: 0.5, maxP99Ms: 50 } as const;

/** More CPU than this taken by other processes during a phase makes its figures suspect. */
const DISTURBED_CORES = 0.25;

export interface TargetCheck {
  scenario: string;
  check: string;
  value: string;
  pass: boolean;
}

export interface TargetReport {
  /** Which group the targets were checked on, or why none could be. */
  on: string;
  checks: TargetCheck[];
  pass: boolean;
  /** Phases during which other processes took noticeable CPU, if any. */
  disturbed: string[];
}

/** The targets of the issue, checked on PostgreSQL at 100k devices (or the largest PostgreSQL size run). */
export function checkTargets(groups: readonly GroupResult[]): TargetReport {
  const candidates = groups.filter((group) => group.backend === TARGETS.backend).sort((a, b) => b.size - a.size);
  const group = candidates.find((entry) => entry.size === TARGETS.size) ?? candidates[0];
  if (!group) return { on: 'PostgreSQL was not measured', checks: [], pass: false, disturbed: [] };
  const checks: TargetCheck[] = group.scenarios.flatMap((result) => [
    {
      scenario: result.scenario,
      check: `API ≥ ${TARGETS.minApiToSql * 100}% of direct SQL`,
      value: `${pct(result.apiToSql)}`,
      pass: result.apiToSql >= TARGETS.minApiToSql,
    },
    {
      scenario: result.scenario,
      check: `API p99 < ${TARGETS.maxP99Ms} ms`,
      value: `${result.api.p99} ms`,
      pass: result.api.p99 < TARGETS.maxP99Ms,
    },
    ...(result.search
      ? [
          {
            scenario: result.scenario,
            check: 'no Seq Scan on devices',
            value: result.explain.seqScanOnDevices ? 'seq scan' : result.explain.deviceIndexes.join(', '),
            pass: !result.explain.seqScanOnDevices,
          },
        ]
      : []),
    {
      scenario: result.scenario,
      check: 'no failed requests',
      value: `${result.api.errors + result.sql.errors}`,
      pass: result.api.errors + result.sql.errors === 0,
    },
  ]);
  const on = `${group.backend} at ${group.size} devices${group.size === TARGETS.size ? '' : ` (no ${TARGETS.size} run)`}`;
  return { on, checks, pass: checks.every((check) => check.pass), disturbed: disturbedPhases(groups) };
}

function disturbedPhases(groups: readonly GroupResult[]): string[] {
  const phases = groups.flatMap((group) => [
    { name: `${group.backend} ${group.size} bare`, cpu: group.bare.cpu },
    ...group.scenarios.flatMap((result) => [
      { name: `${group.backend} ${group.size} ${result.scenario} API`, cpu: result.api.cpu },
      { name: `${group.backend} ${group.size} ${result.scenario} SQL`, cpu: result.sql.cpu },
    ]),
  ]);
  return phases
    .filter((entry) => (entry.cpu.otherCores ?? 0) > DISTURBED_CORES)
    .map((entry) => `${entry.name}: ${entry.cpu.otherCores} cores`);
}

const COLUMNS = [
  'backend',
  'devices',
  'scenario',
  'query',
  'match',
  'API rps',
  'p50',
  'p99',
  'SQL rps',
  'p50',
  'p99',
  'bare rps',
  'API/SQL',
  'API/bare',
  'other CPU',
  'devices scan',
] as const;

export function renderTable(groups: readonly GroupResult[]): string {
  const rows: string[][] = [];
  for (const group of groups) {
    for (const result of group.scenarios) {
      rows.push([
        group.backend,
        String(group.size),
        result.scenario,
        result.detail,
        String(result.matches),
        fixed(result.api.rps, 0),
        ms(result.api.p50),
        ms(result.api.p99),
        fixed(result.sql.rps, 0),
        ms(result.sql.p50),
        ms(result.sql.p99),
        fixed(group.bare.rps, 0),
        pct(result.apiToSql),
        pct(result.apiToBare),
        otherCpu(result.api.cpu.otherCores, result.sql.cpu.otherCores),
        result.explain.seqScanOnDevices ? 'SEQ SCAN' : result.explain.deviceIndexes.join('+') || '-',
      ]);
    }
  }
  return formatTable([...COLUMNS], rows);
}

export function renderTargets(report: TargetReport): string {
  if (report.checks.length === 0) return `Targets not checked: ${report.on}`;
  const rows = report.checks.map((check) => [check.scenario, check.check, check.value, check.pass ? 'pass' : 'FAIL']);
  const verdict = `\n${report.pass ? 'all targets met' : 'targets NOT met'}`;
  const warning =
    report.disturbed.length === 0
      ? ''
      : `\nWARNING: other processes took CPU during ${report.disturbed.length} phase(s); re-run on an idle machine:\n  ${report.disturbed.join('\n  ')}`;
  return `Targets on ${report.on}\n${formatTable(['scenario', 'target', 'measured', 'result'], rows)}${verdict}${warning}`;
}

function formatTable(header: string[], rows: string[][]): string {
  const widths = header.map((title, column) =>
    Math.max(title.length, ...rows.map((row) => (row[column] ?? '').length)),
  );
  const line = (cells: string[]): string =>
    cells
      .map((cell, column) => (column < 4 ? cell.padEnd(widths[column] ?? 0) : cell.padStart(widths[column] ?? 0)))
      .join('  ');
  return [line(header), widths.map((width) => '-'.repeat(width)).join('  '), ...rows.map(line)].join('\n');
}

/** The larger of the two phases' foreign CPU, in cores. */
function otherCpu(...cores: (number | null)[]): string {
  const known = cores.filter((value): value is number => value !== null);
  return known.length === 0 ? '-' : Math.max(...known).toFixed(2);
}

function fixed(value: number, digits: number): string {
  return value.toFixed(digits);
}

function ms(value: number): string {
  return Number.isFinite(value) ? `${value}` : '-';
}

function pct(ratio: number): string {
  return `${Math.round(ratio * 100)}%`;
}
