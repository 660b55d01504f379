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

/**
 * The discovery scenes against the real stack. Every run scans 127.0.0.1/32 only (loopback); the
 * worker of `roller start` executes them, each after DISCOVERY_RUN_DELAY so the progress can be
 * watched and a run can be canceled while it waits.
 */
const SCOPE = '127.0.0.1/32';

describeInBrowser('discovery scenes in Chromium', () => {
  let stack: E2eStack;
  beforeAll(async () => {
    stack = await startStack({
      DISCOVERY_RUN_DELAY: '5s',
      DISCOVERY_PORT_SCAN_ENABLED: 'false',
      DISCOVERY_NAME_RESOLUTION_ENABLED: 'false',
      DISCOVERY_SNMP_ENABLED: 'false',
    });
  }, 120_000);
  afterAll(async () => {
    await closeBrowser();
    await stack?.stop();
  });

  async function startRun(page: Page): Promise<void> {
    await page.goto(`${stack.uiUrl}/discovery`);
    const scope = page.getByLabel('Scope', { exact: true });
    await scope.fill(SCOPE);
    await page.getByLabel('Preset').selectOption('fast');
    await page.getByRole('button', { name: 'Start discovery' }).click();
    const dialog = page.getByRole('dialog', { name: 'Discovery already in progress' });
    if (await dialog.isVisible().catch(() => false))
      await dialog.getByRole('button', { name: 'Queue another run' }).click();
    await page.getByText(/Discovery run \w{8} queued/).waitFor();
  }

  it('starts a run, shows its progress live and its log in the run detail', async () => {
    const { context, page } = await newPage();
    try {
      await signIn(page, stack, ADMIN);
      await page.goto(`${stack.uiUrl}/discovery`);
      // Client-side validation first: nothing is sent for a malformed scope.
      await page.getByLabel('Scope', { exact: true }).fill('127.0.0.300');
      await page.getByRole('button', { name: 'Start discovery' }).click();
      await expect.poll(() => page.getByText('"127.0.0.300" is not a valid IPv4 address.').count()).toBe(1);

      await startRun(page);
      const live = page.locator('.live-run');
      await live.waitFor();
      const bar = live.getByRole('progressbar', { name: 'Run progress' });
      await bar.waitFor();
      // Watch the stage move from waiting/starting to completed, from the events stream.
      const stages = new Set<string>();
      const deadline = Date.now() + 45_000;
      while (Date.now() < deadline) {
        stages.add((await live.getByTestId('run-stage').textContent()) ?? '');
        if ((await live.locator('.badge', { hasText: /^(succeeded|failed|canceled)$/ }).count()) > 0) break;
        await page.waitForTimeout(150);
      }
      stages.add((await live.getByTestId('run-stage').textContent()) ?? '');
      expect(await live.locator('.badge', { hasText: 'succeeded' }).count()).toBe(1);
      expect([...stages].some((stage) => stage === 'Waiting for a worker' || stage === 'Starting')).toBe(true);
      expect(stages.has('Completed')).toBe(true);
      expect(await bar.getAttribute('aria-valuenow')).toBe('100');
      // The live card showed log lines as they came.
      await expect.poll(() => live.getByText('discovery run completed').count()).toBe(1);
      // The run list picked the run up.
      await expect
        .poll(() => page.getByRole('list', { name: 'Discovery runs' }).getByText('succeeded').count())
        .toBeGreaterThan(0);
      await screenshot(page, 'discovery');

      await live.getByRole('link', { name: 'View details' }).click();
      await page.waitForURL(/\/discovery\/[0-9a-f-]{36}$/);
      await expect.poll(() => page.getByTestId('run-outcome').textContent()).toBe('Completed without error.');
      const log = page.getByRole('list', { name: 'Run log, newest first' });
      await expect.poll(() => log.getByText('discovery run completed').count()).toBe(1);
      expect(await log.getByText('discovery run started').count()).toBe(1);
      expect(await log.getByText('scan preset: fast').count()).toBe(1);
      expect(await log.getByText(/scope targets: 1 \(max=\d+\)/).count()).toBe(1);
      expect(await page.getByText('All logs loaded.').count()).toBe(1);
      expect(await page.getByRole('button', { name: /Cancel run/ }).count()).toBe(0);
      expect(await page.getByText(/Duration/).count()).toBeGreaterThan(0);
      await screenshot(page, 'run-detail');
    } finally {
      await context.close();
    }
  });

  it('cancels a run while it is waiting', async () => {
    const { context, page } = await newPage();
    try {
      await signIn(page, stack, ADMIN);
      await startRun(page);
      await page.locator('.live-run').getByRole('link', { name: 'View details' }).click();
      await page.waitForURL(/\/discovery\/[0-9a-f-]{36}$/);
      const runId = page.url().split('/').at(-1) ?? '';
      await page.getByRole('button', { name: 'Cancel run…' }).click();
      await page
        .getByRole('dialog', { name: 'Cancel this run?' })
        .getByRole('button', { name: 'Yes, cancel the run' })
        .click();
      await expect
        .poll(() => page.getByTestId('run-outcome').textContent(), { timeout: 20_000 })
        .toBe('Canceled before it completed.');
      expect(await page.getByText('Completed without error.').count()).toBe(0);
      const run = await stack.core<{ status: string; last_error?: string }>('GET', `/api/v1/discovery/runs/${runId}`);
      expect(run.body.status).toBe('canceled');
      expect(await page.getByText(`Reason: ${run.body.last_error}`).count()).toBe(1);
      expect(await page.getByRole('button', { name: /Cancel run/ }).count()).toBe(0);
    } finally {
      await context.close();
    }
  });

  it('creates and deletes a schedule, which read-only users only see', async () => {
    const { context, page } = await newPage();
    try {
      await signIn(page, stack, ADMIN);
      await page.goto(`${stack.uiUrl}/discovery`);
      await page.getByRole('link', { name: 'Schedules' }).click();
      await page.waitForURL(/\/discovery\/schedules$/);
      await page.getByText('No schedules').waitFor();
      await page.getByRole('button', { name: 'New schedule' }).click();
      const form = page.getByRole('form', { name: 'New schedule' });
      await form.getByRole('button', { name: 'Create schedule' }).click();
      await expect.poll(() => form.getByText(/Enter a scope/).count()).toBe(1);
      await form.getByLabel('Name (optional)').fill('loopback hourly');
      await form.getByLabel('Scope', { exact: true }).fill(SCOPE);
      await form.getByLabel('Interval').fill('1');
      await form.getByLabel('Unit').selectOption('hours');
      await form.getByRole('button', { name: 'Create schedule' }).click();
      await page.getByText('Schedule created.').waitFor();
      const table = page.getByRole('table', { name: 'Discovery schedules' });
      await expect.poll(() => table.getByText('every 1 hour').count()).toBe(1);
      const stored = await stack.core<{ schedules: { name: string; interval_seconds: number; scope: string }[] }>(
        'GET',
        '/api/v1/discovery/schedules',
      );
      expect(stored.body.schedules).toMatchObject([
        { name: 'loopback hourly', interval_seconds: 3600, scope: '127.0.0.1' },
      ]);
      await screenshot(page, 'schedules');

      // A read-only user sees the schedule but nothing to change it with.
      const viewer = await newPage();
      viewer.page.setDefaultTimeout(30_000);
      try {
        await signIn(viewer.page, stack, VIEWER);
        await viewer.page.goto(`${stack.uiUrl}/discovery/schedules`);
        await viewer.page.getByText('loopback hourly').waitFor();
        for (const name of ['New schedule', /^Edit/, /^Delete/]) {
          expect(await viewer.page.getByRole('button', { name }).count()).toBe(0);
        }
      } finally {
        await viewer.context.close();
      }

      await page.getByRole('button', { name: 'Delete schedule loopback hourly' }).click();
      await page
        .getByRole('dialog', { name: 'Delete this schedule?' })
        .getByRole('button', { name: 'Delete schedule' })
        .click();
      await page.getByText('No schedules').waitFor();
      const after = await stack.core<{ schedules: unknown[] }>('GET', '/api/v1/discovery/schedules');
      expect(after.body.schedules).toEqual([]);
    } finally {
      await context.close();
    }
  });

  it('gives a read-only user no run form and no cancel button, and fits a phone', async () => {
    const started = await stack.core<{ id: string }>('POST', '/api/v1/discovery/run', { scope: SCOPE, preset: 'fast' });
    expect(started.status).toBe(202);
    const { context, page } = await newPage({ phone: true });
    try {
      await signIn(page, stack, VIEWER);
      await page.goto(`${stack.uiUrl}/discovery`);
      await page.getByRole('list', { name: 'Discovery runs' }).waitFor();
      expect(await page.getByRole('button', { name: 'Start discovery' }).count()).toBe(0);
      expect(await page.getByLabel('Scope', { exact: true }).count()).toBe(0);
      expect(await page.getByText(/signed in read-only: you can follow runs/).count()).toBe(1);
      expect(await page.evaluate('document.documentElement.scrollWidth')).toBeLessThanOrEqual(390);
      await screenshot(page, 'discovery-phone-read-only');

      await page.goto(`${stack.uiUrl}/discovery/${started.body.id}`);
      await page.getByTestId('run-outcome').waitFor();
      expect(await page.locator('.run-status .badge', { hasText: /^(queued|running)$/ }).count()).toBe(1);
      expect(await page.getByRole('button', { name: /Cancel run/ }).count()).toBe(0);
      expect(await page.evaluate('document.documentElement.scrollWidth')).toBeLessThanOrEqual(390);
      // The viewer still watches it finish live.
      await expect
        .poll(() => page.getByTestId('run-outcome').textContent(), { timeout: 45_000 })
        .toBe('Completed without error.');
    } finally {
      await context.close();
    }
  });
});
