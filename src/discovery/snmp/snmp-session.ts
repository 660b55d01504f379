import { isIPv6 } from 'node:net';
import snmp from 'net-snmp';
import {
  type SnmpCredential,
  SnmpError,
  type SnmpSession,
  type SnmpSessionOptions,
  type Varbind,
  type VarbindType,
  type WalkOptions,
} from './snmp.types.ts';
import { DEFAULT_MAX_ROWS, nextBulkRepetitions, walkSubtree } from './walk-loop.ts';

/**
 * The only file that imports net-snmp. It turns the library's callbacks, error classes and value
 * encodings into our SnmpSession: promises that reject with an SnmpError carrying clean text, and
 * plain varbinds. Nothing here throws out of an event listener: every library callback settles a
 * promise exactly once, and socket errors are swallowed into the pending requests' outcome.
 */

export const DEFAULT_TIMEOUT_MS = 2000;
export const DEFAULT_RETRIES = 1;
export const DEFAULT_MAX_REPETITIONS = 25;

type NetSnmpSession = ReturnType<typeof snmp.createSession>;
type RawVarbind = { oid: string; type: number; value: unknown };
/** RequestFailedError carries `status`; ResponseInvalidError a numeric `code`; socket errors a text `code`. */
type RawError = Error & { status?: number; code?: number | string };

const TYPE_NAMES: Record<number, VarbindType> = {
  1: 'integer',
  2: 'integer',
  3: 'octets',
  4: 'octets',
  5: 'null',
  6: 'oid',
  64: 'ipaddress',
  65: 'counter',
  66: 'gauge',
  67: 'timeticks',
  68: 'opaque',
  70: 'counter64',
  128: 'noSuchObject',
  129: 'noSuchInstance',
  130: 'endOfMibView',
};

const ERROR_STATUS_NO_SUCH_NAME = 2;
const ERROR_STATUS_TOO_BIG = 1;

/** Opens a session; no packet is sent until the first get/walk. */
export function openSnmpSession(
  target: string,
  credential: SnmpCredential,
  options: SnmpSessionOptions = {},
): SnmpSession {
  return new NetSnmpSessionAdapter(target, credential, options);
}

class NetSnmpSessionAdapter implements SnmpSession {
  private readonly session: NetSnmpSession;
  private readonly isV1: boolean;
  private readonly maxRepetitions: number;
  private readonly maxRows: number;
  /** Our own bound on one request, in case the library never calls back. */
  private readonly requestLimitMs: number;
  private readonly signal: AbortSignal | undefined;
  private readonly onAbort = (): void => this.shutDown(true);
  private closed = false;
  private aborted = false;

  constructor(target: string, credential: SnmpCredential, options: SnmpSessionOptions) {
    const timeout = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    const retries = options.retries ?? DEFAULT_RETRIES;
    this.maxRepetitions = Math.max(1, options.maxRepetitions ?? DEFAULT_MAX_REPETITIONS);
    this.maxRows = options.maxRows ?? DEFAULT_MAX_ROWS;
    this.signal = options.signal;
    this.isV1 = credential.version === '1';
    // v3 may need an engine discovery round trip before the real request.
    this.requestLimitMs = timeout * (retries + 1) * (credential.version === '3' ? 2 : 1) + 1000;
    const sessionOptions = {
      port: options.port ?? 161,
      retries,
      timeout,
      backoff: 1,
      transport: isIPv6(target) ? ('udp6' as const) : ('udp4' as const),
    };
    this.session =
      credential.version === '3'
        ? snmp.createV3Session(target, v3User(credential), { ...sessionOptions, version: snmp.Version3 })
        : snmp.createSession(target, credential.community, {
            ...sessionOptions,
            version: credential.version === '1' ? snmp.Version1 : snmp.Version2c,
          });
    // An unparsable datagram is emitted as 'error'; without a listener it would crash the process.
    this.session.on('error', () => {});
    if (this.signal?.aborted) this.shutDown(true);
    else this.signal?.addEventListener('abort', this.onAbort, { once: true });
  }

  async get(oids: readonly string[]): Promise<Varbind[]> {
    if (oids.length === 0) return [];
    const outcome = await this.call<RawVarbind[]>((callback) => this.session.get([...oids], callback));
    if ('value' in outcome) return outcome.value.map(toVarbind);
    if (this.isV1 && outcome.error.status === ERROR_STATUS_NO_SUCH_NAME) return this.getV1OneByOne(oids);
    throw new SnmpError(this.describe(outcome.error));
  }

  walk(rootOid: string, options: WalkOptions = {}): Promise<Varbind[]> {
    // Small first request, doubling while the subtree goes on (walk-loop.ts, nextBulkRepetitions).
    let cap = this.maxRepetitions;
    let repetitions: number | undefined;
    const next = async (oid: string): Promise<Varbind[]> => {
      repetitions = nextBulkRepetitions(repetitions, cap);
      for (;;) {
        if (this.isV1) {
          const outcome = await this.call<RawVarbind[]>((callback) => this.session.getNext([oid], callback));
          if ('value' in outcome) return outcome.value.map(toVarbind);
          // SNMPv1 says "end of the MIB" with a noSuchName error.
          if (outcome.error.status === ERROR_STATUS_NO_SUCH_NAME) return [];
          throw new SnmpError(this.describe(outcome.error));
        }
        const count = repetitions;
        const outcome = await this.call<RawVarbind[][]>((callback) => this.session.getBulk([oid], 0, count, callback));
        if ('value' in outcome) return (outcome.value[0] ?? []).map(toVarbind);
        // A tooBig answer means the response did not fit a datagram: ask for fewer rows, from now on.
        if (outcome.error.status === ERROR_STATUS_TOO_BIG && count > 1) {
          repetitions = Math.max(1, Math.floor(count / 2));
          cap = repetitions;
          continue;
        }
        throw new SnmpError(this.describe(outcome.error));
      }
    };
    return walkSubtree(rootOid, next, {
      maxRows: options.maxRows ?? this.maxRows,
      ...(this.signal ? { signal: this.signal } : {}),
    });
  }

  close(): void {
    this.shutDown(false);
  }

  /** SNMPv1 fails a whole GET when one OID is missing: ask again one by one so the rest still count. */
  private async getV1OneByOne(oids: readonly string[]): Promise<Varbind[]> {
    const values: Varbind[] = [];
    for (const oid of oids) {
      const outcome = await this.call<RawVarbind[]>((callback) => this.session.get([oid], callback));
      if ('value' in outcome) values.push(...outcome.value.map(toVarbind));
      else if (outcome.error.status === ERROR_STATUS_NO_SUCH_NAME)
        values.push({ oid, type: 'noSuchObject', value: null });
      else throw new SnmpError(this.describe(outcome.error));
    }
    return values;
  }

  private call<T>(
    start: (callback: (error: Error | null, value?: T) => void) => void,
  ): Promise<{ value: T } | { error: RawError }> {
    if (this.closed) return Promise.reject(new SnmpError(this.aborted ? 'aborted' : 'session closed'));
    return new Promise((resolve) => {
      let settled = false;
      const finish = (result: { value: T } | { error: RawError }): void => {
        if (settled) return;
        settled = true;
        clearTimeout(guard);
        resolve(result);
      };
      const guard = setTimeout(
        () => finish({ error: new snmp.RequestTimedOutError('Request timed out') }),
        this.requestLimitMs,
      );
      try {
        start((error, value) => {
          if (error) finish({ error: error as RawError });
          else finish({ value: value as T });
        });
      } catch (error) {
        finish({ error: error instanceof Error ? error : new Error(String(error)) });
      }
    });
  }

  private describe(error: RawError): string {
    if (this.aborted) return 'aborted';
    return describeNetSnmpError(error);
  }

  private shutDown(aborted: boolean): void {
    if (this.closed) return;
    this.closed = true;
    this.aborted = aborted;
    this.signal?.removeEventListener('abort', this.onAbort);
    try {
      this.session.close();
    } catch {
      // The socket was never bound or is already closed: nothing left to release.
    }
  }
}

function v3User(credential: Extract<SnmpCredential, { version: '3' }>): {
  name: string;
  level: number;
  authProtocol?: number;
  authKey?: string;
  privProtocol?: number;
  privKey?: string;
} {
  const user: ReturnType<typeof v3User> = {
    name: credential.user,
    level: snmp.SecurityLevel[credential.level],
  };
  if (credential.level !== 'noAuthNoPriv') {
    user.authProtocol = snmp.AuthProtocols[credential.authProtocol ?? 'sha'];
    user.authKey = credential.authKey ?? '';
  }
  if (credential.level === 'authPriv') {
    user.privProtocol = snmp.PrivProtocols[credential.privProtocol ?? 'aes'];
    user.privKey = credential.privKey ?? '';
  }
  return user;
}

function toVarbind(raw: RawVarbind): Varbind {
  const type = TYPE_NAMES[raw.type] ?? 'opaque';
  const value = raw.value;
  switch (type) {
    case 'integer': // BOOLEAN too: true/false become 1/0
    case 'counter':
    case 'gauge':
    case 'timeticks':
      return { oid: raw.oid, type, value: Number(value) };
    case 'counter64':
      return { oid: raw.oid, type, value: Buffer.isBuffer(value) ? bufferToBigInt(value) : BigInt(Number(value ?? 0)) };
    case 'octets':
    case 'opaque':
      return { oid: raw.oid, type, value: Buffer.isBuffer(value) ? value : Buffer.from(String(value ?? '')) };
    case 'oid':
    case 'ipaddress':
      return { oid: raw.oid, type, value: String(value) };
    default:
      return { oid: raw.oid, type, value: null };
  }
}

function bufferToBigInt(buffer: Buffer): bigint {
  return buffer.length === 0 ? 0n : BigInt(`0x${buffer.toString('hex')}`);
}

const USM_ERRORS: [RegExp, string][] = [
  [/unknown user name/i, 'unknown user name'],
  [/wrong digest|authentication digest/i, 'authentication failure'],
  [/unsupported security level/i, 'unsupported security level'],
  [/not in time window|outside the time window/i, 'not in time window'],
  [/unknown engine id/i, 'unknown engine id'],
  [/decrypt/i, 'decryption failure'],
];

/** Library errors as short stable text; exported for unit tests of the mapping. */
export function describeNetSnmpError(error: RawError): string {
  if (error instanceof snmp.RequestTimedOutError) return 'timeout';
  if (error instanceof snmp.RequestFailedError) {
    const status = snmp.ErrorStatus[error.status ?? 5] ?? 'GeneralError';
    return `agent error: ${status.charAt(0).toLowerCase()}${status.slice(1)}`;
  }
  for (const [pattern, text] of USM_ERRORS) if (pattern.test(error.message)) return text;
  const code = error.code;
  if (typeof code === 'string') return `network error: ${code}`;
  if (/socket forcibly closed/i.test(error.message)) return 'session closed';
  return `snmp error: ${error.message}`;
}
