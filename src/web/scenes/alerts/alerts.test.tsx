// @vitest-environment happy-dom
import { cleanup, screen, waitFor, within } from '@testing-library/react';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { AlertChannelT, AlertRuleT } from '../../api/types.ts';
import { AlertsScene } from './AlertsScene.tsx';
import { type Call, installMocks, makeChannel, makeDelivery, makeRule, mocks, renderAt, T0 } from './test-support.tsx';

beforeEach(installMocks);
afterEach(() => {
  cleanup();
  vi.unstubAllGlobals();
});

const CHANNEL = makeChannel();
const RULE = makeRule({ channel_ids: [CHANNEL.id] });

/** A fake core keeping rules and channels in memory, answering like the real routes. */
function fakeCore(start: { rules?: AlertRuleT[]; channels?: AlertChannelT[] } = {}) {
  const state = { rules: start.rules ?? [], channels: start.channels ?? [] };
  mocks.respond = (call: Call) => {
    const ruleMatch = /^\/api\/v1\/alert-rules\/([0-9a-f-]{36})$/.exec(call.url);
    const channelMatch = /^\/api\/v1\/alert-channels\/([0-9a-f-]{36})$/.exec(call.url);
    if (call.url === '/api/v1/alert-rules' && call.method === 'GET')
      return { status: 200, body: { rules: state.rules } };
    if (call.url === '/api/v1/alert-channels' && call.method === 'GET')
      return { status: 200, body: { channels: state.channels } };
    if (call.url === '/api/v1/alert-rules' && call.method === 'POST') {
      const rule = makeRule({ ...(call.body as object), id: '44444444-4444-4444-8444-444444444444' });
      state.rules = [...state.rules, rule];
      return { status: 201, body: rule };
    }
    if (ruleMatch && call.method === 'PATCH') {
      state.rules = state.rules.map((rule) =>
        rule.id === ruleMatch[1] ? { ...rule, ...(call.body as object) } : rule,
      );
      return { status: 200, body: state.rules.find((rule) => rule.id === ruleMatch[1]) };
    }
    if (ruleMatch && call.method === 'DELETE') {
      state.rules = state.rules.filter((rule) => rule.id !== ruleMatch[1]);
      return { status: 204 };
    }
    if (call.url === '/api/v1/alert-channels' && call.method === 'POST') {
      const { secret, ...body } = call.body as { secret?: string };
      const channel = makeChannel({ ...(body as object), has_secret: Boolean(secret), id: CHANNEL.id });
      state.channels = [...state.channels, channel];
      return { status: 201, body: channel };
    }
    if (channelMatch && call.method === 'PATCH') {
      const { secret, ...body } = call.body as { secret?: string | null };
      state.channels = state.channels.map((channel) =>
        channel.id === channelMatch[1]
          ? { ...channel, ...body, has_secret: secret === undefined ? channel.has_secret : secret !== null }
          : channel,
      ) as AlertChannelT[];
      return { status: 200, body: state.channels.find((channel) => channel.id === channelMatch[1]) };
    }
    return undefined;
  };
  return state;
}

const sent = (method: string, url: string) =>
  mocks.calls.filter((call) => call.method === method && call.url === url).map((call) => call.body);

describe('alerts page: rules', () => {
  it('validates a new rule in words, then creates it with every field', async () => {
    fakeCore({ channels: [CHANNEL] });
    const { user } = renderAt('/alerts', '/alerts', <AlertsScene />);
    await screen.findByText('No alert rules');
    await user.click(screen.getByRole('button', { name: 'New rule' }));
    const form = screen.getByRole('form', { name: 'New rule' });
    await user.type(within(form).getByLabelText('Subnets'), '10.0.0.0/33');
    const delay = within(form).getByLabelText('New-device delay');
    await user.clear(delay);
    await user.type(delay, 'soon');
    await user.click(within(form).getByRole('button', { name: 'Create rule' }));
    expect(within(form).getByText('Give the rule a name.')).toBeTruthy();
    expect(within(form).getByText('"10.0.0.0/33" is not a CIDR prefix such as 10.0.0.0/24.')).toBeTruthy();
    expect(within(form).getByText('Enter a delay like 90s, 5m, 2h or 1d.')).toBeTruthy();
    expect(within(form).getByLabelText('Rule name').getAttribute('aria-invalid')).toBe('true');
    expect(sent('POST', '/api/v1/alert-rules')).toEqual([]);

    await user.type(within(form).getByLabelText('Rule name'), 'new things');
    const subnets = within(form).getByLabelText('Subnets');
    await user.clear(subnets);
    await user.type(subnets, '10.0.0.0/24');
    await user.clear(delay);
    await user.type(delay, '10m');
    // The errors follow the typing once the form was submitted.
    expect(within(form).queryByText('Give the rule a name.')).toBeNull();
    await user.click(within(form).getByLabelText('Server'));
    await user.click(within(form).getByLabelText('ops hook'));
    await user.selectOptions(within(form).getByLabelText('Randomised MACs'), 'ignore');
    await user.click(within(form).getByLabelText('Use quiet hours'));
    const zone = within(form).getByLabelText('Time zone');
    await user.clear(zone);
    await user.type(zone, 'Europe/Berlin');
    await user.click(within(form).getByLabelText('Drop them'));
    await user.click(within(form).getByRole('button', { name: 'Create rule' }));
    await screen.findByText('Rule created.');
    expect(sent('POST', '/api/v1/alert-rules')).toEqual([
      {
        name: 'new things',
        event: 'new_device',
        enabled: true,
        severity: 'warning',
        filters: { tags: ['server'], subnets: ['10.0.0.0/24'] },
        channel_ids: [CHANNEL.id],
        new_device_delay_s: 600,
        randomized_mac_policy: 'ignore',
        group_window_s: 86_400,
        flap_threshold: 4,
        flap_window_s: 3600,
        quiet_hours: { time_zone: 'Europe/Berlin', ranges: [{ start: '22:00', end: '07:00' }], mode: 'drop' },
      },
    ]);
    const table = screen.getByRole('table', { name: 'Alert rules' });
    expect(within(table).getByText('new things')).toBeTruthy();
    expect(screen.queryByRole('form', { name: 'New rule' })).toBeNull();
  });

  it('shows the event-specific fields only for their events', async () => {
    fakeCore();
    const { user } = renderAt('/alerts', '/alerts', <AlertsScene />);
    await user.click(await screen.findByRole('button', { name: 'New rule' }));
    const form = screen.getByRole('form', { name: 'New rule' });
    expect(within(form).queryByLabelText('Flap threshold')).toBeNull();
    await user.selectOptions(within(form).getByLabelText('Event'), 'device_offline');
    expect(within(form).getByLabelText('Flap threshold')).toBeTruthy();
    expect(within(form).queryByLabelText('New-device delay')).toBeNull();
    await user.selectOptions(within(form).getByLabelText('Event'), 'run_failed');
    expect(within(form).queryByLabelText('Subnets')).toBeNull();
    expect(within(form).getByText(/takes no device filters/)).toBeTruthy();
    expect(within(form).getByText(/No channels yet/)).toBeTruthy();
  });

  it('edits, disables and deletes a rule after confirmation', async () => {
    fakeCore({ rules: [RULE], channels: [CHANNEL] });
    const { user } = renderAt('/alerts', '/alerts', <AlertsScene />);
    const table = await screen.findByRole('table', { name: 'Alert rules' });
    await within(table).findByText('ops hook');
    expect(within(table).getByText('tags server')).toBeTruthy();
    expect(within(table).getByText('Device offline')).toBeTruthy();

    await user.click(screen.getByRole('button', { name: 'Edit rule servers down' }));
    const form = screen.getByRole('form', { name: 'Edit rule' });
    expect((within(form).getByLabelText('Rule name') as HTMLInputElement).value).toBe('servers down');
    expect((within(form).getByLabelText('Server') as HTMLInputElement).checked).toBe(true);
    const threshold = within(form).getByLabelText('Flap threshold');
    await user.clear(threshold);
    await user.type(threshold, '0');
    await user.click(within(form).getByRole('button', { name: 'Save rule' }));
    await screen.findByText('Rule saved.');
    const url = `/api/v1/alert-rules/${RULE.id}`;
    expect(sent('PATCH', url)).toEqual([expect.objectContaining({ flap_threshold: 0, filters: { tags: ['server'] } })]);
    expect(await within(table).findByText('no flap damping')).toBeTruthy();

    await user.click(screen.getByRole('button', { name: 'Disable rule servers down' }));
    await screen.findByText('Rule servers down disabled.');
    expect(sent('PATCH', url).at(-1)).toEqual({ enabled: false });
    expect(await within(table).findByText('disabled')).toBeTruthy();

    await user.click(screen.getByRole('button', { name: 'Delete rule servers down' }));
    expect(sent('DELETE', url)).toEqual([]);
    await user.click(screen.getByRole('button', { name: 'Delete rule' }));
    await screen.findByText('Rule deleted.');
    await screen.findByText('No alert rules');
    expect(sent('DELETE', url)).toHaveLength(1);
  });

  it("shows the server's message, its details and the request id when saving fails", async () => {
    fakeCore();
    const respond = mocks.respond;
    mocks.respond = (call) =>
      call.method === 'POST' && call.url === '/api/v1/alert-rules'
        ? {
            status: 400,
            body: {
              error: {
                code: 'validation_failed',
                message: 'invalid subnet filter',
                details: { error: 'use a CIDR prefix' },
              },
            },
            requestId: 'req-subnet',
          }
        : respond(call);
    const { user } = renderAt('/alerts', '/alerts', <AlertsScene />);
    await user.click(await screen.findByRole('button', { name: 'New rule' }));
    const form = screen.getByRole('form', { name: 'New rule' });
    await user.type(within(form).getByLabelText('Rule name'), 'x');
    await user.click(within(form).getByRole('button', { name: 'Create rule' }));
    expect(await within(form).findByText(/invalid subnet filter: use a CIDR prefix/)).toBeTruthy();
    expect(within(form).getByText('req-subnet')).toBeTruthy();
  });
});

describe('alerts page: channels', () => {
  it('creates a webhook channel with a write-only secret', async () => {
    fakeCore();
    const { user } = renderAt('/alerts?tab=channels', '/alerts', <AlertsScene />);
    await screen.findByText('No channels');
    await user.click(screen.getByRole('button', { name: 'New channel' }));
    const form = screen.getByRole('form', { name: 'New channel' });
    await user.type(within(form).getByLabelText('URL'), 'hooks.example.org');
    await user.click(within(form).getByRole('button', { name: 'Create channel' }));
    expect(within(form).getByText('Give the channel a name.')).toBeTruthy();
    expect(within(form).getByText('Enter an http:// or https:// URL.')).toBeTruthy();
    await user.type(within(form).getByLabelText('Channel name'), 'ops hook');
    const url = within(form).getByLabelText('URL');
    await user.clear(url);
    await user.type(url, 'http://127.0.0.1:9/hook');
    const secret = within(form).getByLabelText('HMAC signing key');
    expect(secret.getAttribute('type')).toBe('password');
    await user.type(secret, 's3cret');
    await user.click(within(form).getByRole('button', { name: 'Create channel' }));
    await screen.findByText('Channel created.');
    expect(sent('POST', '/api/v1/alert-channels')).toEqual([
      {
        name: 'ops hook',
        type: 'webhook',
        enabled: true,
        config: { url: 'http://127.0.0.1:9/hook' },
        secret: 's3cret',
        digest_interval_s: null,
        quiet_hours: null,
      },
    ]);
    const list = screen.getByRole('list', { name: 'Alert channels' });
    expect(await within(list).findByText('Secret: set (never shown)', { exact: false })).toBeTruthy();
    expect(document.body.textContent).not.toContain('s3cret');
  });

  it('never shows a stored secret: keeps, replaces or removes it', async () => {
    fakeCore({ channels: [makeChannel({ has_secret: true })] });
    const { user } = renderAt('/alerts?tab=channels', '/alerts', <AlertsScene />);
    const url = `/api/v1/alert-channels/${CHANNEL.id}`;
    await user.click(await screen.findByRole('button', { name: 'Edit channel ops hook' }));
    let form = screen.getByRole('form', { name: 'Edit channel' });
    expect(within(form).getByText(/is set; it is never shown/)).toBeTruthy();
    expect(form.querySelector('input[type="password"]')).toBeNull();
    await user.click(within(form).getByRole('button', { name: 'Save channel' }));
    await screen.findByText('Channel saved.');
    expect(sent('PATCH', url)).toEqual([
      {
        name: 'ops hook',
        enabled: true,
        config: { url: 'https://hooks.example.org/roller' },
        digest_interval_s: null,
        quiet_hours: null,
      },
    ]);

    await user.click(screen.getByRole('button', { name: 'Edit channel ops hook' }));
    form = screen.getByRole('form', { name: 'Edit channel' });
    await user.click(within(form).getByRole('button', { name: 'Replace' }));
    await user.click(within(form).getByRole('button', { name: 'Save channel' }));
    expect(within(form).getByText('Enter the new secret, or cancel.')).toBeTruthy();
    await user.type(within(form).getByLabelText('New hmac signing key'), 'k2');
    await user.click(within(form).getByLabelText('Collect alerts and send one message per interval'));
    await user.click(within(form).getByRole('button', { name: 'Save channel' }));
    await screen.findByText('Channel saved.');
    expect(sent('PATCH', url).at(-1)).toMatchObject({ secret: 'k2', digest_interval_s: 3600 });

    await user.click(screen.getByRole('button', { name: 'Edit channel ops hook' }));
    form = screen.getByRole('form', { name: 'Edit channel' });
    await user.click(within(form).getByRole('button', { name: 'Remove' }));
    await user.click(within(form).getByRole('button', { name: 'Save channel' }));
    await screen.findByText('Channel saved.');
    expect(sent('PATCH', url).at(-1)).toMatchObject({ secret: null });
    expect(await screen.findByText(/Secret: none/)).toBeTruthy();
  });

  it('asks for the e-mail fields and sends them as config', async () => {
    fakeCore();
    const { user } = renderAt('/alerts?tab=channels', '/alerts', <AlertsScene />);
    await user.click(await screen.findByRole('button', { name: 'New channel' }));
    const form = screen.getByRole('form', { name: 'New channel' });
    await user.selectOptions(within(form).getByLabelText('Type'), 'email');
    await user.type(within(form).getByLabelText('Channel name'), 'mail');
    await user.type(within(form).getByLabelText('To'), 'ops@example.org, nope');
    await user.click(within(form).getByRole('button', { name: 'Create channel' }));
    expect(within(form).getByText('Enter the SMTP server.')).toBeTruthy();
    expect(within(form).getByText('Enter the sender address, e.g. roller@example.org.')).toBeTruthy();
    expect(within(form).getByText('"nope" is not an e-mail address.')).toBeTruthy();
    await user.type(within(form).getByLabelText('SMTP server'), 'smtp.example.org');
    await user.type(within(form).getByLabelText('From'), 'roller@example.org');
    const to = within(form).getByLabelText('To');
    await user.clear(to);
    await user.type(to, 'ops@example.org');
    await user.selectOptions(within(form).getByLabelText('Encryption'), 'tls');
    await user.type(within(form).getByLabelText('SMTP password'), 'pw');
    await user.click(within(form).getByRole('button', { name: 'Create channel' }));
    await screen.findByText('Channel created.');
    expect(sent('POST', '/api/v1/alert-channels')[0]).toMatchObject({
      type: 'email',
      config: { host: 'smtp.example.org', port: 587, tls: 'tls', from: 'roller@example.org', to: ['ops@example.org'] },
      secret: 'pw',
    });
  });

  it('tests a channel and shows the outcome or the reason it failed', async () => {
    const broken = makeChannel({ id: '55555555-5555-4555-8555-555555555555', name: 'broken hook' });
    fakeCore({ channels: [CHANNEL, broken] });
    const respond = mocks.respond;
    mocks.respond = (call) => {
      if (call.method === 'POST' && call.url === `/api/v1/alert-channels/${CHANNEL.id}/test`) {
        const attempt = { attempt: 1, outcome: 'sent' as const, duration_ms: 12, attempted_at: T0 };
        return { status: 200, body: { delivery: makeDelivery({ kind: 'test', attempt_log: [attempt] }) } };
      }
      if (call.method === 'POST' && call.url === `/api/v1/alert-channels/${broken.id}/test`) {
        const delivery = makeDelivery({ kind: 'test', status: 'failed', last_error: 'HTTP 404 Not Found' });
        return { status: 200, body: { delivery } };
      }
      return respond(call);
    };
    const { user } = renderAt('/alerts?tab=channels', '/alerts', <AlertsScene />);
    await user.click(await screen.findByRole('button', { name: 'Test channel ops hook' }));
    const ok = await screen.findByRole('status', { name: 'Test result of ops hook' });
    expect(within(ok).getByText('sent').className).toContain('badge-success');
    expect(sent('POST', `/api/v1/alert-channels/${CHANNEL.id}/test`)).toEqual([{}]);
    await user.click(screen.getByRole('button', { name: 'Test channel broken hook' }));
    const failed = await screen.findByRole('status', { name: 'Test result of broken hook' });
    expect(within(failed).getByText('failed').className).toContain('badge-danger');
    expect(failed.textContent).toContain('HTTP 404 Not Found');
  });
});

describe('alerts page: delivery log', () => {
  it('takes its filters from the URL, pages with Load more and names the rule', async () => {
    const firstPage = Array.from({ length: 25 }, (_, index) =>
      makeDelivery({ rule_id: RULE.id, status: 'failed', attempts: 5, last_error: `HTTP 50${index % 10}` }),
    );
    fakeCore({ rules: [RULE], channels: [CHANNEL] });
    const respond = mocks.respond;
    const base = `/api/v1/alert-deliveries?channel_id=${CHANNEL.id}&status=failed&limit=25`;
    mocks.respond = (call) => {
      if (call.url === base) return { status: 200, body: { deliveries: firstPage, cursor: 'c2' } };
      if (call.url === `${base}&cursor=c2`) {
        const attempt_log = [1, 2].map((n) => ({
          attempt: n,
          outcome: 'failed' as const,
          error: `fetch failed: ECONNREFUSED #${n}`,
          duration_ms: 3,
          attempted_at: T0,
        }));
        const last = makeDelivery({ title: 'The last one', status: 'failed', attempts: 2, attempt_log });
        return { status: 200, body: { deliveries: [last] } };
      }
      if (call.url === `/api/v1/alert-deliveries?channel_id=${CHANNEL.id}&limit=25`) {
        return { status: 200, body: { deliveries: [makeDelivery({ title: 'Any outcome' })] } };
      }
      return respond(call);
    };
    const { user, location } = renderAt(
      `/alerts?tab=log&channel=${CHANNEL.id}&status=failed`,
      '/alerts',
      <AlertsScene />,
    );
    const table = await screen.findByRole('table', { name: 'Alert deliveries' });
    expect(within(table).getAllByRole('row')).toHaveLength(26);
    expect(screen.getByText('Newest first · Showing 25 deliveries')).toBeTruthy();
    const first = within(table).getAllByRole('row')[1];
    if (!first) throw new Error('no first row');
    await within(first).findByText('servers down');
    expect(within(first).getByText('failed').className).toContain('badge-danger');
    expect(within(first).getByText('5/5')).toBeTruthy();
    expect(within(first).getByText('HTTP 500')).toBeTruthy();
    expect((screen.getByLabelText('Outcome') as HTMLSelectElement).value).toBe('failed');

    await user.click(screen.getByRole('button', { name: 'Load more' }));
    await screen.findByText('The last one');
    const lastRow = screen.getByText('The last one').closest('tr');
    if (!lastRow) throw new Error('no row');
    expect(within(lastRow).getByText('Every attempt')).toBeTruthy();
    expect(within(lastRow).getByText(/#2 .*: failed \(fetch failed: ECONNREFUSED #2\)/)).toBeTruthy();
    expect(screen.getByText('All deliveries loaded.')).toBeTruthy();
    expect(screen.queryByRole('button', { name: 'Load more' })).toBeNull();

    await user.selectOptions(screen.getByLabelText('Outcome'), '');
    await screen.findByText('Any outcome');
    expect(location()).toBe(`/alerts?tab=log&channel=${CHANNEL.id}`);
  });
});

describe('alerts page: sections and roles', () => {
  it('keeps the section in the URL', async () => {
    fakeCore({ rules: [RULE] });
    const { user, location } = renderAt('/alerts', '/alerts', <AlertsScene />);
    const nav = await screen.findByRole('navigation', { name: 'Alert sections' });
    expect(within(nav).getByRole('link', { name: 'Rules' }).getAttribute('aria-current')).toBe('page');
    await user.click(within(nav).getByRole('link', { name: 'Channels' }));
    await waitFor(() => expect(location()).toBe('/alerts?tab=channels'));
    expect(await screen.findByRole('heading', { name: 'Prometheus' })).toBeTruthy();
    expect(within(nav).getByRole('link', { name: 'Channels' }).getAttribute('aria-current')).toBe('page');
    await user.click(within(nav).getByRole('link', { name: 'Rules' }));
    await waitFor(() => expect(location()).toBe('/alerts'));
  });

  it('gives read-only users everything to read and nothing to change', async () => {
    mocks.role = 'read-only';
    fakeCore({ rules: [RULE], channels: [makeChannel({ has_secret: true })] });
    mocks.respond = (
      (respond) => (call: Call) =>
        call.url === '/api/v1/presence/tag-settings'
          ? {
              status: 200,
              body: [
                {
                  tag: 'server',
                  override: { missed_scans: 5 },
                  effective: {
                    missed_scans: 5,
                    grace_s: 600,
                    missed_scans_source: 'tag:server',
                    grace_s_source: 'global',
                  },
                },
              ],
            }
          : respond(call)
    )(mocks.respond);
    const view = renderAt('/alerts', '/alerts', <AlertsScene />);
    await screen.findByText('servers down');
    expect(screen.queryAllByRole('button')).toEqual([]);
    view.unmount();

    renderAt('/alerts?tab=channels', '/alerts', <AlertsScene />);
    await screen.findByText('ops hook');
    expect(screen.getByText(/Secret: set/)).toBeTruthy();
    expect(screen.queryAllByRole('button')).toEqual([]);
    cleanup();

    renderAt('/alerts?tab=presence', '/alerts', <AlertsScene />);
    const table = await screen.findByRole('table', { name: 'Presence settings per tag' });
    expect(within(table).getByText('from tag Server', { exact: false })).toBeTruthy();
    expect(within(table).getByText('(global default)')).toBeTruthy();
    expect(screen.queryAllByRole('button')).toEqual([]);
    expect(screen.queryByRole('form')).toBeNull();
  });

  it('sets and removes presence values of a tag', async () => {
    let rows: unknown[] = [];
    mocks.respond = (call) => {
      if (call.url === '/api/v1/presence/tag-settings') return { status: 200, body: rows };
      if (call.method === 'PUT' && call.url === '/api/v1/presence/tag-settings/printer') {
        const row = {
          tag: 'printer',
          override: { missed_scans: 3, grace_s: 900, updated_at: T0, updated_by: 'admin' },
          effective: {
            missed_scans: 3,
            grace_s: 900,
            missed_scans_source: 'tag:printer',
            grace_s_source: 'tag:printer',
          },
        };
        rows = [row];
        return { status: 200, body: row };
      }
      if (call.method === 'DELETE' && call.url === '/api/v1/presence/tag-settings/printer') {
        rows = [];
        return { status: 204 };
      }
      return undefined;
    };
    const { user } = renderAt('/alerts?tab=presence', '/alerts', <AlertsScene />);
    await screen.findByText('No tag has its own presence settings');
    const form = screen.getByRole('form', { name: 'Set values for a tag' });
    await user.click(within(form).getByRole('button', { name: 'Save tag settings' }));
    expect(within(form).getByText('Choose a tag.')).toBeTruthy();
    await user.selectOptions(within(form).getByLabelText('Tag'), 'printer');
    await user.type(within(form).getByLabelText('Missed scans'), '0');
    await user.click(within(form).getByRole('button', { name: 'Save tag settings' }));
    expect(within(form).getByText('Use a whole number from 1 to 1000, or leave it empty to inherit.')).toBeTruthy();
    await user.clear(within(form).getByLabelText('Missed scans'));
    await user.type(within(form).getByLabelText('Missed scans'), '3');
    await user.type(within(form).getByLabelText('Grace period'), '15m');
    await user.click(within(form).getByRole('button', { name: 'Save tag settings' }));
    await screen.findByText('Presence settings of tag Printer saved.');
    expect(sent('PUT', '/api/v1/presence/tag-settings/printer')).toEqual([{ missed_scans: 3, grace_s: 900 }]);
    const table = await screen.findByRole('table', { name: 'Presence settings per tag' });
    expect(within(table).getByText('15m')).toBeTruthy();
    const fresh = screen.getByRole('form', { name: 'Set values for a tag' });
    expect((within(fresh).getByLabelText('Missed scans') as HTMLInputElement).value).toBe('');
    await user.click(screen.getByRole('button', { name: 'Remove presence settings of tag Printer' }));
    await screen.findByText('No tag has its own presence settings');
    expect(sent('DELETE', '/api/v1/presence/tag-settings/printer')).toHaveLength(1);
  });
});
