/**
 * Reading NetBox and Nautobot device lists (SPEC §7.3, fixing G-10). One small contract per
 * source in one registry; the payload may be the API's list response (`{count, next, previous,
 * results}`), `{devices: […]}` or a bare array of device objects.
 */
import { normaliseIp } from './snapshot.ts';

export type InventorySource = 'netbox' | 'nautobot';

/** What Roller takes from one upstream device. */
export interface InventoryDevice {
  index: number;
  /** Trimmed; null when the upstream device has no usable name (it is skipped). */
  name: string | null;
  /** Bare host form of the first usable primary IP. */
  ip: string | null;
  owner: string | null;
  location: string | null;
  notes: string | null;
}

export type InventoryParse =
  | { ok: true; devices: InventoryDevice[] }
  | { ok: false; message: 'invalid payload json' | 'payload contained no devices'; error?: string };

type Json = Record<string, unknown>;
const isObject = (value: unknown): value is Json =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

const text = (value: unknown): string | null => {
  if (typeof value !== 'string') return null;
  const trimmed = value.trim();
  return trimmed === '' ? null : trimmed;
};

/**
 * The label of a nested object: `name`, else `display` (NetBox and Nautobot at depth ≥ 1 send
 * both; Nautobot 2.x at depth 0 sends only {id, object_type, url}, which names nothing). A plain
 * string is taken as is.
 */
function nestedName(value: unknown): string | null {
  if (typeof value === 'string') return text(value);
  if (!isObject(value)) return null;
  return text(value.name) ?? text(value.display);
}

/** primary_ip4, then primary_ip, then primary_ip6: the first whose address parses (SPEC §7.3). */
function primaryIp(device: Json): string | null {
  for (const key of ['primary_ip4', 'primary_ip', 'primary_ip6']) {
    const field = device[key];
    const address = isObject(field) ? text(field.address) : typeof field === 'string' ? text(field) : null;
    const ip = address ? normaliseIp(address) : undefined;
    if (ip) return ip;
  }
  return null;
}

/** `site` and `location` joined, most general first (NetBox: site + optional location; Nautobot 2.x: location). */
function placeOf(device: Json): string | null {
  const parts = [nestedName(device.site), nestedName(device.location)].filter((part): part is string => part !== null);
  const unique = parts.filter((part, position) => parts.indexOf(part) === position);
  return unique.length > 0 ? unique.join(' / ') : null;
}

interface SourceContract {
  label: string;
  read(device: Json, index: number): InventoryDevice;
}

const readCommon = (device: Json, index: number): InventoryDevice => ({
  index,
  name: text(device.name),
  ip: primaryIp(device),
  owner: nestedName(device.tenant),
  location: placeOf(device),
  notes: text(device.comments),
});

/** The registry of import formats. Both APIs shape devices alike; each keeps its own entry. */
export const INVENTORY_SOURCES: Readonly<Record<InventorySource, SourceContract>> = Object.freeze({
  netbox: { label: 'NetBox', read: readCommon },
  nautobot: { label: 'Nautobot', read: readCommon },
});

/** Finds the device list in any accepted shape and reads every entry (non-objects read as nameless). */
export function parseInventoryPayload(source: InventorySource, payload: unknown): InventoryParse {
  let list: unknown[];
  if (Array.isArray(payload)) {
    list = payload;
  } else if (isObject(payload) && (Array.isArray(payload.results) || Array.isArray(payload.devices))) {
    const results = Array.isArray(payload.results) ? payload.results : [];
    list = results.length > 0 ? results : Array.isArray(payload.devices) ? payload.devices : [];
  } else {
    return {
      ok: false,
      message: 'invalid payload json',
      error: 'payload must be an array of devices, {"results": […]} or {"devices": […]}',
    };
  }
  if (list.length === 0) return { ok: false, message: 'payload contained no devices' };
  const contract = INVENTORY_SOURCES[source];
  return {
    ok: true,
    devices: list.map((entry, index) =>
      isObject(entry)
        ? contract.read(entry, index)
        : { index, name: null, ip: null, owner: null, location: null, notes: null },
    ),
  };
}
