import {
  baseUrlFor,
  freePort,
  makeTempDir,
  type RollerProcess,
  requestJson,
  sleep,
  spawnRoller,
  waitForReady,
} from '../support/process.ts';
import { CORPUS_CREDENTIAL, type CorpusAgent } from './corpus-agents.ts';
import type { ApiDeviceView, ApiFacts, ApiNameCandidate } from './corpus-compare.ts';

/**
 * One `roller core` (the real command, embedded database in a temporary directory) and one discovery
 * run with SNMP and topology over the corpus agents, then every device with its facts and name
 * candidates read back through the API. Shared by the corpus suite and bench/snmp-corpus.ts; it
 * registers no test hooks (the caller kills the core and removes temporary directories).
 */

const RUN_LIMIT_MS = 240_000;
const RUN_POLL_MS = 250;
const FINAL = new Set(['succeeded', 'failed', 'canceled']);

export interface ApiRun {
  id: string;
  status: string;
  scope?: string;
  stats: Record<string, unknown>;
  started_at?: string;
  completed_at?: string;
  last_error?: string;
}

export interface ApiDevice {
  id: string;
  display_name?: string;
  primary_ip?: string;
}

export interface CorpusRun {
  core: RollerProcess;
  run: ApiRun;
  /** Wall-clock ms from the POST to the final status, as the client saw it. */
  clientMs: number;
  devices: (ApiDevice & ApiDeviceView)[];
}

export interface CorpusRunOptions {
  /** CIDR that holds every agent address (topology and SNMP allowlist). */
  allowlist: string;
  /** Extra variables for the core (DISCOVERY_SNMP_MAX_REPETITIONS, …). */
  env?: Record<string, string>;
}

/** The core's environment: SNMP and LLDP/CDP on, loopback-only allowlists, no name lookups. */
export function corpusCoreEnv(dataDir: string, port: number, options: CorpusRunOptions): Record<string, string> {
  if (!options.allowlist.startsWith('127.'))
    throw new Error(`corpus runs stay on 127.0.0.0/8, not ${options.allowlist}`);
  return {
    HTTP_ADDR: `127.0.0.1:${port}`,
    ROLLER_DATA_DIR: dataDir,
    LOG_LEVEL: 'warn',
    DISCOVERY_SNMP_ENABLED: 'true',
    DISCOVERY_SNMP_CREDENTIALS: JSON.stringify([CORPUS_CREDENTIAL]),
    DISCOVERY_SNMP_ALLOWLIST: options.allowlist,
    // snmpsimd is a Python agent on a shared machine: a generous per-request timeout, one retry.
    DISCOVERY_SNMP_TIMEOUT: '3s',
    DISCOVERY_SNMP_RETRIES: '1',
    DISCOVERY_TOPOLOGY_LLDP_ENABLED: 'true',
    DISCOVERY_TOPOLOGY_CDP_ENABLED: 'true',
    DISCOVERY_TOPOLOGY_ALLOWLIST: options.allowlist,
    // No DNS, mDNS or NetBIOS traffic: the agents are on loopback and nothing else is asked.
    DISCOVERY_NAME_RESOLUTION_ENABLED: 'false',
    DISCOVERY_PORT_SCAN_ENABLED: 'false',
    DISCOVERY_MAX_RUNTIME: '200s',
    ...options.env,
  };
}

/** Starts the core (bounded until /readyz), runs discovery over the agents (bounded) and reads every device. */
export async function runCorpusDiscovery(
  agents: readonly CorpusAgent[],
  options: CorpusRunOptions,
): Promise<CorpusRun> {
  const port = await freePort();
  const baseUrl = baseUrlFor(port);
  const core = spawnRoller(['core'], { env: corpusCoreEnv(makeTempDir('roller-corpus-core-'), port, options) });
  await waitForReady(core, baseUrl);
  const api = async <T>(method: string, path: string, body?: unknown, status = 200): Promise<T> => {
    const response = await requestJson<T>(baseUrl, method, path, body);
    if (response.status !== status) {
      throw new Error(`${method} ${path}: expected ${status}, got ${response.status} ${JSON.stringify(response.body)}`);
    }
    return response.body;
  };

  const posted = performance.now();
  const queued = await api<ApiRun>(
    'POST',
    '/api/v1/discovery/run',
    { scope: agents.map((agent) => `${agent.address}/32`).join(','), tags: ['snmp', 'topology'] },
    202,
  );
  const deadline = posted + RUN_LIMIT_MS;
  let run = queued;
  while (!FINAL.has(run.status)) {
    if (performance.now() > deadline) throw new Error(`run not done within ${RUN_LIMIT_MS} ms: ${JSON.stringify(run)}`);
    if (!core.running) throw new Error(`${core.describe()}\nexited while the run was ${run.status}`);
    await sleep(RUN_POLL_MS);
    run = await api<ApiRun>('GET', `/api/v1/discovery/runs/${queued.id}`);
  }
  const clientMs = performance.now() - posted;

  const devices: CorpusRun['devices'] = [];
  let cursor: string | undefined;
  for (let page = 0; page < 50; page++) {
    const query = `limit=200${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`;
    const body = await api<{ devices: ApiDevice[]; cursor?: string }>('GET', `/api/v1/devices?${query}`);
    for (const device of body.devices) {
      const [facts, candidates] = await Promise.all([
        api<ApiFacts>('GET', `/api/v1/devices/${device.id}/facts`),
        api<ApiNameCandidate[]>('GET', `/api/v1/devices/${device.id}/name-candidates`),
      ]);
      devices.push({ ...device, facts, candidates });
    }
    cursor = body.cursor;
    if (!cursor) break;
  }
  return { core, run, clientMs, devices };
}
