// @vitest-environment happy-dom
import { QueryClientProvider } from '@tanstack/react-query';
import { cleanup, render, screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { MemoryRouter } from 'react-router';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createQueryClient } from '../../api/query-client.ts';
import type { SessionT } from '../../api/types.ts';
import { RequireSession } from '../../app/session.tsx';
import { DataScene } from './DataScene.tsx';

/** The scene with a real query client, router and session; only fetch is mocked. */

interface Call {
  method: string;
  url: string;
  body: unknown;
  contentType: string | undefined;
}

type Responder = (call: Call) => { status: number; body: unknown; requestId?: string } | undefined;

let calls: Call[] = [];
let respond: Responder = () => undefined;
let role: SessionT['role'] = 'admin';

function json(status: number, body: unknown, requestId = 'req-test'): Response {
  return new Response(JSON.stringify(body), {
    status,
    headers: { 'content-type': 'application/json', 'x-request-id': requestId },
  });
}

beforeEach(() => {
  calls = [];
  respond = () => undefined;
  role = 'admin';
  vi.stubGlobal(
    'fetch',
    vi.fn(async (input: string, init: RequestInit = {}) => {
      const headers = (init.headers ?? {}) as Record<string, string>;
      const raw = init.body;
      const body = raw instanceof Blob ? await raw.text() : raw;
      const call: Call = {
        method: init.method ?? 'GET',
        url: String(input),
        body,
        contentType: headers['content-type'],
      };
      calls.push(call);
      if (call.url === '/api/auth/session') {
        return json(200, {
          username: role === 'admin' ? 'admin' : 'viewer',
          role,
          csrf_token: 'csrf',
          expires_at: '2030-01-01T00:00:00Z',
          can_manage_own_password: true,
        } satisfies SessionT);
      }
      const answer = respond(call);
      if (answer) return json(answer.status, answer.body, answer.requestId);
      if (call.url.startsWith('/api/v1/devices?')) return json(200, { devices: [] });
      return json(404, { error: { code: 'not_found', message: 'route not found' } });
    }),
  );
});

afterEach(() => {
  cleanup();
  vi.unstubAllGlobals();
});

function renderScene(options: { applyAccept?: boolean } = {}) {
  const user = userEvent.setup(options);
  render(
    <QueryClientProvider client={createQueryClient()}>
      <MemoryRouter initialEntries={['/data']}>
        <RequireSession>
          <DataScene />
        </RequireSession>
      </MemoryRouter>
    </QueryClientProvider>,
  );
  return user;
}

const DEVICE_ID = '7d1c9e52-3f0a-4b8e-a6d2-91e4c0b7f3aa';

const posts = () => calls.filter((call) => call.method === 'POST');

describe('DataScene: export', () => {
  it('offers the JSON, CSV and schema downloads, and says when Roller is empty', async () => {
    renderScene();
    const json = await screen.findByRole('link', { name: 'Download JSON' });
    expect(json.getAttribute('href')).toBe('/api/v1/devices/export');
    expect(json.hasAttribute('download')).toBe(true);
    expect(screen.getByRole('link', { name: 'Download CSV' }).getAttribute('href')).toBe('/api/v1/devices/export.csv');
    expect(screen.getByRole('link', { name: 'JSON Schema' }).getAttribute('href')).toBe(
      '/api/v1/devices/export/schema',
    );
    expect(await screen.findByText(/no devices yet/)).toBeTruthy();
  });

  it('shows read-only users the exports but no import controls', async () => {
    role = 'read-only';
    renderScene();
    await screen.findByRole('link', { name: 'Download JSON' });
    expect(screen.queryByLabelText(/Snapshot file/)).toBeNull();
    expect(screen.queryByRole('button', { name: /Preview|Import/ })).toBeNull();
    expect(document.querySelector('input, textarea')).toBeNull();
    expect(screen.getByText(/for admins/)).toBeTruthy();
  });
});

describe('DataScene: snapshot import', () => {
  const goodRow = { id: '7d1c9e52-3f0a-4b8e-a6d2-91e4c0b7f3aa', display_name: 'core-sw-01' };
  const badRow = { display_name: 'printer', ips: ['10.0.0.300'] };
  const snapshot = `{"format":"roller.devices","version":1,"devices":[\n${JSON.stringify(goodRow)},\n${JSON.stringify(badRow)}\n]}\n`;

  it('lists every per-row problem with row, line, device, field and the request id; nothing is written', async () => {
    respond = (call) =>
      call.url === '/api/v1/devices/import'
        ? {
            status: 400,
            requestId: 'req-bad-rows',
            body: {
              error: {
                code: 'validation_failed',
                message: 'invalid snapshot',
                details: { errors: [{ index: 1, path: '/ips/0', reason: '"10.0.0.300" is not an IP address' }] },
              },
            },
          }
        : undefined;
    const user = renderScene();
    await user.upload(await screen.findByLabelText('Snapshot file'), new File([snapshot], 'snap.json'));
    expect(await screen.findByText(/2 devices, Roller snapshot version 1/)).toBeTruthy();
    await user.click(screen.getByRole('button', { name: 'Import 2 devices' }));
    await user.click(screen.getByRole('button', { name: 'Import now' }));

    const table = await screen.findByRole('table');
    const cells = within(table)
      .getAllByRole('row')
      .slice(1)
      .map((row) =>
        within(row)
          .getAllByRole('cell')
          .map((cell) => cell.textContent),
      );
    expect(cells).toEqual([['1', '3', 'printer', '/ips/0', '"10.0.0.300" is not an IP address']]);
    expect(screen.getByText(/Nothing was imported/)).toBeTruthy();
    expect(screen.getByText('req-bad-rows')).toBeTruthy();
    const [upload] = posts();
    expect(upload?.contentType).toBe('application/json');
    expect(upload?.body).toBe(snapshot);
  });

  it('shows the counts of a successful import', async () => {
    respond = (call) =>
      call.url === '/api/v1/devices/import'
        ? { status: 200, body: { created: 2, updated: 1, unchanged: 4 } }
        : undefined;
    const user = renderScene();
    await user.upload(await screen.findByLabelText('Snapshot file'), new File([snapshot], 'snap.json'));
    await user.click(await screen.findByRole('button', { name: 'Import 2 devices' }));
    await user.click(screen.getByRole('button', { name: 'Import now' }));
    const stats = await screen.findByLabelText('Snapshot import result');
    expect(stats.textContent).toContain('Created2');
    expect(stats.textContent).toContain('Updated1');
    expect(stats.textContent).toContain('Unchanged4');
  });

  it('shows a refusal of the whole file with its request id', async () => {
    respond = (call) =>
      call.url === '/api/v1/devices/import'
        ? {
            status: 413,
            requestId: 'req-too-big',
            body: { error: { code: 'payload_too_large', message: 'request body too large' } },
          }
        : undefined;
    const user = renderScene();
    await user.upload(await screen.findByLabelText('Snapshot file'), new File([snapshot], 'snap.json'));
    await user.click(await screen.findByRole('button', { name: 'Import 2 devices' }));
    await user.click(screen.getByRole('button', { name: 'Import now' }));
    const alert = await screen.findByText(/The import was refused/);
    expect(alert.textContent).toContain('request body too large');
    expect(screen.getByText('req-too-big')).toBeTruthy();
    expect(screen.queryByRole('table')).toBeNull();
  });

  it('refuses CSV and invalid JSON before uploading anything', async () => {
    // As a user who switched the file picker to "All files".
    const user = renderScene({ applyAccept: false });
    const input = await screen.findByLabelText('Snapshot file');
    await user.upload(input, new File(['id,display_name\r\n'], 'roller.csv', { type: 'text/csv' }));
    expect(await screen.findByText(/only the JSON snapshot can be imported/)).toBeTruthy();
    await user.upload(input, new File(['{"devices": ['], 'broken.json'));
    expect(await screen.findByText(/not valid JSON/)).toBeTruthy();
    expect(screen.queryByRole('button', { name: /^Import \d/ })).toBeNull();
    expect(posts()).toEqual([]);
  });
});

describe('DataScene: NetBox / Nautobot import', () => {
  const payload = JSON.stringify({
    count: 2,
    next: null,
    previous: null,
    results: [
      { name: 'core-sw-01', primary_ip4: { address: '10.0.0.2/24' } },
      { name: null, primary_ip4: null },
    ],
  });
  const previewAnswer = {
    dry_run: true,
    created: 1,
    matched_existing: 0,
    ip_written: 1,
    metadata_written: 0,
    skipped: 1,
    devices: [
      { index: 0, name: 'core-sw-01', action: 'create', ip: '10.0.0.2', ip_added: true, filled: [] },
      { index: 1, action: 'skip', ip_added: false, filled: [], reason: 'no name' },
    ],
  };
  const matchAnswer = {
    ...previewAnswer,
    devices: [
      { index: 0, name: 'a', action: 'match', device_id: DEVICE_ID, matched_by: 'ip', ip_added: false, filled: [] },
      {
        index: 1,
        name: 'b',
        action: 'match',
        device_id: DEVICE_ID,
        matched_by: 'name',
        ip_added: false,
        filled: ['notes'],
      },
    ],
  };
  const importAnswer = { ...previewAnswer, dry_run: false, devices: undefined };

  function answerInventory(call: Call) {
    if (!call.url.startsWith('/api/v1/inventory/')) return undefined;
    return { status: 200, body: call.url.endsWith('?dry_run=true') ? previewAnswer : importAnswer };
  }

  it('enables Import only after a preview of the current payload, and disables it again when it changes', async () => {
    respond = answerInventory;
    const user = renderScene();
    const importButton = await screen.findByRole('button', { name: 'Import' });
    const previewButton = screen.getByRole('button', { name: 'Preview' });
    expect(importButton).toHaveProperty('disabled', true);
    expect(previewButton).toHaveProperty('disabled', true);

    const textarea = screen.getByLabelText('NetBox JSON');
    await user.click(textarea);
    await user.paste(payload);
    expect(importButton).toHaveProperty('disabled', true);
    await user.click(previewButton);

    const preview = await screen.findByRole('region', { name: 'Preview' });
    expect(importButton).toHaveProperty('disabled', false);
    const rows = within(preview).getAllByRole('row').slice(1);
    expect(rows.map((row) => within(row).getAllByRole('cell')[2]?.textContent)).toEqual(['create', 'skip']);
    expect(rows[1]?.textContent).toContain('no name');
    expect(posts().map((call) => call.url)).toEqual(['/api/v1/inventory/netbox/import?dry_run=true']);
    expect(JSON.parse(String(posts()[0]?.body))).toEqual({ payload: JSON.parse(payload) });

    // Any edit of the payload takes the permission away.
    await user.type(textarea, ' ');
    expect(importButton).toHaveProperty('disabled', true);
    expect(screen.queryByRole('region', { name: 'Preview' })).toBeNull();
    expect(screen.getByText(/preview it again/)).toBeTruthy();

    // So does switching the source.
    await user.click(previewButton);
    await screen.findByRole('region', { name: 'Preview' });
    expect(importButton).toHaveProperty('disabled', false);
    await user.click(screen.getByRole('radio', { name: 'Nautobot' }));
    expect(importButton).toHaveProperty('disabled', true);

    await user.click(previewButton);
    await screen.findByRole('region', { name: 'Preview' });
    await user.click(importButton);
    const result = await screen.findByRole('region', { name: 'Import result' });
    expect(result.textContent).toContain('Imported from Nautobot');
    expect(posts().at(-1)?.url).toBe('/api/v1/inventory/nautobot/import');
    // Imported: the button stays off until the payload changes and is previewed again.
    expect(importButton).toHaveProperty('disabled', true);
  });

  it('tells a match that changes something from one that changes nothing, and links the device', async () => {
    respond = (call) => (call.url.startsWith('/api/v1/inventory/') ? { status: 200, body: matchAnswer } : undefined);
    const user = renderScene();
    await user.click(await screen.findByLabelText('NetBox JSON'));
    await user.paste('[{"name": "a"}, {"name": "b"}]');
    await user.click(screen.getByRole('button', { name: 'Preview' }));
    const rows = within(await screen.findByRole('region', { name: 'Preview' }))
      .getAllByRole('row')
      .slice(1);
    expect(rows.map((row) => within(row).getAllByRole('cell')[2]?.textContent)).toEqual(['no change', 'update']);
    expect(
      within(rows[0] as HTMLElement)
        .getByRole('link', { name: 'existing device' })
        .getAttribute('href'),
    ).toBe(`/devices/${DEVICE_ID}`);
    expect(rows[1]?.textContent).toContain('(by name)');
    expect(rows[1]?.textContent).toContain('notes');
  });

  it('keeps Import off after a failed preview and shows the request id', async () => {
    respond = (call) =>
      call.url.startsWith('/api/v1/inventory/')
        ? {
            status: 400,
            requestId: 'req-no-devices',
            body: { error: { code: 'validation_failed', message: 'payload contained no devices' } },
          }
        : undefined;
    const user = renderScene();
    await user.click(await screen.findByLabelText('NetBox JSON'));
    await user.paste('{"results": []}');
    await user.click(screen.getByRole('button', { name: 'Preview' }));
    expect(await screen.findByText(/payload contained no devices/)).toBeTruthy();
    expect(screen.getByText('req-no-devices')).toBeTruthy();
    expect(screen.getByRole('button', { name: 'Import' })).toHaveProperty('disabled', true);
  });

  it('says locally when the payload is not JSON, without a request', async () => {
    const user = renderScene();
    await user.click(await screen.findByLabelText('NetBox JSON'));
    await user.paste('{"results": [');
    await user.click(screen.getByRole('button', { name: 'Preview' }));
    expect(await screen.findByText(/not valid JSON/)).toBeTruthy();
    expect(posts()).toEqual([]);
  });

  it('takes the payload from an uploaded file', async () => {
    respond = answerInventory;
    const user = renderScene();
    await user.upload(await screen.findByLabelText('Or upload a JSON file'), new File([payload], 'netbox.json'));
    expect(await screen.findByText('netbox.json')).toBeTruthy();
    await user.click(screen.getByRole('button', { name: 'Preview' }));
    await screen.findByRole('region', { name: 'Preview' });
    expect(JSON.parse(String(posts()[0]?.body))).toEqual({ payload: JSON.parse(payload) });
    expect(screen.getByRole('button', { name: 'Import' })).toHaveProperty('disabled', false);
  });
});
