import type { SnmpDeviceReport, SnmpSystem } from '../../domain/enrichment.types.ts';
import { udpExchange } from '../udp-exchange.ts';
import { openWithCredentials, type SessionFactory } from './open-with-credentials.ts';
import type { SnmpCredential } from './snmp.types.ts';
import { readSnmpDevice } from './snmp-device.ts';

/** The SNMP settings enrichment passes down (configuration, never presets). */
export interface SnmpProbeConfig {
  credentials: readonly SnmpCredential[];
  port: number;
  timeoutMs: number;
  retries: number;
  maxRepetitions: number;
}

/** An agent that answered; walks reuse its session and credential until close(). */
export interface SnmpDevice {
  read(options: { lldp: boolean; cdp: boolean; signal: AbortSignal }): Promise<Omit<SnmpDeviceReport, 'credential'>>;
  close(): void;
}

export type SnmpProbe =
  | { ok: true; credential: string; system: SnmpSystem; device: SnmpDevice }
  | { ok: false; error: string };

/**
 * The enrichment stage's entry point: the system-group GET with each credential set in turn
 * (the preferred one first), then, on demand, every walk over the same session. The caller must
 * call device.close() when it is done.
 */
export async function probeSnmp(
  address: string,
  config: SnmpProbeConfig,
  preferredCredential: string | undefined,
  signal: AbortSignal,
  openSession?: SessionFactory,
): Promise<SnmpProbe> {
  // Credential attempts stop early when the port turns out to be closed (see portRefused below).
  const attempts = new AbortController();
  const stopAttempts = (): void => attempts.abort(signal.reason);
  if (signal.aborted) stopAttempts();
  else signal.addEventListener('abort', stopAttempts, { once: true });
  const refusal = new AbortController();
  const refused = portRefused(address, config.port, config.timeoutMs, refusal.signal).then((isRefused) => {
    if (isRefused) attempts.abort(new Error(NO_AGENT));
    return isRefused;
  });
  let opened: Awaited<ReturnType<typeof openWithCredentials>>;
  try {
    opened = await openWithCredentials(address, config.credentials, {
      preferred: preferredCredential ?? null,
      port: config.port,
      timeoutMs: config.timeoutMs,
      retries: config.retries,
      maxRepetitions: config.maxRepetitions,
      signal: attempts.signal,
      ...(openSession ? { openSession } : {}),
    });
  } finally {
    refusal.abort();
  }
  if (!opened.ok) {
    signal.removeEventListener('abort', stopAttempts);
    return { ok: false, error: (await refused) ? NO_AGENT : opened.error };
  }
  const { session, system, credential } = opened;
  return {
    ok: true,
    credential,
    system,
    device: {
      async read(options) {
        const walks = await readSnmpDevice(session, options);
        return { address, system, ...walks };
      },
      close: () => {
        signal.removeEventListener('abort', stopAttempts);
        session.close();
      },
    },
  };
}

const NO_AGENT = 'port unreachable: no SNMP agent';

/**
 * Whether the host answers a datagram to the SNMP port with ICMP port unreachable. net-snmp's
 * socket is not connected, so it never hears that and every credential set costs a full timeout on
 * each host without an agent; a connected socket hears it within a round trip (ECONNREFUSED). The
 * datagram is empty: an agent ignores it silently (no authentication-failure trap, unlike a
 * request with a wrong community). A host that drops it, or an agent, leaves this false.
 */
async function portRefused(address: string, port: number, timeoutMs: number, signal: AbortSignal): Promise<boolean> {
  const result = await udpExchange({
    address,
    port,
    payload: new Uint8Array(0),
    timeoutMs,
    accept: () => undefined,
    signal,
  });
  return result.status === 'refused';
}
