import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { makeTempDir, registerProcessCleanup, runRoller } from '../support/process.ts';

registerProcessCleanup();

/** Each bad value and the reason its parser gives (src/config/parsers.ts). */
const BAD = {
  HTTP_ADDR: ['nope', '"nope" is not host:port'],
  DISCOVERY_MAX_TARGETS: ['abc', '"abc" is not a base-10 integer'],
  DISCOVERY_SNMP_ENABLED: ['maybe', '"maybe" is not a boolean (use true/false, yes/no, on/off, 1/0)'],
  LOG_LEVEL: ['loud', '"loud" is not one of trace, debug, info, warn, error, fatal'],
  DATABASE_URL: ['mysql://admin:hunter2secret@db.example/roller', 'must be a postgres:// or postgresql:// URL'],
} as const;

describe('configuration errors stop start-up', () => {
  for (const command of [['core'], ['start'], ['migrate', 'up']]) {
    it(`roller ${command.join(' ')} names every bad variable in one message and creates nothing`, async () => {
      const cwd = makeTempDir('roller-config-');
      const dataDir = join(cwd, 'explicit-data');
      const env: Record<string, string> = { ROLLER_DATA_DIR: dataDir };
      for (const [name, [value]] of Object.entries(BAD)) env[name] = value;

      const result = await runRoller(command, { cwd, env });

      expect(result.code, result.process.describe()).toBe(1);
      const lines = result.stderr.split('\n').filter((line) => line !== '');
      expect(lines[0]).toBe(`roller: invalid configuration (${Object.keys(BAD).length} variables):`);
      const reported = lines.slice(1).filter((line) => line.startsWith('  '));
      expect(reported.sort()).toEqual(
        Object.entries(BAD)
          .map(([name, [, reason]]) => `  ${name}: ${reason}`)
          .sort(),
      );
      expect(lines).toHaveLength(1 + Object.keys(BAD).length);
      // The database URL is a secret: its reason must not echo it.
      expect(result.stderr).not.toContain('hunter2secret');
      expect(result.stdout).toBe('');

      expect(existsSync(dataDir), 'no data dir was created').toBe(false);
      expect(readdirSync(cwd), 'nothing was created in the working directory').toEqual([]);
    });
  }

  it('a single bad variable is reported alone, with the singular header', async () => {
    const cwd = makeTempDir('roller-config-');
    const result = await runRoller(['core'], { cwd, env: { DISCOVERY_PORT_SCAN_PORTS: '22,http,70000' } });
    expect(result.code, result.process.describe()).toBe(1);
    expect(result.stderr.trim().split('\n')).toEqual([
      'roller: invalid configuration (1 variable):',
      '  DISCOVERY_PORT_SCAN_PORTS: "http" is not a port (1-65535); "70000" is not a port (1-65535)',
    ]);
    expect(readdirSync(cwd)).toEqual([]);
  });
});
