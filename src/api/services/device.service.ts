import { type RawDeviceBody, toCreateInput, toPatch } from '../../domain/device-input.ts';
import { compareText, normaliseNameCandidate } from '../../domain/naming.ts';
import { parseScope } from '../../domain/scope.ts';
import { parseManualTags } from '../../domain/tag-input.ts';
import { decodeCursor, encodeCursor } from '../../shared/cursor.ts';
import { notFound, validationFailed } from '../../shared/errors.ts';
import {
  type DeviceListQueryParams,
  type DeviceTagsUpdateBody,
  SUBNET_FORMAT_ERROR,
} from '../../shared/schemas/devices.ts';
import { compareTimestamps } from '../../shared/timestamps.ts';
import type { DeviceRepository, DeviceRow, DeviceSort } from '../../storage/device.repository.ts';
import type { DeviceFactsRepository } from '../../storage/device-facts.repository.ts';
import { presentDevice, presentFacts, presentNameCandidate, presentTag } from '../presenters/device.presenter.ts';

export const DEVICE_LIST_MAX_LIMIT = 200;
const WINDOW_MAX_SECONDS = 2_592_000;

/** One CIDR prefix or a single IP, in its masked canonical form (`10.0.0.5/24` → `10.0.0.0/24`). */
function parseSubnet(raw: string): string {
  const parsed = raw.includes(',') ? undefined : parseScope(raw);
  const entry = parsed?.ok ? parsed.entries[0] : undefined;
  if (!entry) throw validationFailed('invalid subnet value', { subnet: raw, error: SUBNET_FORMAT_ERROR });
  return `${entry.text.split('/')[0]}/${entry.bits}`;
}

/** Device use cases: parse the request's intent, call the repositories, present the result. */
export class DeviceService {
  constructor(
    private readonly devices: DeviceRepository,
    private readonly factsRepository: DeviceFactsRepository,
  ) {}

  async list(query: DeviceListQueryParams) {
    const limit = Math.min(query.limit ?? 50, DEVICE_LIST_MAX_LIMIT);
    const sort = (query.sort ?? 'created_desc') as DeviceSort;
    const after = query.cursor ? decodeCursor(query.cursor) : undefined;
    const subnet = query.subnet?.trim() ? parseSubnet(query.subnet.trim()) : undefined;
    const vendor = query.vendor?.trim() || undefined;
    const rows = await this.devices.list({
      q: query.q,
      status: query.status as 'online' | 'offline' | 'unknown' | 'changed' | undefined,
      tag: query.tag || undefined,
      vendor,
      subnet,
      sort,
      limit,
      after,
      seenWithinSeconds: Math.min(query.seen_within_seconds ?? 3600, WINDOW_MAX_SECONDS),
      changedWithinSeconds: Math.min(query.changed_within_seconds ?? 86_400, WINDOW_MAX_SECONDS),
    });
    const page = rows.slice(0, limit);
    const last = page.at(-1);
    return {
      devices: page.map(presentDevice),
      ...(rows.length > limit && last ? { cursor: encodeCursor({ at: last.sort_at, id: last.id }) } : {}),
    };
  }

  async get(id: string) {
    return presentDevice(await this.require(this.devices.get(id), id));
  }

  async create(body: RawDeviceBody) {
    return presentDevice(await this.devices.create(toCreateInput(body)));
  }

  async update(id: string, body: RawDeviceBody) {
    return presentDevice(await this.require(this.devices.update(id, toPatch(body)), id));
  }

  async facts(id: string) {
    if (!(await this.devices.exists(id))) throw notFound('device', id);
    return presentFacts(id, await this.factsRepository.facts(id));
  }

  /** Valid first, then score, newest, source, name (SPEC §4.4); unknown device → 404 (G-08). */
  async nameCandidates(id: string) {
    if (!(await this.devices.exists(id))) throw notFound('device', id);
    const rows = await this.factsRepository.nameCandidates(id);
    const scored = rows.map((row) => ({ row, scored: normaliseNameCandidate(row.source, row.name) }));
    scored.sort(
      (a, b) =>
        Number(b.scored.valid) - Number(a.scored.valid) ||
        b.scored.score - a.scored.score ||
        compareTimestamps(b.row.observed_at, a.row.observed_at) ||
        compareText(a.row.source, b.row.source) ||
        compareText(a.row.name, b.row.name),
    );
    return scored.map(({ row, scored: candidate }) => presentNameCandidate(row, candidate));
  }

  /** Manual first, then confidence, newest, tag (SPEC §4.4); unknown device → 404 (G-08). */
  async tags(id: string) {
    if (!(await this.devices.exists(id))) throw notFound('device', id);
    return (await this.factsRepository.tags(id)).map(presentTag);
  }

  /** Validation first (SPEC §4.4), then the device must exist; auto tags are untouched. */
  async replaceTags(id: string, body: DeviceTagsUpdateBody | undefined) {
    const parsed = parseManualTags(body?.tags);
    if (!parsed.ok) throw validationFailed('invalid device tags', { error: parsed.error });
    if (!(await this.factsRepository.replaceManualTags(id, parsed.value))) throw notFound('device', id);
    return this.tags(id);
  }

  private async require(pending: Promise<DeviceRow | undefined>, id: string): Promise<DeviceRow> {
    const row = await pending;
    if (!row) throw notFound('device', id);
    return row;
  }
}
