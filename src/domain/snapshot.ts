/**
 * The device snapshot (docs/data-exchange.md): which shapes the import reads, how every row is
 * checked before anything is written, and how an exported device is written as JSON or CSV.
 */
import { isIPv4, isIPv6 } from 'node:net';
import { Compile } from 'typebox/compile';
import { bigIntToIpv4, bigIntToIpv6, ipv4ToBigInt, ipv6ToBigInt } from '../shared/ip-math.ts';
import {
  SNAPSHOT_FORMAT,
  SNAPSHOT_VERSION,
  SnapshotDevice,
  type SnapshotDeviceBody,
} from '../shared/schemas/snapshot.ts';
import { blankToNull, METADATA_FIELDS, type MetadataValues } from './device-input.ts';
import { macHexDigits } from './mac-vendor.ts';
import { parseManualTags } from './tag-input.ts';

/** One problem in an import file; `index` is the row (0-based) when the problem is in a row. */
export interface SnapshotProblem {
  index?: number;
  /** JSON pointer inside the row (or the document when there is no index), '' for the whole. */
  path: string;
  reason: string;
}

/** A row after validation and normalisation: what the import writes. */
export interface SnapshotRow {
  id: string | null;
  displayName: string | null;
  metadata: MetadataValues;
  tags: string[];
  ips: string[];
  macs: string[];
  createdAt: string | null;
}

export type SnapshotParse = { ok: true; rows: SnapshotRow[] } | { ok: false; problems: SnapshotProblem[] };

const rowValidator = Compile(SnapshotDevice);
const DOCUMENT_KEYS = new Set(['format', 'version', 'exported_at', 'devices']);

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Finds the rows in any accepted shape, or explains why the document itself is wrong. */
function locateRows(body: unknown): { rows: unknown[] } | { problems: SnapshotProblem[] } {
  if (Array.isArray(body)) return { rows: body };
  const shape = 'expected the snapshot document, an array of devices, or {"devices": […]}';
  if (!isObject(body)) return { problems: [{ path: '', reason: shape }] };
  const problems: SnapshotProblem[] = [];
  const versioned = 'format' in body || 'version' in body;
  for (const key of Object.keys(body)) {
    if (!DOCUMENT_KEYS.has(key) || (!versioned && key === 'exported_at')) {
      problems.push({ path: `/${key}`, reason: `unknown field "${key}"` });
    }
  }
  if (versioned) {
    if (body.format !== SNAPSHOT_FORMAT) {
      problems.push({
        path: '/format',
        reason: `unsupported format ${JSON.stringify(body.format ?? null)} (expected "${SNAPSHOT_FORMAT}")`,
      });
    }
    if (body.version !== SNAPSHOT_VERSION) {
      problems.push({
        path: '/version',
        reason: `unsupported version ${JSON.stringify(body.version ?? null)} (this Roller reads version ${SNAPSHOT_VERSION})`,
      });
    }
    if (body.exported_at !== undefined && typeof body.exported_at !== 'string') {
      problems.push({ path: '/exported_at', reason: 'must be a timestamp string' });
    }
  }
  if (!Array.isArray(body.devices)) problems.push({ path: '/devices', reason: 'must be an array of devices' });
  if (problems.length > 0) return { problems };
  return { rows: body.devices as unknown[] };
}

/** Bare host form of an IP address (a `/len` suffix is dropped), or undefined. */
export function normaliseIp(text: string): string | undefined {
  const address = text.trim().replace(/\/\d{1,3}$/, '');
  if (isIPv4(address)) return bigIntToIpv4(ipv4ToBigInt(address));
  if (isIPv6(address) && !address.includes('%')) return bigIntToIpv6(ipv6ToBigInt(address));
  return undefined;
}

/** Lower-case colon form of a MAC address, or undefined. */
export function normaliseMac(text: string): string | undefined {
  const hex = macHexDigits(text);
  return hex === null ? undefined : (hex.toLowerCase().match(/../g) ?? []).join(':');
}

function schemaProblems(index: number, row: unknown): SnapshotProblem[] {
  return rowValidator
    .Errors(row)
    .filter((error) => error.keyword !== 'boolean')
    .map((error) => {
      if (error.keyword === 'additionalProperties') {
        const names = (error.params as { additionalProperties?: string[] }).additionalProperties ?? [];
        return { index, path: error.instancePath, reason: names.map((name) => `unknown field "${name}"`).join(', ') };
      }
      return { index, path: error.instancePath, reason: error.message };
    });
}

function normaliseRow(index: number, raw: SnapshotDeviceBody, problems: SnapshotProblem[]): SnapshotRow {
  const metadata: MetadataValues = { owner: null, location: null, notes: null };
  for (const field of METADATA_FIELDS) {
    const value = raw.metadata?.[field];
    if (typeof value === 'string' && value.trim() !== '') metadata[field] = value.trim();
  }
  const tags = parseManualTags(raw.tags);
  if (!tags.ok) problems.push({ index, path: '/tags', reason: tags.error });
  const ips = new Set<string>();
  (raw.ips ?? []).forEach((text, position) => {
    const ip = normaliseIp(text);
    if (ip === undefined) problems.push({ index, path: `/ips/${position}`, reason: `"${text}" is not an IP address` });
    else ips.add(ip);
  });
  const macs = new Set<string>();
  (raw.macs ?? []).forEach((text, position) => {
    const mac = normaliseMac(text);
    if (mac === undefined)
      problems.push({ index, path: `/macs/${position}`, reason: `"${text}" is not a MAC address` });
    else macs.add(mac);
  });
  return {
    id: raw.id?.toLowerCase() ?? null,
    displayName: blankToNull(raw.display_name),
    metadata,
    tags: tags.ok ? tags.value : [],
    ips: [...ips],
    macs: [...macs],
    createdAt: raw.created_at ?? null,
  };
}

/**
 * Checks the whole file before anything is written: every problem of every row is reported (with
 * the row's index), not just the first. Ids must be unique within the file.
 */
export function parseSnapshot(body: unknown): SnapshotParse {
  const located = locateRows(body);
  if ('problems' in located) return { ok: false, problems: located.problems };
  const problems: SnapshotProblem[] = [];
  const rows: SnapshotRow[] = [];
  const firstIndexOfId = new Map<string, number>();
  located.rows.forEach((raw, index) => {
    const structural = schemaProblems(index, raw);
    if (structural.length > 0) {
      problems.push(...structural);
      return;
    }
    const row = normaliseRow(index, raw as SnapshotDeviceBody, problems);
    if (row.id !== null) {
      const first = firstIndexOfId.get(row.id);
      if (first !== undefined) problems.push({ index, path: '/id', reason: `duplicate id (also row ${first})` });
      else firstIndexOfId.set(row.id, index);
    }
    rows.push(row);
  });
  return problems.length > 0 ? { ok: false, problems } : { ok: true, rows };
}

/** A device as the export reads it. */
export interface SnapshotExportRow {
  id: string;
  display_name: string | null;
  owner: string | null;
  location: string | null;
  notes: string | null;
  tags: string[] | null;
  ips: string[] | null;
  macs: string[] | null;
  created_at: string;
}

/** The JSON form of one exported device: keys without a value are left out (docs/api.md). */
export function presentSnapshotDevice(row: SnapshotExportRow): SnapshotDeviceBody {
  const device: SnapshotDeviceBody = { id: row.id };
  if (row.display_name !== null) device.display_name = row.display_name;
  const metadata = Object.fromEntries(
    METADATA_FIELDS.filter((field) => row[field] !== null).map((field) => [field, row[field]]),
  );
  if (Object.keys(metadata).length > 0) device.metadata = metadata;
  if (row.tags?.length) device.tags = row.tags;
  if (row.ips?.length) device.ips = row.ips;
  if (row.macs?.length) device.macs = row.macs;
  device.created_at = row.created_at;
  return device;
}

export const SNAPSHOT_CSV_COLUMNS = [
  'id',
  'display_name',
  'owner',
  'location',
  'notes',
  'tags',
  'ips',
  'macs',
  'created_at',
] as const;

/**
 * One CSV field (RFC 4180): quoted when it holds a comma, quote, CR or LF, or starts or ends with a
 * blank. A value that a spreadsheet would run as a formula (`=`, `+`, `-`, `@`, tab, CR first) is
 * prefixed with `'` (OWASP CSV injection); the JSON export is the exact, importable form.
 */
export function csvField(value: string | null): string {
  if (value === null || value === '') return '';
  const safe = /^[=+\-@\t\r]/.test(value) ? `'${value}` : value;
  return /[",\r\n]|^\s|\s$/.test(safe) ? `"${safe.replaceAll('"', '""')}"` : safe;
}

/** One CSV line (CRLF-terminated); lists are joined with a space. */
export function snapshotCsvLine(row: SnapshotExportRow): string {
  const list = (values: string[] | null) => (values?.length ? values.join(' ') : null);
  const cells: Record<(typeof SNAPSHOT_CSV_COLUMNS)[number], string | null> = {
    id: row.id,
    display_name: row.display_name,
    owner: row.owner,
    location: row.location,
    notes: row.notes,
    tags: list(row.tags),
    ips: list(row.ips),
    macs: list(row.macs),
    created_at: row.created_at,
  };
  return `${SNAPSHOT_CSV_COLUMNS.map((column) => csvField(cells[column])).join(',')}\r\n`;
}

export const SNAPSHOT_CSV_HEADER = `${SNAPSHOT_CSV_COLUMNS.join(',')}\r\n`;
