import { useQuery } from '@tanstack/react-query';
import { useEffect, useId, useState } from 'react';
import { useNavigate } from 'react-router';
import { api } from '../../api/client.ts';
import type { DeviceListT, ZoneListT } from '../../api/types.ts';
import { type FocusTypeId, layerFor, literalFocus, type MapView, mapHref } from './map-url.ts';

export interface FocusOption {
  type: FocusTypeId;
  id: string;
  label: string;
}

function useDebounced(value: string, delay: number): string {
  const [debounced, setDebounced] = useState(value);
  useEffect(() => {
    const timer = setTimeout(() => setDebounced(value), delay);
    return () => clearTimeout(timer);
  }, [value, delay]);
  return debounced;
}

/** Devices by name, IP or MAC (the devices list's own search) and zones by name or id, at most 8 of each. */
export function useFocusOptions(text: string, types: readonly FocusTypeId[] = ['device', 'zone']) {
  const term = useDebounced(text.trim(), 250);
  const devices = useQuery({
    queryKey: ['map', 'search', 'devices', term],
    queryFn: ({ signal }) =>
      api.get<DeviceListT>(`/api/v1/devices?${new URLSearchParams({ q: term, limit: '8' }).toString()}`, signal),
    enabled: term.length > 0 && types.includes('device'),
    staleTime: 30_000,
  });
  const zones = useQuery({
    queryKey: ['map', 'zones'],
    queryFn: ({ signal }) => api.get<ZoneListT>('/api/v1/zones', signal),
    enabled: term.length > 0 && types.includes('zone'),
    staleTime: 30_000,
  });
  const lower = term.toLowerCase();
  const options: FocusOption[] = [
    ...literalFocus(term).filter((option) => types.includes(option.type)),
    ...(devices.data?.devices ?? []).map((device) => ({
      type: 'device' as const,
      id: device.id,
      label: `${device.display_name ?? device.id}${device.primary_ip ? ` · ${device.primary_ip}` : ''}`,
    })),
    ...(zones.data?.zones ?? [])
      .filter((zone) => zone.name.toLowerCase().includes(lower) || zone.id.includes(lower))
      .slice(0, 8)
      .map((zone) => ({ type: 'zone' as const, id: zone.id, label: `Zone ${zone.name}` })),
  ];
  return { term, options, loading: devices.isFetching || zones.isFetching, error: devices.error ?? zones.error };
}

/** Focus by search: pick a result and the map moves to it, on a layer that can show it. */
export function FocusSearch({ view }: { view: MapView }) {
  const [text, setText] = useState('');
  const navigate = useNavigate();
  const id = useId();
  const { term, options, loading, error } = useFocusOptions(text, ['device', 'zone', 'subnet', 'vlan', 'service']);
  const choose = (option: FocusOption) => {
    setText('');
    navigate(
      mapHref({
        layer: layerFor(option.type, view.layer),
        focusType: option.type,
        focusId: option.id,
        depth: view.depth,
        build: view.build,
      }),
    );
  };
  return (
    <search className="map-search">
      <label htmlFor={id} className="field-label">
        Find a focus
      </label>
      <input
        id={id}
        type="search"
        value={text}
        placeholder="Name, IP, MAC, zone, 10.0.1.0/24, VLAN 20…"
        onChange={(event) => setText(event.target.value)}
        onKeyDown={(event) => {
          if (event.key === 'Enter' && options[0]) {
            event.preventDefault();
            choose(options[0]);
          }
        }}
        aria-describedby={`${id}-results`}
      />
      <div id={`${id}-results`} aria-live="polite">
        {term && options.length > 0 && (
          <ul className="map-search-results" aria-label="Search results">
            {options.map((option) => (
              <li key={`${option.type}:${option.id}`}>
                <button type="button" className="link-button" onClick={() => choose(option)}>
                  {option.label}
                </button>
              </li>
            ))}
          </ul>
        )}
        {term && !loading && options.length === 0 && !error && <p className="muted">Nothing matches "{term}".</p>}
        {error ? <p className="field-error">Search failed: {(error as Error).message}</p> : null}
      </div>
    </search>
  );
}
