import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/config.ts';
import { VARIABLES } from '../../src/config/variables.ts';
import { REPO_ROOT } from '../support/process.ts';
import { IN_CI } from '../support/test-env.ts';
import { DEPLOY_DIR, parseUnit, type SystemdUnit, unitList, unitValue } from './deploy-files.ts';

/**
 * The systemd units for a native install: checked by systemd's own `systemd-analyze verify` where it
 * is installed (here and in CI), and read as data for what verify cannot know (users, capabilities,
 * hardening, which roller command each unit runs).
 */

const UNIT_DIR = join(DEPLOY_DIR, 'systemd');
const unitFiles = readdirSync(UNIT_DIR).filter((name) => name.endsWith('.service') || name.endsWith('.target'));
const units = Object.fromEntries(
  unitFiles.map((name) => [name, parseUnit(readFileSync(join(UNIT_DIR, name), 'utf8'))]),
) as Record<string, SystemdUnit>;
const services = unitFiles.filter((name) => name.endsWith('.service'));
const unit = (name: string): SystemdUnit => {
  const found = units[name];
  if (!found) throw new Error(`no unit ${name}`);
  return found;
};

/** The roller command each service runs, and whether it scans (and so needs raw sockets). */
const ROLES: Record<string, { command: string; scans: boolean }> = {
  'roller.service': { command: 'start', scans: true },
  'roller-core.service': { command: 'core', scans: false },
  'roller-worker.service': { command: 'worker', scans: true },
  'roller-ui.service': { command: 'ui', scans: false },
};
const SCANNER_CAPABILITIES = ['CAP_NET_ADMIN', 'CAP_NET_RAW'];

const systemdAnalyze = spawnSync('systemd-analyze', ['--version']).status === 0;
const sysusers = spawnSync('systemd-sysusers', ['--help']).status === 0;

describe('systemd units', () => {
  it('are the all-in-one service and the three split services with their target', () => {
    expect(unitFiles.sort()).toEqual([
      'roller-core.service',
      'roller-ui.service',
      'roller-worker.service',
      'roller.service',
      'roller.target',
    ]);
  });

  it.skipIf(!systemdAnalyze && !IN_CI)('pass systemd-analyze verify without a warning', () => {
    const result = spawnSync('systemd-analyze', ['verify', ...unitFiles.map((name) => join(UNIT_DIR, name))], {
      encoding: 'utf8',
    });
    expect(result.error).toBeUndefined();
    expect(`${result.stdout}${result.stderr}`.trim()).toBe('');
    expect(result.status).toBe(0);
  });

  it('each run the roller command of their role, a real one', () => {
    const help = spawnSync(process.execPath, [join(REPO_ROOT, 'bin', 'roller.js'), '--help'], { encoding: 'utf8' });
    expect(help.status, help.stderr).toBe(0);
    for (const [name, role] of Object.entries(ROLES)) {
      expect(unitValue(unit(name), 'Service', 'ExecStart')).toBe(`node /opt/roller/bin/roller.js ${role.command}`);
      expect(help.stdout).toMatch(new RegExp(`^\\s+${role.command}\\b`, 'm'));
    }
  });

  it('run as the dedicated roller user with the shared environment file, restarting on failure', () => {
    for (const name of services) {
      const service = unit(name);
      expect(unitValue(service, 'Service', 'User'), name).toBe('roller');
      expect(unitValue(service, 'Service', 'Group'), name).toBe('roller');
      expect(service.sections.Service?.EnvironmentFile, name).toEqual(['/etc/roller/roller.env']);
      expect(unitValue(service, 'Service', 'Restart'), name).toBe('on-failure');
      expect(unitValue(service, 'Service', 'NoNewPrivileges'), name).toBe('yes');
    }
  });

  it('give raw-socket capabilities, as ambient ones, only to the units that scan', () => {
    for (const [name, role] of Object.entries(ROLES)) {
      const service = unit(name);
      const ambient = unitList(service, 'Service', 'AmbientCapabilities').sort();
      const bounding = unitList(service, 'Service', 'CapabilityBoundingSet').sort();
      if (role.scans) {
        // Under NoNewPrivileges the kernel ignores file capabilities (setcap): ambient ones are inherited.
        expect(ambient, name).toEqual(SCANNER_CAPABILITIES);
        expect(bounding, name).toEqual(SCANNER_CAPABILITIES);
        const families = unitList(service, 'Service', 'RestrictAddressFamilies');
        for (const family of ['AF_INET', 'AF_INET6', 'AF_NETLINK', 'AF_PACKET'])
          expect(families, name).toContain(family);
      } else {
        expect(ambient, name).toEqual([]);
        expect(service.sections.Service?.CapabilityBoundingSet, name).toEqual(['']);
        expect(unitList(service, 'Service', 'RestrictAddressFamilies'), name).not.toContain('AF_PACKET');
      }
    }
  });

  it('are sandboxed, without the one option that breaks V8', () => {
    for (const name of services) {
      const service = unit(name);
      expect(unitValue(service, 'Service', 'ProtectSystem'), name).toBe('strict');
      for (const option of [
        'ProtectHome',
        'PrivateTmp',
        'PrivateDevices',
        'ProtectKernelTunables',
        'RestrictSUIDSGID',
      ]) {
        expect(unitValue(service, 'Service', option), `${name} ${option}`).toBe('yes');
      }
      expect(unitValue(service, 'Service', 'SystemCallFilter'), name).toBe('@system-service');
      expect(unitValue(service, 'Service', 'MemoryDenyWriteExecute'), name).toBeUndefined();
    }
  });

  it('give a writable state directory to the processes that keep files (embedded database, users file)', () => {
    for (const name of ['roller.service', 'roller-ui.service']) {
      expect(unitValue(unit(name), 'Service', 'StateDirectory'), name).toBe('roller');
      const env = unit(name).sections.Service?.Environment ?? [];
      expect(env, name).toContain('ROLLER_DATA_DIR=/var/lib/roller');
    }
    for (const name of ['roller-core.service', 'roller-worker.service']) {
      expect(unitValue(unit(name), 'Service', 'StateDirectory'), name).toBeUndefined();
    }
  });

  it('set only variables Roller reads, and keep the worker out of core when split', () => {
    for (const name of services) {
      const env = Object.fromEntries(
        (unit(name).sections.Service?.Environment ?? []).map((pair) => pair.split('=', 2) as [string, string]),
      );
      expect(
        Object.keys(env).filter((key) => !(key in VARIABLES)),
        name,
      ).toEqual([]);
      expect(() => loadConfig(env), name).not.toThrow();
    }
    const coreEnv = unit('roller-core.service').sections.Service?.Environment ?? [];
    expect(coreEnv).toContain('DISCOVERY_WORKER_ENABLED=false');
  });

  it('offer either the one-process service or the split target, never both at once', () => {
    expect(unitList(unit('roller.target'), 'Unit', 'Wants').sort()).toEqual([
      'roller-core.service',
      'roller-ui.service',
      'roller-worker.service',
    ]);
    for (const split of ['roller-core.service', 'roller-worker.service', 'roller-ui.service']) {
      expect(unitList(unit('roller.service'), 'Unit', 'Conflicts'), split).toContain(split);
      expect(unitList(unit(split), 'Unit', 'Conflicts'), split).toContain('roller.service');
      expect(unitValue(unit(split), 'Unit', 'PartOf'), split).toBe('roller.target');
      expect(unitValue(unit(split), 'Install', 'WantedBy'), split).toBe('roller.target');
    }
    expect(unitValue(unit('roller.service'), 'Install', 'WantedBy')).toBe('multi-user.target');
    expect(unitValue(unit('roller.target'), 'Install', 'WantedBy')).toBe('multi-user.target');
  });

  it('reload the UI (users file, session secret) with SIGHUP', () => {
    for (const name of ['roller.service', 'roller-ui.service']) {
      expect(unitValue(unit(name), 'Service', 'ExecReload'), name).toBe('kill -HUP $MAINPID');
    }
  });

  it.skipIf(!sysusers && !IN_CI)('create the roller user with systemd-sysusers', () => {
    const result = spawnSync('systemd-sysusers', ['--dry-run', join(UNIT_DIR, 'roller.sysusers.conf')], {
      encoding: 'utf8',
    });
    expect(result.status, result.stderr).toBe(0);
    const output = `${result.stdout}${result.stderr}`;
    // Nothing to create when the machine already has the user (a native install).
    const exists = spawnSync('getent', ['passwd', 'roller']).status === 0;
    if (!exists) expect(output).toMatch(/Creating user '?roller'? /);
    expect(output).not.toMatch(/ignoring|fail/i);
  });
});
