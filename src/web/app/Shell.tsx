import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import type { ReactNode } from 'react';
import { NavLink, Outlet, useNavigate } from 'react-router';
import { api } from '../api/client.ts';
import type { DiscoveryStatusT } from '../api/types.ts';
import { Badge, Button, StatusBadge } from '../components/ui.tsx';
import { SESSION_KEY, useSession } from './session.tsx';
import { useTheme } from './theme.ts';

export const DISCOVERY_STATUS_KEY = ['discovery', 'status'] as const;

/** Shared by the header indicator and the discovery panels (one cache key, SPEC §10.2). */
export function useDiscoveryStatus() {
  return useQuery({
    queryKey: DISCOVERY_STATUS_KEY,
    queryFn: ({ signal }) => api.get<DiscoveryStatusT>('/api/v1/discovery/status', signal),
    refetchInterval: 10_000,
  });
}

const NAV = [
  { to: '/devices', label: 'Devices' },
  { to: '/map', label: 'Map' },
  { to: '/discovery', label: 'Discovery' },
  { to: '/alerts', label: 'Alerts' },
  { to: '/data', label: 'Import & export' },
  { to: '/auth/account', label: 'Account' },
];

export function Shell() {
  const session = useSession();
  const client = useQueryClient();
  const navigate = useNavigate();
  const [theme, toggleTheme] = useTheme();
  const status = useDiscoveryStatus();
  const signOut = useMutation({
    mutationFn: () => api.post('/api/auth/logout'),
    onSettled: () => {
      client.setQueryData(SESSION_KEY, null);
      client.clear();
      navigate('/auth/login', { replace: true });
    },
  });
  const latest = status.data?.latest_run;
  const active = latest && (latest.status === 'queued' || latest.status === 'running');
  return (
    <div className="shell">
      <a className="skip-link" href="#main">
        Skip to content
      </a>
      <header className="shell-header">
        <NavLink to="/devices" className="brand">
          <span className="brand-name">Roller</span>
          <span className="brand-subtitle">Network tracker</span>
        </NavLink>
        <nav aria-label="Primary">
          <ul>
            {NAV.map((item) => (
              <li key={item.to}>
                <NavLink to={item.to}>{item.label}</NavLink>
              </li>
            ))}
          </ul>
        </nav>
        <div className="shell-user">
          {active && latest && (
            <NavLink to="/discovery" className="discovery-indicator">
              Discovery <StatusBadge status={latest.status} />
            </NavLink>
          )}
          <span className="user-name">
            {session.username} <Badge tone={session.role === 'admin' ? 'info' : 'neutral'}>{session.role}</Badge>
          </span>
          <Button onClick={toggleTheme} aria-label={`Switch to ${theme === 'dark' ? 'light' : 'dark'} theme`}>
            {theme === 'dark' ? 'Light' : 'Dark'}
          </Button>
          <Button onClick={() => signOut.mutate()} pending={signOut.isPending} pendingLabel="Signing out…">
            Sign out
          </Button>
        </div>
      </header>
      {session.role === 'read-only' && (
        <p className="read-only-banner" role="note">
          You are signed in read-only: creating devices, editing metadata and tags, triggering discovery and imports,
          and changing alert rules, channels, watch and presence settings are disabled.
        </p>
      )}
      <main id="main" tabIndex={-1}>
        <Outlet />
      </main>
      <footer className="shell-footer">Roller {__ROLLER_VERSION__}</footer>
    </div>
  );
}

/** Wraps a mutating control: read-only users do not get it at all (issue 7: "no mutating controls"). */
export function AdminOnly({ children }: { children: ReactNode }): ReactNode {
  return useSession().role === 'admin' ? children : null;
}
