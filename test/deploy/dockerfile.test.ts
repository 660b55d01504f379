import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/config.ts';
import { REPO_ROOT } from '../support/process.ts';
import { type DockerInstruction, type DockerStage, parseDockerfile } from './deploy-files.ts';

/**
 * The Dockerfile, read as data (no container engine runs here): stages, user, capabilities of the
 * scanners, and that every file it copies exists and is not excluded by .dockerignore.
 */

const { stages } = parseDockerfile(readFileSync(join(REPO_ROOT, 'Dockerfile'), 'utf8'));
const runtime = stages.at(-1) as DockerStage;
const of = (stage: DockerStage, keyword: string): DockerInstruction[] =>
  stage.instructions.filter((instruction) => instruction.keyword === keyword);
const runText = of(runtime, 'RUN')
  .map((instruction) => instruction.args)
  .join('\n');

/** The scanners, their Debian package and where that package installs them. */
const SCANNERS = [
  { pkg: 'iputils-ping', path: '/bin/ping' },
  { pkg: 'fping', path: '/usr/bin/fping' },
  { pkg: 'arp-scan', path: '/usr/sbin/arp-scan' },
  { pkg: 'nmap', path: '/usr/bin/nmap' },
];

/** `COPY [--from=x] [--chmod=y] src… dest` as its parts. */
function copyParts(instruction: DockerInstruction): { from?: string; sources: string[]; target: string } {
  const words = instruction.args.split(/\s+/);
  const flags = words.filter((word) => word.startsWith('--'));
  const paths = words.filter((word) => !word.startsWith('--'));
  const from = flags.find((flag) => flag.startsWith('--from='))?.slice('--from='.length);
  return { ...(from ? { from } : {}), sources: paths.slice(0, -1), target: paths.at(-1) as string };
}

describe('the Dockerfile', () => {
  it('is multi-stage: dependencies and the web build stay out of the runtime stage', () => {
    expect(stages.length).toBeGreaterThanOrEqual(3);
    const names = stages.map((stage) => stage.name);
    expect(new Set(names).size).toBe(names.length);
    const fromStages = of(runtime, 'COPY')
      .map(copyParts)
      .filter((copy) => copy.from !== undefined);
    expect(fromStages.map((copy) => copy.from).sort()).toEqual(['deps', 'web']);
    for (const copy of fromStages) expect(names).toContain(copy.from);
    expect(fromStages.find((copy) => copy.from === 'web')?.sources).toEqual(['/opt/roller/dist/web']);
    // The runtime stage starts from a clean base, not from the stage that holds the build.
    expect(names).not.toContain(runtime.base);
  });

  it('installs production dependencies only, from the lock file', () => {
    const deps = stages.find((stage) => stage.name === 'deps') as DockerStage;
    expect(of(deps, 'RUN').map((instruction) => instruction.args)).toContainEqual(
      expect.stringContaining('npm ci --omit=dev'),
    );
    expect(of(deps, 'COPY').map((instruction) => instruction.args)).toContain('package.json package-lock.json ./');
  });

  it('runs as a dedicated unprivileged user created in the image', () => {
    const users = of(runtime, 'USER');
    expect(users).toHaveLength(1);
    const user = (users[0] as DockerInstruction).args;
    const [uid, gid] = user.split(':');
    expect(uid).toMatch(/^\d+$/);
    expect(Number(uid)).toBeGreaterThan(0);
    expect(['root', '0']).not.toContain(uid);
    expect(runText).toContain(`useradd --system --uid ${uid} `);
    expect(runText).toContain(`groupadd --system --gid ${gid} `);
    // Nothing after USER switches back.
    const userIndex = runtime.instructions.indexOf(users[0] as DockerInstruction);
    expect(runtime.instructions.slice(userIndex).filter((instruction) => instruction.keyword === 'RUN')).toEqual([]);
  });

  it('installs the scanners and gives them raw-socket file capabilities', () => {
    const install = /apt-get install[^&]*/.exec(runText)?.[0] ?? '';
    for (const scanner of SCANNERS) {
      expect(install.split(/\s+/), scanner.pkg).toContain(scanner.pkg);
      expect(runText, scanner.path).toContain(`setcap cap_net_raw,cap_net_admin+eip ${scanner.path}`);
    }
  });

  it('installs what the health checks and `roller backup` / `restore` run', () => {
    const install = (/apt-get install[^&]*/.exec(runText)?.[0] ?? '').split(/\s+/);
    for (const pkg of ['curl', 'tini', 'postgresql-client']) expect(install).toContain(pkg);
  });

  it('puts setcap on the paths where Debian installs the scanners', () => {
    const dpkg = spawnSync('dpkg-query', ['--version']).status === 0;
    const checked = SCANNERS.filter((scanner) => {
      if (!dpkg) return false;
      const files = spawnSync('dpkg-query', ['-L', scanner.pkg], { encoding: 'utf8' });
      if (files.status !== 0) return false;
      expect(files.stdout.split('\n'), scanner.pkg).toContain(scanner.path);
      return true;
    });
    // On Debian (here and in CI) the discovery tools are installed, so at least those are checked.
    if (dpkg) expect(checked.length).toBeGreaterThan(0);
  });

  it('starts Roller through tini with the roller command, and copies everything it needs', () => {
    const entrypoint = JSON.parse((of(runtime, 'ENTRYPOINT')[0] as DockerInstruction).args) as string[];
    expect(entrypoint).toEqual(['tini', '--', 'node', '/opt/roller/bin/roller.js']);
    expect(JSON.parse((of(runtime, 'CMD')[0] as DockerInstruction).args)).toEqual(['start']);
    const workdir = (of(runtime, 'WORKDIR')[0] as DockerInstruction).args;
    const copied = of(runtime, 'COPY')
      .map(copyParts)
      .map((copy) => join(workdir, copy.target));
    for (const needed of ['bin', 'src', 'node_modules', 'dist/web', 'package.json']) {
      expect(
        copied.some((target) => join(workdir, needed).startsWith(target.replace(/\/$/, ''))),
        needed,
      ).toBe(true);
    }
  });

  it('copies only files that exist in the repository and are not excluded from the build context', () => {
    const ignored = readFileSync(join(REPO_ROOT, '.dockerignore'), 'utf8')
      .split('\n')
      .map((line) => line.trim())
      .filter((line) => line !== '' && !line.startsWith('#') && !line.startsWith('!'));
    for (const stage of stages) {
      for (const copy of of(stage, 'COPY').map(copyParts)) {
        if (copy.from) continue;
        for (const source of copy.sources) {
          const path = source.replace(/\/$/, '');
          expect(existsSync(join(REPO_ROOT, path)), source).toBe(true);
          expect(ignored, `${source} is excluded by .dockerignore`).not.toContain(path);
        }
      }
    }
  });

  it('keeps secrets and local state out of the build context', () => {
    const ignored = readFileSync(join(REPO_ROOT, '.dockerignore'), 'utf8').split('\n');
    for (const entry of ['.env', '.git', 'node_modules', 'data', 'deploy/.env']) expect(ignored).toContain(entry);
  });

  it('sets only environment variables Roller reads, with valid values and no secrets', () => {
    const env: Record<string, string> = {};
    for (const instruction of of(runtime, 'ENV')) {
      for (const match of instruction.args.matchAll(/([A-Z_][A-Z0-9_]*)=(\S+)/g)) {
        env[match[1] as string] = match[2] as string;
      }
    }
    expect(Object.keys(env).sort()).toEqual(['NODE_ENV', 'ROLLER_DATA_DIR', 'UI_ADDR']);
    const config = loadConfig(env);
    expect(config.production).toBe(true);
    expect(Object.keys(env).filter((name) => /TOKEN|SECRET|PASSWORD/.test(name))).toEqual([]);
  });
});
