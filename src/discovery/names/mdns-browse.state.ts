import { isIPv4 } from 'node:net';
import type { NameHint, ServiceSighting } from '../../domain/enrichment.types.ts';
import { ipv4ToBigInt } from '../../shared/ip-math.ts';
import { cleanName } from './name-hints.ts';

/**
 * The DNS-SD browse as a pure state machine: records in, follow-up questions out. The session
 * (mdns.ts) owns sockets and timers; this file owns what the answers mean, so it is tested without
 * a network. The chain: `_services._dns-sd._udp.local` PTR → service types; each type's PTR →
 * instances; each instance's SRV → host and port; each host's A → IPv4 addresses.
 */

export const SERVICE_ENUMERATION = '_services._dns-sd._udp.local';

export type BrowseQuestionType = 'PTR' | 'SRV' | 'A';

export interface BrowseQuestion {
  name: string;
  type: BrowseQuestionType;
}

/** The subset of a decoded resource record the browse reads. */
export interface BrowseRecord {
  name: string;
  type: string;
  data: unknown;
}

export interface MdnsHost {
  ip: string;
  /** `.local` host names that resolve to this address (source mdns). */
  names: NameHint[];
  /** Services whose SRV points at one of those names (source mdns), sorted by protocol and port. */
  services: ServiceSighting[];
}

/** Caps so a chatty or hostile segment cannot grow the browse without bound. */
export interface BrowseLimits {
  maxTypes: number;
  maxInstances: number;
  maxHosts: number;
  maxQuestions: number;
}

export const DEFAULT_BROWSE_LIMITS: BrowseLimits = {
  maxTypes: 64,
  maxInstances: 512,
  maxHosts: 512,
  maxQuestions: 1200,
};

interface Srv {
  port: number;
  target: string;
  type: string;
}

const SERVICE_TYPE = /^_[^.]+\._(tcp|udp)\.local$/;

export class DnsSdBrowse {
  private readonly types = new Set<string>();
  private readonly instanceType = new Map<string, string>();
  private readonly srv = new Map<string, Srv>();
  /** Host (lower case) → spelling as announced and its IPv4 addresses. */
  private readonly hosts = new Map<string, { name: string; ips: Set<string> }>();
  private readonly asked = new Set<string>();
  private readonly answeredKeys = new Set<string>();

  constructor(private readonly limits: BrowseLimits = DEFAULT_BROWSE_LIMITS) {}

  /** The first question of every browse. */
  start(): BrowseQuestion[] {
    return this.ask([{ name: SERVICE_ENUMERATION, type: 'PTR' }]);
  }

  /** Takes every record of one response (answers and additionals) and returns what to ask next. */
  ingest(records: readonly BrowseRecord[]): BrowseQuestion[] {
    // Store everything first, then ask: a response that carries PTR, SRV and A together
    // (Avahi does that for legacy unicast) must not trigger questions it already answers.
    for (const record of records) if (record.type === 'PTR') this.ingestPtr(record);
    for (const record of records) {
      if (record.type === 'SRV') this.ingestSrv(record);
      else if (record.type === 'A') this.ingestA(record);
    }
    const next: BrowseQuestion[] = [];
    for (const type of this.types) next.push({ name: type, type: 'PTR' });
    for (const instance of this.instanceType.keys())
      if (!this.srv.has(instance)) next.push({ name: instance, type: 'SRV' });
    for (const { target } of this.srv.values())
      if (!this.hosts.get(target)?.ips.size) next.push({ name: target, type: 'A' });
    return this.ask(next);
  }

  /** Questions asked once that still have no answer: the session resends these once. */
  unanswered(): BrowseQuestion[] {
    return [...this.asked].filter((key) => !this.answeredKeys.has(key)).map(fromKey);
  }

  get questionCount(): number {
    return this.asked.size;
  }

  /** Per IPv4 address: names and services, sorted by address. */
  hostsFound(): MdnsHost[] {
    const byIp = new Map<string, MdnsHost>();
    const entry = (ip: string): MdnsHost => {
      let host = byIp.get(ip);
      if (!host) {
        host = { ip, names: [], services: [] };
        byIp.set(ip, host);
      }
      return host;
    };
    for (const { name, ips } of this.hosts.values()) {
      for (const ip of ips) entry(ip).names.push({ source: 'mdns', name });
    }
    for (const srv of this.srv.values()) {
      const sighting = toSighting(srv);
      if (!sighting) continue;
      for (const ip of this.hosts.get(srv.target)?.ips ?? []) {
        const host = entry(ip);
        const known = host.services.some((s) => s.protocol === sighting.protocol && s.port === sighting.port);
        if (!known) host.services.push(sighting);
      }
    }
    for (const host of byIp.values()) {
      host.services.sort((a, b) => a.protocol.localeCompare(b.protocol) || a.port - b.port);
    }
    return [...byIp.values()].sort((a, b) => (ipv4ToBigInt(a.ip) < ipv4ToBigInt(b.ip) ? -1 : 1));
  }

  private ingestPtr(record: BrowseRecord): void {
    const owner = record.name.toLowerCase();
    if (typeof record.data !== 'string') return;
    const target = record.data.toLowerCase();
    if (owner === SERVICE_ENUMERATION) {
      this.answeredKeys.add(key(SERVICE_ENUMERATION, 'PTR'));
      if (SERVICE_TYPE.test(target) && !this.types.has(target) && this.types.size < this.limits.maxTypes) {
        this.types.add(target);
      }
      return;
    }
    if (!this.types.has(owner)) return; // an answer to someone else's question
    this.answeredKeys.add(key(owner, 'PTR'));
    if (!target.endsWith(`.${owner}`)) return;
    if (!this.instanceType.has(target) && this.instanceType.size < this.limits.maxInstances) {
      this.instanceType.set(target, owner);
    }
  }

  private ingestSrv(record: BrowseRecord): void {
    const instance = record.name.toLowerCase();
    const data = record.data as { port?: unknown; target?: unknown } | null;
    if (typeof data?.port !== 'number' || typeof data.target !== 'string') return;
    const type = this.instanceType.get(instance) ?? typeOfInstance(instance);
    if (!type) return;
    if (!this.srv.has(instance) && this.srv.size >= this.limits.maxInstances) return;
    const target = cleanName(data.target)?.toLowerCase();
    if (!target) return;
    this.srv.set(instance, { port: data.port, target, type });
    this.answeredKeys.add(key(instance, 'SRV'));
  }

  private ingestA(record: BrowseRecord): void {
    if (typeof record.data !== 'string' || !isIPv4(record.data)) return;
    const spelled = cleanName(record.name);
    if (!spelled) return;
    const lower = spelled.toLowerCase();
    let host = this.hosts.get(lower);
    if (!host) {
      if (this.hosts.size >= this.limits.maxHosts) return;
      host = { name: spelled, ips: new Set() };
      this.hosts.set(lower, host);
    }
    host.ips.add(record.data);
    this.answeredKeys.add(key(lower, 'A'));
  }

  private ask(questions: readonly BrowseQuestion[]): BrowseQuestion[] {
    const fresh: BrowseQuestion[] = [];
    for (const question of questions) {
      // dns-packet decodes a dot inside a label as `\.` but cannot encode it back: such an
      // instance is only learnt from records a responder sends unasked (Avahi sends SRV and A).
      if (question.name.includes('\\')) continue;
      const k = key(question.name, question.type);
      if (this.asked.has(k) || this.asked.size >= this.limits.maxQuestions) continue;
      this.asked.add(k);
      fresh.push(question);
    }
    return fresh;
  }
}

const key = (name: string, type: BrowseQuestionType): string => `${type} ${name.toLowerCase()}`;

function fromKey(k: string): BrowseQuestion {
  const space = k.indexOf(' ');
  return { type: k.slice(0, space) as BrowseQuestionType, name: k.slice(space + 1) };
}

/** `Name._http._tcp.local` → `_http._tcp.local`, for an SRV that arrived before its PTR. */
function typeOfInstance(instance: string): string | undefined {
  const match = /\.(_[^.]+\._(?:tcp|udp)\.local)$/.exec(instance);
  return match?.[1];
}

/** `_http._tcp.local` + port → an mdns ServiceSighting named `http`; port 0 means "not offered". */
function toSighting(srv: Srv): ServiceSighting | undefined {
  const match = /^_([^.]+)\._(tcp|udp)\.local$/.exec(srv.type);
  if (!match?.[1] || !Number.isInteger(srv.port) || srv.port < 1 || srv.port > 65_535) return undefined;
  return { protocol: match[2] === 'udp' ? 'udp' : 'tcp', port: srv.port, name: match[1], source: 'mdns' };
}
