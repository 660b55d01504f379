import type { Kysely } from 'kysely';
import type { Logger } from 'pino';
import { nextRunAt, scheduledRunStats } from '../domain/schedule.ts';
import { DiscoveryScheduleRepository } from '../storage/discovery-schedule.repository.ts';
import type { Schema } from '../storage/schema.ts';

/** Turns due schedules into queued runs (each exactly once, whichever worker gets there first). */
export class Scheduler {
  private readonly schedules: DiscoveryScheduleRepository;

  constructor(
    db: Kysely<Schema>,
    private readonly logger: Logger,
  ) {
    this.schedules = new DiscoveryScheduleRepository(db);
  }

  async enqueueDue(limit = 20): Promise<number> {
    let count = 0;
    for (; count < limit; count++) {
      const enqueued = await this.schedules.enqueueDue((schedule) => nextRunAt(schedule), scheduledRunStats);
      if (!enqueued) break;
      this.logger.info(
        { schedule_id: enqueued.schedule.id, run_id: enqueued.run.id },
        'scheduled discovery run enqueued',
      );
    }
    return count;
  }
}
