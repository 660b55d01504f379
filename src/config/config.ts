import { readFileSync } from 'node:fs';
import type { SnmpCredential } from '../shared/snmp-credential.types.ts';
import { type CoreAddress, type EnvironmentUser, type ListenAddress, type Prefix, snmpCredentials } from './parsers.ts';
import { type LogLevel, VARIABLES, type VariableName } from './variables.ts';

type ValueOf<N extends VariableName> = (typeof VARIABLES)[N] extends { parse: (raw: string) => infer R }
  ? R extends { ok: true; value: infer T }
    ? T
    : never
  : never;

/** Presence from scans (issue 11): the global thresholds and how often the worker re-checks them. */
export interface PresenceConfig {
  readonly missedScans: number;
  readonly graceMs: number;
  readonly intervalMs: number;
}

const DEFAULT_PRESENCE_GRACE_MS = 600_000;

/** The alert engine and delivery loop run by workers (docs/alerts.md). */
export interface AlertsConfig {
  readonly enabled: boolean;
  readonly intervalMs: number;
  readonly settleMs: number;
  readonly batchSize: number;
  readonly maxAttempts: number;
  readonly retryBaseMs: number;
  readonly retryMaxMs: number;
  readonly sendTimeoutMs: number;
  readonly deliveryConcurrency: number;
}

/** Retention windows in ms; 0 keeps forever. */
export interface RetentionConfig {
  readonly enabled: boolean;
  readonly schedule: string;
  readonly observationsMs: number;
  readonly runLogsMs: number;
  readonly runsMs: number;
  readonly eventsMs: number;
  readonly auditMs: number;
  readonly staleFactsMs: number;
  readonly alertsMs: number;
}

/** The UI server: where it listens and how it reaches core (SPEC §9, issue 6). */
export interface UiConfig {
  readonly addr: ListenAddress;
  /** Undefined: derived from HTTP_ADDR by the command that starts the UI server. */
  readonly coreAddress: CoreAddress | undefined;
  readonly proxyTimeoutMs: number;
  readonly trustProxy: boolean;
}

/** Users, sessions and login throttling of the UI server. */
export interface AuthConfig {
  readonly usersFile: string | undefined;
  readonly environmentUsers: readonly EnvironmentUser[];
  /** AUTH_USERNAME/AUTH_PASSWORD/AUTH_ROLE, only when AUTH_PASSWORD is set. */
  readonly legacyUser: EnvironmentUser | undefined;
  readonly sessionSecret: string | undefined;
  readonly sessionSecretFile: string | undefined;
  readonly sessionTtlMs: number;
  readonly cookieSecure: boolean | undefined;
  readonly lockoutThreshold: number;
  readonly lockoutMs: number;
}

export interface Config {
  /** NODE_ENV=production: stricter defaults (a session secret is required, cookies are Secure). */
  readonly production: boolean;
  readonly coreApiToken: string | undefined;
  readonly metricsToken: string | undefined;
  readonly ui: UiConfig;
  readonly auth: AuthConfig;
  readonly httpAddr: ListenAddress;
  readonly logLevel: LogLevel;
  readonly databaseUrl: string | undefined;
  readonly databasePoolSize: number;
  readonly dataDir: string;
  readonly presence: PresenceConfig;
  readonly retention: RetentionConfig;
  readonly alerts: AlertsConfig;
  readonly discovery: DiscoveryConfig;
}

export interface DiscoveryConfig {
  readonly defaultScope: string | undefined;
  /** The same presence settings as Config.presence (the API shows them as the inherited values). */
  readonly presence: PresenceConfig;
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
  readonly names: {
    readonly dnsServers: readonly string[];
    readonly dnsTimeoutMs: number;
    readonly mdnsTimeoutMs: number;
    readonly mdnsBrowseMs: number;
    readonly netbiosTimeoutMs: number;
  };
  readonly snmp: {
    readonly enabled: boolean;
    readonly community: string;
    readonly version: '1' | '2c';
    readonly timeoutMs: number;
    readonly retries: number;
    readonly port: number;
    /** Credential sets tried in order (from DISCOVERY_SNMP_CREDENTIALS[_FILE], else community + version). */
    readonly credentials: readonly SnmpCredential[];
    readonly allowlist: readonly Prefix[];
    readonly maxRepetitions: number;
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
  const get = <N extends VariableName>(name: N): ValueOf<N> => values.get(name) as ValueOf<N>;
  const credentials = snmpCredentialSets(get, problems);
  if (get('AUTH_SESSION_SECRET') !== undefined && get('AUTH_SESSION_SECRET_FILE') !== undefined) {
    problems.push({
      variable: 'AUTH_SESSION_SECRET_FILE',
      reason: 'set either AUTH_SESSION_SECRET or AUTH_SESSION_SECRET_FILE, not both',
    });
  }
  if (problems.length > 0) throw new ConfigError(problems);

  const legacyPassword = get('AUTH_PASSWORD');
  const presence: PresenceConfig = {
    missedScans: get('PRESENCE_MISSED_SCANS'),
    graceMs: get('PRESENCE_GRACE') ?? get('DEVICE_OFFLINE_AFTER') ?? DEFAULT_PRESENCE_GRACE_MS,
    intervalMs: get('DEVICE_PRESENCE_INTERVAL'),
  };
  return deepFreeze({
    production: get('NODE_ENV') === 'production',
    coreApiToken: get('CORE_API_TOKEN'),
    metricsToken: get('METRICS_TOKEN'),
    ui: {
      addr: get('UI_ADDR'),
      coreAddress: get('CORE_BASE_URL'),
      proxyTimeoutMs: get('UI_PROXY_TIMEOUT'),
      trustProxy: get('UI_TRUST_PROXY'),
    },
    auth: {
      usersFile: get('AUTH_USERS_FILE'),
      environmentUsers: get('AUTH_USERS') ?? [],
      legacyUser:
        legacyPassword === undefined
          ? undefined
          : { username: get('AUTH_USERNAME').trim(), password: legacyPassword, role: get('AUTH_ROLE').trim() },
      sessionSecret: get('AUTH_SESSION_SECRET'),
      sessionSecretFile: get('AUTH_SESSION_SECRET_FILE'),
      sessionTtlMs: get('AUTH_SESSION_TTL'),
      cookieSecure: get('AUTH_COOKIE_SECURE'),
      lockoutThreshold: get('AUTH_LOCKOUT_THRESHOLD'),
      lockoutMs: get('AUTH_LOCKOUT_DURATION'),
    },
    httpAddr: get('HTTP_ADDR'),
    logLevel: get('LOG_LEVEL'),
    databaseUrl: get('DATABASE_URL'),
    databasePoolSize: get('DATABASE_POOL_SIZE'),
    dataDir: get('ROLLER_DATA_DIR'),
    presence,
    retention: {
      enabled: get('RETENTION_ENABLED'),
      schedule: get('RETENTION_SCHEDULE'),
      observationsMs: get('RETENTION_OBSERVATIONS'),
      runLogsMs: get('RETENTION_RUN_LOGS'),
      runsMs: get('RETENTION_RUNS'),
      eventsMs: get('RETENTION_EVENTS'),
      auditMs: get('RETENTION_AUDIT'),
      staleFactsMs: get('RETENTION_STALE_FACTS'),
      alertsMs: get('RETENTION_ALERTS'),
    },
    alerts: {
      enabled: get('ALERTS_ENABLED'),
      intervalMs: get('ALERTS_INTERVAL'),
      settleMs: get('ALERTS_SETTLE'),
      batchSize: get('ALERTS_BATCH_SIZE'),
      maxAttempts: get('ALERTS_MAX_ATTEMPTS'),
      retryBaseMs: get('ALERTS_RETRY_BASE'),
      retryMaxMs: get('ALERTS_RETRY_MAX'),
      sendTimeoutMs: get('ALERTS_SEND_TIMEOUT'),
      deliveryConcurrency: get('ALERTS_DELIVERY_CONCURRENCY'),
    },
    discovery: {
      defaultScope: get('DISCOVERY_DEFAULT_SCOPE'),
      presence,
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
      names: {
        dnsServers: get('DISCOVERY_DNS_SERVERS'),
        dnsTimeoutMs: get('DISCOVERY_DNS_TIMEOUT'),
        mdnsTimeoutMs: get('DISCOVERY_MDNS_TIMEOUT'),
        mdnsBrowseMs: get('DISCOVERY_MDNS_BROWSE_TIMEOUT'),
        netbiosTimeoutMs: get('DISCOVERY_NETBIOS_TIMEOUT'),
      },
      snmp: {
        enabled: get('DISCOVERY_SNMP_ENABLED'),
        community: get('DISCOVERY_SNMP_COMMUNITY'),
        version: get('DISCOVERY_SNMP_VERSION'),
        timeoutMs: get('DISCOVERY_SNMP_TIMEOUT'),
        retries: get('DISCOVERY_SNMP_RETRIES'),
        port: get('DISCOVERY_SNMP_PORT'),
        credentials,
        allowlist: get('DISCOVERY_SNMP_ALLOWLIST'),
        maxRepetitions: get('DISCOVERY_SNMP_MAX_REPETITIONS'),
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

/**
 * The SNMP credential sets: the inline list, else the file, else the single community credential
 * (SPEC §2.2 compatibility). Both inline and file set is a mistake worth stopping for.
 */
function snmpCredentialSets(
  get: <N extends VariableName>(name: N) => ValueOf<N>,
  problems: ConfigProblem[],
): readonly SnmpCredential[] {
  const inline = get('DISCOVERY_SNMP_CREDENTIALS');
  const file = get('DISCOVERY_SNMP_CREDENTIALS_FILE');
  if (inline !== undefined && file !== undefined) {
    problems.push({
      variable: 'DISCOVERY_SNMP_CREDENTIALS_FILE',
      reason: 'set either DISCOVERY_SNMP_CREDENTIALS or DISCOVERY_SNMP_CREDENTIALS_FILE, not both',
    });
    return [];
  }
  if (inline !== undefined) return inline;
  if (file !== undefined) {
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch (error) {
      problems.push({
        variable: 'DISCOVERY_SNMP_CREDENTIALS_FILE',
        reason: `cannot read ${file}: ${(error as Error).message}`,
      });
      return [];
    }
    const parsed = snmpCredentials(text);
    if (parsed.ok) return parsed.value;
    problems.push({ variable: 'DISCOVERY_SNMP_CREDENTIALS_FILE', reason: parsed.reason });
    return [];
  }
  const version = get('DISCOVERY_SNMP_VERSION');
  return [{ name: `v${version}`, version, community: get('DISCOVERY_SNMP_COMMUNITY') }];
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
