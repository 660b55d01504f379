import { XMLParser } from 'fast-xml-parser';
import { describe, expect, it } from 'vitest';
import type { MapProjectionT } from '../../api/types.ts';
import { selectionInspector, stableKey, toCanvasElements, truncationWarnings } from './canvas-model.ts';
import { toDrawio } from './drawio.ts';
import { focusProblem, layerFor, layerSwitchHref, literalFocus, mapHref, readMapView } from './map-url.ts';

const complete = (n: number, limit: number) => ({ returned: n, limit, truncated: false, total: n });
const projection: MapProjectionT = {
  layer: 'security',
  focus: { type: 'zone', id: 'dmz', label: 'dmz' },
  regions: [
    { id: 'lan', kind: 'zone', label: 'Office LAN' },
    { id: 'dmz', kind: 'zone', label: 'DMZ', meta: { color: '#ff8800' } },
  ],
  nodes: [
    { id: 'd2', kind: 'device', label: 'web 10', primary_region_id: 'dmz', region_ids: ['dmz', 'lan'] },
    { id: 'd1', kind: 'device', label: 'web 9', primary_region_id: 'dmz', region_ids: ['dmz'] },
    { id: 'd3', kind: 'device', label: 'orphan', primary_region_id: 'gone', region_ids: ['gone'] },
  ],
  edges: [
    { id: 'p1', kind: 'policy', from: 'lan', to: 'dmz', label: 'allow tcp/443', meta: { action: 'allow' } },
    { id: 'p2', kind: 'policy', from: 'lan', to: 'missing', label: 'allow any' },
  ],
  truncation: {
    regions: complete(2, 8),
    nodes: { returned: 3, limit: 3, truncated: true, warning: 'Node cap hit: showing 3 of >3 devices.' },
    edges: complete(1, 80),
  },
};

describe('map URL contract', () => {
  it('reads and writes views, defaulting the layer and clamping depth', () => {
    const view = readMapView(new URLSearchParams('layer=SECURITY&focusType=zone&focusId=%20dmz%20&depth=9&mode=build'));
    expect(view).toEqual({
      layer: 'security',
      layerMissing: false,
      focusType: 'zone',
      focusId: 'dmz',
      depth: 3,
      build: true,
    });
    expect(readMapView(new URLSearchParams('')).layerMissing).toBe(true);
    expect(readMapView(new URLSearchParams('depth=-1')).depth).toBe(1);
    expect(mapHref({ layer: 'l3', focusType: 'subnet', focusId: '10.0.0.0/24', depth: 1 })).toBe(
      '/map?layer=l3&focusType=subnet&focusId=10.0.0.0%2F24',
    );
  });
  it('drops the focus when the target layer cannot take it', () => {
    const view = { layer: 'security', focusType: 'zone', focusId: 'dmz', depth: 2, build: false };
    expect(layerSwitchHref(view, 'l3')).toBe('/map?layer=l3&depth=2');
    expect(layerSwitchHref(view, 'security')).toBe('/map?layer=security&focusType=zone&focusId=dmz&depth=2');
    expect(layerSwitchHref({ ...view, focusType: 'device', focusId: 'x' }, 'physical')).toContain('focusType=device');
  });
  it('names incomplete focus and finds a layer for each focus type', () => {
    expect(focusProblem({ layer: 'l3', focusType: 'rack', focusId: '1', depth: 1, build: false })).toContain('Unknown');
    expect(focusProblem({ layer: 'l3', focusType: 'device', depth: 1, build: false })).toContain('without a focus id');
    expect(focusProblem({ layer: 'l3', focusId: 'x', depth: 1, build: false })).toContain('without a focus type');
    expect(layerFor('zone', 'l3')).toBe('security');
    expect(layerFor('device', 'physical')).toBe('physical');
    expect(layerFor('subnet', 'l3')).toBe('l3');
  });
  it('recognises literal ids typed into the search box', () => {
    expect(literalFocus('10.0.1.0/24')).toEqual([{ type: 'subnet', id: '10.0.1.0/24', label: 'Subnet 10.0.1.0/24' }]);
    expect(literalFocus('0042')[0]).toMatchObject({ type: 'vlan', id: '42' });
    expect(literalFocus('5000')).toEqual([]);
    expect(literalFocus('printer')).toEqual([]);
  });
});

describe('canvas model', () => {
  it('places nodes in their primary region, orders naturally, joins policies to zones and drops dangling edges', () => {
    const { nodes, edges } = toCanvasElements(projection);
    expect(nodes.map((node) => [node.id, node.parent ?? null])).toEqual([
      ['r:dmz', null],
      ['r:lan', null],
      ['n:d3', null],
      ['n:d1', 'r:dmz'],
      ['n:d2', 'r:dmz'],
    ]);
    expect(nodes[0]).toMatchObject({ focus: true, color: '#ff8800' });
    expect(edges).toEqual([
      {
        id: 'e:p1',
        ref: 'p1',
        label: 'allow tcp/443',
        kind: 'policy',
        source: 'r:lan',
        target: 'r:dmz',
        action: 'allow',
      },
    ]);
  });
  it('derives the inspector of a selection', () => {
    const region = selectionInspector(projection, { role: 'region', id: 'dmz' });
    expect(region?.status).toContainEqual({ label: 'Members', value: '2' });
    expect(region?.relationships[0]).toEqual({
      label: 'Drill in',
      layer: 'security',
      focus_type: 'zone',
      focus_id: 'dmz',
    });
    const node = selectionInspector(projection, { role: 'node', id: 'd2' });
    expect(node?.identity).toContainEqual({ label: 'Also in', value: 'DMZ, Office LAN' });
    expect(node?.status).toContainEqual({ label: 'Primary region', value: 'DMZ' });
    const edge = selectionInspector(projection, { role: 'edge', id: 'p1' });
    expect(edge?.identity).toContainEqual({ label: 'From', value: 'Office LAN' });
    expect(selectionInspector(projection, { role: 'node', id: 'nope' })).toBeUndefined();
  });
  it('lists cap warnings and serialises stably', () => {
    expect(truncationWarnings(projection)).toEqual(['Node cap hit: showing 3 of >3 devices.']);
    expect(stableKey({ b: 1, a: [{ d: 2, c: 3 }] })).toBe(stableKey({ a: [{ c: 3, d: 2 }], b: 1 }));
    expect(stableKey({ a: 1 })).not.toBe(stableKey({ a: 2 }));
  });
});

describe('draw.io export', () => {
  it('writes containers before children with relative geometry, escaped labels and connected edges', () => {
    const xml = toDrawio(
      'security · zone dmz',
      [
        {
          id: 'n:d1',
          label: 'web <1> & "co"',
          kind: 'device',
          role: 'node',
          parent: 'r:dmz',
          x: 110,
          y: 220,
          width: 80,
          height: 30,
        },
        { id: 'r:dmz', label: 'DMZ', kind: 'zone', role: 'region', x: 100, y: 200, width: 200, height: 100 },
        { id: 'r:lan', label: 'LAN', kind: 'zone', role: 'region', x: 400, y: 200, width: 100, height: 100 },
      ],
      [
        { id: 'e:p1', label: 'allow tcp/443', source: 'r:lan', target: 'r:dmz' },
        { id: 'e:bad', label: 'x', source: 'r:lan', target: 'n:nope' },
      ],
    );
    const parsed = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: '' }).parse(xml);
    const cells = parsed.mxfile.diagram.mxGraphModel.root.mxCell as Record<string, Record<string, string> | string>[];
    expect(cells.map((cell) => cell.id)).toEqual(['0', '1', 'r:dmz', 'r:lan', 'n:d1', 'e:p1']);
    const child = cells.find((cell) => cell.id === 'n:d1');
    expect(child).toMatchObject({ parent: 'r:dmz', value: 'web <1> & "co"', vertex: '1' });
    expect(child?.mxGeometry).toMatchObject({ x: '10', y: '20', width: '80', height: '30' });
    expect(cells.find((cell) => cell.id === 'e:p1')).toMatchObject({ source: 'r:lan', target: 'r:dmz', edge: '1' });
    expect(xml).toContain('&lt;1&gt; &amp;');
  });
});
