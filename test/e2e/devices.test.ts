// The devices list and the device page end to end (issue 7 items 2 and 3): the real `roller start`
// driven by Chromium. Devices, IPs, MACs (their vendors come from the OUI registry) and manual tags are
// seeded through core's snapshot import; a name candidate can only come from discovery, so when
// PostgreSQL is available the stack runs on a fresh PostgreSQL database and the candidate is written
// straight into it the way the storage tests do (on the embedded database that one path is skipped).
import { sql } from 'kysely';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { POSTGRES, type TestDatabase } from '../support/backends.ts';
import {
  ADMIN,
  closeBrowser,
  describeInBrowser,
  type E2eStack,
  newPage,
  screenshot,
  signIn,
  startStack,
  VIEWER,
} from './e2e-stack.ts';

interface Device {
  id: string;
  display_name?: string;
  vendor?: string;
  tags?: string[];
  metadata?: Record<string, string>;
}
interface TagRow {
  tag: string;
  source: string;
}
interface EventRow {
  kind: string;
  summary: string;
}

const FILLERS = 52;
/** expect.poll waits 1 s by default; a loaded two-core machine needs longer. */
const eventually = <T>(read: () => Promise<T> | T) => expect.poll(read, { timeout: 20_000, interval: 100 });
const CISCO_MAC = '00:00:0c:11:22:33';

describeInBrowser('web app: devices list and device page', () => {
  let stack: E2eStack;
  let database: TestDatabase | undefined;
  const ids: Record<string, string> = {};

  const coreDevice = async (id: string) => (await stack.core<Device>('GET', `/api/v1/devices/${id}`)).body;
  const coreTags = async (id: string) => (await stack.core<TagRow[]>('GET', `/api/v1/devices/${id}/tags`)).body;
  const rowNames = (page: Page) => page.locator('table.device-table tbody a.device-link').allTextContents();

  beforeAll(async () => {
    if (!POSTGRES.unavailable) database = await POSTGRES.fresh();
    stack = await startStack(database?.url ? { DATABASE_URL: database.url } : {});
    const imported = await stack.core('POST', '/api/v1/devices/import', {
      devices: [
        {
          display_name: 'core-sw-01',
          ips: ['10.10.0.1'],
          macs: [CISCO_MAC],
          tags: ['switch'],
          metadata: { owner: 'Network team' },
        },
        { display_name: 'office-printer', ips: ['10.10.1.20'], macs: ['00:1b:a9:12:34:56'], tags: ['printer'] },
        { display_name: 'nas-01', ips: ['10.20.0.5'], macs: ['00:11:32:aa:bb:cc'], tags: ['nas'] },
        { display_name: 'bulk-a', ips: ['10.30.0.1'] },
        { display_name: 'bulk-b', ips: ['10.30.0.2'] },
        ...Array.from({ length: FILLERS }, (_, i) => ({ display_name: `filler-${String(i).padStart(2, '0')}` })),
      ],
    });
    expect(imported.status).toBe(200);
    const all = await stack.core<{ devices: Device[] }>('GET', '/api/v1/devices?limit=200');
    for (const device of all.body.devices) ids[device.display_name as string] = device.id;
    if (database) {
      await sql`
        INSERT INTO device_name_candidates (device_id, name, source, address)
        VALUES (${ids['office-printer'] as string}, 'printer-3f.office.lan', 'reverse_dns', '10.10.1.20')`.execute(
        database.database.db,
      );
    }
  });

  afterAll(async () => {
    await closeBrowser();
    await stack?.stop();
    await database?.dispose();
  });

  it('searches, filters by tag, vendor and subnet, and pages, all in the URL', async () => {
    const { context, page } = await newPage();
    await signIn(page, stack, ADMIN);
    await page.goto(`${stack.uiUrl}/devices`);
    // The seeded devices share one creation time (one import), so which 50 are on the first page
    // depends on their random ids: wait for any row, and find core-sw-01 by searching below.
    await page.locator('[data-device-row]').first().waitFor();
    await screenshot(page, 'devices-list');

    await page.getByLabel('Search', { exact: true }).fill('core-sw');
    await page.getByRole('button', { name: 'Search', exact: true }).click();
    await page.waitForURL(/\/devices\?q=core-sw$/);
    await eventually(() => rowNames(page)).toEqual(['core-sw-01']);

    await page.getByRole('button', { name: 'Reset' }).click();
    await page.waitForURL(/\/devices$/);
    await page.getByLabel('Tag', { exact: true }).selectOption('printer');
    await page.waitForURL(/tag=printer/);
    await eventually(() => rowNames(page)).toEqual(['office-printer']);

    await page.getByRole('button', { name: 'Reset' }).click();
    await page.waitForURL(/\/devices$/);
    await eventually(() => page.getByLabel('Tag', { exact: true }).inputValue()).toBe('');
    await page.getByLabel('Vendor', { exact: true }).fill('cisco systems, inc');
    await page.getByRole('button', { name: 'Search', exact: true }).click();
    await page.waitForURL(/vendor=cisco/);
    await eventually(() => rowNames(page)).toEqual(['core-sw-01']);
    await eventually(() => page.getByText('Cisco Systems, Inc').count()).toBeGreaterThan(0);

    await page.getByRole('button', { name: 'Reset' }).click();
    await page.waitForURL(/\/devices$/);
    // The text inputs follow the URL on the next render; type only once they show the reset.
    await eventually(() => page.getByLabel('Vendor', { exact: true }).inputValue()).toBe('');
    await page.getByLabel('Subnet', { exact: true }).fill('10.10.0.0/16');
    await page.getByRole('button', { name: 'Search', exact: true }).click();
    await page.waitForURL(/subnet=10\.10\.0\.0%2F16/);
    await eventually(async () => (await rowNames(page)).sort()).toEqual(['core-sw-01', 'office-printer']);
    await screenshot(page, 'devices-list-filtered');

    // A bad subnet: core's message and the request id.
    await page.goto(`${stack.uiUrl}/devices?subnet=not-a-net`);
    const alert = page.getByRole('alert').filter({ hasText: 'invalid subnet value' });
    await alert.waitFor();
    expect(await alert.locator('code').textContent()).toMatch(/\S+/);

    // 57 devices: 50, then 7; the second page survives a reload.
    await page.goto(`${stack.uiUrl}/devices`);
    await eventually(async () => (await rowNames(page)).length).toBe(50);
    await page.getByRole('button', { name: 'Next page' }).click();
    await page.waitForURL(/cursor=/);
    await eventually(async () => (await rowNames(page)).length).toBe(7);
    await page.reload();
    await eventually(async () => (await rowNames(page)).length).toBe(7);
    expect(await page.getByRole('button', { name: 'Next page' }).isDisabled()).toBe(true);
    await page.getByRole('button', { name: 'First page' }).click();
    await page.waitForURL(/\/devices$/);
    await eventually(async () => (await rowNames(page)).length).toBe(50);
    await context.close();
  });

  it('opens a device, edits metadata, applies a name, tags it, and shows it all in the history', async () => {
    const { context, page } = await newPage();
    await signIn(page, stack, ADMIN);
    await page.goto(`${stack.uiUrl}/devices?q=office`);
    await page.getByRole('link', { name: 'office-printer', exact: true }).click();
    await page.waitForURL(new RegExp(`/devices/${ids['office-printer']}$`));
    await page.getByRole('heading', { name: 'office-printer' }).waitFor();
    await page.getByText('10.10.1.20').first().waitFor();

    await page.getByLabel('Location', { exact: true }).fill('Floor 3, room 12');
    await page.getByRole('button', { name: 'Save metadata' }).click();
    await page.getByText('Metadata updated.').waitFor();
    expect((await coreDevice(ids['office-printer'] as string)).metadata).toEqual({ location: 'Floor 3, room 12' });

    if (database) {
      await page.getByRole('button', { name: 'Use printer-3f as the display name' }).click();
      await page.getByText('Display name set to printer-3f.').waitFor();
      await page.getByRole('heading', { name: 'printer-3f' }).waitFor();
      expect((await coreDevice(ids['office-printer'] as string)).display_name).toBe('printer-3f');
    }

    const tags = page.getByRole('group', { name: 'Manual tags' });
    await tags.getByRole('button', { name: 'Server' }).click();
    await page.getByRole('button', { name: 'Save tags' }).click();
    await page.getByText('Manual tags updated.').waitFor();
    const manual = (await coreTags(ids['office-printer'] as string)).filter((row) => row.source === 'manual');
    expect(manual.map((row) => row.tag).sort()).toEqual(['printer', 'server']);

    const history = page.locator('section.card').filter({ has: page.getByRole('heading', { name: 'History' }) });
    await history.getByText('Location changed').waitFor();
    await history.getByText('Manual tag server added').waitFor();
    if (database) await history.getByText(/Display name changed from office-printer to printer-3f/).waitFor();
    await screenshot(page, 'device-detail');
    await context.close();
  });

  it('adds a tag to several devices at once', async () => {
    const { context, page } = await newPage();
    await signIn(page, stack, ADMIN);
    await page.goto(`${stack.uiUrl}/devices?q=bulk-`);
    await eventually(async () => (await rowNames(page)).sort()).toEqual(['bulk-a', 'bulk-b']);
    await page.getByLabel('Select all devices on this page').check();
    await page.getByText('2 selected').waitFor();
    await page.getByLabel('Manual tag', { exact: true }).selectOption('workstation');
    await screenshot(page, 'devices-bulk-tag');
    await page.getByRole('button', { name: 'Add tag to 2 devices' }).click();
    await page.getByText('Tag Workstation added to 2 devices.').waitFor();
    for (const name of ['bulk-a', 'bulk-b']) {
      expect((await coreTags(ids[name] as string)).map((row) => row.tag)).toEqual(['workstation']);
    }
    await eventually(() => page.getByText('Workstation', { exact: true }).count()).toBeGreaterThanOrEqual(2);
    const events = await stack.core<{ events: EventRow[] }>('GET', `/api/v1/devices/${ids['bulk-a']}/history`);
    expect(events.body.events.map((event) => event.summary)).toContain('Manual tag workstation added');

    // The create form.
    await page.getByLabel('Display name').fill('e2e-created');
    await page.getByLabel('Owner').fill('QA');
    await page.getByRole('button', { name: 'Create device' }).click();
    await page.getByText(/Created e2e-created \(/).waitFor();
    const created = await stack.core<{ devices: Device[] }>('GET', '/api/v1/devices?q=e2e-created');
    expect(created.body.devices.map((device) => device.metadata)).toEqual([{ owner: 'QA' }]);
    await context.close();
  });

  it('shows read-only users no mutating controls, and the proxy refuses their changes', async () => {
    const { context, page } = await newPage();
    await signIn(page, stack, VIEWER);
    // limit=100: every seeded device on one page, whatever their random ids (they share a creation time).
    await page.goto(`${stack.uiUrl}/devices?limit=100`);
    await page.getByText('core-sw-01').first().waitFor();
    expect(await page.getByRole('checkbox').count()).toBe(0);
    expect(await page.getByText('Create device').count()).toBe(0);
    expect(await page.getByText(/Add tag/).count()).toBe(0);
    await screenshot(page, 'devices-list-read-only');

    await page.goto(`${stack.uiUrl}/devices/${ids['nas-01']}`);
    await page.getByRole('heading', { name: 'nas-01' }).waitFor();
    await page.getByText('Synology Incorporated').first().waitFor();
    // Everything has loaded (the tags panel and the history come last) before controls are counted.
    await page.getByText('NAS · manual').waitFor();
    await page.getByText('All available events loaded.').waitFor();
    for (const name of ['Save metadata', 'Save tags', 'Clear manual tags']) {
      expect(await page.getByRole('button', { name }).count()).toBe(0);
    }
    expect(await page.getByRole('textbox').count()).toBe(0);
    expect(await page.getByRole('button', { name: /display name/ }).count()).toBe(0);
    await screenshot(page, 'device-detail-read-only');

    const answer = await page.evaluate(async (id) => {
      const session = (await (await fetch('/api/auth/session')).json()) as { csrf_token: string };
      const response = await fetch(`/api/v1/devices/${id}/tags`, {
        method: 'PUT',
        headers: { 'content-type': 'application/json', 'x-csrf-token': session.csrf_token },
        body: JSON.stringify({ tags: ['camera'] }),
      });
      return { status: response.status, body: (await response.json()) as { error: { code: string } } };
    }, ids['nas-01'] as string);
    expect(answer.status).toBe(403);
    expect(answer.body.error.code).toBe('forbidden');
    expect((await coreTags(ids['nas-01'] as string)).map((row) => row.tag)).toEqual(['nas']);
    await context.close();
  });

  it('fits a 390 px wide phone screen', async () => {
    const { context, page } = await newPage({ phone: true });
    await signIn(page, stack, ADMIN);
    await page.goto(`${stack.uiUrl}/devices?q=core`);
    await page.getByRole('link', { name: 'core-sw-01', exact: true }).waitFor();
    // Runs in the browser (this file is type-checked without the DOM library).
    const overflow = () =>
      page.evaluate(() => {
        const view = globalThis as unknown as {
          innerWidth: number;
          document: { documentElement: { scrollWidth: number } };
        };
        return view.document.documentElement.scrollWidth - view.innerWidth;
      });
    expect(await overflow()).toBeLessThanOrEqual(0);
    await screenshot(page, 'devices-list-phone');
    await page.getByRole('link', { name: 'core-sw-01', exact: true }).click();
    await page.getByRole('heading', { name: 'core-sw-01' }).waitFor();
    await page.getByText('History', { exact: true }).waitFor();
    expect(await overflow()).toBeLessThanOrEqual(0);
    await screenshot(page, 'device-detail-phone');
    await context.close();
  });
});
