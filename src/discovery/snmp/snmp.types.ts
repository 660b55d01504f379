/**
 * Our own view of an SNMP agent. Nothing outside snmp-session.ts sees net-snmp: readers, tests and
 * the in-memory snmprec session all speak these types, so the library can be swapped or faked.
 */

export type VarbindType =
  | 'integer'
  | 'octets'
  | 'oid'
  | 'ipaddress'
  | 'counter'
  | 'gauge'
  | 'timeticks'
  | 'counter64'
  | 'opaque'
  | 'null'
  | 'noSuchObject'
  | 'noSuchInstance'
  | 'endOfMibView';

/**
 * One value from an agent. integer/counter/gauge/timeticks are numbers, counter64 a bigint,
 * octets/opaque raw bytes, oid and ipaddress dotted text, the three "missing" kinds and null are null.
 */
export interface Varbind {
  oid: string;
  type: VarbindType;
  value: number | bigint | Buffer | string | null;
}

export interface WalkOptions {
  /** The walk fails instead of running on when the subtree holds more rows than this. */
  maxRows?: number;
}

export interface SnmpSession {
  /** Values of exactly these OIDs, in order; a missing one comes back typed noSuchObject/noSuchInstance. */
  get(oids: readonly string[]): Promise<Varbind[]>;
  /** Every row under `rootOid` in OID order; never a row outside it, never an endOfMibView marker. */
  walk(rootOid: string, options?: WalkOptions): Promise<Varbind[]>;
  close(): void;
}

/** Credential sets are configuration, shared with config/ and storage (only `name` is ever stored). */
export type { SnmpCredential } from '../../shared/snmp-credential.types.ts';

export interface SnmpSessionOptions {
  /** UDP port of the agent (default 161). */
  port?: number;
  /** Per-request timeout before a retry (default 2000 ms). */
  timeoutMs?: number;
  /** Retries after the first attempt of each request (default 1). */
  retries?: number;
  /** GETBULK max-repetitions of a walk on v2c/v3 (default 25). */
  maxRepetitions?: number;
  /** Default row bound of every walk (default 50 000). */
  maxRows?: number;
  /** Aborting closes the session: pending requests fail with `aborted`. */
  signal?: AbortSignal;
}

/** A failure with a short, stable, human-readable message (`timeout`, `authentication failure`, …). */
export class SnmpError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SnmpError';
  }
}

/** The clean text of anything a session call rejected with. */
export function snmpErrorText(error: unknown): string {
  if (error instanceof SnmpError) return error.message;
  if (error instanceof Error) return `snmp error: ${error.message}`;
  return `snmp error: ${String(error)}`;
}
