import type { SnmpSystem } from '../../domain/enrichment.types.ts';
import { type SnmpCredential, type SnmpSession, type SnmpSessionOptions, snmpErrorText } from './snmp.types.ts';
import { openSnmpSession } from './snmp-session.ts';
import { readSystem, SYSTEM_OIDS } from './system.reader.ts';

export type SessionFactory = (target: string, credential: SnmpCredential, options: SnmpSessionOptions) => SnmpSession;

export interface OpenOptions extends SnmpSessionOptions {
  /** Name of the credential to try first (e.g. the one that answered last run). */
  preferred?: string | null;
  /** Seam for tests; defaults to the net-snmp session. */
  openSession?: SessionFactory;
}

export interface CredentialAttempt {
  credential: string;
  /** null for the attempt that answered. */
  error: string | null;
}

export type OpenResult =
  | { ok: true; session: SnmpSession; credential: string; system: SnmpSystem; attempts: CredentialAttempt[] }
  | { ok: false; error: string; attempts: CredentialAttempt[] };

/** The preferred credential first, then the rest in their configured order. */
export function credentialOrder(credentials: readonly SnmpCredential[], preferred?: string | null): SnmpCredential[] {
  const first = credentials.find((credential) => credential.name === preferred);
  return first ? [first, ...credentials.filter((credential) => credential !== first)] : [...credentials];
}

/**
 * Tries credential sets one after another; the first whose system-group GET is answered wins and
 * its session stays open for the walks (the caller closes it). Any answer counts, even one whose
 * values are all noSuchObject: the agent accepted the credential. A v1/v2c agent ignores a wrong
 * community, so those attempts cost a full timeout each: put the likely credential first.
 */
export async function openWithCredentials(
  target: string,
  credentials: readonly SnmpCredential[],
  options: OpenOptions = {},
): Promise<OpenResult> {
  const { preferred, openSession = openSnmpSession, ...sessionOptions } = options;
  const attempts: CredentialAttempt[] = [];
  if (credentials.length === 0) return { ok: false, error: 'no SNMP credentials configured', attempts };
  for (const credential of credentialOrder(credentials, preferred)) {
    if (options.signal?.aborted) break;
    const session = openSession(target, credential, sessionOptions);
    try {
      const system = readSystem(await session.get(SYSTEM_OIDS));
      attempts.push({ credential: credential.name, error: null });
      return { ok: true, session, credential: credential.name, system, attempts };
    } catch (error) {
      session.close();
      attempts.push({ credential: credential.name, error: snmpErrorText(error) });
    }
  }
  const parts = attempts.map((attempt) => `${attempt.credential}: ${attempt.error}`);
  // Aborted between attempts: say so, since the remaining credentials were never tried.
  if (options.signal?.aborted && attempts.at(-1)?.error !== 'aborted') parts.push('aborted');
  return { ok: false, error: parts.join('; '), attempts };
}
