import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { chromium } from 'playwright-core';
import { machineInfo } from './options.ts';
import { BENCH_USER, startSeededUiStack } from './servers.ts';
import { round } from './stats.ts';

const DEVICES = Number(process.env.BENCH_WEB_DEVICES ?? 100_000);
const WARM_RUNS = Number(process.env.BENCH_WEB_RUNS ?? 7);
const CHROMIUM = '/usr/bin/chromium';
/** The first device row of the devices list (see src/web/scenes/devices). */
const FIRST_ROW = '[data-device-row]';
const WEB_ROOT = fileURLToPath(new URL('../dist/web/', import.meta.url));

function log(text: string): void {
  process.stderr.write(`[web-devices] ${text}\n`);
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? 0;

async function main(): Promise<void> {
  if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing (apt-get install chromium)`);
  if (!existsSync(join(WEB_ROOT, 'index.html'))) throw new Error('dist/web is missing: npm run build:web');
  const stack = await startSeededUiStack({ devices: DEVICES, log, webRoot: WEB_ROOT });
  try {
    const { ui } = stack;
    const password = BENCH_USER.password;
    const browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'],
    });
    try {
      const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
      // Long tasks (> 50 ms of main-thread work) show where the page, not the network, spends its time; a
      // MutationObserver notes when the first row is inserted, on the page's own clock.
      await context.addInitScript(
        `window.__longTasks = []; new PerformanceObserver((list) => { for (const e of list.getEntries()) window.__longTasks.push({ start: Math.round(e.startTime), duration: Math.round(e.duration) }); }).observe({ type: 'longtask', buffered: true });
         window.__firstRowAt = undefined;
         new MutationObserver((_, observer) => {
           if (document.querySelector(${JSON.stringify(FIRST_ROW)})) { window.__firstRowAt = performance.now(); observer.disconnect(); }
         }).observe(document, { childList: true, subtree: true });`,
      );
      const login = await context.request.post(`${ui.url}/api/auth/login`, {
        data: { username: BENCH_USER.username, password },
        headers: { origin: ui.url },
      });
      if (login.status() !== 200) throw new Error(`login answered ${login.status()}`);

      const scripts = new Set<string>();
      const firstRowMs: number[] = [];
      const apiMs: number[] = [];
      let timeline: { name: string; start: number; end: number }[] = [];
      for (let index = 0; index <= WARM_RUNS; index += 1) {
        const page = await context.newPage();
        if (index === 0) {
          page.on('request', (request) => {
            if (request.resourceType() === 'script') scripts.add(new URL(request.url()).pathname);
          });
        }
        await page.goto(`${ui.url}/devices`);
        await page.waitForSelector(FIRST_ROW, { timeout: 60_000 });
        // Navigation start is 0 on the page's clock; a MutationObserver noted when the first row was inserted.
        const atRow = await page.evaluate<number>('window.__firstRowAt');
        firstRowMs.push(atRow);
        if (index === WARM_RUNS) {
          // Where the time went on the last warm run: every request until the first row, on the page's clock.
          timeline = await page.evaluate<{ name: string; start: number; end: number }[]>(
            `[...performance.getEntriesByType('navigation'), ...performance.getEntriesByType('resource')]
              .map((e) => ({ name: e.name.replace(location.origin, ''), start: Math.round(e.startTime), end: Math.round(e.responseEnd) }))`,
          );
          const domReady = await page.evaluate<number>(
            `Math.round(performance.getEntriesByType('navigation')[0].domContentLoadedEventEnd)`,
          );
          timeline.push({ name: '(DOMContentLoaded)', start: domReady, end: domReady });
          const longTasks = await page.evaluate<{ start: number; duration: number }[]>('window.__longTasks');
          for (const task of longTasks) {
            timeline.push({ name: '(long task)', start: task.start, end: task.start + task.duration });
          }
          timeline.push({ name: '(first device row)', start: Math.round(atRow), end: Math.round(atRow) });
          timeline.sort((a, b) => a.start - b.start);
        }
        const api = await page.evaluate<number>(
          `(async () => { const t = performance.now(); const r = await fetch('/api/v1/devices?limit=50'); await r.text(); return performance.now() - t; })()`,
        );
        apiMs.push(api);
        await page.close();
        log(`run ${index}: first row ${Math.round(atRow)} ms, API alone ${Math.round(api)} ms`);
      }
      let raw = 0;
      let gzip = 0;
      const files: { path: string; raw: number; gzip: number }[] = [];
      for (const path of scripts) {
        const bytes = readFileSync(join(WEB_ROOT, path));
        const compressed = gzipSync(bytes, { level: 9 }).length;
        files.push({ path, raw: bytes.length, gzip: compressed });
        raw += bytes.length;
        gzip += compressed;
      }
      const cold = firstRowMs[0] ?? 0;
      const warm = median(firstRowMs.slice(1));
      const apiWarm = median(apiMs.slice(1));
      const result = {
        benchmark: 'web-devices',
        machine: machineInfo(),
        devices: DEVICES,
        js: { files, raw_bytes: raw, gzip_bytes: gzip, gzip_kib: round(gzip / 1024, 1) },
        first_row_ms: { cold: round(cold, 0), warm_median: round(warm, 0), runs: firstRowMs.map((ms) => round(ms, 0)) },
        api_reference_ms: { warm_median: round(apiWarm, 1), runs: apiMs.map((ms) => round(ms, 1)) },
        ratio_first_row_vs_api: round(warm / apiWarm, 2),
        last_warm_run_timeline: timeline,
      };
      process.stdout.write(
        `JS for /devices: ${files.length} file(s), ${round(raw / 1024, 1)} KiB raw, ${result.js.gzip_kib} KiB gzip\n` +
          `first device row with ${DEVICES} devices: cold ${result.first_row_ms.cold} ms, warm median ${result.first_row_ms.warm_median} ms\n` +
          `API alone (same page, same proxy): ${result.api_reference_ms.warm_median} ms → ratio ${result.ratio_first_row_vs_api}\n` +
          `last warm run:\n${timeline.map((entry) => `  ${String(entry.start).padStart(5)}–${String(entry.end).padEnd(5)} ms  ${entry.name}`).join('\n')}\n\n` +
          `${JSON.stringify(result, null, 2)}\n`,
      );
      const resultsDir = new URL('./results/', import.meta.url);
      mkdirSync(resultsDir, { recursive: true });
      writeFileSync(
        new URL(`web-devices-${new Date().toISOString().replace(/[:.]/g, '-')}.json`, resultsDir),
        JSON.stringify(result, null, 2),
      );
      await context.close();
    } finally {
      await browser.close();
    }
  } finally {
    await stack.close();
  }
}

await main();
