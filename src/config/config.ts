import type { ListenAddress, Prefix } from './parsers.ts';
import { type LogLevel, VARIABLES, type VariableName } from './variables.ts';

type ValueOf<N extends VariableName> = (typeof VARIABLES)[N] extends { parse: (raw: string) => infer R }
  ? R extends { ok: true; value: infer T }
    ? T
    : never
  : never;

export interface Config {
  readonly httpAddr: ListenAddress;
  readonly logLevel: LogLevel;
  readonly databaseUrl: string | undefined;
  readonly databasePoolSize: number;
  readonly dataDir: string;
  readonly discovery: DiscoveryConfig;
}

export interface DiscoveryConfig {
  readonly defaultScope: string | undefined;
  readonly pollIntervalMs: number;
  readonly runDelayMs: number;
  readonly maxRuntimeMs: number;
  readonly worker: { readonly enabled: boolean; readonly concurrency: number; readonly staleAfterMs: number };
  readonly runRateLimit: { readonly count: number; readonly windowMs: number };
  readonly arpTablePath: string;
  readonly maxTargets: number;
  readonly pingTimeoutMs: number;
  readonly pingWorkers: number;
  readonly enrichMaxTargets: number;
  readonly enrichWorkers: number;
  readonly nameResolutionEnabled: boolean;
  readonly snmp: {
    readonly enabled: boolean;
    readonly community: string;
    readonly version: '1' | '2c';
    readonly timeoutMs: number;
    readonly retries: number;
    readonly port: number;
  };
  readonly topology: {
    readonly lldpEnabled: boolean;
    readonly cdpEnabled: boolean;
    readonly allowlist: readonly Prefix[];
  };
  readonly portScan: {
    readonly enabled: boolean;
    readonly allowlist: readonly Prefix[];
    readonly ports: readonly number[];
    readonly workers: number;
    readonly timeoutMs: number;
    readonly maxTargets: number;
  };
}

export interface ConfigProblem {
  variable: VariableName;
  reason: string;
}

/** Thrown once with every bad variable, so an operator fixes them all in one go. */
export class ConfigError extends Error {
  readonly problems: readonly ConfigProblem[];
  constructor(problems: readonly ConfigProblem[]) {
    super(
      `invalid configuration (${problems.length} variable${problems.length === 1 ? '' : 's'}):\n${problems
        .map((problem) => `  ${problem.variable}: ${problem.reason}`)
        .join('\n')}`,
    );
    this.name = 'ConfigError';
    this.problems = problems;
  }
}

/** Parses every variable once; an empty value means "use the default" (SPEC §2.1). */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const problems: ConfigProblem[] = [];
  const values = new Map<VariableName, unknown>();
  for (const [name, spec] of Object.entries(VARIABLES) as [VariableName, (typeof VARIABLES)[VariableName]][]) {
    const given = env[name];
    const raw = given === undefined || given.trim() === '' ? spec.default : given;
    if (raw === undefined) {
      values.set(name, undefined);
      continue;
    }
    const result = (spec.parse as (text: string) => { ok: boolean; value?: unknown; reason?: string })(raw);
    if (result.ok) values.set(name, result.value);
    else problems.push({ variable: name, reason: result.reason ?? 'invalid value' });
  }
  if (problems.length > 0) throw new ConfigError(problems);
  const get = <N extends VariableName>(name: N): ValueOf<N> => values.get(name) as ValueOf<N>;

  return deepFreeze({
    httpAddr: get('HTTP_ADDR'),
    logLevel: get('LOG_LEVEL'),
    databaseUrl: get('DATABASE_URL'),
    databasePoolSize: get('DATABASE_POOL_SIZE'),
    dataDir: get('ROLLER_DATA_DIR'),
    discovery: {
      defaultScope: get('DISCOVERY_DEFAULT_SCOPE'),
      pollIntervalMs: get('DISCOVERY_POLL_INTERVAL'),
      runDelayMs: get('DISCOVERY_RUN_DELAY'),
      maxRuntimeMs: get('DISCOVERY_MAX_RUNTIME'),
      worker: {
        enabled: get('DISCOVERY_WORKER_ENABLED'),
        concurrency: get('DISCOVERY_WORKER_CONCURRENCY'),
        staleAfterMs: get('DISCOVERY_WORKER_STALE_AFTER'),
      },
      runRateLimit: { count: get('DISCOVERY_RUN_RATE_LIMIT'), windowMs: get('DISCOVERY_RUN_RATE_WINDOW') },
      arpTablePath: get('DISCOVERY_ARP_TABLE_PATH'),
      maxTargets: get('DISCOVERY_MAX_TARGETS'),
      pingTimeoutMs: get('DISCOVERY_PING_TIMEOUT'),
      pingWorkers: get('DISCOVERY_PING_WORKERS'),
      enrichMaxTargets: get('DISCOVERY_ENRICH_MAX_TARGETS'),
      enrichWorkers: get('DISCOVERY_ENRICH_WORKERS'),
      nameResolutionEnabled: get('DISCOVERY_NAME_RESOLUTION_ENABLED'),
      snmp: {
        enabled: get('DISCOVERY_SNMP_ENABLED'),
        community: get('DISCOVERY_SNMP_COMMUNITY'),
        version: get('DISCOVERY_SNMP_VERSION'),
        timeoutMs: get('DISCOVERY_SNMP_TIMEOUT'),
        retries: get('DISCOVERY_SNMP_RETRIES'),
        port: get('DISCOVERY_SNMP_PORT'),
      },
      topology: {
        lldpEnabled: get('DISCOVERY_TOPOLOGY_LLDP_ENABLED'),
        cdpEnabled: get('DISCOVERY_TOPOLOGY_CDP_ENABLED'),
        allowlist: get('DISCOVERY_TOPOLOGY_ALLOWLIST'),
      },
      portScan: {
        enabled: get('DISCOVERY_PORT_SCAN_ENABLED'),
        allowlist: get('DISCOVERY_PORT_SCAN_ALLOWLIST'),
        ports: get('DISCOVERY_PORT_SCAN_PORTS'),
        workers: get('DISCOVERY_PORT_SCAN_WORKERS'),
        timeoutMs: get('DISCOVERY_PORT_SCAN_TIMEOUT'),
        maxTargets: get('DISCOVERY_PORT_SCAN_MAX_TARGETS'),
      },
    },
  });
}

function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object') {
    for (const child of Object.values(value)) deepFreeze(child);
    Object.freeze(value);
  }
  return value;
}

/** The database URL with its password masked, for log lines. */
export function redactDatabaseUrl(databaseUrl: string): string {
  try {
    const parsed = new URL(databaseUrl);
    if (parsed.password) parsed.password = '***';
    return parsed.toString();
  } catch {
    return '(unparsable url)';
  }
}
