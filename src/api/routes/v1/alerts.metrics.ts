import { sql } from 'kysely';
import { Gauge, type Registry } from 'prom-client';
import type { Database } from '../../../storage/database.ts';

/** Most watched devices exported as `roller_device_up` series (keeps a scrape bounded). */
export const MAX_WATCHED_SERIES = 1000;
const STATES = ['online', 'offline', 'unknown'] as const;

/**
 * Alert-friendly gauges computed at scrape time (issue 11): devices per presence state, and one
 * up/down series per watched device. Each scrape runs two small queries; when the database does
 * not answer, the gauges are left empty rather than failing the whole scrape.
 */
export function registerAlertGauges(registry: Registry, database: Database): void {
  if (registry.getSingleMetric('roller_devices')) return;
  new Gauge({
    name: 'roller_devices',
    help: 'Devices by presence state (online, offline, unknown), read from the database at scrape time.',
    labelNames: ['state'] as const,
    registers: [registry],
    async collect() {
      this.reset();
      try {
        const { rows } = await sql<{ presence: string; n: string }>`
          SELECT presence, count(*)::text AS n FROM devices GROUP BY presence`.execute(database.db);
        for (const state of STATES) {
          this.set({ state }, Number(rows.find((row) => row.presence === state)?.n ?? 0));
        }
      } catch {
        // Left empty: the scrape still answers with every other metric.
      }
    },
  });
  new Gauge({
    name: 'roller_device_up',
    help: `1 when a watched device is online, 0 otherwise (offline or unknown); at most ${MAX_WATCHED_SERIES} devices.`,
    labelNames: ['device_id', 'name'] as const,
    registers: [registry],
    async collect() {
      this.reset();
      try {
        const { rows } = await sql<{ id: string; name: string | null; ip: string | null; presence: string }>`
          SELECT d.id, d.display_name AS name, host(d.primary_ip) AS ip, d.presence
            FROM device_watch w JOIN devices d ON d.id = w.device_id
           ORDER BY w.created_at, d.id
           LIMIT ${MAX_WATCHED_SERIES}`.execute(database.db);
        for (const row of rows) {
          this.set({ device_id: row.id, name: row.name ?? row.ip ?? '' }, row.presence === 'online' ? 1 : 0);
        }
      } catch {
        // As above.
      }
    },
  });
}
