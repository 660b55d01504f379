// SIGHUP reloads the UI server only (test/process/ui-process.test.ts). Core and the worker have nothing to
// reload, but a Node.js process without a handler exits on SIGHUP: a stray `kill -HUP` or `systemctl reload`
// must leave them running (issue 9 runbook).
import { describe, expect, it } from 'vitest';
import {
  baseUrlFor,
  freePort,
  makeTempDir,
  registerProcessCleanup,
  requestJson,
  spawnRoller,
  waitForReady,
} from '../support/process.ts';

registerProcessCleanup();

describe('SIGHUP to core and the worker', () => {
  it('roller core logs it, keeps serving and still stops on SIGTERM', async () => {
    const port = await freePort();
    const url = baseUrlFor(port);
    const core = spawnRoller(['core'], { cwd: makeTempDir('roller-hup-'), env: { HTTP_ADDR: `127.0.0.1:${port}` } });
    await waitForReady(core, url);
    process.kill(core.pid, 'SIGHUP');
    await core.waitForLog('SIGHUP ignored: only the UI server reloads (roller ui, roller start)');
    expect(core.running).toBe(true);
    expect((await requestJson(url, 'GET', '/healthz')).status).toBe(200);
    const exit = await core.kill('SIGTERM');
    expect(exit.code, core.describe()).toBe(0);
  });
});
