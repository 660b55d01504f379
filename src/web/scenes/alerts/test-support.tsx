/**
 * Test support of the alerts and presence component tests: the real query client, router, session
 * gate and API client; only fetch is replaced, answering by method and path.
 */
import { QueryClientProvider } from '@tanstack/react-query';
import { render } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import type { ReactElement } from 'react';
import { createMemoryRouter, RouterProvider } from 'react-router';
import { vi } from 'vitest';
import { createQueryClient } from '../../api/query-client.ts';
import type { AlertChannelT, AlertDeliveryT, AlertRuleT, SessionT } from '../../api/types.ts';
import { RequireSession } from '../../app/session.tsx';

export interface Call {
  method: string;
  /** path and query */
  url: string;
  body: unknown;
}

export type Answer = { status: number; body?: unknown; requestId?: string } | undefined;

export const mocks = {
  calls: [] as Call[],
  respond: (() => undefined) as (call: Call) => Answer,
  role: 'admin' as SessionT['role'],
};

const TAXONOMY = [
  { tag: 'router', label: 'Router', description: 'gateway / router', auto: true },
  { tag: 'server', label: 'Server', description: 'server', auto: true },
  { tag: 'printer', label: 'Printer', description: 'printer / MFD', auto: true },
];

function reply(status: number, body: unknown, requestId = 'req-test'): Response {
  return new Response(status === 204 ? null : JSON.stringify(body), {
    status,
    headers: { 'content-type': 'application/json', 'x-request-id': requestId },
  });
}

export function installMocks(): void {
  mocks.calls = [];
  mocks.respond = () => undefined;
  mocks.role = 'admin';
  vi.stubGlobal(
    'fetch',
    vi.fn(async (input: string, init: RequestInit = {}) => {
      const raw = init.body;
      const call: Call = {
        method: init.method ?? 'GET',
        url: String(input),
        body: typeof raw === 'string' ? JSON.parse(raw) : raw,
      };
      if (call.url === '/api/auth/session') {
        return reply(200, {
          username: mocks.role === 'admin' ? 'admin' : 'viewer',
          role: mocks.role,
          csrf_token: 'csrf',
          expires_at: '2030-01-01T00:00:00Z',
          can_manage_own_password: true,
        } satisfies SessionT);
      }
      if (call.url === '/api/v1/device-tags/taxonomy') return reply(200, TAXONOMY);
      mocks.calls.push(call);
      const answer = mocks.respond(call);
      if (answer) return reply(answer.status, answer.body, answer.requestId);
      return reply(404, { error: { code: 'not_found', message: `no fake for ${call.method} ${call.url}` } });
    }),
  );
}

export function renderAt(url: string, path: string, element: ReactElement) {
  const user = userEvent.setup();
  const router = createMemoryRouter(
    [
      { path, element: <RequireSession>{element}</RequireSession> },
      { path: '*', element: <p>elsewhere</p> },
    ],
    { initialEntries: [url] },
  );
  const client = createQueryClient();
  client.setDefaultOptions({ queries: { ...client.getDefaultOptions().queries, retry: false } });
  const view = render(
    <QueryClientProvider client={client}>
      <RouterProvider router={router} />
    </QueryClientProvider>,
  );
  const location = () => `${router.state.location.pathname}${router.state.location.search}`;
  return { user, client, router, location, ...view };
}

export const T0 = '2026-11-27T08:00:00.000Z';

export function makeRule(change: Partial<AlertRuleT> = {}): AlertRuleT {
  return {
    id: '11111111-1111-4111-8111-111111111111',
    name: 'servers down',
    enabled: true,
    event: 'device_offline',
    severity: 'warning',
    filters: { tags: ['server'] },
    channel_ids: [],
    new_device_delay_s: 300,
    randomized_mac_policy: 'group',
    group_window_s: 86_400,
    flap_threshold: 4,
    flap_window_s: 3600,
    created_at: T0,
    updated_at: T0,
    ...change,
  };
}

export function makeChannel(change: Partial<AlertChannelT> = {}): AlertChannelT {
  return {
    id: '22222222-2222-4222-8222-222222222222',
    name: 'ops hook',
    type: 'webhook',
    enabled: true,
    config: { url: 'https://hooks.example.org/roller' },
    has_secret: false,
    created_at: T0,
    updated_at: T0,
    ...change,
  };
}

let serial = 0;
export function makeDelivery(change: Partial<AlertDeliveryT> = {}): AlertDeliveryT {
  serial += 1;
  return {
    id: `33333333-3333-4333-8333-${String(serial).padStart(12, '0')}`,
    channel_id: '22222222-2222-4222-8222-222222222222',
    channel_name: 'ops hook',
    channel_type: 'webhook',
    kind: 'alert',
    alert_ids: [],
    severity: 'warning',
    title: `Offline: host-${serial}`,
    status: 'sent',
    attempts: 1,
    max_attempts: 5,
    created_at: T0,
    updated_at: T0,
    attempt_log: [],
    ...change,
  };
}
