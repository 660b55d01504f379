import { useQuery } from '@tanstack/react-query';
import { api } from '../../api/client.ts';
import type { MapLayoutT, MapProjectionT } from '../../api/types.ts';

/** Every map query starts with this key: a build-mode edit invalidates them all. */
export const MAP_KEY = ['map'] as const;

export interface FocusedView {
  layer: string;
  focusType: string;
  focusId: string;
  depth: number;
}

const focusQuery = (view: FocusedView) => new URLSearchParams({ focusType: view.focusType, focusId: view.focusId });

export const projectionPath = (view: FocusedView) => {
  const query = focusQuery(view);
  if (view.depth > 1) query.set('depth', String(view.depth));
  return `/api/v1/map/${encodeURIComponent(view.layer)}?${query.toString()}`;
};
export const layoutPath = (view: FocusedView) =>
  `/api/v1/map/${encodeURIComponent(view.layer)}/layout?${focusQuery(view).toString()}`;

/** The projection, refetched every 30 s while the page is open (the page holds changes until applied). */
export function useProjection(view: FocusedView | undefined) {
  return useQuery({
    queryKey: [...MAP_KEY, 'projection', view],
    queryFn: ({ signal }) => api.get<MapProjectionT>(projectionPath(view as FocusedView), signal),
    enabled: view !== undefined,
    refetchInterval: 30_000,
    retry: false,
  });
}

/** A layout belongs to a layer and a focus, whatever the depth. */
export const layoutKey = (view: FocusedView | undefined) =>
  [...MAP_KEY, 'layout', view && { layer: view.layer, focusType: view.focusType, focusId: view.focusId }] as const;

export function useSavedLayout(view: FocusedView | undefined) {
  return useQuery({
    queryKey: layoutKey(view),
    queryFn: ({ signal }) => api.get<MapLayoutT>(layoutPath(view as FocusedView), signal),
    enabled: view !== undefined,
    staleTime: Number.POSITIVE_INFINITY,
    retry: false,
  });
}
