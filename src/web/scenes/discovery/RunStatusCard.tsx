import type { DiscoveryRunT } from '../../api/types.ts';
import { AdminOnly } from '../../app/Shell.tsx';
import { Alert, Card, DateTime, StatusBadge } from '../../components/ui.tsx';
import { CancelRunButton } from './CancelRunButton.tsx';
import { isActive, runTiming, statEntries } from './model.ts';
import { RunProgressView, useNow } from './parts.tsx';

/**
 * What the outcome note says. G-21: "completed without error" only for a run that succeeded; a
 * queued or running run has not completed, and a canceled one did not complete.
 */
export function outcomeNote(run: Pick<DiscoveryRunT, 'status' | 'last_error'>): string {
  switch (run.status) {
    case 'succeeded':
      return 'Completed without error.';
    case 'failed':
      return 'Failure detected.';
    case 'canceled':
      return 'Canceled before it completed.';
    case 'running':
      return 'In progress; not finished yet.';
    default:
      return 'Waiting for a worker; not started yet.';
  }
}

export function RunStatusCard({ run }: { run: DiscoveryRunT }) {
  const active = isActive(run.status);
  const now = useNow(active);
  const timing = runTiming(run, now);
  const stats = statEntries(run.stats);
  const tone =
    run.status === 'succeeded'
      ? 'success'
      : run.status === 'failed'
        ? 'danger'
        : run.status === 'canceled'
          ? 'warning'
          : 'info';
  return (
    <Card
      className="run-status"
      title={
        <>
          <span className="run-status-word">{run.status}</span> <StatusBadge status={run.status} />
        </>
      }
      actions={
        active ? (
          <AdminOnly>
            <CancelRunButton run={run} />
          </AdminOnly>
        ) : undefined
      }
    >
      <div className="run-status-body">
        <dl className="facts">
          <dt>Queued</dt>
          <dd>
            <DateTime value={run.queued_at} />
          </dd>
          <dt>Started</dt>
          <dd>
            <DateTime value={run.started_at} />
          </dd>
          <dt>Completed</dt>
          <dd>
            <DateTime value={run.completed_at} />
          </dd>
          {timing && (
            <>
              <dt>{timing.split(':')[0]}</dt>
              <dd>{timing.split(': ')[1]}</dd>
            </>
          )}
          {run.cancel_requested_at && (
            <>
              <dt>Cancel requested</dt>
              <dd>
                <DateTime value={run.cancel_requested_at} />
              </dd>
            </>
          )}
        </dl>
        <Alert tone={tone}>
          <span data-testid="run-outcome">{outcomeNote(run)}</span>
        </Alert>
      </div>
      <RunProgressView run={run} />
      {run.last_error && (
        <Alert tone="danger">
          {run.status === 'canceled' ? 'Reason' : 'Error'}: {run.last_error}
        </Alert>
      )}
      {stats.length > 0 && (
        <details className="run-stats" open={!active}>
          <summary>Statistics</summary>
          <dl className="facts">
            {stats.map(([key, value]) => (
              <div key={key} className="facts-row">
                <dt>{key}</dt>
                <dd className="mono">{value}</dd>
              </div>
            ))}
          </dl>
        </details>
      )}
    </Card>
  );
}
