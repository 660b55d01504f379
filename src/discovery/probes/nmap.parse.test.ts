import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseNmapXml } from './nmap.parse.ts';

/** Real nmap 7.93 output: connect scan of listeners we started on 127.0.78.5/.6 (.7 has none). */
const LOOPBACK = readFileSync(new URL('./nmap.loopback-7.93.xml', import.meta.url), 'utf8');
/** Real nmap 7.93 output for `-p 1-1000`: 999 closed ports folded into one <extraports>. */
const EXTRAPORTS = readFileSync(new URL('./nmap.extraports-7.93.xml', import.meta.url), 'utf8');

const HEADER = `<?xml version="1.0" encoding="UTF-8"?>
<!DOCTYPE nmaprun>
<nmaprun scanner="nmap" args="nmap -oX - -Pn -sT -n -&#45;host-timeout 900ms" start="1795741989" version="7.93" xmloutputversion="1.05">
<scaninfo type="connect" protocol="tcp" numservices="3" services="22,80,443"/>
<verbose level="0"/>
<debugging level="0"/>
`;
const FOOTER = `<runstats><finished time="1795741989" elapsed="0.04" exit="success"/><hosts up="1" down="0" total="1"/>
</runstats>
</nmaprun>
`;

describe('parseNmapXml', () => {
  it('reads every scanned host of a real run with its open ports only', () => {
    expect(parseNmapXml(LOOPBACK)).toEqual({
      ok: true,
      value: {
        hosts: [
          {
            ip: '127.0.78.5',
            mac: null,
            timedOut: false,
            services: [
              { protocol: 'tcp', port: 631, name: 'ipp', source: 'nmap' },
              { protocol: 'tcp', port: 2222, name: 'EtherNetIP-1', source: 'nmap' },
              { protocol: 'tcp', port: 8080, name: 'http-proxy', source: 'nmap' },
            ],
          },
          {
            ip: '127.0.78.6',
            mac: null,
            timedOut: false,
            services: [{ protocol: 'tcp', port: 8081, name: 'blackice-icecap', source: 'nmap' }],
          },
          // Scanned, nothing open: present, so it is not mistaken for "not scanned".
          { ip: '127.0.78.7', mac: null, timedOut: false, services: [] },
        ],
        truncated: false,
        nmapError: null,
      },
    });
  });

  it('ignores <extraports> and keeps the open port listed beside it', () => {
    const parsed = parseNmapXml(EXTRAPORTS);
    expect(parsed.ok && parsed.value.hosts).toEqual([
      {
        ip: '127.0.78.5',
        mac: null,
        timedOut: false,
        services: [{ protocol: 'tcp', port: 631, name: 'ipp', source: 'nmap' }],
      },
    ]);
  });

  it('reads a single host with a single port (isArray), a MAC and entities; ignores <hosthint>', () => {
    const xml = `${HEADER}<hosthint><status state="up" reason="arp-response" reason_ttl="0"/>
<address addr="10.250.0.11" addrtype="ipv4"/>
<address addr="02:52:4C:00:00:0B" addrtype="mac"/>
<hostnames>
</hostnames>
</hosthint>
<host starttime="1" endtime="2"><status state="up" reason="arp-response" reason_ttl="0"/>
<address addr="10.250.0.11" addrtype="ipv4"/>
<address addr="02:52:4C:00:00:0B" addrtype="mac" vendor="Unknown"/>
<hostnames>
<hostname name="h11.lab" type="PTR"/>
</hostnames>
<ports><port protocol="tcp" portid="80"><state state="open" reason="syn-ack" reason_ttl="64"/><service name=" web&amp;co &#45;x " method="table" conf="3"/></port>
</ports>
</host>
${FOOTER}`;
    expect(parseNmapXml(xml)).toEqual({
      ok: true,
      value: {
        hosts: [
          {
            ip: '10.250.0.11',
            mac: '02:52:4c:00:00:0b',
            timedOut: false,
            services: [{ protocol: 'tcp', port: 80, name: 'web&co -x', source: 'nmap' }],
          },
        ],
        truncated: false,
        nmapError: null,
      },
    });
  });

  it('keeps only open tcp/udp ports 1–65535, once each; blank and "unknown" service names become null', () => {
    const ports = [
      '<port protocol="tcp" portid="22"><state state="OPEN" reason="syn-ack" reason_ttl="0"/><service name="ssh"/></port>',
      '<port protocol="tcp" portid="22"><state state="open" reason="syn-ack" reason_ttl="0"/><service name="dup"/></port>',
      '<port protocol="udp" portid="53"><state state="open" reason="udp-response" reason_ttl="0"/><service name=""/></port>',
      '<port protocol="udp" portid="161"><state state="open|filtered" reason="no-response" reason_ttl="0"/></port>',
      '<port protocol="tcp" portid="23"><state state="closed" reason="conn-refused" reason_ttl="0"/></port>',
      '<port protocol="tcp" portid="25"><state state="filtered" reason="no-response" reason_ttl="0"/></port>',
      '<port protocol="sctp" portid="38412"><state state="open" reason="init-ack" reason_ttl="0"/></port>',
      '<port protocol="ip" portid="1"><state state="open" reason="proto-response" reason_ttl="0"/></port>',
      '<port protocol="tcp" portid="0"><state state="open" reason="syn-ack" reason_ttl="0"/></port>',
      '<port protocol="tcp" portid="70000"><state state="open" reason="syn-ack" reason_ttl="0"/></port>',
      '<port protocol="tcp" portid="x"><state state="open" reason="syn-ack" reason_ttl="0"/></port>',
      '<port protocol="tcp" portid="8443"><state state="open" reason="syn-ack" reason_ttl="0"/></port>',
      '<port protocol="tcp" portid="18080"><state state="open" reason="syn-ack" reason_ttl="0"/><service name="unknown" method="table" conf="3"/></port>',
    ].join('\n');
    const xml = `${HEADER}<host><status state="up" reason="user-set" reason_ttl="0"/>
<address addr="10.0.0.9" addrtype="ipv4"/>
<ports>${ports}</ports>
</host>
${FOOTER}`;
    const parsed = parseNmapXml(xml);
    expect(parsed.ok && parsed.value.hosts[0]?.services).toEqual([
      { protocol: 'tcp', port: 22, name: 'ssh', source: 'nmap' },
      { protocol: 'udp', port: 53, name: null, source: 'nmap' },
      { protocol: 'tcp', port: 8443, name: null, source: 'nmap' },
      { protocol: 'tcp', port: 18080, name: null, source: 'nmap' },
    ]);
  });

  it('flags a host nmap gave up on, and reads IPv6 hosts', () => {
    const xml = `${HEADER}<host starttime="1" endtime="2" timedout="true"><status state="up" reason="user-set" reason_ttl="0"/>
<address addr="fd00::5" addrtype="ipv6"/>
<times srtt="0" rttvar="0" to="100000"/>
</host>
${FOOTER}`;
    const parsed = parseNmapXml(xml);
    expect(parsed.ok && parsed.value.hosts).toEqual([{ ip: 'fd00::5', mac: null, timedOut: true, services: [] }]);
  });

  it('reads a run with no host at all, and nmap-reported errors', () => {
    const empty = parseNmapXml(`${HEADER}${FOOTER}`);
    expect(empty).toEqual({ ok: true, value: { hosts: [], truncated: false, nmapError: null } });
    const failed = parseNmapXml(
      `${HEADER}<runstats><finished time="1" elapsed="0" exit="error" errormsg="Failed to resolve &quot;x&quot;."/></runstats></nmaprun>`,
    );
    expect(failed.ok && failed.value.nmapError).toBe('Failed to resolve "x".');
  });

  it('keeps the complete hosts of a document cut off mid-way', () => {
    const cut = LOOPBACK.slice(0, LOOPBACK.indexOf('<address addr="127.0.78.6"') + 10);
    const parsed = parseNmapXml(cut);
    expect(parsed.ok && parsed.value.truncated).toBe(true);
    expect(parsed.ok && parsed.value.hosts.map((host) => host.ip)).toEqual(['127.0.78.5']);
  });

  it('returns an error value, never throws, for what is not usable nmap XML', () => {
    expect(parseNmapXml('')).toEqual({ ok: false, error: 'nmap wrote no XML' });
    expect(parseNmapXml('   \n')).toEqual({ ok: false, error: 'nmap wrote no XML' });
    const garbage = parseNmapXml('Starting Nmap 7.93 ( https://nmap.org )\nQUITTING!');
    expect(garbage.ok).toBe(false);
    expect(!garbage.ok && garbage.error).toMatch(/^unparsable nmap XML: /);
    const cutEarly = parseNmapXml(LOOPBACK.slice(0, 300));
    expect(cutEarly.ok).toBe(false);
    expect(parseNmapXml('<?xml version="1.0"?><other/>')).toEqual({
      ok: false,
      error: 'not nmap XML (no <nmaprun> element)',
    });
    expect(parseNmapXml('<nmaprun><host><address addr="not-an-ip" addrtype="ipv4"/></host></nmaprun>')).toEqual({
      ok: true,
      value: { hosts: [], truncated: false, nmapError: null },
    });
    // addrtype defaults to ipv4 (nmap.dtd); a missing </nmaprun> is a cut-off document.
    expect(parseNmapXml('<nmaprun><host><address addr="1.2.3.4"/></host>')).toEqual({
      ok: true,
      value: { hosts: [{ ip: '1.2.3.4', mac: null, timedOut: false, services: [] }], truncated: true, nmapError: null },
    });
  });
});
