/** The map bench's tables: latency per scenario, then what EXPLAIN found in the repository's statements. */
import type { MapGroup, MapScenarioResult } from './map.ts';
import type { StatementPlan } from './map-plan.ts';

/** A sequential scan of a table smaller than this is what PostgreSQL should do; larger ones are findings. */
const SMALL_TABLE = 1000;
/** One scan node touching more rows than this, for a request that shows at most 120 nodes, is a finding. */
const WIDE_SCAN = 5000;

function formatTable(header: string[], rows: string[][], leftColumns: number): string {
  const widths = header.map((title, column) =>
    Math.max(title.length, ...rows.map((row) => (row[column] ?? '').length)),
  );
  const line = (cells: string[]): string =>
    cells
      .map((cell, column) =>
        column < leftColumns ? cell.padEnd(widths[column] ?? 0) : cell.padStart(widths[column] ?? 0),
      )
      .join('  ')
      .trimEnd();
  return [line(header), widths.map((width) => '-'.repeat(width)).join('  '), ...rows.map(line)].join('\n');
}

const ms = (value: number): string =>
  Number.isFinite(value) ? (value < 10 ? value.toFixed(2) : value.toFixed(1)) : '-';
const times = (value: number): string => (Number.isFinite(value) ? `${value.toFixed(1)}×` : '-');

function other(result: MapScenarioResult): string {
  const cores = [result.api.cpu.otherCores, result.repoSql.cpu.otherCores, result.bareSql.cpu.otherCores].filter(
    (value): value is number => typeof value === 'number',
  );
  return cores.length === 0 ? '-' : Math.max(...cores).toFixed(2);
}

export function renderTable(groups: readonly MapGroup[]): string {
  const header = [
    'backend',
    'scenario',
    'reg/nodes/edges',
    'API p50',
    'p99',
    'repo p50',
    'p99',
    'stmts',
    'bare p50',
    'p99',
    'API/bare p50',
    'p99',
    'API/repo',
    'n',
    'other CPU',
  ];
  const rows = groups.flatMap((group) =>
    group.scenarios.map((result) => {
      const shape = `${result.shape.regions}/${result.shape.nodes}/${result.shape.edges}${result.shape.truncated.length > 0 ? '*' : ''}`;
      return [
        group.backend,
        result.scenario,
        shape,
        ms(result.api.p50),
        ms(result.api.p99),
        ms(result.repoSql.p50),
        ms(result.repoSql.p99),
        String(result.repoStatements.length),
        ms(result.bareSql.p50),
        ms(result.bareSql.p99),
        times(result.ratios.apiToBareP50),
        times(result.ratios.apiToBareP99),
        times(result.ratios.apiToRepoP50),
        String(result.api.samples),
        other(result),
      ];
    }),
  );
  const checks = groups.flatMap((group) =>
    group.scenarios
      .filter((result) => result.bareCheck !== undefined)
      .map((result) => `${group.backend} ${result.scenario}: ${result.bareCheck}`),
  );
  return [
    'Map projections: latency per request in ms (p50/p99), concurrency as configured; * = a cap was hit',
    formatTable(header, rows, 3),
    ...(checks.length > 0 ? ['', 'Reference checks that failed:', ...checks.map((check) => `  ${check}`)] : []),
  ].join('\n');
}

interface Finding {
  backend: string;
  label: string;
  scenarios: string[];
  kind: string;
  table: string;
  rows: number;
  executionMs: number | null;
  plan: StatementPlan;
}

/** Sequential scans of sizeable tables and over-wide index reads, one entry per statement kind and table. */
export function findings(groups: readonly MapGroup[]): Finding[] {
  const found = new Map<string, Finding>();
  for (const group of groups) {
    for (const result of group.scenarios) {
      for (const plan of result.repoPlans) {
        for (const scan of plan.scans) {
          if (scan.loops === 0) continue;
          const table = scan.table ?? scan.index ?? '?';
          const size = group.tableSizes[table] ?? Number.POSITIVE_INFINITY;
          const seq = scan.kind === 'Seq Scan' && size >= SMALL_TABLE;
          const wide = scan.rowsTouched > WIDE_SCAN;
          if (!seq && !wide) continue;
          const kind = seq ? 'seq scan' : `${scan.kind} touching many rows`;
          const key = `${group.backend}|${plan.label}|${kind}|${table}`;
          const entry = found.get(key);
          if (entry) {
            if (!entry.scenarios.includes(result.scenario)) entry.scenarios.push(result.scenario);
            if (scan.rowsTouched > entry.rows) {
              entry.rows = scan.rowsTouched;
              entry.plan = plan;
              entry.executionMs = plan.executionMs;
            }
          } else {
            found.set(key, {
              backend: group.backend,
              label: plan.label,
              scenarios: [result.scenario],
              kind,
              table,
              rows: scan.rowsTouched,
              executionMs: plan.executionMs,
              plan,
            });
          }
        }
      }
    }
  }
  return [...found.values()];
}

/** "l3 device d1, l3 subnet d3, l2 vlan d1" → "l2, l3 (3 scenarios)": the full list is in the JSON. */
function layersOf(scenarios: readonly string[]): string {
  const layers = [...new Set(scenarios.map((name) => name.split(' ')[0] ?? name))];
  return `${layers.join(', ')} (${scenarios.length} scenario${scenarios.length === 1 ? '' : 's'})`;
}

export function renderFindings(groups: readonly MapGroup[]): string {
  const list = findings(groups);
  const lines = [
    `EXPLAIN ANALYZE of every repository statement: sequential scans of tables with ≥ ${SMALL_TABLE} rows, and scan nodes touching > ${WIDE_SCAN} rows`,
  ];
  if (list.length === 0) return [...lines, 'none'].join('\n');
  lines.push(
    formatTable(
      ['backend', 'statement', 'finding', 'table/index', 'rows touched', 'exec ms', 'scenarios'],
      list.map((finding) => [
        finding.backend,
        finding.label,
        finding.kind,
        finding.table,
        String(Math.round(finding.rows)),
        finding.executionMs === null ? '-' : finding.executionMs.toFixed(1),
        layersOf(finding.scenarios),
      ]),
      4,
    ),
  );
  const seqTables = groups.flatMap((group) =>
    group.scenarios.flatMap((result) =>
      result.barePlans.flatMap((plan) => plan.seqScans.map((table) => `${group.backend} ${plan.label}: ${table}`)),
    ),
  );
  if (seqTables.length > 0)
    lines.push(
      '',
      `Sequential scans in the bare references (tiny tables expected): ${[...new Set(seqTables)].join('; ')}`,
    );
  return lines.join('\n');
}
