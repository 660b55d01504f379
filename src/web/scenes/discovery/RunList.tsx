import { useMutation } from '@tanstack/react-query';
import { useState } from 'react';
import { Link } from 'react-router';
import type { DiscoveryRunT } from '../../api/types.ts';
import {
  Alert,
  Button,
  Card,
  DateTime,
  EmptyState,
  ErrorAlert,
  LastUpdated,
  Skeleton,
  StatusBadge,
} from '../../components/ui.tsx';
import { mergeRuns, statEntries } from './model.ts';
import { RunSettingsLine } from './parts.tsx';
import { fetchRuns, useFirstRunsPage } from './queries.ts';

/**
 * The runs, newest first: page 1 polled every 10 s and replaced in place, older pages appended by
 * "Load more runs" and kept as they were (SPEC §10.6).
 */
export function RunList() {
  const first = useFirstRunsPage();
  const [kept, setKept] = useState<DiscoveryRunT[]>([]);
  /** undefined: nothing older loaded yet (page 1's cursor applies); null: the end was reached. */
  const [olderCursor, setOlderCursor] = useState<string | null>();
  const more = useMutation({
    mutationFn: (cursor: string) => fetchRuns(cursor),
    onSuccess: (page) => {
      setKept((current) => [...(current.length === 0 ? (first.data?.runs ?? []) : current), ...page.runs]);
      setOlderCursor(page.cursor ?? null);
    },
  });
  const nextCursor = olderCursor === undefined ? first.data?.cursor : (olderCursor ?? undefined);

  if (first.isPending) {
    return (
      <Card title="Runs">
        <Skeleton lines={4} />
      </Card>
    );
  }
  if (first.isError && !first.data) {
    return (
      <Card title="Runs" actions={<Button onClick={() => first.refetch()}>Try again</Button>}>
        <ErrorAlert error={first.error} prefix="Runs could not be loaded" />
      </Card>
    );
  }
  const runs = mergeRuns(first.data.runs, kept);
  return (
    <Card title="Runs">
      <LastUpdated at={first.dataUpdatedAt} fetching={first.isFetching} />
      {first.isError && <ErrorAlert error={first.error} prefix="Refreshing the runs failed" />}
      {runs.length === 0 ? (
        <EmptyState title="No discovery runs yet">
          <p>Start a first run above to find the devices in a scope.</p>
        </EmptyState>
      ) : (
        <ul className="run-list" aria-label="Discovery runs">
          {runs.map((run) => (
            <RunListItem key={run.id} run={run} />
          ))}
        </ul>
      )}
      {more.isError && <ErrorAlert error={more.error} prefix="More runs could not be loaded" />}
      {runs.length > 0 &&
        (nextCursor ? (
          <Button onClick={() => more.mutate(nextCursor)} pending={more.isPending} pendingLabel="Loading…">
            Load more runs
          </Button>
        ) : (
          <p className="small muted">All runs loaded.</p>
        ))}
    </Card>
  );
}

function RunListItem({ run }: { run: DiscoveryRunT }) {
  const stats = statEntries(run.stats)
    .filter(([key]) => !['duration ms', 'stage ms', 'max targets', 'runtime budget ms'].includes(key))
    .slice(0, 3);
  return (
    <li className="run-item" data-run-id={run.id}>
      <div className="run-item-head">
        <span className="mono">{run.id.slice(0, 8)}</span> <StatusBadge status={run.status} />
        <Link
          className="details-link"
          to={`/discovery/${run.id}`}
          aria-label={`View details of run ${run.id.slice(0, 8)}`}
        >
          View details
        </Link>
      </div>
      <p className="small">
        <RunSettingsLine run={run} />
      </p>
      <p className="small muted">
        Started <DateTime value={run.started_at ?? run.queued_at} />
        {run.completed_at && (
          <>
            {' → '}
            <DateTime value={run.completed_at} />
          </>
        )}
      </p>
      {run.last_error && <Alert tone="danger">{run.last_error}</Alert>}
      {stats.length > 0 && <p className="small muted">{stats.map(([key, value]) => `${key}: ${value}`).join(' • ')}</p>}
    </li>
  );
}
