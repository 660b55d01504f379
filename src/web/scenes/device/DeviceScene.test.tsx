// @vitest-environment happy-dom
import { cleanup, fireEvent, screen, waitFor } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { device, type FakeCall, fakeFetch, renderAt } from '../devices/testing.tsx';
import { DeviceScene } from './DeviceScene.tsx';
import { detailText } from './HistoryTimeline.tsx';
import { metadataChanges } from './MetadataEditor.tsx';
import { uniqueCandidates } from './NameCandidates.tsx';

const ID = '33333333-3333-4333-8333-333333333333';
const ROUTES = [{ path: '/devices/:id', element: <DeviceScene /> }];
const BASE = `/api/v1/devices/${ID}`;

const FACTS = {
  device_id: ID,
  ips: [{ ip: '10.0.0.9', stale: false, created_at: '2026-01-01T00:00:00Z', updated_at: '2026-01-01T00:00:00Z' }],
  macs: [],
  interfaces: [],
  services: [
    {
      protocol: 'tcp',
      port: 443,
      name: 'https',
      state: 'open',
      stale: false,
      observed_at: '2026-01-01T00:00:00Z',
      created_at: '2026-01-01T00:00:00Z',
      updated_at: '2026-01-01T00:00:00Z',
    },
    {
      protocol: 'tcp',
      port: 22,
      name: 'ssh',
      state: 'open',
      stale: false,
      observed_at: '2026-01-01T00:00:00Z',
      created_at: '2026-01-01T00:00:00Z',
      updated_at: '2026-01-01T00:00:00Z',
    },
  ],
  links: [],
  vlans: [],
  fdb: [],
  switch_ports: [],
};

const event = (n: number) => ({
  event_id: String(n),
  device_id: ID,
  event_at: new Date(Date.UTC(2026, 0, 1, 0, 0, 100 - n)).toISOString(),
  kind: 'metadata_changed',
  summary: `Change number ${n}`,
  details: { owner: { from: null, to: `o${n}` }, note: null },
});

function standard(overrides: (call: FakeCall) => ReturnType<Parameters<typeof fakeFetch>[0]> = () => undefined) {
  return (call: FakeCall) => {
    const special = overrides(call);
    if (special) return special;
    if (call.method === 'GET' && call.path === BASE)
      return { body: device(ID, { display_name: 'lab-host', metadata: { owner: 'Ops' }, tags: ['server'] }) };
    if (call.path === `${BASE}/facts`) return { body: FACTS };
    if (call.path === `${BASE}/name-candidates`) return { body: [] };
    if (call.method === 'GET' && call.path === `${BASE}/tags`) return { body: [] };
    if (call.path.startsWith(`${BASE}/history`)) return { body: { events: [] } };
    // The presence and alerts card (tested on its own in PresenceAlertsCard.test.tsx): a quiet device.
    if (call.method === 'GET' && call.path === `${BASE}/watch`) return { body: { device_id: ID, watched: false } };
    if (call.method === 'GET' && call.path === `${BASE}/presence-settings`) {
      return {
        body: {
          device_id: ID,
          override: {},
          effective: { missed_scans: 2, grace_s: 600, missed_scans_source: 'global', grace_s_source: 'global' },
        },
      };
    }
    return undefined;
  };
}

afterEach(() => {
  cleanup();
  vi.unstubAllGlobals();
});

describe('device scene', () => {
  it('pages the history with Load more until the cursor runs out', async () => {
    const calls = fakeFetch(
      standard((call) => {
        if (call.path === `${BASE}/history?limit=25`) {
          return { body: { events: Array.from({ length: 25 }, (_, i) => event(i + 1)), cursor: 'h2' } };
        }
        if (call.path === `${BASE}/history?limit=25&cursor=h2`) return { body: { events: [event(26), event(27)] } };
        return undefined;
      }),
    );
    renderAt(`/devices/${ID}`, ROUTES);
    expect(await screen.findByText('Newest first · Showing 25 events')).toBeTruthy();
    expect(screen.getByText('Change number 1')).toBeTruthy();
    expect(screen.getAllByText('owner: {"from":null,"to":"o1"}')).toHaveLength(1);
    fireEvent.click(screen.getByRole('button', { name: 'Load more' }));
    expect(await screen.findByText('Newest first · Showing 27 events')).toBeTruthy();
    expect(screen.getByText('Change number 27')).toBeTruthy();
    expect(screen.getByText('All available events loaded.')).toBeTruthy();
    expect(screen.queryByRole('button', { name: 'Load more' })).toBeNull();
    expect(calls.filter((call) => call.path.includes('/history')).map((call) => call.path)).toEqual([
      `${BASE}/history?limit=25`,
      `${BASE}/history?limit=25&cursor=h2`,
    ]);
  });

  it('shows header, facts sorted by port, and saves only changed metadata', async () => {
    const calls = fakeFetch(
      standard((call) =>
        call.method === 'PUT' && call.path === BASE
          ? { body: device(ID, { display_name: 'lab-host', metadata: { owner: 'Ops', location: 'Rack 4' } }) }
          : undefined,
      ),
    );
    renderAt(`/devices/${ID}`, ROUTES);
    expect(await screen.findByRole('heading', { name: 'lab-host' })).toBeTruthy();
    await screen.findByText('TCP 22');
    const ports = screen.getAllByText(/^TCP \d+$/).map((node) => node.textContent);
    expect(ports).toEqual(['TCP 22', 'TCP 443']);
    fireEvent.change(screen.getByLabelText('Location'), { target: { value: '  Rack 4 ' } });
    fireEvent.click(screen.getByRole('button', { name: 'Save metadata' }));
    expect(await screen.findByText('Metadata updated.')).toBeTruthy();
    expect(calls.find((call) => call.method === 'PUT')).toEqual({
      method: 'PUT',
      path: BASE,
      body: { metadata: { location: 'Rack 4' } },
    });
  });

  it('applies a name candidate as the display name', async () => {
    const calls = fakeFetch(
      standard((call) => {
        if (call.path === `${BASE}/name-candidates`) {
          return {
            body: [
              {
                name: 'printer.lan',
                source: 'dns',
                address: '10.0.0.9',
                observed_at: '2026-01-01T00:00:00Z',
                last_seen_at: '2026-01-01T00:00:00Z',
                display_name: 'printer',
                score: 80,
                valid: true,
              },
              {
                name: 'lab-host',
                source: 'mdns',
                observed_at: '2026-01-01T00:00:00Z',
                last_seen_at: '2026-01-01T00:00:00Z',
                display_name: 'lab-host',
                score: 90,
                valid: true,
              },
            ],
          };
        }
        if (call.method === 'PUT') return { body: device(ID, { display_name: 'printer' }) };
        return undefined;
      }),
    );
    renderAt(`/devices/${ID}`, ROUTES);
    expect(await screen.findByText('Current')).toBeTruthy();
    expect(screen.getAllByRole('button', { name: /as the display name/ })).toHaveLength(1);
    fireEvent.click(screen.getByRole('button', { name: 'Use printer as the display name' }));
    expect(await screen.findByText('Display name set to printer.')).toBeTruthy();
    expect(calls.find((call) => call.method === 'PUT')?.body).toEqual({ display_name: 'printer' });
  });

  it('saves manual tags', async () => {
    const calls = fakeFetch(
      standard((call) => {
        if (call.method === 'GET' && call.path === `${BASE}/tags`) {
          return {
            body: [
              {
                tag: 'printer',
                source: 'auto',
                confidence: 60,
                evidence: { rule: 'port 9100' },
                updated_at: '2026-01-01T00:00:00Z',
              },
            ],
          };
        }
        if (call.method === 'PUT') return { body: [] };
        return undefined;
      }),
    );
    renderAt(`/devices/${ID}`, ROUTES);
    expect(await screen.findByText('Printer · auto')).toBeTruthy();
    fireEvent.click(await screen.findByRole('button', { name: 'Switch' }));
    fireEvent.click(screen.getByRole('button', { name: 'Save tags' }));
    expect(await screen.findByText('Manual tags updated.')).toBeTruthy();
    expect(calls.find((call) => call.method === 'PUT')).toMatchObject({
      path: `${BASE}/tags`,
      body: { tags: ['switch'] },
    });
  });

  it('gives read-only users no editing controls', async () => {
    fakeFetch(
      standard((call) =>
        call.path === `${BASE}/name-candidates`
          ? {
              body: [
                {
                  name: 'x.lan',
                  source: 'dns',
                  observed_at: '2026-01-01T00:00:00Z',
                  last_seen_at: '2026-01-01T00:00:00Z',
                  display_name: 'x',
                  score: 80,
                  valid: true,
                },
              ],
            }
          : undefined,
      ),
      'read-only',
    );
    renderAt(`/devices/${ID}`, ROUTES);
    await screen.findByRole('heading', { name: 'lab-host' });
    await screen.findByText('x');
    expect(screen.queryByRole('button', { name: /Use .* as the display name/ })).toBeNull();
    expect(screen.queryByRole('button', { name: 'Save metadata' })).toBeNull();
    expect(screen.queryByRole('textbox')).toBeNull();
    await waitFor(() => expect(screen.queryByRole('button', { name: 'Save tags' })).toBeNull());
    expect(screen.getByText('Ops')).toBeTruthy();
  });

  it('shows a not-found view for an unknown device', async () => {
    fakeFetch((call) =>
      call.path === BASE
        ? { status: 404, body: { error: { code: 'not_found', message: 'device not found' } } }
        : undefined,
    );
    renderAt(`/devices/${ID}`, ROUTES);
    expect(await screen.findByText('Device not found')).toBeTruthy();
    expect(screen.getByRole('link', { name: 'Back to devices' })).toBeTruthy();
  });
});

describe('device scene helpers', () => {
  it('formats history details', () => {
    expect(detailText(null)).toBe('—');
    expect(detailText({ a: 1 })).toBe('{"a":1}');
    expect(detailText(5)).toBe('5');
  });

  it('sends only changed metadata, blanks as null', () => {
    expect(metadataChanges({ owner: 'a', notes: 'n' }, { owner: 'a', location: ' x ', notes: '' })).toEqual({
      location: 'x',
      notes: null,
    });
    expect(metadataChanges(undefined, { owner: '', location: '', notes: '' })).toEqual({});
  });

  it('de-duplicates name candidates and keeps at most 12', () => {
    const base = { observed_at: '', last_seen_at: '', display_name: 'n', score: 1, valid: true };
    const list = [
      { ...base, name: 'A', source: 'dns', address: '1' },
      { ...base, name: 'a', source: 'dns', address: '1' },
      { ...base, name: 'a', source: 'mdns', address: '1' },
      ...Array.from({ length: 20 }, (_, i) => ({ ...base, name: `n${i}`, source: 'dns' })),
    ];
    const unique = uniqueCandidates(list);
    expect(unique).toHaveLength(12);
    expect(unique.slice(0, 2).map((c) => `${c.source}:${c.name}`)).toEqual(['dns:A', 'mdns:a']);
  });
});
