import {
  parseSnapshot,
  presentSnapshotDevice,
  SNAPSHOT_CSV_HEADER,
  type SnapshotExportRow,
  snapshotCsvLine,
} from '../../domain/snapshot.ts';
import { validationFailed } from '../../shared/errors.ts';
import { SNAPSHOT_FORMAT, SNAPSHOT_VERSION } from '../../shared/schemas/snapshot.ts';
import type { SnapshotImportCounts, SnapshotRepository } from '../../storage/snapshot.repository.ts';

/** Devices read per query while exporting: memory stays flat however many devices there are. */
export const EXPORT_PAGE_SIZE = 1000;

export type ExportFormat = 'json' | 'csv';

/** Snapshot export (streamed) and import (checked in full, then written in one transaction). */
export class SnapshotService {
  constructor(private readonly snapshots: SnapshotRepository) {}

  /**
   * The export as text chunks, one page of devices per chunk, in id order. The first page is read
   * before anything is yielded, so a database failure is still an ordinary error response.
   */
  async *export(format: ExportFormat): AsyncGenerator<string> {
    const encode =
      format === 'csv' ? snapshotCsvLine : (row: SnapshotExportRow) => JSON.stringify(presentSnapshotDevice(row));
    const separator = format === 'csv' ? '' : ',\n';
    const header =
      format === 'csv'
        ? SNAPSHOT_CSV_HEADER
        : `{"format":${JSON.stringify(SNAPSHOT_FORMAT)},"version":${SNAPSHOT_VERSION},` +
          `"exported_at":${JSON.stringify(new Date().toISOString())},"devices":[\n`;
    let rows = await this.snapshots.exportPage(null, EXPORT_PAGE_SIZE);
    yield header + rows.map(encode).join(separator);
    while (rows.length === EXPORT_PAGE_SIZE) {
      rows = await this.snapshots.exportPage((rows.at(-1) as SnapshotExportRow).id, EXPORT_PAGE_SIZE);
      if (rows.length > 0) yield separator + rows.map(encode).join(separator);
    }
    if (format === 'json') yield '\n]}\n';
  }

  async import(body: unknown): Promise<SnapshotImportCounts> {
    const parsed = parseSnapshot(body);
    if (!parsed.ok) throw validationFailed('invalid snapshot', { errors: parsed.problems });
    return this.snapshots.importRows(parsed.rows);
  }
}
