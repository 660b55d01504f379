import { NavLink } from 'react-router';
import { LAYER_FOCUS, layerSwitchHref, layerTakesFocus, MAP_LAYERS, type MapView } from './map-url.ts';

/** One layer at a time (SPEC §10.8): each link keeps the focus only when the target layer accepts it. */
export function LayerPane({ view }: { view: MapView }) {
  return (
    <nav className="map-layers" aria-label="Layers">
      <h2>Layers</h2>
      <p className="muted">One layer at a time</p>
      <ul>
        {MAP_LAYERS.map((layer) => {
          const active = layer.id === view.layer;
          const dropsFocus = view.focusType !== undefined && !layerTakesFocus(layer.id, view.focusType);
          return (
            <li key={layer.id}>
              <NavLink
                to={layerSwitchHref(view, layer.id)}
                className={active ? 'map-layer active' : 'map-layer'}
                aria-current={active ? 'page' : undefined}
                title={
                  dropsFocus
                    ? `${layer.label} takes a ${LAYER_FOCUS[layer.id].join(' or ')} focus: the current focus will be dropped`
                    : undefined
                }
              >
                <span className="map-layer-label">{layer.label}</span>
                <span className="map-layer-description">{layer.description}</span>
              </NavLink>
            </li>
          );
        })}
      </ul>
    </nav>
  );
}
