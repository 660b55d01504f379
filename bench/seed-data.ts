/**
 * Deterministic, realistic-looking device data for the bench: the same size always yields the same
 * rows, so runs are comparable. These are rows in a database only; nothing is ever sent to the addresses.
 */

export interface SeedDevice {
  id: string;
  displayName: string | null;
  createdAt: string;
  updatedAt: string;
  ips: SeedAddress[];
  mac: SeedAddress;
  metadata: { owner: string | null; location: string | null; notes: string | null } | null;
}

export interface SeedAddress {
  value: string;
  createdAt: string;
  updatedAt: string;
}

const DAY_MS = 86_400_000;
const HISTORY_DAYS = 730;

/** mulberry32: tiny, fast, and good enough to spread test data. */
export function prng(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

// Well-known vendor prefixes (Cisco, HP, Ubiquiti, Dell, Apple, Raspberry Pi, Axis, Brother…).
const OUIS = ['00:1b:54', '3c:d9:2b', 'f0:9f:c2', '18:66:da', 'a4:83:e7', 'b8:27:eb', 'ac:cc:8e', '00:80:77'];
const OWNERS = ['netops', 'facilities', 'it-helpdesk', 'security', 'lab', 'finance', 'a.martin', 'j.okafor'];
const SITES = ['hq', 'dc1', 'dc2', 'lyon', 'berlin', 'remote'];
const NOTES = ['spare', 'replace 2026', 'on UPS', 'do not reboot during business hours', 'loaner', 'PoE budget tight'];

export class SeedGenerator {
  private readonly random: () => number;
  private readonly subnets: string[];
  private readonly nextHost: number[];
  private readonly now = Date.now();

  constructor(readonly size: number) {
    this.random = prng(size);
    // ~80 devices per /24 on average: realistic density, and an IP fragment like "10.42.7" still
    // matches a page or more while staying a small fraction of the table.
    const count = Math.max(64, Math.ceil(size / 80));
    const seen = new Set<string>();
    while (seen.size < count) seen.add(`10.${this.int(256)}.${this.int(256)}`);
    this.subnets = [...seen];
    this.nextHost = this.subnets.map(() => 1 + this.int(254));
  }

  *devices(): Generator<SeedDevice> {
    for (let index = 0; index < this.size; index++) yield this.device(index);
  }

  private device(index: number): SeedDevice {
    const created = this.now - this.random() * HISTORY_DAYS * DAY_MS;
    // Most devices were seen in the last hours; the rest went quiet some time after they appeared.
    const seen =
      this.random() < 0.6 ? this.now - this.random() * 2 * 3_600_000 : created + this.random() * (this.now - created);
    const createdAt = timestamp(created, this.random);
    const seenAt = timestamp(seen, this.random);
    const ipCount = this.random() < 0.25 ? 2 : 1;
    const ips: SeedAddress[] = [];
    const firstSubnet = this.int(this.subnets.length);
    for (let n = 0; n < ipCount; n++) {
      const subnet = (firstSubnet + n * 7) % this.subnets.length;
      ips.push({ value: this.ip(subnet), createdAt, updatedAt: seenAt });
    }
    return {
      id: this.uuid(),
      displayName: this.name(index),
      createdAt,
      updatedAt: createdAt,
      ips,
      mac: { value: this.mac(), createdAt, updatedAt: seenAt },
      metadata: this.random() < 0.3 ? this.metadata() : null,
    };
  }

  private name(index: number): string | null {
    const roll = this.random();
    if (roll < 0.35) return `host-${String(index).padStart(5, '0')}`;
    if (roll < 0.45) return `sw-${this.pick(['core', 'dist', 'access'])}-${this.int(60)}`;
    if (roll < 0.53) return `printer-${1 + this.int(9)}${this.pick(['a', 'b', 'c', 'd', 'f'])}`;
    if (roll < 0.63) return `ap-${this.pick(SITES)}-${this.int(120)}`;
    if (roll < 0.7) return `cam-${this.pick(SITES)}-${this.int(300)}`;
    return null; // discovered, never named
  }

  private ip(subnet: number): string {
    const host = this.nextHost[subnet] ?? 1;
    this.nextHost[subnet] = (host % 254) + 1;
    return `${this.subnets[subnet]}.${host}`;
  }

  private mac(): string {
    const tail = Array.from({ length: 3 }, () => this.int(256).toString(16).padStart(2, '0'));
    return `${this.pick(OUIS)}:${tail.join(':')}`;
  }

  private metadata(): SeedDevice['metadata'] {
    const site = this.pick(SITES);
    return {
      owner: this.random() < 0.9 ? this.pick(OWNERS) : null,
      location: this.random() < 0.8 ? `${site} floor ${1 + this.int(9)} rack ${this.int(40)}` : null,
      notes: this.random() < 0.3 ? this.pick(NOTES) : null,
    };
  }

  private uuid(): string {
    const hex = Array.from({ length: 32 }, () => this.int(16).toString(16));
    hex[12] = '4';
    hex[16] = (8 + this.int(4)).toString(16);
    const text = hex.join('');
    return `${text.slice(0, 8)}-${text.slice(8, 12)}-${text.slice(12, 16)}-${text.slice(16, 20)}-${text.slice(20)}`;
  }

  private int(bound: number): number {
    return Math.floor(this.random() * bound);
  }

  private pick<T>(items: readonly T[]): T {
    return items[this.int(items.length)] as T;
  }
}

/** RFC 3339 with microseconds, like PostgreSQL's now(), so cursors carry full precision. */
function timestamp(millis: number, random: () => number): string {
  const micros = String(Math.floor(random() * 1000)).padStart(3, '0');
  return new Date(Math.floor(millis)).toISOString().replace('Z', `${micros}Z`);
}
