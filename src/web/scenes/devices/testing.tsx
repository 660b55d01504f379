/**
 * Test helpers for the device scenes (component tests only): a router in memory, a fresh query
 * client and a fake fetch that answers by method and path. Only fetch is mocked; everything else
 * (api client, session, react-query, router) is the real thing.
 */
import { QueryClientProvider } from '@tanstack/react-query';
import { render } from '@testing-library/react';
import type { ReactNode } from 'react';
import { createMemoryRouter, RouterProvider, useLocation } from 'react-router';
import { vi } from 'vitest';
import { createQueryClient } from '../../api/query-client.ts';
import { RequireSession } from '../../app/session.tsx';

export interface FakeCall {
  method: string;
  path: string;
  body: unknown;
}

export type FakeAnswer = { status?: number; body?: unknown; requestId?: string } | undefined;

/** Installs a fetch that routes `METHOD /path?query` to the handler; returns the calls made. */
export function fakeFetch(
  handler: (call: FakeCall, role: 'admin' | 'read-only') => FakeAnswer,
  role: 'admin' | 'read-only' = 'admin',
): FakeCall[] {
  const calls: FakeCall[] = [];
  const fetchMock = vi.fn(async (input: string | URL | Request, init?: RequestInit) => {
    const url = new URL(String(input), 'http://localhost');
    const method = init?.method ?? 'GET';
    const body = typeof init?.body === 'string' ? JSON.parse(init.body) : undefined;
    const call = { method, path: `${url.pathname}${url.search}`, body };
    let answer: FakeAnswer;
    if (url.pathname === '/api/auth/session') {
      answer = {
        body: {
          username: role === 'admin' ? 'admin' : 'viewer',
          role,
          csrf_token: 'csrf',
          expires_at: '2099-01-01T00:00:00Z',
          can_manage_own_password: true,
        },
      };
    } else if (url.pathname === '/api/v1/discovery/status') {
      answer = handler(call, role) ?? { body: { status: 'idle' } };
    } else if (url.pathname === '/api/v1/device-tags/taxonomy') {
      answer = {
        body: [
          { tag: 'router', label: 'Router', description: 'gateway / router', auto: true },
          { tag: 'switch', label: 'Switch', description: 'layer-2 switch', auto: true },
          { tag: 'printer', label: 'Printer', description: 'printer / MFD', auto: true },
        ],
      };
    } else {
      calls.push(call);
      answer = handler(call, role);
    }
    const status = answer?.status ?? (answer ? 200 : 404);
    const payload =
      answer?.body ??
      (status >= 400 ? { error: { code: 'not_found', message: `no fake for ${method} ${call.path}` } } : {});
    return new Response(JSON.stringify(payload), {
      status,
      headers: { 'content-type': 'application/json', 'x-request-id': answer?.requestId ?? 'req-test' },
    });
  });
  vi.stubGlobal('fetch', fetchMock);
  return calls;
}

function LocationProbe() {
  const location = useLocation();
  return <output data-testid="location">{`${location.pathname}${location.search}`}</output>;
}

/** Renders a scene at a URL inside the real session gate, with the current location readable. */
export function renderAt(url: string, routes: { path: string; element: ReactNode }[]) {
  const router = createMemoryRouter(
    routes.map((route) => ({
      path: route.path,
      element: (
        <RequireSession>
          {route.element}
          <LocationProbe />
        </RequireSession>
      ),
    })),
    { initialEntries: [url] },
  );
  const client = createQueryClient();
  client.setDefaultOptions({ queries: { ...client.getDefaultOptions().queries, retry: false } });
  return render(
    <QueryClientProvider client={client}>
      <RouterProvider router={router} />
    </QueryClientProvider>,
  );
}

export function device(id: string, fields: Record<string, unknown> = {}) {
  return {
    id,
    last_change_at: '2026-01-01T00:00:00Z',
    created_at: '2026-01-01T00:00:00Z',
    ...fields,
  };
}
