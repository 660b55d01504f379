// @vitest-environment happy-dom
import { cleanup, fireEvent, screen, waitFor, within } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { DevicesScene } from './DevicesScene.tsx';
import { device, type FakeCall, fakeFetch, renderAt } from './testing.tsx';

const ROUTES = [{ path: '/devices', element: <DevicesScene /> }];
const location = () => screen.getByTestId('location').textContent;

const PAGE = {
  devices: [
    device('11111111-1111-4111-8111-111111111111', {
      display_name: 'core-sw',
      primary_ip: '10.0.0.2',
      primary_mac: '00:1b:21:00:00:01',
      vendor: 'Cisco Systems, Inc',
      tags: ['switch', 'router', 'printer'],
    }),
    device('22222222-2222-4222-8222-222222222222'),
  ],
  cursor: 'next-1',
};

afterEach(() => {
  cleanup();
  vi.unstubAllGlobals();
});

describe('devices scene', () => {
  it('asks core for exactly what the URL says and renders the page', async () => {
    const calls = fakeFetch((call) => (call.path.startsWith('/api/v1/devices?') ? { body: PAGE } : undefined));
    renderAt('/devices?q=core&status=online&tag=switch&vendor=Cisco&subnet=10.0.0.0%2F24&sort=last_seen_desc', ROUTES);
    expect(await screen.findByText('core-sw')).toBeTruthy();
    expect(calls[0]?.path).toBe(
      '/api/v1/devices?q=core&status=online&tag=switch&vendor=Cisco&subnet=10.0.0.0%2F24&sort=last_seen_desc&limit=50',
    );
    expect(screen.getByText('(unnamed device)')).toBeTruthy();
    expect(screen.getByText('00:1b:21:00:00:01')).toBeTruthy();
    expect(screen.getByText('+1')).toBeTruthy();
    expect((screen.getByLabelText('Search') as HTMLInputElement).value).toBe('core');
    expect((screen.getByLabelText('Subnet') as HTMLInputElement).value).toBe('10.0.0.0/24');
    expect(screen.getByRole('button', { name: 'Online' }).getAttribute('aria-pressed')).toBe('true');
    expect(screen.getByText(/2 devices on this page/)).toBeTruthy();
  });

  it('puts every filter change in the URL and drops the cursor; paging keeps the filters', async () => {
    fakeFetch((call) => (call.path.startsWith('/api/v1/devices?') ? { body: PAGE } : undefined));
    renderAt('/devices?q=core&cursor=old', ROUTES);
    await screen.findByText('core-sw');
    fireEvent.click(screen.getByRole('button', { name: 'Offline' }));
    await waitFor(() => expect(location()).toBe('/devices?q=core&status=offline'));
    fireEvent.change(screen.getByLabelText('Tag'), { target: { value: 'printer' } });
    await waitFor(() => expect(location()).toBe('/devices?q=core&status=offline&tag=printer'));
    fireEvent.change(screen.getByLabelText('Subnet'), { target: { value: ' 10.1.0.0/16 ' } });
    fireEvent.change(screen.getByLabelText('Vendor'), { target: { value: 'HP' } });
    fireEvent.click(screen.getByRole('button', { name: 'Search' }));
    await waitFor(() =>
      expect(location()).toBe('/devices?q=core&status=offline&tag=printer&vendor=HP&subnet=10.1.0.0%2F16'),
    );
    await screen.findByText('core-sw');
    fireEvent.click(screen.getByRole('button', { name: 'Next page' }));
    await waitFor(() => expect(location()).toContain('&cursor=next-1'));
    fireEvent.click(await screen.findByRole('button', { name: 'First page' }));
    await waitFor(() => expect(location()).not.toContain('cursor'));
    fireEvent.click(screen.getByRole('button', { name: 'Reset' }));
    await waitFor(() => expect(location()).toBe('/devices'));
    await waitFor(() => expect((screen.getByLabelText('Search') as HTMLInputElement).value).toBe(''));
  });

  it('disables Next page on the last page', async () => {
    fakeFetch((call) => (call.path.startsWith('/api/v1/devices?') ? { body: { devices: PAGE.devices } } : undefined));
    renderAt('/devices', ROUTES);
    await screen.findByText('core-sw');
    expect((screen.getByRole('button', { name: 'Next page' }) as HTMLButtonElement).disabled).toBe(true);
    expect(screen.queryByRole('button', { name: 'First page' })).toBeNull();
  });

  it('adds a manual tag to every selected device, keeping their other manual tags', async () => {
    const calls = fakeFetch((call: FakeCall) => {
      if (call.path.startsWith('/api/v1/devices?')) return { body: PAGE };
      if (call.method === 'GET' && call.path.endsWith('/tags')) {
        return call.path.includes('1111')
          ? { body: [{ tag: 'router', source: 'manual', confidence: 100, updated_at: '2026-01-01T00:00:00Z' }] }
          : { body: [{ tag: 'printer', source: 'auto', confidence: 60, updated_at: '2026-01-01T00:00:00Z' }] };
      }
      if (call.method === 'PUT') return { body: [] };
      return undefined;
    });
    renderAt('/devices', ROUTES);
    await screen.findByText('core-sw');
    const add = () => screen.getByRole('button', { name: /^Add tag/ }) as HTMLButtonElement;
    expect(add().disabled).toBe(true);
    fireEvent.click(screen.getByLabelText('Select core-sw'));
    expect(screen.getByText('1 selected')).toBeTruthy();
    fireEvent.click(screen.getByLabelText('Select all devices on this page'));
    expect(screen.getByText('2 selected')).toBeTruthy();
    fireEvent.change(screen.getByLabelText('Manual tag'), { target: { value: 'printer' } });
    fireEvent.click(add());
    expect(await screen.findByText(/Tag Printer added to 2 devices/)).toBeTruthy();
    const puts = calls.filter((call) => call.method === 'PUT');
    expect(puts).toEqual([
      {
        method: 'PUT',
        path: '/api/v1/devices/11111111-1111-4111-8111-111111111111/tags',
        body: { tags: ['router', 'printer'] },
      },
      { method: 'PUT', path: '/api/v1/devices/22222222-2222-4222-8222-222222222222/tags', body: { tags: ['printer'] } },
    ]);
    // Done: the selection is cleared.
    await waitFor(() => expect(screen.getByText('Select devices to tag several at once.')).toBeTruthy());
  });

  it('toggles select-all off again and forgets rows that leave the page', async () => {
    let page = PAGE;
    fakeFetch((call) => (call.path.startsWith('/api/v1/devices?') ? { body: page } : undefined));
    renderAt('/devices', ROUTES);
    await screen.findByText('core-sw');
    const all = screen.getByLabelText('Select all devices on this page');
    fireEvent.click(all);
    expect(screen.getByText('2 selected')).toBeTruthy();
    fireEvent.click(all);
    expect(screen.getByText('Select devices to tag several at once.')).toBeTruthy();
    fireEvent.click(screen.getByLabelText('Select (unnamed device)'));
    fireEvent.click(screen.getByLabelText('Select core-sw'));
    expect(screen.getByText('2 selected')).toBeTruthy();
    page = { devices: [PAGE.devices[0] as (typeof PAGE.devices)[0]], cursor: 'x' };
    fireEvent.click(screen.getByRole('button', { name: 'Online' }));
    await waitFor(() => expect(screen.queryByText('(unnamed device)')).toBeNull());
    expect(screen.getByText('1 selected')).toBeTruthy();
  });

  it('reports a device the bulk tag could not change, with its request id', async () => {
    fakeFetch((call) => {
      if (call.path.startsWith('/api/v1/devices?')) return { body: PAGE };
      if (call.method === 'GET' && call.path.endsWith('/tags')) return { body: [] };
      if (call.method === 'PUT' && call.path.includes('2222')) {
        return {
          status: 503,
          body: { error: { code: 'db_unavailable', message: 'database down' } },
          requestId: 'req-bulk',
        };
      }
      if (call.method === 'PUT') return { body: [] };
      return undefined;
    });
    renderAt('/devices', ROUTES);
    await screen.findByText('core-sw');
    fireEvent.click(screen.getByLabelText('Select all devices on this page'));
    fireEvent.change(screen.getByLabelText('Manual tag'), { target: { value: 'router' } });
    fireEvent.click(screen.getByRole('button', { name: 'Add tag to 2 devices' }));
    const alert = await screen.findByText(/1 device could not be tagged/);
    expect(alert.textContent).toContain('database down');
    expect(within(alert).getByText('req-bulk')).toBeTruthy();
    expect(screen.getByText(/added to 1 device/)).toBeTruthy();
    expect(screen.getByText('2 selected')).toBeTruthy();
  });

  it('shows read-only users no checkboxes, no bulk tagging and no create form', async () => {
    fakeFetch((call) => (call.path.startsWith('/api/v1/devices?') ? { body: PAGE } : undefined), 'read-only');
    renderAt('/devices', ROUTES);
    await screen.findByText('core-sw');
    expect(screen.queryAllByRole('checkbox')).toHaveLength(0);
    expect(screen.queryByText(/Add tag/)).toBeNull();
    expect(screen.queryByText('Create device')).toBeNull();
    expect(screen.getByRole('button', { name: 'Copy id of core-sw' })).toBeTruthy();
  });

  it('shows the error with its request id, and an empty state when nothing matches', async () => {
    fakeFetch((call) =>
      call.path.includes('subnet=bad')
        ? {
            status: 400,
            body: { error: { code: 'validation_failed', message: 'invalid subnet value' } },
            requestId: 'req-400',
          }
        : call.path.startsWith('/api/v1/devices?')
          ? { body: { devices: [] } }
          : undefined,
    );
    renderAt('/devices?subnet=bad', ROUTES);
    expect((await screen.findByRole('alert')).textContent).toContain('invalid subnet value');
    expect(screen.getByText('req-400')).toBeTruthy();
    fireEvent.click(screen.getByRole('button', { name: 'Reset filters' }));
    expect(await screen.findByText('No devices found')).toBeTruthy();
  });

  it('polls only while discovery runs, and says so (G-15)', async () => {
    let running = true;
    fakeFetch((call) => {
      if (call.path === '/api/v1/discovery/status') {
        return {
          body: running
            ? {
                status: 'running',
                latest_run: { id: 'r', status: 'running', queued_at: '2026-01-01T00:00:00Z', scope: '10.0.0.0/24' },
              }
            : { status: 'idle' },
        };
      }
      return call.path.startsWith('/api/v1/devices?') ? { body: PAGE } : undefined;
    });
    renderAt('/devices', ROUTES);
    expect(await screen.findByText(/refreshes every 10 seconds/)).toBeTruthy();
    expect(screen.getByText(/scope 10.0.0.0\/24/)).toBeTruthy();
    expect(screen.getByText(/Last updated/)).toBeTruthy();
    running = false;
    cleanup();
    renderAt('/devices', ROUTES);
    await screen.findByText('core-sw');
    expect(screen.queryByText(/refreshes every 10 seconds/)).toBeNull();
  });
});
