/**
 * The current view as a draw.io (diagrams.net) file: one uncompressed `mxGraphModel` whose regions
 * are container cells, nodes are vertices inside them (geometry relative to the container, as
 * draw.io expects) and edges connect cells by id. Built with fast-xml-parser's builder, which also
 * escapes every label.
 */
import { XMLBuilder } from 'fast-xml-parser';

export interface DrawioBox {
  id: string;
  label: string;
  kind: string;
  role: 'region' | 'node';
  parent?: string;
  /** Absolute bounding box in model coordinates. */
  x: number;
  y: number;
  width: number;
  height: number;
  color?: string;
  focus?: boolean;
}
export interface DrawioEdge {
  id: string;
  label: string;
  source: string;
  target: string;
  action?: string;
}

const round = (value: number) => Math.round(value * 10) / 10;

function vertexStyle(box: DrawioBox): string {
  if (box.role === 'region') {
    const fill = box.color ?? '#eef2f7';
    return `rounded=1;whiteSpace=wrap;container=1;collapsible=0;verticalAlign=top;align=left;spacingLeft=6;fillColor=${fill};opacity=60;strokeColor=#8a94a6;`;
  }
  const stroke = box.focus ? '#d9480f' : '#3b5bdb';
  return `rounded=1;whiteSpace=wrap;fillColor=#ffffff;strokeColor=${stroke};strokeWidth=${box.focus ? 3 : 1};`;
}

/** Containers before their children (draw.io needs a parent cell to exist first). */
function parentsFirst(boxes: DrawioBox[]): DrawioBox[] {
  const byId = new Map(boxes.map((box) => [box.id, box]));
  const depth = (box: DrawioBox): number => {
    let level = 0;
    for (let parent = box.parent; parent && level < boxes.length; level++) parent = byId.get(parent)?.parent;
    return level;
  };
  return [...boxes].sort((a, b) => depth(a) - depth(b) || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
}

export function toDrawio(title: string, boxes: DrawioBox[], edges: DrawioEdge[]): string {
  const byId = new Map(boxes.map((box) => [box.id, box]));
  const cells: Record<string, unknown>[] = [{ '@_id': '0' }, { '@_id': '1', '@_parent': '0' }];
  for (const box of parentsFirst(boxes)) {
    const parent = box.parent ? byId.get(box.parent) : undefined;
    cells.push({
      '@_id': box.id,
      '@_value': box.label,
      '@_style': vertexStyle(box),
      '@_vertex': '1',
      '@_parent': parent ? parent.id : '1',
      mxGeometry: {
        '@_x': String(round(box.x - (parent?.x ?? 0))),
        '@_y': String(round(box.y - (parent?.y ?? 0))),
        '@_width': String(round(box.width)),
        '@_height': String(round(box.height)),
        '@_as': 'geometry',
      },
    });
  }
  for (const edge of edges) {
    if (!byId.has(edge.source) || !byId.has(edge.target)) continue;
    const stroke = edge.action === 'deny' ? '#c92a2a' : '#495057';
    cells.push({
      '@_id': edge.id,
      '@_value': edge.label,
      '@_style': `endArrow=classic;html=0;rounded=0;strokeColor=${stroke};`,
      '@_edge': '1',
      '@_parent': '1',
      '@_source': edge.source,
      '@_target': edge.target,
      mxGeometry: { '@_relative': '1', '@_as': 'geometry' },
    });
  }
  const document = {
    mxfile: {
      '@_host': 'Roller',
      diagram: {
        '@_id': 'roller-map',
        '@_name': title,
        mxGraphModel: {
          '@_grid': '1',
          '@_gridSize': '10',
          '@_pageWidth': '1169',
          '@_pageHeight': '827',
          root: { mxCell: cells },
        },
      },
    },
  };
  const builder = new XMLBuilder({
    ignoreAttributes: false,
    attributeNamePrefix: '@_',
    format: true,
    suppressEmptyNode: true,
  });
  return `<?xml version="1.0" encoding="UTF-8"?>\n${builder.build(document)}`;
}
