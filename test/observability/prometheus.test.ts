import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  baseUrlFor,
  freePort,
  makeTempDir,
  type RollerProcess,
  registerProcessCleanup,
  requestJson,
  sleep,
  spawnRoller,
  waitForReady,
} from '../support/process.ts';
import { IN_CI } from '../support/test-env.ts';
import { withTimeout } from '../support/timing.ts';

/**
 * A real Prometheus server (Debian package `prometheus`) scrapes a real `roller core` on loopback every
 * second, with the METRICS_TOKEN as bearer, and the test reads Roller's request counter back through
 * Prometheus's query API: the whole path an operator's monitoring takes.
 */

registerProcessCleanup({ perTest: false });

const prometheusInstalled = spawnSync('prometheus', ['--version']).status === 0;
const METRICS_TOKEN = 'metrics-token-for-the-prometheus-test';
const QUERY_LIMIT_MS = 60_000;
const QUERY_POLL_MS = 500;
/** Requests to one device that does not exist: each is counted under the route template with a 404. */
const MISSING_DEVICE_REQUESTS = 3;

interface Sample {
  metric: Record<string, string>;
  value: [number, string];
}

describe.skipIf(!prometheusInstalled && !IN_CI)(
  `Prometheus scrapes roller core${prometheusInstalled ? '' : ' (skipped: prometheus is not installed)'}`,
  () => {
    let core: RollerProcess;
    let coreAddress: string;
    let prometheus: ChildProcess | undefined;
    let prometheusUrl: string;
    const prometheusOutput: string[] = [];

    /** Runs a PromQL query until `accept` likes the result (bounded), and returns that result. */
    async function queryUntil(query: string, accept: (samples: Sample[]) => boolean): Promise<Sample[]> {
      const deadline = performance.now() + QUERY_LIMIT_MS;
      let last = 'no answer yet';
      while (performance.now() < deadline) {
        if (prometheus?.exitCode !== null) {
          throw new Error(`prometheus exited (${prometheus?.exitCode}):\n${prometheusOutput.join('')}`);
        }
        try {
          const response = await fetch(`${prometheusUrl}/api/v1/query?query=${encodeURIComponent(query)}`, {
            signal: AbortSignal.timeout(5000),
          });
          const body = (await response.json()) as { status: string; data?: { result: Sample[] } };
          const samples = body.data?.result ?? [];
          if (body.status === 'success' && accept(samples)) return samples;
          last = JSON.stringify(body);
        } catch (error) {
          last = (error as Error).message;
        }
        await sleep(QUERY_POLL_MS);
      }
      throw new Error(
        `${query}: no acceptable answer within ${QUERY_LIMIT_MS} ms (last: ${last})\n${prometheusOutput.join('')}`,
      );
    }

    beforeAll(async () => {
      const dir = makeTempDir('roller-prometheus-');
      const coreUrl = baseUrlFor(await freePort());
      coreAddress = coreUrl.replace('http://', '');
      core = spawnRoller(['core'], {
        cwd: dir,
        env: {
          ROLLER_DATA_DIR: join(dir, 'data'),
          HTTP_ADDR: coreAddress,
          METRICS_TOKEN,
          DISCOVERY_WORKER_ENABLED: 'false',
        },
      });
      await waitForReady(core, coreUrl);
      for (let i = 0; i < MISSING_DEVICE_REQUESTS; i++) {
        const answer = await requestJson(coreUrl, 'GET', '/api/v1/devices/00000000-0000-4000-8000-000000000000');
        expect(answer.status).toBe(404);
      }

      const tokenFile = join(dir, 'metrics-token');
      writeFileSync(tokenFile, METRICS_TOKEN, { mode: 0o600 });
      const config = join(dir, 'prometheus.yml');
      // Two jobs on the same target: one with the token, one without (which core must refuse).
      writeFileSync(
        config,
        [
          'global:',
          '  scrape_interval: 1s',
          '  scrape_timeout: 1s',
          'scrape_configs:',
          '  - job_name: roller-core',
          '    metrics_path: /metrics',
          '    authorization:',
          '      type: Bearer',
          `      credentials_file: ${tokenFile}`,
          '    static_configs:',
          `      - targets: ["${coreAddress}"]`,
          '  - job_name: roller-core-without-token',
          '    metrics_path: /metrics',
          '    static_configs:',
          `      - targets: ["${coreAddress}"]`,
          '',
        ].join('\n'),
      );
      const check = spawnSync('promtool', ['check', 'config', config], { encoding: 'utf8' });
      expect(check.status, `${check.stdout}${check.stderr}`).toBe(0);

      const port = await freePort();
      prometheusUrl = baseUrlFor(port);
      prometheus = spawn(
        'prometheus',
        [
          `--config.file=${config}`,
          `--storage.tsdb.path=${join(dir, 'tsdb')}`,
          `--web.listen-address=127.0.0.1:${port}`,
          '--log.level=warn',
        ],
        { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] },
      );
      prometheus.stdout?.setEncoding('utf8').on('data', (chunk: string) => prometheusOutput.push(chunk));
      prometheus.stderr?.setEncoding('utf8').on('data', (chunk: string) => prometheusOutput.push(chunk));
    });

    afterAll(async () => {
      if (prometheus && prometheus.exitCode === null) {
        const exited = new Promise((resolveExit) => prometheus?.once('exit', resolveExit));
        prometheus.kill('SIGTERM');
        if ((await withTimeout(exited, 15_000)) === undefined) prometheus.kill('SIGKILL');
      }
    });

    it('reads roller_http_requests_total back through the query API, by route template', async () => {
      const samples = await queryUntil(
        'roller_http_requests_total{job="roller-core",path="/api/v1/devices/{id}"}',
        (found) => found.length > 0,
      );
      expect(samples).toHaveLength(1);
      const [sample] = samples as [Sample];
      expect(sample.metric).toEqual({
        __name__: 'roller_http_requests_total',
        job: 'roller-core',
        instance: coreAddress,
        method: 'GET',
        path: '/api/v1/devices/{id}',
        status: '404',
      });
      expect(Number(sample.value[1])).toBe(MISSING_DEVICE_REQUESTS);
    });

    it('sees the health checks and its own scrapes counted too', async () => {
      const scrapes = await queryUntil(
        'roller_http_requests_total{job="roller-core",path="/metrics",method="GET",status="200"}',
        (found) => found.length === 1 && Number(found[0]?.value[1]) >= 1,
      );
      expect(Number(scrapes[0]?.value[1])).toBeGreaterThanOrEqual(1);
      const ready = await queryUntil(
        'roller_http_requests_total{job="roller-core",path="/readyz",status="200"}',
        (found) => found.length === 1,
      );
      // waitForReady polled /readyz until it answered 200 at least once.
      expect(Number(ready[0]?.value[1])).toBeGreaterThanOrEqual(1);
    });

    it('the scrape with the token is up, the one without is refused', async () => {
      const up = await queryUntil('up', (found) => found.length === 2);
      const byJob = Object.fromEntries(up.map((sample) => [sample.metric.job, sample.value[1]]));
      expect(byJob).toEqual({ 'roller-core': '1', 'roller-core-without-token': '0' });
      const unauthorized = await fetch(`${baseUrlFor(Number(coreAddress.split(':')[1]))}/metrics`);
      expect(unauthorized.status).toBe(401);
    });
  },
);
