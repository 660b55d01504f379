import { Link } from 'react-router';
import { Card, ErrorAlert, Skeleton, StatusBadge } from '../../components/ui.tsx';
import { runTiming } from './model.ts';
import { LevelBadge, RunProgressView, RunSettingsLine, useNow } from './parts.tsx';
import { useFollowedRun } from './run-events.ts';

/** A run followed live: stage, progress bar and its newest log lines, from the events stream. */
export function LiveRunCard({ runId, title }: { runId: string; title: string }) {
  const { run, active, live } = useFollowedRun(runId);
  const now = useNow(active);
  if (run.isPending) return <Skeleton lines={3} />;
  if (run.isError) return <ErrorAlert error={run.error} prefix="The run could not be loaded" />;
  const data = run.data;
  const timing = runTiming(data, now);
  return (
    <Card
      className="live-run"
      title={
        <>
          {title} <span className="mono">{data.id.slice(0, 8)}</span> <StatusBadge status={data.status} />
        </>
      }
      actions={<Link to={`/discovery/${data.id}`}>View details</Link>}
    >
      <p className="small muted">
        <RunSettingsLine run={data} />
        {timing && ` • ${timing}`}
      </p>
      <RunProgressView run={data} />
      {live.stream === 'reconnecting' && <p className="small muted">Live updates interrupted; reconnecting…</p>}
      {live.stream === 'failed' && <p className="small muted">Live updates stopped; refreshing every 5 s.</p>}
      {data.last_error && <ErrorAlert error={new Error(data.last_error)} />}
      {live.lines.length > 0 && (
        <ul className="log-lines log-tail" aria-label="Newest log lines">
          {live.lines.slice(0, 5).map((line) => (
            <li key={line.id}>
              <LevelBadge level={line.level} /> {line.message}
            </li>
          ))}
        </ul>
      )}
    </Card>
  );
}
