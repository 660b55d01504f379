import type { SnmpDeviceReport, SnmpSystem } from '../../domain/enrichment.types.ts';
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
  const opened = await openWithCredentials(address, config.credentials, {
    preferred: preferredCredential ?? null,
    port: config.port,
    timeoutMs: config.timeoutMs,
    retries: config.retries,
    maxRepetitions: config.maxRepetitions,
    signal,
    ...(openSession ? { openSession } : {}),
  });
  if (!opened.ok) return { ok: false, error: opened.error };
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
      close: () => session.close(),
    },
  };
}
