/** Query keys and fetchers of the discovery scenes (SPEC §10.2 pollers). */
import { useQuery } from '@tanstack/react-query';
import { api, query } from '../../api/client.ts';
import type {
  DiscoveryRunListT,
  DiscoveryRunT,
  RunLogListT,
  ScheduleListT,
  ScopeSuggestionsT,
} from '../../api/types.ts';

export const RUN_PAGE_SIZE = 8;
export const LOG_FIRST_PAGE = 50;
export const LOG_MORE_PAGE = 40;

export const discoveryKeys = {
  all: ['discovery'] as const,
  firstRuns: ['discovery', 'runs', 'first'] as const,
  run: (id: string) => ['discovery', 'run', id] as const,
  logs: (id: string) => ['discovery', 'run', id, 'logs'] as const,
  suggestions: ['discovery', 'scope-suggestions'] as const,
  schedules: ['discovery', 'schedules'] as const,
};

export function fetchRuns(cursor?: string, signal?: AbortSignal) {
  return api.get<DiscoveryRunListT>(`/api/v1/discovery/runs${query({ limit: RUN_PAGE_SIZE, cursor })}`, signal);
}

export function fetchLogs(id: string, limit: number, cursor?: string, signal?: AbortSignal) {
  return api.get<RunLogListT>(
    `/api/v1/discovery/runs/${encodeURIComponent(id)}/logs${query({ limit, cursor })}`,
    signal,
  );
}

/** The first page of runs, polled every 10 s (paused while the tab is hidden: refetchIntervalInBackground false). */
export function useFirstRunsPage() {
  return useQuery({
    queryKey: discoveryKeys.firstRuns,
    queryFn: ({ signal }) => fetchRuns(undefined, signal),
    refetchInterval: (q) => (q.state.status === 'error' ? 30_000 : 10_000),
    refetchIntervalInBackground: false,
  });
}

/** One run; polled every 5 s only while it is active and the live stream is not delivering. */
export function useRun(id: string, poll: boolean) {
  return useQuery({
    queryKey: discoveryKeys.run(id),
    queryFn: ({ signal }) => api.get<DiscoveryRunT>(`/api/v1/discovery/runs/${encodeURIComponent(id)}`, signal),
    refetchInterval: (q) =>
      poll && (q.state.data?.status === 'queued' || q.state.data?.status === 'running') ? 5_000 : false,
  });
}

/** The first 50 log lines (newest first). */
export function useFirstLogs(id: string) {
  return useQuery({
    queryKey: discoveryKeys.logs(id),
    queryFn: ({ signal }) => fetchLogs(id, LOG_FIRST_PAGE, undefined, signal),
  });
}

/** Fetched once, fresh for 5 minutes (SPEC §10.2). */
export function useScopeSuggestions() {
  return useQuery({
    queryKey: discoveryKeys.suggestions,
    queryFn: ({ signal }) => api.get<ScopeSuggestionsT>('/api/v1/discovery/scope-suggestions', signal),
    staleTime: 5 * 60_000,
    retry: false,
  });
}

export function useSchedules() {
  return useQuery({
    queryKey: discoveryKeys.schedules,
    queryFn: ({ signal }) => api.get<ScheduleListT>('/api/v1/discovery/schedules', signal),
  });
}
