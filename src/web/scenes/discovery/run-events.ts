/**
 * Following a run live: its Server-Sent Events stream GET /api/v1/discovery/runs/{id}/events
 * (same origin, so the session cookie goes along). Events: `status` (the run, with
 * stats.progress), `log` (one line), `end` ({status, last_error?}; the server then closes).
 */
import { useQueryClient } from '@tanstack/react-query';
import { useEffect, useRef, useState } from 'react';
import type { DiscoveryRunT } from '../../api/types.ts';
import { DISCOVERY_STATUS_KEY } from '../../app/Shell.tsx';
import { isActive, type LogLine } from './model.ts';
import { discoveryKeys, useRun } from './queries.ts';

export interface RunEnd {
  status: string;
  last_error?: string;
}

export interface RunEventHandlers {
  onStatus?: (run: DiscoveryRunT) => void;
  onLog?: (line: LogLine) => void;
  onEnd?: (end: RunEnd) => void;
}

/** connecting → open → ended; `reconnecting` while EventSource retries, `failed` once it gave up. */
export type StreamState = 'idle' | 'connecting' | 'open' | 'reconnecting' | 'ended' | 'failed';

const CLOSED = 2; // EventSource.CLOSED

export function eventsUrl(runId: string): string {
  return `/api/v1/discovery/runs/${encodeURIComponent(runId)}/events`;
}

/** Opens the stream while `enabled`; closes it on `end` and on unmount. */
export function useRunEvents(runId: string, enabled: boolean, handlers: RunEventHandlers): StreamState {
  const latest = useRef(handlers);
  latest.current = handlers;
  const [state, setState] = useState<StreamState>('idle');
  useEffect(() => {
    if (!enabled || typeof EventSource === 'undefined') return;
    setState('connecting');
    const source = new EventSource(eventsUrl(runId));
    const parse = (event: Event): unknown => {
      try {
        return JSON.parse((event as MessageEvent<string>).data);
      } catch {
        return undefined;
      }
    };
    source.addEventListener('open', () => setState('open'));
    source.addEventListener('status', (event) => {
      const run = parse(event) as DiscoveryRunT | undefined;
      if (run?.id) latest.current.onStatus?.(run);
    });
    source.addEventListener('log', (event) => {
      const line = parse(event) as LogLine | undefined;
      if (line && typeof line.id === 'number') latest.current.onLog?.(line);
    });
    source.addEventListener('end', (event) => {
      source.close();
      setState('ended');
      latest.current.onEnd?.((parse(event) as RunEnd | undefined) ?? { status: 'unknown' });
    });
    source.addEventListener('error', () => {
      setState(source.readyState === CLOSED ? 'failed' : 'reconnecting');
    });
    return () => source.close();
  }, [runId, enabled]);
  return state;
}

const MAX_LIVE_LINES = 2000;

/**
 * Follows a run that was active when first seen, until its `end`: status events refresh the run in
 * the query cache (so every view of it moves), log lines collect here, and the end refreshes the
 * run list and the header indicator.
 */
export function useLiveRun(runId: string, active: boolean): { lines: LogLine[]; stream: StreamState } {
  const client = useQueryClient();
  const [wasActive, setWasActive] = useState(active);
  if (active && !wasActive) setWasActive(true);
  const [ended, setEnded] = useState(false);
  const [lines, setLines] = useState<LogLine[]>([]);
  const stream = useRunEvents(runId, wasActive && !ended, {
    onStatus: (run) => client.setQueryData(discoveryKeys.run(runId), run),
    onLog: (line) =>
      setLines((current) =>
        current.some((known) => known.id === line.id) ? current : [line, ...current].slice(0, MAX_LIVE_LINES),
      ),
    onEnd: (end) => {
      setEnded(true);
      client.setQueryData<DiscoveryRunT>(discoveryKeys.run(runId), (run) =>
        run
          ? { ...run, status: end.status as DiscoveryRunT['status'], last_error: end.last_error ?? run.last_error }
          : run,
      );
      void client.invalidateQueries({ queryKey: discoveryKeys.run(runId), exact: true });
      void client.invalidateQueries({ queryKey: discoveryKeys.firstRuns });
      void client.invalidateQueries({ queryKey: DISCOVERY_STATUS_KEY });
    },
  });
  return { lines, stream };
}

/** A run and its live stream; polls the run every 5 s only while the stream is not delivering. */
export function useFollowedRun(runId: string) {
  const [poll, setPoll] = useState(false);
  const run = useRun(runId, poll);
  const active = isActive(run.data?.status);
  const live = useLiveRun(runId, active);
  const shouldPoll = live.stream === 'idle' || live.stream === 'reconnecting' || live.stream === 'failed';
  if (shouldPoll !== poll) setPoll(shouldPoll);
  return { run, active, live };
}
