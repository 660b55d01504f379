/**
 * Test support of the discovery scene tests: a real query client, router and session; only fetch
 * and EventSource are replaced.
 */
import { type QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { act, render } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import type { ReactElement } from 'react';
import { createMemoryRouter, RouterProvider } from 'react-router';
import { vi } from 'vitest';
import { createQueryClient } from '../../api/query-client.ts';
import type { DiscoveryRunT, SessionT } from '../../api/types.ts';
import { RequireSession } from '../../app/session.tsx';

export interface Call {
  method: string;
  url: string;
  body: unknown;
}

export type Responder = (call: Call) => { status: number; body?: unknown; requestId?: string } | undefined;

export const mocks = {
  calls: [] as Call[],
  respond: (() => undefined) as Responder,
  role: 'admin' as SessionT['role'],
};

function json(status: number, body: unknown, requestId = 'req-test'): Response {
  return new Response(status === 204 ? null : JSON.stringify(body), {
    status,
    headers: { 'content-type': 'application/json', 'x-request-id': requestId },
  });
}

/** A stand-in for the browser's EventSource that the test drives. */
export class MockEventSource {
  static instances: MockEventSource[] = [];
  readonly url: string;
  readyState = 0;
  private readonly listeners = new Map<string, ((event: Event) => void)[]>();
  constructor(url: string) {
    this.url = url;
    MockEventSource.instances.push(this);
  }
  addEventListener(type: string, listener: (event: Event) => void): void {
    this.listeners.set(type, [...(this.listeners.get(type) ?? []), listener]);
  }
  removeEventListener(): void {}
  close(): void {
    this.readyState = 2;
  }
  get closed(): boolean {
    return this.readyState === 2;
  }
  /** Delivers one event (outside act; use emit). */
  dispatch(type: string, data?: unknown): void {
    if (this.closed) return;
    if (type === 'open') this.readyState = 1;
    const event = Object.assign(new Event(type), { data: data === undefined ? '' : JSON.stringify(data) });
    for (const listener of this.listeners.get(type) ?? []) listener(event);
  }
  async emit(type: string, data?: unknown): Promise<void> {
    await act(async () => {
      this.dispatch(type, data);
      // react-query tells its observers on a timer tick; let it run inside act.
      await new Promise((resolve) => setTimeout(resolve, 5));
    });
  }
}

export function installMocks(): void {
  mocks.calls = [];
  mocks.respond = () => undefined;
  mocks.role = 'admin';
  MockEventSource.instances = [];
  vi.stubGlobal('EventSource', MockEventSource);
  vi.stubGlobal(
    'fetch',
    vi.fn(async (input: string, init: RequestInit = {}) => {
      const raw = init.body;
      const call: Call = {
        method: init.method ?? 'GET',
        url: String(input),
        body: typeof raw === 'string' ? JSON.parse(raw) : raw,
      };
      mocks.calls.push(call);
      if (call.url === '/api/auth/session') {
        return json(200, {
          username: mocks.role === 'admin' ? 'admin' : 'viewer',
          role: mocks.role,
          csrf_token: 'csrf',
          expires_at: '2030-01-01T00:00:00Z',
          can_manage_own_password: true,
        } satisfies SessionT);
      }
      const answer = mocks.respond(call);
      if (answer) return json(answer.status, answer.body, answer.requestId);
      if (call.url === '/api/v1/discovery/status') return json(200, { status: 'idle' });
      if (call.url === '/api/v1/discovery/scope-suggestions') return json(200, { scopes: [] });
      if (call.url.startsWith('/api/v1/discovery/runs?')) return json(200, { runs: [] });
      if (call.url === '/api/v1/discovery/schedules') return json(200, { schedules: [] });
      return json(404, { error: { code: 'not_found', message: 'route not found' } });
    }),
  );
}

export function renderAt(url: string, path: string, element: ReactElement, client: QueryClient = createQueryClient()) {
  const user = userEvent.setup();
  const router = createMemoryRouter(
    [
      { path, element: <RequireSession>{element}</RequireSession> },
      { path: '*', element: <p>elsewhere</p> },
    ],
    { initialEntries: [url] },
  );
  const view = render(
    <QueryClientProvider client={client}>
      <RouterProvider router={router} />
    </QueryClientProvider>,
  );
  return { user, client, router, ...view };
}

let serial = 0;
export function makeRun(change: Partial<DiscoveryRunT> = {}): DiscoveryRunT {
  serial += 1;
  const minute = String(serial % 60).padStart(2, '0');
  return {
    id: `00000000-0000-4000-8000-${String(serial).padStart(12, '0')}`,
    status: 'succeeded',
    scope: '127.0.0.1/32',
    stats: { preset: 'normal', stage: 'completed' },
    queued_at: `2026-01-01T10:${minute}:00.000Z`,
    started_at: `2026-01-01T10:${minute}:01.000Z`,
    completed_at: `2026-01-01T10:${minute}:05.000Z`,
    ...change,
  };
}
