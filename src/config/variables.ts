import * as p from './parsers.ts';

/**
 * Every environment variable Roller reads, in one table: the parser, the default, whether it is a
 * secret (never logged), and the sentence `.env.example` and the docs show. Adding a variable here
 * is the only way to make Roller read it.
 */
export interface VariableSpec<T> {
  parse: p.Parser<T>;
  /** Raw default, parsed by the same parser; `undefined` means "unset" (optional value). */
  default: string | undefined;
  description: string;
  secret?: boolean;
  /** Section in `.env.example` and docs. */
  group: 'core' | 'storage' | 'discovery' | 'ui';
}

const v = <T>(spec: VariableSpec<T>): VariableSpec<T> => spec;

export const LOG_LEVELS = ['trace', 'debug', 'info', 'warn', 'error', 'fatal'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

export const VARIABLES = {
  HTTP_ADDR: v({
    group: 'core',
    parse: p.listenAddress,
    default: '127.0.0.1:8081',
    description:
      'Listen address of the core API (host:port; ":8081" = all interfaces). Core is unauthenticated: keep it on loopback or a private network.',
  }),
  LOG_LEVEL: v({
    group: 'core',
    parse: p.oneOf<LogLevel>(LOG_LEVELS, { warning: 'warn', panic: 'fatal' }),
    default: 'info',
    description: 'trace, debug, info, warn (warning), error or fatal (panic).',
  }),
  NODE_ENV: v({
    group: 'core',
    parse: p.text,
    default: undefined,
    description:
      '"production" makes the UI server refuse to start without AUTH_SESSION_SECRET(_FILE) and marks session cookies Secure.',
  }),
  CORE_API_TOKEN: v({
    group: 'core',
    parse: p.secret(16),
    default: undefined,
    secret: true,
    description:
      'When set, core requires "Authorization: Bearer <token>" on everything but /healthz, /readyz and /metrics, and the UI server sends it. roller start sets a random one.',
  }),
  METRICS_TOKEN: v({
    group: 'core',
    parse: p.secret(16),
    default: undefined,
    secret: true,
    description:
      'When set, GET /metrics requires "Authorization: Bearer <token>" (configure it in the Prometheus scrape job).',
  }),
  DATABASE_URL: v({
    group: 'storage',
    parse: p.url,
    default: undefined,
    secret: true,
    description:
      'PostgreSQL URL (postgres://user:pass@host:5432/roller). Unset: the embedded database (PGlite) in ROLLER_DATA_DIR.',
  }),
  DATABASE_POOL_SIZE: v({
    group: 'storage',
    parse: p.integer({ min: 1, max: 200 }),
    default: '10',
    description: 'Maximum PostgreSQL connections per process (the embedded database always has one).',
  }),
  ROLLER_DATA_DIR: v({
    group: 'storage',
    parse: p.text,
    default: './data',
    description: 'Directory for the embedded database and other local state; one Roller process at a time.',
  }),
  DISCOVERY_DEFAULT_SCOPE: v({
    group: 'discovery',
    parse: p.scope,
    default: undefined,
    description: 'Scope used when a run request gives none: a CIDR prefix or a single IP. Unset: no default.',
  }),
  DISCOVERY_POLL_INTERVAL: v({
    group: 'discovery',
    parse: p.duration({ minMs: 1 }),
    default: '400ms',
    description: 'How often an idle worker looks for queued runs (also the backoff base).',
  }),
  DISCOVERY_RUN_DELAY: v({
    group: 'discovery',
    parse: p.duration({ minMs: 0 }),
    default: '0',
    description: 'Delay between claiming a run and executing it (a testing aid; counts against the budget).',
  }),
  DISCOVERY_MAX_RUNTIME: v({
    group: 'discovery',
    parse: p.duration({ minMs: 1 }),
    default: '30s',
    description: 'Runtime budget of one run; all stages share it.',
  }),
  DISCOVERY_WORKER_ENABLED: v({
    group: 'discovery',
    parse: p.boolean,
    default: 'true',
    description: 'Run a discovery worker inside `roller start` / `roller core` (`roller worker` runs one alone).',
  }),
  DISCOVERY_WORKER_CONCURRENCY: v({
    group: 'discovery',
    parse: p.integer({ min: 1, max: 16 }),
    default: '1',
    description: 'Runs one worker process executes at the same time.',
  }),
  DISCOVERY_WORKER_STALE_AFTER: v({
    group: 'discovery',
    parse: p.duration({ minMs: 3000 }),
    default: '15s',
    description: 'A running run whose worker has not heart-beaten for this long is failed with "worker lost".',
  }),
  DISCOVERY_RUN_RATE_LIMIT: v({
    group: 'discovery',
    parse: p.integer({ min: 1, max: 100_000 }),
    default: '10',
    description:
      'Runs the API accepts per DISCOVERY_RUN_RATE_WINDOW (per core process); more answer 429 with Retry-After.',
  }),
  DISCOVERY_RUN_RATE_WINDOW: v({
    group: 'discovery',
    parse: p.duration({ minMs: 1000 }),
    default: '1m',
    description: 'Window of DISCOVERY_RUN_RATE_LIMIT.',
  }),
  DISCOVERY_ARP_TABLE_PATH: v({
    group: 'discovery',
    parse: p.text,
    default: '/proc/net/arp',
    description: 'Kernel ARP table read by the ARP stage.',
  }),
  DISCOVERY_MAX_TARGETS: v({
    group: 'discovery',
    parse: p.integer({ min: 1, max: 1_048_576 }),
    default: '1024',
    description: 'Largest number of addresses a run scope may expand to.',
  }),
  DISCOVERY_PING_TIMEOUT: v({
    group: 'discovery',
    parse: p.duration({ minMs: 1 }),
    default: '800ms',
    description: 'Per-address ping timeout (also the preflight timeout).',
  }),
  DISCOVERY_PING_WORKERS: v({
    group: 'discovery',
    parse: p.integer({ min: 1, max: 1024 }),
    default: '16',
    description: 'Concurrent pings when fping is not usable.',
  }),
  DISCOVERY_ENRICH_MAX_TARGETS: v({
    group: 'discovery',
    parse: p.integer({ min: 1, max: 65_536 }),
    default: '64',
    description: 'Largest number of (device, IP) targets handed to enrichment per run.',
  }),
  DISCOVERY_ENRICH_WORKERS: v({
    group: 'discovery',
    parse: p.integer({ min: 1, max: 256 }),
    default: '8',
    description: 'Concurrent enrichment workers.',
  }),
  DISCOVERY_NAME_RESOLUTION_ENABLED: v({
    group: 'discovery',
    parse: p.boolean,
    default: 'true',
    description: 'Reverse DNS, mDNS and NetBIOS name hints.',
  }),
  DISCOVERY_DNS_SERVERS: v({
    group: 'discovery',
    parse: p.addressList,
    default: '',
    description: 'Resolvers for reverse DNS (comma-separated IPs, optional :port). Empty: the system resolvers.',
  }),
  DISCOVERY_DNS_TIMEOUT: v({
    group: 'discovery',
    parse: p.duration({ minMs: 1, maxMs: 30_000 }),
    default: '500ms',
    description: 'Budget of one reverse DNS lookup.',
  }),
  DISCOVERY_MDNS_TIMEOUT: v({
    group: 'discovery',
    parse: p.duration({ minMs: 1, maxMs: 30_000 }),
    default: '400ms',
    description: 'Budget of one mDNS reverse lookup.',
  }),
  DISCOVERY_MDNS_BROWSE_TIMEOUT: v({
    group: 'discovery',
    parse: p.duration({ minMs: 0, maxMs: 60_000 }),
    default: '1500ms',
    description: 'How long a run listens for DNS-SD service announcements on each local segment (0: no browse).',
  }),
  DISCOVERY_NETBIOS_TIMEOUT: v({
    group: 'discovery',
    parse: p.duration({ minMs: 1, maxMs: 30_000 }),
    default: '500ms',
    description: 'Budget of one NetBIOS node-status query.',
  }),
  DISCOVERY_SNMP_ENABLED: v({
    group: 'discovery',
    parse: p.boolean,
    default: 'false',
    description: 'SNMP system group, interfaces and VLAN enrichment.',
  }),
  DISCOVERY_SNMP_COMMUNITY: v({
    group: 'discovery',
    parse: p.text,
    default: 'public',
    secret: true,
    description: 'SNMP v1/v2c community (a secret: never logged).',
  }),
  DISCOVERY_SNMP_VERSION: v({
    group: 'discovery',
    parse: p.oneOf<'1' | '2c'>(['1', '2c'], { v1: '1', v2c: '2c', '2': '2c' }),
    default: '2c',
    description: 'SNMP version: 1 (v1) or 2c (v2c).',
  }),
  DISCOVERY_SNMP_TIMEOUT: v({
    group: 'discovery',
    parse: p.duration({ minMs: 1 }),
    default: '900ms',
    description: 'Per-request SNMP timeout.',
  }),
  DISCOVERY_SNMP_RETRIES: v({
    group: 'discovery',
    parse: p.integer({ min: 0, max: 10 }),
    default: '0',
    description: 'SNMP retries per request.',
  }),
  DISCOVERY_SNMP_PORT: v({
    group: 'discovery',
    parse: p.integer({ min: 1, max: 65535 }),
    default: '161',
    description: 'SNMP UDP port.',
  }),
  DISCOVERY_SNMP_CREDENTIALS: v({
    group: 'discovery',
    parse: p.snmpCredentials,
    default: undefined,
    secret: true,
    description:
      'SNMP credential sets tried in order, as JSON or YAML (v1, v2c and v3; see docs/snmp.md). Replaces DISCOVERY_SNMP_COMMUNITY/VERSION.',
  }),
  DISCOVERY_SNMP_CREDENTIALS_FILE: v({
    group: 'discovery',
    parse: p.text,
    default: undefined,
    description: 'File holding the credential sets (same format), so secrets stay out of the environment.',
  }),
  DISCOVERY_SNMP_ALLOWLIST: v({
    group: 'discovery',
    parse: p.cidrList,
    default: '',
    description: 'CIDR list: only targets inside it are queried over SNMP. Empty: every target of the run.',
  }),
  DISCOVERY_SNMP_MAX_REPETITIONS: v({
    group: 'discovery',
    parse: p.integer({ min: 1, max: 100 }),
    default: '20',
    description: 'Rows asked for per GETBULK request in table walks (v2c and v3).',
  }),
  DISCOVERY_TOPOLOGY_LLDP_ENABLED: v({
    group: 'discovery',
    parse: p.boolean,
    default: 'false',
    description: 'Collect LLDP neighbours (needs SNMP and the topology allowlist).',
  }),
  DISCOVERY_TOPOLOGY_CDP_ENABLED: v({
    group: 'discovery',
    parse: p.boolean,
    default: 'false',
    description: 'Collect CDP neighbours (needs SNMP and the topology allowlist).',
  }),
  DISCOVERY_TOPOLOGY_ALLOWLIST: v({
    group: 'discovery',
    parse: p.cidrList,
    default: '',
    description: 'CIDR list: only targets inside it are asked for neighbours. Empty: nobody is.',
  }),
  DISCOVERY_PORT_SCAN_ENABLED: v({
    group: 'discovery',
    parse: p.boolean,
    default: 'false',
    description: 'TCP connect scan with nmap.',
  }),
  DISCOVERY_PORT_SCAN_ALLOWLIST: v({
    group: 'discovery',
    parse: p.cidrList,
    default: '',
    description: 'CIDR list: only targets inside it are port-scanned. Empty: the scan is skipped.',
  }),
  DISCOVERY_PORT_SCAN_PORTS: v({
    group: 'discovery',
    parse: p.portList,
    default: '22,80,443',
    description: 'Ports scanned (comma-separated, 1-65535).',
  }),
  DISCOVERY_PORT_SCAN_WORKERS: v({
    group: 'discovery',
    parse: p.integer({ min: 1, max: 64 }),
    default: '4',
    description: 'Concurrent nmap processes.',
  }),
  DISCOVERY_PORT_SCAN_TIMEOUT: v({
    group: 'discovery',
    parse: p.duration({ minMs: 100 }),
    default: '3s',
    description: 'Per-target port-scan timeout (also nmap --host-timeout).',
  }),
  DISCOVERY_PORT_SCAN_MAX_TARGETS: v({
    group: 'discovery',
    parse: p.integer({ min: 1, max: 65_536 }),
    default: '24',
    description: 'Largest number of devices port-scanned per run.',
  }),
  PRESENCE_MISSED_SCANS: v({
    group: 'discovery',
    parse: p.integer({ min: 1, max: 1000 }),
    default: '2',
    description:
      'A device goes offline only after this many scans in a row that covered one of its addresses got no answer from it (and PRESENCE_GRACE has passed). Per device and per tag: /api/v1/devices/{id}/presence-settings, /api/v1/presence/tag-settings/{tag}.',
  }),
  PRESENCE_GRACE: v({
    group: 'discovery',
    parse: p.duration({ minMs: 0, maxMs: 30 * 86_400_000 }),
    default: undefined,
    description:
      'A device goes offline only once it has not been seen for this long (and missed PRESENCE_MISSED_SCANS scans). Default 10m, or DEVICE_OFFLINE_AFTER when only that is set.',
  }),
  DEVICE_OFFLINE_AFTER: v({
    group: 'discovery',
    parse: p.duration({ minMs: 1000, maxMs: 30 * 86_400_000 }),
    default: undefined,
    description:
      'Deprecated: the grace period before issue 11 (presence from missed scans). Used as PRESENCE_GRACE when that is not set.',
  }),
  DEVICE_PRESENCE_INTERVAL: v({
    group: 'discovery',
    parse: p.duration({ minMs: 1000, maxMs: 86_400_000 }),
    default: '1m',
    description:
      'How often a worker checks, between runs, whether devices with missed scans have passed their grace period (they go offline then).',
  }),
  ALERTS_ENABLED: v({
    group: 'discovery',
    parse: p.boolean,
    default: 'true',
    description:
      'Run the alert engine and the delivery loop in every worker (docs/alerts.md). Off: rules are kept but nothing is raised or sent.',
  }),
  ALERTS_INTERVAL: v({
    group: 'discovery',
    parse: p.duration({ minMs: 100, maxMs: 3_600_000 }),
    default: '5s',
    description: 'How often a worker reads new device events and failed runs for alerts, and sends due deliveries.',
  }),
  ALERTS_SETTLE: v({
    group: 'discovery',
    parse: p.duration({ minMs: 0, maxMs: 3_600_000 }),
    default: '30s',
    description:
      'Events are handled at once, but the engine cursor only passes events older than this (a slower transaction may still commit an earlier one).',
  }),
  ALERTS_BATCH_SIZE: v({
    group: 'discovery',
    parse: p.integer({ min: 1, max: 10_000 }),
    default: '500',
    description: 'Most events, failed runs and due "new device" alerts handled per engine pass.',
  }),
  ALERTS_MAX_ATTEMPTS: v({
    group: 'discovery',
    parse: p.integer({ min: 1, max: 20 }),
    default: '5',
    description: 'Send attempts per delivery before it is marked failed.',
  }),
  ALERTS_RETRY_BASE: v({
    group: 'discovery',
    parse: p.duration({ minMs: 10, maxMs: 86_400_000 }),
    default: '30s',
    description: 'Wait before the first retry of a failed delivery; doubled after each further failure.',
  }),
  ALERTS_RETRY_MAX: v({
    group: 'discovery',
    parse: p.duration({ minMs: 10, maxMs: 86_400_000 }),
    default: '1h',
    description: 'Longest wait between two attempts of one delivery.',
  }),
  ALERTS_SEND_TIMEOUT: v({
    group: 'discovery',
    parse: p.duration({ minMs: 100, maxMs: 300_000 }),
    default: '10s',
    description: 'Time limit of one send (webhook, ntfy or SMTP), connection included.',
  }),
  ALERTS_DELIVERY_CONCURRENCY: v({
    group: 'discovery',
    parse: p.integer({ min: 1, max: 64 }),
    default: '4',
    description: 'Deliveries a worker sends at the same time.',
  }),
  RETENTION_ENABLED: v({
    group: 'storage',
    parse: p.boolean,
    default: 'true',
    description: 'Prune old history automatically (once a day, by one worker, per RETENTION_SCHEDULE).',
  }),
  RETENTION_SCHEDULE: v({
    group: 'storage',
    parse: p.cron,
    default: '30 3 * * *',
    description: 'When the daily pruning runs (5-field cron, UTC).',
  }),
  RETENTION_OBSERVATIONS: v({
    group: 'storage',
    parse: p.duration({ minMs: 0 }),
    default: '90d',
    description:
      'Keep IP/MAC observations this long; the latest observation of each device and value is always kept. 0: forever.',
  }),
  RETENTION_RUN_LOGS: v({
    group: 'storage',
    parse: p.duration({ minMs: 0 }),
    default: '90d',
    description: 'Keep discovery run log lines this long. 0: forever.',
  }),
  RETENTION_RUNS: v({
    group: 'storage',
    parse: p.duration({ minMs: 0 }),
    default: '365d',
    description:
      'Keep finished discovery runs this long (the latest run of each schedule, and runs whose observations are still kept, stay). 0: forever.',
  }),
  RETENTION_EVENTS: v({
    group: 'storage',
    parse: p.duration({ minMs: 0 }),
    default: '365d',
    description: 'Keep device history events this long. 0: forever.',
  }),
  RETENTION_AUDIT: v({
    group: 'storage',
    parse: p.duration({ minMs: 0 }),
    default: '365d',
    description: 'Keep audit events this long. 0: forever.',
  }),
  RETENTION_STALE_FACTS: v({
    group: 'storage',
    parse: p.duration({ minMs: 0 }),
    default: '180d',
    description:
      'Delete discovered facts that have been stale this long (their history stays in the events). 0: forever.',
  }),
  RETENTION_ALERTS: v({
    group: 'storage',
    parse: p.duration({ minMs: 0 }),
    default: '90d',
    description:
      'Keep finished alert deliveries (with their attempts) and alerts no unfinished delivery needs this long. 0: forever.',
  }),
  UI_ADDR: v({
    group: 'ui',
    parse: p.listenAddress,
    default: '127.0.0.1:3000',
    description: 'Listen address of the UI server (host:port; ":3000" = all interfaces). Put TLS in front of it.',
  }),
  CORE_BASE_URL: v({
    group: 'ui',
    parse: p.coreAddress,
    default: undefined,
    description:
      'Where the UI server reaches core (http://host:port or unix:/path.sock). Unset: derived from HTTP_ADDR (roller start always uses its own core).',
  }),
  UI_PROXY_TIMEOUT: v({
    group: 'ui',
    parse: p.duration({ minMs: 100, maxMs: 600_000 }),
    default: '30s',
    description:
      'How long the UI server waits for core to start answering a proxied request (then 504). Streams (SSE) may run longer.',
  }),
  UI_TRUST_PROXY: v({
    group: 'ui',
    parse: p.boolean,
    default: 'false',
    description:
      'Trust X-Forwarded-For/-Proto from a reverse proxy in front of the UI (client address for login throttling, https detection). Only behind a proxy.',
  }),
  AUTH_USERS_FILE: v({
    group: 'ui',
    parse: p.text,
    default: undefined,
    description:
      'JSON users file (hashed passwords); editable with roller users and from the UI; reloaded on change and SIGHUP. Unset and no AUTH_USERS/AUTH_PASSWORD: ROLLER_DATA_DIR/users.json.',
  }),
  AUTH_USERS: v({
    group: 'ui',
    parse: p.environmentUsers,
    default: undefined,
    secret: true,
    description:
      'Users as username:password:role, comma-separated; a missing role is read-only. The password may be a scrypt$ hash (roller users hash). Read-only store.',
  }),
  AUTH_USERNAME: v({
    group: 'ui',
    parse: p.text,
    default: 'admin',
    description: 'Legacy single user, used only when AUTH_PASSWORD is set and AUTH_USERS is empty.',
  }),
  AUTH_PASSWORD: v({
    group: 'ui',
    parse: p.text,
    default: undefined,
    secret: true,
    description: 'Password (or scrypt$ hash) of the legacy single user. There is no built-in default password.',
  }),
  AUTH_ROLE: v({
    group: 'ui',
    parse: p.text,
    default: 'read-only',
    description: 'Role of the legacy single user: admin or read-only.',
  }),
  AUTH_SESSION_SECRET: v({
    group: 'ui',
    parse: p.secret(32),
    default: undefined,
    secret: true,
    description:
      'HMAC key of session cookies (32+ characters). Unset: AUTH_SESSION_SECRET_FILE, else a random one kept in ROLLER_DATA_DIR (refused in production).',
  }),
  AUTH_SESSION_SECRET_FILE: v({
    group: 'ui',
    parse: p.text,
    default: undefined,
    description:
      'File holding the session secret; re-read on SIGHUP, so replacing it and sending SIGHUP rotates the secret (ends every session).',
  }),
  AUTH_SESSION_TTL: v({
    group: 'ui',
    parse: p.duration({ minMs: 60_000, maxMs: 30 * 86_400_000 }),
    default: '24h',
    description: 'Lifetime of a session (no sliding renewal).',
  }),
  AUTH_COOKIE_SECURE: v({
    group: 'ui',
    parse: p.boolean,
    default: undefined,
    description:
      'Force the Secure flag of the session cookie on or off. Unset: on for https requests (X-Forwarded-Proto with UI_TRUST_PROXY) and in production.',
  }),
  AUTH_LOCKOUT_THRESHOLD: v({
    group: 'ui',
    parse: p.integer({ min: 3, max: 1000 }),
    default: '10',
    description:
      'Failed logins (per username, and 4x that per client address) before a temporary lockout; delays grow from the third failure.',
  }),
  AUTH_LOCKOUT_DURATION: v({
    group: 'ui',
    parse: p.duration({ minMs: 1000, maxMs: 86_400_000 }),
    default: '15m',
    description: 'How long a lockout lasts.',
  }),
} as const;

export type VariableName = keyof typeof VARIABLES;
