import { describe, expect, it } from 'vitest';
import { arpScanArgs, parseArpScan } from './arp-scan.args.ts';

describe('arp-scan argv', () => {
  it('scans one interface from stdin, plain and quiet, ignoring duplicate replies', () => {
    expect(arpScanArgs({ iface: 'eth0', timeoutMs: 400, retries: 1 })).toEqual([
      '--interface=eth0',
      '--file=-',
      '--plain',
      '--quiet',
      '--ignoredups',
      '--retry=2',
      '--timeout=400',
      '--interval=1',
    ]);
  });

  it('counts the first try as a retry and rounds the timeout to at least 1 ms', () => {
    expect(arpScanArgs({ iface: 'br-lab', timeoutMs: 0.2, retries: 0 })).toEqual([
      '--interface=br-lab',
      '--file=-',
      '--plain',
      '--quiet',
      '--ignoredups',
      '--retry=1',
      '--timeout=1',
      '--interval=1',
    ]);
    expect(arpScanArgs({ iface: 'eth1', timeoutMs: 1499.5, retries: 2 }).slice(-3)).toEqual([
      '--retry=3',
      '--timeout=1500',
      '--interval=1',
    ]);
  });
});

describe('parseArpScan', () => {
  it('reads ip<TAB>mac lines, lower-cases MACs and ignores extra columns and junk', () => {
    const stdout = [
      'Interface: eth0, type: EN10MB, MAC: 02:fc:00:00:00:01, IPv4: 192.0.2.2',
      'Starting arp-scan 1.10.0 with 256 hosts (https://github.com/royhills/arp-scan)',
      '192.0.2.1\t00:11:22:33:44:55',
      '192.0.2.10\tAA:BB:CC:DD:EE:FF\t(Unknown)',
      '192.0.2.11\t02:42:ac:11:00:02\t(Unknown: locally administered)',
      '',
      '192.0.2.12\tnot-a-mac',
      'fe80::1\t00:11:22:33:44:66',
      '2 packets received by filter, 0 packets dropped by kernel',
      'Ending arp-scan 1.10.0: 256 hosts scanned in 1.912 seconds (133.89 hosts/sec). 3 responded',
    ].join('\n');
    expect(parseArpScan(stdout)).toEqual([
      { ip: '192.0.2.1', mac: '00:11:22:33:44:55' },
      { ip: '192.0.2.10', mac: 'aa:bb:cc:dd:ee:ff' },
      { ip: '192.0.2.11', mac: '02:42:ac:11:00:02' },
    ]);
  });

  it('keeps duplicate replies as separate lines, including a (DUP) from a second MAC', () => {
    const stdout = [
      '192.0.2.1\t00:11:22:33:44:55',
      '192.0.2.1\t00:11:22:33:44:55\t(DUP: 2)',
      '192.0.2.1\t00:11:22:33:44:99\t(DUP: 3)',
    ].join('\n');
    expect(parseArpScan(stdout)).toEqual([
      { ip: '192.0.2.1', mac: '00:11:22:33:44:55' },
      { ip: '192.0.2.1', mac: '00:11:22:33:44:55' },
      { ip: '192.0.2.1', mac: '00:11:22:33:44:99' },
    ]);
  });

  it('is empty for empty output', () => {
    expect(parseArpScan('')).toEqual([]);
  });
});
