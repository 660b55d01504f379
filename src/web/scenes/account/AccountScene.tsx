import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { type FormEvent, useState } from 'react';
import { api, setCsrfToken } from '../../api/client.ts';
import type { SessionT } from '../../api/types.ts';
import { SESSION_KEY, useSession } from '../../app/session.tsx';
import {
  Alert,
  Badge,
  Button,
  Card,
  ConfirmDialog,
  EmptyState,
  ErrorAlert,
  Field,
  formatDateTime,
  Skeleton,
} from '../../components/ui.tsx';

interface UserRow {
  username: string;
  role: 'admin' | 'read-only';
}

/** /auth/account: the signed-in user's password, and for admins the user list (issue 7 item 1). */
export function AccountScene() {
  const session = useSession();
  return (
    <>
      <h1>Account</h1>
      <Card title="You">
        <dl className="facts">
          <dt>Username</dt>
          <dd>{session.username}</dd>
          <dt>Role</dt>
          <dd>
            <Badge tone={session.role === 'admin' ? 'info' : 'neutral'}>{session.role}</Badge>
          </dd>
          <dt>Session ends</dt>
          <dd>{formatDateTime(session.expires_at)}</dd>
        </dl>
      </Card>
      <ChangePassword />
      {session.role === 'admin' && <UserAdmin />}
    </>
  );
}

function ChangePassword() {
  const session = useSession();
  const client = useQueryClient();
  const [current, setCurrent] = useState('');
  const [next, setNext] = useState('');
  const [repeat, setRepeat] = useState('');
  const mismatch = repeat !== '' && next !== repeat;
  const change = useMutation({
    mutationFn: () =>
      api.post<SessionT & { ok: true }>('/api/auth/change-password', { current_password: current, new_password: next }),
    onSuccess: (answer) => {
      setCsrfToken(answer.csrf_token);
      client.setQueryData(SESSION_KEY, answer);
      setCurrent('');
      setNext('');
      setRepeat('');
    },
  });
  if (!session.can_manage_own_password) {
    return (
      <Card title="Password">
        <p className="muted">
          Your user comes from the server's environment (AUTH_USERS); passwords can only be changed there.
        </p>
      </Card>
    );
  }
  const submit = (event: FormEvent) => {
    event.preventDefault();
    if (!mismatch) change.mutate();
  };
  return (
    <Card title="Change password">
      <form onSubmit={submit} className="narrow-form">
        <Field label="Current password">
          <input
            type="password"
            autoComplete="current-password"
            required
            value={current}
            onChange={(e) => setCurrent(e.target.value)}
          />
        </Field>
        <Field label="New password" hint="At least 8 characters. Your other sessions end.">
          <input
            type="password"
            autoComplete="new-password"
            minLength={8}
            required
            value={next}
            onChange={(e) => setNext(e.target.value)}
          />
        </Field>
        <Field label="Repeat new password" error={mismatch ? 'The two new passwords differ.' : undefined}>
          <input
            type="password"
            autoComplete="new-password"
            required
            value={repeat}
            onChange={(e) => setRepeat(e.target.value)}
          />
        </Field>
        {change.isError && <ErrorAlert error={change.error} />}
        {change.isSuccess && <Alert tone="success">Password changed; your other sessions have ended.</Alert>}
        <Button type="submit" variant="primary" pending={change.isPending} pendingLabel="Changing…" disabled={mismatch}>
          Change password
        </Button>
      </form>
    </Card>
  );
}

const USERS_KEY = ['auth', 'users'] as const;

function UserAdmin() {
  const session = useSession();
  const client = useQueryClient();
  const users = useQuery({
    queryKey: USERS_KEY,
    queryFn: ({ signal }) => api.get<{ users: UserRow[]; writable: boolean }>('/api/auth/users', signal),
  });
  const [removing, setRemoving] = useState<string | undefined>();
  const [resetFor, setResetFor] = useState<string | undefined>();
  const [resetPassword, setResetPassword] = useState('');
  const refresh = () => client.invalidateQueries({ queryKey: USERS_KEY });
  const setRole = useMutation({
    mutationFn: (change: { username: string; role: UserRow['role'] }) =>
      api.patch(`/api/auth/users/${encodeURIComponent(change.username)}`, { role: change.role }),
    onSettled: refresh,
  });
  const remove = useMutation({
    mutationFn: (username: string) => api.delete(`/api/auth/users/${encodeURIComponent(username)}`),
    onSettled: () => {
      setRemoving(undefined);
      return refresh();
    },
  });
  const reset = useMutation({
    mutationFn: (change: { username: string; password: string }) =>
      api.patch(`/api/auth/users/${encodeURIComponent(change.username)}`, { password: change.password }),
    onSuccess: () => {
      setResetFor(undefined);
      setResetPassword('');
    },
  });
  if (users.isPending) return <Skeleton lines={4} />;
  if (users.isError) return <ErrorAlert error={users.error} prefix="Users could not be loaded" />;
  const { writable } = users.data;
  return (
    <Card title="Users">
      {!writable && (
        <Alert tone="info">
          Users come from the environment (AUTH_USERS); set AUTH_USERS_FILE to manage them here.
        </Alert>
      )}
      {[setRole, remove, reset].map((mutation) =>
        mutation.isError ? <ErrorAlert key={String(mutation.submittedAt)} error={mutation.error} /> : null,
      )}
      {reset.isSuccess && <Alert tone="success">Password reset; that user's sessions have ended.</Alert>}
      {users.data.users.length === 0 ? (
        <EmptyState title="No users" />
      ) : (
        <div className="table-wrap">
          <table>
            <thead>
              <tr>
                <th>User</th>
                <th>Role</th>
                <th>Actions</th>
              </tr>
            </thead>
            <tbody>
              {users.data.users.map((user) => (
                <tr key={user.username}>
                  <td>
                    {user.username} {user.username === session.username && <Badge>you</Badge>}
                  </td>
                  <td>
                    <select
                      aria-label={`Role of ${user.username}`}
                      value={user.role}
                      disabled={!writable || setRole.isPending}
                      onChange={(event) =>
                        setRole.mutate({ username: user.username, role: event.target.value as UserRow['role'] })
                      }
                    >
                      <option value="admin">admin</option>
                      <option value="read-only">read-only</option>
                    </select>
                  </td>
                  <td className="card-actions">
                    <Button disabled={!writable} onClick={() => setResetFor(user.username)}>
                      Reset password
                    </Button>
                    <Button variant="danger" disabled={!writable} onClick={() => setRemoving(user.username)}>
                      Remove
                    </Button>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {resetFor && (
        <form
          className="narrow-form"
          onSubmit={(event) => {
            event.preventDefault();
            reset.mutate({ username: resetFor, password: resetPassword });
          }}
        >
          <Field label={`New password for ${resetFor}`} hint="At least 8 characters.">
            <input
              type="password"
              autoComplete="new-password"
              minLength={8}
              required
              value={resetPassword}
              onChange={(e) => setResetPassword(e.target.value)}
            />
          </Field>
          <div className="card-actions">
            <Button type="submit" variant="primary" pending={reset.isPending} pendingLabel="Saving…">
              Set password
            </Button>
            <Button onClick={() => setResetFor(undefined)}>Cancel</Button>
          </div>
        </form>
      )}
      {writable && <AddUser onAdded={refresh} />}
      <ConfirmDialog
        open={removing !== undefined}
        title={`Remove ${removing ?? ''}?`}
        confirmLabel="Remove user"
        danger
        onCancel={() => setRemoving(undefined)}
        onConfirm={() => removing && remove.mutate(removing)}
      >
        <p>Their sessions end at once. This cannot be undone.</p>
      </ConfirmDialog>
    </Card>
  );
}

function AddUser({ onAdded }: { onAdded: () => void }) {
  const [username, setUsername] = useState('');
  const [password, setPassword] = useState('');
  const [role, setRole] = useState<UserRow['role']>('read-only');
  const add = useMutation({
    mutationFn: () => api.post('/api/auth/users', { username, password, role }),
    onSuccess: () => {
      setUsername('');
      setPassword('');
      onAdded();
    },
  });
  return (
    <form
      className="toolbar"
      onSubmit={(event) => {
        event.preventDefault();
        add.mutate();
      }}
    >
      <Field label="New user">
        <input required value={username} onChange={(e) => setUsername(e.target.value)} autoComplete="off" />
      </Field>
      <Field label="Password">
        <input
          type="password"
          minLength={8}
          required
          value={password}
          onChange={(e) => setPassword(e.target.value)}
          autoComplete="new-password"
        />
      </Field>
      <Field label="Role">
        <select value={role} onChange={(e) => setRole(e.target.value as UserRow['role'])}>
          <option value="read-only">read-only</option>
          <option value="admin">admin</option>
        </select>
      </Field>
      <Button type="submit" variant="primary" pending={add.isPending} pendingLabel="Adding…">
        Add user
      </Button>
      {add.isError && <ErrorAlert error={add.error} />}
    </form>
  );
}
