import { execFile, spawnSync } from 'node:child_process';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  baseUrlFor,
  freePort,
  makeTempDir,
  REPO_ROOT,
  type RollerProcess,
  registerProcessCleanup,
  spawnRoller,
  waitForReady,
} from '../support/process.ts';
import { IN_CI } from '../support/test-env.ts';

/**
 * scripts/uptime-check.sh against a real stack on loopback: `roller core` (embedded database) and
 * `roller ui` as separate processes, as a deployment runs them; then against a closed port and a
 * server that answers 503.
 */

registerProcessCleanup({ perTest: false });

const SCRIPT = join(REPO_ROOT, 'scripts', 'uptime-check.sh');
const CORE_TOKEN = 'uptime-check-core-token-0123456789';
const hasCurl = spawnSync('curl', ['--version']).status === 0;

interface CheckResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs the script (bounded) with only PATH and the given variables in its environment. */
function uptimeCheck(args: string[], env: Record<string, string> = {}): Promise<CheckResult> {
  return new Promise((resolveRun) => {
    execFile(
      SCRIPT,
      args,
      { env: { PATH: process.env.PATH ?? '/usr/bin:/bin', ...env }, timeout: 30_000, encoding: 'utf8' },
      (error, stdout, stderr) => {
        const code = error ? (typeof error.code === 'number' ? error.code : -1) : 0;
        resolveRun({ code, stdout, stderr });
      },
    );
  });
}

describe('scripts/uptime-check.sh', () => {
  let core: RollerProcess;
  let ui: RollerProcess;
  let coreReady: string;
  let uiHealth: string;
  let closedUrl: string;
  let failing: Server;
  let failingUrl: string;

  beforeAll(async () => {
    const dir = makeTempDir('roller-uptime-');
    const coreUrl = baseUrlFor(await freePort());
    core = spawnRoller(['core'], {
      cwd: dir,
      env: {
        ROLLER_DATA_DIR: join(dir, 'data'),
        HTTP_ADDR: coreUrl.replace('http://', ''),
        CORE_API_TOKEN: CORE_TOKEN,
        DISCOVERY_WORKER_ENABLED: 'false',
      },
    });
    const uiUrl = baseUrlFor(await freePort());
    ui = spawnRoller(['ui'], {
      cwd: dir,
      env: {
        NODE_ENV: 'production',
        ROLLER_DATA_DIR: join(dir, 'ui'),
        UI_ADDR: uiUrl.replace('http://', ''),
        CORE_BASE_URL: coreUrl,
        CORE_API_TOKEN: CORE_TOKEN,
        AUTH_USERS: 'ops:uptime-password-1:admin',
        AUTH_SESSION_SECRET: 'uptime-check-session-secret-0123456789',
      },
    });
    await waitForReady(core, coreUrl);
    await ui.waitForLog('ui listening', 60_000);
    coreReady = `${coreUrl}/readyz`;
    uiHealth = `${uiUrl}/healthz`;
    closedUrl = `${baseUrlFor(await freePort())}/readyz`;
    failing = createServer((_request, response) => {
      response.writeHead(503, { 'content-type': 'application/json' });
      response.end('{"error":{"code":"db_unavailable"}}');
    });
    await new Promise<void>((resolveListen) => failing.listen(0, '127.0.0.1', resolveListen));
    failingUrl = `${baseUrlFor((failing.address() as AddressInfo).port)}/readyz`;
  });

  afterAll(async () => {
    await new Promise((resolveClose) => (failing ? failing.close(resolveClose) : resolveClose(undefined)));
  });

  const clients = [
    { client: 'node', available: true },
    { client: 'curl', available: hasCurl },
  ];
  for (const { client, available } of clients) {
    describe.skipIf(!available && !IN_CI)(
      `with ${client}${available ? '' : ' (skipped: curl is not installed)'}`,
      () => {
        const env = { UPTIME_CHECK_CLIENT: client };

        it('prints ok and exits 0 when the UI is live and core is ready', async () => {
          const result = await uptimeCheck([uiHealth, coreReady], env);
          expect(result).toEqual({ code: 0, stdout: 'ok\n', stderr: '' });
          expect(core.running && ui.running, `${core.describe()}\n${ui.describe()}`).toBe(true);
        });

        it('fails, naming core, when core does not answer', async () => {
          const result = await uptimeCheck([uiHealth, closedUrl], env);
          expect(result.code).toBe(1);
          expect(result.stdout).toBe('');
          expect(result.stderr).toContain('uptime-check: FAILED');
          expect(result.stderr).toContain(`core /readyz: no answer from ${closedUrl}`);
          expect(result.stderr).not.toContain('UI /healthz');
        });

        it('fails, naming the UI, when the UI does not answer', async () => {
          const result = await uptimeCheck([closedUrl, coreReady], env);
          expect(result.code).toBe(1);
          expect(result.stderr).toContain(`UI /healthz: no answer from ${closedUrl}`);
          expect(result.stderr).not.toContain('core /readyz');
        });

        it('fails when an endpoint answers with a status other than 2xx', async () => {
          const result = await uptimeCheck([uiHealth, failingUrl], env);
          expect(result.code).toBe(1);
          expect(result.stderr).toContain(`core /readyz: ${failingUrl} answered HTTP 503`);
        });
      },
    );
  }

  it('reads the URLs from UI_URL and CORE_READY_URL when none are given', async () => {
    expect(await uptimeCheck([], { UI_URL: uiHealth, CORE_READY_URL: coreReady })).toMatchObject({
      code: 0,
      stdout: 'ok\n',
    });
    const down = await uptimeCheck([], { UI_URL: uiHealth, CORE_READY_URL: closedUrl });
    expect(down.code).toBe(1);
    expect(down.stderr).toContain(closedUrl);
  });

  it('retries the whole check when asked, and says how often it tried', async () => {
    const result = await uptimeCheck(['--attempts', '3', '--interval', '0', closedUrl, closedUrl]);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('uptime-check: FAILED (after 3 attempts)');
    expect(result.stderr).toContain('UI /healthz: no answer');
    expect(result.stderr).toContain('core /readyz: no answer');
  });

  it('refuses bad usage with exit status 2', async () => {
    expect((await uptimeCheck(['--attempts', 'many'])).code).toBe(2);
    expect((await uptimeCheck(['--no-such-option'])).code).toBe(2);
    expect((await uptimeCheck(['a', 'b', 'c'])).code).toBe(2);
    expect((await uptimeCheck([uiHealth, coreReady], { UPTIME_CHECK_CLIENT: 'wget' })).code).toBe(2);
  });
});
