import { Pool } from 'undici';
import type { CoreAddress } from '../../config/parsers.ts';
import type { Logger } from '../../shared/logger.ts';
import type { AuditEventCreateBody } from '../../shared/schemas/audit.ts';

export interface CoreClientOptions {
  address: CoreAddress;
  token: string | undefined;
  /** How long core may take to start answering. */
  headersTimeoutMs: number;
  logger: Pick<Logger, 'warn'>;
}

/** Time a stream (SSE, a large export) may stay silent before the UI server gives up on it. */
const BODY_IDLE_TIMEOUT_MS = 5 * 60_000;
const AUDIT_TIMEOUT_MS = 5000;

/**
 * The UI server's one connection pool to core (undici: keep-alive, Unix sockets, timeouts), shared
 * by the /api proxy and the audit writer. It adds core's bearer token; the browser never sees it.
 */
export class CoreClient {
  readonly pool: Pool;
  /** The origin requests are addressed to (`http://core` for a Unix socket). */
  readonly origin: string;
  /** The path prefix of a base URL like http://proxy:8080/roller (empty for a bare origin or a socket). */
  readonly basePath: string;
  readonly #token: string | undefined;
  readonly #logger: CoreClientOptions['logger'];

  constructor(options: CoreClientOptions) {
    const socket = 'socketPath' in options.address ? options.address.socketPath : undefined;
    const url = socket ? undefined : new URL((options.address as { url: string }).url);
    this.origin = url?.origin ?? 'http://core';
    this.basePath = url?.pathname.replace(/\/+$/, '') ?? '';
    this.pool = new Pool(this.origin, {
      connections: 64,
      headersTimeout: options.headersTimeoutMs,
      bodyTimeout: BODY_IDLE_TIMEOUT_MS,
      connectTimeout: Math.min(options.headersTimeoutMs, 10_000),
      ...(socket ? { socketPath: socket } : {}),
    });
    this.#token = options.token;
    this.#logger = options.logger;
  }

  authorization(): Record<string, string> {
    return this.#token ? { authorization: `Bearer ${this.#token}` } : {};
  }

  /**
   * Writes an audit event. Best effort by design (SPEC §9.8): a failure is logged and never changes
   * the answer the user gets; the action it describes has already happened.
   */
  async recordAudit(event: AuditEventCreateBody, requestId: string): Promise<void> {
    try {
      const response = await this.pool.request({
        method: 'POST',
        path: `${this.basePath}/api/v1/audit/events`,
        headers: {
          'content-type': 'application/json',
          accept: 'application/json',
          'x-request-id': requestId,
          ...this.authorization(),
        },
        body: JSON.stringify(event),
        headersTimeout: AUDIT_TIMEOUT_MS,
        bodyTimeout: AUDIT_TIMEOUT_MS,
      });
      const text = await response.body.text();
      if (response.statusCode >= 300) {
        this.#logger.warn(
          { request_id: requestId, action: event.action, status: response.statusCode, body: text.slice(0, 300) },
          'audit event refused by core',
        );
      }
    } catch (error) {
      this.#logger.warn(
        { request_id: requestId, action: event.action, error: (error as Error).message },
        'audit event not written: core unreachable',
      );
    }
  }

  async close(): Promise<void> {
    await this.pool.close();
  }
}
