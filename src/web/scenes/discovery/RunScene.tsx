import { Link, useParams } from 'react-router';
import { ApiError } from '../../api/client.ts';
import { ErrorView, NotFoundView } from '../../app/states.tsx';
import { Skeleton } from '../../components/ui.tsx';
import { LogViewer } from './LogViewer.tsx';
import { presetLabel, runPreset, runTags } from './model.ts';
import { RunStatusCard } from './RunStatusCard.tsx';
import { useFollowedRun } from './run-events.ts';

/** /discovery/:runId: one run, followed live while it is queued or running (SPEC §10.7). */
export function RunScene() {
  const { runId = '' } = useParams();
  return <RunDetail key={runId} runId={runId} />;
}

function RunDetail({ runId }: { runId: string }) {
  const { run, live } = useFollowedRun(runId);
  if (run.isPending) return <Skeleton lines={6} />;
  if (run.isError) {
    if (run.error instanceof ApiError && (run.error.status === 404 || run.error.status === 400)) {
      return <NotFoundView />;
    }
    return <ErrorView error={run.error} onRetry={() => run.refetch()} />;
  }
  const data = run.data;
  const tags = runTags(data);
  return (
    <>
      <p>
        <Link to="/discovery">← Back to discovery</Link>
      </p>
      <h1 className="run-title">
        Run <span className="mono">{data.id}</span>
      </h1>
      <p className="muted">
        Scope: <span className="mono">{data.scope ?? 'default'}</span> • Preset: {presetLabel(runPreset(data))}
        {tags.length > 0 && ` • Tags: ${tags.join(', ')}`}
        {data.schedule_id && ' • Started by a schedule'}
      </p>
      <p className="small muted">
        What this run did and is doing: its status, statistics and log. While it is active the page follows it live.
        {live.stream === 'reconnecting' && ' Live updates interrupted; reconnecting…'}
        {live.stream === 'failed' && ' Live updates stopped; refreshing every 5 s.'}
      </p>
      <RunStatusCard run={data} />
      <LogViewer runId={runId} live={live.lines} />
    </>
  );
}
