// @vitest-environment happy-dom
import { cleanup, render, screen } from '@testing-library/react';
import { afterEach, describe, expect, it } from 'vitest';
import { DeviceStatusBadges, deviceName, deviceStatus } from './device-status.tsx';

const NOW = Date.parse('2026-11-27T12:00:00Z');
const ago = (seconds: number) => new Date(NOW - seconds * 1000).toISOString();

afterEach(cleanup);

describe('device status badges', () => {
  it('is online when seen within an hour and changed when changed within a day', () => {
    expect(deviceStatus({ last_seen_at: ago(60), last_change_at: ago(60) }, NOW)).toEqual({
      online: true,
      changed: true,
    });
    expect(deviceStatus({ last_seen_at: ago(3601), last_change_at: ago(86_401) }, NOW)).toEqual({
      online: false,
      changed: false,
    });
    expect(deviceStatus({ last_seen_at: ago(3600), last_change_at: ago(86_400) }, NOW)).toEqual({
      online: true,
      changed: true,
    });
  });

  it('treats never seen and unparsable times as offline', () => {
    expect(deviceStatus({ last_change_at: 'garbage' }, NOW)).toEqual({ online: false, changed: false });
  });

  it('honours other windows', () => {
    expect(deviceStatus({ last_seen_at: ago(7200), last_change_at: ago(7200) }, NOW, 10_000, 100).online).toBe(true);
  });

  it('always says it in words, with tones', () => {
    render(<DeviceStatusBadges device={{ last_seen_at: ago(5), last_change_at: ago(5) }} now={NOW} showLastSeen />);
    expect(screen.getByText('Online').className).toContain('badge-success');
    expect(screen.getByText('Changed').className).toContain('badge-warning');
    expect(screen.getByText(/^seen /)).toBeTruthy();
  });

  it('shows Offline in the neutral tone and no Changed badge for an old device', () => {
    render(<DeviceStatusBadges device={{ last_change_at: ago(200_000) }} now={NOW} showLastSeen />);
    expect(screen.getByText('Offline').className).toContain('badge-neutral');
    expect(screen.queryByText('Changed')).toBeNull();
    expect(screen.getByText('never seen')).toBeTruthy();
  });

  it('names unnamed devices', () => {
    expect(deviceName({})).toBe('(unnamed device)');
    expect(deviceName({ display_name: '  ' })).toBe('(unnamed device)');
    expect(deviceName({ display_name: 'sw-1' })).toBe('sw-1');
  });
});
