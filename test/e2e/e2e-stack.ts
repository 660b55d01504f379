import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { type Browser, type BrowserContext, chromium, type Page } from 'playwright-core';
import { describe } from 'vitest';
import { hashPassword } from '../../src/ui-server/users/password-hash.ts';
import { writeUsersFile } from '../../src/ui-server/users/users-file.ts';
import {
  baseUrlFor,
  freePort,
  makeTempDir,
  REPO_ROOT,
  type RollerProcess,
  registerProcessCleanup,
  requestJsonWithHeaders,
  spawnRoller,
  waitForReady,
} from '../support/process.ts';
import { IN_CI } from '../support/test-env.ts';

/**
 * End-to-end tests: the real `roller start` (UI server + core + embedded database) in a temp dir,
 * driven by the real Debian Chromium through playwright-core. The web app is built once per test run
 * by the global setup (dist/web). Screenshots of each scene land in test-results/e2e/.
 */

export const CHROMIUM = '/usr/bin/chromium';
export const ADMIN = { username: 'admin', password: 'e2e-admin-password' } as const;
export const VIEWER = { username: 'viewer', password: 'e2e-viewer-password' } as const;
export const CORE_TOKEN = 'e2e-core-token-0123456789abcdef';
export const SCREENSHOT_DIR = join(REPO_ROOT, 'test-results', 'e2e');

const chromiumMissing = existsSync(CHROMIUM) ? undefined : `${CHROMIUM} is not installed (apt-get install chromium)`;

/** A suite that needs Chromium: skipped with the reason locally, a failure under CI=true. */
export function describeInBrowser(title: string, body: () => void): void {
  if (chromiumMissing && !IN_CI) describe.skip(`${title} (skipped: ${chromiumMissing})`, body);
  else describe(title, body);
}

// One `roller start` serves every test of a file; it is stopped (or killed) after the file.
registerProcessCleanup({ perTest: false });

export interface E2eStack {
  uiUrl: string;
  coreUrl: string;
  process: RollerProcess;
  dataDir: string;
  /** A JSON request straight to core with its token (seeding, checking what the UI did). */
  core<T = Record<string, unknown>>(method: string, path: string, body?: unknown): Promise<{ status: number; body: T }>;
  stop(): Promise<void>;
}

export async function startStack(env: Record<string, string> = {}): Promise<E2eStack> {
  const cwd = makeTempDir('roller-e2e-');
  const dataDir = join(cwd, 'data');
  mkdirSync(dataDir, { recursive: true });
  const usersFile = join(dataDir, 'users.json');
  await writeUsersFile(usersFile, [
    { username: ADMIN.username, role: 'admin', passwordHash: await hashPassword(ADMIN.password) },
    { username: VIEWER.username, role: 'read-only', passwordHash: await hashPassword(VIEWER.password) },
  ]);
  const corePort = await freePort();
  const uiPort = await freePort();
  const coreUrl = baseUrlFor(corePort);
  const uiUrl = baseUrlFor(uiPort);
  const process = spawnRoller(['start'], {
    cwd,
    env: {
      HTTP_ADDR: `127.0.0.1:${corePort}`,
      UI_ADDR: `127.0.0.1:${uiPort}`,
      ROLLER_DATA_DIR: dataDir,
      AUTH_USERS_FILE: usersFile,
      CORE_API_TOKEN: CORE_TOKEN,
      LOG_LEVEL: 'warn',
      ...env,
    },
  });
  await waitForReady(process, coreUrl);
  await process.waitFor(() => process.stderrLines.find((line) => line.includes('Sign in at')), 'the sign-in banner');
  return {
    uiUrl,
    coreUrl,
    process,
    dataDir,
    async core<T>(method: string, path: string, body?: unknown) {
      const answer = await requestJsonWithHeaders<T>(coreUrl, method, path, body, {
        authorization: `Bearer ${CORE_TOKEN}`,
      });
      return { status: answer.status, body: answer.body };
    },
    async stop() {
      await process.kill('SIGTERM');
    },
  };
}

let browser: Browser | undefined;

export async function launchBrowser(): Promise<Browser> {
  browser ??= await chromium.launch({
    executablePath: CHROMIUM,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'],
  });
  return browser;
}

export async function closeBrowser(): Promise<void> {
  await browser?.close();
  browser = undefined;
}

/** A fresh browser context (its own cookies) sized like a laptop, or a phone with `phone: true`. */
export async function newPage(options: { phone?: boolean } = {}): Promise<{ context: BrowserContext; page: Page }> {
  const context = await (await launchBrowser()).newContext({
    viewport: options.phone ? { width: 390, height: 844 } : { width: 1280, height: 800 },
  });
  const page = await context.newPage();
  // Generous: CI runs these next to other suites on two cores.
  page.setDefaultTimeout(30_000);
  return { context, page };
}

export async function signIn(
  page: Page,
  stack: Pick<E2eStack, 'uiUrl'>,
  user: { username: string; password: string },
): Promise<void> {
  await page.goto(`${stack.uiUrl}/auth/login`);
  await page.getByLabel('Username').fill(user.username);
  await page.getByLabel('Password').fill(user.password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.waitForURL((url) => !url.pathname.startsWith('/auth/login'));
}

/** Saves a screenshot of the scene as a test artifact (test-results/e2e/<name>.png). */
export async function screenshot(page: Page, name: string): Promise<string> {
  mkdirSync(SCREENSHOT_DIR, { recursive: true });
  const path = join(SCREENSHOT_DIR, `${name}.png`);
  await page.screenshot({ path, fullPage: true });
  return path;
}
