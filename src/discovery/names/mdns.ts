import { randomInt } from 'node:crypto';
import { createSocket, type Socket } from 'node:dgram';
import { isIPv4 } from 'node:net';
import * as dnsPacket from 'dns-packet';
import type { NameHint } from '../../domain/enrichment.types.ts';
import { found, type LookupOutcome, notFound } from './lookup.types.ts';
import {
  type BrowseLimits,
  type BrowseQuestion,
  type BrowseRecord,
  DnsSdBrowse,
  type MdnsHost,
} from './mdns-browse.state.ts';
import { hintsFrom } from './name-hints.ts';
import { reverseName } from './reverse-name.ts';

export const MDNS_GROUP = { address: '224.0.0.251', port: 5353 } as const;
export const DEFAULT_MDNS_REVERSE_TIMEOUT_MS = 400;
export const DEFAULT_MDNS_BROWSE_MS = 1500;
/** Concurrent reverse lookups per session; more is a caller bug (the enrichment pool is far smaller). */
const MAX_PENDING_REVERSE = 1024;

export interface MdnsSessionOptions {
  /** Own IPv4 addresses, one socket each: multicast must name its interface or it fails (ENETUNREACH). */
  interfaces: readonly string[];
  /** Where queries go: the mDNS group, unless a test points it at a unicast responder on loopback. */
  destination?: { address: string; port: number };
  browseLimits?: BrowseLimits;
}

export interface MdnsBrowseResult {
  hosts: MdnsHost[];
  /** False when the budget or an abort ended the browse before the segment fell quiet. */
  complete: boolean;
  questionsSent: number;
  durationMs: number;
  /** Send failures, per interface (for the debug log). */
  errors: string[];
}

interface ReverseWaiter {
  owner: string;
  deliver: (names: string[]) => void;
}

interface Endpoint {
  address: string;
  socket: Socket;
}

/**
 * One mDNS session per discovery run: one UDP socket per local IPv4 interface, bound to that
 * interface's address on an ephemeral port. Queries therefore leave from a port other than 5353,
 * which makes them "legacy unicast" queries (RFC 6762 §6.7): every responder answers straight to
 * our socket, with no multicast membership and no sharing of port 5353 with a local Avahi.
 * Reverse lookups share the sockets and run concurrently; the DNS-SD browse runs once. close()
 * releases sockets and timers; the sockets are unref'd so a forgotten session never holds the
 * process open (a pending lookup's own timer does, while it waits).
 */
export class MdnsSession {
  private readonly waiters = new Map<string, Set<ReverseWaiter>>();
  private readonly browseListeners = new Set<(records: BrowseRecord[]) => void>();
  private readonly closers = new Set<() => void>();
  private browsing: Promise<MdnsBrowseResult> | undefined;
  private closed = false;

  private constructor(
    private readonly endpoints: readonly Endpoint[],
    private readonly destination: { address: string; port: number },
    private readonly browseLimits: BrowseLimits | undefined,
    /** Interfaces that could not be opened, with the reason (for the debug log). */
    readonly openErrors: readonly string[],
  ) {
    for (const endpoint of endpoints) endpoint.socket.on('message', (message) => this.receive(message));
  }

  /** Opens one socket per interface; fails only when none could be opened. */
  static async open(options: MdnsSessionOptions): Promise<LookupOutcome<MdnsSession>> {
    const destination = options.destination ?? MDNS_GROUP;
    const addresses = [...new Set(options.interfaces)];
    const opened = await Promise.all(addresses.map((address) => openEndpoint(address)));
    const endpoints = opened.filter((entry): entry is Endpoint => 'socket' in entry);
    const errors = opened.filter((entry): entry is { error: string } => 'error' in entry).map((entry) => entry.error);
    if (endpoints.length === 0) {
      return notFound('failed', errors.length > 0 ? errors.join('; ') : 'no IPv4 interface to query mDNS on');
    }
    return found(new MdnsSession(endpoints, destination, options.browseLimits, errors));
  }

  get interfaces(): string[] {
    return this.endpoints.map((endpoint) => endpoint.address);
  }

  /**
   * PTR for the address's `in-addr.arpa` name, asked on every interface (the responder owning the
   * address answers; the others stay silent). Resent once at half time; the first answer wins.
   */
  reverse(ip: string, options: { timeoutMs?: number; signal?: AbortSignal } = {}): Promise<LookupOutcome<NameHint[]>> {
    const timeoutMs = options.timeoutMs ?? DEFAULT_MDNS_REVERSE_TIMEOUT_MS;
    const owner = isIPv4(ip) ? reverseName(ip) : null;
    if (owner === null)
      return Promise.resolve(notFound('not_applicable', `mDNS reverse lookup needs IPv4, not "${ip}"`));
    if (this.closed) return Promise.resolve(notFound('failed', 'mDNS session is closed'));
    if (options.signal?.aborted) return Promise.resolve(notFound('aborted', 'mDNS lookup aborted'));
    if (this.pendingReverse() >= MAX_PENDING_REVERSE) {
      return Promise.resolve(notFound('failed', 'too many concurrent mDNS lookups'));
    }
    return new Promise((resolve) => {
      const timers: NodeJS.Timeout[] = [];
      let settled = false;
      const waiter: ReverseWaiter = {
        owner,
        deliver: (names) => finish(found(hintsFrom('mdns', names))),
      };
      const finish = (outcome: LookupOutcome<NameHint[]>): void => {
        if (settled) return;
        settled = true;
        for (const timer of timers) clearTimeout(timer);
        options.signal?.removeEventListener('abort', onAbort);
        this.closers.delete(onClose);
        const set = this.waiters.get(owner);
        set?.delete(waiter);
        if (set?.size === 0) this.waiters.delete(owner);
        resolve(outcome);
      };
      const onAbort = (): void => finish(notFound('aborted', 'mDNS lookup aborted'));
      const onClose = (): void => finish(notFound('failed', 'mDNS session closed during the lookup'));
      options.signal?.addEventListener('abort', onAbort, { once: true });
      this.closers.add(onClose);
      const set = this.waiters.get(owner) ?? new Set<ReverseWaiter>();
      set.add(waiter);
      this.waiters.set(owner, set);

      const ask = (): void => {
        void this.sendQuestions([{ name: owner, type: 'PTR' }]).then((errors) => {
          if (errors.length === this.endpoints.length) finish(notFound('failed', errors.join('; ')));
        });
      };
      ask();
      timers.push(setTimeout(ask, Math.floor(timeoutMs / 2)));
      timers.push(
        setTimeout(() => finish(notFound('timeout', `no mDNS answer for ${ip} within ${timeoutMs} ms`)), timeoutMs),
      );
    });
  }

  /**
   * DNS-SD browse of every segment within one budget. Runs once per session: later calls get the
   * same result. Follow-up questions go out as answers arrive; the browse ends when the segment has
   * been quiet for a while (unanswered questions resent once first), at the budget, or on abort.
   */
  browse(options: { budgetMs?: number; signal?: AbortSignal } = {}): Promise<MdnsBrowseResult> {
    this.browsing ??= this.runBrowse(options.budgetMs ?? DEFAULT_MDNS_BROWSE_MS, options.signal);
    return this.browsing;
  }

  /** Closes every socket and ends pending lookups; safe to call more than once. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    for (const close of [...this.closers]) close();
    await Promise.all(
      this.endpoints.map(
        (endpoint) =>
          new Promise<void>((resolve) => {
            try {
              endpoint.socket.close(() => resolve());
            } catch {
              resolve(); // already closed
            }
          }),
      ),
    );
  }

  private runBrowse(budgetMs: number, signal: AbortSignal | undefined): Promise<MdnsBrowseResult> {
    const started = performance.now();
    const state = new DnsSdBrowse(this.browseLimits);
    const errors = new Set<string>();
    // Long enough for responders that delay shared answers by up to 120 ms (RFC 6762 §6), short
    // enough that a silent segment costs well under the budget.
    const quietMs = Math.min(400, Math.max(150, Math.floor(budgetMs / 4)));
    let resent = false;
    let sent = 0;
    return new Promise((resolve) => {
      if (this.closed || budgetMs <= 0 || signal?.aborted) {
        resolve({ hosts: [], complete: false, questionsSent: 0, durationMs: 0, errors: [] });
        return;
      }
      let quietTimer: NodeJS.Timeout | undefined;
      let settled = false;
      const send = (questions: readonly BrowseQuestion[]): void => {
        if (settled || questions.length === 0) return;
        sent += questions.length;
        void this.sendQuestions(questions).then((failures) => {
          for (const failure of failures) errors.add(failure);
        });
        armQuiet();
      };
      const armQuiet = (): void => {
        clearTimeout(quietTimer);
        quietTimer = setTimeout(onQuiet, quietMs);
      };
      const onQuiet = (): void => {
        const missing = state.unanswered();
        if (!resent && missing.length > 0) {
          resent = true;
          send(missing);
          return;
        }
        finish(true);
      };
      const listener = (records: BrowseRecord[]): void => send(state.ingest(records));
      const finish = (complete: boolean): void => {
        if (settled) return;
        settled = true;
        clearTimeout(quietTimer);
        clearTimeout(budgetTimer);
        signal?.removeEventListener('abort', onAbort);
        this.browseListeners.delete(listener);
        this.closers.delete(onClose);
        resolve({
          hosts: state.hostsFound(),
          complete,
          questionsSent: sent,
          durationMs: performance.now() - started,
          errors: [...errors],
        });
      };
      const onAbort = (): void => finish(false);
      const onClose = (): void => finish(false);
      const budgetTimer = setTimeout(() => finish(false), budgetMs);
      signal?.addEventListener('abort', onAbort, { once: true });
      this.closers.add(onClose);
      this.browseListeners.add(listener);
      send(state.start());
    });
  }

  /** One question per datagram (some responders answer only the first of several); resolves with the failures. */
  private async sendQuestions(questions: readonly BrowseQuestion[]): Promise<string[]> {
    if (this.closed) return ['mDNS session is closed'];
    const failures: string[] = [];
    await Promise.all(
      questions.flatMap((question) =>
        this.endpoints.map(
          (endpoint) =>
            new Promise<void>((resolve) => {
              const datagram = dnsPacket.encode({
                type: 'query',
                id: randomInt(0, 0x1_0000),
                flags: 0, // recursion-desired off: mDNS has no recursion
                questions: [{ name: question.name, type: question.type, class: 'IN' }],
              });
              try {
                endpoint.socket.send(datagram, this.destination.port, this.destination.address, (error) => {
                  if (error) failures.push(`mDNS send on ${endpoint.address} failed: ${error.message}`);
                  resolve();
                });
              } catch (error) {
                failures.push(`mDNS send on ${endpoint.address} failed: ${(error as Error).message}`);
                resolve();
              }
            }),
        ),
      ),
    );
    return failures;
  }

  private receive(message: Buffer): void {
    let packet: dnsPacket.DecodedPacket;
    try {
      packet = dnsPacket.decode(message);
    } catch {
      return; // not DNS: ignore, a listener must never throw
    }
    if (packet.type !== 'response') return;
    const records: BrowseRecord[] = [...(packet.answers ?? []), ...(packet.additionals ?? [])].map((answer) => ({
      name: answer.name,
      type: answer.type,
      data: 'data' in answer ? answer.data : undefined,
    }));
    const names = new Map<string, string[]>();
    for (const record of records) {
      if (record.type !== 'PTR' || typeof record.data !== 'string') continue;
      const owner = record.name.toLowerCase();
      if (!this.waiters.has(owner)) continue; // PTRs for other addresses or for services
      names.set(owner, [...(names.get(owner) ?? []), record.data]);
    }
    for (const [owner, list] of names) {
      for (const waiter of [...(this.waiters.get(owner) ?? [])]) waiter.deliver(list);
    }
    for (const listener of [...this.browseListeners]) listener(records);
  }

  private pendingReverse(): number {
    let count = 0;
    for (const set of this.waiters.values()) count += set.size;
    return count;
  }
}

async function openEndpoint(address: string): Promise<Endpoint | { error: string }> {
  if (!isIPv4(address)) return { error: `mDNS interface "${address}" is not an IPv4 address` };
  const socket = createSocket({ type: 'udp4', reuseAddr: false });
  return new Promise((resolve) => {
    const onError = (error: Error): void => {
      socket.close();
      resolve({ error: `mDNS socket on ${address}: ${error.message}` });
    };
    socket.once('error', onError);
    socket.bind({ address, port: 0, exclusive: true }, () => {
      socket.removeListener('error', onError);
      // Later errors (e.g. a failed send) arrive in send callbacks; an unhandled 'error' would crash.
      socket.on('error', () => {});
      try {
        socket.setMulticastInterface(address);
        socket.setMulticastTTL(255); // RFC 6762 §11: responders may drop queries with another TTL
      } catch (error) {
        socket.close();
        resolve({ error: `mDNS socket on ${address}: ${(error as Error).message}` });
        return;
      }
      socket.unref();
      resolve({ address, socket });
    });
  });
}
