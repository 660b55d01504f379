import type { WalkOutcome } from '../../domain/enrichment.types.ts';
import { type SnmpSession, snmpErrorText, type Varbind } from './snmp.types.ts';
import type { Walked } from './walked.ts';

export const DEFAULT_WALK_CONCURRENCY = 4;
/** Timeouts in a row after which the agent is taken as gone and queued walks are not sent. */
export const TIMEOUTS_BEFORE_GIVING_UP = 4;
export const AGENT_GONE = 'agent stopped answering';

/**
 * Runs the column walks of one device: each column at most once (readers share results), at most
 * `limit` in flight (one agent, small CPU: more parallel requests only queue inside the agent),
 * every failure kept as a value so one dead column never hides the others.
 */
export class WalkRunner {
  private readonly outcomes = new Map<string, Promise<WalkOutcome<Varbind[]>>>();
  private readonly waiting: (() => void)[] = [];
  private active = 0;
  private timeoutsInARow = 0;

  constructor(
    private readonly session: SnmpSession,
    private readonly limit: number = DEFAULT_WALK_CONCURRENCY,
    private readonly signal?: AbortSignal,
    private readonly maxRows?: number,
  ) {}

  walk(column: string): Promise<WalkOutcome<Varbind[]>> {
    let outcome = this.outcomes.get(column);
    if (!outcome) {
      outcome = this.run(column);
      this.outcomes.set(column, outcome);
    }
    return outcome;
  }

  /** Walks every column (already walked ones are reused) and returns all results so far. */
  async walkAll(columns: readonly string[]): Promise<Walked> {
    await Promise.all(columns.map((column) => this.walk(column)));
    return this.snapshot();
  }

  async snapshot(): Promise<Walked> {
    const entries = await Promise.all(
      [...this.outcomes].map(async ([column, outcome]) => [column, await outcome] as const),
    );
    return new Map(entries);
  }

  private async run(column: string): Promise<WalkOutcome<Varbind[]>> {
    await this.slot();
    try {
      if (this.signal?.aborted) return { ok: false, error: 'aborted' };
      // A device that died mid-read would otherwise cost a full timeout for every queued column.
      if (this.timeoutsInARow >= TIMEOUTS_BEFORE_GIVING_UP) return { ok: false, error: AGENT_GONE };
      const value = await this.session.walk(column, this.maxRows === undefined ? {} : { maxRows: this.maxRows });
      this.timeoutsInARow = 0;
      return { ok: true, value };
    } catch (error) {
      const text = snmpErrorText(error);
      if (text === 'timeout') this.timeoutsInARow++;
      return { ok: false, error: text };
    } finally {
      this.active--;
      this.waiting.shift()?.();
    }
  }

  private slot(): Promise<void> {
    if (this.active < this.limit) {
      this.active++;
      return Promise.resolve();
    }
    return new Promise((resolve) =>
      this.waiting.push(() => {
        this.active++;
        resolve();
      }),
    );
  }
}
