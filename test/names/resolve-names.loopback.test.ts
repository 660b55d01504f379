// The run-level name lookups with real sockets: dnsmasq for reverse DNS on 127.0.78.11, the
// mDNS stand-in on 127.0.78.14:5353 and a node-status responder on the target address itself
// (127.0.78.30, ephemeral port). Shows the three lookups run side by side, each in its own
// budget, merged in source order. Needs root and dnsmasq; skipped with a printed reason otherwise.
import type { Socket } from 'node:dgram';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type NameLookupConfig, openNameLookups, type RunNameLookups } from '../../src/discovery/names/name-lookups.ts';
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
import { MdnsResponder } from './support/mdns-responder.ts';
import { NbstatResponder } from './support/nbstat-responder.ts';

const DNS = '127.0.78.11';
const MDNS = '127.0.78.14';
const TARGET = '127.0.78.30';
const SILENT_TARGET = '127.0.78.31';
const DELAY_MS = 150;

const reason = whyNot(['dnsmasq'], 'apt-get install -y dnsmasq');
const skip = announceSkip('name resolution on loopback', reason);

const CONFIG: NameLookupConfig = {
  dnsServers: [DNS],
  dnsTimeoutMs: 400,
  mdnsTimeoutMs: 400,
  mdnsBrowseMs: 1000,
  netbiosTimeoutMs: 400,
};

let mdns: MdnsResponder | undefined;
let netbios: NbstatResponder | undefined;
let silentNetbios: Socket | undefined;
let lookups: RunNameLookups | undefined;

describe.skipIf(skip)('RunNameLookups on loopback', () => {
  beforeAll(async () => {
    failInCi(reason);
    const dnsmasq = new Daemon('dnsmasq', [
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
      '--local=/78.0.127.in-addr.arpa/',
      `--ptr-record=30.78.0.127.in-addr.arpa,rn-host.roller.test`,
    ]);
    const ready = await waitFor(async () => (await reverseDns(TARGET, { servers: [DNS], timeoutMs: 200 })).ok, 10_000);
    if (!ready) throw new Error(`dnsmasq did not answer: ${dnsmasq.describe()}`);
    // Every source answers after DELAY_MS: in a row they would take three times as long.
    mdns = await MdnsResponder.start(
      MDNS,
      5353,
      [
        { name: '30.78.0.127.in-addr.arpa', type: 'PTR', data: 'RN-Host.local' },
        { name: '_services._dns-sd._udp.local', type: 'PTR', data: '_http._tcp.local' },
        { name: '_http._tcp.local', type: 'PTR', data: 'web._http._tcp.local' },
        {
          name: 'web._http._tcp.local',
          type: 'SRV',
          data: { priority: 0, weight: 0, port: 80, target: 'rn-host.local' },
        },
        { name: 'rn-host.local', type: 'A', data: TARGET },
      ],
      { delayMs: DELAY_MS },
    );
    netbios = await NbstatResponder.start(TARGET, {
      names: [
        { name: 'RN-HOST', suffix: 0x20 },
        { name: 'rn-host.local', suffix: 0x00 }, // the mDNS name again: dropped when mDNS found it
      ],
      mac: [0x02, 0x52, 0x4c, 0x00, 0x00, 0x1e],
      delayMs: DELAY_MS,
    });
    silentNetbios = await blackHole(SILENT_TARGET, netbios.port);
    lookups = await openNameLookups(CONFIG, ['127.0.0.1'], {
      netbiosPort: netbios.port,
      mdnsDestination: { address: MDNS, port: 5353 },
    });
  });

  afterAll(async () => {
    await lookups?.close();
    await mdns?.close();
    await netbios?.close();
    await closeSocket(silentNetbios);
    await stopAll();
  });

  it('resolves one address through all three sources at once', async () => {
    const started = performance.now();
    const resolved = await lookups?.resolve(TARGET);
    const elapsed = performance.now() - started;
    expect(resolved).toEqual({
      hints: [
        { source: 'reverse_dns', name: 'rn-host.roller.test' },
        { source: 'mdns', name: 'RN-Host.local' },
        { source: 'netbios', name: 'RN-HOST' },
      ],
      errors: [],
      failures: [],
      mac: '02:52:4c:00:00:1e',
    });
    expect(elapsed).toBeLessThan(2 * DELAY_MS + 100); // side by side: about one delay, not three
  });

  it('gives each dead source its own budget and names every failure', async () => {
    const started = performance.now();
    const resolved = await lookups?.resolve(SILENT_TARGET);
    const elapsed = performance.now() - started;
    expect(resolved?.hints).toEqual([]);
    expect(resolved?.failures.map((failure) => [failure.source, failure.kind])).toEqual([
      ['reverse_dns', 'no_name'],
      ['mdns', 'timeout'],
      ['netbios', 'timeout'],
    ]);
    expect(resolved?.errors).toEqual([
      `reverse_dns (no_name): no PTR record for ${SILENT_TARGET} (NXDOMAIN from ${DNS})`,
      `mdns (timeout): no mDNS answer for ${SILENT_TARGET} within 400 ms`,
      `netbios (timeout): no NetBIOS answer from ${SILENT_TARGET} within 400 ms`,
    ]);
    expect(elapsed).toBeGreaterThanOrEqual(380);
    expect(elapsed).toBeLessThan(400 + 250); // the largest budget, not their sum
  });

  it('has browsed the segment since it opened', async () => {
    const browsed = await lookups?.browse();
    expect(browsed?.names.get(TARGET)).toEqual([{ source: 'mdns', name: 'rn-host.local' }]);
    expect(browsed?.services.get(TARGET)).toEqual([{ protocol: 'tcp', port: 80, name: 'http', source: 'mdns' }]);
    expect(browsed?.complete).toBe(true);
  });

  it('runs without mDNS when no interface opens, and says why', async () => {
    const without = await openNameLookups({ ...CONFIG, mdnsBrowseMs: 0 }, [], { netbiosPort: netbios?.port });
    try {
      expect(without.mdnsUnavailable).toBe('no IPv4 interface to query mDNS on');
      const resolved = await without.resolve(TARGET);
      expect(resolved.hints).toEqual([
        { source: 'reverse_dns', name: 'rn-host.roller.test' },
        { source: 'netbios', name: 'RN-HOST' },
        { source: 'netbios', name: 'rn-host.local' },
      ]);
      expect(await without.browse()).toMatchObject({ complete: true, names: new Map(), services: new Map() });
    } finally {
      await without.close();
    }
  });
});
