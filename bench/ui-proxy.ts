/**
 * `npx tsx bench/ui-proxy.ts`: what the UI server costs (issue 6).
 *
 * Proxy: `GET /api/v1/devices?limit=50` on a PGlite core with 1 000 devices, three ways at the same
 * concurrency, alternating in rounds: straight to core (with its bearer token), through the UI
 * server's `/api` proxy with a session cookie, and a bare Fastify route sending the same JSON (the
 * HTTP ceiling of this machine); and a route that barely touches the database
 * (`/api/v1/device-tags/taxonomy`) direct and proxied, where the proxy's own cost shows. The ratios
 * are what matter: proxy/direct rate, and the latency the proxy adds.
 *
 * Login: `POST /api/auth/login` sequentially, next to `crypto.scrypt` with the same parameters in
 * this process: a login should cost one scrypt and little else.
 *
 * Only loopback is used. Nothing is asserted; the table and the JSON go to stdout, the JSON also to
 * bench/results/ui-proxy-<timestamp>.json.
 */
import { randomBytes, scrypt } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import type { RawResult } from 'autocannon';
import { HttpLoadGenerator, summariseHttp } from './load-http.ts';
import { machineInfo } from './options.ts';
import { BENCH_USER, startBareServer, startSeededUiStack } from './servers.ts';
import { round } from './stats.ts';

const DEVICES = Number(process.env.BENCH_UI_DEVICES ?? 1000);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const DURATION = Number(process.env.BENCH_DURATION ?? 4);
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 16);
const LOGINS = Number(process.env.BENCH_LOGINS ?? 40);
const PATH = '/api/v1/devices?limit=50';
/** A route that barely touches the database: what is left is the proxy's own cost. */
const CHEAP_PATH = '/api/v1/device-tags/taxonomy';

function log(text: string): void {
  process.stderr.write(`[ui-proxy] ${text}\n`);
}

async function main(): Promise<void> {
  const stack = await startSeededUiStack({ devices: DEVICES, log, env: { AUTH_LOCKOUT_THRESHOLD: '1000' } });
  try {
    const { ui, coreUrl, token: TOKEN } = stack;
    const password = BENCH_USER.password;
    const login = await fetch(`${ui.url}/api/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username: BENCH_USER.username, password }),
    });
    const cookie = (login.headers.getSetCookie()[0] ?? '').split(';')[0] ?? '';
    const body = await (await fetch(`${coreUrl}${PATH}`, { headers: { authorization: `Bearer ${TOKEN}` } })).text();
    const bare = await startBareServer('/api/v1/devices', body);

    const targets = {
      direct: { url: `${coreUrl}${PATH}`, headers: { authorization: `Bearer ${TOKEN}` } },
      proxy: { url: `${ui.url}${PATH}`, headers: { cookie } },
      bare: { url: `${bare.origin}${PATH}`, headers: {} },
      cheap_direct: { url: `${coreUrl}${CHEAP_PATH}`, headers: { authorization: `Bearer ${TOKEN}` } },
      cheap_proxy: { url: `${ui.url}${CHEAP_PATH}`, headers: { cookie } },
    };
    for (const [name, target] of Object.entries(targets)) {
      const check = await fetch(target.url, { headers: target.headers });
      if (check.status !== 200) throw new Error(`${name} answered ${check.status}`);
    }
    const generator = new HttpLoadGenerator();
    const raw: Record<keyof typeof targets, RawResult[]> = {
      direct: [],
      proxy: [],
      bare: [],
      cheap_direct: [],
      cheap_proxy: [],
    };
    try {
      for (const target of Object.values(targets)) {
        await generator.round(target.url, { concurrency: CONCURRENCY, durationSeconds: 1 }, target.headers);
      }
      for (let index = 0; index < ROUNDS; index += 1) {
        for (const [name, target] of Object.entries(targets) as [keyof typeof targets, (typeof targets)['direct']][]) {
          log(`round ${index + 1}/${ROUNDS}: ${name}`);
          raw[name].push(
            await generator.round(target.url, { concurrency: CONCURRENCY, durationSeconds: DURATION }, target.headers),
          );
        }
      }
    } finally {
      await generator.close();
    }
    const http = Object.fromEntries(
      Object.entries(targets).map(([name, target]) => [
        name,
        summariseHttp(target.url, CONCURRENCY, raw[name as keyof typeof targets]),
      ]),
    ) as Record<keyof typeof targets, ReturnType<typeof summariseHttp>>;

    log(`${LOGINS} sequential logins, then as many scrypt hashes`);
    const loginMs: number[] = [];
    for (let index = 0; index < LOGINS; index += 1) {
      const started = performance.now();
      const answer = await fetch(`${ui.url}/api/auth/login`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ username: BENCH_USER.username, password }),
      });
      await answer.arrayBuffer();
      if (answer.status !== 200) throw new Error(`login answered ${answer.status}`);
      loginMs.push(performance.now() - started);
    }
    const scryptMs: number[] = [];
    for (let index = 0; index < LOGINS; index += 1) {
      const started = performance.now();
      await new Promise((resolve, reject) =>
        scrypt(password, randomBytes(16), 32, { N: 16384, r: 8, p: 1 }, (error, key) =>
          error ? reject(error) : resolve(key),
        ),
      );
      scryptMs.push(performance.now() - started);
    }
    const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? 0;

    const result = {
      benchmark: 'ui-proxy',
      machine: machineInfo(),
      devices: DEVICES,
      concurrency: CONCURRENCY,
      rounds: ROUNDS,
      duration_s: DURATION,
      http,
      ratios: {
        proxy_vs_direct_rps: round(http.proxy.rps / http.direct.rps, 3),
        direct_vs_bare_rps: round(http.direct.rps / http.bare.rps, 3),
        proxy_added_p50_ms: round(http.proxy.p50 - http.direct.p50, 1),
        proxy_added_p99_ms: round(http.proxy.p99 - http.direct.p99, 1),
        cheap_proxy_vs_direct_rps: round(http.cheap_proxy.rps / http.cheap_direct.rps, 3),
        cheap_proxy_added_p50_ms: round(http.cheap_proxy.p50 - http.cheap_direct.p50, 1),
      },
      login: {
        login_median_ms: round(median(loginMs), 1),
        scrypt_median_ms: round(median(scryptMs), 1),
        login_vs_scrypt: round(median(loginMs) / median(scryptMs), 2),
      },
    };
    const rows = [
      ['target', 'req/s', 'p50 ms', 'p99 ms', 'errors'],
      ...(['bare', 'direct', 'proxy', 'cheap_direct', 'cheap_proxy'] as const).map((name) => [
        name,
        String(http[name].rps),
        String(http[name].p50),
        String(http[name].p99),
        String(http[name].errors),
      ]),
    ];
    process.stdout.write(
      `${rows.map((row) => row.map((cell) => cell.padStart(13)).join(' ')).join('\n')}\n\n` +
        `proxy/direct rate ${result.ratios.proxy_vs_direct_rps}, direct/bare ${result.ratios.direct_vs_bare_rps}, ` +
        `proxy adds p50 ${result.ratios.proxy_added_p50_ms} ms, p99 ${result.ratios.proxy_added_p99_ms} ms; ` +
        `cheap route: proxy/direct ${result.ratios.cheap_proxy_vs_direct_rps}, adds p50 ${result.ratios.cheap_proxy_added_p50_ms} ms\n` +
        `login median ${result.login.login_median_ms} ms vs scrypt ${result.login.scrypt_median_ms} ms ` +
        `(x${result.login.login_vs_scrypt})\n\n${JSON.stringify(result, null, 2)}\n`,
    );
    const resultsDir = new URL('./results/', import.meta.url);
    mkdirSync(resultsDir, { recursive: true });
    writeFileSync(
      new URL(`ui-proxy-${new Date().toISOString().replace(/[:.]/g, '-')}.json`, resultsDir),
      JSON.stringify(result, null, 2),
    );
    await bare.close();
  } finally {
    await stack.close();
  }
}

await main();
