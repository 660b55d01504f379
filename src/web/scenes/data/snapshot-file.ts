/**
 * What the browser works out about a snapshot file before it is uploaded (docs/data-exchange.md):
 * which of the three accepted shapes it is, how many devices it holds, and for each row its id or
 * name and the line it starts on, so the server's per-row problems can point into the file.
 * The server still checks everything; this only refuses what it would refuse anyway (not JSON, CSV).
 */

/** Core's limit for POST /api/v1/devices/import (SNAPSHOT_IMPORT_BODY_LIMIT in the API). */
export const SNAPSHOT_MAX_BYTES = 64 * 1024 * 1024;

export interface SnapshotRowInfo {
  id?: string;
  name?: string;
  /** 1-based line of the file where the row starts. */
  line?: number;
}

export type SnapshotFileInfo =
  | {
      ok: true;
      shape: 'document' | 'array' | 'wrapper';
      version?: unknown;
      exportedAt?: string;
      rows: SnapshotRowInfo[];
    }
  | { ok: false; message: string };

export function isCsvFile(file: { name: string; type: string }): boolean {
  return /\.csv$/i.test(file.name) || file.type === 'text/csv';
}

/** Inspects the text of a picked file; `ok: false` explains why it cannot be a snapshot. */
export function inspectSnapshotText(text: string): SnapshotFileInfo {
  if (text.trim() === '') return { ok: false, message: 'The file is empty.' };
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    return { ok: false, message: `The file is not valid JSON (${(error as Error).message}).` };
  }
  let devices: unknown;
  let shape: 'document' | 'array' | 'wrapper';
  let version: unknown;
  let exportedAt: string | undefined;
  if (Array.isArray(parsed)) {
    devices = parsed;
    shape = 'array';
  } else if (parsed !== null && typeof parsed === 'object') {
    const object = parsed as Record<string, unknown>;
    devices = object.devices;
    shape = 'format' in object || 'version' in object ? 'document' : 'wrapper';
    version = object.version;
    exportedAt = typeof object.exported_at === 'string' ? object.exported_at : undefined;
  } else {
    return { ok: false, message: 'The file holds JSON, but neither a snapshot document nor a list of devices.' };
  }
  if (!Array.isArray(devices)) {
    return { ok: false, message: 'The file has no "devices" list: it does not look like a Roller snapshot.' };
  }
  const lines = rowLines(text);
  const rows = devices.map((row: unknown, index): SnapshotRowInfo => {
    const record = row !== null && typeof row === 'object' ? (row as Record<string, unknown>) : {};
    return {
      id: typeof record.id === 'string' ? record.id : undefined,
      name: typeof record.display_name === 'string' ? record.display_name : undefined,
      line: lines[index],
    };
  });
  return { ok: true, shape, version, exportedAt, rows };
}

interface Frame {
  kind: 'object' | 'array';
  /** This array is the snapshot's device list. */
  devices: boolean;
  expectKey: boolean;
  key?: string;
}

/**
 * The 1-based line on which each element of the device list starts: the top-level array, or the
 * `devices` array of the top-level object. A small scanner over valid JSON (it is only called after
 * JSON.parse succeeded), so strings with brackets or escaped quotes do not confuse it.
 */
export function rowLines(text: string): number[] {
  const lines: number[] = [];
  const stack: Frame[] = [];
  let line = 1;
  let expectingValue = true;
  const valueStarts = () => {
    const top = stack.at(-1);
    if (expectingValue && top?.kind === 'array' && top.devices) lines.push(line);
    expectingValue = false;
  };
  for (let i = 0; i < text.length; i++) {
    const char = text[i];
    if (char === '\n') {
      line++;
      continue;
    }
    if (char === ' ' || char === '\t' || char === '\r') continue;
    const top = stack.at(-1);
    if (char === '"') {
      let end = i + 1;
      while (end < text.length && text[end] !== '"') end += text[end] === '\\' ? 2 : 1;
      if (top?.kind === 'object' && top.expectKey) {
        top.key = JSON.parse(text.slice(i, end + 1)) as string;
        top.expectKey = false;
      } else {
        valueStarts();
      }
      i = end;
    } else if (char === '{' || char === '[') {
      const devices = char === '[' && (stack.length === 0 || (stack.length === 1 && top?.key === 'devices'));
      valueStarts();
      stack.push({ kind: char === '{' ? 'object' : 'array', devices, expectKey: char === '{' });
      expectingValue = char === '[';
    } else if (char === '}' || char === ']') {
      stack.pop();
      expectingValue = false;
    } else if (char === ',') {
      if (top?.kind === 'object') top.expectKey = true;
      else expectingValue = true;
    } else if (char === ':') {
      expectingValue = true;
    } else {
      // A number, true, false or null: skip to its end.
      valueStarts();
      while (i + 1 < text.length && !',]} \t\r\n'.includes(text[i + 1] as string)) i++;
    }
  }
  return lines;
}

/** One problem the server found (details.errors of `400 invalid snapshot`). */
export interface SnapshotProblem {
  index?: number;
  path: string;
  reason: string;
}

/** The per-row problems of a refused import, or [] when the error carries none. */
export function snapshotProblemsOf(details: Record<string, unknown> | undefined): SnapshotProblem[] {
  const errors = details?.errors;
  if (!Array.isArray(errors)) return [];
  return errors
    .filter((item): item is Record<string, unknown> => item !== null && typeof item === 'object')
    .map((item) => ({
      index: typeof item.index === 'number' ? item.index : undefined,
      path: typeof item.path === 'string' ? item.path : '',
      reason: typeof item.reason === 'string' ? item.reason : String(item.reason ?? ''),
    }));
}

export function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  const [value, unit] = bytes < 1024 * 1024 ? [bytes / 1024, 'KiB'] : [bytes / 1024 / 1024, 'MiB'];
  return `${value.toFixed(1).replace(/\.0$/, '')} ${unit}`;
}
