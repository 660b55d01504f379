import {
  type EffectivePresenceSettings,
  effectivePresenceSettings,
  type PresenceOverride,
  type PresenceSettings,
} from '../../domain/presence.ts';
import { notFound } from '../../shared/errors.ts';
import type { PresenceSettingsUpdateBody } from '../../shared/schemas/presence.ts';
import type { DeviceRepository } from '../../storage/device.repository.ts';
import type { PresenceSettingsRepository, StoredOverride } from '../../storage/presence-settings.repository.ts';
import { withoutEmpty } from '../presenters/device.presenter.ts';

/** Per-device and per-tag presence thresholds, shown with the values that apply and where they come from. */
export class PresenceSettingsService {
  constructor(
    private readonly settings: PresenceSettingsRepository,
    private readonly devices: DeviceRepository,
    private readonly global: PresenceSettings,
  ) {}

  async device(id: string) {
    if (!(await this.devices.exists(id))) throw notFound('device', id);
    const [own, tags] = await Promise.all([this.settings.device(id), this.settings.tagsOf(id)]);
    return {
      device_id: id,
      override: presentOverride(own),
      effective: presentEffective(effectivePresenceSettings(this.global, own, tags)),
    };
  }

  async saveDevice(id: string, body: PresenceSettingsUpdateBody, actor: string | null) {
    if (!(await this.settings.saveDevice(id, overrideOf(body), actor))) throw notFound('device', id);
    return this.device(id);
  }

  async deleteDevice(id: string): Promise<void> {
    if (!(await this.devices.exists(id))) throw notFound('device', id);
    await this.settings.deleteDevice(id);
  }

  async tag(tag: string) {
    const own = await this.settings.tag(tag);
    return presentTag(tag, own, this.global);
  }

  async tags() {
    return (await this.settings.tags()).map((row) => presentTag(row.tag, row, this.global));
  }

  async saveTag(tag: string, body: PresenceSettingsUpdateBody, actor: string | null) {
    await this.settings.saveTag(tag, overrideOf(body), actor);
    return this.tag(tag);
  }

  async deleteTag(tag: string): Promise<void> {
    await this.settings.deleteTag(tag);
  }
}

function overrideOf(body: PresenceSettingsUpdateBody): PresenceOverride {
  return { missedScans: body.missed_scans ?? null, graceS: body.grace_s ?? null };
}

function presentTag(tag: string, own: StoredOverride | undefined, global: PresenceSettings) {
  const tags = new Map<string, PresenceOverride>(own ? [[tag, own]] : []);
  return {
    tag,
    override: presentOverride(own),
    effective: presentEffective(effectivePresenceSettings(global, undefined, tags)),
  };
}

function presentOverride(own: StoredOverride | undefined) {
  if (!own) return {};
  return withoutEmpty({
    missed_scans: own.missedScans,
    grace_s: own.graceS,
    updated_at: own.updatedAt,
    updated_by: own.updatedBy,
  });
}

function presentEffective(effective: EffectivePresenceSettings) {
  return {
    missed_scans: effective.missedScans,
    grace_s: effective.graceS,
    missed_scans_source: effective.source.missedScans,
    grace_s_source: effective.source.graceS,
  };
}
