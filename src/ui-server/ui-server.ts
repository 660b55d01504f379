import type { Config } from '../config/config.ts';
import type { CoreAddress, ListenAddress } from '../config/parsers.ts';
import type { Logger } from '../shared/logger.ts';
import { CoreClient } from './core/core-client.ts';
import { SessionManager } from './session/session-manager.ts';
import { readSessionSecret, resolveSecretSource } from './session/session-secret.ts';
import { buildUiApp } from './ui-app.ts';
import { resolveUserSource, UserStore } from './users/user-store.ts';
import { defaultWebRoot } from './web-app.routes.ts';

export interface RunningUi {
  url: string;
  /** The first admin's password when this start created it (to be shown once). */
  bootstrapPassword: string | undefined;
  usersFile: string | undefined;
  /** SIGHUP: re-read the users and the session secret (a new secret ends every session). */
  reload(): Promise<void>;
  close(): Promise<void>;
}

export interface UiStartOptions {
  /** Overrides CORE_BASE_URL (roller start passes its own core). */
  coreAddress?: CoreAddress;
  /** Overrides CORE_API_TOKEN (roller start generates one). */
  coreToken?: string;
  webRoot?: string;
}

/** Where core is when CORE_BASE_URL is unset: HTTP_ADDR, with a wildcard host reached on loopback. */
export function coreAddressFromListen(listen: ListenAddress): CoreAddress {
  if ('path' in listen) return { socketPath: listen.path };
  const host = listen.host === '0.0.0.0' ? '127.0.0.1' : listen.host === '::' ? '::1' : listen.host;
  return { url: `http://${host.includes(':') ? `[${host}]` : host}:${listen.port}` };
}

/** Opens the user store and session secret, then serves the UI (SPEC §9; issue 6). */
export async function startUi(config: Config, logger: Logger, options: UiStartOptions = {}): Promise<RunningUi> {
  const secretSource = resolveSecretSource(config.auth, config.dataDir, config.production);
  const store = await UserStore.open(resolveUserSource(config.auth, config.dataDir), { logger });
  let { secret } = await readSessionSecret(secretSource);
  const sessions = new SessionManager({ store, secret, ttlMs: config.auth.sessionTtlMs });
  const coreAddress = options.coreAddress ?? config.ui.coreAddress ?? coreAddressFromListen(config.httpAddr);
  const core = new CoreClient({
    address: coreAddress,
    token: options.coreToken ?? config.coreApiToken,
    headersTimeoutMs: config.ui.proxyTimeoutMs,
    logger,
  });
  const app = await buildUiApp({
    logger,
    store,
    sessions,
    core,
    cookies: { secure: config.auth.cookieSecure, production: config.production },
    throttle: { threshold: config.auth.lockoutThreshold, lockoutMs: config.auth.lockoutMs },
    proxyTimeoutMs: config.ui.proxyTimeoutMs,
    trustProxy: config.ui.trustProxy,
    webRoot: options.webRoot ?? defaultWebRoot(),
  });
  const listen = 'path' in config.ui.addr ? { path: config.ui.addr.path } : { ...config.ui.addr };
  try {
    await app.listen(listen);
  } catch (error) {
    logger.fatal({ err: error }, 'failed to listen');
    await app.close();
    await core.close();
    throw error;
  }
  const address = app.server.address();
  const url =
    'path' in config.ui.addr
      ? `unix:${config.ui.addr.path}`
      : `http://${hostForUrl(config.ui.addr.host)}:${typeof address === 'object' && address ? address.port : config.ui.addr.port}`;
  logger.info(
    {
      url,
      core: 'url' in coreAddress ? coreAddress.url : `unix:${coreAddress.socketPath}`,
      users: store.source.kind === 'file' ? store.source.path : 'environment',
      secret: secretSource.kind,
    },
    'ui listening',
  );
  let closing: Promise<void> | undefined;
  return {
    url,
    bootstrapPassword: store.bootstrapPassword,
    usersFile: store.usersFile,
    async reload() {
      await store.reload();
      const next = (await readSessionSecret(secretSource)).secret;
      const rotated = next !== secret;
      if (rotated) {
        secret = next;
        sessions.rotateSecret(next);
      }
      logger.info({ users: store.list().length, secret_rotated: rotated }, 'ui configuration reloaded');
    },
    close() {
      closing ??= (async () => {
        await app.close();
        await core.close();
        logger.info('ui stopped');
      })();
      return closing;
    },
  };
}

function hostForUrl(host: string): string {
  if (host === '0.0.0.0') return '127.0.0.1';
  if (host === '::') return '[::1]';
  return host.includes(':') ? `[${host}]` : host;
}
