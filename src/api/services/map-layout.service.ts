import {
  type FocusType,
  isUuid,
  parseFocusType,
  parseLayer,
  parseSubnetId,
  parseVlanId,
} from '../../domain/map/model.ts';
import { RollerError, validationFailed } from '../../shared/errors.ts';
import type { MapLayoutBody, MapLayoutQueryParams, MapLayoutUpdateBody } from '../../shared/schemas/map-layout.ts';
import type { MapLayoutKey, MapLayoutRepository, MapLayoutRow } from '../../storage/map-layout.repository.ts';

const ZONE_ID_MAX = 64;

const invalidId = (message: string, id: string) => new RollerError('invalid_id', message, { id });

/**
 * The layout key of a request, parsed and normalised exactly as `GET /api/v1/map/{layer}` does, so a
 * layout saved under one spelling of a focus (`10.0.1.7/24`, an upper-case UUID) is found under the
 * canonical one. Unlike the map route the focus is required, a service id is always a UUID and the
 * focus object need not exist (a layout may outlive the device it was drawn around).
 */
export function layoutKey(rawLayer: string, query: MapLayoutQueryParams): MapLayoutKey {
  const layer = parseLayer(rawLayer);
  if (!layer) throw validationFailed('invalid layer', { layer: rawLayer });
  if (query.focusType === undefined || query.focusId === undefined) {
    throw validationFailed('focusType and focusId must be provided together', {
      focusType: query.focusType ?? null,
      focusId: query.focusId ?? null,
    });
  }
  const focusType = parseFocusType(query.focusType);
  if (!focusType) throw validationFailed('invalid focusType', { focusType: query.focusType });
  return { layer, focusType, focusId: focusIdOf(focusType, query.focusId) };
}

function focusIdOf(type: FocusType, rawId: string): string {
  const id = rawId.trim();
  switch (type) {
    case 'device':
      if (!isUuid(id)) throw invalidId('device id is not a valid uuid', id);
      return id.toLowerCase();
    case 'service':
      if (!isUuid(id)) throw invalidId('service id is not a valid uuid', rawId);
      return id.toLowerCase();
    case 'subnet': {
      const subnet = parseSubnetId(id);
      if (!subnet) throw invalidId('subnet id must be a CIDR prefix', rawId);
      return subnet;
    }
    case 'vlan': {
      const vlan = parseVlanId(id);
      if (vlan === undefined) throw invalidId('vlan id must be an integer between 1 and 4094', rawId);
      return String(vlan);
    }
    case 'zone': {
      const length = [...id].length;
      if (length < 1 || length > ZONE_ID_MAX) throw invalidId(`zone id must be 1 to ${ZONE_ID_MAX} characters`, rawId);
      return id;
    }
  }
}

function present(key: MapLayoutKey, row: MapLayoutRow | undefined): MapLayoutBody {
  return {
    layer: key.layer,
    focus: { type: key.focusType, id: key.focusId },
    positions: row?.positions ?? {},
    updated_at: row?.updated_at ?? null,
    updated_by: row?.updated_by ?? null,
  };
}

/** `GET|PUT|DELETE /api/v1/map/{layer}/layout` (docs/map.md#saved-layouts). */
export class MapLayoutService {
  constructor(private readonly repository: MapLayoutRepository) {}

  async get(rawLayer: string, query: MapLayoutQueryParams): Promise<MapLayoutBody> {
    const key = layoutKey(rawLayer, query);
    return present(key, await this.repository.get(key));
  }

  /** Replaces the whole layout; the body was validated by the route schema (sizes, ranges, fields). */
  async save(
    rawLayer: string,
    query: MapLayoutQueryParams,
    body: MapLayoutUpdateBody,
    user: string | null,
  ): Promise<MapLayoutBody> {
    const key = layoutKey(rawLayer, query);
    return present(key, await this.repository.save(key, body.positions, user));
  }

  /** Back to the automatic layout; nothing saved is not an error. */
  async reset(rawLayer: string, query: MapLayoutQueryParams): Promise<void> {
    await this.repository.delete(layoutKey(rawLayer, query));
  }
}
