import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { request } from 'undici';
import { buildCoreApp, type CoreApp } from '../../src/api/app.ts';
import { createMetrics } from '../../src/api/metrics.ts';
import { loadConfig } from '../../src/config/config.ts';
import type { CoreAddress } from '../../src/config/parsers.ts';
import { VERSION } from '../../src/config/version.ts';
import { Migrator } from '../../src/storage/migrator.ts';
import { type RunningUi, startUi } from '../../src/ui-server/ui-server.ts';
import { hashPassword } from '../../src/ui-server/users/password-hash.ts';
import type { Backend, TestDatabase } from './backends.ts';
import { createLogger, type LogLine } from './ui-logs.ts';

export const ADMIN = { username: 'admin', password: 'admin-password-1' } as const;
export const VIEWER = { username: 'viewer', password: 'viewer-password-1' } as const;
export const SESSION_SECRET = 'a-test-session-secret-that-is-long-enough';
export const CORE_TOKEN = 'core-token-for-the-ui-tests-0123456789';

export interface UiStackOptions {
  /** Extra UI/auth variables (AUTH_*, UI_*); ROLLER_DATA_DIR, UI_ADDR and the users file are set here. */
  env?: Record<string, string>;
  /** Token core requires; null = none. */
  coreToken?: string | null;
  /** Token the UI sends; defaults to coreToken. */
  uiToken?: string | null;
  /** Point the UI somewhere else than the real core (unreachable, hanging …). */
  coreAddress?: CoreAddress;
  /** Users file content; defaults to ADMIN (admin) and VIEWER (read-only). */
  users?: { username: string; password: string; role?: string }[];
  /** Use AUTH_SESSION_SECRET_FILE instead of AUTH_SESSION_SECRET. */
  secretInFile?: boolean;
  /** Serve this directory as the web app (default: a tiny app written by the stack, see WEB_MARKER). */
  webRoot?: string;
}

/** Text in the index.html of the stack's own tiny web app. */
export const WEB_MARKER = 'roller-test-web-app';

export interface HttpAnswer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  text: string;
  json: Record<string, unknown>;
}

export interface Client {
  cookie: string | undefined;
  csrf: string | undefined;
}

/**
 * A real core (PGlite, on a loopback port, with a bearer token) and a real UI server in front of it,
 * both listening, driven over HTTP like a browser would: the layer under test is the UI server, so
 * nothing in between is simulated.
 */
export class UiStack {
  readonly dir: string;
  readonly usersFile: string;
  readonly secretFile: string;
  readonly uiLogs: LogLine[] = [];
  readonly coreLogs: LogLine[] = [];
  ui!: RunningUi;
  core!: CoreApp;
  coreUrl!: string;
  #database!: TestDatabase;

  private constructor() {
    this.dir = mkdtempSync(join(tmpdir(), 'roller-ui-'));
    this.usersFile = join(this.dir, 'users.json');
    this.secretFile = join(this.dir, 'secret');
  }

  static async start(backend: Backend, options: UiStackOptions = {}): Promise<UiStack> {
    const stack = new UiStack();
    try {
      await stack.#start(backend, options);
    } catch (error) {
      await stack.close();
      throw error;
    }
    return stack;
  }

  async #start(backend: Backend, options: UiStackOptions): Promise<void> {
    const users = options.users ?? [
      { ...ADMIN, role: 'admin' },
      { ...VIEWER, role: 'read-only' },
    ];
    const entries = [];
    for (const user of users) {
      entries.push({ username: user.username, role: user.role, password_scrypt: await hashPassword(user.password) });
    }
    writeFileSync(this.usersFile, JSON.stringify(entries, null, 2), { mode: 0o600 });
    writeFileSync(this.secretFile, `${SESSION_SECRET}\n`, { mode: 0o600 });
    const webRoot = join(this.dir, 'web');
    mkdirSync(join(webRoot, 'assets'), { recursive: true });
    writeFileSync(join(webRoot, 'index.html'), `<!doctype html><title>${WEB_MARKER}</title><div id="root"></div>`);
    writeFileSync(join(webRoot, 'assets', 'app-1234.js'), 'console.log("app");');

    this.#database = await backend.fresh();
    const coreToken = options.coreToken === undefined ? CORE_TOKEN : (options.coreToken ?? undefined);
    this.core = await buildCoreApp({
      database: this.#database.database,
      migrator: new Migrator(this.#database.database),
      logger: createLogger('core', this.coreLogs),
      metrics: createMetrics(),
      version: VERSION,
      discovery: loadConfig({}).discovery,
      apiToken: coreToken,
    });
    await this.core.listen({ host: '127.0.0.1', port: 0 });
    this.coreUrl = `http://127.0.0.1:${(this.core.server.address() as AddressInfo).port}`;

    const config = loadConfig({
      ROLLER_DATA_DIR: this.dir,
      UI_ADDR: '127.0.0.1:0',
      AUTH_USERS_FILE: this.usersFile,
      ...(options.secretInFile
        ? { AUTH_SESSION_SECRET_FILE: this.secretFile }
        : { AUTH_SESSION_SECRET: SESSION_SECRET }),
      AUTH_LOCKOUT_THRESHOLD: '5',
      ...options.env,
    });
    const uiToken = options.uiToken === undefined ? coreToken : (options.uiToken ?? undefined);
    this.ui = await startUi(config, createLogger('ui', this.uiLogs), {
      coreAddress: options.coreAddress ?? { url: this.coreUrl },
      webRoot: options.webRoot ?? `${webRoot}/`,
      ...(uiToken ? { coreToken: uiToken } : {}),
    });
  }

  get url(): string {
    return this.ui.url;
  }

  /** One HTTP request to the UI as a browser on the same origin would send it (unless headers say otherwise). */
  async send(
    method: string,
    path: string,
    options: { client?: Client; body?: unknown; headers?: Record<string, string>; csrf?: boolean } = {},
  ): Promise<HttpAnswer> {
    const headers: Record<string, string> = { accept: 'application/json', ...options.headers };
    if (options.client?.cookie) headers.cookie = options.client.cookie;
    if (options.client?.csrf && options.csrf !== false) headers['x-csrf-token'] ??= options.client.csrf;
    let body: string | undefined;
    if (options.body !== undefined) {
      body = typeof options.body === 'string' ? options.body : JSON.stringify(options.body);
      headers['content-type'] ??= 'application/json';
    }
    const response = await request(`${this.url}${path}`, { method: method as 'GET', headers, body });
    const text = await response.body.text();
    let json: Record<string, unknown> = {};
    try {
      json = JSON.parse(text) as Record<string, unknown>;
    } catch {
      json = {};
    }
    return { status: response.statusCode, headers: response.headers as HttpAnswer['headers'], text, json };
  }

  /** Signs in and returns the session cookie and CSRF token. */
  async login(user: { username: string; password: string }): Promise<Client & { answer: HttpAnswer }> {
    const answer = await this.send('POST', '/api/auth/login', { body: user });
    if (answer.status !== 200) throw new Error(`login of ${user.username} failed: ${answer.status} ${answer.text}`);
    return { cookie: sessionCookieOf(answer), csrf: answer.json.csrf_token as string, answer };
  }

  /** Audit events as core stored them (read straight from core with its token). */
  async auditEvents(): Promise<Record<string, unknown>[]> {
    const response = await request(`${this.coreUrl}/api/v1/audit/events?limit=200`, {
      headers: { authorization: `Bearer ${CORE_TOKEN}`, accept: 'application/json' },
    });
    const body = (await response.body.json()) as { events: Record<string, unknown>[] };
    return body.events;
  }

  async close(): Promise<void> {
    await this.ui?.close().catch(() => undefined);
    await this.core?.close().catch(() => undefined);
    await this.#database?.dispose().catch(() => undefined);
    rmSync(this.dir, { recursive: true, force: true });
  }
}

/** `roller_session=<value>` from a Set-Cookie answer, for the next request's Cookie header. */
export function sessionCookieOf(answer: HttpAnswer): string | undefined {
  const header = answer.headers['set-cookie'];
  const cookies = Array.isArray(header) ? header : header ? [header] : [];
  const session = cookies.find((cookie) => cookie.startsWith('roller_session='));
  return session?.split(';')[0];
}

export function setCookieHeader(answer: HttpAnswer): string {
  const header = answer.headers['set-cookie'];
  const cookies = Array.isArray(header) ? header : header ? [header] : [];
  return cookies.find((cookie) => cookie.startsWith('roller_session=')) ?? '';
}
