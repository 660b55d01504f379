import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { Link } from 'react-router';
import { api } from '../../api/client.ts';
import type { ScheduleT } from '../../api/types.ts';
import { AdminOnly } from '../../app/Shell.tsx';
import {
  Alert,
  Badge,
  Button,
  Card,
  ConfirmDialog,
  DateTime,
  EmptyState,
  ErrorAlert,
  Skeleton,
} from '../../components/ui.tsx';
import { describeTiming, draftFromSchedule, EMPTY_DRAFT, presetLabel } from './model.ts';
import { discoveryKeys, useSchedules } from './queries.ts';
import { ScheduleForm } from './ScheduleForm.tsx';

type Editing = { mode: 'new' } | { mode: 'edit'; schedule: ScheduleT } | undefined;

/** /discovery/schedules: recurring runs; admins create, edit and delete them. */
export function SchedulesScene() {
  const schedules = useSchedules();
  const client = useQueryClient();
  const [editing, setEditing] = useState<Editing>();
  const [deleting, setDeleting] = useState<ScheduleT>();
  const [notice, setNotice] = useState<string>();
  const remove = useMutation({
    mutationFn: (id: string) => api.delete(`/api/v1/discovery/schedules/${encodeURIComponent(id)}`),
    onSuccess: async (_answer, id) => {
      setNotice('Schedule deleted.');
      if (editing?.mode === 'edit' && editing.schedule.id === id) setEditing(undefined);
      await client.invalidateQueries({ queryKey: discoveryKeys.schedules });
    },
    onSettled: () => setDeleting(undefined),
  });
  const list = schedules.data?.schedules ?? [];
  return (
    <>
      <p>
        <Link to="/discovery">← Back to discovery</Link>
      </p>
      <header className="scene-header">
        <div>
          <h1>Discovery schedules</h1>
          <p className="muted">
            Recurring runs: each schedule queues a run of its scope at its interval or cron time (UTC).
          </p>
        </div>
        <AdminOnly>
          <Button
            variant="primary"
            onClick={() => {
              setNotice(undefined);
              setEditing({ mode: 'new' });
            }}
            disabled={editing?.mode === 'new'}
          >
            New schedule
          </Button>
        </AdminOnly>
      </header>
      {notice && <Alert tone="success">{notice}</Alert>}
      {editing && (
        <AdminOnly>
          <ScheduleForm
            key={editing.mode === 'edit' ? editing.schedule.id : 'new'}
            initial={editing.mode === 'edit' ? draftFromSchedule(editing.schedule) : EMPTY_DRAFT}
            scheduleId={editing.mode === 'edit' ? editing.schedule.id : undefined}
            onDone={(saved) => {
              if (saved) setNotice(editing.mode === 'edit' ? 'Schedule saved.' : 'Schedule created.');
              setEditing(undefined);
            }}
          />
        </AdminOnly>
      )}
      <Card title="Schedules">
        {schedules.isPending ? (
          <Skeleton lines={4} />
        ) : schedules.isError ? (
          <>
            <ErrorAlert error={schedules.error} prefix="Schedules could not be loaded" />
            <Button onClick={() => schedules.refetch()}>Try again</Button>
          </>
        ) : list.length === 0 ? (
          <EmptyState title="No schedules">
            <p>Without schedules, discovery runs only when someone starts one.</p>
          </EmptyState>
        ) : (
          <div className="table-wrap">
            <table aria-label="Discovery schedules">
              <thead>
                <tr>
                  <th>Name</th>
                  <th>Scope</th>
                  <th>When</th>
                  <th className="hide-narrow">Preset / tags</th>
                  <th>State</th>
                  <th className="hide-narrow">Next run</th>
                  <th className="hide-narrow">Last run</th>
                  <AdminOnly>
                    <th>Actions</th>
                  </AdminOnly>
                </tr>
              </thead>
              <tbody>
                {list.map((schedule) => (
                  <tr key={schedule.id}>
                    <td>{schedule.name ?? <span className="muted">—</span>}</td>
                    <td className="mono">{schedule.scope}</td>
                    <td>{describeTiming(schedule)}</td>
                    <td className="hide-narrow">
                      {presetLabel(schedule.preset)}
                      {schedule.tags.length > 0 && ` • ${schedule.tags.join(', ')}`}
                    </td>
                    <td>
                      <Badge tone={schedule.enabled ? 'success' : 'neutral'}>
                        {schedule.enabled ? 'enabled' : 'disabled'}
                      </Badge>
                    </td>
                    <td className="hide-narrow">
                      <DateTime value={schedule.next_run_at} />
                    </td>
                    <td className="hide-narrow">
                      {schedule.last_run_id ? (
                        <Link to={`/discovery/${schedule.last_run_id}`}>{schedule.last_run_id.slice(0, 8)}</Link>
                      ) : (
                        '—'
                      )}
                    </td>
                    <AdminOnly>
                      <td className="card-actions">
                        <Button
                          onClick={() => {
                            setNotice(undefined);
                            setEditing({ mode: 'edit', schedule });
                          }}
                          aria-label={`Edit schedule ${schedule.name ?? schedule.scope}`}
                        >
                          Edit
                        </Button>
                        <Button
                          variant="danger"
                          onClick={() => setDeleting(schedule)}
                          aria-label={`Delete schedule ${schedule.name ?? schedule.scope}`}
                        >
                          Delete
                        </Button>
                      </td>
                    </AdminOnly>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
        {remove.isError && <ErrorAlert error={remove.error} prefix="The schedule was not deleted" />}
      </Card>
      <ConfirmDialog
        open={deleting !== undefined}
        title="Delete this schedule?"
        confirmLabel="Delete schedule"
        danger
        onCancel={() => setDeleting(undefined)}
        onConfirm={() => deleting && remove.mutate(deleting.id)}
      >
        <p>
          No more runs are queued for <span className="mono">{deleting?.scope}</span>. Its past runs stay.
        </p>
      </ConfirmDialog>
    </>
  );
}
