import { resolve } from 'node:path';
import type { Command } from 'commander';
import { sql } from 'kysely';
import { type Config, redactDatabaseUrl } from '../config/config.ts';
import { snmpErrorText } from '../discovery/snmp/snmp.types.ts';
import { openSnmpSession } from '../discovery/snmp/snmp-session.ts';
import { readSystem, SYSTEM_OIDS } from '../discovery/snmp/system.reader.ts';
import { DataDirLockedError } from '../storage/data-dir-lock.ts';
import type { Database } from '../storage/database.ts';
import { Migrator } from '../storage/migrator.ts';
import { type CheckResult, checkTools } from './doctor-host.checks.ts';
import { embeddedDatabaseExists } from './existing-database.ts';
import { openConfiguredDatabase } from './open-storage.ts';
import { toolMajorVersion } from './postgres-tools.ts';

type LoadConfig = () => Config;

interface DoctorOptions {
  json?: boolean;
  snmpTarget?: string;
  community: string;
  snmpVersion: string;
  snmpTimeout: string;
}

/** `host`, `host:port`, `[v6]` or `[v6]:port`; the port defaults to 161. */
export function parseSnmpTarget(text: string): { host: string; port: number } {
  const bracketed = /^\[([^\]]+)\](?::(\d+))?$/.exec(text);
  const plain = /^([^:\s]+)(?::(\d+))?$/.exec(text);
  const match = bracketed ?? plain;
  if (!match) {
    // A bare IPv6 address has colons of its own.
    if (/^[0-9a-f:]+$/i.test(text) && text.includes(':')) return { host: text, port: 161 };
    throw new Error(`--snmp-target must be host, host:port or [ipv6]:port, got "${text}"`);
  }
  const port = match[2] === undefined ? 161 : Number(match[2]);
  if (!Number.isInteger(port) || port < 1 || port > 65535)
    throw new Error(`the SNMP port must be 1-65535, got "${match[2]}"`);
  return { host: match[1] as string, port };
}

async function checkSnmp(options: DoctorOptions): Promise<CheckResult> {
  const { host, port } = parseSnmpTarget(options.snmpTarget as string);
  const version = options.snmpVersion;
  if (version !== '1' && version !== '2c') throw new Error(`--snmp-version must be 1 or 2c, got "${version}"`);
  const timeoutMs = Number(options.snmpTimeout);
  if (!Number.isInteger(timeoutMs) || timeoutMs < 100)
    throw new Error('--snmp-timeout must be a whole number of ms ≥ 100');
  const check = `snmp ${host}:${port}`;
  const session = openSnmpSession(
    host,
    { name: 'doctor', version, community: options.community },
    { port, timeoutMs, retries: 1 },
  );
  try {
    const system = readSystem(await session.get(SYSTEM_OIDS));
    const parts = [
      system.sysName ? `sysName ${system.sysName}` : undefined,
      system.sysDescr ? `sysDescr ${system.sysDescr.slice(0, 80)}` : undefined,
    ].filter((part) => part !== undefined);
    return {
      status: 'ok',
      check,
      detail: `answered SNMPv${version}${parts.length > 0 ? `: ${parts.join(', ')}` : ''}`,
    };
  } catch (error) {
    return {
      status: 'fail',
      check,
      detail: `no usable answer to SNMPv${version} GET of the system group: ${snmpErrorText(error)}`,
      fix:
        'check the address and UDP port, that the agent runs and allows this host, and the community ' +
        '(a wrong v2c community looks exactly like a dead agent: it never answers)',
    };
  } finally {
    session.close();
  }
}

async function openForDoctor(config: Config): Promise<{ database?: Database; result?: CheckResult }> {
  if (!config.databaseUrl) {
    const dataDir = resolve(config.dataDir);
    if (!embeddedDatabaseExists(dataDir)) {
      return {
        result: {
          status: 'warn',
          check: 'database',
          detail: `no embedded database in ${dataDir} (ROLLER_DATA_DIR) yet`,
          fix: 'roller start (or roller migrate up) creates it; if Roller already has data elsewhere, set ROLLER_DATA_DIR to it',
        },
      };
    }
  }
  try {
    const database = await openConfiguredDatabase(config);
    return { database };
  } catch (error) {
    if (error instanceof DataDirLockedError) {
      return {
        result: {
          status: 'warn',
          check: 'database',
          detail: `the embedded database in ${error.dataDir} is open in Roller pid ${error.owner.pid} on ${error.owner.host}; not inspected (one process per data directory)`,
          fix: 'nothing to do if that is your running Roller (its /readyz reports the database); stop it to let doctor check migrations',
        },
      };
    }
    const where = config.databaseUrl
      ? `PostgreSQL at ${redactDatabaseUrl(config.databaseUrl)}`
      : 'the embedded database';
    return {
      result: {
        status: 'fail',
        check: 'database',
        detail: `cannot connect to ${where}: ${(error as Error).message}`,
        fix: config.databaseUrl
          ? 'check DATABASE_URL (host, port, user, password, database), that the server runs, and that pg_hba.conf admits this host'
          : `check that ${resolve(config.dataDir)} is readable and writable by this user`,
      },
    };
  }
}

async function checkDatabase(config: Config): Promise<CheckResult[]> {
  const { database, result } = await openForDoctor(config);
  if (!database) return [result as CheckResult];
  const results: CheckResult[] = [];
  try {
    let serverMajor: number | undefined;
    if (database.kind === 'postgres') {
      const { rows } = await sql<{ version: string }>`SELECT current_setting('server_version') AS version`.execute(
        database.db,
      );
      const version = rows[0]?.version ?? 'unknown';
      serverMajor = Number.parseInt(version, 10);
      results.push({
        status: 'ok',
        check: 'database',
        detail: `connected to ${database.description} (PostgreSQL ${version})`,
      });
    } else {
      results.push({ status: 'ok', check: 'database', detail: `opened ${database.description}` });
    }
    results.push(await checkMigrations(database));
    if (database.kind === 'postgres') results.push(...(await checkBackupTools(serverMajor)));
  } finally {
    await database.close();
  }
  return results;
}

async function checkMigrations(database: Database): Promise<CheckResult> {
  const migrator = new Migrator(database);
  const state = await migrator.state();
  const latest = migrator.latestVersion;
  const check = 'migrations';
  if (state.dirty) {
    return {
      status: 'fail',
      check,
      detail: `schema version ${state.version} is dirty: a migration failed part-way`,
      fix: `find the cause in the log of the failed run, then roller migrate force ${(state.version ?? 0) - 1} (after a failed up) and roller migrate up`,
    };
  }
  const current = state.version ?? 0;
  if (current > latest) {
    return {
      status: 'fail',
      check,
      detail: `schema version ${current} is newer than this build knows (latest ${latest})`,
      fix: 'upgrade Roller to the build that wrote this database',
    };
  }
  if (current < latest) {
    const pending = migrator.migrations
      .filter((migration) => migration.version > current)
      .map((migration) => `${String(migration.version).padStart(3, '0')}_${migration.name}`);
    return {
      status: 'warn',
      check,
      detail: `schema version ${state.version ?? 'none'} of ${latest}; pending: ${pending.join(', ')}`,
      fix: 'roller migrate up (roller start also applies them when it starts)',
    };
  }
  return { status: 'ok', check, detail: `schema version ${current} (latest), nothing pending` };
}

/** roller backup/restore on PostgreSQL need pg_dump and psql no older than the server. */
async function checkBackupTools(serverMajor: number | undefined): Promise<CheckResult[]> {
  const results: CheckResult[] = [];
  for (const tool of ['pg_dump', 'psql'] as const) {
    const major = await toolMajorVersion(tool);
    const fix = `apt-get install postgresql-client-${serverMajor ?? 15} (needed by roller backup / roller restore)`;
    if (major === undefined) {
      results.push({ status: 'warn', check: tool, detail: 'not found on PATH', fix });
    } else if (serverMajor !== undefined && major < serverMajor) {
      results.push({
        status: 'warn',
        check: tool,
        detail: `version ${major} is older than the server (${serverMajor})`,
        fix,
      });
    } else {
      results.push({ status: 'ok', check: tool, detail: `version ${major}` });
    }
  }
  return results;
}

export function formatCheck(result: CheckResult): string {
  return `${result.status} ${result.check}: ${result.detail}${result.fix ? ` — fix: ${result.fix}` : ''}`;
}

/**
 * `roller doctor`: one line per check (`ok|warn|fail <check>: <detail>`, with a fix when not ok);
 * exit status 1 when any check failed.
 */
export function registerDoctorCommand(program: Command, loadConfig: LoadConfig): void {
  program
    .command('doctor')
    .description('check this host (discovery tools and their raw-packet permission), an SNMP target and the database')
    .option('--snmp-target <host[:port]>', 'also ask this SNMP agent (and only this one) for its system group')
    .option('--community <community>', 'SNMP v1/v2c community for --snmp-target', 'public')
    .option('--snmp-version <version>', '1 or 2c', '2c')
    .option('--snmp-timeout <ms>', 'per-request timeout for --snmp-target', '2000')
    .option('--json', 'print {ok, checks:[{status, check, detail, fix}]} as JSON')
    .action(async (options: DoctorOptions) => {
      const config = loadConfig();
      const results: CheckResult[] = [...(await checkTools())];
      if (options.snmpTarget !== undefined) results.push(await checkSnmp(options));
      results.push(...(await checkDatabase(config)));
      const ok = !results.some((result) => result.status === 'fail');
      if (options.json) process.stdout.write(`${JSON.stringify({ ok, checks: results })}\n`);
      else process.stdout.write(results.map((result) => `${formatCheck(result)}\n`).join(''));
      if (!ok) process.exitCode = 1;
    });
}
