import type { DiscoveryConfig } from '../../config/config.ts';
import { configuredRunSettings } from '../../config/run-settings.ts';
import { effectiveSettings, parsePreset, parseScanTags } from '../../domain/run-settings.ts';
import { checkScopeSize, parseScope } from '../../domain/scope.ts';
import { decodeCursor, encodeCursor } from '../../shared/cursor.ts';
import { notFound, RollerError } from '../../shared/errors.ts';
import type { DiscoveryRunRequestBody, RunListQueryParams } from '../../shared/schemas/discovery.ts';
import { type DiscoveryRunRepository, FINAL_STATUSES, type RunRow } from '../../storage/discovery-run.repository.ts';
import { presentLog, presentRun } from '../presenters/discovery.presenter.ts';
import type { SlidingWindowLimiter } from '../rate-limiter.ts';

const RUNS_MAX_LIMIT = 200;
const LOGS_MAX_LIMIT = 500;

export interface ValidatedRun {
  scope: string | null;
  preset: 'fast' | 'normal' | 'deep';
  tags: string[];
}

/** Validates scope, preset and tags the way SPEC §4.5 words its errors. */
export function validateRunRequest(
  body: { scope?: string | undefined; preset?: string | undefined; tags?: string[] | undefined },
  config: DiscoveryConfig,
): ValidatedRun {
  const rawScope = body.scope?.trim() || config.defaultScope || '';
  const parsed = rawScope === '' ? undefined : parseScope(rawScope);
  if (parsed && !parsed.ok)
    throw new RollerError('validation_failed', 'invalid discovery scope', { error: parsed.error });
  const preset = parsePreset(body.preset);
  if (!preset.ok) throw new RollerError('validation_failed', 'invalid scan preset', { error: preset.error });
  let scope: string | null = null;
  if (parsed?.ok) {
    const maxTargets = effectiveSettings(configuredRunSettings(config), preset.value, []).maxTargets;
    const size = checkScopeSize(parsed.entries, maxTargets);
    if (!size.ok) throw new RollerError('validation_failed', 'invalid discovery scope', { error: size.error });
    scope = parsed.canonical;
  }
  const tags = parseScanTags(body.tags);
  if (!tags.ok) throw new RollerError('validation_failed', 'invalid scan tags', { error: tags.error });
  return { scope, preset: preset.value, tags: tags.value };
}

/** Discovery runs as the API sees them: enqueue, read, cancel, follow. */
export class DiscoveryService {
  constructor(
    private readonly runs: DiscoveryRunRepository,
    private readonly config: DiscoveryConfig,
    private readonly limiter: SlidingWindowLimiter,
  ) {}

  async enqueue(body: DiscoveryRunRequestBody) {
    const request = validateRunRequest(body, this.config);
    const slot = this.limiter.take();
    if (!slot.allowed) {
      throw new RollerError('rate_limited', 'too many discovery runs requested; try again later', {
        retry_after_seconds: slot.retryAfterSeconds,
      });
    }
    const run = await this.runs.enqueue({
      scope: request.scope,
      stats: { stage: 'queued', preset: request.preset, ...(request.tags.length > 0 ? { tags: request.tags } : {}) },
    });
    return presentRun(run);
  }

  async status() {
    const latest = await this.runs.latest();
    return latest ? { status: latest.status, latest_run: presentRun(latest) } : { status: 'idle' };
  }

  async list(query: RunListQueryParams) {
    const limit = Math.min(query.limit ?? 20, RUNS_MAX_LIMIT);
    const rows = await this.runs.list(limit, query.cursor ? decodeCursor(query.cursor) : undefined);
    const page = rows.slice(0, limit);
    const last = page.at(-1);
    return {
      runs: page.map(presentRun),
      ...(rows.length > limit && last ? { cursor: encodeCursor({ at: last.queued_at, id: last.id }) } : {}),
    };
  }

  async get(id: string) {
    return presentRun(await this.require(id));
  }

  async logs(id: string, query: { limit?: number; cursor?: string }) {
    await this.require(id);
    const limit = Math.min(query.limit ?? 100, LOGS_MAX_LIMIT);
    const rows = await this.runs.logs(id, limit, query.cursor ? decodeCursor(query.cursor, 'integer') : undefined);
    const page = rows.slice(0, limit);
    const last = page.at(-1);
    return {
      logs: page.map(presentLog),
      ...(rows.length > limit && last ? { cursor: encodeCursor({ at: last.created_at, id: String(last.id) }) } : {}),
    };
  }

  async cancel(id: string) {
    const before = await this.require(id);
    if (FINAL_STATUSES.includes(before.status)) {
      throw new RollerError('conflict', `discovery run already ${before.status}`, { id, status: before.status });
    }
    const after = await this.runs.requestCancel(id);
    if (!after) throw notFound('discovery run', id);
    return presentRun(after);
  }

  /**
   * Server-Sent Events for one run: `status` whenever status or progress changes, `log` for
   * each new line, `end` once the run is final. Polls the database, so it follows a run that
   * any worker process executes.
   */
  async *events(id: string, isClosed: () => boolean, pollMs = 250): AsyncGenerator<string> {
    let run = await this.require(id);
    let lastLogId = 0;
    let lastState = '';
    let lastKeepAlive = Date.now();
    for (let rounds = 0; rounds < 1_000_000 && !isClosed(); rounds++) {
      const state = JSON.stringify([run.status, run.stats?.progress, run.stats?.stage, run.cancel_requested_at]);
      if (state !== lastState) {
        lastState = state;
        yield sse('status', presentRun(run));
      }
      for (const line of await this.runs.logsSince(id, lastLogId)) {
        lastLogId = line.id;
        yield sse('log', presentLog(line));
      }
      if (FINAL_STATUSES.includes(run.status)) {
        yield sse('end', { status: run.status, ...(run.last_error ? { last_error: run.last_error } : {}) });
        return;
      }
      if (Date.now() - lastKeepAlive > 15_000) {
        lastKeepAlive = Date.now();
        yield ': keep-alive\n\n';
      }
      await new Promise((resolve) => setTimeout(resolve, pollMs));
      run = (await this.runs.get(id)) ?? run;
    }
  }

  private async require(id: string): Promise<RunRow> {
    const run = await this.runs.get(id);
    if (!run) throw notFound('discovery run', id);
    return run;
  }
}

function sse(event: string, data: unknown): string {
  return `event: ${event}\ndata: ${JSON.stringify(data)}\n\n`;
}

/** Masked IPv4 networks of this host's interfaces that a run would accept (SPEC §4.5, G-27). */
export function scopeSuggestions(
  segments: readonly { iface: string; address: string; network: bigint; bits: number }[],
  config: DiscoveryConfig,
): { scopes: { scope: string; interface: string; address: string; targets: number }[] } {
  const maxTargets = effectiveSettings(configuredRunSettings(config), 'deep', []).maxTargets;
  const seen = new Map<string, { scope: string; interface: string; address: string; targets: number }>();
  for (const segment of segments) {
    const parsed = parseScope(`${segment.address}/${segment.bits}`);
    if (!parsed.ok) continue;
    const size = checkScopeSize(parsed.entries, maxTargets);
    if (!size.ok || seen.has(parsed.canonical)) continue;
    seen.set(parsed.canonical, {
      scope: parsed.canonical,
      interface: segment.iface || 'interface',
      address: segment.address,
      targets: size.targets,
    });
  }
  return { scopes: [...seen.values()].sort((a, b) => (a.scope < b.scope ? -1 : a.scope > b.scope ? 1 : 0)) };
}
