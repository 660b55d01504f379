import { describe, expect, it } from 'vitest';
import { IP_NEIGH_ARGS, parseIpNeighJson } from './ip-neigh.parse.ts';

describe('ip -j neigh', () => {
  it('asks for the IPv4 neighbour table as JSON', () => {
    expect([...IP_NEIGH_ARGS]).toEqual(['-s', '-j', '-4', 'neigh', 'show']);
  });

  it('keeps entries with a MAC and marks which states are fresh', () => {
    const stdout = JSON.stringify([
      { dst: '10.0.0.1', dev: 'eth0', lladdr: '00:11:22:33:44:55', state: ['REACHABLE'] },
      { dst: '10.0.0.7', dev: 'eth0', lladdr: 'AA:BB:CC:DD:EE:FF', state: ['STALE'] },
      { dst: '10.0.0.8', dev: 'eth0', state: ['FAILED'] },
      { dst: '10.0.0.9', dev: 'eth0', lladdr: 'aa:bb:cc:dd:ee:09', state: ['FAILED'] },
      { dst: '10.0.0.10', dev: 'eth0', state: ['INCOMPLETE'] },
      { dst: '10.0.0.11', dev: 'eth0', lladdr: '00:11:22:33:44:66', state: ['DELAY'] },
      { dst: '10.0.0.12', dev: 'eth1', lladdr: '00:11:22:33:44:77', state: ['PROBE'] },
      { dst: '10.0.0.13', dev: 'eth1', lladdr: '00:11:22:33:44:88', router: null, state: ['PERMANENT'] },
      { dst: '10.0.0.14', dev: 'eth1', lladdr: '00:00:00:00:00:00', state: ['NOARP'] },
      { dst: '10.0.0.15', dev: 'eth1', lladdr: 'not-a-mac', state: ['REACHABLE'] },
      { dst: '10.0.0.16', lladdr: '00:11:22:33:44:99' },
      { dev: 'eth0', lladdr: '00:11:22:33:44:aa', state: ['REACHABLE'] },
    ]);
    expect(parseIpNeighJson(stdout)).toEqual([
      { ip: '10.0.0.1', mac: '00:11:22:33:44:55', device: 'eth0', fresh: true },
      { ip: '10.0.0.7', mac: 'aa:bb:cc:dd:ee:ff', device: 'eth0', fresh: false },
      { ip: '10.0.0.9', mac: 'aa:bb:cc:dd:ee:09', device: 'eth0', fresh: false },
      { ip: '10.0.0.11', mac: '00:11:22:33:44:66', device: 'eth0', fresh: true },
      { ip: '10.0.0.12', mac: '00:11:22:33:44:77', device: 'eth1', fresh: true },
      { ip: '10.0.0.13', mac: '00:11:22:33:44:88', device: 'eth1', fresh: true },
      { ip: '10.0.0.16', mac: '00:11:22:33:44:99', device: '', fresh: false },
    ]);
  });

  it('counts an entry as fresh when any of its states is', () => {
    const stdout = JSON.stringify([
      { dst: '10.0.0.1', dev: 'eth0', lladdr: '00:11:22:33:44:55', state: ['STALE', 'PROBE'] },
    ]);
    expect(parseIpNeighJson(stdout)).toEqual([
      { ip: '10.0.0.1', mac: '00:11:22:33:44:55', device: 'eth0', fresh: true },
    ]);
  });

  it('yields nothing for empty, malformed or non-array output', () => {
    expect(parseIpNeighJson('')).toEqual([]);
    expect(parseIpNeighJson('[]')).toEqual([]);
    expect(parseIpNeighJson('[{"dst":"10.0.0.1",')).toEqual([]);
    expect(parseIpNeighJson('{"dst":"10.0.0.1","lladdr":"00:11:22:33:44:55"}')).toEqual([]);
    expect(parseIpNeighJson('Object "neigh" is unknown, try "ip help".')).toEqual([]);
  });
});
