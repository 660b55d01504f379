import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import { Link, Navigate, useLocation, useSearchParams } from 'react-router';
import { api } from '../../api/client.ts';
import type { MapProjectionT } from '../../api/types.ts';
import { useIsAdmin } from '../../app/session.tsx';
import { Alert, Button, EmptyState, ErrorAlert } from '../../components/ui.tsx';
import { BuildPanel } from './BuildPanel.tsx';
import { type Selection, stableKey, toCanvasElements, truncationWarnings } from './canvas-model.ts';
import { downloadBlob, exportFileName } from './download.ts';
import { InspectorPane } from './InspectorPane.tsx';
import { LayerPane } from './LayerPane.tsx';
import { MapCanvas, type MapCanvasHandle, type Positions } from './MapCanvas.tsx';
import { MapOutline } from './MapOutline.tsx';
import { focusProblem, focusTypeLabel, isLayer, layerInfo, mapHref, readMapView } from './map-url.ts';
import { type FocusedView, layoutKey, layoutPath, useProjection, useSavedLayout } from './queries.ts';

/**
 * `/map`: the layered explorer (SPEC §10.8, issue 8). Layer and focus live in the URL; the canvas
 * is Cytoscape with regions as compound nodes; dragged positions are saved per layer and focus on
 * the server (admins); a refetched projection is held until "Apply updates" unless live is on.
 */
export function MapScene() {
  const [params] = useSearchParams();
  const location = useLocation();
  const view = readMapView(params);
  const admin = useIsAdmin();
  const client = useQueryClient();
  const problem = focusProblem(view);
  const knownLayer = isLayer(view.layer);
  const focused: FocusedView | undefined =
    knownLayer && !problem && view.focusType && view.focusId
      ? { layer: view.layer, focusType: view.focusType, focusId: view.focusId, depth: view.depth }
      : undefined;

  const projection = useProjection(focused);
  const layout = useSavedLayout(focused);
  const [shown, setShown] = useState<MapProjectionT | undefined>();
  const [live, setLive] = useState(false);
  // After an edit of one's own the next answer is shown at once, live or not.
  const [applyNext, setApplyNext] = useState(false);
  const [selected, setSelected] = useState<Selection | null>(null);
  const [saveState, setSaveState] = useState<'idle' | 'saving' | 'saved' | 'failed' | 'local'>('idle');
  const canvas = useRef<MapCanvasHandle>(null);
  const viewKey = focused ? stableKey(focused) : `${view.layer}|${view.focusType ?? ''}|${view.focusId ?? ''}`;

  // A new layer or focus starts over: nothing selected, nothing pending.
  // biome-ignore lint/correctness/useExhaustiveDependencies: viewKey is the trigger.
  useEffect(() => {
    setSelected(null);
    setShown(undefined);
    setSaveState('idle');
  }, [viewKey]);

  const fresh = projection.data;
  const pending = fresh !== undefined && shown !== undefined && stableKey(fresh) !== stableKey(shown);
  useEffect(() => {
    if (fresh && (shown === undefined || live || applyNext)) {
      setShown(fresh);
      setApplyNext(false);
    }
  }, [fresh, shown, live, applyNext]);

  const elements = useMemo(() => (shown ? toCanvasElements(shown) : undefined), [shown]);
  const saved = layout.data?.positions ?? {};

  const saveLayout = useMutation({
    mutationFn: (positions: Positions) => api.put(layoutPath(focused as FocusedView), { positions }),
    onMutate: () => setSaveState('saving'),
    onSuccess: (body) => {
      client.setQueryData(layoutKey(focused), body);
      setSaveState('saved');
    },
    onError: () => setSaveState('failed'),
  });
  const resetLayout = useMutation({
    mutationFn: () => api.delete(layoutPath(focused as FocusedView)),
    onSuccess: () => {
      client.setQueryData(layoutKey(focused), {
        positions: {},
        updated_at: null,
        updated_by: null,
      });
      setSaveState('idle');
    },
  });

  const onMoved = useCallback(
    (positions: Positions) => {
      if (!focused) return;
      if (admin) saveLayout.mutate(positions);
      else setSaveState('local');
    },
    [admin, focused, saveLayout.mutate],
  );

  const exportAs = async (format: 'svg' | 'png' | 'drawio') => {
    const handle = canvas.current;
    if (!handle || !shown) return;
    const name = exportFileName(shown, format);
    if (format === 'svg') downloadBlob(new Blob([handle.exportSvg()], { type: 'image/svg+xml' }), name);
    if (format === 'png') downloadBlob(await handle.exportPng(), name);
    if (format === 'drawio') {
      const title = `${shown.layer} · ${shown.focus ? `${shown.focus.type} ${shown.focus.label ?? shown.focus.id}` : ''}`;
      downloadBlob(new Blob([handle.exportDrawio(title)], { type: 'application/xml' }), name);
    }
  };

  if (view.layerMissing) return <Navigate to={`${location.pathname}?${withLayer(params)}`} replace />;

  const info = layerInfo(view.layer);
  const warnings = shown ? truncationWarnings(shown) : [];
  const headline = !knownLayer
    ? 'Unknown layer'
    : `${info?.label}: ${info?.description}. ${
        focused
          ? `Focus: ${focusTypeLabel(focused.focusType)} ${shown?.focus?.label ?? focused.focusId}.`
          : 'No focus selected.'
      }`;

  return (
    <div className="map-scene">
      <LayerPane view={view} />
      <section className="map-main" aria-labelledby="map-heading">
        <header className="map-main-header">
          <h1 id="map-heading">Map</h1>
          <p className="muted map-headline">{headline}</p>
          {shown && (
            <div className="map-controls" role="toolbar" aria-label="Canvas controls">
              <Button
                onClick={() => {
                  canvas.current?.autoLayout();
                  if (admin && Object.keys(saved).length > 0) resetLayout.mutate();
                }}
                title="Lay the view out again (and forget saved positions)"
              >
                Auto layout
              </Button>
              {pending && (
                <Button variant="primary" onClick={() => setShown(fresh)}>
                  Apply updates
                </Button>
              )}
              <Button onClick={() => setLive(!live)} aria-pressed={live}>
                {live ? 'Pause live' : 'Enable live'}
              </Button>
              <span className="muted map-live-status" role="status">
                {projection.isFetching ? 'Refreshing…' : live ? 'Live updates enabled' : 'Live updates paused'}
              </span>
              <fieldset className="map-export">
                <legend className="visually-hidden">Export</legend>
                <Button onClick={() => exportAs('svg')}>Export SVG</Button>
                <Button onClick={() => exportAs('png')}>Export PNG</Button>
                <Button onClick={() => exportAs('drawio')}>Export draw.io</Button>
              </fieldset>
              {admin && (
                <Link
                  className={`button ${view.build ? 'button-primary' : ''}`}
                  to={mapHref({ ...view, build: !view.build })}
                  aria-pressed={view.build}
                >
                  {view.build ? 'Leave build mode' : 'Build mode'}
                </Link>
              )}
            </div>
          )}
        </header>
        {!knownLayer && (
          <Alert tone="warning">Unknown layer "{view.layer}". Choose one of the layers on the left.</Alert>
        )}
        {shown?.guidance && <Alert tone="info">{shown.guidance}</Alert>}
        {warnings.map((warning) => (
          <Alert key={warning} tone="warning">
            {warning}
          </Alert>
        ))}
        {warnings.length > 0 && (
          <p className="muted">
            Something was left out to keep the view readable: drill into a region to see all of it.
          </p>
        )}
        <SaveStatus state={saveState} layout={layout.data} />
        {projection.error && <ErrorAlert error={projection.error} prefix="The projection could not be loaded" />}
        {layout.error && (
          <Alert tone="warning">Saved positions could not be loaded; the view is laid out automatically.</Alert>
        )}
        {focused && shown && elements && (layout.data || layout.error) ? (
          <>
            <MapCanvas
              ref={canvas}
              elements={elements}
              saved={saved}
              selected={selected}
              onSelect={setSelected}
              onMoved={onMoved}
              label={`Map of the ${info?.label ?? view.layer} layer around ${shown.focus?.label ?? focused.focusId}`}
            />
            <MapOutline projection={shown} selected={selected} onSelect={setSelected} />
          </>
        ) : focused && (projection.isPending || layout.isPending) ? (
          <p className="muted" role="status">
            Loading the projection…
          </p>
        ) : (
          !projection.error && (
            <EmptyState title="Nothing to draw yet">
              The canvas stays empty until a focus is chosen: search for a device, subnet, VLAN, zone or service in the
              inspector, or open one from its page.
            </EmptyState>
          )
        )}
      </section>
      <aside className="map-side" aria-label="Inspector">
        <InspectorPane view={view} problem={problem} projection={shown} selected={selected} onSelect={setSelected} />
        {admin && view.build && focused && shown && (
          <BuildPanel
            view={focused}
            projection={shown}
            selected={selected}
            onSelect={setSelected}
            onChanged={() => setApplyNext(true)}
          />
        )}
      </aside>
    </div>
  );
}

function withLayer(params: URLSearchParams): string {
  const next = new URLSearchParams(params);
  next.set('layer', 'l3');
  return next.toString();
}

function SaveStatus({
  state,
  layout,
}: {
  state: 'idle' | 'saving' | 'saved' | 'failed' | 'local';
  layout: { updated_at: string | null; updated_by: string | null } | undefined;
}) {
  const text =
    state === 'saving'
      ? 'Saving positions…'
      : state === 'saved'
        ? 'Positions saved for everyone.'
        : state === 'failed'
          ? 'Positions could not be saved.'
          : state === 'local'
            ? 'Positions are kept until you leave: only admins save them.'
            : layout?.updated_at
              ? `Saved positions${layout.updated_by ? ` by ${layout.updated_by}` : ''}.`
              : '';
  return text ? (
    <p className={state === 'failed' ? 'field-error' : 'muted'} role="status" data-save-state={state}>
      {text}
    </p>
  ) : null;
}
