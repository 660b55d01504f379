/**
 * What a map request runs, and how PostgreSQL reads it: a second core app on a Kysely that records
 * every compiled statement serves one request (so no copy of the repository's SQL lives in the bench),
 * and each statement is run under EXPLAIN ANALYZE to find sequential scans and over-wide index reads.
 */
import type { CompiledQuery, KyselyPlugin } from 'kysely';
import type { Database } from '../src/storage/database.ts';
import type { DirectDriver } from './backends.ts';
import type { CapturedQuery } from './capture-sql.ts';

/** The same database, its Kysely wrapped in a plugin that records each statement as it is compiled. */
export function capturingDatabase(database: Database): { database: Database; take(): CapturedQuery[] } {
  let captured: CompiledQuery[] = [];
  const executor = database.db.getExecutor();
  const plugin: KyselyPlugin = {
    transformQuery(args) {
      captured.push(executor.compileQuery(args.node, args.queryId));
      return args.node;
    },
    transformResult: async (args) => args.result,
  };
  return {
    // close is a no-op: the real handle belongs to the bench.
    database: { ...database, db: database.db.withPlugin(plugin), close: async () => {} },
    take() {
      const taken = captured.map((query) => ({ sql: query.sql, parameters: [...query.parameters] }));
      captured = [];
      return taken;
    },
  };
}

export interface ScanNode {
  /** Seq Scan, Index Scan, Index Only Scan, Bitmap Heap Scan, Bitmap Index Scan. */
  kind: string;
  table: string | null;
  index: string | null;
  /** Rows the node returned over all its loops, plus rows it read and dropped (Rows Removed by Filter/Recheck). */
  rowsTouched: number;
  loops: number;
}

export interface StatementPlan {
  /** The statement, whitespace collapsed. */
  statement: string;
  parameters: readonly unknown[];
  executionMs: number | null;
  scans: ScanNode[];
  /** Tables read by a sequential scan. */
  seqScans: string[];
  /** The most rows one scan node touched. */
  widestScan: number;
  plan: string[];
}

const NODE =
  /(?:->\s+)?(Parallel )?(Seq Scan|Index Only Scan|Index Scan|Bitmap Heap Scan|Bitmap Index Scan)(?: Backward)?(?: using (\S+))?(?: on (\S+))?/;
const ACTUAL = /actual (?:time=[\d.]+\.\.[\d.]+ )?rows=([\d.]+) loops=(\d+)/;

export function parsePlan(plan: readonly string[]): ScanNode[] {
  const scans: ScanNode[] = [];
  let current: ScanNode | undefined;
  for (const line of plan) {
    const node = NODE.exec(line);
    if (node && /^\s*(->\s+)?(Parallel )?(Seq|Index|Bitmap)/.test(line)) {
      const actual = ACTUAL.exec(line);
      const rows = Number(actual?.[1] ?? 0);
      // A node the executor never reached has no actual figures: it read nothing.
      const loops = line.includes('(never executed)') ? 0 : Number(actual?.[2] ?? 1);
      const kind = node[2] ?? '';
      // "Bitmap Index Scan on <index>" names the index where the others name the table.
      const index = kind === 'Bitmap Index Scan' ? (node[4] ?? null) : (node[3] ?? null);
      const table = kind === 'Bitmap Index Scan' ? null : (node[4] ?? null);
      current = { kind, table, index, rowsTouched: rows * loops, loops };
      scans.push(current);
      continue;
    }
    if (/^\s*->/.test(line)) current = undefined;
    const removed = /Rows Removed by (?:Filter|Index Recheck): (\d+)/.exec(line);
    if (removed && current) current.rowsTouched += Number(removed[1]) * current.loops;
  }
  return scans;
}

export async function explainStatement(driver: DirectDriver, statement: CapturedQuery): Promise<StatementPlan> {
  const rows = await driver.query(`EXPLAIN (ANALYZE, BUFFERS OFF) ${statement.sql}`, statement.parameters);
  const plan = rows.map((row) => String(row['QUERY PLAN']));
  const scans = parsePlan(plan);
  const execution = plan.map((line) => /Execution Time: ([\d.]+) ms/.exec(line)).find((match) => match !== null);
  return {
    statement: statement.sql.replace(/\s+/g, ' ').trim(),
    parameters: statement.parameters,
    executionMs: execution?.[1] === undefined ? null : Number(execution[1]),
    scans,
    seqScans: [...new Set(scans.filter((scan) => scan.kind === 'Seq Scan').map((scan) => scan.table ?? '?'))],
    widestScan: Math.max(0, ...scans.map((scan) => scan.rowsTouched)),
    plan,
  };
}

/** The repository method a captured statement came from, recognised by its text (for the report). */
export function statementLabel(sql: string): string {
  const text = sql.replace(/\s+/g, ' ');
  if (/FROM devices d LEFT JOIN device_metadata/.test(text) && /ANY\(/.test(text)) return 'devices';
  if (/WITH owned AS/.test(text)) return 'ipFacts';
  if (/ip_addresses a WHERE a\.ip <<=/.test(text)) return 'subnetMembers';
  if (/interface_vlans v ON v\.interface_id = i\.id WHERE i\.device_id = ANY/.test(text)) return 'vlanFacts';
  if (/FROM interface_vlans v JOIN interfaces i/.test(text)) return 'vlanMembers';
  if (/count\(\*\)::int AS links/.test(text)) return 'linkCounts';
  if (/AS peer_id FROM \(/.test(text)) return 'links';
  if (/FROM services WHERE id = ANY/.test(text)) return 'servicesByIds';
  if (/FROM services WHERE id =/.test(text)) return 'service';
  if (/FROM services WHERE device_id =/.test(text)) return 'services';
  if (/FROM zones WHERE id = ANY/.test(text)) return 'zones';
  if (/FROM zones LIMIT 1/.test(text)) return 'anyZone';
  if (/FROM device_zones WHERE device_id = ANY/.test(text)) return 'zonesOfDevices';
  if (/FROM zone_policies WHERE from_zone_id = ANY.*UNION/.test(text)) return 'policyNeighbours';
  if (/FROM zone_policies/.test(text)) return 'policiesAmong';
  if (/count\(\*\)::int AS n FROM device_zones/.test(text)) return 'zoneMemberCount';
  if (/FROM device_zones WHERE zone_id =/.test(text)) return 'zoneMembers';
  if (/FROM service_dependencies/.test(text)) return 'dependencies';
  // Statements added to the repository after this bench was written: named by the first table read.
  return `other (${/\bFROM\s+([a-z_]+)/i.exec(text)?.[1] ?? '?'})`;
}

/** Row counts of the tables the map reads, to tell a harmless seq scan of a tiny table from a real one. */
export async function tableSizes(driver: DirectDriver): Promise<Record<string, number>> {
  const tables = [
    'devices',
    'device_metadata',
    'ip_addresses',
    'interfaces',
    'interface_vlans',
    'links',
    'services',
    'zones',
    'device_zones',
    'zone_policies',
    'service_dependencies',
  ];
  const sizes: Record<string, number> = {};
  for (const table of tables) {
    const [row] = await driver.query(`SELECT count(*)::int AS n FROM ${table}`, []);
    sizes[table] = Number(row?.n ?? 0);
  }
  return sizes;
}
