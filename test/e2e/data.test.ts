import { readFileSync } from 'node:fs';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
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

/** The import & export scene (/data) against the real stack: downloads, snapshot import, NetBox import. */

interface DeviceBody {
  id: string;
  display_name?: string;
  metadata?: { owner?: string; location?: string; notes?: string };
}

describeInBrowser('import & export scene', () => {
  let stack: E2eStack;
  const seeded: DeviceBody[] = [];

  beforeAll(async () => {
    stack = await startStack();
    for (const [name, owner] of [
      ['seed-router', 'Network team'],
      ['seed-printer', 'Office'],
      ['seed-nas', 'IT, "storage"'],
    ] as const) {
      const created = await stack.core<DeviceBody>('POST', '/api/v1/devices', {
        display_name: name,
        metadata: { owner },
      });
      expect(created.status).toBe(201);
      seeded.push(created.body);
    }
  });

  afterAll(async () => {
    await closeBrowser();
    await stack?.stop();
  });

  async function openScene(user: { username: string; password: string }, phone = false): Promise<Page> {
    const { page } = await newPage({ phone });
    await signIn(page, stack, user);
    await page.goto(`${stack.uiUrl}/data`);
    await page.getByRole('heading', { name: 'Import and export' }).waitFor();
    return page;
  }

  async function devicesNamed(q: string): Promise<DeviceBody[]> {
    const answer = await stack.core<{ devices: DeviceBody[] }>('GET', `/api/v1/devices?q=${encodeURIComponent(q)}`);
    expect(answer.status).toBe(200);
    return answer.body.devices;
  }

  it('downloads the snapshot as JSON and as CSV, and links the schema', async () => {
    const page = await openScene(ADMIN);
    await screenshot(page, 'import-export');

    const [jsonDownload] = await Promise.all([
      page.waitForEvent('download'),
      page.getByRole('link', { name: 'Download JSON' }).click(),
    ]);
    expect(jsonDownload.suggestedFilename()).toMatch(/^roller-devices-\d{4}-\d\d-\d\d\.json$/);
    const document = JSON.parse(readFileSync(await jsonDownload.path(), 'utf8')) as {
      format: string;
      version: number;
      devices: DeviceBody[];
    };
    expect(document.format).toBe('roller.devices');
    expect(document.version).toBe(1);
    for (const device of seeded) {
      expect(document.devices).toContainEqual(
        expect.objectContaining({ id: device.id, display_name: device.display_name }),
      );
    }

    const [csvDownload] = await Promise.all([
      page.waitForEvent('download'),
      page.getByRole('link', { name: 'Download CSV' }).click(),
    ]);
    expect(csvDownload.suggestedFilename()).toMatch(/\.csv$/);
    const lines = readFileSync(await csvDownload.path(), 'utf8').split('\r\n');
    expect(lines[0]).toBe('id,display_name,owner,location,notes,tags,ips,macs,created_at');
    const nas = seeded.find((device) => device.display_name === 'seed-nas');
    expect(lines.find((line) => line.startsWith(`${nas?.id},`))).toContain('seed-nas,"IT, ""storage"""');
    expect(lines.filter((line) => /,seed-/.test(line))).toHaveLength(3);

    const schemaHref = await page.getByRole('link', { name: 'JSON Schema' }).getAttribute('href');
    const schema = await page.request.get(`${stack.uiUrl}${schemaHref}`);
    expect(schema.status()).toBe(200);
    expect(((await schema.json()) as { $schema: string }).$schema).toContain('json-schema.org');
  });

  it('lists the bad row of a snapshot and writes nothing, then imports the corrected file', async () => {
    const page = await openScene(ADMIN);
    const good = [
      { id: '0a4f3c2e-1b5d-4e6f-8a9b-0c1d2e3f4a51', display_name: 'snap-good-1', ips: ['10.20.0.1'] },
      { id: '0a4f3c2e-1b5d-4e6f-8a9b-0c1d2e3f4a52', display_name: 'snap-good-2', metadata: { location: 'Rack 4' } },
    ];
    const bad = { display_name: 'snap-bad', ips: ['10.20.0.300'] };
    const file = (devices: unknown[]) =>
      `{"format":"roller.devices","version":1,"devices":[\n${devices.map((device) => JSON.stringify(device)).join(',\n')}\n]}\n`;

    const input = page.getByLabel('Snapshot file');
    await input.setInputFiles({
      name: 'with-bad-row.json',
      mimeType: 'application/json',
      buffer: Buffer.from(file([good[0], bad, good[1]])),
    });
    await page.getByText('3 devices, Roller snapshot version 1').waitFor();
    await page.getByRole('button', { name: 'Import 3 devices' }).click();
    await page.getByRole('button', { name: 'Import now' }).click();

    const problems = page.locator('table.problems-table');
    await problems.waitFor();
    const cells = await problems.locator('tbody tr').first().locator('td').allInnerTexts();
    expect(cells).toEqual(['1', '3', 'snap-bad', '/ips/0', '"10.20.0.300" is not an IP address']);
    await expect(page.getByText('Nothing was imported').isVisible()).resolves.toBe(true);
    expect(await page.locator('.request-id code').first().textContent()).toMatch(/\S{8,}/);
    await screenshot(page, 'import-export-snapshot-errors');
    expect(await devicesNamed('snap-')).toEqual([]);

    await input.setInputFiles({ name: 'fixed.json', mimeType: 'application/json', buffer: Buffer.from(file(good)) });
    await page.getByRole('button', { name: 'Import 2 devices' }).click();
    await page.getByRole('button', { name: 'Import now' }).click();
    const result = page.getByLabel('Snapshot import result');
    await result.waitFor();
    expect(await result.textContent()).toMatch(/Created\s*2/);
    const created = await devicesNamed('snap-good');
    expect(created.map((device) => device.id).sort()).toEqual(good.map((device) => device.id));
    const second = await stack.core<DeviceBody>('GET', `/api/v1/devices/${good[1]?.id}`);
    expect(second.body.metadata?.location).toBe('Rack 4');
  });

  it('previews a NetBox import per device, then imports it', async () => {
    const page = await openScene(ADMIN);
    const payload = {
      count: 3,
      next: null,
      previous: null,
      results: [
        { name: 'nb-core-01', primary_ip4: { address: '10.30.0.1/24' }, site: { name: 'AMS1' } },
        { name: 'seed-printer', primary_ip4: null, site: { name: 'AMS1' }, location: { name: 'Floor 2' } },
        { name: null, primary_ip4: null },
      ],
    };
    const importButton = page.getByRole('button', { name: 'Import', exact: true });
    expect(await importButton.isDisabled()).toBe(true);
    await page.getByLabel('NetBox JSON').fill(JSON.stringify(payload, null, 2));
    expect(await importButton.isDisabled()).toBe(true);
    await page.getByRole('button', { name: 'Preview' }).click();

    const preview = page.getByRole('region', { name: 'Preview' });
    await preview.waitFor();
    const actions = await preview.locator('tbody tr td:nth-child(3)').allInnerTexts();
    expect(actions).toEqual(['create', 'update', 'skip']);
    expect(await preview.locator('tbody tr').nth(1).textContent()).toContain('location');
    expect(await importButton.isEnabled()).toBe(true);
    await screenshot(page, 'import-export-preview');
    // A preview writes nothing.
    expect(await devicesNamed('nb-core-01')).toEqual([]);

    await importButton.click();
    const result = page.getByRole('region', { name: 'Import result' });
    await result.waitFor();
    expect(await result.textContent()).toMatch(/Created\s*1/);
    expect(await importButton.isDisabled()).toBe(true);
    const [createdDevice] = await devicesNamed('nb-core-01');
    expect(createdDevice?.metadata?.location).toBe('AMS1');
    const [printer] = await devicesNamed('seed-printer');
    expect(printer?.id).toBe(seeded.find((device) => device.display_name === 'seed-printer')?.id);
    expect(printer?.metadata).toMatchObject({ owner: 'Office', location: 'AMS1 / Floor 2' });
  });

  it('shows read-only users the exports but no import controls', async () => {
    const page = await openScene(VIEWER);
    expect(await page.getByRole('link', { name: 'Download JSON' }).isVisible()).toBe(true);
    expect(await page.getByRole('link', { name: 'Download CSV' }).isVisible()).toBe(true);
    expect(await page.locator('main input, main textarea').count()).toBe(0);
    expect(await page.getByRole('button', { name: /Import|Preview/ }).count()).toBe(0);
    expect(await page.getByText('Import a snapshot').count()).toBe(0);
    await screenshot(page, 'import-export-read-only');
  });

  it('fits a phone screen', async () => {
    const page = await openScene(ADMIN, true);
    await page.getByLabel('NetBox JSON').fill('[{"name": "phone-check", "primary_ip4": {"address": "10.40.0.1/24"}}]');
    // Keyboard only: from the payload to the Preview button, then Enter.
    await page.getByLabel('NetBox JSON').focus();
    for (let step = 0; step < 5; step++) {
      await page.keyboard.press('Tab');
      if (
        await page
          .getByRole('button', { name: 'Preview' })
          .evaluate((button) => button === button.ownerDocument.activeElement)
      )
        break;
    }
    await page.keyboard.press('Enter');
    await page.getByRole('region', { name: 'Preview' }).waitFor();
    const overflow = await page.evaluate<number>('document.documentElement.scrollWidth - window.innerWidth');
    expect(overflow).toBeLessThanOrEqual(0);
    await screenshot(page, 'import-export-phone');
  });
});
