// Discovery from the web app against the network-namespace lab (issue 7: "discovery against the lab where
// available"): `roller core` runs inside the lab's scanner namespace (no default route: no packet can leave
// it), listening on a Unix socket; `roller ui` runs on the host with CORE_BASE_URL=unix:<socket>; Chromium
// signs in, starts a discovery of the scanner's segment from the Discovery page, watches it finish, and
// finds the lab's hosts (from lab/topology.json) in the Devices page and on the map's L3 view of the
// segment. Needs root, iproute2, fping and arp-scan: skipped with the reason elsewhere, failed under
// CI=true. Own lab prefix `rlw<pid>`.

import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkPrerequisites, labDown, labUp, loadTopology, nsName, reapStaleLabs } from '../../lab/lab.mjs';
import { hashPassword } from '../../src/ui-server/users/password-hash.ts';
import { writeUsersFile } from '../../src/ui-server/users/users-file.ts';
import { LabCore } from '../support/lab-core.ts';
import { freePort, makeTempDir, type RollerProcess, spawnRoller } from '../support/process.ts';
import { IN_CI } from '../support/test-env.ts';
import { ADMIN, CHROMIUM, closeBrowser, newPage, screenshot, signIn } from './e2e-stack.ts';

const PREFIX = `rlw${(process.pid % 46_656).toString(36)}`;
const topology = loadTopology();
const scanner = topology.scanner;
const SCAN = nsName(scanner.name, PREFIX);
const mainSegment = topology.segments.find((segment) => segment.name === scanner.segment);
if (!mainSegment) throw new Error(`topology: the scanner's segment ${scanner.segment} is not defined`);
/** Hosts on the scanner's segment: found by ARP whatever they run. */
const onSegment = topology.addresses.filter(
  (address: { node: string; segment: string }) => address.node !== scanner.name && address.segment === scanner.segment,
) as { node: string; ip: string }[];

async function whyNot(): Promise<string | null> {
  const check = await checkPrerequisites();
  if (!check.ok) return check.reason;
  if (!existsSync(CHROMIUM)) return `${CHROMIUM} is not installed`;
  return null;
}
const reason = await whyNot();

if (reason && IN_CI) {
  describe('web app discovery in the lab', () => {
    it('can run (CI=true requires root, iproute2, the lab tools and Chromium)', () => {
      throw new Error(`lab e2e cannot run under CI=true: ${reason}`);
    });
  });
} else {
  describe.skipIf(reason !== null)(`web app discovery in the lab${reason ? ` (skipped: ${reason})` : ''}`, () => {
    let core: LabCore | undefined;
    let ui: RollerProcess | undefined;
    let uiUrl = '';

    beforeAll(async () => {
      await reapStaleLabs('rlw');
      await labUp({ prefix: PREFIX, ownerPid: process.pid });
      core = await LabCore.start({ namespace: SCAN, name: 'lab core' });
      const dir = makeTempDir('roller-e2e-lab-');
      const usersFile = join(dir, 'users.json');
      await writeUsersFile(usersFile, [
        { username: ADMIN.username, role: 'admin', passwordHash: await hashPassword(ADMIN.password) },
      ]);
      const port = await freePort();
      uiUrl = `http://127.0.0.1:${port}`;
      ui = spawnRoller(['ui'], {
        cwd: dir,
        env: {
          UI_ADDR: `127.0.0.1:${port}`,
          CORE_BASE_URL: `unix:${core.socketPath}`,
          AUTH_USERS_FILE: usersFile,
          ROLLER_DATA_DIR: join(dir, 'data'),
        },
      });
      await ui.waitForLog('ui listening', 60_000);
    }, 180_000);

    afterAll(async () => {
      await closeBrowser();
      await ui?.kill('SIGTERM').catch(() => undefined);
      await core?.dispose();
      await labDown({ prefix: PREFIX });
    });

    it('discovers the scanner segment from the Discovery page and lists its hosts on the Devices page and the map', async () => {
      const { context, page } = await newPage();
      try {
        await signIn(page, { uiUrl }, ADMIN);
        await page.goto(`${uiUrl}/discovery`);
        await page.getByLabel('Scope', { exact: true }).fill(mainSegment.cidr);
        await page.getByLabel('Preset').selectOption('fast');
        await page.getByRole('button', { name: 'Start discovery' }).click();
        const live = page.locator('.live-run');
        await live.locator('.badge', { hasText: /^(succeeded|failed|canceled)$/ }).waitFor({ timeout: 90_000 });
        expect(await live.locator('.badge', { hasText: 'succeeded' }).count()).toBe(1);
        await screenshot(page, 'lab-discovery');

        await page.goto(`${uiUrl}/devices?limit=200`);
        await page.locator('[data-device-row]').first().waitFor();
        const text = (await page.locator('table.device-table').textContent()) ?? '';
        for (const address of onSegment) expect(text, `${address.node} ${address.ip}`).toContain(address.ip);
        await screenshot(page, 'lab-devices');

        // The map from the same real discovery data: the segment as an L3 region holding every host found.
        await page.goto(`${uiUrl}/map?layer=l3&focusType=subnet&focusId=${encodeURIComponent(mainSegment.cidr)}`);
        await page.locator('[data-map-canvas][data-layout="ready"]').waitFor();
        await page.locator(`[data-map-element="region:${mainSegment.cidr}"]`).waitFor();
        const placed = await page.locator('details.map-outline [data-map-element^="node:"]').count();
        expect(placed).toBeGreaterThanOrEqual(onSegment.length);
        await screenshot(page, 'lab-map-l3');
      } finally {
        await context.close();
      }
    }, 180_000);
  });
}
