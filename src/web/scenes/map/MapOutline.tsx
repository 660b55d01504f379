import type { MapProjectionT } from '../../api/types.ts';
import { byTitle, placementOf, type Selection, titleOf } from './canvas-model.ts';

/**
 * The canvas as text: every region with the nodes placed in it, then the connections, each a button
 * that selects the element. Keyboard and screen-reader users work from here; the canvas is a picture.
 */
export function MapOutline({
  projection,
  selected,
  onSelect,
}: {
  projection: MapProjectionT;
  selected: Selection | null;
  onSelect(selection: Selection): void;
}) {
  const regionIds = new Set(projection.regions.map((region) => region.id));
  const nodes = [...projection.nodes].sort(byTitle);
  const unplaced = nodes.filter((node) => placementOf(node, regionIds) === undefined);
  const titles = new Map<string, string>([
    ...projection.regions.map((region) => [region.id, titleOf(region)] as const),
    ...projection.nodes.map((node) => [node.id, titleOf(node)] as const),
  ]);
  const item = (role: Selection['role'], id: string, text: string, kind: string) => {
    const isSelected = selected?.role === role && selected.id === id;
    return (
      <button
        type="button"
        className={`map-chip map-chip-${kind}${isSelected ? ' selected' : ''}`}
        aria-pressed={isSelected}
        title={`${text} (${id})`}
        onClick={() => onSelect({ role, id })}
        data-map-element={`${role}:${id}`}
      >
        {text}
      </button>
    );
  };
  return (
    <details className="map-outline" open>
      <summary>
        List view ({projection.regions.length} regions, {projection.nodes.length} nodes, {projection.edges.length}{' '}
        connections)
      </summary>
      <ul>
        {[...projection.regions].sort(byTitle).map((region) => {
          const placed = nodes.filter((node) => placementOf(node, regionIds) === region.id);
          const elsewhere = projection.nodes.filter(
            (node) => node.region_ids.includes(region.id) && placementOf(node, regionIds) !== region.id,
          ).length;
          return (
            <li key={region.id}>
              {item('region', region.id, titleOf(region), region.kind)}{' '}
              <span className="muted">
                Members: {placed.length + elsewhere} • Placed: {placed.length}
                {elsewhere > 0 ? ` • +${elsewhere} not placed here` : ''}
              </span>
              {placed.length > 0 && (
                <ul className="map-outline-nodes">
                  {placed.map((node) => (
                    <li key={node.id}>{item('node', node.id, titleOf(node), node.kind)}</li>
                  ))}
                </ul>
              )}
            </li>
          );
        })}
        {unplaced.map((node) => (
          <li key={node.id}>{item('node', node.id, titleOf(node), node.kind)}</li>
        ))}
      </ul>
      {projection.edges.length > 0 && (
        <>
          <h3>Connections</h3>
          <ul>
            {projection.edges.map((edge) => (
              <li key={edge.id}>
                {item(
                  'edge',
                  edge.id,
                  `${titles.get(edge.from) ?? edge.from} → ${titles.get(edge.to) ?? edge.to}${edge.label ? ` (${edge.label})` : ''}`,
                  edge.kind,
                )}
              </li>
            ))}
          </ul>
        </>
      )}
      {projection.regions.length === 0 && projection.nodes.length === 0 && (
        <p className="muted">No nodes in this view.</p>
      )}
    </details>
  );
}
