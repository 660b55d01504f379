import { describe, expect, it } from 'vitest';
import { classifyPingFailure, pingArgs, pingPreflightArgs } from './ping.args.ts';

describe('ping argv', () => {
  it('sends one numeric echo with the timeout in (fractional) seconds', () => {
    expect(pingArgs('10.0.0.5', 1000)).toEqual(['-c', '1', '-n', '-W', '1', '10.0.0.5']);
    expect(pingArgs('10.0.0.5', 2000)).toEqual(['-c', '1', '-n', '-W', '2', '10.0.0.5']);
    expect(pingArgs('10.0.0.5', 400)).toEqual(['-c', '1', '-n', '-W', '0.4', '10.0.0.5']);
    expect(pingArgs('10.0.0.5', 1500)).toEqual(['-c', '1', '-n', '-W', '1.5', '10.0.0.5']);
    expect(pingArgs('10.0.0.5', 1234)).toEqual(['-c', '1', '-n', '-W', '1.234', '10.0.0.5']);
    expect(pingArgs('10.0.0.5', 250)).toEqual(['-c', '1', '-n', '-W', '0.25', '10.0.0.5']);
  });

  it('never asks for a zero or negative deadline', () => {
    expect(pingArgs('10.0.0.5', 0)).toEqual(['-c', '1', '-n', '-W', '0.001', '10.0.0.5']);
    expect(pingArgs('10.0.0.5', -50)).toEqual(['-c', '1', '-n', '-W', '0.001', '10.0.0.5']);
  });

  it('keeps the target a separate argument (no shell, no injection)', () => {
    expect(pingArgs('10.0.0.5; rm -rf /', 1000).at(-1)).toBe('10.0.0.5; rm -rf /');
  });

  it('preflights with the SPEC command: one echo to loopback', () => {
    expect(pingPreflightArgs()).toEqual(['-c', '1', '-W', '1', '127.0.0.1']);
  });
});

describe('classifyPingFailure', () => {
  it('reads privilege problems case-insensitively (SPEC §5.6)', () => {
    expect(classifyPingFailure('ping: socket: Operation not permitted')).toBe('not_permitted');
    expect(classifyPingFailure('ping: icmp open socket: PERMISSION DENIED')).toBe('not_permitted');
    expect(classifyPingFailure('ping: permission denied (are you root?)')).toBe('not_permitted');
  });

  it('classifies everything else as a plain failure', () => {
    expect(classifyPingFailure('connect: Network is unreachable')).toBe('failed');
    expect(classifyPingFailure('ping: unknown host')).toBe('failed');
    expect(classifyPingFailure('')).toBe('failed');
  });
});
