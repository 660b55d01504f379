/**
 * `npx tsx bench/history.ts`: the history and export endpoints of issue 5 on PGlite and PostgreSQL.
 *
 * History: 10k devices and 1M device_events (deterministic, about a year of them), then the change feed
 * (`GET /api/v1/devices/changes`) and a busy device's timeline (`GET /api/v1/devices/{id}/history`),
 * first and deep pages, each measured through the real API and as the very statements that request
 * ran (captured from the real app), replayed through the driver, alternating in the same run.
 *
 * Export: 100k devices, `GET /api/v1/devices/export` (JSON and CSV) streamed into a byte-counting sink,
 * timed, while the server runs alone in a child process whose RSS is sampled every 20 ms (by the child
 * itself and from /proc), next to the export's own statements replayed through the driver.
 *
 * Nothing is asserted: the figures are printed, and written to bench/results/history-<timestamp>.json.
 */
import { type ChildProcess, fork, spawn } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import type { RawResult } from 'autocannon';
import type { CompiledQuery, Kysely, KyselyPlugin } from 'kysely';
import pg from 'pg';
import { DEVICE_EVENT_KINDS } from '../src/domain/device-events.ts';
import { encodeCursor } from '../src/shared/cursor.ts';
import { type Database, openPglite, openPostgres } from '../src/storage/database.ts';
import type { Schema } from '../src/storage/schema.ts';
import { type BenchDatabase, type DirectDriver, openBenchDatabase, postgresUnavailable, redact } from './backends.ts';
import { averageCpu, type CpuUsage, machineLoad, measureCpu } from './cpu.ts';
import { HttpLoadGenerator, summariseHttp } from './load-http.ts';
import type { LoopOptions } from './load-sql.ts';
import { type BackendName, type BenchOptions, machineInfo, OptionsError, parseOptions } from './options.ts';
import { type SeedReport, seedDevices } from './seed.ts';
import { type RunningServer, startCoreApi } from './servers.ts';
import { type LoadResult, percentile, round, SampleBuffer } from './stats.ts';

const RESULTS_DIR = new URL('./results/', import.meta.url);
const PAGE_SIZE = 50;
/** The deep pages start this far into their ordered list. */
const DEEP_FRACTION = 0.9;
/** Events are spread over this window before the seed time (device_created events follow the devices). */
const EVENT_SPAN_DAYS = 365;
const EVENT_CHUNK = 50_000;
/** The filtered-feed scenarios: one kind with a realistic share (9%), and two kinds (the merged path). */
const FILTER_KIND = 'service_opened';
const FILTER_KINDS = ['ip_added', 'ip_removed'] as const;
/** A rare kind (1%, half of it older than the year): how a filter fares when matches are sparse. */
const RARE_KIND = 'device_created';
const EXPORT_REPEAT = 3;
const RSS_SAMPLE_MS = 20;
/** More CPU than this taken by other processes during a phase makes its figures suspect (as report.ts). */
const DISTURBED_CORES = 0.25;
const ROUND_PER_LATENCY = 10;
const CHILD_FLAG = '--export-server-child';
const WATCHDOG_FLAG = '--cleanup-watchdog';
const WATCHDOG_URL_ENV = 'ROLLER_HISTORY_BENCH_ADMIN_URL';

// ---------------------------------------------------------------------------------------------------
// Options

type Part = 'history' | 'export';

interface HistoryOptions extends BenchOptions {
  events: number;
  devices: number;
  exportDevices: number;
  parts: Part[];
}

const USAGE = `usage: npx tsx bench/history.ts [--backends=pglite,postgres] [--events=1000000] [--devices=10000]
       [--export-devices=100000] [--duration=5] [--parts=history,export] [--rounds=5] [--warmup=1]
       [--concurrency=16] [--pool-size=10] [--postgres-url=postgres://…@127.0.0.1:5432/db]
Each flag can also be given as an environment variable: BENCH_BACKENDS, BENCH_EVENTS, BENCH_DEVICES,
BENCH_EXPORT_DEVICES, BENCH_DURATION, BENCH_PARTS, BENCH_ROUNDS, BENCH_WARMUP, BENCH_CONCURRENCY,
BENCH_POOL_SIZE, BENCH_POSTGRES_URL.`;

const FLAGS = new Set([
  'backends',
  'events',
  'devices',
  'export-devices',
  'duration',
  'parts',
  'rounds',
  'warmup',
  'concurrency',
  'pool-size',
  'postgres-url',
]);

function parseHistoryOptions(argv: readonly string[], env: NodeJS.ProcessEnv): HistoryOptions {
  const flags = new Map<string, string>();
  for (const arg of argv) {
    if (arg === '--help' || arg === '-h') throw new OptionsError(USAGE);
    const match = /^--([a-z-]+)=(.*)$/.exec(arg);
    if (!match?.[1] || match[2] === undefined || !FLAGS.has(match[1])) {
      throw new OptionsError(`unknown argument ${arg}\n${USAGE}`);
    }
    flags.set(match[1], match[2]);
  }
  // The shared flags keep their meaning and checks (loopback-only PostgreSQL URL, integer bounds).
  const shared = parseOptions(
    argv.filter((arg) => !/^--(events|devices|export-devices|parts)=/.test(arg)),
    env,
  );
  const value = (flag: string, envName: string): string | undefined => flags.get(flag) ?? env[envName];
  const integer = (name: string, text: string, min: number): number => {
    const number = Number(text.replace(/_/g, ''));
    if (!Number.isInteger(number) || number < min)
      throw new OptionsError(`${name}: ${text} is not an integer ≥ ${min}`);
    return number;
  };
  const devices = integer('devices', value('devices', 'BENCH_DEVICES') ?? '10000', 200);
  const events = integer('events', value('events', 'BENCH_EVENTS') ?? '1000000', devices + 1000);
  const exportDevices = integer('export-devices', value('export-devices', 'BENCH_EXPORT_DEVICES') ?? '100000', 100);
  const parts = (value('parts', 'BENCH_PARTS') ?? 'history,export')
    .split(',')
    .map((part) => part.trim())
    .filter((part) => part.length > 0)
    .map((part) => {
      if (part !== 'history' && part !== 'export') throw new OptionsError(`parts: ${part} is not history or export`);
      return part;
    });
  return { ...shared, events, devices, exportDevices, parts: [...new Set(parts)] };
}

// ---------------------------------------------------------------------------------------------------
// Clean-up: every database, temp directory and child process is released on exit and on Ctrl-C.

const cleanups = new Set<() => Promise<void>>();

/** Registers a clean-up; calling it (or cleanUpAll) twice runs it once and both wait for the same end. */
function track(cleanup: () => Promise<void>): () => Promise<void> {
  let running: Promise<void> | undefined;
  const once = (): Promise<void> => {
    running ??= cleanup().finally(() => cleanups.delete(once));
    return running;
  };
  cleanups.add(once);
  return once;
}

async function cleanUpAll(): Promise<void> {
  for (const cleanup of [...cleanups].reverse()) await cleanup().catch(() => {});
}

/**
 * What outlives this process if it dies uncleanly (SIGKILL, or tsx's signal relay killing it while PGlite
 * blocks the event loop): a detached watchdog (this file in WATCHDOG_FLAG mode) is told every database and
 * directory as it is created and dropped, over its stdin; when that pipe closes, this process is gone, and
 * the watchdog removes whatever is left. After a clean run nothing is left and it just exits.
 */
type Leftover = { kind: 'dir'; path: string } | { kind: 'db'; name: string };

class Watchdog {
  private constructor(private readonly child: ChildProcess) {}

  static start(adminUrl: string): Watchdog {
    const child = spawn(
      process.execPath,
      ['--import', import.meta.resolve('tsx'), fileURLToPath(import.meta.url), WATCHDOG_FLAG],
      // The admin URL travels in the environment, not in argv where `ps` would show its password.
      { detached: true, stdio: ['pipe', 'ignore', 'inherit'], env: { ...process.env, [WATCHDOG_URL_ENV]: adminUrl } },
    );
    child.unref();
    (child.stdin as unknown as { unref?: () => void } | null)?.unref?.();
    child.stdin?.on('error', () => {});
    return new Watchdog(child);
  }

  add(leftover: Leftover): void {
    this.child.stdin?.write(`${JSON.stringify({ add: leftover })}\n`);
  }

  remove(leftover: Leftover): void {
    this.child.stdin?.write(`${JSON.stringify({ remove: leftover })}\n`);
  }

  close(): void {
    this.child.stdin?.end();
  }
}

async function leftoverOf(bench: BenchDatabase): Promise<Leftover> {
  if (bench.backend === 'pglite') return { kind: 'dir', path: bench.location };
  const [row] = await bench.direct.query('SELECT current_database() AS name', []);
  return { kind: 'db', name: String(row?.name) };
}

async function watchdogMain(adminUrl: string): Promise<void> {
  // Out of the terminal's process group (detached), so Ctrl-C does not reach it: only the closed pipe does.
  process.on('SIGINT', () => {});
  const left = new Map<string, Leftover>();
  let buffered = '';
  process.stdin.setEncoding('utf8');
  for await (const chunk of process.stdin as AsyncIterable<string>) {
    buffered += chunk;
    let newline = buffered.indexOf('\n');
    while (newline !== -1) {
      const message = JSON.parse(buffered.slice(0, newline)) as { add?: Leftover; remove?: Leftover };
      buffered = buffered.slice(newline + 1);
      if (message.add) left.set(JSON.stringify(message.add), message.add);
      if (message.remove) left.delete(JSON.stringify(message.remove));
      newline = buffered.indexOf('\n');
    }
  }
  for (const leftover of left.values()) {
    try {
      if (leftover.kind === 'dir') {
        rmSync(leftover.path, { recursive: true, force: true });
      } else if (/^roller_bench_[0-9a-f]+$/.test(leftover.name)) {
        const client = new pg.Client({ connectionString: adminUrl, connectionTimeoutMillis: 3000 });
        await client.connect();
        try {
          await client.query(`DROP DATABASE IF EXISTS ${leftover.name} WITH (FORCE)`);
        } finally {
          await client.end();
        }
      }
      process.stderr.write(
        `history bench watchdog: removed ${leftover.kind === 'dir' ? leftover.path : leftover.name}\n`,
      );
    } catch (error) {
      process.stderr.write(`history bench watchdog: could not remove ${JSON.stringify(leftover)}: ${String(error)}\n`);
    }
  }
}

let interrupted = false;

/** Ctrl-C reaches this process twice under tsx (directly and relayed): clean up once, ignore the repeat. */
function onSignal(): void {
  if (interrupted) return;
  interrupted = true;
  log('interrupted: cleaning up');
  cleanUpAll().finally(() => process.exit(130));
}

// ---------------------------------------------------------------------------------------------------
// Seeding device_events

export interface EventSeedReport {
  events: number;
  deviceCreated: number;
  drawn: number;
  /** The timestamp the year of events ends at (the seed's "now"). */
  now: string;
  insertSeconds: number;
  analyzeSeconds: number;
  kinds: Record<string, number>;
  busiest: { deviceId: string; events: number }[];
  tableSize: string | null;
}

/** Cumulative shares of the drawn (non-creation) events; presence flapping dominates, as on a real network. */
const KIND_WEIGHTS: readonly [string, number][] = [
  ['went_offline', 14],
  ['came_online', 14],
  ['ip_added', 9],
  ['ip_removed', 7],
  ['mac_added', 3],
  ['mac_removed', 2],
  ['service_opened', 9],
  ['service_closed', 7],
  ['snmp_changed', 6],
  ['vlan_changed', 5],
  ['link_added', 4],
  ['link_removed', 3],
  ['metadata_changed', 4],
  ['display_name_changed', 3],
  ['tag_added', 6],
  ['tag_removed', 4],
];

/** A uniform [0, 1) draw for row j, from PostgreSQL's own hash: deterministic and chunk-independent. */
function uniform(seed: number): string {
  return `((hashint8extended(j, ${seed}) & 281474976710655)::float8 / 281474976710656.0)`;
}

function kindValues(): string {
  const total = KIND_WEIGHTS.reduce((sum, [, weight]) => sum + weight, 0);
  let cumulative = 0;
  return KIND_WEIGHTS.map(([kind, weight], index) => {
    const lo = cumulative / total;
    cumulative += weight;
    const hi = index === KIND_WEIGHTS.length - 1 ? 2 : cumulative / total;
    return `('${kind}', ${lo}::float8, ${hi}::float8)`;
  }).join(', ');
}

/**
 * One chunk of drawn events, in time order so ids grow with event_at as they do when events are
 * appended live. Event j of M sits at start + (j + u)·span/M (monotonic), on a device chosen by hash:
 * 1% on the oldest device (a flapping access point), 19% on the next 99 oldest, the rest spread over
 * the devices that existed when the chunk starts. The device_created events of devices created inside
 * the chunk's window are merged in at their creation time.
 */
const CHUNK_SQL = `
WITH kinds(kind, lo, hi) AS (VALUES ${kindValues()}),
draws AS (
  SELECT j,
         $1::timestamptz + ((j + ${uniform(0)}) * $2::float8) * interval '1 microsecond' AS at,
         CASE WHEN ${uniform(1)} < 0.01 THEN 0
              WHEN ${uniform(1)} < 0.20 THEN 1 + floor(${uniform(2)} * 99)::int
              ELSE floor(${uniform(2)} * $3::int)::int END AS ix,
         ${uniform(3)} AS pick,
         (hashint8extended(j, 4) & 2147483647) AS bits
    FROM generate_series($4::bigint, $5::bigint - 1) AS j
),
picked AS (
  SELECT d.id AS device_id, k.kind, e.at, e.bits
    FROM draws e
    JOIN kinds k ON e.pick >= k.lo AND e.pick < k.hi
    JOIN bench_history_devices d ON d.ix = e.ix
  UNION ALL
  SELECT id, 'device_created', created_at, 0
    FROM bench_history_devices
   WHERE created_at >= $6::timestamptz AND created_at < $7::timestamptz
),
shaped AS (
  SELECT device_id, kind, at, bits,
         '10.' || (bits % 256) || '.' || ((bits >> 8) % 256) || '.' || (1 + (bits >> 16) % 254) AS ip,
         (ARRAY['f0:9f:c2', '3c:d9:2b', 'b8:27:eb', 'ac:cc:8e'])[1 + bits % 4] || ':' ||
           lpad(to_hex((bits >> 2) % 256), 2, '0') || ':' || lpad(to_hex((bits >> 10) % 256), 2, '0') || ':' ||
           lpad(to_hex((bits >> 18) % 256), 2, '0') AS mac,
         (ARRAY[22, 80, 443, 161, 3389, 8080, 8443, 9100, 515, 631, 554, 5060])[1 + bits % 12] AS port,
         1 + (bits >> 4) % 400 AS vlan,
         'Gi1/0/' || (1 + (bits >> 12) % 48) AS interface
    FROM picked
)
INSERT INTO device_events (device_id, kind, event_at, run_id, actor, summary, details)
SELECT device_id, kind, at,
       CASE WHEN kind IN ('metadata_changed', 'display_name_changed', 'tag_added', 'tag_removed') THEN NULL
            ELSE md5('run-' || floor(extract(epoch FROM at) / 3600)::bigint)::uuid END,
       CASE WHEN kind IN ('metadata_changed', 'display_name_changed', 'tag_added', 'tag_removed')
            THEN (ARRAY['a.martin', 'j.okafor', 'netops', 'import:netbox'])[1 + bits % 4] END,
       CASE kind
         WHEN 'device_created' THEN 'device created'
         WHEN 'went_offline' THEN 'went offline'
         WHEN 'came_online' THEN 'came back online'
         WHEN 'ip_added' THEN 'IP ' || ip || ' first seen'
         WHEN 'ip_removed' THEN 'IP ' || ip || ' no longer seen'
         WHEN 'mac_added' THEN 'MAC ' || mac || ' first seen'
         WHEN 'mac_removed' THEN 'MAC ' || mac || ' no longer seen'
         WHEN 'service_opened' THEN 'tcp/' || port || ' opened'
         WHEN 'service_closed' THEN 'tcp/' || port || ' closed'
         WHEN 'snmp_changed' THEN 'SNMP sys_descr changed'
         WHEN 'vlan_changed' THEN interface || ' moved to VLAN ' || vlan
         WHEN 'link_added' THEN 'LLDP link on ' || interface
         WHEN 'link_removed' THEN 'LLDP link on ' || interface || ' gone'
         WHEN 'metadata_changed' THEN 'owner changed'
         WHEN 'display_name_changed' THEN 'renamed to sw-access-' || bits % 60
         WHEN 'tag_added' THEN 'tag ' || (ARRAY['printer', 'switch', 'camera', 'access_point', 'server'])[1 + bits % 5] || ' added'
         ELSE 'tag ' || (ARRAY['printer', 'switch', 'camera', 'access_point', 'server'])[1 + bits % 5] || ' removed'
       END,
       CASE
         WHEN kind = 'device_created' THEN jsonb_build_object('source', 'discovery')
         WHEN kind IN ('went_offline', 'came_online') THEN jsonb_build_object(
           'before', CASE kind WHEN 'went_offline' THEN 'online' ELSE 'offline' END,
           'after', CASE kind WHEN 'went_offline' THEN 'offline' ELSE 'online' END,
           'threshold_seconds', 1800)
         WHEN kind IN ('ip_added', 'ip_removed') THEN jsonb_build_object('ip', ip)
         WHEN kind IN ('mac_added', 'mac_removed') THEN jsonb_build_object('mac', mac)
         WHEN kind IN ('service_opened', 'service_closed') THEN jsonb_build_object('port', port, 'protocol', 'tcp',
           'name', (ARRAY['ssh', 'http', 'https', 'snmp', 'rdp', 'http-alt', 'https-alt', 'jetdirect', 'lpd', 'ipp', 'rtsp', 'sip'])[1 + bits % 12])
         WHEN kind = 'snmp_changed' THEN jsonb_build_object('field', 'sys_descr',
           'before', 'Cisco IOS Software, C2960 Software (C2960-LANBASEK9-M), Version 15.0(2)SE11',
           'after', 'Cisco IOS Software, C2960 Software (C2960-LANBASEK9-M), Version 15.2(7)E8')
         WHEN kind = 'vlan_changed' THEN jsonb_build_object('interface', interface, 'before', vlan + 10, 'after', vlan)
         WHEN kind IN ('link_added', 'link_removed') THEN jsonb_build_object('local_interface', interface,
           'other_device_id', md5('link-' || bits)::uuid, 'remote_interface', 'Gi0/' || (bits % 24), 'link_type', 'lldp')
         WHEN kind = 'metadata_changed' THEN jsonb_build_object('field', 'owner', 'before', 'netops', 'after', 'facilities')
         WHEN kind = 'display_name_changed' THEN jsonb_build_object('before', 'host-' || (bits % 100000), 'after', 'sw-access-' || bits % 60)
         ELSE jsonb_build_object('tag', (ARRAY['printer', 'switch', 'camera', 'access_point', 'server'])[1 + bits % 5], 'source', 'manual')
       END
  FROM shaped
 ORDER BY at`;

async function seedEvents(bench: BenchDatabase, total: number, progress: Progress): Promise<EventSeedReport> {
  // The seeded kinds must be the domain's: a kind it drops or renames fails the run here.
  for (const [kind] of KIND_WEIGHTS) {
    if (!(DEVICE_EVENT_KINDS as readonly string[]).includes(kind)) throw new Error(`unknown device event kind ${kind}`);
  }
  const direct = bench.direct;
  const started = performance.now();
  // Devices by age: index 0 is the oldest, so the busy devices existed for the whole year.
  await direct.query('DROP TABLE IF EXISTS bench_history_devices', []);
  await direct.query(
    `CREATE UNLOGGED TABLE bench_history_devices AS
       SELECT (row_number() OVER (ORDER BY created_at, id) - 1)::int AS ix, id, created_at FROM devices`,
    [],
  );
  await direct.query('CREATE UNIQUE INDEX bench_history_devices_ix ON bench_history_devices (ix)', []);
  await direct.query('ANALYZE bench_history_devices', []);
  const [countRow] = await direct.query('SELECT count(*)::int AS n FROM bench_history_devices', []);
  const deviceCount = Number(countRow?.n ?? 0);
  if (deviceCount < 100) throw new Error(`need at least 100 devices for the events, found ${deviceCount}`);

  const nowMs = Date.now();
  const spanMicros = EVENT_SPAN_DAYS * 86_400_000_000;
  const startMs = nowMs - EVENT_SPAN_DAYS * 86_400_000;
  const startIso = new Date(startMs).toISOString();
  const drawn = total - deviceCount;
  const step = spanMicros / drawn;

  // Devices that existed before the window: their creation events come first.
  await direct.query(
    `INSERT INTO device_events (device_id, kind, event_at, summary, details)
     SELECT id, 'device_created', created_at, 'device created', jsonb_build_object('source', 'discovery')
       FROM bench_history_devices WHERE created_at < $1::timestamptz ORDER BY created_at, id`,
    [startIso],
  );
  let lastReport = performance.now();
  for (let from = 0; from < drawn; from += EVENT_CHUNK) {
    const to = Math.min(drawn, from + EVENT_CHUNK);
    const chunkStart = new Date(startMs + (from * step) / 1000).toISOString();
    const chunkEnd = to === drawn ? 'infinity' : new Date(startMs + (to * step) / 1000).toISOString();
    const [existing] = await direct.query(
      'SELECT count(*)::int AS n FROM bench_history_devices WHERE created_at < $1::timestamptz',
      [chunkStart],
    );
    const alive = Math.max(100, Number(existing?.n ?? 0));
    await direct.query(CHUNK_SQL, [startIso, step, alive, from, to, chunkStart, chunkEnd]);
    if (performance.now() - lastReport > 10_000 || to === drawn) {
      progress(`events ${to + deviceCount}/${total}`);
      lastReport = performance.now();
    }
  }
  await direct.query('DROP TABLE bench_history_devices', []);
  const insertSeconds = seconds(started);

  const analyzeStarted = performance.now();
  // Fresh statistics and visibility map, as autovacuum would leave them on a live system.
  await direct.query('VACUUM ANALYZE device_events', []);
  const analyzeSeconds = seconds(analyzeStarted);

  const kindRows = await direct.query(
    'SELECT kind, count(*)::int AS n FROM device_events GROUP BY kind ORDER BY count(*) DESC',
    [],
  );
  const busiestRows = await direct.query(
    'SELECT device_id, count(*)::int AS n FROM device_events GROUP BY device_id ORDER BY count(*) DESC, device_id LIMIT 3',
    [],
  );
  const [sizeRow] = await direct.query(`SELECT pg_size_pretty(pg_total_relation_size('device_events')) AS size`, []);
  const [eventCount] = await direct.query('SELECT count(*)::int AS n FROM device_events', []);
  return {
    events: Number(eventCount?.n ?? 0),
    deviceCreated: deviceCount,
    drawn,
    now: new Date(nowMs).toISOString(),
    insertSeconds,
    analyzeSeconds,
    kinds: Object.fromEntries(kindRows.map((row) => [String(row.kind), Number(row.n)])),
    busiest: busiestRows.map((row) => ({ deviceId: String(row.device_id), events: Number(row.n) })),
    tableSize: sizeRow?.size === undefined ? null : String(sizeRow.size),
  };
}

// ---------------------------------------------------------------------------------------------------
// Scenarios

interface Scenario {
  name: string;
  detail: string;
  path: string;
  /** Events the scenario's list has in total (before paging). */
  matches: number;
  /** The textbook keyset statement, used only when the route is missing (then nothing is captured). */
  reference: CapturedQuery;
}

interface CapturedQuery {
  sql: string;
  parameters: readonly unknown[];
}

const EVENT_COLUMNS = 'id, device_id, kind, event_at, run_id, actor, summary, details';

function keyset(where: string[], parameters: unknown[]): CapturedQuery {
  const clause = where.length === 0 ? '' : ` WHERE ${where.join(' AND ')}`;
  return {
    sql: `SELECT ${EVENT_COLUMNS} FROM device_events${clause} ORDER BY event_at DESC, id DESC LIMIT ${PAGE_SIZE + 1}`,
    parameters,
  };
}

/** The position a deep page starts after: the last row of the page before it, as a cursor. */
async function deepCursor(
  direct: DirectDriver,
  where: string,
  parameters: unknown[],
  total: number,
): Promise<{ cursor: string; at: string; id: number; offset: number }> {
  const offset = Math.max(1, Math.floor(total * DEEP_FRACTION));
  const rows = await direct.query(
    `SELECT id, event_at FROM device_events ${where} ORDER BY event_at DESC, id DESC OFFSET ${offset - 1} LIMIT 1`,
    parameters,
  );
  const row = rows[0];
  if (!row) throw new Error(`no row at offset ${offset - 1} (${where || 'all events'})`);
  const at = String(row.event_at);
  const id = Number(row.id);
  return { cursor: encodeCursor({ at, id: String(id) }), at, id, offset };
}

async function buildScenarios(bench: BenchDatabase, seed: EventSeedReport): Promise<Scenario[]> {
  const direct = bench.direct;
  const busy = seed.busiest[0];
  if (!busy) throw new Error('no device has events');
  const since = new Date(Date.parse(seed.now) - 86_400_000).toISOString();
  const [sinceCount] = await direct.query('SELECT count(*)::int AS n FROM device_events WHERE event_at >= $1', [since]);
  const kindCount = seed.kinds[FILTER_KIND] ?? 0;
  const feedDeep = await deepCursor(direct, '', [], seed.events);
  const historyDeep = await deepCursor(direct, 'WHERE device_id = $1', [busy.deviceId], busy.events);
  const changes = '/api/v1/devices/changes';
  const history = `/api/v1/devices/${busy.deviceId}/history`;
  return [
    {
      name: 'feed first page',
      detail: `limit=${PAGE_SIZE}`,
      path: `${changes}?limit=${PAGE_SIZE}`,
      matches: seed.events,
      reference: keyset([], []),
    },
    {
      name: 'feed deep page',
      detail: `cursor at ${feedDeep.offset} of ${seed.events}`,
      path: `${changes}?limit=${PAGE_SIZE}&cursor=${feedDeep.cursor}`,
      matches: seed.events,
      reference: keyset(['(event_at, id) < ($1::timestamptz, $2::bigint)'], [feedDeep.at, feedDeep.id]),
    },
    {
      name: 'feed since 24 h',
      detail: `since=now-24h`,
      path: `${changes}?limit=${PAGE_SIZE}&since=${encodeURIComponent(since)}`,
      matches: Number(sinceCount?.n ?? 0),
      reference: keyset(['event_at >= $1::timestamptz'], [since]),
    },
    {
      name: 'feed kind filter',
      detail: `kind=${FILTER_KIND}`,
      path: `${changes}?limit=${PAGE_SIZE}&kind=${FILTER_KIND}`,
      matches: kindCount,
      reference: keyset(['kind = $1'], [FILTER_KIND]),
    },
    {
      name: 'feed rare kind',
      detail: `kind=${RARE_KIND}`,
      path: `${changes}?limit=${PAGE_SIZE}&kind=${RARE_KIND}`,
      matches: seed.kinds[RARE_KIND] ?? 0,
      reference: keyset(['kind = $1'], [RARE_KIND]),
    },
    {
      name: 'feed two kinds',
      detail: `kind=${FILTER_KINDS.join(',')}`,
      path: `${changes}?limit=${PAGE_SIZE}&kind=${FILTER_KINDS.join(',')}`,
      matches: FILTER_KINDS.reduce((sum, kind) => sum + (seed.kinds[kind] ?? 0), 0),
      reference: keyset(['kind = ANY($1::text[])'], [[...FILTER_KINDS]]),
    },
    {
      name: 'history first page',
      detail: `busiest device`,
      path: `${history}?limit=${PAGE_SIZE}`,
      matches: busy.events,
      reference: keyset(['device_id = $1::uuid'], [busy.deviceId]),
    },
    {
      name: 'history deep page',
      detail: `cursor at ${historyDeep.offset} of ${busy.events}`,
      path: `${history}?limit=${PAGE_SIZE}&cursor=${historyDeep.cursor}`,
      matches: busy.events,
      reference: keyset(
        ['device_id = $1::uuid', '(event_at, id) < ($2::timestamptz, $3::bigint)'],
        [busy.deviceId, historyDeep.at, historyDeep.id],
      ),
    },
  ];
}

// ---------------------------------------------------------------------------------------------------
// Capturing the statements a request runs

/**
 * The same Database, its Kysely wrapped in a plugin that records every compiled statement. A second
 * core app built on it serves one request per scenario, so the SQL side replays exactly what the
 * routes and repositories ran (parameters included), without a copy of their SQL in the bench.
 */
function capturingDatabase(database: Database): { database: Database; take(): CompiledQuery[] } {
  let captured: CompiledQuery[] = [];
  const executor = database.db.getExecutor();
  const plugin: KyselyPlugin = {
    transformQuery(args) {
      captured.push(executor.compileQuery(args.node, args.queryId));
      return args.node;
    },
    transformResult: async (args) => args.result,
  };
  const db: Kysely<Schema> = database.db.withPlugin(plugin);
  const wrapped: Database = { ...database, db, close: async () => {} };
  return {
    database: wrapped,
    take() {
      const taken = captured;
      captured = [];
      return taken;
    },
  };
}

interface Capture {
  /** Every statement the request ran, in order (transaction control is not among them). */
  statements: CapturedQuery[];
  /** 'captured' from the real app, or 'reference' when the route does not exist yet. */
  source: 'captured' | 'reference';
}

async function captureRequest(
  server: RunningServer,
  take: () => CompiledQuery[],
  scenario: Scenario,
): Promise<Capture> {
  take();
  const response = await fetch(`${server.origin}${scenario.path}`);
  const body = await response.text();
  const statements = take()
    .filter((query) => /\bdevice_events\b|\bdevices\b/.test(query.sql))
    .map((query) => ({ sql: query.sql, parameters: [...query.parameters] }));
  if (response.status === 404 && statements.length === 0) {
    return { statements: [scenario.reference], source: 'reference' };
  }
  if (response.status !== 200)
    throw new Error(`GET ${scenario.path} answered ${response.status}: ${body.slice(0, 300)}`);
  if (statements.length === 0) throw new Error(`${scenario.name}: the request ran no statement on device_events`);
  return { statements, source: 'captured' };
}

// ---------------------------------------------------------------------------------------------------
// Loads

type Progress = (text: string) => void;

type Measured = LoadResult & { rounds: number; cpu: CpuUsage };

interface PhaseLoad {
  round(options: LoopOptions): Promise<void>;
  result(): LoadResult;
}

/**
 * The statements of one request, one after the other, in `concurrency` closed loops: the shape of
 * load autocannon puts on the API. One sample is the whole sequence.
 */
class StatementLoad implements PhaseLoad {
  private readonly samples = new SampleBuffer();
  private errors = 0;
  private seconds = 0;

  constructor(
    private readonly driver: DirectDriver,
    private readonly statements: readonly CapturedQuery[],
  ) {}

  async round({ concurrency, durationSeconds }: LoopOptions): Promise<void> {
    const started = performance.now();
    const deadline = started + durationSeconds * 1000;
    const loop = async (): Promise<void> => {
      while (performance.now() < deadline) {
        const sent = performance.now();
        try {
          for (const statement of this.statements) await this.driver.query(statement.sql, statement.parameters);
          this.samples.push(performance.now() - sent);
        } catch {
          this.errors++;
        }
      }
    };
    await Promise.all(Array.from({ length: concurrency }, loop));
    this.seconds += (performance.now() - started) / 1000;
  }

  result(): LoadResult {
    const sorted = this.samples.sorted();
    return {
      requests: this.samples.count,
      seconds: round(this.seconds, 2),
      rps: round(this.samples.count / this.seconds, 1),
      p50: round(percentile(sorted, 0.5), 2),
      p99: round(percentile(sorted, 0.99), 2),
      errors: this.errors,
    };
  }
}

function httpPhase(generator: HttpLoadGenerator, url: string, concurrency: number): () => PhaseLoad {
  return () => {
    const rounds: RawResult[] = [];
    return {
      round: async (load) => {
        rounds.push(await generator.round(url, load));
      },
      result: () => summariseHttp(url, concurrency, rounds),
    };
  };
}

/**
 * As measure.ts: unrecorded warm-ups, then the phases alternate in rounds (SQL, API, SQL, API, …) so
 * background load weighs on both sides of a ratio; a round lasts at least ten warm-up p50s and the
 * next one waits out the backlog autocannon leaves behind.
 */
async function interleaved(
  bench: BenchDatabase,
  options: BenchOptions,
  phases: readonly (() => PhaseLoad)[],
): Promise<Measured[]> {
  const { concurrency } = options;
  let typicalMs = 0;
  let slowestMs = 0;
  if (options.warmupSeconds > 0) {
    for (const make of phases) {
      const warmup = make();
      await warmup.round({ concurrency, durationSeconds: options.warmupSeconds });
      const result = warmup.result();
      const unanswered = result.requests === 0 ? options.warmupSeconds * 1000 : 0;
      typicalMs = Math.max(typicalMs, unanswered || result.p50);
      slowestMs = Math.max(slowestMs, unanswered || result.p99);
    }
  }
  const roundSeconds = Math.ceil(
    Math.max(options.durationSeconds / options.rounds, (ROUND_PER_LATENCY * typicalMs) / 1000),
  );
  const rounds = Math.max(1, Math.floor(options.durationSeconds / roundSeconds));
  const durationSeconds = Math.max(roundSeconds, Math.floor(options.durationSeconds / rounds));
  const settle = (): Promise<void> => new Promise((resolve) => setTimeout(resolve, Math.min(slowestMs, 5000)));
  const loads = phases.map((make) => ({ load: make(), cpu: [] as { cpu: CpuUsage; seconds: number }[] }));
  for (let index = 0; index < rounds; index++) {
    for (const entry of loads) {
      entry.cpu.push(
        await measureCpu(
          () => bench.backendPids(),
          () => entry.load.round({ concurrency, durationSeconds }),
        ),
      );
      await settle();
    }
  }
  return loads.map(({ load, cpu }) => ({ ...load.result(), rounds, cpu: averageCpu(cpu) }));
}

// ---------------------------------------------------------------------------------------------------
// EXPLAIN

interface EventPlan {
  statement: string;
  seqScanOnEvents: boolean;
  /** Indexes device_events is read through, in plan order. */
  eventIndexes: string[];
  /** Rows through Sort nodes (actual): a handful means merging limited branches, many means no index order. */
  sortedRows: number | null;
  /** Rows the plan read from device_events and threw away (Rows Removed by Filter), summed. */
  rowsRemovedByFilter: number;
  executionMs: number | undefined;
  plan: string[];
}

async function explainStatements(driver: DirectDriver, statements: readonly CapturedQuery[]): Promise<EventPlan[]> {
  const plans: EventPlan[] = [];
  for (const statement of statements) {
    if (!/\bdevice_events\b/.test(statement.sql)) continue;
    const rows = await driver.query(`EXPLAIN (ANALYZE, BUFFERS) ${statement.sql}`, statement.parameters);
    const plan = rows.map((row) => String(row['QUERY PLAN']));
    const indexes = new Set<string>();
    let removed = 0;
    let sortedRows: number | null = null;
    for (const line of plan) {
      if (/^\s*(->\s*)?(Incremental )?Sort\s+\(/.test(line)) {
        const actual = /actual [^)]*rows=(\d+)/.exec(line);
        sortedRows = (sortedRows ?? 0) + Number(actual?.[1] ?? 0);
      }
      const scan = /Index (?:Only )?Scan(?: Backward)? using (\S+) on device_events\b/.exec(line);
      const bitmap = /Bitmap Index Scan on (device_events_\S+)/.exec(line);
      const name = scan?.[1] ?? bitmap?.[1];
      if (name) indexes.add(name);
      const filtered = /Rows Removed by Filter: (\d+)/.exec(line);
      if (filtered?.[1]) removed += Number(filtered[1]);
    }
    const execution = plan.map((line) => /Execution Time: ([\d.]+) ms/.exec(line)).find((match) => match !== null);
    plans.push({
      statement: statement.sql.replace(/\s+/g, ' ').trim(),
      seqScanOnEvents: plan.some((line) => /Seq Scan on device_events\b/.test(line)),
      eventIndexes: [...indexes],
      sortedRows,
      rowsRemovedByFilter: removed,
      executionMs: execution?.[1] === undefined ? undefined : Number(execution[1]),
      plan,
    });
  }
  return plans;
}

// ---------------------------------------------------------------------------------------------------
// History group

interface ScenarioResult {
  scenario: string;
  detail: string;
  path: string;
  matches: number;
  returned: number;
  sqlSource: Capture['source'];
  statements: CapturedQuery[];
  api: Measured | null;
  sql: Measured;
  apiToSql: number | null;
  explain: EventPlan[];
  indexServed: boolean;
}

interface HistoryGroup {
  backend: BackendName;
  location: string;
  devices: SeedReport;
  events: EventSeedReport;
  cursorCheck: string;
  scenarios: ScenarioResult[];
}

async function historyGroup(bench: BenchDatabase, options: HistoryOptions, progress: Progress): Promise<HistoryGroup> {
  const devices = await seedDevices(bench.database.db, options.devices, progress);
  progress(`devices seeded in ${round(devices.insertSeconds + devices.summarySeconds + devices.analyzeSeconds, 1)} s`);
  const events = await seedEvents(bench, options.events, progress);
  progress(
    `events seeded in ${round(events.insertSeconds + events.analyzeSeconds, 1)} s (${events.tableSize}); busiest device ` +
      `${events.busiest[0]?.deviceId} with ${events.busiest[0]?.events} events`,
  );
  const scenarios = await buildScenarios(bench, events);
  const api = await startCoreApi(bench.database);
  const capturing = capturingDatabase(bench.database);
  const captureServer = await startCoreApi(capturing.database);
  const generator = new HttpLoadGenerator();
  try {
    const cursorCheck = await checkCursorFormat(bench.direct, api);
    if (cursorCheck !== 'ok') progress(`cursor check: ${cursorCheck}`);
    const results: ScenarioResult[] = [];
    for (const scenario of scenarios) {
      progress(scenario.name);
      const capture = await captureRequest(captureServer, capturing.take, scenario);
      if (capture.source === 'reference') progress(`  ${scenario.path.split('?')[0]} is missing: SQL reference only`);
      results.push(await measureScenario(bench, api, generator, scenario, capture, options));
    }
    return { backend: bench.backend, location: bench.location, devices, events, cursorCheck, scenarios: results };
  } finally {
    await generator.close();
    await captureServer.close();
    await api.close();
  }
}

/**
 * The deep-page cursors are built by the bench from the row at 90%; they are only as good as their
 * agreement with the API's own cursors, so the first page's cursor is compared with the bench's.
 */
async function checkCursorFormat(direct: DirectDriver, api: RunningServer): Promise<string> {
  const response = await fetch(`${api.origin}/api/v1/devices/changes?limit=${PAGE_SIZE}`);
  if (response.status === 404) return 'route missing';
  const body = (await response.json()) as { cursor?: string };
  const rows = await direct.query(
    `SELECT id, event_at FROM device_events ORDER BY event_at DESC, id DESC OFFSET ${PAGE_SIZE - 1} LIMIT 1`,
    [],
  );
  const row = rows[0];
  if (!row || !body.cursor) return `no cursor to compare (API ${body.cursor ?? 'none'})`;
  const mine = encodeCursor({ at: String(row.event_at), id: String(row.id) });
  if (mine === body.cursor) return 'ok';
  const decode = (cursor: string): string => Buffer.from(cursor, 'base64url').toString('utf8');
  return `MISMATCH: API ${decode(body.cursor)} vs bench ${decode(mine)}`;
}

async function measureScenario(
  bench: BenchDatabase,
  api: RunningServer,
  generator: HttpLoadGenerator,
  scenario: Scenario,
  capture: Capture,
  options: HistoryOptions,
): Promise<ScenarioResult> {
  const sqlIds = await pageIdsFromSql(bench.direct, capture.statements);
  let returned = sqlIds.length;
  if (capture.source === 'captured') {
    const apiIds = await pageIdsFromApi(api, scenario.path);
    if (apiIds.join() !== sqlIds.slice(0, apiIds.length).join() || apiIds.length === 0) {
      throw new Error(
        `${scenario.name}: the replayed SQL returned other rows than the API (${sqlIds.slice(0, 3)}… vs ${apiIds.slice(0, 3)}…)`,
      );
    }
    returned = apiIds.length;
  }
  const explain = await explainStatements(bench.direct, capture.statements);
  const phases: (() => PhaseLoad)[] = [() => new StatementLoad(bench.direct, capture.statements)];
  if (capture.source === 'captured')
    phases.push(httpPhase(generator, `${api.origin}${scenario.path}`, options.concurrency));
  const [sql, http] = await interleaved(bench, options, phases);
  if (!sql) throw new Error(`${scenario.name}: the SQL phase produced no result`);
  return {
    scenario: scenario.name,
    detail: scenario.detail,
    path: scenario.path,
    matches: scenario.matches,
    returned,
    sqlSource: capture.source,
    statements: capture.statements,
    api: http ?? null,
    sql,
    apiToSql: http ? round(http.rps / sql.rps, 3) : null,
    explain,
    indexServed: explain.length > 0 && explain.every((plan) => !plan.seqScanOnEvents && plan.eventIndexes.length > 0),
  };
}

/** Event ids (as digit strings) of the page the statements return: the last statement on device_events. */
async function pageIdsFromSql(direct: DirectDriver, statements: readonly CapturedQuery[]): Promise<string[]> {
  let ids: string[] = [];
  for (const statement of statements) {
    const rows = await direct.query(statement.sql, statement.parameters);
    if (/\bdevice_events\b/.test(statement.sql)) {
      ids = rows.slice(0, PAGE_SIZE).map((row) => eventId(row.id ?? row.event_id));
    }
  }
  return ids;
}

async function pageIdsFromApi(api: RunningServer, path: string): Promise<string[]> {
  const response = await fetch(`${api.origin}${path}`);
  const body = await response.text();
  if (response.status !== 200) throw new Error(`GET ${path} answered ${response.status}: ${body.slice(0, 300)}`);
  const parsed = JSON.parse(body) as { events?: Record<string, unknown>[] };
  return (parsed.events ?? []).map((event) => eventId(event.event_id ?? event.id));
}

/** `123`, `"123"` and `"device_event:123"` all name event 123. */
function eventId(value: unknown): string {
  const text = String(value);
  return /(\d+)$/.exec(text)?.[1] ?? text;
}

// ---------------------------------------------------------------------------------------------------
// Export: the server in a child process, sampling its own RSS

interface ChildSpec {
  backend: BackendName;
  dataDir?: string;
  url?: string;
  poolSize: number;
}

type ChildMessage =
  | { type: 'ready'; origin: string; rss: number }
  | { type: 'sampling'; baseline: number; heapUsed: number }
  | { type: 'samples'; baseline: number; peak: number; peakHeapUsed: number; peakExternal: number; count: number }
  | { type: 'error'; message: string };

type ParentMessage = { type: 'start' } | { type: 'stop' } | { type: 'close' };

/**
 * The child: opens the bench database (PGlite's directory or the PostgreSQL database), serves the
 * core app on loopback, and samples process.memoryUsage() every 20 ms between 'start' and 'stop'.
 * The baseline is taken right after a full GC, so it is the server at rest.
 */
async function exportServerChild(spec: ChildSpec): Promise<void> {
  const send = (message: ChildMessage): void => {
    process.send?.(message);
  };
  const database =
    spec.backend === 'pglite'
      ? await openPglite({ dataDir: spec.dataDir ?? '' })
      : await openPostgres({ url: spec.url ?? '', poolSize: spec.poolSize, description: 'bench export' });
  const server = await startCoreApi(database);
  let timer: NodeJS.Timeout | undefined;
  let baseline = 0;
  let peak = 0;
  let peakHeapUsed = 0;
  let peakExternal = 0;
  let count = 0;
  const sample = (): void => {
    const usage = process.memoryUsage();
    peak = Math.max(peak, usage.rss);
    peakHeapUsed = Math.max(peakHeapUsed, usage.heapUsed);
    peakExternal = Math.max(peakExternal, usage.external + usage.arrayBuffers);
    count++;
  };
  const shutdown = async (): Promise<void> => {
    clearInterval(timer);
    await server.close().catch(() => {});
    await database.close().catch(() => {});
    process.exit(0);
  };
  process.on('disconnect', () => void shutdown());
  process.on('message', (message: ParentMessage) => {
    if (message.type === 'start') {
      (globalThis as { gc?: () => void }).gc?.();
      const usage = process.memoryUsage();
      baseline = usage.rss;
      peak = usage.rss;
      peakHeapUsed = usage.heapUsed;
      peakExternal = usage.external + usage.arrayBuffers;
      count = 1;
      clearInterval(timer);
      timer = setInterval(sample, RSS_SAMPLE_MS);
      send({ type: 'sampling', baseline, heapUsed: usage.heapUsed });
    } else if (message.type === 'stop') {
      clearInterval(timer);
      sample();
      send({ type: 'samples', baseline, peak, peakHeapUsed, peakExternal, count });
    } else if (message.type === 'close') {
      void shutdown();
    }
  });
  (globalThis as { gc?: () => void }).gc?.();
  send({ type: 'ready', origin: server.origin, rss: process.memoryUsage().rss });
}

class ExportServer {
  private readonly waiters: ((message: ChildMessage) => void)[] = [];
  private exited = false;

  private constructor(
    private readonly child: ChildProcess,
    readonly origin: string,
    /** RSS once the server listens, before any request (after a full GC). */
    readonly idleRss: number,
  ) {
    child.on('message', (message: ChildMessage) => this.waiters.shift()?.(message));
    child.on('exit', () => {
      this.exited = true;
    });
  }

  static async start(spec: ChildSpec): Promise<ExportServer> {
    const child = fork(fileURLToPath(import.meta.url), [`${CHILD_FLAG}=${JSON.stringify(spec)}`], {
      execArgv: ['--import', import.meta.resolve('tsx'), '--expose-gc'],
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    const ready = await new Promise<ChildMessage>((resolve, reject) => {
      child.once('message', resolve);
      child.once('exit', (code) => reject(new Error(`the export server exited with ${code} before it was ready`)));
    });
    if (ready.type !== 'ready')
      throw new Error(`export server: ${ready.type === 'error' ? ready.message : ready.type}`);
    return new ExportServer(child, ready.origin, ready.rss);
  }

  get pid(): number {
    return this.child.pid ?? 0;
  }

  async request(message: ParentMessage): Promise<ChildMessage> {
    const reply = new Promise<ChildMessage>((resolve) => this.waiters.push(resolve));
    this.child.send(message);
    return reply;
  }

  async close(): Promise<void> {
    if (this.exited) return;
    const exited = new Promise<void>((resolve) => this.child.once('exit', () => resolve()));
    this.child.send({ type: 'close' } satisfies ParentMessage);
    const timeout = setTimeout(() => this.child.kill('SIGKILL'), 10_000);
    await exited;
    clearTimeout(timeout);
  }

  kill(): void {
    if (!this.exited) this.child.kill('SIGKILL');
  }
}

interface ExportRun {
  ms: number;
  ttfbMs: number;
  bytes: number;
  lines: number;
  baselineRss: number;
  peakRss: number;
  /** V8 heap in use right after the full GC before the run: what earlier exports left behind. */
  baselineHeapUsed: number;
  peakHeapUsed: number;
  peakExternal: number;
  /** Samples the child took; a server busy in synchronous work (PGlite's engine) takes few. */
  samples: number;
  /** VmRSS of the child read from /proc by this process every 20 ms: not starved by the child's event loop. */
  procPeakRss: number;
  procSamples: number;
  /** VmHWM after resetting it before the request (Linux), kB: the kernel's own peak, no sampling gaps. */
  vmHwmKb: number | null;
  cpu: ExportCpu;
}

/** Where the CPU went during one export, in cores (Linux; null elsewhere). */
interface ExportCpu {
  machineCores: number | null;
  /** This process: the byte-counting sink. */
  sinkCores: number;
  /** The child: the core app (and the PGlite engine). */
  serverCores: number | null;
  /** The PostgreSQL backends of the bench database (null with PGlite). */
  databaseCores: number | null;
  otherCores: number | null;
}

/** The export's own statements, captured before the timed runs and replayed back to back through the driver. */
interface ExportSql {
  format: 'json' | 'csv';
  statements: number;
  replayMs: number;
  /** EXPLAIN ANALYZE of the first page's statement. */
  firstPageMs: number | undefined;
  seqScans: string[];
  plan: string[];
}

interface ExportResult {
  backend: BackendName;
  format: 'json' | 'csv';
  devices: number;
  path: string;
  bytes: number;
  lines: number;
  medianMs: number;
  minMs: number;
  maxMs: number;
  ttfbMs: number;
  mbPerSecond: number;
  baselineRssMb: number;
  peakRssMb: number;
  /** Largest rise of one run over its own pre-request baseline. */
  peakOverBaselineMb: number;
  /** The server before its first request (the warm-up export included in the rise). */
  idleRssMb: number;
  peakOverIdleMb: number;
  /** Fewest samples of a run: the child's own / this process's reads of /proc. */
  samples: string;
  /** Heap in use after GC before each run (median): flat across runs means nothing is retained. */
  baselineHeapUsedMb: number;
  peakHeapUsedMb: number;
  vmHwmMb: number | null;
  runs: ExportRun[];
}

interface ExportGroup {
  backend: BackendName;
  location: string;
  seed: SeedReport;
  serverProcess: string;
  sql: ExportSql[];
  results: ExportResult[];
}

const EXPORT_PATHS = { json: '/api/v1/devices/export', csv: '/api/v1/devices/export?format=csv' } as const;

/**
 * What the export's statements alone cost: one export served by a capturing core app in this process,
 * then its statements (one per page of devices) replayed back to back, and the first one explained.
 */
async function exportSql(bench: BenchDatabase, progress: Progress): Promise<ExportSql[]> {
  const capturing = capturingDatabase(bench.database);
  const server = await startCoreApi(capturing.database);
  const results: ExportSql[] = [];
  try {
    for (const format of ['json', 'csv'] as const) {
      capturing.take();
      const response = await fetch(`${server.origin}${EXPORT_PATHS[format]}`);
      if (response.status !== 200) {
        await response.text();
        continue;
      }
      await drain(response);
      const statements = capturing
        .take()
        .filter((query) => /\bdevices\b/.test(query.sql))
        .map((query) => ({ sql: query.sql, parameters: [...query.parameters] }));
      const started = performance.now();
      for (const statement of statements) await bench.direct.query(statement.sql, statement.parameters);
      const replayMs = round(performance.now() - started, 1);
      const first = statements[0];
      const plan = first
        ? (await bench.direct.query(`EXPLAIN (ANALYZE, BUFFERS) ${first.sql}`, first.parameters)).map((row) =>
            String(row['QUERY PLAN']),
          )
        : [];
      const execution = plan.map((line) => /Execution Time: ([\d.]+) ms/.exec(line)).find((match) => match !== null);
      const seqScans = [...new Set(plan.flatMap((line) => /Seq Scan on (\w+)/.exec(line)?.[1] ?? []))];
      results.push({
        format,
        statements: statements.length,
        replayMs,
        firstPageMs: execution?.[1] === undefined ? undefined : Number(execution[1]),
        seqScans,
        plan,
      });
      progress(`export ${format}: ${statements.length} statements, replayed in ${replayMs} ms`);
    }
  } finally {
    await server.close();
  }
  return results;
}

async function exportGroup(
  bench: BenchDatabase,
  options: HistoryOptions,
  handOver: () => void,
  progress: Progress,
): Promise<ExportGroup> {
  const seed = await seedDevices(bench.database.db, options.exportDevices, progress);
  progress(`devices seeded in ${round(seed.insertSeconds + seed.summarySeconds + seed.analyzeSeconds, 1)} s`);
  const sql = await exportSql(bench, progress);
  let spec: ChildSpec;
  if (bench.backend === 'pglite') {
    // One process may hold a PGlite directory: the bench lets go of it and the server opens it.
    handOver();
    await bench.database.close();
    spec = { backend: 'pglite', dataDir: bench.location, poolSize: options.poolSize };
  } else {
    const [row] = await bench.direct.query('SELECT current_database() AS name', []);
    const url = new URL(options.postgresUrl);
    url.pathname = `/${String(row?.name)}`;
    spec = { backend: 'postgres', url: url.toString(), poolSize: options.poolSize };
  }
  const server = await ExportServer.start(spec);
  const releaseServer = track(async () => {
    await server.close().catch(() => server.kill());
  });
  const databasePids = async (): Promise<number[]> => (bench.backend === 'postgres' ? bench.backendPids() : []);
  try {
    const results: ExportResult[] = [];
    for (const format of ['json', 'csv'] as const) {
      const path = EXPORT_PATHS[format];
      progress(`export ${format}`);
      const runs: ExportRun[] = [];
      const probe = await fetch(`${server.origin}${path}`);
      if (probe.status !== 200) {
        const text = await probe.text();
        progress(`  ${path} answered ${probe.status}: ${text.slice(0, 120)}`);
        continue;
      }
      await drain(probe); // warm-up, unrecorded
      for (let index = 0; index < EXPORT_REPEAT; index++) runs.push(await exportOnce(server, path, databasePids));
      results.push(summariseExport(bench.backend, format, options.exportDevices, path, runs, server.idleRss));
    }
    return {
      backend: bench.backend,
      location: bench.location,
      seed,
      serverProcess: `child process (pid ${server.pid}): ${bench.backend === 'pglite' ? 'core app and the PGlite engine' : 'core app; PostgreSQL is separate'}`,
      sql,
      results,
    };
  } finally {
    await releaseServer();
  }
}

async function exportOnce(
  server: ExportServer,
  path: string,
  databasePids: () => Promise<number[]>,
): Promise<ExportRun> {
  resetPeakRss(server.pid);
  const sampling = await server.request({ type: 'start' });
  const baselineHeapUsed = sampling.type === 'sampling' ? sampling.heapUsed : Number.NaN;
  const outside = sampleRssFromProc(server.pid);
  const pids = await databasePids();
  const before = cpuSnapshot(server.pid, pids);
  const started = performance.now();
  const response = await fetch(`${server.origin}${path}`);
  const ttfbMs = performance.now() - started;
  const { bytes, lines } = await drain(response);
  const ms = performance.now() - started;
  const after = cpuSnapshot(server.pid, pids);
  const procSamples = outside.stop();
  const samples = await server.request({ type: 'stop' });
  if (samples.type !== 'samples') throw new Error(`export server answered ${samples.type}`);
  return {
    ms: round(ms, 1),
    ttfbMs: round(ttfbMs, 1),
    bytes,
    lines,
    baselineRss: samples.baseline,
    peakRss: samples.peak,
    baselineHeapUsed,
    peakHeapUsed: samples.peakHeapUsed,
    peakExternal: samples.peakExternal,
    samples: samples.count,
    procPeakRss: procSamples.peak,
    procSamples: procSamples.count,
    vmHwmKb: peakRssKb(server.pid),
    cpu: cpuBetween(before, after, pids.length > 0),
  };
}

interface CpuSnapshot {
  at: number;
  machine: { busy: number; total: number } | null;
  sinkMicros: number;
  serverTicks: number | null;
  /** Per backend pid: a backend that ends during the run simply stops counting (cpu.ts gives up instead). */
  databaseTicks: Map<number, number>;
}

function cpuSnapshot(serverPid: number, databasePids: readonly number[]): CpuSnapshot {
  const usage = process.cpuUsage();
  const databaseTicks = new Map<number, number>();
  for (const pid of databasePids) {
    const ticks = processTicks(pid);
    if (ticks !== null) databaseTicks.set(pid, ticks);
  }
  return {
    at: performance.now(),
    machine: machineTicks(),
    sinkMicros: usage.user + usage.system,
    serverTicks: processTicks(serverPid),
    databaseTicks,
  };
}

function cpuBetween(before: CpuSnapshot, after: CpuSnapshot, hasDatabase: boolean): ExportCpu {
  const seconds = (after.at - before.at) / 1000;
  const cores = (value: number | null): number | null => (value === null ? null : round(value, 2));
  const machine =
    before.machine && after.machine
      ? ((after.machine.busy - before.machine.busy) / (after.machine.total - before.machine.total)) * cpus().length
      : null;
  const sink = (after.sinkMicros - before.sinkMicros) / 1e6 / seconds;
  const server =
    before.serverTicks === null || after.serverTicks === null
      ? null
      : (after.serverTicks - before.serverTicks) / TICKS_PER_SECOND / seconds;
  let databaseTicks = 0;
  for (const [pid, ticks] of after.databaseTicks) databaseTicks += ticks - (before.databaseTicks.get(pid) ?? ticks);
  const database = hasDatabase ? databaseTicks / TICKS_PER_SECOND / seconds : null;
  return {
    machineCores: cores(machine),
    sinkCores: round(sink, 2),
    serverCores: cores(server),
    databaseCores: cores(database),
    otherCores: machine === null ? null : cores(Math.max(0, machine - sink - (server ?? 0) - (database ?? 0))),
  };
}

const TICKS_PER_SECOND = 100; // USER_HZ on Linux

function machineTicks(): { busy: number; total: number } | null {
  try {
    const line = readFileSync('/proc/stat', 'utf8').split('\n', 1)[0] ?? '';
    const values = line.trim().split(/\s+/).slice(1).map(Number);
    const total = values.reduce((sum, value) => sum + value, 0);
    const idle = (values[3] ?? 0) + (values[4] ?? 0);
    return { busy: total - idle, total };
  } catch {
    return null;
  }
}

function processTicks(pid: number): number | null {
  try {
    const text = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = text.slice(text.lastIndexOf(')') + 2).split(' ');
    return Number(fields[11]) + Number(fields[12]);
  } catch {
    return null;
  }
}

/** The sink: counts bytes and newlines, parses nothing. */
async function drain(response: Response): Promise<{ bytes: number; lines: number }> {
  let bytes = 0;
  let lines = 0;
  if (!response.body) return { bytes, lines };
  for await (const chunk of response.body as AsyncIterable<Uint8Array>) {
    bytes += chunk.byteLength;
    let at = chunk.indexOf(10);
    while (at !== -1) {
      lines++;
      at = chunk.indexOf(10, at + 1);
    }
  }
  return { bytes, lines };
}

/** The child's VmRSS from /proc every 20 ms, from this process (whose event loop only drains the response). */
function sampleRssFromProc(pid: number): { stop(): { peak: number; count: number } } {
  let peak = 0;
  let count = 0;
  const read = (): void => {
    try {
      const match = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
      if (match?.[1]) {
        peak = Math.max(peak, Number(match[1]) * 1024);
        count++;
      }
    } catch {
      // Not Linux: the child's own samples stand alone.
    }
  };
  read();
  const timer = setInterval(read, RSS_SAMPLE_MS);
  return {
    stop() {
      clearInterval(timer);
      read();
      return { peak, count };
    },
  };
}

/** Linux: writing 5 to clear_refs resets the peak RSS (VmHWM) of the process. */
function resetPeakRss(pid: number): void {
  try {
    writeFileSync(`/proc/${pid}/clear_refs`, '5');
  } catch {
    // Not Linux, or not allowed: VmHWM is then the lifetime peak, reported as null below.
  }
}

function peakRssKb(pid: number): number | null {
  try {
    const match = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return match?.[1] ? Number(match[1]) : null;
  } catch {
    return null;
  }
}

function summariseExport(
  backend: BackendName,
  format: 'json' | 'csv',
  devices: number,
  path: string,
  runs: ExportRun[],
  idleRss: number,
): ExportResult {
  const times = runs.map((run) => run.ms).sort((a, b) => a - b);
  const median = times[Math.floor(times.length / 2)] ?? Number.NaN;
  const mb = (bytes: number): number => round(bytes / 1_048_576, 1);
  const baselines = runs.map((run) => run.baselineRss).sort((a, b) => a - b);
  const baseline = baselines[Math.floor(baselines.length / 2)] ?? 0;
  const peakOf = (run: ExportRun): number => Math.max(run.peakRss, run.procPeakRss, (run.vmHwmKb ?? 0) * 1024);
  const peak = Math.max(...runs.map(peakOf));
  const hwm = runs.map((run) => run.vmHwmKb).filter((value): value is number => value !== null);
  const bytes = runs[0]?.bytes ?? 0;
  return {
    backend,
    format,
    devices,
    path,
    bytes,
    lines: runs[0]?.lines ?? 0,
    medianMs: median,
    minMs: times[0] ?? Number.NaN,
    maxMs: times[times.length - 1] ?? Number.NaN,
    ttfbMs: runs.map((run) => run.ttfbMs).sort((a, b) => a - b)[Math.floor(runs.length / 2)] ?? Number.NaN,
    mbPerSecond: round(bytes / 1_048_576 / (median / 1000), 1),
    baselineRssMb: mb(baseline),
    peakRssMb: mb(peak),
    peakOverBaselineMb: mb(Math.max(...runs.map((run) => peakOf(run) - run.baselineRss))),
    idleRssMb: mb(idleRss),
    peakOverIdleMb: mb(peak - idleRss),
    samples: `${Math.min(...runs.map((run) => run.samples))}/${Math.min(...runs.map((run) => run.procSamples))}`,
    baselineHeapUsedMb: mb(
      runs.map((run) => run.baselineHeapUsed).sort((a, b) => a - b)[Math.floor(runs.length / 2)] ?? Number.NaN,
    ),
    peakHeapUsedMb: mb(Math.max(...runs.map((run) => run.peakHeapUsed))),
    vmHwmMb: hwm.length === 0 ? null : round(Math.max(...hwm) / 1024, 1),
    runs,
  };
}

// ---------------------------------------------------------------------------------------------------
// Report

function formatTable(header: string[], rows: string[][], leftColumns: number): string {
  const widths = header.map((title, column) =>
    Math.max(title.length, ...rows.map((row) => (row[column] ?? '').length)),
  );
  const line = (cells: string[]): string =>
    cells
      .map((cell, column) =>
        column < leftColumns ? cell.padEnd(widths[column] ?? 0) : cell.padStart(widths[column] ?? 0),
      )
      .join('  ');
  return [line(header), widths.map((width) => '-'.repeat(width)).join('  '), ...rows.map(line)].join('\n');
}

const num = (value: number | null | undefined, digits = 0): string =>
  value === null || value === undefined || !Number.isFinite(value) ? '-' : value.toFixed(digits);

function otherCpu(...cores: (number | null | undefined)[]): string {
  const known = cores.filter((value): value is number => typeof value === 'number');
  return known.length === 0 ? '-' : Math.max(...known).toFixed(2);
}

function planSummary(plans: readonly EventPlan[]): string {
  if (plans.length === 0) return '-';
  return plans
    .map((plan) => {
      if (plan.seqScanOnEvents) return 'SEQ SCAN';
      const index = plan.eventIndexes.join('+') || 'no index';
      return `${index}${plan.sortedRows === null ? '' : ` +Sort of ${plan.sortedRows} rows`}${plan.rowsRemovedByFilter > 0 ? ` (${plan.rowsRemovedByFilter} filtered)` : ''}`;
    })
    .join('; ');
}

function renderHistory(groups: readonly HistoryGroup[]): string {
  const rows: string[][] = [];
  for (const group of groups) {
    for (const result of group.scenarios) {
      rows.push([
        group.backend,
        result.scenario,
        result.detail,
        String(result.matches),
        String(result.returned),
        num(result.api?.p50, 0),
        num(result.api?.p99, 0),
        num(result.api?.rps, 0),
        num(result.sql.p50, 2),
        num(result.sql.p99, 2),
        num(result.sql.rps, 0),
        result.apiToSql === null ? 'no API' : `${Math.round(result.apiToSql * 100)}%`,
        `${result.statements.length}${result.sqlSource === 'reference' ? ' ref' : ''}`,
        result.explain.map((plan) => num(plan.executionMs, 2)).join('+') || '-',
        otherCpu(result.api?.cpu.otherCores, result.sql.cpu.otherCores),
        planSummary(result.explain),
      ]);
    }
  }
  const header = [
    'backend',
    'scenario',
    'detail',
    'events',
    'rows',
    'API p50',
    'p99',
    'rps',
    'SQL p50',
    'p99',
    'rps',
    'API/SQL',
    'stmts',
    'plan ms',
    'other CPU',
    'device_events plan',
  ];
  return formatTable(header, rows, 3);
}

function renderExport(groups: readonly ExportGroup[]): string {
  const rows: string[][] = [];
  for (const group of groups) {
    for (const result of group.results) {
      const other = result.runs.map((run) => run.cpu.otherCores ?? 0);
      const server = result.runs.map((run) => run.cpu.serverCores ?? 0);
      const replay = group.sql.find((entry) => entry.format === result.format);
      rows.push([
        group.backend,
        result.format,
        String(result.devices),
        num(result.bytes / 1_048_576, 1),
        String(result.format === 'csv' ? result.lines - 1 : '-'),
        num(result.medianMs, 0),
        `${num(result.minMs, 0)}–${num(result.maxMs, 0)}`,
        replay ? `${num(replay.replayMs, 0)} (${replay.statements})` : '-',
        num(result.ttfbMs, 0),
        num(result.mbPerSecond, 1),
        num(result.idleRssMb, 0),
        num(result.baselineRssMb, 0),
        num(result.peakRssMb, 0),
        num(result.peakOverBaselineMb, 0),
        num(result.peakOverIdleMb, 0),
        `${num(result.baselineHeapUsedMb, 0)}/${num(result.peakHeapUsedMb, 0)}`,
        result.samples,
        server.length === 0 ? '-' : (server.reduce((sum, value) => sum + value, 0) / server.length).toFixed(2),
        other.length === 0 ? '-' : Math.max(...other).toFixed(2),
      ]);
    }
  }
  return formatTable(
    [
      'backend',
      'format',
      'devices',
      'MiB',
      'csv rows',
      'ms (median)',
      'min–max',
      'SQL ms (stmts)',
      'TTFB ms',
      'MiB/s',
      'RSS idle MiB',
      'base',
      'peak',
      'peak−base',
      'peak−idle',
      'heap base/peak',
      'samples',
      'server CPU',
      'other CPU',
    ],
    rows,
    2,
  );
}

function disturbedPhases(history: readonly HistoryGroup[], exports: readonly ExportGroup[]): string[] {
  const phases = [
    ...history.flatMap((group) =>
      group.scenarios.flatMap((result) => [
        ...(result.api ? [{ name: `${group.backend} ${result.scenario} API`, cpu: result.api.cpu }] : []),
        { name: `${group.backend} ${result.scenario} SQL`, cpu: result.sql.cpu },
      ]),
    ),
    ...exports.flatMap((group) =>
      group.results.flatMap((result) =>
        result.runs.map((run, index) => ({
          name: `${group.backend} export ${result.format} #${index + 1}`,
          cpu: run.cpu,
        })),
      ),
    ),
  ];
  return phases
    .filter((entry) => (entry.cpu.otherCores ?? 0) > DISTURBED_CORES)
    .map((entry) => `${entry.name}: ${entry.cpu.otherCores} cores`);
}

// ---------------------------------------------------------------------------------------------------
// Main

async function main(): Promise<void> {
  const options = parseHistoryOptions(process.argv.slice(2), process.env);
  const machine = machineInfo();
  log(`machine: ${machine.cores} cores (${machine.cpu}), node ${machine.node}`);
  log(
    `backends ${options.backends.join(', ')} · parts ${options.parts.join(', ')} · ${options.devices} devices, ` +
      `${options.events} events, export ${options.exportDevices} devices · ${options.durationSeconds} s per phase ` +
      `(+${options.warmupSeconds} s warm-up) · concurrency ${options.concurrency}`,
  );
  const load = machineLoad();
  const warnings: string[] = [];
  if (load.loadAverage > load.cores * 0.25) {
    const warning = `load average ${load.loadAverage} on ${load.cores} cores at start; other work will distort the figures`;
    warnings.push(warning);
    log(`warning: ${warning}`);
  }
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);

  const skipped: { backend: BackendName; reason: string }[] = [];
  const backends: BackendName[] = [];
  for (const backend of options.backends) {
    const reason = backend === 'postgres' ? await postgresUnavailable(options) : undefined;
    if (reason) {
      log(`skipping postgres: ${reason}`);
      skipped.push({ backend, reason });
    } else {
      backends.push(backend);
    }
  }

  const history: HistoryGroup[] = [];
  const exports: ExportGroup[] = [];
  const watchdog = Watchdog.start(options.postgresUrl);
  try {
    for (const backend of backends) {
      if (options.parts.includes('history')) {
        const label = `[${backend} history]`;
        const bench = await openBenchDatabase(backend, options);
        const leftover = await leftoverOf(bench);
        watchdog.add(leftover);
        const release = track(async () => {
          await bench.dispose();
          watchdog.remove(leftover);
        });
        try {
          history.push(await historyGroup(bench, options, (text) => log(`${label} ${text}`)));
        } finally {
          await release();
        }
      }
      if (options.parts.includes('export')) {
        const label = `[${backend} export]`;
        const bench = await openBenchDatabase(backend, options);
        const leftover = await leftoverOf(bench);
        watchdog.add(leftover);
        // PGlite's handle is closed before the server child opens the directory; then only the directory is left.
        let handedOver = false;
        const release = track(async () => {
          if (handedOver) rmSync(bench.location, { recursive: true, force: true });
          else await bench.dispose();
          watchdog.remove(leftover);
        });
        try {
          const handOver = (): void => {
            handedOver = true;
          };
          exports.push(await exportGroup(bench, options, handOver, (text) => log(`${label} ${text}`)));
        } finally {
          await release();
        }
      }
    }
  } finally {
    await cleanUpAll();
    watchdog.close();
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }

  const disturbed = disturbedPhases(history, exports);
  const document = {
    benchmark: 'history',
    generatedAt: new Date().toISOString(),
    machine: { ...machine, loadAverageAtStart: load.loadAverage },
    options: { ...options, postgresUrl: redact(options.postgresUrl) },
    skipped,
    warnings,
    disturbed,
    notes: [
      'latencies in ms; API latencies from autocannon (1 ms resolution), SQL latencies per request (all its statements)',
      'SQL = the statements the API request ran, captured from a second core app on the same database, replayed through the driver',
      'API/SQL = ratio of rates at the same concurrency, phases alternating in rounds',
      'export: the core app runs alone in a child process; its RSS is sampled every 20 ms by the child ' +
        '(process.memoryUsage) and by the bench (/proc VmRSS), with VmHWM (kernel peak, reset before each run) as a ' +
        'third source; with PGlite that process also holds the database engine',
      'export SQL ms: the statements of one export, captured from the app, replayed back to back through the driver',
      'cpu: cores used during the phase by this process, by the database/server processes, and by everything else',
    ],
    history,
    exports,
  };
  mkdirSync(RESULTS_DIR, { recursive: true });
  const file = new URL(`history-${document.generatedAt.replace(/[:.]/g, '-')}.json`, RESULTS_DIR);
  writeFileSync(file, `${JSON.stringify(document, null, 2)}\n`);

  const sections: string[] = [];
  if (history.length > 0) {
    sections.push(
      `History: ${options.devices} devices, ${options.events} events, limit=${PAGE_SIZE}, concurrency ${options.concurrency}\n${renderHistory(history)}`,
    );
    const cursorNotes = history.filter((group) => group.cursorCheck !== 'ok');
    for (const group of cursorNotes) sections.push(`${group.backend}: cursor check: ${group.cursorCheck}`);
  }
  if (exports.length > 0) {
    sections.push(
      `Export: ${options.exportDevices} devices, streamed to a byte-counting sink, ${EXPORT_REPEAT} timed runs after a warm-up; server in a child process\n${renderExport(exports)}`,
    );
  }
  const allWarnings = [
    ...warnings,
    ...(disturbed.length > 0
      ? [
          `other processes took CPU during ${disturbed.length} phase(s); re-run on an idle machine:\n  ${disturbed.join('\n  ')}`,
        ]
      : []),
  ];
  if (allWarnings.length > 0) sections.push(allWarnings.map((warning) => `WARNING: ${warning}`).join('\n'));
  process.stdout.write(`\n${sections.join('\n\n')}\n\n`);
  process.stdout.write(`${JSON.stringify(document, null, 2)}\n`);
  log(`written to ${file.pathname}`);
}

function seconds(since: number): number {
  return Math.round((performance.now() - since) / 10) / 100;
}

/** Progress goes to stderr so stdout holds only the tables and the JSON document. */
function log(text: string): void {
  process.stderr.write(`${new Date().toISOString().slice(11, 19)} ${text}\n`);
}

const childArg = process.argv.find((arg) => arg.startsWith(`${CHILD_FLAG}=`));
if (process.argv.includes(WATCHDOG_FLAG)) {
  watchdogMain(process.env[WATCHDOG_URL_ENV] ?? '').then(
    () => process.exit(0),
    () => process.exit(1),
  );
} else if (childArg) {
  exportServerChild(JSON.parse(childArg.slice(CHILD_FLAG.length + 1)) as ChildSpec).catch((error: unknown) => {
    process.send?.({ type: 'error', message: error instanceof Error ? error.message : String(error) });
    process.exit(1);
  });
} else {
  main().catch(async (error: unknown) => {
    await cleanUpAll();
    // Interrupted: the failure is the interruption's doing, and the signal handler exits once all is clean.
    if (interrupted) return;
    if (error instanceof OptionsError) {
      process.stderr.write(`${error.message}\n`);
      process.exit(2);
    }
    process.stderr.write(`bench failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exit(1);
  });
}
