import { useQuery, useQueryClient } from '@tanstack/react-query';
import { createContext, type ReactNode, useContext, useEffect } from 'react';
import { Navigate, useLocation } from 'react-router';
import { ApiError, api, onUnauthorized, setCsrfToken } from '../api/client.ts';
import type { SessionT } from '../api/types.ts';
import { Skeleton } from '../components/ui.tsx';
import { ErrorView } from './states.tsx';

const SessionContext = createContext<SessionT | undefined>(undefined);

export const SESSION_KEY = ['session'] as const;

/** The signed-in user; only inside RequireSession. */
export function useSession(): SessionT {
  const session = useContext(SessionContext);
  if (!session) throw new Error('useSession outside RequireSession');
  return session;
}

export function useIsAdmin(): boolean {
  return useSession().role === 'admin';
}

export async function fetchSession(): Promise<SessionT | null> {
  try {
    const session = await api.get<SessionT>('/api/auth/session');
    setCsrfToken(session.csrf_token);
    return session;
  } catch (error) {
    if (error instanceof ApiError && error.status === 401) return null;
    throw error;
  }
}

export function useSessionQuery() {
  return useQuery({ queryKey: SESSION_KEY, queryFn: fetchSession, staleTime: 60_000, retry: false });
}

/** Children only with a session; otherwise the login page, coming back here afterwards. */
export function RequireSession({ children }: { children: ReactNode }) {
  const client = useQueryClient();
  const location = useLocation();
  const session = useSessionQuery();
  useEffect(
    () =>
      onUnauthorized(() => {
        client.setQueryData(SESSION_KEY, null);
      }),
    [client],
  );
  if (session.isPending) return <Skeleton lines={4} />;
  if (session.isError) return <ErrorView error={session.error} onRetry={() => session.refetch()} />;
  if (!session.data) {
    const next = `${location.pathname}${location.search}`;
    return <Navigate to={`/auth/login?next=${encodeURIComponent(next)}`} replace />;
  }
  return <SessionContext.Provider value={session.data}>{children}</SessionContext.Provider>;
}
