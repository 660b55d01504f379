// Reverse DNS against a real dnsmasq serving PTR records on 127.0.78.1:53 (loopback only, no
// upstream: it never forwards). Needs root (port 53) and dnsmasq; skipped with a printed reason
// otherwise, failing instead under CI=true.
import type { Socket } from 'node:dgram';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { reverseDns } from '../../src/discovery/names/reverse-dns.ts';
import {
  announceSkip,
  blackHole,
  closeSocket,
  Daemon,
  failInCi,
  findTool,
  stopAll,
  waitFor,
  whyNot,
} from './support/daemons.ts';

const DNS = '127.0.78.1';
const DEAD = '127.0.78.4'; // a socket that never answers
const NOBODY = '127.0.78.5'; // nothing bound: ICMP port unreachable

const reason = whyNot(['dnsmasq'], 'apt-get install -y dnsmasq');
const skip = announceSkip('reverse DNS against dnsmasq', reason);

let dnsmasq: Daemon | undefined;
let dead: Socket | undefined;

describe.skipIf(skip)('reverseDns against dnsmasq', () => {
  beforeAll(async () => {
    failInCi(reason);
    dnsmasq = new Daemon('dnsmasq', [
      findTool('dnsmasq') as string,
      '--keep-in-foreground',
      '--conf-file=/dev/null',
      '--no-resolv',
      '--no-hosts',
      '--bind-interfaces',
      `--listen-address=${DNS}`,
      '--port=53',
      '--pid-file=',
      '--log-facility=-',
      '--user=root',
      // Answer the whole 127.0.78.x reverse zone here: unknown addresses are NXDOMAIN, not REFUSED.
      '--local=/78.0.127.in-addr.arpa/',
      '--ptr-record=9.78.0.127.in-addr.arpa,printer-9.roller.test',
      '--ptr-record=9.78.0.127.in-addr.arpa,alias-9.roller.test',
      '--host-record=nas.roller.test,127.0.78.10',
    ]);
    dead = await blackHole(DEAD, 53);
    const ready = await waitFor(async () => {
      const outcome = await reverseDns('127.0.78.10', { servers: [DNS], timeoutMs: 200 });
      return outcome.ok;
    }, 10_000);
    if (!ready) throw new Error(`dnsmasq did not answer: ${dnsmasq.describe()}`);
  });

  afterAll(async () => {
    await closeSocket(dead);
    await stopAll();
  });

  it('returns every PTR name, trimmed, without the trailing dot', async () => {
    const outcome = await reverseDns('127.0.78.9', { servers: [DNS], timeoutMs: 500 });
    expect(outcome.ok && [...outcome.value].sort((a, b) => a.name.localeCompare(b.name))).toEqual([
      { source: 'reverse_dns', name: 'alias-9.roller.test' },
      { source: 'reverse_dns', name: 'printer-9.roller.test' },
    ]);
    expect(await reverseDns('127.0.78.10', { servers: [`${DNS}:53`], timeoutMs: 500 })).toEqual({
      ok: true,
      value: [{ source: 'reverse_dns', name: 'nas.roller.test' }],
    });
  });

  it('says "no PTR" when the resolver answers NXDOMAIN', async () => {
    expect(await reverseDns('127.0.78.11', { servers: [DNS], timeoutMs: 500 })).toEqual({
      ok: false,
      kind: 'no_name',
      error: `no PTR record for 127.0.78.11 (NXDOMAIN from ${DNS})`,
    });
  });

  it('reports a refusing resolver as a server failure', async () => {
    // dnsmasq has no upstream, so it refuses names outside its own zone (nothing is forwarded).
    expect(await reverseDns('10.0.0.1', { servers: [DNS], timeoutMs: 500 })).toEqual({
      ok: false,
      kind: 'failed',
      error: `${DNS} answered REFUSED`,
    });
  });

  it('times out on a dead resolver within its budget, and says so', async () => {
    const started = performance.now();
    const outcome = await reverseDns('127.0.78.9', { servers: [DEAD], timeoutMs: 300 });
    const elapsed = performance.now() - started;
    expect(outcome).toEqual({
      ok: false,
      kind: 'timeout',
      error: `no answer from ${DEAD} within 300 ms (resolver dead or unreachable)`,
    });
    expect(elapsed).toBeGreaterThanOrEqual(280);
    expect(elapsed).toBeLessThan(600);
  });

  it('tells at once when nothing listens at the resolver address', async () => {
    const started = performance.now();
    const outcome = await reverseDns('127.0.78.9', { servers: [NOBODY], timeoutMs: 2_000 });
    expect(outcome).toEqual({
      ok: false,
      kind: 'unreachable',
      error: `${NOBODY} refused: nothing listens on its DNS port (ICMP port unreachable)`,
    });
    expect(performance.now() - started).toBeLessThan(500);
  });

  it('asks all resolvers at once: a dead first resolver costs nothing', async () => {
    const started = performance.now();
    const outcome = await reverseDns('127.0.78.10', { servers: [DEAD, NOBODY, DNS], timeoutMs: 2_000 });
    expect(outcome).toEqual({ ok: true, value: [{ source: 'reverse_dns', name: 'nas.roller.test' }] });
    expect(performance.now() - started).toBeLessThan(500);
  });

  it('lists each resolver when all fail', async () => {
    const outcome = await reverseDns('127.0.78.9', { servers: [DEAD, NOBODY], timeoutMs: 300 });
    expect(outcome).toEqual({
      ok: false,
      kind: 'failed',
      error: expect.stringMatching(/no answer from 127\.0\.78\.4 within 300 ms.*; 127\.0\.78\.5 refused/),
    });
  });

  it('uses the system resolvers when no server is configured', async () => {
    const outcome = await reverseDns('127.0.78.10', { servers: [], timeoutMs: 500, systemServers: () => [DNS] });
    expect(outcome.ok && outcome.value).toEqual([{ source: 'reverse_dns', name: 'nas.roller.test' }]);
    expect(await reverseDns('127.0.78.10', { servers: [], timeoutMs: 500, systemServers: () => [] })).toEqual({
      ok: false,
      kind: 'failed',
      error: 'no DNS resolver configured',
    });
  });

  it('stops at once when aborted', async () => {
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 50);
    const started = performance.now();
    const outcome = await reverseDns('127.0.78.9', { servers: [DEAD], timeoutMs: 5_000, signal: controller.signal });
    expect(outcome).toEqual({ ok: false, kind: 'aborted', error: 'reverse DNS aborted' });
    expect(performance.now() - started).toBeLessThan(500);
  });
});
