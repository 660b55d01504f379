import { Link, useNavigate } from 'react-router';
import type { MapProjectionT } from '../../api/types.ts';
import { Button } from '../../components/ui.tsx';
import { type Selection, selectionInspector } from './canvas-model.ts';
import { FocusSearch } from './FocusSearch.tsx';
import { FOCUS_TYPES, focusTypeLabel, layerTakesFocus, MAP_LAYERS, type MapView, mapHref } from './map-url.ts';

type Inspector = NonNullable<MapProjectionT['inspector']>;
type Relationship = Inspector['relationships'][number];

function RelationshipLink({ relationship, view }: { relationship: Relationship; view: MapView }) {
  const keeps = layerTakesFocus(relationship.layer, relationship.focus_type);
  const primary =
    relationship.layer === view.layer &&
    relationship.focus_type === view.focusType &&
    relationship.focus_id === view.focusId;
  const href = mapHref({
    layer: relationship.layer,
    ...(keeps ? { focusType: relationship.focus_type, focusId: relationship.focus_id } : {}),
    depth: view.depth,
    build: view.build,
  });
  return (
    <Link
      to={href}
      className={`map-relationship${primary ? ' primary' : ''}`}
      aria-current={primary ? 'true' : undefined}
      title={keeps ? undefined : `This layer cannot take a ${relationship.focus_type} focus: the focus will be dropped`}
    >
      {relationship.label}
    </Link>
  );
}

function Rows({ rows, empty }: { rows: { label: string; value: string }[]; empty: string }) {
  if (rows.length === 0) return <p className="muted">{empty}</p>;
  return (
    <dl className="map-rows">
      {rows.map((row) => (
        <div key={`${row.label}:${row.value}`}>
          <dt>{row.label}</dt>
          <dd>{row.value}</dd>
        </div>
      ))}
    </dl>
  );
}

export function InspectorPane({
  view,
  problem,
  projection,
  selected,
  onSelect,
}: {
  view: MapView;
  problem: string | undefined;
  projection: MapProjectionT | undefined;
  selected: Selection | null;
  onSelect(selection: Selection | null): void;
}) {
  const navigate = useNavigate();
  const fromSelection = projection && selected ? selectionInspector(projection, selected) : undefined;
  const inspector = fromSelection ?? projection?.inspector;
  const hasFocus = Boolean(view.focusType && view.focusId && !problem);
  const focusText = hasFocus
    ? `${focusTypeLabel(view.focusType as string)} ${projection?.focus?.label ?? view.focusId}`
    : view.focusType || view.focusId
      ? 'Incomplete focus'
      : 'No focus selected';
  const openTarget = fromSelection?.relationships.find((relationship) => relationship.label === 'Drill in');
  return (
    <div className="map-inspector">
      <section aria-labelledby="map-focus-heading">
        <h2 id="map-focus-heading">Focus</h2>
        <p data-map-focus="">{focusText}</p>
        {problem && <p className="field-error">{problem}</p>}
        <FocusSearch view={view} />
        <form method="get" action="/map" className="map-focus-form">
          <input type="hidden" name="layer" value={view.layer} />
          <label className="field-label" htmlFor="map-focus-type">
            Focus type
          </label>
          <select id="map-focus-type" name="focusType" defaultValue={view.focusType ?? ''} key={`t${view.focusType}`}>
            <option value="" />
            {FOCUS_TYPES.map((type) => (
              <option key={type.id} value={type.id}>
                {type.label}
              </option>
            ))}
          </select>
          <label className="field-label" htmlFor="map-focus-id">
            Focus id
          </label>
          <input id="map-focus-id" name="focusId" defaultValue={view.focusId ?? ''} key={`i${view.focusId}`} />
          <span className="field-hint">{FOCUS_TYPES.map((type) => `${type.label}: ${type.hint}`).join('; ')}.</span>
          <div className="map-form-actions">
            <Button type="submit">Apply focus</Button>
            {(view.focusType || view.focusId) && (
              <Link className="button" to={mapHref({ layer: view.layer, depth: view.depth, build: view.build })}>
                Clear
              </Link>
            )}
          </div>
          {hasFocus && (
            <label className="map-depth">
              Depth{' '}
              <select
                value={view.depth}
                onChange={(event) => navigate(mapHref({ ...view, depth: Number(event.target.value) }))}
              >
                {[1, 2, 3].map((depth) => (
                  <option key={depth} value={depth}>
                    {depth}
                  </option>
                ))}
              </select>
            </label>
          )}
        </form>
      </section>

      {fromSelection && selected && (
        <div className="map-selection" role="status">
          <strong>Selected: {fromSelection.title}</strong>
          {openTarget && (
            <Link
              className="button"
              to={mapHref({
                layer: view.layer,
                focusType: openTarget.focus_type,
                focusId: openTarget.focus_id,
                depth: view.depth,
                build: view.build,
              })}
            >
              Open
            </Link>
          )}
          <Button onClick={() => onSelect(null)}>Clear</Button>
        </div>
      )}

      <section aria-labelledby="map-identity-heading">
        <h2 id="map-identity-heading">{inspector?.title ?? 'Identity'}</h2>
        <Rows rows={inspector?.identity ?? []} empty="The focused object's identity appears here." />
      </section>
      <section aria-labelledby="map-status-heading">
        <h3 id="map-status-heading">{projection ? 'Focus loaded' : hasFocus ? 'Focus set' : 'Awaiting focus'}</h3>
        <Rows rows={hasFocus ? (inspector?.status ?? []) : []} empty="Layer and projection status appear here." />
      </section>
      <section aria-labelledby="map-relationships-heading">
        <h3 id="map-relationships-heading">Relationships</h3>
        {inspector && inspector.relationships.length > 0 ? (
          <ul className="map-relationships">
            {inspector.relationships.map((relationship) => (
              <li key={`${relationship.label}:${relationship.layer}:${relationship.focus_id}`}>
                <RelationshipLink relationship={relationship} view={view} />
              </li>
            ))}
          </ul>
        ) : (
          <ul className="map-relationships">
            {MAP_LAYERS.map((layer) => (
              <li key={layer.id}>
                <Button disabled>View in {layer.label.replace(/ \(.*\)$/, '')}</Button>
              </li>
            ))}
          </ul>
        )}
      </section>
      <section aria-labelledby="map-guidance-heading">
        <h3 id="map-guidance-heading">Guidance</h3>
        <p className="muted">
          {projection?.guidance ??
            'Every view is a link: /map?layer=…&focusType=…&focusId=… reloads to the same place. Paste an id into the focus form to jump straight to it.'}
        </p>
      </section>
    </div>
  );
}
