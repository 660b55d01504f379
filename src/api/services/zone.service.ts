import { RollerError, validationFailed } from '../../shared/errors.ts';
import {
  ZONE_ID_PATTERN,
  ZONE_ID_RULE,
  type ZoneCreateBody,
  type ZonePolicyCreateBody,
  type ZonePolicyUpdateBody,
  type ZoneUpdateBody,
} from '../../shared/schemas/map-build.ts';
import type { ZoneMemberRow, ZonePatch, ZoneRepository, ZoneRow } from '../../storage/zone.repository.ts';
import type {
  ZonePolicyInput,
  ZonePolicyRepository,
  ZonePolicyRow,
  ZonePolicyWriteResult,
} from '../../storage/zone-policy.repository.ts';
import { optionalText } from './manual-link.service.ts';

const ZONE_ID = new RegExp(ZONE_ID_PATTERN);
const notFoundError = (entity: string, id: string) => new RollerError('not_found', `${entity} not found`, { id });

/** `Office LAN (2nd floor)` → `office-lan-2nd-floor`; '' when nothing usable is left. */
export function zoneSlug(name: string): string {
  return name
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .slice(0, 64)
    .replace(/^-+|-+$/g, '');
}

function parseColor(value: string | null | undefined): string | null | undefined {
  const color = optionalText(value);
  if (color === undefined || color === null) return color;
  if (!/^#[0-9a-fA-F]{6}$/.test(color)) {
    throw validationFailed('invalid zone color', { color: value, error: 'color must be #rrggbb' });
  }
  return color.toLowerCase();
}

function parseName(value: string): string {
  const name = value.trim();
  if (name === '') throw validationFailed('zone name is required', { error: 'name must not be blank' });
  return name;
}

/**
 * `22, 80,443,8000-8100` → `22,80,443,8000-8100`: ascending, overlapping and adjacent ranges merged,
 * so the same flow always has the same text (the duplicate check compares it).
 */
export function parsePorts(raw: string): string {
  const ranges: [number, number][] = [];
  for (const part of raw.split(',')) {
    const match = /^\s*(\d{1,5})\s*(?:-\s*(\d{1,5})\s*)?$/.exec(part);
    const low = match ? Number(match[1]) : Number.NaN;
    const high = match?.[2] !== undefined ? Number(match[2]) : low;
    if (!match || low < 1 || high > 65535 || low > high) {
      throw validationFailed('invalid ports', {
        ports: raw,
        error: 'ports must be comma-separated ports or ranges between 1 and 65535, e.g. 22,80,8000-8100',
      });
    }
    ranges.push([low, high]);
  }
  ranges.sort((x, y) => x[0] - y[0] || x[1] - y[1]);
  const merged: [number, number][] = [];
  for (const range of ranges) {
    const last = merged.at(-1);
    if (last && range[0] <= last[1] + 1) last[1] = Math.max(last[1], range[1]);
    else merged.push([range[0], range[1]]);
  }
  return merged.map(([low, high]) => (low === high ? String(low) : `${low}-${high}`)).join(',');
}

function presentZone(row: ZoneRow) {
  return {
    id: row.id,
    name: row.name,
    ...(row.description !== null ? { description: row.description } : {}),
    ...(row.color !== null ? { color: row.color } : {}),
    device_count: row.device_count,
    created_at: row.created_at,
    updated_at: row.updated_at,
  };
}

function presentMember(row: ZoneMemberRow) {
  return {
    device_id: row.device_id,
    ...(row.display_name !== null && row.display_name.trim() !== '' ? { display_name: row.display_name } : {}),
    added_at: row.created_at,
  };
}

function presentPolicy(row: ZonePolicyRow) {
  return {
    id: row.id,
    from_zone_id: row.from_zone_id,
    to_zone_id: row.to_zone_id,
    ...(row.protocol !== null ? { protocol: row.protocol } : {}),
    ...(row.ports !== null ? { ports: row.ports } : {}),
    action: row.action,
    ...(row.description !== null ? { description: row.description } : {}),
    created_at: row.created_at,
    updated_at: row.updated_at,
  };
}

/** A policy as it would be stored: ports only with tcp or udp, in canonical form. */
function checkPolicy(policy: ZonePolicyInput): ZonePolicyInput {
  if (policy.ports === null) return policy;
  if (policy.protocol !== 'tcp' && policy.protocol !== 'udp') {
    throw validationFailed('invalid ports', { ports: policy.ports, error: 'ports need protocol tcp or udp' });
  }
  return { ...policy, ports: parsePorts(policy.ports) };
}

/** Zones, their members and the policies between them (build mode). */
export class ZoneService {
  constructor(
    private readonly zones: ZoneRepository,
    private readonly policies: ZonePolicyRepository,
  ) {}

  async list() {
    return { zones: (await this.zones.list()).map(presentZone) };
  }

  async get(id: string) {
    const row = await this.zones.get(id);
    if (!row) throw notFoundError('zone', id);
    return presentZone(row);
  }

  async create(body: ZoneCreateBody) {
    const name = parseName(body.name);
    const given = body.id?.trim();
    const id = given === undefined || given === '' ? zoneSlug(name) : given;
    if (!ZONE_ID.test(id)) {
      throw validationFailed('invalid zone id', {
        id,
        error: given ? ZONE_ID_RULE : 'no id can be derived from this name: give one',
      });
    }
    const result = await this.zones.create({
      id,
      name,
      description: optionalText(body.description) ?? null,
      color: parseColor(body.color) ?? null,
    });
    if (result.kind === 'duplicate') {
      throw new RollerError('conflict', `a zone with this ${result.field} already exists`, {
        [result.field]: result.field === 'id' ? id : name,
      });
    }
    if (result.kind === 'not_found') throw notFoundError('zone', id);
    return presentZone(result.row);
  }

  async update(id: string, body: ZoneUpdateBody) {
    const patch: ZonePatch = {};
    if (body.name !== undefined) patch.name = parseName(body.name);
    const description = optionalText(body.description);
    if (description !== undefined) patch.description = description;
    const color = parseColor(body.color);
    if (color !== undefined) patch.color = color;
    const result = await this.zones.update(id, patch);
    if (result.kind === 'not_found') throw notFoundError('zone', id);
    if (result.kind === 'duplicate') {
      throw new RollerError('conflict', 'a zone with this name already exists', { name: patch.name });
    }
    return presentZone(result.row);
  }

  async delete(id: string, actor: string): Promise<void> {
    if (!(await this.zones.delete(id, actor))) throw notFoundError('zone', id);
  }

  async members(id: string) {
    if (!(await this.zones.get(id))) throw notFoundError('zone', id);
    return { devices: (await this.zones.members(id)).map(presentMember) };
  }

  async addMember(id: string, deviceId: string, actor: string) {
    const result = await this.zones.addMember(id, deviceId.toLowerCase(), actor);
    switch (result.kind) {
      case 'ok':
        return presentMember(result.row);
      case 'zone_not_found':
        throw notFoundError('zone', id);
      case 'device_not_found':
        throw notFoundError('device', deviceId);
      case 'duplicate':
        throw new RollerError('conflict', 'device is already in the zone', { zone_id: id, device_id: deviceId });
    }
  }

  async removeMember(id: string, deviceId: string, actor: string): Promise<void> {
    const result = await this.zones.removeMember(id, deviceId.toLowerCase(), actor);
    if (result === 'zone_not_found') throw notFoundError('zone', id);
    if (result === 'not_member') {
      throw new RollerError('not_found', 'device is not in the zone', { zone_id: id, device_id: deviceId });
    }
  }

  async listPolicies(zone: string | undefined) {
    const zoneId = zone?.trim() || undefined;
    if (zoneId !== undefined && !(await this.zones.get(zoneId))) throw notFoundError('zone', zoneId);
    return { policies: (await this.policies.list(zoneId)).map(presentPolicy) };
  }

  async getPolicy(id: string) {
    const row = await this.policies.get(id);
    if (!row) throw notFoundError('policy', id);
    return presentPolicy(row);
  }

  async createPolicy(body: ZonePolicyCreateBody) {
    const policy = checkPolicy({
      fromZoneId: body.from_zone_id.trim(),
      toZoneId: body.to_zone_id.trim(),
      protocol: body.protocol ?? null,
      ports: optionalText(body.ports) ?? null,
      action: body.action ?? 'allow',
      description: optionalText(body.description) ?? null,
    });
    return presentPolicy(this.policyRow(await this.policies.create(policy), ''));
  }

  async updatePolicy(id: string, body: ZonePolicyUpdateBody) {
    const current = await this.policies.get(id);
    if (!current) throw notFoundError('policy', id);
    const ports = optionalText(body.ports);
    const description = optionalText(body.description);
    const policy = checkPolicy({
      fromZoneId: body.from_zone_id?.trim() ?? current.from_zone_id,
      toZoneId: body.to_zone_id?.trim() ?? current.to_zone_id,
      protocol: body.protocol === undefined ? current.protocol : body.protocol,
      // Changing the protocol away from tcp/udp without naming ports drops them.
      ports:
        ports !== undefined
          ? ports
          : body.protocol !== undefined && body.protocol !== 'tcp' && body.protocol !== 'udp'
            ? null
            : current.ports,
      action: body.action ?? current.action,
      description: description === undefined ? current.description : description,
    });
    return presentPolicy(this.policyRow(await this.policies.update(id, policy), id));
  }

  async deletePolicy(id: string): Promise<void> {
    if (!(await this.policies.delete(id))) throw notFoundError('policy', id);
  }

  private policyRow(result: ZonePolicyWriteResult, id: string): ZonePolicyRow {
    switch (result.kind) {
      case 'ok':
        return result.row;
      case 'not_found':
        throw notFoundError('policy', id);
      case 'zone_not_found':
        throw notFoundError('zone', result.id);
      case 'duplicate':
        throw new RollerError('conflict', 'a policy for this flow already exists');
    }
  }
}
