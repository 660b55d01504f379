// @vitest-environment happy-dom
import { cleanup, render, screen } from '@testing-library/react';
import { afterEach, describe, expect, it } from 'vitest';
import { DeviceStatusBadges, deviceStatus, presenceDetail, presenceState } from './device-status.tsx';

const NOW = Date.parse('2026-11-27T12:00:00Z');
const ago = (seconds: number) => new Date(NOW - seconds * 1000).toISOString();

afterEach(cleanup);

describe('presence badges (issue 11)', () => {
  it('follows the presence core judged, not the last-seen window', () => {
    const offlineButRecent = {
      last_seen_at: ago(5),
      last_change_at: ago(5),
      presence: { state: 'offline' as const, since: ago(60), last_seen_by: ['arp'], missed_scans: 2 },
    };
    expect(deviceStatus(offlineButRecent, NOW).online).toBe(false);
    expect(presenceState(offlineButRecent, NOW)).toBe('offline');
    const onlineButOld = {
      last_seen_at: ago(86_400),
      last_change_at: ago(86_400),
      presence: { state: 'online' as const, last_seen_by: ['arp'], missed_scans: 1 },
    };
    expect(deviceStatus(onlineButOld, NOW).online).toBe(true);
    expect(presenceDetail(onlineButOld)).toBe('missed 1 scan');
  });

  it('says Unknown for a device no covering scan has judged, and which probe saw a device last', () => {
    render(
      <DeviceStatusBadges
        device={{ last_change_at: ago(200_000), presence: { state: 'unknown', last_seen_by: [], missed_scans: 0 } }}
        now={NOW}
        showLastSeen
      />,
    );
    const unknown = screen.getByText('Unknown');
    expect(unknown.className).toContain('badge-neutral');
    expect(unknown.getAttribute('title')).toBe('no scan covering it has judged it yet');
    cleanup();
    render(
      <DeviceStatusBadges
        device={{
          last_change_at: ago(200_000),
          presence: {
            state: 'online',
            since: ago(3600),
            last_seen_at: ago(30),
            last_seen_by: ['arp', 'icmp'],
            missed_scans: 0,
          },
        }}
        now={NOW}
        showLastSeen
      />,
    );
    expect(screen.getByText('Online').className).toContain('badge-success');
    expect(screen.getByText(/^seen .* by arp, icmp$/)).toBeTruthy();
  });
});
