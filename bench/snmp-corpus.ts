/**
 * `npx tsx bench/snmp-corpus.ts`: how fast Roller walks the SNMP corpus (recordings of real devices in
 * ../shared/snmp-corpus, or ROLLER_SNMP_CORPUS), next to net-snmp's `snmpbulkwalk` on the same agents and
 * the same subtrees, in the same bench run. Needs root, snmpsimd and snmpbulkwalk (apt: snmpsim, snmp).
 *
 * Each recording is served by snmpsimd on its own loopback address (127.0.92.N:161, community `public`).
 * For every max-repetitions value asked for, and every repetition (the order of the tools rotates):
 *   - roller c4: collectSnmpDevice (credential GET, then readSnmpDevice with LLDP and CDP, 4 walks in
 *     flight, the enrichment default) — the walk time is readSnmpDevice's own (report.durationMs);
 *   - roller c1: the same with one walk at a time (like for like with a sequential snmpbulkwalk);
 *   - snmpbulkwalk: `snmpbulkwalk -v2c -c public -Cr<maxrep> -On <ip> <subtree>` for each subtree Roller
 *     walked on that recording, one after another; the time is the sum over subtrees (each is a process,
 *     so its start-up is in the figure: the `snmpget` column is one process answering one GET, for scale).
 * Rows are cross-checked: every subtree must give snmpbulkwalk and Roller the same number of rows.
 * Then, per max-repetitions value, one `roller core` (embedded database) runs discovery with SNMP and
 * topology over all agents: the run's enrichment stage time and its whole duration are reported.
 *
 * Options: --repeat=3 --max-repetitions=10,20,25,40 --parts=walks,run
 * Output: a table and a JSON document on stdout (also bench/results/snmp-corpus-<timestamp>.json); progress
 * on stderr. No figure here is asserted anywhere.
 */
import { spawn } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import type { SessionFactory } from '../src/discovery/snmp/open-with-credentials.ts';
import type { SnmpSession } from '../src/discovery/snmp/snmp.types.ts';
import { collectSnmpDevice } from '../src/discovery/snmp/snmp-device.ts';
import { openSnmpSession } from '../src/discovery/snmp/snmp-session.ts';
import { bulkRequestsFor } from '../src/discovery/snmp/walk-loop.ts';
import {
  CORPUS_COMMUNITY,
  CORPUS_CREDENTIAL,
  type CorpusAgent,
  corpusDir,
  corpusMissing,
  listRecordings,
  SNMP_PORT,
  snmpsimMissing,
  startCorpusAgents,
  stopCorpusAgents,
} from '../test/corpus/corpus-agents.ts';
import { runCorpusDiscovery } from '../test/corpus/corpus-run.ts';
import { killAllRollers, removeTempDirs } from '../test/support/process.ts';
import { machineInfo } from './options.ts';

const RESULTS_DIR = new URL('./results/', import.meta.url);
const SUBNET = '127.0.92';
const ALLOWLIST = `${SUBNET}.0/24`;
const TIMEOUT_MS = 3000;
const RETRIES = 1;
const PROCESS_LIMIT_MS = 120_000;

interface Options {
  repeat: number;
  maxRepetitions: number[];
  parts: Set<'walks' | 'run'>;
}

const USAGE = 'usage: npx tsx bench/snmp-corpus.ts [--repeat=3] [--max-repetitions=10,20,25,40] [--parts=walks,run]';

function parseArgs(argv: readonly string[]): Options {
  const flags = new Map<string, string>();
  for (const arg of argv) {
    const match = /^--([a-z-]+)=(.*)$/.exec(arg);
    if (!match?.[1] || match[2] === undefined) throw new Error(`unknown argument ${arg}\n${USAGE}`);
    flags.set(match[1], match[2]);
  }
  for (const flag of flags.keys()) {
    if (!['repeat', 'max-repetitions', 'parts'].includes(flag)) throw new Error(`unknown option --${flag}\n${USAGE}`);
  }
  const integer = (name: string, text: string, min: number, max: number): number => {
    const value = Number(text);
    if (!Number.isInteger(value) || value < min || value > max)
      throw new Error(`${name}: ${text} not in ${min}..${max}`);
    return value;
  };
  const list = (text: string): string[] =>
    text
      .split(',')
      .map((item) => item.trim())
      .filter(Boolean);
  const parts = list(flags.get('parts') ?? 'walks,run');
  for (const part of parts) if (part !== 'walks' && part !== 'run') throw new Error(`parts: unknown ${part}\n${USAGE}`);
  return {
    repeat: integer('repeat', flags.get('repeat') ?? '3', 1, 100),
    maxRepetitions: [
      ...new Set(
        list(flags.get('max-repetitions') ?? '10,20,25,40').map((text) => integer('max-repetitions', text, 1, 100)),
      ),
    ],
    parts: new Set(parts as ('walks' | 'run')[]),
  };
}

const progress = (text: string): void => {
  process.stderr.write(`[snmp-corpus bench] ${text}\n`);
};
const median = (values: readonly number[]): number => {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = sorted.length >> 1;
  return sorted.length === 0
    ? Number.NaN
    : sorted.length % 2
      ? (sorted[middle] as number)
      : ((sorted[middle - 1] as number) + (sorted[middle] as number)) / 2;
};
const round1 = (value: number): number => Math.round(value * 10) / 10;

/** Runs a command to completion (bounded), returning wall ms and stdout. */
function timed(command: string, args: readonly string[]): Promise<{ ms: number; stdout: string; code: number | null }> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'], env: { PATH: process.env.PATH ?? '' } });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      stdout += chunk;
    });
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
      stderr += chunk;
    });
    const timer = setTimeout(() => child.kill('SIGKILL'), PROCESS_LIMIT_MS);
    child.once('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.once('close', (code) => {
      clearTimeout(timer);
      const ms = performance.now() - started;
      if (code !== 0) reject(new Error(`${command} ${args.join(' ')} exited ${code}: ${stderr.trim().slice(0, 500)}`));
      else resolve({ ms, stdout, code });
    });
  });
}

/**
 * Rows of `snmpbulkwalk -On` output: lines that start with a numeric OID, except the one line it
 * prints for an empty subtree ("No Such Object/Instance …", "No more variables left …").
 */
const bulkwalkRows = (stdout: string): number =>
  stdout.split('\n').filter((line) => /^\.\d+(\.\d+)* = /.test(line) && !/ = No (Such|more) /.test(line)).length;

interface RollerWalk {
  root: string;
  rows: number;
}

/** collectSnmpDevice against one agent, recording every subtree it walked and its row count. */
async function rollerRead(
  address: string,
  maxRepetitions: number,
  concurrency: number,
): Promise<{ totalMs: number; walkMs: number; walks: RollerWalk[] }> {
  const walks: RollerWalk[] = [];
  const openSession: SessionFactory = (target, credential, options): SnmpSession => {
    const inner = openSnmpSession(target, credential, options);
    return {
      get: (oids) => inner.get(oids),
      walk: async (root, walkOptions) => {
        const rows = await inner.walk(root, walkOptions);
        walks.push({ root, rows: rows.length });
        return rows;
      },
      close: () => inner.close(),
    };
  };
  const started = performance.now();
  const result = await collectSnmpDevice(address, [CORPUS_CREDENTIAL], {
    port: SNMP_PORT,
    timeoutMs: TIMEOUT_MS,
    retries: RETRIES,
    maxRepetitions,
    lldp: true,
    cdp: true,
    concurrency,
    openSession,
  });
  const totalMs = performance.now() - started;
  if (!result.ok) throw new Error(`roller read of ${address} failed: ${result.error}`);
  const failed = (['interfaces', 'addresses', 'vlans', 'fdb', 'lldp', 'cdp'] as const).filter(
    (part) => result.report[part] && !result.report[part]?.ok,
  );
  if (failed.length > 0) throw new Error(`roller read of ${address}: ${failed.join(', ')} failed`);
  walks.sort((a, b) => (a.root < b.root ? -1 : 1));
  return { totalMs, walkMs: result.report.durationMs, walks };
}

/** snmpbulkwalk of each subtree, one after another: summed ms and rows per subtree. */
async function bulkwalk(
  address: string,
  maxRepetitions: number,
  roots: readonly string[],
): Promise<{ ms: number; rows: Map<string, number> }> {
  let ms = 0;
  const rows = new Map<string, number>();
  for (const root of roots) {
    const result = await timed('snmpbulkwalk', [
      '-v2c',
      '-c',
      CORPUS_COMMUNITY,
      `-Cr${maxRepetitions}`,
      '-On',
      '-t',
      String(TIMEOUT_MS / 1000),
      '-r',
      String(RETRIES),
      address,
      root,
    ]);
    ms += result.ms;
    rows.set(root, bulkwalkRows(result.stdout));
  }
  return { ms, rows };
}

interface RecordingResult {
  recording: string;
  address: string;
  maxRepetitions: number;
  walks: number;
  rows: number;
  /** GETBULK requests Roller needs, computed per subtree from its rows (walk-loop.ts bulkRequestsFor). */
  requests: number;
  rollerC4WalkMs: number[];
  rollerC4TotalMs: number[];
  rollerC1WalkMs: number[];
  bulkwalkMs: number[];
  snmpgetMs: number[];
  rowMismatches: string[];
}

interface RunResult {
  maxRepetitions: number;
  status: string;
  enrichmentMs: number | null;
  runMs: number | null;
  clientMs: number;
  snmpOk: number | null;
}

async function measureWalks(agents: readonly CorpusAgent[], options: Options): Promise<RecordingResult[]> {
  const results: RecordingResult[] = [];
  for (const maxRepetitions of options.maxRepetitions) {
    for (const agent of agents) {
      // Warm-up: snmpsimd indexes lazily; the first read also tells which subtrees Roller walks.
      const warm = await rollerRead(agent.address, maxRepetitions, 4);
      const roots = warm.walks.map((walk) => walk.root);
      const entry: RecordingResult = {
        recording: agent.recording,
        address: agent.address,
        maxRepetitions,
        walks: roots.length,
        rows: warm.walks.reduce((sum, walk) => sum + walk.rows, 0),
        requests: warm.walks.reduce((sum, walk) => sum + bulkRequestsFor(walk.rows, maxRepetitions), 0),
        rollerC4WalkMs: [],
        rollerC4TotalMs: [],
        rollerC1WalkMs: [],
        bulkwalkMs: [],
        snmpgetMs: [],
        rowMismatches: [],
      };
      const tools = ['c4', 'c1', 'bulkwalk', 'snmpget'] as const;
      for (let repetition = 0; repetition < options.repeat; repetition++) {
        for (let turn = 0; turn < tools.length; turn++) {
          const tool = tools[(turn + repetition) % tools.length];
          if (tool === 'c4') {
            const read = await rollerRead(agent.address, maxRepetitions, 4);
            entry.rollerC4WalkMs.push(read.walkMs);
            entry.rollerC4TotalMs.push(read.totalMs);
          } else if (tool === 'c1') {
            entry.rollerC1WalkMs.push((await rollerRead(agent.address, maxRepetitions, 1)).walkMs);
          } else if (tool === 'bulkwalk') {
            const walked = await bulkwalk(agent.address, maxRepetitions, roots);
            entry.bulkwalkMs.push(walked.ms);
            if (repetition === 0) {
              for (const walk of warm.walks) {
                const theirs = walked.rows.get(walk.root);
                if (theirs !== walk.rows)
                  entry.rowMismatches.push(`${walk.root}: roller ${walk.rows}, snmpbulkwalk ${theirs}`);
              }
            }
          } else {
            const get = await timed('snmpget', [
              '-v2c',
              '-c',
              CORPUS_COMMUNITY,
              '-On',
              agent.address,
              '1.3.6.1.2.1.1.1.0',
            ]);
            entry.snmpgetMs.push(get.ms);
          }
        }
      }
      progress(
        `${agent.recording} maxrep=${maxRepetitions}: roller c4 ${round1(median(entry.rollerC4WalkMs))} ms, c1 ${round1(median(entry.rollerC1WalkMs))} ms, snmpbulkwalk ${round1(median(entry.bulkwalkMs))} ms (${entry.walks} subtrees, ${entry.rows} rows)`,
      );
      results.push(entry);
    }
  }
  return results;
}

async function measureRuns(agents: readonly CorpusAgent[], options: Options): Promise<RunResult[]> {
  const results: RunResult[] = [];
  for (const maxRepetitions of options.maxRepetitions) {
    for (let repetition = 0; repetition < options.repeat; repetition++) {
      try {
        const { run, clientMs } = await runCorpusDiscovery(agents, {
          allowlist: ALLOWLIST,
          env: { DISCOVERY_SNMP_MAX_REPETITIONS: String(maxRepetitions) },
        });
        const stageMs = run.stats.stage_ms as Record<string, number> | undefined;
        const enrichment = run.stats.enrichment as Record<string, number> | undefined;
        results.push({
          maxRepetitions,
          status: run.status,
          enrichmentMs: stageMs?.enrichment ?? null,
          runMs: typeof run.stats.duration_ms === 'number' ? run.stats.duration_ms : null,
          clientMs,
          snmpOk: enrichment?.snmp_ok ?? null,
        });
        progress(
          `run maxrep=${maxRepetitions} #${repetition + 1}: ${run.status}, enrichment ${stageMs?.enrichment} ms, snmp_ok ${enrichment?.snmp_ok}`,
        );
      } finally {
        await killAllRollers();
        removeTempDirs();
      }
    }
  }
  return results;
}

function table(walks: readonly RecordingResult[], runs: readonly RunResult[], options: Options): string {
  const lines: string[] = [];
  const cells = (values: readonly (string | number)[], widths: readonly number[]): string =>
    values
      .map((value, index) =>
        index === 0 ? String(value).padEnd(widths[0] ?? 0) : String(value).padStart(widths[index] ?? 0),
      )
      .join('');
  if (walks.length > 0) {
    lines.push(
      'Per recording, median ms of the walks. roller c4: the enrichment default (4 walks in flight); c1: one walk at a time;',
      'bulkwalk: snmpbulkwalk of the same subtrees one after another (a process each); bulk net: bulkwalk minus',
      'subtrees × snmpget (one process answering one GET: start-up and one round trip).',
    );
    const widths = [14, 7, 9, 7, 9, 10, 10, 10, 10, 8, 8, 8];
    lines.push(
      cells(
        [
          'recording',
          'maxrep',
          'subtrees',
          'rows',
          'requests',
          'roller c4',
          'roller c1',
          'bulkwalk',
          'bulk net',
          'snmpget',
          'c1/bulk',
          'c1/net',
        ],
        widths,
      ),
    );
    for (const maxRepetitions of options.maxRepetitions) {
      const rows = walks.filter((entry) => entry.maxRepetitions === maxRepetitions);
      const total = { walks: 0, rows: 0, requests: 0, c4: 0, c1: 0, bulk: 0, net: 0 };
      for (const entry of rows) {
        const c4 = median(entry.rollerC4WalkMs);
        const c1 = median(entry.rollerC1WalkMs);
        const bulk = median(entry.bulkwalkMs);
        const get = median(entry.snmpgetMs);
        const net = Math.max(0, bulk - entry.walks * get);
        Object.assign(total, {
          walks: total.walks + entry.walks,
          rows: total.rows + entry.rows,
          requests: total.requests + entry.requests,
          c4: total.c4 + c4,
          c1: total.c1 + c1,
          bulk: total.bulk + bulk,
          net: total.net + net,
        });
        lines.push(
          cells(
            [
              entry.recording,
              maxRepetitions,
              entry.walks,
              entry.rows,
              entry.requests,
              Math.round(c4),
              Math.round(c1),
              Math.round(bulk),
              Math.round(net),
              round1(get),
              (c1 / bulk).toFixed(2),
              net > 0 ? (c1 / net).toFixed(2) : '-',
            ],
            widths,
          ),
        );
      }
      lines.push(
        cells(
          [
            'sum',
            maxRepetitions,
            total.walks,
            total.rows,
            total.requests,
            Math.round(total.c4),
            Math.round(total.c1),
            Math.round(total.bulk),
            Math.round(total.net),
            '',
            (total.c1 / total.bulk).toFixed(2),
            total.net > 0 ? (total.c1 / total.net).toFixed(2) : '-',
          ],
          widths,
        ),
      );
    }
    const mismatches = walks.flatMap((entry) =>
      entry.rowMismatches.map((text) => `${entry.recording} maxrep=${entry.maxRepetitions} ${text}`),
    );
    lines.push(
      mismatches.length === 0
        ? 'rows: snmpbulkwalk and Roller agree on every subtree'
        : `ROW MISMATCHES:\n${mismatches.join('\n')}`,
    );
  }
  if (runs.length > 0) {
    lines.push('', 'Discovery run over every recording (roller core, SNMP + topology), median ms');
    const widths = [7, 6, 12, 8, 8, 11];
    lines.push(cells(['maxrep', 'runs', 'enrichment', 'run', 'client', 'status'], widths).trimStart());
    for (const maxRepetitions of options.maxRepetitions) {
      const rows = runs.filter((entry) => entry.maxRepetitions === maxRepetitions);
      const value = (pick: (entry: RunResult) => number | null): number =>
        Math.round(median(rows.flatMap((entry) => (pick(entry) === null ? [] : [pick(entry) as number]))));
      lines.push(
        cells(
          [
            String(maxRepetitions).padStart(7),
            rows.length,
            value((entry) => entry.enrichmentMs),
            value((entry) => entry.runMs),
            value((entry) => entry.clientMs),
            [...new Set(rows.map((entry) => entry.status))].join(','),
          ],
          widths,
        ),
      );
    }
  }
  return lines.join('\n');
}

async function main(): Promise<void> {
  const options = parseArgs(process.argv.slice(2));
  const dir = corpusDir();
  const missing = corpusMissing(dir) ?? snmpsimMissing();
  if (missing) throw new Error(`cannot run: ${missing}`);
  if (options.parts.has('walks')) {
    for (const tool of ['snmpbulkwalk', 'snmpget']) {
      await timed(tool, ['--version']).catch(() => {
        throw new Error(`cannot run: ${tool} not installed (apt-get install -y snmp)`);
      });
    }
  }
  const recordings = listRecordings(dir).slice(0, 254);
  progress(`starting ${recordings.length} snmpsimd agents on ${ALLOWLIST}`);
  const agents = await startCorpusAgents(
    recordings,
    recordings.map((_, index) => `${SUBNET}.${index + 1}`),
    dir,
  );
  const stop = async (): Promise<void> => {
    await killAllRollers();
    removeTempDirs();
    await stopCorpusAgents(agents);
  };
  const onSignal = (): void => {
    void stop().finally(() => process.exit(130));
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  // Output piped into `head` must not kill the bench before it cleans up (EPIPE).
  process.stdout.on('error', () => {});
  // Last resort if the bench dies anyway: no core left running, no temporary directory left behind.
  process.once('exit', () => {
    void killAllRollers();
    removeTempDirs();
  });
  try {
    const walks = options.parts.has('walks') ? await measureWalks(agents, options) : [];
    const runs = options.parts.has('run') ? await measureRuns(agents, options) : [];
    const document = {
      bench: 'snmp-corpus',
      at: new Date().toISOString(),
      machine: machineInfo(),
      corpus: dir,
      options: { repeat: options.repeat, maxRepetitions: options.maxRepetitions, parts: [...options.parts] },
      settings: { timeoutMs: TIMEOUT_MS, retries: RETRIES, community: CORPUS_COMMUNITY },
      walks: walks.map((entry) => ({
        ...entry,
        median: {
          rollerC4WalkMs: round1(median(entry.rollerC4WalkMs)),
          rollerC4TotalMs: round1(median(entry.rollerC4TotalMs)),
          rollerC1WalkMs: round1(median(entry.rollerC1WalkMs)),
          bulkwalkMs: round1(median(entry.bulkwalkMs)),
          snmpgetMs: round1(median(entry.snmpgetMs)),
        },
      })),
      runs,
    };
    const text = table(walks, runs, options);
    process.stdout.write(`${text}\n\n${JSON.stringify(document, null, 2)}\n`);
    mkdirSync(RESULTS_DIR, { recursive: true });
    const file = new URL(`snmp-corpus-${document.at.replace(/[:.]/g, '-')}.json`, RESULTS_DIR);
    writeFileSync(file, `${JSON.stringify(document, null, 2)}\n`);
    progress(`written ${file.pathname}`);
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    await stop();
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
  process.exitCode = 1;
});
