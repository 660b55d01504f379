import { RollerError, validationFailed } from '../../shared/errors.ts';
import type { ManualLinkBody, ManualLinkCreateBody, ManualLinkUpdateBody } from '../../shared/schemas/map-build.ts';
import type {
  ManualLinkEndInput,
  ManualLinkPatch,
  ManualLinkRepository,
  ManualLinkRow,
} from '../../storage/manual-link.repository.ts';

type EndBody = ManualLinkCreateBody['a'];

/** Trimmed text; blank or null → null; undefined stays undefined (keep). */
export function optionalText(value: string | null | undefined): string | null | undefined {
  if (value === undefined) return undefined;
  if (value === null) return null;
  const trimmed = value.trim();
  return trimmed === '' ? null : trimmed;
}

const notFoundError = (entity: string, id: string, extra: Record<string, unknown> = {}) =>
  new RollerError('not_found', `${entity} not found`, { id, ...extra });

function presentEnd(deviceId: string, deviceName: string | null, interfaceId: string | null, name: string | null) {
  return {
    device_id: deviceId,
    ...(deviceName !== null && deviceName.trim() !== '' ? { device_name: deviceName } : {}),
    ...(interfaceId !== null ? { interface_id: interfaceId } : {}),
    ...(name !== null ? { interface_name: name } : {}),
  };
}

export function presentManualLink(row: ManualLinkRow): ManualLinkBody {
  return {
    id: row.id,
    link_key: row.link_key,
    a: presentEnd(row.a_device_id, row.a_device_name, row.a_interface_id, row.a_interface_name),
    b: presentEnd(row.b_device_id, row.b_device_name, row.b_interface_id, row.b_interface_name),
    ...(row.link_type !== null ? { link_type: row.link_type } : {}),
    ...(row.label !== null ? { label: row.label } : {}),
    ...(row.notes !== null ? { notes: row.notes } : {}),
    source: row.source,
    protocols: row.protocols,
    ...(row.observed_at !== null ? { observed_at: row.observed_at } : {}),
    created_at: row.created_at,
    updated_at: row.updated_at,
  };
}

function parseEnd(name: 'a' | 'b', end: EndBody): ManualLinkEndInput {
  const interfaceName = end.interface_name?.trim();
  if (end.interface_id !== undefined && end.interface_name !== undefined) {
    throw validationFailed('invalid link end', { end: name, error: 'give interface_id or interface_name, not both' });
  }
  if (interfaceName === '') {
    throw validationFailed('invalid link end', { end: name, error: 'interface_name must not be blank' });
  }
  return {
    deviceId: end.device_id.toLowerCase(),
    ...(end.interface_id !== undefined ? { interfaceId: end.interface_id.toLowerCase() } : {}),
    ...(interfaceName !== undefined ? { interfaceName } : {}),
  };
}

/** Curated links (build mode): see ManualLinkRepository for how they share `links` with discovery. */
export class ManualLinkService {
  constructor(private readonly links: ManualLinkRepository) {}

  async list() {
    return { links: (await this.links.list()).map(presentManualLink) };
  }

  async get(id: string) {
    const row = await this.links.get(id);
    if (!row) throw notFoundError('link', id);
    return presentManualLink(row);
  }

  /** 201 with the link; `adopted` says whether it curated a cable discovery already knew. */
  async create(body: ManualLinkCreateBody, actor: string): Promise<{ link: ManualLinkBody; adopted: boolean }> {
    const a = parseEnd('a', body.a);
    const b = parseEnd('b', body.b);
    if (a.deviceId === b.deviceId) {
      throw validationFailed('a link needs two different devices', { device_id: a.deviceId });
    }
    const result = await this.links.create(
      {
        a,
        b,
        linkType: body.link_type ?? null,
        label: optionalText(body.label) ?? null,
        notes: optionalText(body.notes) ?? null,
      },
      actor,
    );
    switch (result.kind) {
      case 'created':
        return { link: presentManualLink(result.row), adopted: result.adopted };
      case 'device_not_found':
        throw notFoundError('device', result.id);
      case 'interface_not_on_device':
        throw notFoundError('interface', result.interfaceId, {
          end: result.end,
          device_id: result.end === 'a' ? a.deviceId : b.deviceId,
        });
      case 'duplicate':
        throw new RollerError('conflict', 'a manual link for this cable already exists', { id: result.id });
      case 'ambiguous':
        throw new RollerError('conflict', 'several links between these devices match; name the ports', {
          link_ids: result.ids,
        });
    }
  }

  async update(id: string, body: ManualLinkUpdateBody) {
    const patch: ManualLinkPatch = {};
    if (body.link_type !== undefined) patch.linkType = body.link_type;
    const label = optionalText(body.label);
    if (label !== undefined) patch.label = label;
    const notes = optionalText(body.notes);
    if (notes !== undefined) patch.notes = notes;
    const row = await this.links.update(id, patch);
    if (!row) throw notFoundError('link', id);
    return presentManualLink(row);
  }

  async delete(id: string, actor: string): Promise<void> {
    if (!(await this.links.delete(id, actor))) throw notFoundError('link', id);
  }
}
