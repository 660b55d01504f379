import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/config.ts';
import { VARIABLES } from '../../src/config/variables.ts';
import {
  type ComposeFile,
  type ComposeService,
  composeSchemaValidator,
  DEPLOY_DIR,
  interpolate,
  mergeCompose,
  parseDockerfile,
  readCompose,
  readYaml,
} from './deploy-files.ts';

/**
 * deploy/docker-compose.yml and its host-network override: valid against the Compose specification's
 * JSON Schema, and wired the way Roller needs (core private, migrations first, health checks on the
 * right endpoints, every variable one Roller actually reads).
 */

const BASE = 'docker-compose.yml';
const HOSTNET = 'docker-compose.hostnet.yml';
const base = readCompose(BASE);
const hostnet = readCompose(HOSTNET);
const merged = mergeCompose(base, hostnet);

/** What an operator puts in deploy/.env: the three required secrets and nothing else. */
const SECRETS = {
  POSTGRES_PASSWORD: 'db-password-0123456789',
  CORE_API_TOKEN: 'core-token-0123456789abcdef',
  AUTH_SESSION_SECRET: 'a-session-secret-that-is-long-enough-0123',
};

const ROLLER_IMAGE = base.services.core?.image;
const KNOWN_VARIABLES = new Set(Object.keys(VARIABLES));
const DISCOVERY_VARIABLES = Object.entries(VARIABLES)
  .filter(([name, spec]) => spec.group === 'discovery' || name.startsWith('RETENTION_'))
  .map(([name]) => name);

/** Services that run the Roller image (as opposed to PostgreSQL and Traefik). */
function rollerServices(file: ComposeFile): [string, ComposeService][] {
  return Object.entries(file.services).filter(([, service]) => service.image === ROLLER_IMAGE);
}

function service(file: ComposeFile, name: string): ComposeService {
  const found = file.services[name];
  if (!found) throw new Error(`no service ${name}`);
  return found;
}

/** The environment a container of the service gets once Compose has interpolated deploy/.env. */
function containerEnv(file: ComposeFile, name: string, dotEnv: Record<string, string> = SECRETS) {
  const { value, missing } = interpolate(service(file, name).environment ?? {}, dotEnv);
  const env = Object.fromEntries(Object.entries(value as Record<string, unknown>).map(([k, v]) => [k, String(v)]));
  return { env, missing };
}

function portOf(listen: string | undefined): number {
  const port = Number(/:(\d+)$/.exec(listen ?? '')?.[1]);
  if (!Number.isInteger(port)) throw new Error(`no port in ${listen}`);
  return port;
}

describe('the compose files follow the Compose specification', () => {
  const validator = composeSchemaValidator();

  // Compose validates after interpolation (`"${ROLLER_HTTP_PORT:-80}:80"` is a port mapping only then).
  it.each([BASE, HOSTNET])('%s is valid against compose-spec.json', (name) => {
    const { value, missing } = interpolate(readYaml(join(DEPLOY_DIR, name)), SECRETS);
    expect(missing).toEqual([]);
    expect(validator.validate(value)).toEqual([]);
  });

  it('the validator rejects what Compose would reject', () => {
    const broken = structuredClone(base) as unknown as { services: Record<string, Record<string, unknown>> };
    (broken.services.core as Record<string, unknown>).helthcheck = {};
    (broken.services.db as Record<string, unknown>).healthcheck = { interval: 'five seconds' };
    const errors = validator.validate(broken);
    expect(errors.join('\n')).toContain('/services/core must NOT have additional properties');
    expect(errors.join('\n')).toContain('/services/db/healthcheck/interval must match format "duration"');
  });
});

describe('the Roller services in docker-compose.yml', () => {
  it('build the image from the repository Dockerfile and run it without overriding its user', () => {
    const roller = rollerServices(base);
    expect(roller.map(([name]) => name).sort()).toEqual(['core', 'migrate', 'readiness', 'seed', 'ui']);
    for (const [name, definition] of roller) {
      const context = resolve(DEPLOY_DIR, definition.build?.context ?? '.');
      expect(existsSync(join(context, definition.build?.dockerfile ?? 'Dockerfile')), name).toBe(true);
      expect(definition.user, `${name} must keep the image's unprivileged user`).toBeUndefined();
      expect(definition.privileged, name).toBeUndefined();
      // The image's entrypoint is tini already; a second init would leave it without PID 1.
      expect(definition.init, name).toBeUndefined();
      expect(definition.read_only, name).toBe(true);
      expect(definition.tmpfs, `${name}: tsx caches compiled sources in /tmp`).toEqual(['/tmp']);
    }
  });

  it('give Roller time to finish its own 10 s shutdown before Compose kills it', () => {
    for (const [name, definition] of rollerServices(merged)) {
      const seconds = Number(/^(\d+)s$/.exec(String(definition.stop_grace_period))?.[1]);
      expect(seconds, name).toBeGreaterThan(10);
    }
  });

  it('pass only variables Roller reads', () => {
    for (const file of [base, merged]) {
      for (const [name, definition] of rollerServices(file)) {
        const unknown = Object.keys(definition.environment ?? {}).filter((key) => !KNOWN_VARIABLES.has(key));
        expect(unknown, `${name} sets variables Roller does not read`).toEqual([]);
      }
    }
  });

  it('hand every discovery and retention setting to the processes that run the worker', () => {
    for (const [file, name] of [
      [base, 'core'],
      [merged, 'scanner'],
    ] as const) {
      const missing = DISCOVERY_VARIABLES.filter((variable) => !(variable in (service(file, name).environment ?? {})));
      expect(missing, `${name} drops settings an operator may put in .env`).toEqual([]);
    }
  });

  it('give the UI every sign-in setting that needs no file mounted into the container', () => {
    const needFiles = new Set(['AUTH_USERS_FILE', 'AUTH_SESSION_SECRET_FILE']);
    const uiVariables = Object.entries(VARIABLES)
      .filter(([name, spec]) => spec.group === 'ui' && !needFiles.has(name))
      .map(([name]) => name);
    const passed = Object.keys(service(base, 'ui').environment ?? {});
    expect(uiVariables.filter((name) => !passed.includes(name))).toEqual([]);
  });

  it('refuse to start without the three secrets', () => {
    const required = new Set<string>();
    for (const [name] of rollerServices(merged)) {
      for (const problem of containerEnv(merged, name, {}).missing) required.add(problem.split(':')[0] as string);
    }
    for (const problem of containerEnv(merged, 'db', {}).missing) required.add(problem.split(':')[0] as string);
    expect([...required].sort()).toEqual(['AUTH_SESSION_SECRET', 'CORE_API_TOKEN', 'POSTGRES_PASSWORD']);
  });

  it('start with a valid configuration once the secrets are set (blank values take the defaults)', () => {
    for (const file of [base, merged]) {
      for (const [name] of rollerServices(file)) {
        const { env, missing } = containerEnv(file, name);
        expect(missing, name).toEqual([]);
        expect(() => loadConfig(env), name).not.toThrow();
      }
    }
  });

  it('reach PostgreSQL with the credentials the db service is created with', () => {
    const db = containerEnv(base, 'db').env;
    for (const [name] of rollerServices(base).filter(([, definition]) => definition.environment?.DATABASE_URL)) {
      const url = new URL(containerEnv(base, name).env.DATABASE_URL as string);
      expect(url.hostname, name).toBe('db');
      expect(url.port, name).toBe('5432');
      expect(decodeURIComponent(url.username), name).toBe(db.POSTGRES_USER);
      expect(decodeURIComponent(url.password), name).toBe(db.POSTGRES_PASSWORD);
      expect(url.pathname, name).toBe(`/${db.POSTGRES_DB}`);
    }
  });
});

describe('the database', () => {
  /** The PostgreSQL client major version each Debian release ships (what the image's pg_dump is). */
  const DEBIAN_POSTGRES_CLIENT: Record<string, number> = { bookworm: 15 };

  it('is no newer than the pg_dump in the Roller image, which `roller backup` runs', () => {
    const { args } = parseDockerfile(readFileSync(join(DEPLOY_DIR, '..', 'Dockerfile'), 'utf8'));
    const nodeImage = args.find((instruction) => instruction.args.startsWith('NODE_IMAGE='))?.args ?? '';
    const release = /-(\w+)-slim$/.exec(nodeImage)?.[1] as string;
    const serverMajor = Number(/^postgres:(\d+)/.exec(service(base, 'db').image ?? '')?.[1]);
    expect(DEBIAN_POSTGRES_CLIENT[release], `Debian release of ${nodeImage}`).toBeDefined();
    expect(serverMajor).toBe(DEBIAN_POSTGRES_CLIENT[release]);
  });
});

describe('core stays private', () => {
  it('publishes no port and is not on the proxy network', () => {
    for (const file of [base, merged]) {
      const core = service(file, 'core');
      expect(core.ports).toBeUndefined();
      expect(core.network_mode).toBeUndefined();
      const proxyNetworks = service(file, 'proxy').networks ?? [];
      expect((core.networks ?? []).filter((network) => proxyNetworks.includes(network))).toEqual([]);
    }
  });

  it('only the proxy publishes a port in the default stack', () => {
    const publishing = Object.entries(base.services)
      .filter(([, definition]) => definition.ports !== undefined || definition.network_mode === 'host')
      .map(([name]) => name);
    expect(publishing).toEqual(['proxy']);
  });

  it('is reached by the UI with the token core requires', () => {
    const core = containerEnv(base, 'core').env;
    const ui = containerEnv(base, 'ui').env;
    expect(ui.CORE_API_TOKEN).toBe(core.CORE_API_TOKEN);
    expect(ui.CORE_API_TOKEN).toBe(SECRETS.CORE_API_TOKEN);
    expect(ui.CORE_BASE_URL).toBe(`http://core:${portOf(core.HTTP_ADDR)}`);
    const uiNetworks = service(base, 'ui').networks ?? [];
    expect((service(base, 'core').networks ?? []).some((network) => uiNetworks.includes(network))).toBe(true);
  });
});

describe('the reverse proxy', () => {
  const proxy = service(base, 'proxy');
  const command = proxy.command ?? [];
  const flag = (name: string): string | undefined =>
    command.find((argument) => argument.startsWith(`--${name}=`))?.slice(name.length + 3);

  it('routes / on its published entrypoint to the UI server', () => {
    const published = (proxy.ports ?? []).map((port) => Number(port.split(':').at(-1)));
    const dynamicFile = flag('providers.file.filename');
    const mount = (proxy.volumes ?? []).find((volume) => volume.split(':')[1] === dynamicFile);
    expect(mount, `the proxy mounts ${dynamicFile}`).toBeDefined();
    const routes = readYaml(resolve(DEPLOY_DIR, (mount as string).split(':')[0] as string)) as {
      http: {
        routers: Record<string, { entryPoints: string[]; rule: string; service: string }>;
        services: Record<string, { loadBalancer: { servers: { url: string }[] } }>;
      };
    };
    const uiPort = portOf(containerEnv(base, 'ui').env.UI_ADDR);
    const rootRouters = Object.values(routes.http.routers).filter((router) => router.rule === 'PathPrefix(`/`)');
    expect(rootRouters).toHaveLength(1);
    const [router] = rootRouters as [(typeof rootRouters)[number]];
    for (const entryPoint of router.entryPoints) {
      expect(published).toContain(portOf(flag(`entrypoints.${entryPoint}.address`)));
    }
    const targets = routes.http.services[router.service]?.loadBalancer.servers.map((server) => server.url);
    expect(targets).toEqual([`http://ui:${uiPort}`]);
  });

  it('has no route to core', () => {
    const text = readFileSync(join(DEPLOY_DIR, 'traefik', 'dynamic.yml'), 'utf8');
    const servers = text.match(/url:\s*\S+/g) ?? [];
    expect(servers.filter((server) => server.includes('core'))).toEqual([]);
  });
});

describe('start-up order and profiles', () => {
  it('migrates once the database is healthy, and starts core only after the migration succeeded', () => {
    expect(service(base, 'migrate').command).toEqual(['migrate', 'up']);
    expect(service(base, 'migrate').depends_on?.db?.condition).toBe('service_healthy');
    expect(service(base, 'core').depends_on?.migrate?.condition).toBe('service_completed_successfully');
    expect(service(base, 'ui').depends_on?.core?.condition).toBe('service_healthy');
  });

  it('runs every service but the seed and the readiness check by default', () => {
    const byDefault = Object.entries(base.services)
      .filter(([, definition]) => definition.profiles === undefined)
      .map(([name]) => name)
      .sort();
    expect(byDefault).toEqual(['core', 'db', 'migrate', 'proxy', 'ui']);
  });

  it('dev: runs `roller seed` once the database is healthy and migrated', () => {
    const seed = service(base, 'seed');
    expect(seed.profiles).toEqual(['dev']);
    expect(seed.command).toEqual(['seed']);
    expect(seed.depends_on?.db?.condition).toBe('service_healthy');
    expect(seed.depends_on?.migrate?.condition).toBe('service_completed_successfully');
  });

  it('prod: checks UI /healthz through the proxy and core /readyz once both are healthy', () => {
    const readiness = service(base, 'readiness');
    expect(readiness.profiles).toEqual(['prod']);
    expect(readiness.depends_on?.core?.condition).toBe('service_healthy');
    expect(readiness.depends_on?.ui?.condition).toBe('service_healthy');
    const script = readiness.entrypoint?.[0] as string;
    const dockerfile = readFileSync(join(DEPLOY_DIR, '..', 'Dockerfile'), 'utf8');
    const copied = parseDockerfile(dockerfile)
      .stages.at(-1)
      ?.instructions.filter((instruction) => instruction.keyword === 'COPY')
      .map((instruction) => instruction.args.split(/\s+/).at(-1));
    expect(copied?.map((target) => join('/opt/roller', target as string))).toContain(script);
    const urls = (readiness.command ?? []).filter((argument) => argument.startsWith('http'));
    const corePort = portOf(containerEnv(base, 'core').env.HTTP_ADDR);
    expect(urls).toEqual(['http://proxy/healthz', `http://core:${corePort}/readyz`]);
    expect(readiness.networks?.sort()).toEqual(
      [...new Set([...(service(base, 'proxy').networks ?? []), ...(service(base, 'core').networks ?? [])])].sort(),
    );
  });
});

describe('health checks', () => {
  const probe = (name: string): string => (service(base, name).healthcheck?.test ?? []).join(' ');

  it('core is healthy when /readyz answers on its own listen port', () => {
    const port = portOf(containerEnv(base, 'core').env.HTTP_ADDR);
    expect(probe('core')).toContain(`curl -fsS -o /dev/null http://127.0.0.1:${port}/readyz`);
  });

  it('ui is healthy when /healthz answers on its own listen port', () => {
    const port = portOf(containerEnv(base, 'ui').env.UI_ADDR);
    expect(probe('ui')).toContain(`curl -fsS -o /dev/null http://127.0.0.1:${port}/healthz`);
  });

  it('db is healthy when pg_isready says so for the Roller database', () => {
    expect(probe('db')).toContain('pg_isready -U roller -d roller');
  });

  it('use the timings of SPEC §11.2', () => {
    for (const name of ['core', 'ui']) {
      expect(service(base, name).healthcheck).toMatchObject({ interval: '5s', timeout: '3s', retries: 10 });
    }
    expect(service(base, 'db').healthcheck).toMatchObject({ interval: '5s', timeout: '3s', retries: 20 });
  });
});

describe('privileges', () => {
  it('only the processes that scan get raw-socket capabilities, and none of them no-new-privileges', () => {
    for (const [file, name] of [
      [base, 'core'],
      [merged, 'scanner'],
    ] as const) {
      const scanner = service(file, name);
      expect(scanner.cap_add?.sort()).toEqual(['NET_ADMIN', 'NET_RAW']);
      // File capabilities on ping/fping/arp-scan are ignored under no-new-privileges.
      expect(scanner.security_opt ?? []).not.toContain('no-new-privileges:true');
    }
    for (const name of ['migrate', 'ui', 'seed', 'readiness']) {
      expect(service(base, name).cap_add, name).toBeUndefined();
      expect(service(base, name).cap_drop, name).toEqual(['ALL']);
      expect(service(base, name).security_opt, name).toContain('no-new-privileges:true');
    }
  });
});

describe('the host-network override', () => {
  it('moves only the discovery worker onto the host network, listening on nothing', () => {
    const hostServices = Object.entries(merged.services)
      .filter(([, definition]) => definition.network_mode === 'host')
      .map(([name]) => name);
    expect(hostServices).toEqual(['scanner']);
    const scanner = service(merged, 'scanner');
    expect(scanner.command).toEqual(['worker']);
    expect(scanner.image).toBe(ROLLER_IMAGE);
    expect(scanner.ports).toBeUndefined();
    expect(scanner.depends_on?.migrate?.condition).toBe('service_completed_successfully');
  });

  it('stops core from running a second worker', () => {
    expect(containerEnv(merged, 'core').env.DISCOVERY_WORKER_ENABLED).toBe('false');
    expect(loadConfig(containerEnv(merged, 'core').env).discovery.worker.enabled).toBe(false);
  });

  it('publishes PostgreSQL on the host loopback only, where the scanner connects', () => {
    const dbPorts = interpolate(service(merged, 'db').ports ?? [], SECRETS).value as string[];
    expect(dbPorts).toHaveLength(1);
    const [hostIp, hostPort, containerPort] = (dbPorts[0] as string).split(':');
    expect(hostIp).toBe('127.0.0.1');
    expect(containerPort).toBe('5432');
    const url = new URL(containerEnv(merged, 'scanner').env.DATABASE_URL as string);
    expect(url.hostname).toBe('127.0.0.1');
    expect(url.port).toBe(hostPort);
  });

  it('hands the scanner the same settings as core in the default stack', () => {
    const coreSettings = Object.keys(service(base, 'core').environment ?? {}).filter(
      (name) => name.startsWith('DISCOVERY_') || name.startsWith('DEVICE_') || name.startsWith('RETENTION_'),
    );
    const scannerSettings = Object.keys(service(merged, 'scanner').environment ?? {}).filter(
      (name) => name.startsWith('DISCOVERY_') || name.startsWith('DEVICE_') || name.startsWith('RETENTION_'),
    );
    expect(scannerSettings.sort()).toEqual(coreSettings.sort());
  });
});
