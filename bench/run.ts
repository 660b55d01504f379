/**
 * `npm run bench`: GET /api/v1/devices?limit=50 on PGlite and PostgreSQL, each scenario measured
 * through the real API, as the same SQL straight through the driver, and against a bare Fastify
 * handler, all in this run. Only ratios between those are meaningful across machines
 * (ARCHITECTURE.md: bench/ prints ratios against a reference measured in the same run).
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { type BenchDatabase, openBenchDatabase, postgresUnavailable, redact } from './backends.ts';
import { machineLoad } from './cpu.ts';
import { type GroupResult, measureGroup } from './measure.ts';
import { type BackendName, machineInfo, OptionsError, parseOptions } from './options.ts';
import { checkTargets, renderTable, renderTargets, TARGETS } from './report.ts';

const RESULTS_DIR = new URL('./results/', import.meta.url);

async function main(): Promise<void> {
  const options = parseOptions(process.argv.slice(2), process.env);
  const machine = machineInfo();
  log(`machine: ${machine.cores} cores (${machine.cpu}), node ${machine.node}`);
  log(
    `sizes ${options.sizes.join(', ')} · backends ${options.backends.join(', ')} · ${options.durationSeconds} s per phase` +
      ` (+${options.warmupSeconds} s warm-up) · concurrency ${options.concurrency}`,
  );

  const load = machineLoad();
  if (load.loadAverage > load.cores * 0.25) {
    log(`warning: load average ${load.loadAverage} on ${load.cores} cores; other work will distort the figures`);
  }

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

  const groups: GroupResult[] = [];
  for (const backend of backends) {
    for (const size of options.sizes) {
      const label = `[${backend} ${size}]`;
      const bench = await openBenchDatabase(backend, options);
      const release = releaseOnSignal(bench);
      try {
        groups.push(await measureGroup(bench, size, options, (text) => log(`${label} ${text}`)));
      } finally {
        release();
        await bench.dispose();
      }
    }
  }

  const targets = checkTargets(groups);
  const table = renderTable(groups);
  const document = {
    benchmark: 'devices-list',
    generatedAt: new Date().toISOString(),
    machine: { ...machine, loadAverageAtStart: load.loadAverage },
    options: { ...options, postgresUrl: redact(options.postgresUrl) },
    targets: { ...TARGETS, ...targets },
    skipped,
    notes: [
      'rps = completed 2xx requests (API, bare) or queries (SQL) per second; latencies in ms',
      'API and bare latencies come from autocannon (1 ms resolution); SQL latencies are measured per query',
      'bare = fresh Fastify returning the precomputed first-page JSON; measured once per backend and size',
      'cpu: cores used during the phase by this process, by the PostgreSQL backends, and by everything else',
    ],
    groups,
  };
  mkdirSync(RESULTS_DIR, { recursive: true });
  const file = new URL(`devices-list-${document.generatedAt.replace(/[:.]/g, '-')}.json`, RESULTS_DIR);
  writeFileSync(file, `${JSON.stringify(document, null, 2)}\n`);

  process.stdout.write(`\n${table}\n\n${renderTargets(targets)}\n\n`);
  process.stdout.write(`${JSON.stringify(document, null, 2)}\n`);
  log(`written to ${file.pathname}`);
}

/** Ctrl-C during a long run must still drop the bench database and remove the temp directory. */
function releaseOnSignal(bench: BenchDatabase): () => void {
  const handler = (): void => {
    log('interrupted: cleaning up');
    bench.dispose().finally(() => process.exit(130));
  };
  process.once('SIGINT', handler);
  process.once('SIGTERM', handler);
  return () => {
    process.off('SIGINT', handler);
    process.off('SIGTERM', handler);
  };
}

/** Progress goes to stderr so stdout holds only the table and the JSON document. */
function log(text: string): void {
  process.stderr.write(`${new Date().toISOString().slice(11, 19)} ${text}\n`);
}

main().catch((error: unknown) => {
  if (error instanceof OptionsError) {
    process.stderr.write(`${error.message}\n`);
    process.exit(2);
  }
  process.stderr.write(`bench failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});
