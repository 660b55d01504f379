// Runs inside the scanner namespace of mdns.avahi.test.ts (`ip netns exec … node --import tsx`),
// because a Node process cannot enter a network namespace itself. Waits until the daemons answer
// (bounded), then does what enrichment does — open the run's lookups, resolve, browse — and
// prints one JSON line. Never used outside tests.

import { type NameLookupConfig, openNameLookups } from '../../../src/discovery/names/name-lookups.ts';
import { netbiosNodeStatus } from '../../../src/discovery/names/netbios.ts';
import { reverseDns } from '../../../src/discovery/names/reverse-dns.ts';

interface ProbeRequest {
  config: NameLookupConfig;
  interfaces: string[];
  targets: string[];
  readyLimitMs: number;
}

const request = JSON.parse(process.argv[2] ?? '{}') as ProbeRequest;

async function until(check: () => Promise<boolean>, limitMs: number): Promise<number> {
  const started = performance.now();
  while (performance.now() - started < limitMs) {
    if (await check()) return Math.round(performance.now() - started);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return -1;
}

const first = request.targets[0] ?? '';
const ready = {
  dnsMs: await until(
    async () => (await reverseDns(first, { servers: request.config.dnsServers, timeoutMs: 200 })).ok,
    request.readyLimitMs,
  ),
  netbiosMs: await until(async () => {
    const outcome = await netbiosNodeStatus(first, { timeoutMs: 200 });
    return outcome.ok && outcome.value.names.length > 0;
  }, request.readyLimitMs),
};

const opened = performance.now();
const lookups = await openNameLookups(request.config, request.interfaces);
const resolved: Record<string, unknown> = {};
for (const ip of request.targets) {
  const started = performance.now();
  const result = await lookups.resolve(ip);
  resolved[ip] = { ...result, elapsedMs: Math.round(performance.now() - started) };
}
const browsed = await lookups.browse();
const browseMs = Math.round(performance.now() - opened);
await lookups.close();

process.stdout.write(
  `${JSON.stringify({
    ready,
    mdnsUnavailable: lookups.mdnsUnavailable,
    resolved,
    browse: {
      names: Object.fromEntries(browsed.names),
      services: Object.fromEntries(browsed.services),
      complete: browsed.complete,
      errors: browsed.errors,
      elapsedMs: browseMs,
    },
    activeHandles: process.getActiveResourcesInfo().filter((kind) => kind === 'UDPWrap' || kind === 'Timeout').length,
  })}\n`,
);
