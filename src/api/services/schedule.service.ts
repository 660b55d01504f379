import type { DiscoveryConfig } from '../../config/config.ts';
import { cronError, nextRunAt } from '../../domain/schedule.ts';
import { notFound, RollerError } from '../../shared/errors.ts';
import type { ScheduleCreateBody, ScheduleUpdateBody } from '../../shared/schemas/discovery.ts';
import type {
  DiscoveryScheduleRepository,
  ScheduleRow,
  ScheduleValues,
} from '../../storage/discovery-schedule.repository.ts';
import { presentSchedule } from '../presenters/discovery.presenter.ts';
import { validateRunRequest } from './discovery.service.ts';

/** Recurring discovery runs: CRUD with the same scope/preset/tag rules as a one-off run. */
export class ScheduleService {
  constructor(
    private readonly schedules: DiscoveryScheduleRepository,
    private readonly config: DiscoveryConfig,
  ) {}

  async list() {
    return { schedules: (await this.schedules.list(500)).map(presentSchedule) };
  }

  async get(id: string) {
    return presentSchedule(await this.require(id));
  }

  async create(body: ScheduleCreateBody) {
    return presentSchedule(await this.schedules.create(this.values(body)));
  }

  /** Merge semantics: omitted keys keep their value. */
  async update(id: string, body: ScheduleUpdateBody) {
    const current = await this.require(id);
    const merged: ScheduleCreateBody = {
      name: body.name !== undefined ? body.name : current.name,
      scope: body.scope ?? current.scope,
      preset: body.preset ?? current.preset,
      tags: body.tags ?? current.tags,
      interval_seconds: body.interval_seconds !== undefined ? body.interval_seconds : current.interval_seconds,
      cron: body.cron !== undefined ? body.cron : current.cron,
      enabled: body.enabled ?? current.enabled,
    };
    // Giving one timing clears the other.
    if (body.cron !== undefined && body.cron !== null && body.interval_seconds === undefined)
      merged.interval_seconds = null;
    if (body.interval_seconds !== undefined && body.interval_seconds !== null && body.cron === undefined)
      merged.cron = null;
    const values = this.values(merged);
    const timingChanged = values.interval_seconds !== current.interval_seconds || values.cron !== current.cron;
    if (!timingChanged && current.enabled && values.enabled && current.next_run_at)
      values.next_run_at = current.next_run_at;
    const updated = await this.schedules.update(id, values);
    if (!updated) throw notFound('discovery schedule', id);
    return presentSchedule(updated);
  }

  async delete(id: string): Promise<void> {
    if (!(await this.schedules.delete(id))) throw notFound('discovery schedule', id);
  }

  private values(body: ScheduleCreateBody): ScheduleValues {
    const scope = body.scope?.trim() ?? '';
    if (scope === '')
      throw new RollerError('validation_failed', 'invalid discovery scope', { error: 'a schedule needs a scope' });
    const run = validateRunRequest({ scope, preset: body.preset, tags: body.tags }, this.config);
    const interval = body.interval_seconds ?? null;
    const cron = body.cron?.trim() || null;
    if ((interval === null) === (cron === null)) {
      throw new RollerError('validation_failed', 'invalid schedule timing', {
        error: 'give exactly one of interval_seconds or cron',
      });
    }
    if (cron !== null) {
      const problem = cronError(cron);
      if (problem)
        throw new RollerError('validation_failed', 'invalid schedule timing', { error: `invalid cron: ${problem}` });
    }
    const enabled = body.enabled ?? true;
    return {
      name: body.name?.trim() || null,
      scope: run.scope as string,
      preset: run.preset,
      tags: run.tags,
      interval_seconds: interval,
      cron,
      enabled,
      next_run_at: enabled ? nextRunAt({ interval_seconds: interval, cron }) : null,
    };
  }

  private async require(id: string): Promise<ScheduleRow> {
    const schedule = await this.schedules.get(id);
    if (!schedule) throw notFound('discovery schedule', id);
    return schedule;
  }
}
