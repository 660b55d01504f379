import { createHmac } from 'node:crypto';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
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

/**
 * The alerts page and the device's presence card against the real stack (issue 11 item 6). The
 * webhook receiver is a plain HTTP server of this test on 127.0.0.1; the channel's Test button makes
 * core send it one signed request.
 */
const SECRET = 'e2e-webhook-secret';

interface Received {
  headers: IncomingHttpHeaders;
  body: string;
}

describeInBrowser('alerts and presence scenes in Chromium', () => {
  let stack: E2eStack;
  let receiver: Server;
  let receiverUrl: string;
  const received: Received[] = [];
  let deviceId: string;

  beforeAll(async () => {
    receiver = createServer((request, response) => {
      const chunks: Buffer[] = [];
      request.on('data', (chunk: Buffer) => chunks.push(chunk));
      request.on('end', () => {
        received.push({ headers: request.headers, body: Buffer.concat(chunks).toString('utf8') });
        response.writeHead(204).end();
      });
    });
    await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
    receiverUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/roller-hook`;
    stack = await startStack({
      DISCOVERY_PORT_SCAN_ENABLED: 'false',
      DISCOVERY_NAME_RESOLUTION_ENABLED: 'false',
      DISCOVERY_SNMP_ENABLED: 'false',
    });
    const created = await stack.core<{ id: string }>('POST', '/api/v1/devices', { display_name: 'nas-01' });
    expect(created.status).toBe(201);
    deviceId = created.body.id;
  }, 120_000);
  afterAll(async () => {
    await closeBrowser();
    await stack?.stop();
    await new Promise((resolve) => receiver?.close(resolve));
  });

  it('creates a webhook channel whose Test reaches a receiver signed, and a rule that sends to it', async () => {
    const { context, page } = await newPage();
    try {
      await signIn(page, stack, ADMIN);
      await page.getByRole('navigation', { name: 'Primary' }).getByRole('link', { name: 'Alerts' }).click();
      await page.waitForURL(/\/alerts$/);
      await page.getByText('No alert rules').waitFor();

      await page.getByRole('navigation', { name: 'Alert sections' }).getByRole('link', { name: 'Channels' }).click();
      await page.waitForURL(/\/alerts\?tab=channels$/);
      await page.getByRole('button', { name: 'New channel' }).click();
      const form = page.getByRole('form', { name: 'New channel' });
      await form.getByRole('button', { name: 'Create channel' }).click();
      await expect.poll(() => form.getByText('Give the channel a name.').count()).toBe(1);
      await form.getByLabel('Channel name').fill('e2e hook');
      await form.getByLabel('URL').fill(receiverUrl);
      await form.getByLabel('HMAC signing key').fill(SECRET);
      await form.getByRole('button', { name: 'Create channel' }).click();
      await page.getByText('Channel created.').waitFor();
      const channels = page.getByRole('list', { name: 'Alert channels' });
      await channels.getByText('Secret: set (never shown)', { exact: false }).waitFor();
      expect(await page.content()).not.toContain(SECRET);

      await page.getByRole('button', { name: 'Test channel e2e hook' }).click();
      const result = page.getByRole('status', { name: 'Test result of e2e hook' });
      await result.waitFor();
      expect(await result.locator('.badge').textContent()).toBe('sent');
      expect(received).toHaveLength(1);
      const [hit] = received;
      if (!hit) throw new Error('the receiver got nothing');
      const timestamp = String(hit.headers['x-roller-timestamp']);
      const expected = `sha256=${createHmac('sha256', SECRET).update(`${timestamp}.${hit.body}`).digest('hex')}`;
      expect(hit.headers['x-roller-signature']).toBe(expected);
      const payload = JSON.parse(hit.body) as { kind: string; delivery_id: string };
      expect(payload.kind).toBe('test');
      expect(hit.headers['x-roller-delivery']).toBe(payload.delivery_id);
      await screenshot(page, 'alerts-channels');

      // The test delivery is in the log, with its outcome.
      await page
        .getByRole('navigation', { name: 'Alert sections' })
        .getByRole('link', { name: 'Delivery log' })
        .click();
      const log = page.getByRole('table', { name: 'Alert deliveries' });
      await log.waitFor();
      expect(await log.locator('tbody tr').count()).toBe(1);
      expect(await log.locator('tbody tr .badge', { hasText: /^sent$/ }).count()).toBe(1);
      expect(await log.getByRole('cell', { name: 'e2e hook', exact: true }).count()).toBe(1);
      await page.getByLabel('Outcome').selectOption('failed');
      await page.waitForURL(/status=failed/);
      await page.getByText('No deliveries match these filters').waitFor();
      await page.getByLabel('Outcome').selectOption('');
      await log.waitFor();
      await screenshot(page, 'alerts-log');

      await page.getByRole('navigation', { name: 'Alert sections' }).getByRole('link', { name: 'Rules' }).click();
      await page.getByRole('button', { name: 'New rule' }).click();
      const ruleForm = page.getByRole('form', { name: 'New rule' });
      await ruleForm.getByLabel('Rule name').fill('watched offline');
      await ruleForm.getByLabel('Event').selectOption('device_offline');
      await ruleForm.getByLabel('Watched devices only').check();
      await ruleForm.getByLabel('e2e hook').check();
      await ruleForm.getByLabel('Flap threshold').fill('0');
      await screenshot(page, 'alerts-rule-form');
      await ruleForm.getByRole('button', { name: 'Create rule' }).click();
      await page.getByText('Rule created.').waitFor();
      const table = page.getByRole('table', { name: 'Alert rules' });
      await table.getByText('watched offline').waitFor();
      const stored = await stack.core<{
        rules: { name: string; event: string; filters: object; channel_ids: string[]; flap_threshold: number }[];
      }>('GET', '/api/v1/alert-rules');
      const channelList = await stack.core<{ channels: { id: string; name: string; has_secret: boolean }[] }>(
        'GET',
        '/api/v1/alert-channels',
      );
      expect(channelList.body.channels).toMatchObject([{ name: 'e2e hook', has_secret: true }]);
      expect(stored.body.rules).toMatchObject([
        {
          name: 'watched offline',
          event: 'device_offline',
          filters: { watched_only: true },
          channel_ids: [channelList.body.channels[0]?.id],
          flap_threshold: 0,
        },
      ]);
      await screenshot(page, 'alerts-rules');
    } finally {
      await context.close();
    }
  });

  it('watches a device and sets its grace period on its page', async () => {
    const { context, page } = await newPage();
    try {
      await signIn(page, stack, ADMIN);
      await page.goto(`${stack.uiUrl}/devices/${deviceId}`);
      const card = page.locator('.presence-card');
      await card.getByRole('heading', { name: 'Presence and alerts' }).waitFor();
      await card.getByTestId('effective-grace').waitFor();
      expect(await card.getByTestId('effective-grace').textContent()).toMatch(/\(global default\)$/);
      await card.getByLabel('Watch this device').check();
      await card.getByText(/Watched since/).waitFor();
      const form = card.getByRole('form', { name: 'Presence settings of this device' });
      await form.getByLabel('Grace period').fill('soon');
      await form.getByRole('button', { name: 'Save presence settings' }).click();
      await form.getByText(/Enter a duration like/).waitFor();
      await form.getByLabel('Grace period').fill('15m');
      await form.getByRole('button', { name: 'Save presence settings' }).click();
      await form.getByText('Presence settings saved.').waitFor();
      expect(await card.getByTestId('effective-grace').textContent()).toBe('15m (set on this device)');
      const watch = await stack.core<{ watched: boolean }>('GET', `/api/v1/devices/${deviceId}/watch`);
      expect(watch.body.watched).toBe(true);
      const settings = await stack.core<{ override: { grace_s?: number; missed_scans?: number } }>(
        'GET',
        `/api/v1/devices/${deviceId}/presence-settings`,
      );
      expect(settings.body.override).toMatchObject({ grace_s: 900 });
      expect(settings.body.override.missed_scans).toBeUndefined();
      await card.scrollIntoViewIfNeeded();
      await screenshot(page, 'alerts-device-card');

      // Per-tag values on the alerts page.
      await page.goto(`${stack.uiUrl}/alerts?tab=presence`);
      const tagForm = page.getByRole('form', { name: 'Set values for a tag' });
      await tagForm.getByLabel('Tag').selectOption('server');
      await tagForm.getByLabel('Missed scans').fill('5');
      await tagForm.getByRole('button', { name: 'Save tag settings' }).click();
      await page.getByText('Presence settings of tag Server saved.').waitFor();
      const tagTable = page.getByRole('table', { name: 'Presence settings per tag' });
      await tagTable.getByText('(from tag Server)').waitFor();
      const tags = await stack.core<{ tag: string; override: { missed_scans?: number } }[]>(
        'GET',
        '/api/v1/presence/tag-settings',
      );
      expect(tags.body).toMatchObject([{ tag: 'server', override: { missed_scans: 5 } }]);
      await screenshot(page, 'alerts-presence');
    } finally {
      await context.close();
    }
  });

  it('shows a read-only user rules, channels and the card without any control', async () => {
    const { context, page } = await newPage({ phone: true });
    try {
      await signIn(page, stack, VIEWER);
      await page.goto(`${stack.uiUrl}/alerts`);
      await page.getByRole('table', { name: 'Alert rules' }).getByText('watched offline').waitFor();
      expect(await page.locator('main').getByRole('button').count()).toBe(0);
      await page.goto(`${stack.uiUrl}/alerts?tab=channels`);
      await page.getByRole('list', { name: 'Alert channels' }).getByText('e2e hook').waitFor();
      expect(await page.locator('main').getByRole('button').count()).toBe(0);
      expect(await page.evaluate('document.documentElement.scrollWidth')).toBeLessThanOrEqual(390);
      await screenshot(page, 'alerts-read-only');

      await page.goto(`${stack.uiUrl}/devices/${deviceId}`);
      const card = page.locator('.presence-card');
      await card.getByText(/Watched since/).waitFor();
      await card.getByTestId('effective-grace').waitFor();
      expect(await card.getByTestId('effective-grace').textContent()).toBe('15m (set on this device)');
      expect(await card.getByLabel('Watch this device').count()).toBe(0);
      expect(await card.getByRole('button').count()).toBe(0);
      expect(await card.getByRole('form').count()).toBe(0);
    } finally {
      await context.close();
    }
  });
});
