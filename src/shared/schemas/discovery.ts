import { type Static, Type } from 'typebox';
import { cursorParam, limitParam, Timestamp, Uuid, uuidParam } from './common.ts';

export const DiscoveryRun = Type.Object(
  {
    id: Uuid,
    status: Type.Enum(['queued', 'running', 'succeeded', 'failed', 'canceled']),
    scope: Type.Optional(
      Type.String({ description: 'Canonical scope: masked prefixes and single IPs, comma-separated' }),
    ),
    stats: Type.Record(Type.String(), Type.Unknown(), { description: 'Progress and summary (merged as the run goes)' }),
    queued_at: Timestamp,
    started_at: Type.Optional(Type.String({ format: 'date-time', description: 'When a worker claimed the run' })),
    completed_at: Type.Optional(Timestamp),
    last_error: Type.Optional(Type.String()),
    cancel_requested_at: Type.Optional(Timestamp),
    schedule_id: Type.Optional(Uuid),
  },
  { additionalProperties: false, $id: 'DiscoveryRun' },
);
export type DiscoveryRunBody = Static<typeof DiscoveryRun>;

const ScopeText = Type.String({
  maxLength: 2000,
  description: 'CIDR prefix, single IP, or a comma-separated list of them',
});
const ScanTags = Type.Array(Type.String({ maxLength: 32 }), {
  maxItems: 32,
  description: 'names, ports, snmp, topology',
});
const PresetText = Type.String({ maxLength: 16, description: 'fast, normal (default) or deep' });

export const DiscoveryRunRequest = Type.Object(
  { scope: Type.Optional(ScopeText), preset: Type.Optional(PresetText), tags: Type.Optional(ScanTags) },
  { additionalProperties: false },
);
export type DiscoveryRunRequestBody = Static<typeof DiscoveryRunRequest>;

export const DiscoveryStatus = Type.Object(
  {
    status: Type.String({ description: 'idle, or the status of the latest run' }),
    latest_run: Type.Optional(DiscoveryRun),
  },
  { additionalProperties: false },
);

export const DiscoveryRunList = Type.Object(
  { runs: Type.Array(DiscoveryRun), cursor: Type.Optional(Type.String()) },
  { additionalProperties: false },
);

export const RunListQuery = Type.Object(
  { limit: Type.Optional(limitParam(20, 200)), cursor: Type.Optional(cursorParam()) },
  { additionalProperties: false },
);
export type RunListQueryParams = Static<typeof RunListQuery>;

export const RunLogQuery = Type.Object(
  { limit: Type.Optional(limitParam(100, 500)), cursor: Type.Optional(cursorParam()) },
  { additionalProperties: false },
);

export const RunLogList = Type.Object(
  {
    logs: Type.Array(
      Type.Object(
        { id: Type.Integer(), level: Type.String(), message: Type.String(), created_at: Timestamp },
        { additionalProperties: false },
      ),
    ),
    cursor: Type.Optional(Type.String()),
  },
  { additionalProperties: false },
);

export const RunIdParams = Type.Object({ id: uuidParam('run') }, { additionalProperties: false });

export const ScopeSuggestions = Type.Object(
  {
    scopes: Type.Array(
      Type.Object(
        {
          scope: Type.String(),
          interface: Type.Optional(Type.String()),
          address: Type.Optional(Type.String()),
          targets: Type.Integer({ description: 'Addresses the scope expands to' }),
        },
        { additionalProperties: false },
      ),
    ),
  },
  { additionalProperties: false },
);

export const Schedule = Type.Object(
  {
    id: Uuid,
    name: Type.Optional(Type.String()),
    scope: Type.String(),
    preset: Type.Enum(['fast', 'normal', 'deep']),
    tags: Type.Array(Type.String()),
    interval_seconds: Type.Optional(Type.Integer()),
    cron: Type.Optional(Type.String()),
    enabled: Type.Boolean(),
    next_run_at: Type.Optional(Timestamp),
    last_run_id: Type.Optional(Uuid),
    last_enqueued_at: Type.Optional(Timestamp),
    created_at: Timestamp,
    updated_at: Timestamp,
  },
  { additionalProperties: false, $id: 'DiscoverySchedule' },
);

const nullable = <T extends Parameters<typeof Type.Union>[0][number]>(schema: T) => Type.Union([schema, Type.Null()]);

export const ScheduleCreate = Type.Object(
  {
    name: Type.Optional(nullable(Type.String({ maxLength: 200 }))),
    scope: ScopeText,
    preset: Type.Optional(PresetText),
    tags: Type.Optional(ScanTags),
    interval_seconds: Type.Optional(nullable(Type.Integer({ minimum: 60, maximum: 31_536_000 }))),
    cron: Type.Optional(nullable(Type.String({ maxLength: 120, description: '5-field cron expression, UTC' }))),
    enabled: Type.Optional(Type.Boolean()),
  },
  { additionalProperties: false },
);
export type ScheduleCreateBody = Static<typeof ScheduleCreate>;

export const ScheduleUpdate = Type.Partial(ScheduleCreate, { additionalProperties: false });
export type ScheduleUpdateBody = Static<typeof ScheduleUpdate>;

export const ScheduleList = Type.Object({ schedules: Type.Array(Schedule) }, { additionalProperties: false });
export const ScheduleIdParams = Type.Object(
  {
    id: Type.String({ format: 'uuid', 'x-error': { code: 'invalid_id', message: 'schedule id is not a valid uuid' } }),
  },
  { additionalProperties: false },
);
