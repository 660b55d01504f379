import { compareOids, normaliseOid } from './oid.ts';
import { SnmpError, type SnmpSession, type Varbind, type WalkOptions } from './snmp.types.ts';
import { walkSubtree } from './walk-loop.ts';

/**
 * snmpsim's `.snmprec` format (`OID|TAG|VALUE`, one record a line) as varbinds, and an in-memory
 * SnmpSession over them. Tests feed readers from recordings through the same walk loop as the
 * network session, so the in-memory agent behaves like snmpsimd serving the file.
 */

/** Parses records; values may contain `|`, so a line is split on its first two only. */
export function parseSnmprec(text: string): Varbind[] {
  const byOid = new Map<string, Varbind>();
  const lines = text.split(/\r?\n/);
  for (let number = 1; number <= lines.length; number++) {
    const line = lines[number - 1] as string;
    if (line.trim() === '' || line.startsWith('#')) continue;
    const first = line.indexOf('|');
    const second = first < 0 ? -1 : line.indexOf('|', first + 1);
    if (second < 0) throw new Error(`snmprec line ${number}: expected OID|TAG|VALUE`);
    const oid = normaliseOid(line.slice(0, first).trim());
    const varbind = toVarbind(oid, line.slice(first + 1, second).trim(), line.slice(second + 1), number);
    // A recording that repeats an OID: the first record is the one kept (snmpsim serves one value).
    if (!byOid.has(oid)) byOid.set(oid, varbind);
  }
  return [...byOid.values()].sort((a, b) => compareOids(a.oid, b.oid));
}

function toVarbind(oid: string, tag: string, raw: string, line: number): Varbind {
  const hex = tag.endsWith('x');
  const code = hex ? tag.slice(0, -1) : tag;
  const bytes = hex ? Buffer.from(raw.trim(), 'hex') : Buffer.from(raw, 'utf8');
  const text = hex ? bytes.toString('utf8') : raw;
  switch (code) {
    case '2':
      return { oid, type: 'integer', value: Number(text) };
    case '4':
      return { oid, type: 'octets', value: bytes };
    case '5':
      return { oid, type: 'null', value: null };
    case '6':
      return { oid, type: 'oid', value: normaliseOid(text.trim()) };
    case '64':
      return { oid, type: 'ipaddress', value: hex && bytes.length === 4 ? Array.from(bytes).join('.') : text.trim() };
    case '65':
      return { oid, type: 'counter', value: Number(text) };
    case '66':
      return { oid, type: 'gauge', value: Number(text) };
    case '67':
      return { oid, type: 'timeticks', value: Number(text) };
    case '68':
      return { oid, type: 'opaque', value: bytes };
    case '70':
      return { oid, type: 'counter64', value: BigInt(text.trim() || '0') };
    default:
      throw new Error(`snmprec line ${line}: unsupported tag ${tag}`);
  }
}

export interface MemorySessionOptions {
  /** Rows per simulated GETBULK (default 25). */
  maxRepetitions?: number;
  /** Walks of these roots fail with the given text, as a dead or refusing agent would. */
  failingWalks?: ReadonlyMap<string, string>;
}

/** An SnmpSession answering from parsed records; `walkCalls` records every walk root for tests. */
export class MemorySession implements SnmpSession {
  readonly walkCalls: string[] = [];
  private readonly rows: Varbind[];
  private readonly byOid: Map<string, Varbind>;
  private closed = false;

  constructor(
    records: readonly Varbind[] | string,
    private readonly options: MemorySessionOptions = {},
  ) {
    this.rows =
      typeof records === 'string' ? parseSnmprec(records) : [...records].sort((a, b) => compareOids(a.oid, b.oid));
    this.byOid = new Map(this.rows.map((row) => [row.oid, row]));
  }

  async get(oids: readonly string[]): Promise<Varbind[]> {
    this.assertOpen();
    return oids.map(
      (oid) => this.byOid.get(normaliseOid(oid)) ?? { oid: normaliseOid(oid), type: 'noSuchObject', value: null },
    );
  }

  async walk(rootOid: string, options: WalkOptions = {}): Promise<Varbind[]> {
    this.assertOpen();
    this.walkCalls.push(rootOid);
    const failure = this.options.failingWalks?.get(rootOid);
    if (failure !== undefined) throw new SnmpError(failure);
    const repetitions = this.options.maxRepetitions ?? 25;
    return walkSubtree(rootOid, async (cursor) => this.bulk(cursor, repetitions), options);
  }

  close(): void {
    this.closed = true;
  }

  /** GETBULK semantics: the next rows after `cursor`, padded with endOfMibView past the end. */
  private bulk(cursor: string, repetitions: number): Varbind[] {
    let low = 0;
    let high = this.rows.length;
    while (low < high) {
      const middle = (low + high) >> 1;
      if (compareOids((this.rows[middle] as Varbind).oid, cursor) <= 0) low = middle + 1;
      else high = middle;
    }
    const batch = this.rows.slice(low, low + repetitions);
    while (batch.length < repetitions) batch.push({ oid: cursor, type: 'endOfMibView', value: null });
    return batch;
  }

  private assertOpen(): void {
    if (this.closed) throw new SnmpError('session closed');
  }
}
