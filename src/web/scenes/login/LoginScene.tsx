import { useMutation, useQueryClient } from '@tanstack/react-query';
import { type FormEvent, useState } from 'react';
import { Navigate, useNavigate, useSearchParams } from 'react-router';
import { ApiError, api, setCsrfToken } from '../../api/client.ts';
import type { SessionT } from '../../api/types.ts';
import { SESSION_KEY, useSessionQuery } from '../../app/session.tsx';
import { Button, Field, Skeleton } from '../../components/ui.tsx';

/** Only same-site paths: `next` comes from the URL and must not send anyone elsewhere. */
function safeNext(next: string | null): string {
  return next?.startsWith('/') && !next.startsWith('//') ? next : '/devices';
}

export function LoginScene() {
  const session = useSessionQuery();
  const client = useQueryClient();
  const navigate = useNavigate();
  const [params] = useSearchParams();
  const [username, setUsername] = useState('');
  const [password, setPassword] = useState('');
  const login = useMutation({
    mutationFn: () => api.post<SessionT & { ok: true }>('/api/auth/login', { username, password }),
    onSuccess: (answer) => {
      setCsrfToken(answer.csrf_token);
      client.setQueryData(SESSION_KEY, answer);
      navigate(safeNext(params.get('next')), { replace: true });
    },
  });
  if (session.isPending) return <Skeleton lines={3} />;
  if (session.data) return <Navigate to={safeNext(params.get('next'))} replace />;
  const submit = (event: FormEvent) => {
    event.preventDefault();
    login.mutate();
  };
  const error = login.error;
  return (
    <main className="login-page">
      <form className="card login-card" onSubmit={submit} aria-labelledby="login-title">
        <h1 id="login-title">Sign in to Roller</h1>
        <p className="muted">Roller keeps your session in an HTTP-only cookie; your password never reaches the API.</p>
        <Field label="Username">
          <input
            name="username"
            autoComplete="username"
            placeholder="admin"
            required
            value={username}
            onChange={(event) => setUsername(event.target.value)}
          />
        </Field>
        <Field label="Password">
          <input
            name="password"
            type="password"
            autoComplete="current-password"
            required
            value={password}
            onChange={(event) => setPassword(event.target.value)}
          />
        </Field>
        {error && (
          <p className="field-error" role="alert">
            {error instanceof ApiError ? error.message : 'Invalid credentials.'}
            {error instanceof ApiError && error.requestId ? ` (request id ${error.requestId})` : ''}
          </p>
        )}
        <Button type="submit" variant="primary" pending={login.isPending} pendingLabel="Signing in…">
          Sign in
        </Button>
        <p className="muted small">
          Users are managed with <code>roller users</code> or by an admin on the Account page; the first start prints
          the first admin's password.
        </p>
      </form>
    </main>
  );
}
