import { spawn } from 'node:child_process';
import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';
import { Readable, Transform, type TransformCallback } from 'node:stream';
import { pipeline } from 'node:stream/promises';

/**
 * pg_dump and psql for `roller backup` / `roller restore` on PostgreSQL. The password never goes on
 * a command line (other local users can read those): it travels in PGPASSWORD, and the tools get
 * the URL without it.
 */

interface ToolConnection {
  /** The connection URL without its password. */
  dbname: string;
  env: NodeJS.ProcessEnv;
}

function toolConnection(databaseUrl: string, applicationName: string): ToolConnection {
  const url = new URL(databaseUrl);
  const password = decodeURIComponent(url.password);
  url.password = '';
  const env: NodeJS.ProcessEnv = { ...process.env, PGAPPNAME: applicationName };
  if (password !== '') env.PGPASSWORD = password;
  // The tools must not pick up a PGDATABASE/PGHOST meant for something else over the URL: the URL wins anyway.
  return { dbname: url.toString(), env };
}

const INSTALL_HINT =
  "install the PostgreSQL client tools of the server's major version or newer (Debian: apt-get install postgresql-client-15)";

interface ToolResult {
  code: number | null;
  stderr: string;
}

function runTool(
  command: string,
  args: readonly string[],
  env: NodeJS.ProcessEnv,
  input?: Readable,
): Promise<ToolResult> {
  return new Promise((resolveRun, reject) => {
    const child = spawn(command, args, { env, stdio: [input ? 'pipe' : 'ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr?.setEncoding('utf8').on('data', (chunk: string) => {
      // Enough to show the first errors; a failing restore may repeat itself for a long time.
      if (stderr.length < 64 * 1024) stderr += chunk;
    });
    child.once('error', (error: NodeJS.ErrnoException) => {
      reject(
        error.code === 'ENOENT'
          ? new Error(`${command} was not found on PATH: ${INSTALL_HINT}`)
          : new Error(`cannot run ${command}: ${error.message}`),
      );
    });
    if (input && child.stdin) {
      // psql stops reading at its first error (ON_ERROR_STOP): that is not our failure to report.
      child.stdin.on('error', () => undefined);
      pipeline(input, child.stdin).catch(() => undefined);
    }
    child.once('close', (code) => resolveRun({ code, stderr: stderr.trim() }));
  });
}

/**
 * A plain-format dump of the whole database into `file`. Plain SQL (not the custom format) because
 * psql can replay it in one transaction, an operator can read or replay it by hand, and it loads
 * into any newer PostgreSQL. pg_dump reads from one snapshot, so Roller may keep running meanwhile.
 */
export async function pgDump(databaseUrl: string, file: string): Promise<void> {
  const connection = toolConnection(databaseUrl, 'roller-backup');
  const result = await runTool(
    'pg_dump',
    ['--format=plain', '--no-owner', '--no-privileges', `--file=${file}`, `--dbname=${connection.dbname}`],
    connection.env,
  );
  if (result.code !== 0) throw new Error(`pg_dump failed (exit ${result.code}): ${result.stderr || 'no message'}`);
}

/**
 * Drops every table, view and sequence of the public schema that no extension owns, so the dump
 * can recreate them; it runs inside the restore's one transaction, so a failure later puts them back.
 */
export const CLEAR_PUBLIC_SCHEMA = `
SET lock_timeout = '10s';
DO $roller_restore$
DECLARE object record;
BEGIN
  FOR object IN
    SELECT c.relname, c.relkind FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
     WHERE n.nspname = 'public' AND c.relkind IN ('r', 'p', 'v', 'm', 'S')
       AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.objid = c.oid AND d.deptype IN ('e', 'a', 'i'))
     ORDER BY c.relkind IN ('v', 'm') DESC
  LOOP
    EXECUTE format('DROP %s IF EXISTS public.%I CASCADE',
      CASE object.relkind WHEN 'v' THEN 'VIEW' WHEN 'm' THEN 'MATERIALIZED VIEW' WHEN 'S' THEN 'SEQUENCE' ELSE 'TABLE' END,
      object.relname);
  END LOOP;
END
$roller_restore$;
`;

/**
 * Lines of the dump that would fail for a role that does not own the extension (pg_dump always
 * writes the comment of an extension, and only its owner may set it).
 */
function dropExtensionComments(): Transform {
  let pending = '';
  const keep = (line: string): boolean => !line.startsWith('COMMENT ON EXTENSION ');
  return new Transform({
    transform(chunk: Buffer, _encoding, callback: TransformCallback) {
      const lines = (pending + chunk.toString('utf8')).split('\n');
      pending = lines.pop() ?? '';
      callback(
        null,
        lines
          .filter(keep)
          .map((line) => `${line}\n`)
          .join(''),
      );
    },
    flush(callback: TransformCallback) {
      callback(null, pending !== '' && keep(pending) ? pending : '');
    },
  });
}

/**
 * Replays the dump with psql in a single transaction that stops at the first error, after
 * `preamble`: the database is either fully restored or exactly as it was.
 */
export async function psqlRestore(databaseUrl: string, preamble: string, dump: Readable): Promise<void> {
  const connection = toolConnection(databaseUrl, 'roller-restore');
  async function* script(): AsyncGenerator<Buffer> {
    yield Buffer.from(preamble);
    for await (const chunk of dump.pipe(dropExtensionComments())) yield chunk as Buffer;
  }
  const result = await runTool(
    'psql',
    [
      '--no-psqlrc',
      '--quiet',
      '--single-transaction',
      '--set=ON_ERROR_STOP=1',
      `--dbname=${connection.dbname}`,
      '--file=-',
    ],
    connection.env,
    Readable.from(script()),
  );
  if (result.code !== 0) {
    throw new Error(
      `psql failed (exit ${result.code}); the transaction was rolled back and the database is unchanged: ${result.stderr || 'no message'}`,
    );
  }
}

/**
 * The schema version recorded in a plain dump (the row of schema_migrations), read by streaming
 * the script: undefined when the dump has no such row.
 */
export async function schemaVersionInDump(
  file: string,
  start = 0,
): Promise<{ version: number; dirty: boolean } | undefined> {
  const lines = createInterface({ input: createReadStream(file, { start }), crlfDelay: Number.POSITIVE_INFINITY });
  let inCopy = false;
  try {
    for await (const line of lines) {
      if (inCopy) {
        const match = /^(\d+)\t([tf])$/.exec(line);
        return match ? { version: Number(match[1]), dirty: match[2] === 't' } : undefined;
      }
      if (line.startsWith('COPY public.schema_migrations (version, dirty) FROM stdin;')) inCopy = true;
    }
    return undefined;
  } finally {
    lines.close();
  }
}

/** `pg_dump --version` / `psql --version`: the major version, or undefined when the tool is missing. */
export async function toolMajorVersion(command: 'pg_dump' | 'psql'): Promise<number | undefined> {
  return new Promise((resolveVersion) => {
    const child = spawn(command, ['--version'], { stdio: ['ignore', 'pipe', 'ignore'] });
    let out = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      out += chunk;
    });
    child.once('error', () => resolveVersion(undefined));
    child.once('close', () => {
      const match = /\(PostgreSQL\) (\d+)/.exec(out);
      resolveVersion(match ? Number(match[1]) : undefined);
    });
  });
}
