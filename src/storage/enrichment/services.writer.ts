import { type Kysely, sql } from 'kysely';
import type { NewDeviceEvent } from '../../domain/device-events.ts';
import type { ServiceSighting } from '../../domain/enrichment.types.ts';
import { recordDeviceEvents } from '../device-events.writer.ts';
import type { Schema } from '../schema.ts';

export interface ServiceScan {
  /** TCP ports the scan covered; open services among them that were not seen are marked closed. */
  scannedTcpPorts: readonly number[];
  open: readonly ServiceSighting[];
}

/**
 * Upserts the services a scan saw open, and marks closed (and stale) the ones the same scan
 * covered but no longer saw (G-20). A service advertised over DNS-SD is upserted but never
 * closed by a port scan that did not cover its port.
 */
export async function saveServiceScan(
  trx: Kysely<Schema>,
  runId: string,
  deviceId: string,
  scan: ServiceScan,
): Promise<number> {
  const events: NewDeviceEvent[] = [];
  const label = (row: ServiceRow): string => `${row.protocol}/${row.port}${row.name ? ` (${row.name})` : ''}`;
  const details = (row: ServiceRow) => ({ protocol: row.protocol, port: row.port, name: row.name, source: row.source });
  if (scan.open.length > 0) {
    // Opened = new, or known but not open before this scan (the outer SELECT sees the old rows).
    const { rows } = await sql<ServiceRow>`
      WITH upserted AS (
        INSERT INTO services (device_id, protocol, port, name, state, source, observed_at, seen_run_id)
        SELECT ${deviceId}::uuid, p, n, NULLIF(btrim(nm), ''), 'open', s, now(), ${runId}::uuid
          FROM unnest(${sql.val(scan.open.map((s) => s.protocol))}::text[], ${sql.val(scan.open.map((s) => s.port))}::int[],
                      ${sql.val(scan.open.map((s) => s.name ?? ''))}::text[], ${sql.val(scan.open.map((s) => s.source))}::text[])
               AS t(p, n, nm, s)
        ON CONFLICT (device_id, protocol, port) WHERE protocol IS NOT NULL AND port IS NOT NULL
        DO UPDATE SET name = COALESCE(EXCLUDED.name, services.name), state = 'open', source = EXCLUDED.source,
                      observed_at = now(), seen_run_id = EXCLUDED.seen_run_id, stale_since = NULL, updated_at = now()
        RETURNING protocol, port, name, source
      )
      SELECT u.protocol, u.port, u.name, u.source FROM upserted u
        LEFT JOIN services p ON p.device_id = ${deviceId}::uuid AND p.protocol = u.protocol AND p.port = u.port
       WHERE p.id IS NULL OR p.state IS DISTINCT FROM 'open'
       ORDER BY u.protocol, u.port`.execute(trx);
    for (const row of rows) {
      events.push({
        deviceId,
        kind: 'service_opened',
        runId,
        summary: `Service ${label(row)} open`,
        details: details(row),
      });
    }
  }
  if (scan.scannedTcpPorts.length > 0) {
    const { rows } = await sql<ServiceRow>`
      UPDATE services SET state = 'closed', stale_since = COALESCE(stale_since, now()), updated_at = now()
       WHERE device_id = ${deviceId} AND protocol = 'tcp' AND port = ANY(${sql.val([...scan.scannedTcpPorts])}::int[])
         AND state = 'open' AND seen_run_id IS DISTINCT FROM ${runId}::uuid
      RETURNING protocol, port, name, source`.execute(trx);
    for (const row of rows.sort((a, b) => a.port - b.port)) {
      events.push({
        deviceId,
        kind: 'service_closed',
        runId,
        summary: `Service ${label(row)} closed`,
        details: details(row),
      });
    }
  }
  await recordDeviceEvents(trx, events);
  return scan.open.length;
}

interface ServiceRow {
  protocol: string;
  port: number;
  name: string | null;
  source: string | null;
}
