import { describe, expect, it } from 'vitest';
import { parseProcNetArp } from './neighbour-table.parse.ts';

const HEADER = 'IP address       HW type     Flags       HW address            Mask     Device';

describe('parseProcNetArp (SPEC §5.7)', () => {
  it('keeps complete entries with a real MAC and a parseable IP, in file order', () => {
    const text = [
      HEADER,
      '10.0.0.1         0x1         0x2         00:11:22:33:44:55     *        eth0',
      '10.0.0.7         0x1         0x0         00:00:00:00:00:00     *        eth0', // incomplete
      '10.0.0.8         0x1         0x0         aa:bb:cc:dd:ee:01     *        eth0', // incomplete, stale MAC
      '10.0.0.9         0x1         0x6         AA:BB:CC:DD:EE:02     *        eth0', // complete + permanent
      '10.0.0.10        0x1         0x2         00:00:00:00:00:00     *        eth0', // zero MAC
      '10.0.0.11        0x1         0x2         not-a-mac             *        eth0',
      '999.0.0.1        0x1         0x2         aa:bb:cc:dd:ee:03     *        eth0', // bad IP
      '10.0.0.12        0x1         2           aa:bb:cc:dd:ee:04     *        eth1', // decimal flags
      '10.0.0.13        0x1         0x4         aa:bb:cc:dd:ee:05     *        eth1', // permanent only
      '10.0.0.14        0x1         0x2         aa:bb:cc:dd:ee:06', // too few fields
      'garbage',
      '',
      '10.0.0.15        0x1         0X2         aa:bb:cc:dd:ee:07     *        wlan0\r',
    ].join('\n');
    expect(parseProcNetArp(text)).toEqual([
      { ip: '10.0.0.1', mac: '00:11:22:33:44:55', device: 'eth0' },
      { ip: '10.0.0.9', mac: 'aa:bb:cc:dd:ee:02', device: 'eth0' },
      { ip: '10.0.0.12', mac: 'aa:bb:cc:dd:ee:04', device: 'eth1' },
      { ip: '10.0.0.15', mac: 'aa:bb:cc:dd:ee:07', device: 'wlan0' },
    ]);
  });

  it('always skips the first line, whatever it holds', () => {
    const entry = '10.0.0.1 0x1 0x2 00:11:22:33:44:55 * eth0';
    expect(parseProcNetArp(`${entry}\n${entry}`)).toEqual([
      { ip: '10.0.0.1', mac: '00:11:22:33:44:55', device: 'eth0' },
    ]);
  });

  it('yields nothing for an empty table or a header alone', () => {
    expect(parseProcNetArp('')).toEqual([]);
    expect(parseProcNetArp(`${HEADER}\n`)).toEqual([]);
  });
});
