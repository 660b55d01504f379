/**
 * The narrow slice of net-snmp 3.29 that snmp-session.ts uses (the package ships no types).
 * Declared by hand so only these calls exist for our code; nothing else may import 'net-snmp'.
 */
declare module 'net-snmp' {
  interface NetSnmpVarbind {
    oid: string;
    type: number;
    value: unknown;
  }

  type ResponseCallback<T> = (error: Error | null, varbinds?: T) => void;

  interface NetSnmpSession {
    get(oids: string[], callback: ResponseCallback<NetSnmpVarbind[]>): NetSnmpSession;
    getNext(oids: string[], callback: ResponseCallback<NetSnmpVarbind[]>): NetSnmpSession;
    /** For repeaters the answer is one array of rows per requested OID. */
    getBulk(
      oids: string[],
      nonRepeaters: number,
      maxRepetitions: number,
      callback: ResponseCallback<NetSnmpVarbind[][]>,
    ): NetSnmpSession;
    close(): NetSnmpSession;
    on(event: 'error' | 'close', listener: (error?: Error) => void): NetSnmpSession;
  }

  interface SessionOptions {
    port?: number;
    retries?: number;
    timeout?: number;
    backoff?: number;
    transport?: 'udp4' | 'udp6';
    version?: number;
    idBitsSize?: 16 | 32;
    context?: string;
  }

  interface V3User {
    name: string;
    level: number;
    authProtocol?: number;
    authKey?: string;
    privProtocol?: number;
    privKey?: string;
  }

  interface NetSnmpError extends Error {
    /** RequestFailedError: the PDU error-status. */
    status?: number;
    /** ResponseInvalidError: one of ResponseInvalidCode. */
    code?: number;
  }

  interface NetSnmp {
    createSession(target: string, community: string, options: SessionOptions): NetSnmpSession;
    createV3Session(target: string, user: V3User, options: SessionOptions): NetSnmpSession;
    Version1: number;
    Version2c: number;
    Version3: number;
    SecurityLevel: Record<'noAuthNoPriv' | 'authNoPriv' | 'authPriv', number>;
    AuthProtocols: Record<'md5' | 'sha' | 'sha224' | 'sha256' | 'sha384' | 'sha512', number>;
    PrivProtocols: Record<'des' | 'aes' | 'aes256b' | 'aes256r', number>;
    ErrorStatus: Record<number, string>;
    ResponseInvalidCode: Record<string, number>;
    RequestTimedOutError: new (message: string) => NetSnmpError;
    RequestFailedError: new (message: string, status: number) => NetSnmpError;
    ResponseInvalidError: new (message: string, code: number) => NetSnmpError;
  }

  const snmp: NetSnmp;
  export default snmp;
}
