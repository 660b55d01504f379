import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig, redactDatabaseUrl } from './config.ts';
import { VARIABLES } from './variables.ts';

describe('loadConfig', () => {
  it('gives every default with an empty environment', () => {
    const config = loadConfig({});
    expect(config.httpAddr).toEqual({ host: '127.0.0.1', port: 8081 });
    expect(config.databaseUrl).toBeUndefined();
    expect(config.dataDir).toBe('./data');
    expect(config.logLevel).toBe('info');
    expect(config.discovery.maxRuntimeMs).toBe(30_000);
    expect(config.discovery.pingTimeoutMs).toBe(800);
    expect(config.discovery.snmp).toEqual({
      enabled: false,
      community: 'public',
      version: '2c',
      timeoutMs: 900,
      retries: 0,
      port: 161,
      credentials: [{ name: 'v2c', version: '2c', community: 'public' }],
      allowlist: [],
      maxRepetitions: 20,
    });
    expect(config.discovery.names).toEqual({
      dnsServers: [],
      dnsTimeoutMs: 500,
      mdnsTimeoutMs: 400,
      mdnsBrowseMs: 1500,
      netbiosTimeoutMs: 500,
    });
    expect(config.discovery.portScan.ports).toEqual([22, 80, 443]);
    expect(config.discovery.topology.allowlist).toEqual([]);
  });

  it('reads SNMP credential sets from a file, and refuses both file and inline', () => {
    const dir = mkdtempSync(join(tmpdir(), 'roller-cfg-'));
    try {
      const file = join(dir, 'snmp.yaml');
      writeFileSync(file, '- name: lab\n  version: 2c\n  community: labsecret\n');
      expect(loadConfig({ DISCOVERY_SNMP_CREDENTIALS_FILE: file }).discovery.snmp.credentials).toEqual([
        { name: 'lab', version: '2c', community: 'labsecret' },
      ]);
      expect(() =>
        loadConfig({
          DISCOVERY_SNMP_CREDENTIALS_FILE: file,
          DISCOVERY_SNMP_CREDENTIALS: '[{"version":"1","community":"x"}]',
        }),
      ).toThrow(/either DISCOVERY_SNMP_CREDENTIALS or DISCOVERY_SNMP_CREDENTIALS_FILE/);
      expect(() => loadConfig({ DISCOVERY_SNMP_CREDENTIALS_FILE: join(dir, 'missing.yaml') })).toThrow(
        /DISCOVERY_SNMP_CREDENTIALS_FILE: cannot read/,
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('treats empty and blank values as unset', () => {
    expect(loadConfig({ HTTP_ADDR: '', DISCOVERY_MAX_TARGETS: '   ' }).discovery.maxTargets).toBe(1024);
  });

  it('is frozen all the way down', () => {
    const config = loadConfig({});
    expect(Object.isFrozen(config)).toBe(true);
    expect(Object.isFrozen(config.discovery.snmp)).toBe(true);
    expect(Object.isFrozen(config.discovery.portScan.ports)).toBe(true);
  });

  it('reports every bad variable in one error', () => {
    let error: unknown;
    try {
      loadConfig({
        HTTP_ADDR: 'nope',
        LOG_LEVEL: 'loud',
        DISCOVERY_MAX_TARGETS: 'abc',
        DISCOVERY_SNMP_ENABLED: 'maybe',
        DISCOVERY_PORT_SCAN_ALLOWLIST: '10.0.0.1',
        DISCOVERY_SNMP_VERSION: '3',
        DATABASE_URL: 'mysql://x',
      });
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const problems = (error as ConfigError).problems.map((problem) => problem.variable).sort();
    expect(problems).toEqual([
      'DATABASE_URL',
      'DISCOVERY_MAX_TARGETS',
      'DISCOVERY_PORT_SCAN_ALLOWLIST',
      'DISCOVERY_SNMP_ENABLED',
      'DISCOVERY_SNMP_VERSION',
      'HTTP_ADDR',
      'LOG_LEVEL',
    ]);
    expect((error as Error).message).toMatch(
      /^invalid configuration \(7 variables\):\n {2}HTTP_ADDR: "nope" is not host:port/,
    );
  });

  it('accepts the SPEC aliases', () => {
    expect(loadConfig({ LOG_LEVEL: 'WARNING' }).logLevel).toBe('warn');
    expect(loadConfig({ DISCOVERY_SNMP_VERSION: 'v1' }).discovery.snmp.version).toBe('1');
    expect(loadConfig({ DISCOVERY_SNMP_VERSION: 'v2c' }).discovery.snmp.version).toBe('2c');
  });

  it('has a default that its own parser accepts for every variable', () => {
    for (const [name, spec] of Object.entries(VARIABLES)) {
      if (spec.default === undefined || spec.default === '') continue;
      const result = (spec.parse as (raw: string) => { ok: boolean })(spec.default);
      expect(result.ok, name).toBe(true);
    }
  });

  it('never shows a database password in logs', () => {
    expect(redactDatabaseUrl('postgres://roller:s3cret@db:5432/roller')).toBe('postgres://roller:***@db:5432/roller');
  });
});
