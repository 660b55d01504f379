// @vitest-environment happy-dom
import { cleanup, screen, within } from '@testing-library/react';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { DevicePresenceSettingsT, DeviceT } from '../../api/types.ts';
import { type Call, installMocks, mocks, renderAt, T0 } from '../alerts/test-support.tsx';
import { PresenceAlertsCard } from './PresenceAlertsCard.tsx';

beforeEach(installMocks);
afterEach(() => {
  cleanup();
  vi.unstubAllGlobals();
});

const ID = '66666666-6666-4666-8666-666666666666';
const BASE = `/api/v1/devices/${ID}`;

const DEVICE: DeviceT = {
  id: ID,
  display_name: 'nas-01',
  last_change_at: T0,
  created_at: T0,
  presence: {
    state: 'offline',
    since: '2026-11-27T07:30:00.000Z',
    last_seen_at: '2026-11-27T07:10:00.000Z',
    last_seen_by: ['arp', 'icmp'],
    missed_scans: 3,
    checked_at: '2026-11-27T07:55:00.000Z',
  },
};

const INHERITED: DevicePresenceSettingsT = {
  device_id: ID,
  override: {},
  effective: { missed_scans: 4, grace_s: 600, missed_scans_source: 'tag:server', grace_s_source: 'global' },
};

/** Watch flag and presence settings kept in memory, answering like core. */
function fakeDevice() {
  const state = { watched: false, settings: INHERITED };
  mocks.respond = (call: Call) => {
    if (call.url === `${BASE}/watch`) {
      if (call.method === 'PUT') state.watched = true;
      if (call.method === 'DELETE') {
        state.watched = false;
        return { status: 204 };
      }
      return {
        status: 200,
        body: { device_id: ID, watched: state.watched, ...(state.watched ? { watched_since: T0 } : {}) },
      };
    }
    if (call.url === `${BASE}/presence-settings`) {
      if (call.method === 'PUT') {
        const body = call.body as { missed_scans: number | null; grace_s: number | null };
        state.settings = {
          device_id: ID,
          override: {
            ...(body.missed_scans === null ? {} : { missed_scans: body.missed_scans }),
            ...(body.grace_s === null ? {} : { grace_s: body.grace_s }),
            updated_at: T0,
            updated_by: 'admin',
          },
          effective: {
            missed_scans: body.missed_scans ?? 4,
            grace_s: body.grace_s ?? 600,
            missed_scans_source: body.missed_scans === null ? 'tag:server' : 'device',
            grace_s_source: body.grace_s === null ? 'global' : 'device',
          },
        };
      }
      if (call.method === 'DELETE') {
        state.settings = INHERITED;
        return { status: 204 };
      }
      return { status: 200, body: state.settings };
    }
    return undefined;
  };
}

const sent = (method: string, path: string) =>
  mocks.calls.filter((call) => call.method === method && call.url === path).map((call) => call.body);

describe('presence and alerts card', () => {
  it('shows the presence state, who saw the device last, and where its thresholds come from', async () => {
    fakeDevice();
    renderAt(`/devices/${ID}`, '/devices/:id', <PresenceAlertsCard device={DEVICE} />);
    const state = await screen.findByTestId('presence-state');
    expect(within(state).getByText('Offline').className).toContain('badge-danger');
    expect(screen.getByText('by arp, icmp', { exact: false })).toBeTruthy();
    expect(screen.getByText('3 missed scans in a row')).toBeTruthy();
    expect((await screen.findByTestId('effective-missed-scans')).textContent).toBe('4 (from tag Server)');
    expect(screen.getByTestId('effective-grace').textContent).toBe('10m (global default)');
    expect(screen.getByTestId('watch-state').textContent).toMatch(/^Not watched\./);
  });

  it('watches and unwatches the device', async () => {
    fakeDevice();
    const { user } = renderAt(`/devices/${ID}`, '/devices/:id', <PresenceAlertsCard device={DEVICE} />);
    const box = (await screen.findByLabelText('Watch this device')) as HTMLInputElement;
    expect(box.checked).toBe(false);
    await user.click(box);
    await screen.findByText(/Watched since/);
    expect(box.checked).toBe(true);
    expect(sent('PUT', `${BASE}/watch`)).toEqual([{}]);
    await user.click(box);
    await screen.findByText(/^Not watched\./);
    expect(box.checked).toBe(false);
    expect(sent('DELETE', `${BASE}/watch`)).toHaveLength(1);
  });

  it('saves its own missed scans and grace, validates them, and inherits again', async () => {
    fakeDevice();
    const { user } = renderAt(`/devices/${ID}`, '/devices/:id', <PresenceAlertsCard device={DEVICE} />);
    const form = await screen.findByRole('form', { name: 'Presence settings of this device' });
    expect(within(form).queryByRole('button', { name: 'Inherit all' })).toBeNull();
    await user.type(within(form).getByLabelText('Missed scans before offline'), '0');
    await user.type(within(form).getByLabelText('Grace period'), 'an hour');
    await user.click(within(form).getByRole('button', { name: 'Save presence settings' }));
    expect(within(form).getByText('Use a whole number from 1 to 1000, or leave it empty to inherit.')).toBeTruthy();
    expect(within(form).getByText('Enter a duration like 90s, 10m or 2h, or leave it empty to inherit.')).toBeTruthy();
    expect(sent('PUT', `${BASE}/presence-settings`)).toEqual([]);

    await user.clear(within(form).getByLabelText('Missed scans before offline'));
    const grace = within(form).getByLabelText('Grace period');
    await user.clear(grace);
    await user.type(grace, '30m');
    await user.click(within(form).getByRole('button', { name: 'Save presence settings' }));
    await within(form).findByText('Presence settings saved.');
    expect(sent('PUT', `${BASE}/presence-settings`)).toEqual([{ missed_scans: null, grace_s: 1800 }]);
    expect(screen.getByTestId('effective-grace').textContent).toBe('30m (set on this device)');
    expect(screen.getByTestId('effective-missed-scans').textContent).toBe('4 (from tag Server)');

    await user.click(within(form).getByRole('button', { name: 'Inherit all' }));
    await within(form).findByText('This device inherits its presence settings again.');
    expect(sent('DELETE', `${BASE}/presence-settings`)).toHaveLength(1);
    expect(screen.getByTestId('effective-grace').textContent).toBe('10m (global default)');
    expect((within(form).getByLabelText('Grace period') as HTMLInputElement).value).toBe('');
  });

  it('gives read-only users the facts without the toggle or the form', async () => {
    mocks.role = 'read-only';
    fakeDevice();
    renderAt(`/devices/${ID}`, '/devices/:id', <PresenceAlertsCard device={DEVICE} />);
    await screen.findByTestId('effective-grace');
    expect(screen.getByTestId('watch-state').textContent).toMatch(/^Not watched\./);
    expect(screen.queryByLabelText('Watch this device')).toBeNull();
    expect(screen.queryByRole('form')).toBeNull();
    expect(screen.queryAllByRole('button')).toEqual([]);
  });
});
