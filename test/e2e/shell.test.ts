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

describeInBrowser('web app shell in Chromium', () => {
  let stack: E2eStack;
  beforeAll(async () => {
    stack = await startStack();
  }, 120_000);
  afterAll(async () => {
    await closeBrowser();
    await stack?.stop();
  });

  it('sends a visitor to the login page and back to where they were going', async () => {
    const { context, page } = await newPage();
    try {
      await page.goto(`${stack.uiUrl}/auth/account`);
      await page.waitForURL(/\/auth\/login\?next=/);
      await screenshot(page, 'login');
      await page.getByLabel('Username').fill(ADMIN.username);
      await page.getByLabel('Password').fill('wrong-password');
      await page.getByRole('button', { name: 'Sign in' }).click();
      await expect.poll(() => page.getByRole('alert').textContent()).toContain('invalid username or password');
      await page.getByLabel('Password').fill(ADMIN.password);
      await page.getByRole('button', { name: 'Sign in' }).click();
      await page.waitForURL(/\/auth\/account$/);
      await expect.poll(() => page.getByRole('heading', { level: 1 }).textContent()).toBe('Account');
      // Navigation, the signed-in user, and the build version are in the shell.
      const nav = page.getByRole('navigation', { name: 'Primary' });
      for (const item of ['Devices', 'Discovery', 'Import & export', 'Account']) {
        expect(await nav.getByRole('link', { name: item }).count()).toBe(1);
      }
      expect(await page.locator('.shell-footer').textContent()).toMatch(/Roller \d+\.\d+\.\d+/);
      expect(await page.locator('.user-name').textContent()).toContain('admin');
      await screenshot(page, 'account-admin');
    } finally {
      await context.close();
    }
  });

  it('switches between light and dark themes and remembers the choice', async () => {
    const { context, page } = await newPage();
    try {
      await signIn(page, stack, ADMIN);
      const theme = () => page.evaluate<string | undefined>('document.documentElement.dataset.theme');
      const before = await theme();
      await page.getByRole('button', { name: /Switch to (dark|light) theme/ }).click();
      const after = await theme();
      expect(after).not.toBe(before);
      const background = await page.evaluate<string>('getComputedStyle(document.body).backgroundColor');
      await screenshot(page, `theme-${after}`);
      await page.reload();
      expect(await theme()).toBe(after);
      expect(await page.evaluate<string>('getComputedStyle(document.body).backgroundColor')).toBe(background);
    } finally {
      await context.close();
    }
  });

  it('shows read-only users a banner and no user administration', async () => {
    const { context, page } = await newPage();
    try {
      await signIn(page, stack, VIEWER);
      await page.goto(`${stack.uiUrl}/auth/account`);
      await expect.poll(() => page.getByRole('note').textContent()).toContain('read-only');
      expect(await page.getByRole('heading', { name: 'Users' }).count()).toBe(0);
      expect(await page.getByRole('heading', { name: 'Change password' }).count()).toBe(1);
      await screenshot(page, 'account-read-only');
    } finally {
      await context.close();
    }
  });

  it('lets an admin add a user, change its role and remove it; the new user can sign in', async () => {
    const { context, page } = await newPage();
    try {
      await signIn(page, stack, ADMIN);
      await page.goto(`${stack.uiUrl}/auth/account`);
      await page.getByLabel('New user').fill('e2e-new');
      await page.getByLabel('Password', { exact: true }).fill('e2e-new-password');
      await page.getByRole('button', { name: 'Add user' }).click();
      const row = page.getByRole('row', { name: /e2e-new/ });
      await row.waitFor();
      await page.getByLabel('Role of e2e-new').selectOption('admin');
      await expect
        .poll(async () =>
          (await stack.core<{ events: { action: string }[] }>('GET', '/api/v1/audit/events')).body.events.map(
            (event) => event.action,
          ),
        )
        .toContain('user.role.changed');
      const other = await newPage();
      try {
        await signIn(other.page, stack, { username: 'e2e-new', password: 'e2e-new-password' });
        expect(await other.page.locator('.user-name').textContent()).toContain('admin');
      } finally {
        await other.context.close();
      }
      await row.getByRole('button', { name: 'Remove' }).click();
      await page.getByRole('button', { name: 'Remove user' }).click();
      await expect.poll(() => page.getByRole('row', { name: /e2e-new/ }).count()).toBe(0);
    } finally {
      await context.close();
    }
  });

  it('changes the own password, ending the other sessions', async () => {
    const user = { username: 'e2e-changer', password: 'first-password-1' };
    const setup = await newPage();
    await signIn(setup.page, stack, ADMIN);
    await setup.page.goto(`${stack.uiUrl}/auth/account`);
    await setup.page.getByLabel('New user').fill(user.username);
    await setup.page.getByLabel('Password', { exact: true }).fill(user.password);
    await setup.page.getByRole('button', { name: 'Add user' }).click();
    await setup.page.getByRole('row', { name: /e2e-changer/ }).waitFor();
    await setup.context.close();

    const first = await newPage();
    const second = await newPage();
    try {
      await signIn(first.page, stack, user);
      await signIn(second.page, stack, user);
      await first.page.goto(`${stack.uiUrl}/auth/account`);
      await first.page.getByLabel('Current password').fill(user.password);
      await first.page.getByLabel('New password', { exact: true }).fill('second-password-2');
      await first.page.getByLabel('Repeat new password').fill('second-password-2');
      await first.page.getByRole('button', { name: 'Change password' }).click();
      await expect
        .poll(() => first.page.getByRole('status').allTextContents())
        .toContainEqual(expect.stringContaining('Password changed'));
      // The other browser is signed out on its next request.
      await second.page.goto(`${stack.uiUrl}/auth/account`);
      await second.page.waitForURL(/\/auth\/login/);
      await first.page.reload();
      expect(await first.page.getByRole('heading', { level: 1 }).textContent()).toBe('Account');
    } finally {
      await first.context.close();
      await second.context.close();
    }
  });

  it('signs out, and is usable at phone width', async () => {
    const { context, page } = await newPage({ phone: true });
    try {
      await signIn(page, stack, ADMIN);
      await page.goto(`${stack.uiUrl}/auth/account`);
      const width = await page.evaluate<number>('document.documentElement.scrollWidth');
      expect(width).toBeLessThanOrEqual(390);
      await screenshot(page, 'account-phone');
      await page.getByRole('button', { name: 'Sign out' }).click();
      await page.waitForURL(/\/auth\/login$/);
      await page.goto(`${stack.uiUrl}/auth/account`);
      await page.waitForURL(/\/auth\/login/);
    } finally {
      await context.close();
    }
  });
});
