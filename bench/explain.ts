import type { DirectDriver } from './backends.ts';
import type { CapturedQuery } from './capture-sql.ts';

export interface PlanCheck {
  seqScanOnDevices: boolean;
  /** Indexes the plan reads devices through, in plan order. */
  deviceIndexes: string[];
  executionMs: number | undefined;
  plan: string[];
}

/** EXPLAIN ANALYZE of the exact statement the API runs, with its parameters bound the same way. */
export async function explainQuery(driver: DirectDriver, query: CapturedQuery): Promise<PlanCheck> {
  const rows = await driver.query(`EXPLAIN (ANALYZE, BUFFERS OFF) ${query.sql}`, query.parameters);
  const plan = rows.map((row) => String(row['QUERY PLAN']));
  const deviceIndexes = new Set<string>();
  for (const line of plan) {
    const indexScan = /Index (?:Only )?Scan(?: Backward)? using (\S+) on devices\b/.exec(line);
    const bitmapScan = /Bitmap Index Scan on (devices_\S+)/.exec(line);
    const name = indexScan?.[1] ?? bitmapScan?.[1];
    if (name) deviceIndexes.add(name);
  }
  const execution = plan.map((line) => /Execution Time: ([\d.]+) ms/.exec(line)).find((match) => match !== null);
  return {
    // Matches "Seq Scan on devices d" and "Parallel Seq Scan on devices d", not device_metadata or device_tags.
    seqScanOnDevices: plan.some((line) => /Seq Scan on devices\b/.test(line)),
    deviceIndexes: [...deviceIndexes],
    executionMs: execution?.[1] === undefined ? undefined : Number(execution[1]),
    plan,
  };
}
