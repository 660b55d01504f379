import { type Kysely, sql } from 'kysely';

/**
 * Tables and their rows, read generically from the catalogue so that a table a later migration
 * adds is covered without touching this file. Only ordinary tables of the public schema that no
 * extension owns count (Roller's schema lives in public).
 */
// biome-ignore lint/suspicious/noExplicitAny: catalogue queries run on any schema
type AnyDb = Kysely<any>;

export async function listTables(db: AnyDb): Promise<string[]> {
  const { rows } = await sql<{ name: string }>`
    SELECT c.relname AS name FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
     WHERE n.nspname = 'public' AND c.relkind IN ('r', 'p')
       AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.objid = c.oid AND d.deptype = 'e')
     ORDER BY c.relname`.execute(db);
  return rows.map((row) => row.name);
}

export async function rowCounts(db: AnyDb): Promise<Record<string, number>> {
  const counts: Record<string, number> = {};
  for (const table of await listTables(db)) {
    const { rows } = await sql<{ count: string | number }>`SELECT count(*) AS count FROM ${sql.table(table)}`.execute(
      db,
    );
    counts[table] = Number(rows[0]?.count ?? 0);
  }
  return counts;
}

/** Tables whose rows are bookkeeping, not data: a database holding only these is empty. */
const BOOKKEEPING = new Set(['schema_migrations']);

/** Rows of data in a row count map (bookkeeping tables left out). */
export function dataRowTotal(counts: Record<string, number>): number {
  return Object.entries(counts)
    .filter(([table]) => !BOOKKEEPING.has(table))
    .reduce((sum, [, count]) => sum + count, 0);
}

/** The tables (other than bookkeeping) that hold at least one row. */
export async function tablesWithData(db: AnyDb): Promise<string[]> {
  const found: string[] = [];
  for (const table of await listTables(db)) {
    if (BOOKKEEPING.has(table)) continue;
    const { rows } = await sql`SELECT 1 FROM ${sql.table(table)} LIMIT 1`.execute(db);
    if (rows.length > 0) found.push(table);
  }
  return found;
}

/**
 * Every row of every table as canonical JSON text, sorted: two databases hold the same data
 * exactly when these are equal (used to prove a backup round trip).
 */
export async function tableContents(db: AnyDb): Promise<Record<string, string[]>> {
  const contents: Record<string, string[]> = {};
  for (const table of await listTables(db)) {
    const { rows } = await sql<{ row: string }>`
      SELECT to_jsonb(t)::text AS row FROM ${sql.table(table)} t ORDER BY 1`.execute(db);
    contents[table] = rows.map((row) => row.row);
  }
  return contents;
}
