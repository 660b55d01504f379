/**
 * Time to a laid-out map canvas in Chromium (issue 8 item 5, second half): the map dataset of
 * bench/map-seed.ts (10 000 devices, 500 subnets, 5 000 links by default) behind the real UI server
 * and core, the production web app, Debian's Chromium. For each layer and focus the page is opened
 * cold and then warm (new pages of one signed-in context); the figure is navigation start → the
 * canvas marked `data-layout="ready"` (MapCanvas sets it when the layout has stopped), on the
 * page's own clock. Reference in the same page: fetching the same projection alone through the
 * same proxy. Run with `npm run bench:map-canvas` (BENCH_MAP_DEVICES, BENCH_MAP_CANVAS_RUNS).
 */
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import { type MapFocusTargets, seedMapDataset } from './map-seed.ts';
import { machineInfo } from './options.ts';
import { BENCH_USER, startSeededUiStack } from './servers.ts';
import { round } from './stats.ts';

const DEVICES = Number(process.env.BENCH_MAP_DEVICES ?? 10_000);
const WARM_RUNS = Number(process.env.BENCH_MAP_CANVAS_RUNS ?? 5);
const CHROMIUM = '/usr/bin/chromium';
/** BENCH_WEB_ROOT: a copy of dist/web, so a rebuild during the run cannot pull files from under the page. */
const WEB_ROOT = process.env.BENCH_WEB_ROOT ?? fileURLToPath(new URL('../dist/web/', import.meta.url));
const READY = '[data-map-canvas][data-layout="ready"]';

const log = (text: string) => process.stderr.write(`[map-canvas] ${text}\n`);
const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? 0;

interface View {
  name: string;
  layer: string;
  focusType: string;
  focusId: string;
  depth: number;
}

function views(targets: MapFocusTargets): View[] {
  return [
    { name: 'physical link hub', layer: 'physical', focusType: 'device', focusId: targets.linkHub, depth: 1 },
    { name: 'l2 busiest vlan', layer: 'l2', focusType: 'vlan', focusId: String(targets.busyVlan), depth: 1 },
    { name: 'l3 router d1', layer: 'l3', focusType: 'device', focusId: targets.busyDevice, depth: 1 },
    { name: 'l3 router d3', layer: 'l3', focusType: 'device', focusId: targets.busyDevice, depth: 3 },
    { name: 'l3 busiest subnet', layer: 'l3', focusType: 'subnet', focusId: targets.busySubnet, depth: 1 },
    { name: 'services host', layer: 'services', focusType: 'device', focusId: targets.serviceHost, depth: 1 },
    { name: 'security zone d2', layer: 'security', focusType: 'zone', focusId: targets.busyZone, depth: 2 },
    { name: 'l3 typical device', layer: 'l3', focusType: 'device', focusId: targets.typicalDevice, depth: 1 },
  ];
}

const query = (view: View) => {
  const params = new URLSearchParams({ layer: view.layer, focusType: view.focusType, focusId: view.focusId });
  if (view.depth > 1) params.set('depth', String(view.depth));
  return params;
};

async function main(): Promise<void> {
  if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing (apt-get install chromium)`);
  if (!existsSync(join(WEB_ROOT, 'index.html'))) throw new Error('dist/web is missing: npm run build:web');
  let targets: MapFocusTargets | undefined;
  const stack = await startSeededUiStack({
    devices: DEVICES,
    log,
    webRoot: WEB_ROOT,
    seed: async (db) => {
      const report = await seedMapDataset(db, { devices: DEVICES, onProgress: log });
      targets = report.targets;
    },
  });
  try {
    if (!targets) throw new Error('the seed returned no focus targets');
    const browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'],
    });
    try {
      const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
      // Notes, on the page's clock, when the canvas is first marked laid out.
      await context.addInitScript(
        `window.__readyAt = undefined;
         new MutationObserver((_, observer) => {
           if (document.querySelector(${JSON.stringify(READY)})) { window.__readyAt = performance.now(); observer.disconnect(); }
         }).observe(document, { childList: true, subtree: true, attributes: true, attributeFilter: ['data-layout'] });`,
      );
      const login = await context.request.post(`${stack.ui.url}/api/auth/login`, {
        data: { username: BENCH_USER.username, password: BENCH_USER.password },
        headers: { origin: stack.ui.url },
      });
      if (login.status() !== 200) throw new Error(`login answered ${login.status()}`);

      const rows = [];
      for (const view of views(targets)) {
        const canvasMs: number[] = [];
        const apiMs: number[] = [];
        let elements = 0;
        for (let run = 0; run <= WARM_RUNS; run += 1) {
          const page = await context.newPage();
          const errors: string[] = [];
          page.on('pageerror', (error) => errors.push(error.message));
          page.on('console', (message) => {
            if (message.type() === 'error') errors.push(message.text());
          });
          await page.goto(`${stack.ui.url}/map?${query(view).toString()}`);
          await page.waitForSelector(READY, { timeout: 60_000 }).catch(async (error: unknown) => {
            const alerts = await page.locator('[role="alert"]').allTextContents();
            throw new Error(`${view.name}: the canvas never got ready (${[...errors, ...alerts].join(' | ')})`, {
              cause: error,
            });
          });
          canvasMs.push(await page.evaluate<number>('window.__readyAt'));
          if (run === 0) {
            elements = await page.locator('[data-map-canvas]').evaluate((element) => {
              const cy = (element as unknown as { cy: { elements(): { length: number } } }).cy;
              return cy.elements().length;
            });
          }
          const params = query(view);
          params.delete('layer');
          const api = `/api/v1/map/${view.layer}?${params.toString()}`;
          apiMs.push(
            await page.evaluate<number, string>(async (path) => {
              const started = performance.now();
              const response = await fetch(path);
              await response.text();
              return performance.now() - started;
            }, api),
          );
          await page.close();
        }
        const warm = median(canvasMs.slice(1));
        const apiWarm = median(apiMs.slice(1));
        const row = {
          view: view.name,
          elements,
          cold_ms: round(canvasMs[0] ?? 0, 0),
          warm_median_ms: round(warm, 0),
          api_alone_ms: round(apiWarm, 1),
          ratio_canvas_vs_api: round(warm / apiWarm, 1),
          runs_ms: canvasMs.map((ms) => round(ms, 0)),
        };
        rows.push(row);
        log(
          `${view.name}: ${elements} elements, cold ${row.cold_ms} ms, warm ${row.warm_median_ms} ms, API ${row.api_alone_ms} ms`,
        );
      }
      const result = {
        benchmark: 'map-canvas',
        machine: machineInfo(),
        devices: DEVICES,
        warm_runs: WARM_RUNS,
        views: rows,
      };
      const table = [
        '| view | elements | cold ms | warm median ms | API alone ms | canvas/API |',
        '|---|---|---|---|---|---|',
        ...rows.map(
          (row) =>
            `| ${row.view} | ${row.elements} | ${row.cold_ms} | ${row.warm_median_ms} | ${row.api_alone_ms} | ${row.ratio_canvas_vs_api} |`,
        ),
      ].join('\n');
      process.stdout.write(`${table}\n\n${JSON.stringify(result, null, 2)}\n`);
      const resultsDir = new URL('./results/', import.meta.url);
      mkdirSync(resultsDir, { recursive: true });
      writeFileSync(
        new URL(`map-canvas-${new Date().toISOString().replace(/[:.]/g, '-')}.json`, resultsDir),
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
