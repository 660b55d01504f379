// The mDNS session with real sockets on loopback. Loopback has no multicast, so the session's
// destination seam points at a unicast stand-in responder (support/mdns-responder.ts) on
// 127.0.78.13:5353; the real multicast path is tested against Avahi in mdns.avahi.test.ts.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { MdnsSession } from '../../src/discovery/names/mdns.ts';
import { MdnsResponder, sampleZone } from './support/mdns-responder.ts';

const RESPONDER_IP = '127.0.78.13';
const DESTINATION = { address: RESPONDER_IP, port: 5353 };

let responder: MdnsResponder;
const sessions: MdnsSession[] = [];

async function openSession(destination = DESTINATION): Promise<MdnsSession> {
  const opened = await MdnsSession.open({ interfaces: ['127.0.0.1'], destination });
  if (!opened.ok) throw new Error(opened.error);
  sessions.push(opened.value);
  return opened.value;
}

/** UDP sockets and timers alive in this process, to prove close() leaves nothing behind. */
function handles(): { udp: number; timers: number } {
  const info = process.getActiveResourcesInfo();
  return {
    udp: info.filter((kind) => kind === 'UDPWrap').length,
    timers: info.filter((kind) => kind === 'Timeout').length,
  };
}

describe('MdnsSession on loopback', () => {
  beforeAll(async () => {
    responder = await MdnsResponder.start(RESPONDER_IP, 5353, sampleZone(), {
      noise: [{ name: '9.9.9.10.in-addr.arpa', type: 'PTR', data: 'unrelated.local' }],
    });
  });

  afterEach(async () => {
    await Promise.all(sessions.splice(0).map((session) => session.close()));
  });

  afterAll(async () => {
    await responder.close();
  });

  it('answers a reverse lookup with the PTR for that address only', async () => {
    const session = await openSession();
    expect(await session.reverse('10.9.0.5')).toEqual({
      ok: true,
      value: [{ source: 'mdns', name: 'fake-host.local' }],
    });
    expect(responder.asked).toContain('PTR 5.0.9.10.in-addr.arpa');
  });

  it('times out for an address nobody claims, within its timeout', async () => {
    const session = await openSession();
    const started = performance.now();
    const outcome = await session.reverse('10.9.0.77', { timeoutMs: 250 });
    expect(outcome).toEqual({ ok: false, kind: 'timeout', error: 'no mDNS answer for 10.9.0.77 within 250 ms' });
    expect(performance.now() - started).toBeLessThan(500);
  });

  it('runs many reverse lookups concurrently on the same sockets', async () => {
    const session = await openSession();
    const started = performance.now();
    const outcomes = await Promise.all(
      Array.from({ length: 40 }, (_, index) =>
        session.reverse(index % 2 === 0 ? '10.9.0.5' : '10.9.0.88', { timeoutMs: 300 }),
      ),
    );
    expect(performance.now() - started).toBeLessThan(700);
    outcomes.forEach((outcome, index) => {
      if (index % 2 === 0) expect(outcome).toEqual({ ok: true, value: [{ source: 'mdns', name: 'fake-host.local' }] });
      else expect(outcome).toMatchObject({ ok: false, kind: 'timeout' });
    });
  });

  it('browses the segment once: hosts with their .local names and advertised services', async () => {
    const session = await openSession();
    const result = await session.browse({ budgetMs: 1500 });
    expect(result.hosts).toEqual([
      {
        ip: '10.9.0.5',
        names: [{ source: 'mdns', name: 'fake-host.local' }],
        services: [
          { protocol: 'tcp', port: 8080, name: 'http', source: 'mdns' },
          { protocol: 'udp', port: 631, name: 'ipp', source: 'mdns' },
        ],
      },
      {
        ip: '10.9.0.6',
        names: [{ source: 'mdns', name: 'other.local' }],
        services: [{ protocol: 'tcp', port: 22, name: 'ssh', source: 'mdns' }],
      },
    ]);
    expect(result.complete).toBe(true);
    expect(result.errors).toEqual([]);
    expect(result.durationMs).toBeLessThan(1500);
    expect(await session.browse()).toBe(result); // once per session
  });

  it('needs fewer questions when the responder sends additionals, and resends a lost question once', async () => {
    const chatty = await MdnsResponder.start('127.0.78.16', 5353, sampleZone(), {
      additionals: true,
      dropFirst: ['_services._dns-sd._udp.local'],
    });
    try {
      const session = await openSession({ address: '127.0.78.16', port: 5353 });
      const result = await session.browse({ budgetMs: 1500 });
      expect(result.hosts.map((host) => [host.ip, host.services.length])).toEqual([
        ['10.9.0.5', 2],
        ['10.9.0.6', 1],
      ]);
      expect(chatty.asked.filter((key) => key === 'PTR _services._dns-sd._udp.local')).toHaveLength(2);
      expect(chatty.asked.some((key) => key.startsWith('SRV') || key.startsWith('A '))).toBe(false);
    } finally {
      await chatty.close();
    }
  });

  it('ends a browse of a silent segment early, and at its budget at the latest', async () => {
    const session = await openSession({ address: '127.0.78.17', port: 5353 }); // nobody there
    const quiet = await session.browse({ budgetMs: 1500 });
    expect(quiet).toMatchObject({ hosts: [], complete: true });
    expect(quiet.durationMs).toBeLessThan(1200); // silence for twice the quiet period, not the budget
    const other = await openSession({ address: '127.0.78.17', port: 5353 });
    const cut = await other.browse({ budgetMs: 200 });
    expect(cut.complete).toBe(false);
    expect(cut.durationMs).toBeLessThan(400);
  });

  it('close() ends pending lookups and leaves no socket or timer behind', async () => {
    const before = handles();
    const session = await openSession({ address: '127.0.78.17', port: 5353 });
    const pending = session.reverse('10.9.0.5', { timeoutMs: 5_000 });
    const browsing = session.browse({ budgetMs: 5_000 });
    await session.close();
    expect(await pending).toEqual({ ok: false, kind: 'failed', error: 'mDNS session closed during the lookup' });
    expect((await browsing).complete).toBe(false);
    expect(await session.reverse('10.9.0.5')).toMatchObject({ ok: false, kind: 'failed' });
    await session.close(); // twice is fine
    await new Promise((resolve) => setImmediate(resolve));
    expect(handles()).toEqual(before);
  });

  it('honours an abort signal', async () => {
    const session = await openSession({ address: '127.0.78.17', port: 5353 });
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 30);
    const [reverse, browse] = await Promise.all([
      session.reverse('10.9.0.5', { timeoutMs: 5_000, signal: controller.signal }),
      session.browse({ budgetMs: 5_000, signal: controller.signal }),
    ]);
    expect(reverse).toEqual({ ok: false, kind: 'aborted', error: 'mDNS lookup aborted' });
    expect(browse.complete).toBe(false);
    expect(browse.durationMs).toBeLessThan(300);
  });

  it('opens the interfaces it can and fails only when none opens', async () => {
    const partly = await MdnsSession.open({
      interfaces: ['127.0.0.1', 'fe80::1', '192.0.2.1'],
      destination: DESTINATION,
    });
    expect(partly.ok).toBe(true);
    if (partly.ok) {
      sessions.push(partly.value);
      expect(partly.value.interfaces).toEqual(['127.0.0.1']);
      expect(partly.value.openErrors).toEqual([
        'mDNS interface "fe80::1" is not an IPv4 address',
        expect.stringMatching(/^mDNS socket on 192\.0\.2\.1: .*EADDRNOTAVAIL/),
      ]);
    }
    expect(await MdnsSession.open({ interfaces: [] })).toEqual({
      ok: false,
      kind: 'failed',
      error: 'no IPv4 interface to query mDNS on',
    });
    const session = await openSession();
    expect(await session.reverse('fe80::1')).toMatchObject({ ok: false, kind: 'not_applicable' });
  });
});
