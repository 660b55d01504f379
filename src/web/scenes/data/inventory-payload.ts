/** NetBox / Nautobot import helpers (docs/data-exchange.md "NetBox and Nautobot import"). */

export type InventorySource = 'netbox' | 'nautobot';

export const SOURCES: { value: InventorySource; label: string; hint: string }[] = [
  {
    value: 'netbox',
    label: 'NetBox',
    hint: 'Paste the answer of GET /api/dcim/devices/?limit=0 (all devices), {"devices": […]} or a list of devices.',
  },
  {
    value: 'nautobot',
    label: 'Nautobot',
    hint: 'Paste the answer of GET /api/dcim/devices/?depth=1 (depth 1, so tenant and location carry names), {"devices": […]} or a list of devices.',
  },
];

/** Core's limit for the inventory import body (INVENTORY_IMPORT_BODY_LIMIT in the API). */
export const INVENTORY_MAX_BYTES = 16 * 1024 * 1024;

export type PayloadCheck = { ok: true; body: string } | { ok: false; message: string };

/**
 * Checks pasted or uploaded text and builds the request body `{"payload": <text>}` around it as it
 * is, so a large payload is not parsed and serialised twice.
 */
export function checkPayload(text: string): PayloadCheck {
  if (text.trim() === '') return { ok: false, message: 'Paste or upload the JSON first.' };
  try {
    JSON.parse(text);
  } catch (error) {
    return { ok: false, message: `The payload is not valid JSON (${(error as Error).message}).` };
  }
  const body = `{"payload":${text}}`;
  const bytes = new TextEncoder().encode(body).length;
  if (bytes > INVENTORY_MAX_BYTES) {
    return {
      ok: false,
      message: `The payload is ${(bytes / 1024 / 1024).toFixed(1)} MiB; the server accepts at most 16 MiB. Import it in parts (one API page at a time).`,
    };
  }
  return { ok: true, body };
}

export function importPath(source: InventorySource, dryRun: boolean): string {
  return `/api/v1/inventory/${source}/import${dryRun ? '?dry_run=true' : ''}`;
}
