import { type Kysely, type RawBuilder, sql } from 'kysely';
import { encodeCursor } from '../src/shared/cursor.ts';
import type { DeviceListQueryParams } from '../src/shared/schemas/devices.ts';
import { likeContains } from '../src/storage/device.repository.ts';
import type { Schema } from '../src/storage/schema.ts';

export const PAGE_SIZE = 50;

export interface Scenario {
  name: string;
  /** Search scenarios must be served by an index (no sequential scan over devices). */
  search: boolean;
  /** What the scenario asks for, in words, for the report. */
  detail: string;
  query: DeviceListQueryParams;
  /** Path and query string of the API request. */
  path: string;
  /** Devices matching the search (all devices for the page scenarios). */
  matches: number;
}

/**
 * Builds the scenarios from the seeded rows themselves (an existing IP's /24, an existing MAC's middle
 * bytes), so every search really finds something whatever the generator produced.
 */
export async function buildScenarios(db: Kysely<Schema>, size: number): Promise<Scenario[]> {
  const deep = await rowAt(
    db,
    sql<{
      created_at: string;
      id: string;
    }>`SELECT created_at, id FROM devices ORDER BY created_at DESC, id DESC OFFSET ${Math.floor(size * 0.9)} LIMIT 1`,
  );
  const ip = await rowAt(
    db,
    sql<{ ip: string }>`SELECT host(ip) AS ip FROM ip_addresses ORDER BY ip OFFSET ${Math.floor(size / 2)} LIMIT 1`,
  );
  const mac = await rowAt(
    db,
    sql<{ mac: string }>`SELECT mac::text AS mac FROM mac_addresses ORDER BY id OFFSET ${Math.floor(size / 3)} LIMIT 1`,
  );
  const ipFragment = ip.ip.split('.').slice(0, 3).join('.');
  // Bytes 3–5: the end of the vendor prefix plus the start of the NIC part, like "5e:a1:0c".
  const macFragment = mac.mac.split(':').slice(2, 5).join(':');
  const nameFragment = 'printer-3';

  const cursor = encodeCursor({ at: deep.created_at, id: deep.id });
  const scenarios: Omit<Scenario, 'matches' | 'path'>[] = [
    { name: 'first page', search: false, detail: 'newest 50', query: {} },
    { name: 'deep cursor', search: false, detail: 'page after row 90%', query: { cursor } },
    { name: 'q=ip', search: true, detail: `q=${ipFragment}`, query: { q: ipFragment } },
    { name: 'q=mac', search: true, detail: `q=${macFragment}`, query: { q: macFragment } },
    { name: 'q=name', search: true, detail: `q=${nameFragment}`, query: { q: nameFragment } },
  ];
  return Promise.all(
    scenarios.map(async (scenario) => {
      const query = { limit: PAGE_SIZE, ...scenario.query };
      const params = new URLSearchParams(
        Object.entries(query).map(([key, value]): [string, string] => [key, String(value)]),
      );
      return {
        ...scenario,
        query,
        path: `/api/v1/devices?${params.toString()}`,
        matches: await countMatches(db, query.q),
      };
    }),
  );
}

async function countMatches(db: Kysely<Schema>, q: string | undefined): Promise<number> {
  const where = q ? sql`WHERE search_text LIKE ${likeContains(q.toLowerCase())}` : sql``;
  const row = await rowAt(db, sql<{ count: number }>`SELECT count(*)::int AS count FROM devices ${where}`);
  return row.count;
}

async function rowAt<T>(db: Kysely<Schema>, query: RawBuilder<T>): Promise<T> {
  const { rows } = await query.execute(db);
  const [row] = rows;
  if (!row) throw new Error('the seeded database has no row for a scenario');
  return row;
}
