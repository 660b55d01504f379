// `roller doctor` as a real child process: with a PATH that lacks nmap (a fail line with its fix,
// exit 1), with every tool (versions and raw-socket probes of 127.0.0.1 only), against a real
// snmpd on loopback (right and wrong community), and with databases that are behind on
// migrations or unreachable.
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, afterEach, describe, expect, inject, it } from 'vitest';
import { ChildProcessRunner } from '../../src/discovery/exec/process-runner.ts';
import { loadMigrations } from '../../src/storage/migrator.ts';
import { type Daemon, freeUdpPort, SNMPD, startSnmpd } from '../snmp/snmp-daemons.ts';
import { dropPostgresDatabase, POSTGRES } from '../support/backends.ts';
import {
  freePort,
  makeTempDir,
  REPO_ROOT,
  type RunResult,
  registerProcessCleanup,
  runRoller,
} from '../support/process.ts';
import { databaseUrlFor, IN_CI, TEST_DATABASE_URL } from '../support/test-env.ts';

registerProcessCleanup();

/** Each doctor run probes four tools and opens a database: seconds each on a busy machine. */
const SLOW_TEST_MS = 240_000;
const MIGRATIONS = loadMigrations();
const LATEST = MIGRATIONS.at(-1)?.version ?? 0;
const NEWEST = MIGRATIONS.at(-1);
const TOOLS = ['ping', 'fping', 'arp-scan', 'nmap'] as const;
/** `<status> <check>: <detail>[ — fix: <fix>]`; a check may hold a colon (host:port), never ": ". */
const LINE = /^(ok|warn|fail) (.+?): (.+?)(?: — fix: (.+))?$/;

const host = new ChildProcessRunner();
const toolsMissing = TOOLS.filter((tool) => !host.which(tool));
const toolsReason = toolsMissing.length > 0 ? `not installed here: ${toolsMissing.join(', ')}` : undefined;

interface Line {
  status: string;
  check: string;
  detail: string;
  fix: string | undefined;
}

function parseLines(result: RunResult): Line[] {
  return result.text.map((text) => {
    const match = LINE.exec(text);
    if (!match) throw new Error(`not a doctor line: ${text}\n${result.process.describe()}`);
    return { status: match[1] as string, check: match[2] as string, detail: match[3] as string, fix: match[4] };
  });
}

function lineFor(lines: Line[], check: string): Line {
  const line = lines.find((entry) => entry.check === check);
  if (!line) throw new Error(`no "${check}" line in:\n${lines.map((entry) => entry.check).join('\n')}`);
  return line;
}

async function doctor(args: string[], env: Record<string, string | undefined>): Promise<RunResult> {
  return runRoller(['doctor', ...args], { cwd: makeTempDir('roller-doctor-cwd-'), env: { LOG_LEVEL: 'warn', ...env } });
}

/** The exit status follows the lines: 1 exactly when one of them failed; every non-ok line has a fix. */
function expectConsistent(result: RunResult, lines: Line[]): void {
  expect(result.code, result.process.describe()).toBe(lines.some((line) => line.status === 'fail') ? 1 : 0);
  for (const line of lines) if (line.status !== 'ok') expect(line.fix, `${line.check} has a fix`).toBeTruthy();
}

describe.skipIf(toolsReason !== undefined && !IN_CI)(
  `roller doctor: host and embedded database${toolsReason && !IN_CI ? ` (skipped: ${toolsReason})` : ''}`,
  () => {
    it(
      'fails on a binary missing from PATH with the fix, and warns about pending migrations',
      async () => {
        const root = makeTempDir('roller-doctor-');
        const env = { ROLLER_DATA_DIR: join(root, 'data') };
        for (const step of [['up'], ['down', '1']]) {
          const migrated = await runRoller(['migrate', ...step], { cwd: root, env: { LOG_LEVEL: 'warn', ...env } });
          expect(migrated.code, migrated.process.describe()).toBe(0);
        }
        // A PATH with every tool but nmap (and getcap, which the capability check uses).
        const bin = join(root, 'bin');
        mkdirSync(bin);
        for (const tool of ['ping', 'fping', 'arp-scan', 'getcap']) {
          const path = host.which(tool);
          if (path) symlinkSync(path, join(bin, tool));
        }
        const result = await doctor([], { ...env, PATH: bin });
        const lines = parseLines(result);
        expect(result.code, result.process.describe()).toBe(1);
        expect(lineFor(lines, 'nmap')).toEqual({
          status: 'fail',
          check: 'nmap',
          detail: 'not found on PATH (needed for port and host scans)',
          fix: 'install it: apt-get install nmap (or put its directory on PATH)',
        });
        expect(lines.some((line) => line.check === 'nmap raw packets')).toBe(false);
        expect(lineFor(lines, 'ping').status).toBe('ok');
        expect(lineFor(lines, 'database')).toMatchObject({ status: 'ok', detail: expect.stringContaining('PGlite') });
        expect(lineFor(lines, 'migrations')).toEqual({
          status: 'warn',
          check: 'migrations',
          detail: `schema version ${LATEST - 1} of ${LATEST}; pending: ${String(LATEST).padStart(3, '0')}_${NEWEST?.name}`,
          fix: 'roller migrate up (roller start also applies them when it starts)',
        });
        expectConsistent(result, lines);
        expect(existsSync(join(env.ROLLER_DATA_DIR, 'roller.lock')), 'doctor released the data dir').toBe(false);

        const json = await doctor(['--json'], { ...env, PATH: bin });
        expect(json.code, json.process.describe()).toBe(1);
        const report = JSON.parse(json.stdout) as { ok: boolean; checks: Line[] };
        expect(report.ok).toBe(false);
        expect(report.checks).toContainEqual({
          status: 'fail',
          check: 'nmap',
          detail: 'not found on PATH (needed for port and host scans)',
          fix: 'install it: apt-get install nmap (or put its directory on PATH)',
        });
      },
      SLOW_TEST_MS,
    );

    it(
      'reports every tool with its version and a loopback probe of its raw-packet permission',
      async () => {
        const root = makeTempDir('roller-doctor-');
        // No embedded database yet: a warning with the way to create one, and doctor must not create it.
        const env = { ROLLER_DATA_DIR: join(root, 'nothing-yet') };
        const result = await doctor([], env);
        const lines = parseLines(result);
        for (const tool of TOOLS) {
          expect(lineFor(lines, tool)).toMatchObject({ status: 'ok', detail: expect.stringMatching(/^\/\S+ \(.+\)$/) });
          const raw = lineFor(lines, `${tool} raw packets`);
          expect(raw.detail).toContain('127.0.0.1');
          // As root every probe must succeed; otherwise whatever it says comes with a fix.
          if (process.geteuid?.() === 0)
            expect(raw).toMatchObject({ status: 'ok', detail: expect.stringMatching(/^running as root; probe/) });
        }
        expect(lineFor(lines, 'database')).toMatchObject({
          status: 'warn',
          detail: `no embedded database in ${env.ROLLER_DATA_DIR} (ROLLER_DATA_DIR) yet`,
        });
        expect(existsSync(env.ROLLER_DATA_DIR)).toBe(false);
        expectConsistent(result, lines);
      },
      SLOW_TEST_MS,
    );
  },
);

/** Runs doctor as the unprivileged user nobody (setpriv drops every capability root had). */
function doctorAsNobody(env: Record<string, string>): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(
      'setpriv',
      [
        '--reuid=nobody',
        '--regid=nogroup',
        '--clear-groups',
        process.execPath,
        join(REPO_ROOT, 'bin', 'roller.js'),
        'doctor',
      ],
      { cwd: REPO_ROOT, env: { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: '/tmp', LOG_LEVEL: 'warn', ...env } },
    );
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      stdout += chunk;
    });
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
      stderr += chunk;
    });
    const timer = setTimeout(() => child.kill('SIGKILL'), SLOW_TEST_MS / 2);
    child.once('error', reject);
    child.once('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

const unprivilegedReason =
  toolsReason ??
  (process.geteuid?.() !== 0
    ? 'needs root to switch to the user nobody'
    : host.which('setpriv')
      ? undefined
      : 'setpriv (util-linux) not installed');
describe.skipIf(unprivilegedReason !== undefined && !IN_CI)(
  `roller doctor as an unprivileged user${unprivilegedReason && !IN_CI ? ` (skipped: ${unprivilegedReason})` : ''}`,
  () => {
    it(
      'proves the missing raw-socket permission of nmap and arp-scan with their loopback probes, each with a fix',
      async () => {
        const result = await doctorAsNobody({ ROLLER_DATA_DIR: '/nonexistent/roller-doctor' });
        const describe = `exit ${result.code}\n--- stdout ---\n${result.stdout}\n--- stderr ---\n${result.stderr}`;
        const lines = result.stdout
          .split('\n')
          .filter((text) => text !== '')
          .map((text) => {
            const match = LINE.exec(text);
            if (!match) throw new Error(`not a doctor line: ${text}\n${describe}`);
            return { status: match[1], check: match[2], detail: match[3] as string, fix: match[4] };
          });
        const nmap = lines.find((line) => line.check === 'nmap raw packets');
        expect(nmap, describe).toMatchObject({
          status: 'warn',
          detail: expect.stringMatching(/probe `nmap -sS -p 1 -n --privileged 127\.0\.0\.1` failed: .*raw socket/),
          fix: expect.stringContaining('setcap cap_net_raw'),
        });
        const arpScan = lines.find((line) => line.check === 'arp-scan raw packets');
        expect(arpScan, describe).toMatchObject({
          status: 'warn',
          detail: expect.stringMatching(/failed: .*permission/i),
          fix: expect.stringContaining('setcap'),
        });
        // ping works unprivileged only through its file capability or the ping group range: either way, said.
        const ping = lines.find((line) => line.check === 'ping raw packets');
        expect(ping?.detail, describe).toMatch(/^(file capability|unprivileged ICMP|no root)/);
        expect(result.code, describe).toBe(lines.some((line) => line.status === 'fail') ? 1 : 0);
      },
      SLOW_TEST_MS,
    );
  },
);

const snmpdReason = existsSync(SNMPD) ? undefined : `${SNMPD} not installed (apt-get install -y snmpd)`;
describe.skipIf(snmpdReason !== undefined && !IN_CI)(
  `roller doctor --snmp-target${snmpdReason && !IN_CI ? ` (skipped: ${snmpdReason})` : ''}`,
  () => {
    const AGENT = '127.0.77.31';
    let daemon: Daemon | undefined;
    afterEach(async () => {
      await daemon?.stop();
      daemon = undefined;
    });

    it(
      'asks only the named agent: ok with the right community, a fail line with the fix with a wrong one',
      async () => {
        const port = await freeUdpPort(AGENT);
        daemon = await startSnmpd(AGENT, port);
        const env = { ROLLER_DATA_DIR: join(makeTempDir('roller-doctor-snmp-'), 'none') };
        const target = `${AGENT}:${port}`;

        const answered = await doctor(['--snmp-target', target, '--community', 'public'], env);
        expect(lineFor(parseLines(answered), `snmp ${target}`)).toEqual({
          status: 'ok',
          check: `snmp ${target}`,
          detail: expect.stringMatching(/^answered SNMPv2c: sysName roller-snmpd, sysDescr /),
          fix: undefined,
        });

        const wrong = await doctor(
          ['--snmp-target', target, '--community', 'not-the-community', '--snmp-timeout', '300'],
          env,
        );
        expect(wrong.code, wrong.process.describe()).toBe(1);
        const line = lineFor(parseLines(wrong), `snmp ${target}`);
        expect(line.status).toBe('fail');
        expect(line.detail).toMatch(/^no usable answer to SNMPv2c GET of the system group: timeout/);
        expect(line.fix).toMatch(/community/);
        // The community is a secret: never echoed.
        expect(wrong.stdout + wrong.stderr).not.toContain('not-the-community');
      },
      SLOW_TEST_MS,
    );
  },
);

const postgresReason = POSTGRES.unavailable;
describe.skipIf(postgresReason !== undefined && !IN_CI)(
  `roller doctor on PostgreSQL${postgresReason && !IN_CI ? ` (skipped: ${postgresReason})` : ''}`,
  () => {
    const created: string[] = [];
    afterAll(async () => {
      for (const name of created) await dropPostgresDatabase(name);
    });

    it(
      'shows the server, pending migrations and the backup tools; an unreachable server is a fail without the password',
      async () => {
        const name = `${inject('postgresRunPrefix')}doc_${randomBytes(4).toString('hex')}`;
        const admin = new pg.Client({ connectionString: TEST_DATABASE_URL });
        await admin.connect();
        try {
          await admin.query(`CREATE DATABASE ${name}`);
        } finally {
          await admin.end();
        }
        created.push(name);
        const env = { DATABASE_URL: databaseUrlFor(name) };
        const root = makeTempDir('roller-doctor-pg-');
        for (const step of [['up'], ['down', '2']]) {
          const migrated = await runRoller(['migrate', ...step], { cwd: root, env: { LOG_LEVEL: 'warn', ...env } });
          expect(migrated.code, migrated.process.describe()).toBe(0);
        }
        const result = await doctor([], env);
        const lines = parseLines(result);
        expect(lineFor(lines, 'database')).toMatchObject({
          status: 'ok',
          detail: expect.stringMatching(/^connected to .* \(PostgreSQL \d+/),
        });
        const pending = MIGRATIONS.slice(-2).map((m) => `${String(m.version).padStart(3, '0')}_${m.name}`);
        expect(lineFor(lines, 'migrations')).toMatchObject({
          status: 'warn',
          detail: `schema version ${LATEST - 2} of ${LATEST}; pending: ${pending.join(', ')}`,
        });
        expect(lineFor(lines, 'pg_dump')).toMatchObject({
          status: 'ok',
          detail: expect.stringMatching(/^version \d+$/),
        });
        expect(lineFor(lines, 'psql').status).toBe('ok');
        expectConsistent(result, lines);

        const closed = await freePort();
        const unreachable = await doctor([], { DATABASE_URL: `postgres://roller:s3cret-pw@127.0.0.1:${closed}/none` });
        expect(unreachable.code, unreachable.process.describe()).toBe(1);
        const line = lineFor(parseLines(unreachable), 'database');
        expect(line.status).toBe('fail');
        expect(line.detail).toContain(`cannot connect to PostgreSQL at postgres://roller:***@127.0.0.1:${closed}/none`);
        expect(line.fix).toMatch(/DATABASE_URL/);
        expect(unreachable.stdout + unreachable.stderr).not.toContain('s3cret-pw');
      },
      SLOW_TEST_MS,
    );
  },
);
