import { decodeCursor, encodeCursor } from '../../shared/cursor.ts';
import { notFound, validationFailed } from '../../shared/errors.ts';
import {
  type DeviceChangesQueryParams,
  type DeviceEventBody,
  type DeviceHistoryQueryParams,
  HISTORY_MAX_LIMIT,
} from '../../shared/schemas/history.ts';
import { parseRfc3339 } from '../../shared/timestamps.ts';
import type { DeviceRepository } from '../../storage/device.repository.ts';
import type { DeviceEventRow, DeviceEventsRepository } from '../../storage/device-events.repository.ts';

type Window = Pick<DeviceHistoryQueryParams, 'since' | 'until' | 'kind' | 'limit' | 'cursor'>;

/** The change feed and a device's timeline (issue 5; replaces SPEC §6's query-time union: G-11). */
export class HistoryService {
  constructor(
    private readonly events: DeviceEventsRepository,
    private readonly devices: DeviceRepository,
  ) {}

  async changes(query: DeviceChangesQueryParams) {
    return this.page(query, query.device_id);
  }

  async history(deviceId: string, query: DeviceHistoryQueryParams) {
    if (!(await this.devices.exists(deviceId))) throw notFound('device', deviceId);
    return this.page(query, deviceId);
  }

  private async page(query: Window, deviceId: string | undefined) {
    const limit = Math.min(query.limit ?? 50, HISTORY_MAX_LIMIT);
    const since = timestamp('since', query.since);
    const until = timestamp('until', query.until);
    const after = query.cursor ? decodeCursor(query.cursor, 'integer') : undefined;
    const rows = await this.events.list({ deviceId, kinds: query.kind, since, until, after, limit });
    const page = rows.slice(0, limit);
    const last = page.at(-1);
    return {
      events: page.map(presentEvent),
      ...(rows.length > limit && last ? { cursor: encodeCursor({ at: last.event_at, id: last.id }) } : {}),
    };
  }
}

function timestamp(name: 'since' | 'until', value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  const parsed = parseRfc3339(value);
  if (!parsed) {
    throw validationFailed(`invalid ${name} timestamp`, {
      [name]: value,
      error: `${name} must be an RFC 3339 timestamp, e.g. 2026-11-27T09:15:02Z`,
    });
  }
  return parsed;
}

export function presentEvent(row: DeviceEventRow): DeviceEventBody {
  return {
    event_id: row.id,
    device_id: row.device_id,
    event_at: row.event_at,
    kind: row.kind as DeviceEventBody['kind'],
    summary: row.summary,
    details: row.details ?? {},
    ...(row.run_id ? { run_id: row.run_id } : {}),
    ...(row.actor ? { actor: row.actor } : {}),
  };
}
