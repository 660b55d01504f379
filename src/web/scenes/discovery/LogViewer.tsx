import { useMutation } from '@tanstack/react-query';
import { useState } from 'react';
import { Button, Card, DateTime, EmptyState, ErrorAlert, Skeleton } from '../../components/ui.tsx';
import { type LogLine, mergeLogs } from './model.ts';
import { LevelBadge } from './parts.tsx';
import { fetchLogs, LOG_MORE_PAGE, useFirstLogs } from './queries.ts';

/**
 * "Activity stream": the first 50 lines, new lines from the live stream on top, "Load more logs"
 * for older ones (40 at a time), newest first (SPEC §10.7).
 */
export function LogViewer({ runId, live }: { runId: string; live: readonly LogLine[] }) {
  const first = useFirstLogs(runId);
  const [older, setOlder] = useState<LogLine[]>([]);
  /** undefined: nothing older loaded yet; null: all loaded. */
  const [olderCursor, setOlderCursor] = useState<string | null>();
  const more = useMutation({
    mutationFn: (cursor: string) => fetchLogs(runId, LOG_MORE_PAGE, cursor),
    onSuccess: (page) => {
      setOlder((current) => [...current, ...page.logs]);
      setOlderCursor(page.cursor ?? null);
    },
  });
  if (first.isPending) {
    return (
      <Card title="Activity stream">
        <Skeleton lines={5} />
      </Card>
    );
  }
  if (first.isError) {
    return (
      <Card title="Activity stream" actions={<Button onClick={() => first.refetch()}>Try again</Button>}>
        <ErrorAlert error={first.error} prefix="Logs could not be loaded" />
      </Card>
    );
  }
  const page = first.data.logs;
  // The stream replays the run's whole log; lines older than page 1 wait for "Load more logs".
  const oldestShown = first.data.cursor && page.length > 0 ? Math.min(...page.map((line) => line.id)) : 0;
  const lines = mergeLogs(
    live.filter((line) => line.id >= oldestShown),
    page,
    older,
  );
  const nextCursor = olderCursor === undefined ? first.data.cursor : (olderCursor ?? undefined);
  return (
    <Card title="Activity stream">
      {lines.length === 0 ? (
        <EmptyState title="No log lines yet">
          <p>Log lines appear here once a worker starts the run.</p>
        </EmptyState>
      ) : (
        // biome-ignore lint/a11y/noNoninteractiveTabindex: the scrolling log must be reachable by keyboard
        <ol className="log-lines log-viewer" aria-label="Run log, newest first" tabIndex={0}>
          {lines.map((line) => (
            <li key={line.id} className="log-line">
              <LevelBadge level={line.level} />
              <span className="log-time muted">
                <DateTime value={line.created_at} />
              </span>
              <span className="log-message">{line.message}</span>
            </li>
          ))}
        </ol>
      )}
      {more.isError && <ErrorAlert error={more.error} prefix="Older logs could not be loaded" />}
      {nextCursor ? (
        <Button onClick={() => more.mutate(nextCursor)} pending={more.isPending} pendingLabel="Loading…">
          Load more logs
        </Button>
      ) : (
        lines.length > 0 && <p className="small muted">All logs loaded.</p>
      )}
    </Card>
  );
}
