import { createHash } from 'node:crypto';
import {
  closeSync,
  createReadStream,
  createWriteStream,
  openSync,
  readSync,
  renameSync,
  rmSync,
  statSync,
} from 'node:fs';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { DatabaseKind } from '../database.ts';

/**
 * The one file `roller backup` writes, for both backends: a first line that is an SQL comment
 * holding a JSON manifest, then the payload. For PostgreSQL the payload is a plain pg_dump script,
 * so the whole file is still a valid psql script an operator can replay by hand in an emergency;
 * for the embedded database it is PGlite's gzip tarball of its data directory. The manifest names
 * the backend and the schema version, and carries the payload's size and SHA-256, so a restore
 * can refuse a truncated, foreign or too-new file before it touches anything.
 */
export const BACKUP_MAGIC = '-- roller-backup ';
export const BACKUP_FORMAT_VERSION = 1;
/** The header is one short line; anything longer is not a Roller backup. */
const MAX_HEADER_BYTES = 16 * 1024;

export type BackupPayloadKind = 'pglite-datadir-tgz' | 'pg_dump-plain';

export interface BackupManifest {
  format: 'roller-backup';
  formatVersion: number;
  backend: DatabaseKind;
  payload: BackupPayloadKind;
  /** schema_migrations at backup time. */
  schemaVersion: number;
  schemaDirty: boolean;
  rollerVersion: string;
  createdAt: string;
  payloadBytes: number;
  payloadSha256: string;
  /** Rows per table at backup time (informational; restore prints them). */
  rowCounts: Record<string, number>;
}

export class BackupFileError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'BackupFileError';
  }
}

export interface BackupHeader {
  manifest: BackupManifest;
  /** Byte offset where the payload starts. */
  payloadOffset: number;
}

export function encodeHeader(manifest: BackupManifest): string {
  return `${BACKUP_MAGIC}${JSON.stringify(manifest)}\n`;
}

/** Size and SHA-256 of a file (or of its tail from `offset`), streamed. */
export async function digestFile(path: string, offset = 0): Promise<{ bytes: number; sha256: string }> {
  const hash = createHash('sha256');
  let bytes = 0;
  const stream = createReadStream(path, { start: offset });
  for await (const chunk of stream as AsyncIterable<Buffer>) {
    hash.update(chunk);
    bytes += chunk.length;
  }
  return { bytes, sha256: hash.digest('hex') };
}

/**
 * Writes header + payload to `target` through a temporary file in the same directory, renamed into
 * place at the end: an interrupted backup never leaves a file that looks complete.
 */
export async function writeBackupFile(
  target: string,
  manifest: Omit<BackupManifest, 'payloadBytes' | 'payloadSha256'>,
  payloadFile: string,
): Promise<BackupManifest> {
  const digest = await digestFile(payloadFile);
  const complete: BackupManifest = { ...manifest, payloadBytes: digest.bytes, payloadSha256: digest.sha256 };
  const partial = `${target}.partial-${process.pid}`;
  try {
    const out = createWriteStream(partial, { mode: 0o600 });
    out.write(encodeHeader(complete));
    await pipeline(createReadStream(payloadFile), out);
    renameSync(partial, target);
  } catch (error) {
    rmSync(partial, { force: true });
    throw error;
  }
  return complete;
}

/** Reads and checks the manifest line; throws BackupFileError when this is not a Roller backup. */
export function readBackupHeader(path: string): BackupHeader {
  let size: number;
  try {
    size = statSync(path).size;
  } catch (error) {
    throw new BackupFileError(`cannot read ${path}: ${(error as Error).message}`);
  }
  const buffer = Buffer.alloc(Math.min(size, MAX_HEADER_BYTES));
  const fd = openSync(path, 'r');
  try {
    readSync(fd, buffer, 0, buffer.length, 0);
  } finally {
    closeSync(fd);
  }
  const notOurs = `${path} is not a Roller backup (it must start with "${BACKUP_MAGIC.trim()}", as \`roller backup\` writes)`;
  if (!buffer.subarray(0, BACKUP_MAGIC.length).equals(Buffer.from(BACKUP_MAGIC))) throw new BackupFileError(notOurs);
  const end = buffer.indexOf(0x0a);
  if (end < 0) throw new BackupFileError(notOurs);
  let parsed: unknown;
  try {
    parsed = JSON.parse(buffer.subarray(BACKUP_MAGIC.length, end).toString('utf8'));
  } catch {
    throw new BackupFileError(`${path} has a damaged Roller backup header (not JSON)`);
  }
  return { manifest: checkManifest(parsed, path), payloadOffset: end + 1 };
}

function checkManifest(value: unknown, path: string): BackupManifest {
  const bad = (what: string): never => {
    throw new BackupFileError(`${path} has a damaged Roller backup header: ${what}`);
  };
  if (typeof value !== 'object' || value === null) return bad('not an object');
  const manifest = value as Partial<BackupManifest>;
  if (manifest.format !== 'roller-backup') bad('format is not roller-backup');
  if (typeof manifest.formatVersion !== 'number') bad('no formatVersion');
  if ((manifest.formatVersion as number) > BACKUP_FORMAT_VERSION) {
    throw new BackupFileError(
      `${path} is a Roller backup in format ${manifest.formatVersion}, newer than this build reads (${BACKUP_FORMAT_VERSION}): restore it with a newer Roller`,
    );
  }
  if (manifest.backend !== 'pglite' && manifest.backend !== 'postgres') bad('unknown backend');
  if (manifest.payload !== 'pglite-datadir-tgz' && manifest.payload !== 'pg_dump-plain') bad('unknown payload');
  if (!Number.isInteger(manifest.schemaVersion) || (manifest.schemaVersion as number) < 1) bad('no schemaVersion');
  if (typeof manifest.schemaDirty !== 'boolean') bad('no schemaDirty');
  if (!Number.isInteger(manifest.payloadBytes) || (manifest.payloadBytes as number) < 0) bad('no payloadBytes');
  if (typeof manifest.payloadSha256 !== 'string' || !/^[0-9a-f]{64}$/.test(manifest.payloadSha256))
    bad('no payloadSha256');
  return {
    ...(manifest as BackupManifest),
    rowCounts: typeof manifest.rowCounts === 'object' && manifest.rowCounts !== null ? manifest.rowCounts : {},
  };
}

/** Checks the payload against the manifest's size and digest (a truncated or edited file fails). */
export async function verifyPayload(path: string, header: BackupHeader): Promise<void> {
  const { bytes, sha256 } = await digestFile(path, header.payloadOffset);
  if (bytes !== header.manifest.payloadBytes) {
    throw new BackupFileError(
      `${path} is incomplete or damaged: the payload has ${bytes} bytes, the header says ${header.manifest.payloadBytes}`,
    );
  }
  if (sha256 !== header.manifest.payloadSha256) {
    throw new BackupFileError(`${path} is damaged: the payload's SHA-256 does not match its header`);
  }
}

/**
 * Whether this build may restore the file into `backend`: same backend, a clean schema at a
 * version the build's migrations reach (older is fine: the next start migrates it up).
 */
export function checkRestorable(manifest: BackupManifest, backend: DatabaseKind, latestVersion: number): void {
  if (manifest.backend !== backend) {
    throw new BackupFileError(
      `this is a backup of the ${describeBackend(manifest.backend)}, but Roller is configured for the ${describeBackend(backend)}: ` +
        `restore it with the same backend (${manifest.backend === 'postgres' ? 'set DATABASE_URL' : 'unset DATABASE_URL'})`,
    );
  }
  if (manifest.schemaVersion > latestVersion) {
    throw new BackupFileError(
      `the backup is at schema version ${manifest.schemaVersion}, newer than this Roller build knows (${latestVersion}): ` +
        `restore it with Roller ${manifest.rollerVersion} or newer`,
    );
  }
  if (manifest.schemaDirty) {
    throw new BackupFileError(
      `the backup was taken while schema version ${manifest.schemaVersion} was dirty (a failed migration): ` +
        'it cannot be migrated safely; use an older backup',
    );
  }
}

export function describeBackend(kind: DatabaseKind): string {
  return kind === 'postgres' ? 'PostgreSQL database' : 'embedded database (PGlite)';
}

/** The payload as a stream (for psql), starting after the header line. */
export function payloadStream(path: string, header: BackupHeader): Readable {
  return createReadStream(path, { start: header.payloadOffset });
}
