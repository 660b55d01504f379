import { describe, expect, it } from 'vitest';
import { fpingPreflightArgs, fpingSweepArgs, parseFpingAlive } from './fping.args.ts';

describe('fping argv', () => {
  it('sweeps alive-only and quiet with retries, timeout, interval and a flat backoff', () => {
    expect(fpingSweepArgs({ timeoutMs: 400, retries: 1, intervalMs: 1 })).toEqual([
      '-a',
      '-q',
      '-r',
      '1',
      '-t',
      '400',
      '-i',
      '1',
      '-B',
      '1',
    ]);
    expect(fpingSweepArgs({ timeoutMs: 1500, retries: 2, intervalMs: 10 })).toEqual([
      '-a',
      '-q',
      '-r',
      '2',
      '-t',
      '1500',
      '-i',
      '10',
      '-B',
      '1',
    ]);
  });

  it('rounds times to whole milliseconds, at least 1', () => {
    expect(fpingSweepArgs({ timeoutMs: 399.6, retries: 0, intervalMs: 0.2 })).toEqual([
      '-a',
      '-q',
      '-r',
      '0',
      '-t',
      '400',
      '-i',
      '1',
      '-B',
      '1',
    ]);
    expect(fpingSweepArgs({ timeoutMs: 0, retries: 0, intervalMs: 0 })).toEqual(
      expect.arrayContaining(['-t', '1', '-i', '1']),
    );
  });

  it('takes no target on the command line (targets go to stdin)', () => {
    const args = fpingSweepArgs({ timeoutMs: 400, retries: 1, intervalMs: 1 });
    expect(args.some((arg) => /^\d+\.\d+\.\d+\.\d+$/.test(arg))).toBe(false);
  });

  it('preflights one echo to loopback', () => {
    expect(fpingPreflightArgs(400)).toEqual(['-c', '1', '-q', '-t', '400', '127.0.0.1']);
    expect(fpingPreflightArgs(0.3)).toEqual(['-c', '1', '-q', '-t', '1', '127.0.0.1']);
  });
});

describe('parseFpingAlive', () => {
  it('returns the alive targets in output order, ignoring blanks and junk', () => {
    const stdout = [
      '10.0.0.1',
      '10.0.0.7\r',
      '',
      '   ',
      'ICMP Host Unreachable from 10.0.0.254 for ICMP Echo sent to 10.0.0.9',
      "fping: can't create socket (must run as root?)",
      '10.0.0.30 : xmt/rcv/%loss = 1/1/0%',
      '  10.0.0.200  ',
      '2001:db8::5',
    ].join('\n');
    expect(parseFpingAlive(stdout)).toEqual(['10.0.0.1', '10.0.0.7', '10.0.0.200', '2001:db8::5']);
  });

  it('is empty for empty output', () => {
    expect(parseFpingAlive('')).toEqual([]);
    expect(parseFpingAlive('\n\n')).toEqual([]);
  });
});
