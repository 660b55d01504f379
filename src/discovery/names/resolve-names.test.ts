import { describe, expect, it } from 'vitest';
import type { NameHint } from '../../domain/enrichment.types.ts';
import { found, type LookupOutcome, notFound } from './lookup.types.ts';
import { type NameFindings, type NameLookup, resolveNames } from './resolve-names.ts';

const BUDGETS = { reverseDnsMs: 120, mdnsMs: 80, netbiosMs: 100 };

/** A lookup that answers after `delayMs` unless its own timeout (or an abort) comes first, like the real ones. */
function delayed(delayMs: number, outcome: () => LookupOutcome<NameFindings>) {
  const calls: { ip: string; timeoutMs: number }[] = [];
  const lookup: NameLookup = (ip, timeoutMs, signal) => {
    calls.push({ ip, timeoutMs });
    return new Promise((resolve) => {
      const answer = setTimeout(() => finish(outcome()), delayMs);
      const giveUp = setTimeout(() => finish(notFound('timeout', `gave up after ${timeoutMs} ms`)), timeoutMs);
      const finish = (result: LookupOutcome<NameFindings>): void => {
        clearTimeout(answer);
        clearTimeout(giveUp);
        resolve(result);
      };
      signal.addEventListener('abort', () => finish(notFound('aborted', 'aborted')));
    });
  };
  return { lookup, calls };
}

const names = (source: NameHint['source'], ...list: string[]): NameHint[] => list.map((name) => ({ source, name }));

describe('resolveNames', () => {
  it('runs the lookups concurrently, each with its own budget', async () => {
    const dns = delayed(100, () => found({ names: names('reverse_dns', 'nas.lan') }));
    const mdns = delayed(100, () => found({ names: names('mdns', 'nas.local') }));
    const netbios = delayed(100, () => found({ names: names('netbios', 'NAS'), mac: '00:1b:21:ab:cd:ef' }));
    const started = performance.now();
    const result = await resolveNames(
      '10.0.0.5',
      { reverseDns: dns.lookup, mdns: mdns.lookup, netbios: netbios.lookup },
      { reverseDnsMs: 400, mdnsMs: 300, netbiosMs: 350 },
    );
    const elapsed = performance.now() - started;
    expect(elapsed).toBeLessThan(250); // three 100 ms lookups side by side, not 300 ms in a row
    expect(dns.calls).toEqual([{ ip: '10.0.0.5', timeoutMs: 400 }]);
    expect(mdns.calls).toEqual([{ ip: '10.0.0.5', timeoutMs: 300 }]);
    expect(netbios.calls).toEqual([{ ip: '10.0.0.5', timeoutMs: 350 }]);
    expect(result).toMatchObject({
      names: [
        { source: 'reverse_dns', name: 'nas.lan' },
        { source: 'mdns', name: 'nas.local' },
        { source: 'netbios', name: 'NAS' },
      ],
      mac: '00:1b:21:ab:cd:ef',
      failures: [],
    });
  });

  it('gives a slow lookup no more than its budget and keeps what the others found', async () => {
    const slowDns = delayed(5_000, () => found({ names: names('reverse_dns', 'late.lan') }));
    const netbios = delayed(10, () => found({ names: names('netbios', 'PC1', 'pc1') }));
    const started = performance.now();
    const result = await resolveNames('10.0.0.6', { reverseDns: slowDns.lookup, netbios: netbios.lookup }, BUDGETS);
    expect(performance.now() - started).toBeLessThan(120 + 80);
    expect(result.names).toEqual([{ source: 'netbios', name: 'PC1' }]);
    expect(result.mac).toBeNull();
    expect(result.failures).toEqual([{ source: 'reverse_dns', kind: 'timeout', error: 'gave up after 120 ms' }]);
  });

  it('de-duplicates across sources case-insensitively in the order reverse_dns, mdns, netbios', async () => {
    // netbios answers first, but the merge order is fixed by source, not by arrival.
    const result = await resolveNames(
      '10.0.0.7',
      {
        netbios: delayed(1, () => found({ names: names('netbios', 'printer.local', 'PRN') })).lookup,
        mdns: delayed(20, () => found({ names: names('mdns', 'Printer.local.') })).lookup,
        reverseDns: delayed(40, () => found({ names: names('reverse_dns', 'prn') })).lookup,
      },
      BUDGETS,
    );
    expect(result.names).toEqual([
      { source: 'reverse_dns', name: 'prn' },
      { source: 'mdns', name: 'Printer.local' },
    ]);
  });

  it('reports every failure per source and runs only the lookups it was given', async () => {
    const result = await resolveNames(
      '10.0.0.8',
      {
        reverseDns: async () => notFound('no_name', 'no PTR record for 10.0.0.8 (NXDOMAIN from 127.0.78.1)'),
        netbios: async () => {
          throw new Error('bug in a lookup');
        },
      },
      BUDGETS,
    );
    expect(result.names).toEqual([]);
    expect(result.failures).toEqual([
      { source: 'reverse_dns', kind: 'no_name', error: 'no PTR record for 10.0.0.8 (NXDOMAIN from 127.0.78.1)' },
      { source: 'netbios', kind: 'failed', error: 'lookup threw: bug in a lookup' },
    ]);
  });

  it('abandons a lookup that ignores its signal shortly after its budget', async () => {
    const stubborn: NameLookup = () => new Promise(() => {}); // never settles, never listens
    const started = performance.now();
    const result = await resolveNames('10.0.0.9', { mdns: stubborn }, BUDGETS);
    expect(performance.now() - started).toBeLessThan(80 + 100 + 60);
    expect(result.failures).toEqual([
      { source: 'mdns', kind: 'timeout', error: 'lookup did not finish within its 80 ms budget' },
    ]);
  });

  it('ends every lookup when the caller aborts', async () => {
    const controller = new AbortController();
    const pending = resolveNames(
      '10.0.0.10',
      {
        reverseDns: delayed(5_000, () => found({ names: [] })).lookup,
        netbios: delayed(5_000, () => found({ names: [] })).lookup,
      },
      { reverseDnsMs: 5_000, mdnsMs: 5_000, netbiosMs: 5_000 },
      controller.signal,
    );
    setTimeout(() => controller.abort(), 20);
    const started = performance.now();
    const result = await pending;
    expect(performance.now() - started).toBeLessThan(200);
    expect(result.failures.map((error) => [error.source, error.kind])).toEqual([
      ['reverse_dns', 'aborted'],
      ['netbios', 'aborted'],
    ]);
  });

  it('does not start anything for an already aborted signal', async () => {
    const dns = delayed(1, () => found({ names: names('reverse_dns', 'x') }));
    const result = await resolveNames('10.0.0.11', { reverseDns: dns.lookup }, BUDGETS, AbortSignal.abort());
    expect(dns.calls).toEqual([]);
    expect(result.failures).toEqual([{ source: 'reverse_dns', kind: 'aborted', error: 'name resolution aborted' }]);
  });
});
