// @vitest-environment happy-dom
import { cleanup, screen, waitFor, within } from '@testing-library/react';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { DiscoveryScene } from './DiscoveryScene.tsx';
import { RunList } from './RunList.tsx';
import { RunScene } from './RunScene.tsx';
import { SchedulesScene } from './SchedulesScene.tsx';
import { installMocks, MockEventSource, makeRun, mocks, renderAt } from './test-support.tsx';

beforeEach(installMocks);
afterEach(() => {
  cleanup();
  vi.unstubAllGlobals();
});

const RUN_ID = '11111111-1111-4111-8111-111111111111';
const runUrl = `/api/v1/discovery/runs/${RUN_ID}`;

describe('run detail', () => {
  it('follows progress, stage and log lines from the events stream, and closes it on end', async () => {
    let current = makeRun({
      id: RUN_ID,
      status: 'queued',
      stats: { preset: 'fast', stage: 'queued' },
      started_at: undefined,
      completed_at: undefined,
    });
    mocks.respond = (call) => {
      if (call.url === runUrl) return { status: 200, body: current };
      if (call.url === `${runUrl}/logs?limit=50`) return { status: 200, body: { logs: [] } };
      return undefined;
    };
    const view = renderAt(`/discovery/${RUN_ID}`, '/discovery/:runId', <RunScene />);
    await screen.findByText(RUN_ID);
    expect(screen.getByTestId('run-stage').textContent).toBe('Waiting for a worker');
    expect(screen.getByTestId('run-outcome').textContent).not.toMatch(/without error/i);
    await waitFor(() => expect(MockEventSource.instances).toHaveLength(1));
    const source = MockEventSource.instances[0];
    if (!source) throw new Error('no EventSource');
    expect(source.url).toBe(`${runUrl}/events`);
    await source.emit('open');
    await source.emit('status', {
      ...current,
      status: 'running',
      started_at: '2026-01-01T10:00:01Z',
      stats: { preset: 'fast', stage: 'running', progress: { stage: 'sweep', done: 1, total: 4 } },
    });
    expect(screen.getByTestId('run-stage').textContent).toBe('Presence sweep');
    const bar = screen.getByRole('progressbar', { name: 'Run progress' });
    expect(bar.getAttribute('aria-valuenow')).toBe('25');
    expect(screen.getByTestId('run-outcome').textContent).not.toMatch(/without error/i);
    // The scene shows an admin the cancel button while the run is active.
    expect(screen.getByRole('button', { name: 'Cancel run…' })).toBeTruthy();

    await source.emit('log', {
      id: 7,
      level: 'info',
      message: 'discovery run started',
      created_at: '2026-01-01T10:00:01Z',
    });
    await source.emit('log', {
      id: 8,
      level: 'warn',
      message: 'arp sweep: skipped',
      created_at: '2026-01-01T10:00:02Z',
    });
    const log = screen.getByRole('list', { name: 'Run log, newest first' });
    const items = within(log).getAllByRole('listitem');
    expect(items.map((item) => item.textContent)).toEqual([
      expect.stringContaining('arp sweep: skipped'),
      expect.stringContaining('discovery run started'),
    ]);

    current = { ...current, status: 'succeeded', completed_at: '2026-01-01T10:00:09Z', stats: { stage: 'completed' } };
    await source.emit('end', { status: 'succeeded' });
    expect(source.closed).toBe(true);
    await waitFor(() => expect(screen.getByTestId('run-outcome').textContent).toBe('Completed without error.'));
    expect(screen.queryByRole('button', { name: 'Cancel run…' })).toBeNull();
    view.unmount();
    expect(MockEventSource.instances).toHaveLength(1);
  });

  it('closes the stream when the page is left', async () => {
    mocks.respond = (call) => {
      if (call.url === runUrl) return { status: 200, body: makeRun({ id: RUN_ID, status: 'running' }) };
      if (call.url.startsWith(`${runUrl}/logs`)) return { status: 200, body: { logs: [] } };
      return undefined;
    };
    const view = renderAt(`/discovery/${RUN_ID}`, '/discovery/:runId', <RunScene />);
    await waitFor(() => expect(MockEventSource.instances).toHaveLength(1));
    view.unmount();
    expect(MockEventSource.instances[0]?.closed).toBe(true);
  });

  it.each([
    ['queued', undefined, false],
    ['running', undefined, false],
    ['failed', 'runtime budget of 30000 ms exceeded', false],
    ['canceled', 'requested by operator', false],
    ['succeeded', undefined, true],
  ] as const)('says "completed without error" only for succeeded runs (G-21): %s', async (status, lastError, ok) => {
    mocks.respond = (call) => {
      if (call.url === runUrl) {
        return {
          status: 200,
          body: makeRun({ id: RUN_ID, status, ...(lastError ? { last_error: lastError } : {}) }),
        };
      }
      if (call.url.startsWith(`${runUrl}/logs`)) return { status: 200, body: { logs: [] } };
      return undefined;
    };
    renderAt(`/discovery/${RUN_ID}`, '/discovery/:runId', <RunScene />);
    const outcome = await screen.findByTestId('run-outcome');
    expect(/without error/i.test(outcome.textContent ?? '')).toBe(ok);
    expect(/without error/i.test(document.body.textContent ?? '')).toBe(ok);
    if (status === 'failed') expect(outcome.textContent).toBe('Failure detected.');
    if (lastError) expect(screen.getByText(new RegExp(lastError))).toBeTruthy();
  });

  it('loads older log lines page by page', async () => {
    const line = (id: number) => ({ id, level: 'info', message: `line ${id}`, created_at: '2026-01-01T10:00:00Z' });
    mocks.respond = (call) => {
      if (call.url === runUrl) return { status: 200, body: makeRun({ id: RUN_ID }) };
      if (call.url === `${runUrl}/logs?limit=50`)
        return { status: 200, body: { logs: [line(3), line(2)], cursor: 'c1' } };
      if (call.url === `${runUrl}/logs?limit=40&cursor=c1`) return { status: 200, body: { logs: [line(1)] } };
      return undefined;
    };
    const { user } = renderAt(`/discovery/${RUN_ID}`, '/discovery/:runId', <RunScene />);
    await screen.findByText('line 3');
    expect(MockEventSource.instances).toHaveLength(0); // a finished run is not followed
    await user.click(screen.getByRole('button', { name: 'Load more logs' }));
    await screen.findByText('line 1');
    expect(screen.getByText('All logs loaded.')).toBeTruthy();
  });

  it('shows the not-found view for an unknown run', async () => {
    renderAt(`/discovery/${RUN_ID}`, '/discovery/:runId', <RunScene />);
    await screen.findByText('Page not found');
  });

  it('cancels an active run after confirmation', async () => {
    let current = makeRun({ id: RUN_ID, status: 'running', completed_at: undefined });
    mocks.respond = (call) => {
      if (call.url === runUrl) return { status: 200, body: current };
      if (call.url.startsWith(`${runUrl}/logs`)) return { status: 200, body: { logs: [] } };
      if (call.url === `${runUrl}/cancel` && call.method === 'POST') {
        current = { ...current, cancel_requested_at: '2026-01-01T10:00:03Z' };
        return { status: 202, body: current };
      }
      return undefined;
    };
    const { user } = renderAt(`/discovery/${RUN_ID}`, '/discovery/:runId', <RunScene />);
    await user.click(await screen.findByRole('button', { name: 'Cancel run…' }));
    await user.click(screen.getByRole('button', { name: 'Yes, cancel the run' }));
    await screen.findByRole('button', { name: 'Cancellation requested' });
    expect(mocks.calls.some((call) => call.method === 'POST' && call.url === `${runUrl}/cancel`)).toBe(true);
  });

  it('gives read-only users no cancel button', async () => {
    mocks.role = 'read-only';
    mocks.respond = (call) => {
      if (call.url === runUrl) return { status: 200, body: makeRun({ id: RUN_ID, status: 'running' }) };
      if (call.url.startsWith(`${runUrl}/logs`)) return { status: 200, body: { logs: [] } };
      return undefined;
    };
    renderAt(`/discovery/${RUN_ID}`, '/discovery/:runId', <RunScene />);
    await screen.findByTestId('run-outcome');
    expect(screen.queryByRole('button', { name: /cancel/i })).toBeNull();
  });
});

describe('run list', () => {
  it('replaces page 1 in place and keeps the older pages it loaded', async () => {
    const older = [makeRun({ status: 'failed', last_error: 'no route to host' }), makeRun(), makeRun()];
    const page1 = Array.from({ length: 8 }, () => makeRun());
    const newest = makeRun({ status: 'running', completed_at: undefined });
    let first = { runs: [...page1].reverse(), cursor: 'p2' };
    mocks.respond = (call) => {
      if (call.url === '/api/v1/discovery/runs?limit=8') return { status: 200, body: first };
      if (call.url === '/api/v1/discovery/runs?limit=8&cursor=p2')
        return { status: 200, body: { runs: [...older].reverse() } };
      return undefined;
    };
    const { user, client } = renderAt('/discovery', '/discovery', <RunList />);
    const list = await screen.findByRole('list', { name: 'Discovery runs' });
    expect(within(list).getAllByRole('listitem')).toHaveLength(8);
    await user.click(screen.getByRole('button', { name: 'Load more runs' }));
    await waitFor(() => expect(within(list).getAllByRole('listitem')).toHaveLength(11));
    expect(screen.getByText('All runs loaded.')).toBeTruthy();
    expect(within(list).getByText('no route to host').closest('.alert-danger')).toBeTruthy();

    // A new run arrives: page 1 now starts with it and pushes its oldest run out; nothing is lost.
    first = { runs: [newest, ...[...page1].reverse().slice(0, 7)], cursor: 'p2b' };
    await client.refetchQueries({ queryKey: ['discovery', 'runs', 'first'] });
    await waitFor(() => expect(within(list).getAllByRole('listitem')).toHaveLength(12));
    const ids = within(list)
      .getAllByRole('listitem')
      .map((item) => item.getAttribute('data-run-id'));
    expect(ids).toEqual([newest, ...[...page1].reverse(), ...[...older].reverse()].map((run) => run.id));
    expect(within(within(list).getAllByRole('listitem')[0] as HTMLElement).getByText('running')).toBeTruthy();
  });

  it('shows the error of the first load with its request id, and an empty state', async () => {
    mocks.respond = (call) =>
      call.url === '/api/v1/discovery/runs?limit=8'
        ? { status: 400, body: { error: { code: 'invalid_cursor', message: 'bad cursor' } }, requestId: 'req-77' }
        : undefined;
    renderAt('/discovery', '/discovery', <RunList />);
    await screen.findByText(/bad cursor/);
    expect(screen.getByText('req-77')).toBeTruthy();
    cleanup();
    mocks.respond = () => undefined;
    renderAt('/discovery', '/discovery', <RunList />);
    await screen.findByText('No discovery runs yet');
  });
});

describe('run form', () => {
  it('validates the scope, starts a run and follows it live', async () => {
    mocks.respond = (call) => {
      if (call.url === '/api/v1/discovery/scope-suggestions') {
        return { status: 200, body: { scopes: [{ scope: '127.0.0.0/30', interface: 'lo', targets: 4 }] } };
      }
      if (call.url === '/api/v1/discovery/run' && call.method === 'POST') {
        const body = call.body as { scope: string };
        if (body.scope === '10.0.0.0/8') {
          return {
            status: 400,
            body: {
              error: {
                code: 'validation_failed',
                message: 'invalid discovery scope',
                details: { error: 'scope too large (16777216 targets); max targets is 1024' },
              },
            },
            requestId: 'req-scope',
          };
        }
        return {
          status: 202,
          body: makeRun({ id: RUN_ID, status: 'queued', scope: body.scope, completed_at: undefined }),
        };
      }
      if (call.url === runUrl) return { status: 200, body: makeRun({ id: RUN_ID, status: 'queued' }) };
      return undefined;
    };
    const { user } = renderAt('/discovery', '/discovery', <DiscoveryScene />);
    const start = await screen.findByRole('button', { name: 'Start discovery' });
    await user.click(start);
    expect(await screen.findByText(/Enter a scope/)).toBeTruthy();
    const scope = screen.getByLabelText('Scope');
    await user.type(scope, '10.0.0.256');
    await user.click(start);
    expect(await screen.findByText(/not a valid IPv4 address/)).toBeTruthy();
    expect(mocks.calls.some((call) => call.url === '/api/v1/discovery/run')).toBe(false);

    await user.clear(scope);
    await user.type(scope, '10.0.0.0/8');
    await user.click(start);
    expect(await screen.findByText(/scope too large \(16777216 targets\)/)).toBeTruthy();
    expect(screen.getByText('req-scope')).toBeTruthy();

    await user.click(screen.getByRole('button', { name: '127.0.0.0/30 (lo)' }));
    expect((scope as HTMLInputElement).value).toBe('127.0.0.0/30');
    await user.click(screen.getByText('Advanced: scan tags'));
    await user.click(screen.getByLabelText('Names'));
    await user.selectOptions(screen.getByLabelText('Preset'), 'fast');
    await user.click(start);
    await screen.findByText(/queued; follow it below/);
    const post = mocks.calls.filter((call) => call.url === '/api/v1/discovery/run').at(-1);
    expect(post?.body).toEqual({ scope: '127.0.0.0/30', preset: 'fast', tags: ['names'] });
    await waitFor(() => expect(MockEventSource.instances.map((source) => source.url)).toContain(`${runUrl}/events`));
    expect(screen.getByText('Started run')).toBeTruthy();
  });

  it('is not there for read-only users', async () => {
    mocks.role = 'read-only';
    renderAt('/discovery', '/discovery', <DiscoveryScene />);
    await screen.findByText(/signed in read-only/);
    expect(screen.queryByRole('button', { name: 'Start discovery' })).toBeNull();
    expect(screen.queryByLabelText('Scope')).toBeNull();
  });
});

describe('schedules', () => {
  const schedule = {
    id: '22222222-2222-4222-8222-222222222222',
    name: 'nightly',
    scope: '192.0.2.0/24',
    preset: 'normal',
    tags: [],
    cron: '0 3 * * *',
    enabled: true,
    created_at: '2026-01-01T00:00:00Z',
    updated_at: '2026-01-01T00:00:00Z',
  };

  it('validates the form before saving, then creates the schedule', async () => {
    mocks.respond = (call) => {
      if (call.url === '/api/v1/discovery/schedules' && call.method === 'POST') {
        return { status: 201, body: { ...schedule, id: '33333333-3333-4333-8333-333333333333' } };
      }
      return undefined;
    };
    const { user } = renderAt('/discovery/schedules', '/discovery/schedules', <SchedulesScene />);
    await screen.findByText('No schedules');
    await user.click(screen.getByRole('button', { name: 'New schedule' }));
    const form = screen.getByRole('form', { name: 'New schedule' });
    const interval = within(form).getByLabelText('Interval');
    await user.clear(interval);
    await user.type(interval, '0');
    await user.click(within(form).getByRole('button', { name: 'Create schedule' }));
    expect(within(form).getByText(/Enter a scope/)).toBeTruthy();
    expect(within(form).getByText('Enter a whole number greater than 0.')).toBeTruthy();
    await user.type(within(form).getByLabelText('Scope'), '192.0.2.0/24');
    await user.click(within(form).getByLabelText('Cron expression (UTC)'));
    await user.type(within(form).getByLabelText('Cron'), '0 3 * *');
    await user.click(within(form).getByRole('button', { name: 'Create schedule' }));
    expect(within(form).getByText(/5 fields/)).toBeTruthy();
    expect(mocks.calls.some((call) => call.method === 'POST')).toBe(false);
    await user.type(within(form).getByLabelText('Cron'), ' *');
    await user.type(within(form).getByLabelText('Name (optional)'), 'nightly');
    await user.click(within(form).getByRole('button', { name: 'Create schedule' }));
    await screen.findByText('Schedule created.');
    expect(mocks.calls.find((call) => call.method === 'POST')?.body).toEqual({
      name: 'nightly',
      scope: '192.0.2.0/24',
      preset: 'normal',
      tags: [],
      interval_seconds: null,
      cron: '0 3 * * *',
      enabled: true,
    });
  });

  it('shows the server message and request id when saving fails', async () => {
    mocks.respond = (call) =>
      call.url === '/api/v1/discovery/schedules' && call.method === 'POST'
        ? {
            status: 400,
            body: {
              error: {
                code: 'validation_failed',
                message: 'invalid schedule timing',
                details: { error: 'invalid cron: minute out of range' },
              },
            },
            requestId: 'req-cron',
          }
        : undefined;
    const { user } = renderAt('/discovery/schedules', '/discovery/schedules', <SchedulesScene />);
    await user.click(await screen.findByRole('button', { name: 'New schedule' }));
    const form = screen.getByRole('form', { name: 'New schedule' });
    await user.type(within(form).getByLabelText('Scope'), '192.0.2.0/24');
    await user.click(within(form).getByRole('button', { name: 'Create schedule' }));
    expect(await within(form).findByText(/invalid schedule timing: invalid cron: minute out of range/)).toBeTruthy();
    expect(within(form).getByText('req-cron')).toBeTruthy();
  });

  it('edits and deletes a schedule', async () => {
    let list = [schedule];
    mocks.respond = (call) => {
      const url = `/api/v1/discovery/schedules/${schedule.id}`;
      if (call.url === '/api/v1/discovery/schedules' && call.method === 'GET')
        return { status: 200, body: { schedules: list } };
      if (call.url === url && call.method === 'PUT') {
        list = [{ ...schedule, ...(call.body as object) } as typeof schedule];
        return { status: 200, body: list[0] };
      }
      if (call.url === url && call.method === 'DELETE') {
        list = [];
        return { status: 204 };
      }
      return undefined;
    };
    const { user } = renderAt('/discovery/schedules', '/discovery/schedules', <SchedulesScene />);
    await screen.findByText('cron 0 3 * * * (UTC)');
    await user.click(screen.getByRole('button', { name: 'Edit schedule nightly' }));
    const form = screen.getByRole('form', { name: 'Edit schedule' });
    expect((within(form).getByLabelText('Cron') as HTMLInputElement).value).toBe('0 3 * * *');
    await user.click(within(form).getByLabelText('Every'));
    const interval = within(form).getByLabelText('Interval');
    await user.clear(interval);
    await user.type(interval, '6');
    await user.selectOptions(within(form).getByLabelText('Unit'), 'hours');
    await user.click(within(form).getByRole('button', { name: 'Save schedule' }));
    await screen.findByText('every 6 hours');
    expect(mocks.calls.find((call) => call.method === 'PUT')?.body).toMatchObject({
      interval_seconds: 21_600,
      cron: null,
    });

    await user.click(screen.getByRole('button', { name: 'Delete schedule nightly' }));
    await user.click(screen.getByRole('button', { name: 'Delete schedule' }));
    await screen.findByText('No schedules');
  });

  it('gives read-only users the list without any editor', async () => {
    mocks.role = 'read-only';
    mocks.respond = (call) =>
      call.url === '/api/v1/discovery/schedules' ? { status: 200, body: { schedules: [schedule] } } : undefined;
    renderAt('/discovery/schedules', '/discovery/schedules', <SchedulesScene />);
    await screen.findByText('nightly');
    expect(screen.queryByRole('button', { name: 'New schedule' })).toBeNull();
    expect(screen.queryByRole('button', { name: /Edit|Delete/ })).toBeNull();
  });
});
