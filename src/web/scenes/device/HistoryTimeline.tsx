import { useInfiniteQuery } from '@tanstack/react-query';
import { api, query } from '../../api/client.ts';
import type { DeviceEventListT, DeviceEventT } from '../../api/types.ts';
import { Badge, Button, Card, DateTime, EmptyState, ErrorAlert, Skeleton } from '../../components/ui.tsx';
import { historyKey } from './keys.ts';

export const HISTORY_PAGE_SIZE = 25;
const MAX_DETAILS = 8;

export function historyPath(id: string, cursor?: string): string {
  return `/api/v1/devices/${id}/history${query({ limit: HISTORY_PAGE_SIZE, cursor })}`;
}

/** `key: value` with objects JSON-encoded and null as "—" (SPEC §10.4). */
export function detailText(value: unknown): string {
  if (value === null || value === undefined) return '—';
  if (typeof value === 'object') return JSON.stringify(value);
  return String(value);
}

/** Newest first, 25 at a time; "Load more" appends the next page until the cursor runs out. */
export function HistoryTimeline({ id }: { id: string }) {
  const history = useInfiniteQuery({
    queryKey: historyKey(id),
    queryFn: ({ pageParam, signal }) => api.get<DeviceEventListT>(historyPath(id, pageParam), signal),
    initialPageParam: undefined as string | undefined,
    getNextPageParam: (last) => last.cursor,
  });
  const events = history.data?.pages.flatMap((page) => page.events) ?? [];
  return (
    <Card title="History">
      {history.isPending ? (
        <Skeleton lines={4} />
      ) : history.isError && events.length === 0 ? (
        <ErrorAlert error={history.error} prefix="History could not be loaded" />
      ) : events.length === 0 ? (
        <EmptyState title="No history yet">
          <p>Changes appear here as discovery runs and people edit the device.</p>
        </EmptyState>
      ) : (
        <>
          <p className="muted small" aria-live="polite">
            Newest first · Showing {events.length} event{events.length === 1 ? '' : 's'}
          </p>
          <ol className="timeline">
            {events.map((event) => (
              <HistoryEvent key={`${event.event_at}-${event.event_id}`} event={event} />
            ))}
          </ol>
          {history.isFetchNextPageError && (
            <ErrorAlert error={history.error} prefix="More history could not be loaded" />
          )}
          {history.hasNextPage ? (
            <Button
              onClick={() => history.fetchNextPage()}
              pending={history.isFetchingNextPage}
              pendingLabel="Loading…"
            >
              Load more
            </Button>
          ) : (
            <p className="muted small">All available events loaded.</p>
          )}
        </>
      )}
    </Card>
  );
}

function HistoryEvent({ event }: { event: DeviceEventT }) {
  const details = Object.entries(event.details);
  return (
    <li className="timeline-event">
      <div className="timeline-head">
        <strong>{event.summary}</strong> <Badge>{event.kind.replaceAll('_', ' ')}</Badge>
      </div>
      <div className="muted small">
        <DateTime value={event.event_at} />
        {event.actor ? ` · by ${event.actor}` : ''}
        {event.run_id ? ` · discovery run ${event.run_id.slice(0, 8)}` : ''}
      </div>
      {details.length > 0 && (
        <ul className="plain-list timeline-details mono">
          {details.slice(0, MAX_DETAILS).map(([key, value]) => (
            <li key={key}>
              {key}: {detailText(value)}
            </li>
          ))}
          {details.length > MAX_DETAILS && <li>… {details.length - MAX_DETAILS} more</li>}
        </ul>
      )}
    </li>
  );
}
