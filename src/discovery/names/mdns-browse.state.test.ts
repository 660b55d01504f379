import { describe, expect, it } from 'vitest';
import { type BrowseRecord, DnsSdBrowse, SERVICE_ENUMERATION } from './mdns-browse.state.ts';

const ptr = (name: string, data: string): BrowseRecord => ({ name, type: 'PTR', data });
const srv = (name: string, port: number, target: string): BrowseRecord => ({
  name,
  type: 'SRV',
  data: { priority: 0, weight: 0, port, target },
});
const a = (name: string, data: string): BrowseRecord => ({ name, type: 'A', data });

describe('DnsSdBrowse', () => {
  it('walks types → instances → SRV → A, one question per step', () => {
    const browse = new DnsSdBrowse();
    expect(browse.start()).toEqual([{ name: SERVICE_ENUMERATION, type: 'PTR' }]);
    expect(browse.start()).toEqual([]); // never asked twice

    expect(
      browse.ingest([ptr(SERVICE_ENUMERATION, '_http._tcp.local'), ptr(SERVICE_ENUMERATION, '_ipp._udp.local')]),
    ).toEqual([
      { name: '_http._tcp.local', type: 'PTR' },
      { name: '_ipp._udp.local', type: 'PTR' },
    ]);
    expect(browse.ingest([ptr('_http._tcp.local', 'Roller Web._http._tcp.local')])).toEqual([
      { name: 'roller web._http._tcp.local', type: 'SRV' },
    ]);
    expect(browse.ingest([srv('Roller Web._http._tcp.local', 8080, 'roller-avahi.local')])).toEqual([
      { name: 'roller-avahi.local', type: 'A' },
    ]);
    expect(browse.ingest([a('Roller-Avahi.local', '10.253.1.2')])).toEqual([]);
    expect(browse.hostsFound()).toEqual([
      {
        ip: '10.253.1.2',
        names: [{ source: 'mdns', name: 'Roller-Avahi.local' }],
        services: [{ protocol: 'tcp', port: 8080, name: 'http', source: 'mdns' }],
      },
    ]);
    expect(browse.unanswered()).toEqual([{ name: '_ipp._udp.local', type: 'PTR' }]);
  });

  it('asks nothing that the same response already answers (Avahi legacy-unicast style)', () => {
    const browse = new DnsSdBrowse();
    browse.start();
    browse.ingest([ptr(SERVICE_ENUMERATION, '_ssh._tcp.local')]);
    const next = browse.ingest([
      ptr('_ssh._tcp.local', 'box._ssh._tcp.local'),
      { name: 'box._ssh._tcp.local', type: 'TXT', data: [Buffer.from('')] },
      srv('box._ssh._tcp.local', 22, 'box.local.'),
      a('box.local', '10.0.0.7'),
    ]);
    expect(next).toEqual([]);
    expect(browse.unanswered()).toEqual([]);
    expect(browse.hostsFound()).toEqual([
      {
        ip: '10.0.0.7',
        names: [{ source: 'mdns', name: 'box.local' }],
        services: [{ protocol: 'tcp', port: 22, name: 'ssh', source: 'mdns' }],
      },
    ]);
  });

  it('merges several hosts and services per address, sorted, de-duplicated', () => {
    const browse = new DnsSdBrowse();
    browse.start();
    browse.ingest([
      ptr(SERVICE_ENUMERATION, '_http._tcp.local'),
      ptr(SERVICE_ENUMERATION, '_ipp._udp.local'),
      ptr(SERVICE_ENUMERATION, '_ssh._tcp.local'),
    ]);
    browse.ingest([
      ptr('_http._tcp.local', 'a._http._tcp.local'),
      ptr('_http._tcp.local', 'b._http._tcp.local'),
      ptr('_ipp._udp.local', 'p._ipp._udp.local'),
      ptr('_ssh._tcp.local', 's._ssh._tcp.local'),
      srv('a._http._tcp.local', 80, 'one.local'),
      srv('b._http._tcp.local', 80, 'one.local'),
      srv('p._ipp._udp.local', 631, 'one.local'),
      srv('s._ssh._tcp.local', 22, 'two.local'),
      a('one.local', '10.0.0.20'),
      a('one.local', '10.0.0.3'),
      a('two.local', '10.0.0.20'),
    ]);
    expect(browse.hostsFound()).toEqual([
      {
        ip: '10.0.0.3',
        names: [{ source: 'mdns', name: 'one.local' }],
        services: [
          { protocol: 'tcp', port: 80, name: 'http', source: 'mdns' },
          { protocol: 'udp', port: 631, name: 'ipp', source: 'mdns' },
        ],
      },
      {
        ip: '10.0.0.20',
        names: [
          { source: 'mdns', name: 'one.local' },
          { source: 'mdns', name: 'two.local' },
        ],
        services: [
          { protocol: 'tcp', port: 22, name: 'ssh', source: 'mdns' },
          { protocol: 'tcp', port: 80, name: 'http', source: 'mdns' },
          { protocol: 'udp', port: 631, name: 'ipp', source: 'mdns' },
        ],
      },
    ]);
  });

  it('ignores unrelated and malformed records, port 0 and non-IPv4 data', () => {
    const browse = new DnsSdBrowse();
    browse.start();
    const next = browse.ingest([
      ptr(SERVICE_ENUMERATION, 'not-a-service.local'),
      ptr(SERVICE_ENUMERATION, '_odd._sctp.local'),
      ptr('2.1.253.10.in-addr.arpa', 'roller-avahi.local'),
      ptr('_unknown._tcp.local', 'x._unknown._tcp.local'),
      { name: SERVICE_ENUMERATION, type: 'PTR', data: 42 },
      { name: 'x._http._tcp.local', type: 'SRV', data: 'garbage' },
      srv('off._http._tcp.local', 0, 'off.local'),
      a('off.local', '10.0.0.9'),
      a('v6.local', 'fe80::1'),
      a('bad.local', 'not-an-ip'),
    ]);
    expect(next).toEqual([]);
    // The SRV with port 0 is stored (its A is known), but offers no service.
    expect(browse.hostsFound()).toEqual([
      { ip: '10.0.0.9', names: [{ source: 'mdns', name: 'off.local' }], services: [] },
    ]);
  });

  it('uses an SRV that arrives before the PTR that names its instance', () => {
    const browse = new DnsSdBrowse();
    browse.start();
    browse.ingest([srv('early._smb._tcp.local', 445, 'nas.local'), a('nas.local', '10.0.0.5')]);
    expect(browse.hostsFound()[0]?.services).toEqual([{ protocol: 'tcp', port: 445, name: 'smb', source: 'mdns' }]);
  });

  it('does not ask about names it cannot encode (a dot inside a label) but uses their records', () => {
    const browse = new DnsSdBrowse();
    browse.start();
    browse.ingest([ptr(SERVICE_ENUMERATION, '_ipp._tcp.local')]);
    expect(browse.ingest([ptr('_ipp._tcp.local', 'Office\\.Printer._ipp._tcp.local')])).toEqual([]);
    browse.ingest([srv('Office\\.Printer._ipp._tcp.local', 631, 'prn.local'), a('prn.local', '10.0.0.8')]);
    expect(browse.hostsFound()[0]?.services).toEqual([{ protocol: 'tcp', port: 631, name: 'ipp', source: 'mdns' }]);
  });

  it('stops growing at its limits', () => {
    const browse = new DnsSdBrowse({ maxTypes: 2, maxInstances: 3, maxHosts: 2, maxQuestions: 5 });
    browse.start();
    const types = browse.ingest(
      ['_a._tcp.local', '_b._tcp.local', '_c._tcp.local'].map((type) => ptr(SERVICE_ENUMERATION, type)),
    );
    expect(types).toHaveLength(2);
    const instances = browse.ingest(
      Array.from({ length: 10 }, (_, index) => ptr('_a._tcp.local', `i${index}._a._tcp.local`)),
    );
    expect(instances).toHaveLength(2); // 1 + 2 + 2 = the question cap of 5
    expect(browse.questionCount).toBe(5);
    browse.ingest([a('h1.local', '10.0.0.1'), a('h2.local', '10.0.0.2'), a('h3.local', '10.0.0.3')]);
    expect(browse.hostsFound().map((host) => host.ip)).toEqual(['10.0.0.1', '10.0.0.2']);
  });
});
