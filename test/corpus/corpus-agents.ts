import { spawnSync } from 'node:child_process';
import { chmodSync, copyFileSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { SnmpCredential } from '../../src/discovery/snmp/snmp.types.ts';
import { openSnmpSession } from '../../src/discovery/snmp/snmp-session.ts';
import { Daemon } from '../snmp/snmp-daemons.ts';
import { sleep } from '../support/timing.ts';
import { corpusDir } from './corpus-location.ts';

export { corpusDir, corpusMissing, listRecordings } from './corpus-location.ts';

/**
 * The shared SNMP corpus (recordings of real devices, see its README) served by snmpsimd, one agent
 * per recording on its own loopback address, port 161. Used by the corpus suite and by
 * bench/snmp-corpus.ts; no test-runner import. The recordings are read in place and copied only into
 * temporary data directories, never into the repository.
 */

/** Why snmpsimd cannot serve the corpus here, or null. */
export function snmpsimMissing(): string | null {
  if (process.getuid?.() !== 0) return 'needs root (snmpsimd binds port 161, then drops to nobody:nogroup)';
  if (spawnSync('snmpsimd', ['--version'], { stdio: 'ignore' }).error)
    return 'snmpsimd not installed (apt-get install -y snmpsim)';
  for (const [database, name] of [
    ['passwd', 'nobody'],
    ['group', 'nogroup'],
  ] as const) {
    if (spawnSync('getent', [database, name], { stdio: 'ignore' }).status !== 0) {
      return `${database === 'passwd' ? 'user' : 'group'} ${name} missing (snmpsimd runs as nobody:nogroup)`;
    }
  }
  return null;
}

/** Every agent answers to this community: the data file is `<community>.snmprec`. */
export const CORPUS_COMMUNITY = 'public';
export const CORPUS_CREDENTIAL: SnmpCredential = { name: 'corpus-v2c', version: '2c', community: CORPUS_COMMUNITY };
export const SNMP_PORT = 161;

const READY_LIMIT_MS = 60_000;
const READY_POLL_MS = 200;

export interface CorpusAgent {
  recording: string;
  address: string;
  daemon: Daemon;
  /** Data and cache directories (removed by stop). */
  workDir: string;
}

/** Work directories of agents not stopped yet: removed even when the process dies without cleanup. */
const liveWorkDirs = new Set<string>();
process.once('exit', () => {
  // snmp-daemons.ts registered its exit handler first, so the agents are already killed.
  for (const dir of liveWorkDirs) rmSync(dir, { recursive: true, force: true });
});

/** Only loopback addresses: the corpus agents never listen anywhere else. */
function assertLoopback(address: string): void {
  if (!/^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(address))
    throw new Error(`corpus agents bind 127.0.0.0/8 only, not ${address}`);
}

/**
 * snmpsimd serving one recording on `address`:161: the file copied alone into a temporary data
 * directory as `public.snmprec`, a writable cache directory, privileges dropped to nobody:nogroup.
 * Waits (bounded) until the agent answers a GET; on failure the daemon is stopped before throwing.
 */
export async function startCorpusAgent(recording: string, address: string, dir = corpusDir()): Promise<CorpusAgent> {
  assertLoopback(address);
  const workDir = mkdtempSync(join(tmpdir(), 'roller-corpus-'));
  liveWorkDirs.add(workDir);
  let daemon: Daemon | undefined;
  try {
    const data = join(workDir, 'data');
    const cache = join(workDir, 'cache');
    mkdirSync(data);
    mkdirSync(cache);
    // snmpsimd runs as nobody:nogroup: it must read the data and write its index cache.
    chmodSync(workDir, 0o755);
    chmodSync(data, 0o755);
    chmodSync(cache, 0o777);
    const file = join(data, `${CORPUS_COMMUNITY}.snmprec`);
    copyFileSync(join(dir, `${recording}.snmprec`), file);
    chmodSync(file, 0o644);
    daemon = new Daemon(
      `snmpsimd ${recording} on ${address}`,
      'snmpsimd',
      [
        `--data-dir=${data}`,
        `--cache-dir=${cache}`,
        `--agent-udpv4-endpoint=${address}:${SNMP_PORT}`,
        '--process-user=nobody',
        '--process-group=nogroup',
        '--logging-method=null',
      ],
      { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: workDir },
      workDir,
    );
    await waitUntilServing(daemon, address);
    return { recording, address, daemon, workDir };
  } catch (error) {
    if (daemon) await daemon.stop();
    rmSync(workDir, { recursive: true, force: true });
    liveWorkDirs.delete(workDir);
    throw error;
  }
}

/** Polls (bounded) with a sysDescr GET until the agent answers. */
async function waitUntilServing(daemon: Daemon, address: string): Promise<void> {
  const deadline = performance.now() + READY_LIMIT_MS;
  while (performance.now() < deadline) {
    if (!daemon.alive) throw new Error(`${daemon.name} exited before answering\n${daemon.describe()}`);
    const session = openSnmpSession(address, CORPUS_CREDENTIAL, { port: SNMP_PORT, timeoutMs: 500, retries: 0 });
    try {
      await session.get(['1.3.6.1.2.1.1.1.0']);
      return;
    } catch {
      await sleep(READY_POLL_MS);
    } finally {
      session.close();
    }
  }
  throw new Error(`${daemon.name} did not answer within ${READY_LIMIT_MS} ms\n${daemon.describe()}`);
}

/**
 * One agent per recording, `addresses[i]` serving `recordings[i]`, started one after another (each
 * indexes its file on start, which is CPU-bound). If one fails, the ones already started are stopped.
 */
export async function startCorpusAgents(
  recordings: readonly string[],
  addresses: readonly string[],
  dir = corpusDir(),
): Promise<CorpusAgent[]> {
  if (addresses.length < recordings.length) throw new Error('fewer addresses than recordings');
  const agents: CorpusAgent[] = [];
  try {
    for (const [index, recording] of recordings.entries()) {
      agents.push(await startCorpusAgent(recording, addresses[index] as string, dir));
    }
    return agents;
  } catch (error) {
    await stopCorpusAgents(agents);
    throw error;
  }
}

/** Stops every agent (bounded per agent) and removes its work directory. */
export async function stopCorpusAgents(agents: readonly CorpusAgent[]): Promise<void> {
  await Promise.all(
    agents.map(async (agent) => {
      await agent.daemon.stop();
      liveWorkDirs.delete(agent.workDir);
    }),
  );
}
