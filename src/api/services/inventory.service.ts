import { type InventorySource, parseInventoryPayload } from '../../domain/inventory-payload.ts';
import { validationFailed } from '../../shared/errors.ts';
import type { InventoryImportResultBody } from '../../shared/schemas/inventory.ts';
import type { InventoryImportRepository, InventoryOutcome } from '../../storage/inventory-import.repository.ts';

function presentOutcome(outcome: InventoryOutcome) {
  return {
    index: outcome.index,
    ...(outcome.name !== null ? { name: outcome.name } : {}),
    action: outcome.action,
    // A device a dry run would create gets its id only when it really is created.
    ...(outcome.deviceId !== null && outcome.action === 'match' ? { device_id: outcome.deviceId } : {}),
    ...(outcome.matchedBy !== null ? { matched_by: outcome.matchedBy } : {}),
    ...(outcome.ip !== null ? { ip: outcome.ip } : {}),
    ip_added: outcome.ipAdded,
    filled: outcome.filled,
    ...(outcome.reason !== null ? { reason: outcome.reason } : {}),
  };
}

/** NetBox / Nautobot import (SPEC §7.3, G-10 fixed). */
export class InventoryService {
  constructor(private readonly imports: InventoryImportRepository) {}

  async import(source: InventorySource, payload: unknown, dryRun: boolean): Promise<InventoryImportResultBody> {
    const parsed = parseInventoryPayload(source, payload);
    if (!parsed.ok) {
      throw validationFailed(parsed.message, { source, ...(parsed.error ? { error: parsed.error } : {}) });
    }
    const { outcomes, ...counts } = await this.imports.import(source, parsed.devices, dryRun);
    return { dry_run: dryRun, ...counts, ...(dryRun ? { devices: outcomes.map(presentOutcome) } : {}) };
  }
}
