import cytoscape, { type Core, type ElementDefinition, type StylesheetJson } from 'cytoscape';
import fcose from 'cytoscape-fcose';
import svg from 'cytoscape-svg';
import { forwardRef, useEffect, useImperativeHandle, useRef } from 'react';
import { type CanvasElements, edgeKey, nodeKey, regionKey, type Selection } from './canvas-model.ts';
import { type DrawioBox, type DrawioEdge, toDrawio } from './drawio.ts';

cytoscape.use(fcose);
cytoscape.use(svg);

const MAX_FIT_ZOOM = 1.25;

export type Positions = Record<string, { x: number; y: number }>;

export interface MapCanvasHandle {
  exportSvg(): string;
  exportPng(): Promise<Blob>;
  exportDrawio(title: string): string;
  /** Lays the graph out from scratch, ignoring saved positions. */
  autoLayout(): void;
}

interface Props {
  elements: CanvasElements;
  /** Saved positions of childless elements, keyed by element id; read when the elements change. */
  saved: Positions;
  selected: Selection | null;
  onSelect(selection: Selection | null): void;
  /** After an operator drags something: every childless element's position. */
  onMoved(positions: Positions): void;
  /** The canvas's accessible name (it is an image to assistive technology; the outline list is the text). */
  label: string;
}

const cssVar = (name: string, fallback: string) =>
  getComputedStyle(document.documentElement).getPropertyValue(name).trim() || fallback;

function stylesheet(): StylesheetJson {
  const text = cssVar('--text', '#1f2933');
  const surface = cssVar('--surface', '#ffffff');
  const accent = cssVar('--accent', '#3b5bdb');
  const muted = cssVar('--muted', '#8a94a6');
  return [
    {
      selector: 'node',
      style: { label: 'data(label)', color: text, 'font-size': 11, 'text-wrap': 'ellipsis', 'text-max-width': '160px' },
    },
    {
      selector: 'node[role = "region"]',
      style: {
        shape: 'round-rectangle',
        'background-color': muted,
        'background-opacity': 0.12,
        'border-width': 1,
        'border-color': muted,
        'text-valign': 'top',
        'text-halign': 'center',
        'font-weight': 'bold',
        'font-size': 12,
        padding: '18px',
        'min-width': '120px',
        'min-height': '40px',
      },
    },
    {
      selector: 'node[role = "region"][color]',
      style: { 'background-color': 'data(color)', 'border-color': 'data(color)' },
    },
    {
      selector: 'node[role = "node"]',
      style: {
        shape: 'round-rectangle',
        width: 'data(width)',
        height: 26,
        padding: '6px',
        'background-color': surface,
        'border-width': 1.5,
        'border-color': accent,
        'text-valign': 'center',
        'text-halign': 'center',
      },
    },
    { selector: 'node[kind = "service"]', style: { shape: 'round-tag', 'border-color': '#2b8a3e' } },
    { selector: 'node[?focus]', style: { 'border-width': 3, 'border-color': '#d9480f' } },
    {
      selector: 'edge',
      style: {
        width: 1.5,
        'curve-style': 'bezier',
        'line-color': muted,
        'target-arrow-color': muted,
        label: 'data(label)',
        'font-size': 9,
        color: text,
        'text-rotation': 'autorotate',
        'text-background-color': surface,
        'text-background-opacity': 0.85,
        'text-background-padding': '2px',
      },
    },
    { selector: 'edge[kind = "policy"], edge[kind = "dependency"]', style: { 'target-arrow-shape': 'triangle' } },
    {
      selector: 'edge[action = "deny"]',
      style: { 'line-color': '#c92a2a', 'target-arrow-color': '#c92a2a', 'line-style': 'dashed' },
    },
    {
      selector: ':selected',
      style: { 'border-width': 3, 'border-color': '#f08c00', 'line-color': '#f08c00', 'target-arrow-color': '#f08c00' },
    },
  ];
}

/**
 * Node widths from their labels, measured once with the canvas's font: Cytoscape's own
 * `width: label` caches a zero width for some nodes, which then vanish from the canvas.
 */
let measuring: CanvasRenderingContext2D | null | undefined;
function labelWidth(text: string): number {
  if (measuring === undefined) {
    measuring = document.createElement('canvas').getContext('2d');
    if (measuring) measuring.font = '11px sans-serif';
  }
  if (!measuring) return Math.min(172, text.length * 7 + 12);
  return Math.min(172, Math.ceil(measuring.measureText(text).width) + 12);
}

function definitions(elements: CanvasElements): ElementDefinition[] {
  return [
    ...elements.nodes.map((data) => ({
      group: 'nodes' as const,
      data: data.role === 'node' ? { ...data, width: labelWidth(data.label) } : { ...data },
    })),
    ...elements.edges.map((data) => ({ group: 'edges' as const, data: { ...data } })),
  ];
}

/** fcose (compound-aware force layout) for everything, keeping saved elements where they were put. */
function runLayout(cy: Core, saved: Positions, onDone: () => void): void {
  const leaves = cy.nodes().filter((node) => node.isChildless());
  if (leaves.length === 0) {
    onDone();
    return;
  }
  const fixed = leaves.filter((node) => saved[node.id()] !== undefined);
  const layout =
    fixed.length === leaves.length
      ? cy.layout({
          name: 'preset',
          positions: saved,
          fit: true,
          padding: 24,
        })
      : cy.layout({
          name: 'fcose',
          animate: false,
          randomize: true,
          quality: 'default',
          nodeDimensionsIncludeLabels: true,
          packComponents: true,
          fit: true,
          padding: 24,
          idealEdgeLength: 90,
          nodeRepulsion: 6500,
          ...(fixed.length > 0
            ? { fixedNodeConstraint: fixed.map((node) => ({ nodeId: node.id(), position: saved[node.id()] })) }
            : {}),
        } as cytoscape.LayoutOptions);
  const finish = () => {
    // A view of one or two nodes would be fitted at maximum zoom: keep it at a readable size.
    if (cy.zoom() > MAX_FIT_ZOOM) {
      cy.zoom(MAX_FIT_ZOOM);
      cy.center();
    }
    onDone();
  };
  layout.one('layoutstop', finish);
  try {
    layout.run();
  } catch (error) {
    // A force layout can fail on an unusual graph; a grid still shows everything, and the page goes on.
    console.warn('map layout failed, falling back to a grid', error);
    layout.stop();
    const fallback = cy.layout({ name: 'grid', fit: true, padding: 24, avoidOverlap: true });
    fallback.one('layoutstop', finish);
    fallback.run();
  }
}

function leafPositions(cy: Core): Positions {
  const positions: Positions = {};
  cy.nodes()
    .filter((node) => node.isChildless())
    .forEach((node) => {
      const { x, y } = node.position();
      positions[node.id()] = { x: Math.round(x * 10) / 10, y: Math.round(y * 10) / 10 };
    });
  return positions;
}

/**
 * The Cytoscape canvas: regions as compound nodes, nodes inside their primary region, edges. Marks
 * its container `data-layout="ready"` once laid out (tests and the bench wait for it) and keeps the
 * Cytoscape instance on the container element (`.cy`) for them, never on window.
 */
export const MapCanvas = forwardRef<MapCanvasHandle, Props>(function MapCanvas(
  { elements, saved, selected, onSelect, onMoved, label },
  ref,
) {
  const container = useRef<HTMLDivElement>(null);
  const cyRef = useRef<Core | null>(null);
  const callbacks = useRef({ onSelect, onMoved });
  callbacks.current = { onSelect, onMoved };
  const savedRef = useRef(saved);
  savedRef.current = saved;

  useEffect(() => {
    const element = container.current;
    if (!element) return;
    const cy = cytoscape({
      container: element,
      style: stylesheet(),
      wheelSensitivity: 0.3,
      minZoom: 0.1,
      maxZoom: 4,
      boxSelectionEnabled: false,
      selectionType: 'single',
    });
    cyRef.current = cy;
    (element as HTMLDivElement & { cy?: Core }).cy = cy;
    cy.on('tap', 'node', (event) => {
      const data = event.target.data() as { role: 'region' | 'node'; ref: string };
      callbacks.current.onSelect({ role: data.role, id: data.ref });
    });
    cy.on('tap', 'edge', (event) =>
      callbacks.current.onSelect({ role: 'edge', id: event.target.data('ref') as string }),
    );
    cy.on('tap', (event) => {
      if (event.target === cy) callbacks.current.onSelect(null);
    });
    cy.on('dragfree', 'node', () => callbacks.current.onMoved(leafPositions(cy)));
    return () => {
      cy.destroy();
      cyRef.current = null;
    };
  }, []);

  useEffect(() => {
    const cy = cyRef.current;
    const element = container.current;
    if (!cy || !element) return;
    element.dataset.layout = 'running';
    cy.batch(() => {
      cy.elements().remove();
      cy.add(definitions(elements));
    });
    runLayout(cy, savedRef.current, () => {
      element.dataset.layout = 'ready';
    });
  }, [elements]);

  useEffect(() => {
    const cy = cyRef.current;
    if (!cy) return;
    cy.elements(':selected').unselect();
    if (!selected) return;
    const key = selected.role === 'region' ? regionKey : selected.role === 'node' ? nodeKey : edgeKey;
    cy.getElementById(key(selected.id)).select();
  }, [selected]);

  useImperativeHandle(ref, () => ({
    exportSvg: () => {
      const cy = cyRef.current as (Core & { svg(options: object): string }) | null;
      return cy ? cy.svg({ full: true, scale: 1, bg: cssVar('--surface', '#ffffff') }) : '';
    },
    exportPng: async () => {
      const cy = cyRef.current;
      if (!cy) throw new Error('The canvas is not ready');
      return cy.png({ full: true, scale: 2, output: 'blob-promise', bg: cssVar('--surface', '#ffffff') });
    },
    exportDrawio: (title: string) => {
      const cy = cyRef.current;
      if (!cy) return '';
      const boxes: DrawioBox[] = cy.nodes().map((node) => {
        const box = node.boundingBox({ includeLabels: false, includeOverlays: false });
        const data = node.data() as {
          label: string;
          kind: string;
          role: 'region' | 'node';
          color?: string;
          focus?: boolean;
        };
        const parent = node.parent();
        return {
          id: node.id(),
          label: data.label,
          kind: data.kind,
          role: data.role,
          ...(parent.nonempty() ? { parent: parent.first().id() } : {}),
          x: box.x1,
          y: box.y1,
          width: box.w,
          height: box.h,
          ...(data.color ? { color: data.color } : {}),
          ...(data.focus ? { focus: true } : {}),
        };
      });
      const edges: DrawioEdge[] = cy.edges().map((edge) => {
        const data = edge.data() as { label: string; source: string; target: string; action?: string };
        return {
          id: edge.id(),
          label: data.label,
          source: data.source,
          target: data.target,
          ...(data.action ? { action: data.action } : {}),
        };
      });
      return toDrawio(title, boxes, edges);
    },
    autoLayout: () => {
      const cy = cyRef.current;
      const element = container.current;
      if (!cy || !element) return;
      element.dataset.layout = 'running';
      runLayout(cy, {}, () => {
        element.dataset.layout = 'ready';
      });
    },
  }));

  return <div ref={container} className="map-canvas" data-map-canvas="" role="img" aria-label={label} />;
});
