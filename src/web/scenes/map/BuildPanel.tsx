import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { type FormEvent, useState } from 'react';
import { useNavigate } from 'react-router';
import { api } from '../../api/client.ts';
import type { MapProjectionT, ZoneListT, ZoneT } from '../../api/types.ts';
import { Button, ErrorAlert, Field } from '../../components/ui.tsx';
import type { Selection } from './canvas-model.ts';
import { type FocusOption, useFocusOptions } from './FocusSearch.tsx';
import { mapHref } from './map-url.ts';
import { type FocusedView, MAP_KEY } from './queries.ts';

/** One write, then every map query refetched and the answer shown at once (the caller's onChanged). */
function useBuildMutation<T>(fn: (input: T) => Promise<unknown>, onChanged: () => void) {
  const client = useQueryClient();
  return useMutation({
    mutationFn: fn,
    // Refetch first, then tell the page: the answer it shows next is the one with this edit.
    onSuccess: async () => {
      await client.invalidateQueries({ queryKey: MAP_KEY });
      onChanged();
    },
  });
}

function useZones() {
  return useQuery({
    queryKey: [...MAP_KEY, 'zones'],
    queryFn: ({ signal }) => api.get<ZoneListT>('/api/v1/zones', signal),
  });
}

/** A device picker over the devices search: type, then choose one result. */
function DevicePicker({
  label,
  value,
  onChange,
}: {
  label: string;
  value: FocusOption | null;
  onChange(option: FocusOption | null): void;
}) {
  const [text, setText] = useState('');
  const { term, options } = useFocusOptions(text, ['device']);
  if (value) {
    return (
      <p>
        {label}: <strong>{value.label}</strong>{' '}
        <button type="button" className="link-button" onClick={() => onChange(null)}>
          change
        </button>
      </p>
    );
  }
  return (
    <div>
      <Field label={label} hint="Type a name, IP or MAC, then choose">
        <input type="search" value={text} onChange={(event) => setText(event.target.value)} />
      </Field>
      {term && (
        <ul className="map-search-results" aria-label={`${label} results`}>
          {options.map((option) => (
            <li key={option.id}>
              <button
                type="button"
                className="link-button"
                onClick={() => {
                  setText('');
                  onChange(option);
                }}
              >
                {option.label}
              </button>
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}

function ManualLinkForm({ view, onChanged }: { view: FocusedView; onChanged(): void }) {
  const [peer, setPeer] = useState<FocusOption | null>(null);
  const [label, setLabel] = useState('');
  const [localPort, setLocalPort] = useState('');
  const [peerPort, setPeerPort] = useState('');
  const create = useBuildMutation(
    () =>
      api.post('/api/v1/manual-links', {
        a: { device_id: view.focusId, ...(localPort.trim() ? { interface_name: localPort.trim() } : {}) },
        b: { device_id: peer?.id, ...(peerPort.trim() ? { interface_name: peerPort.trim() } : {}) },
        ...(label.trim() ? { label: label.trim() } : {}),
      }),
    () => {
      onChanged();
      setPeer(null);
      setLabel('');
      setLocalPort('');
      setPeerPort('');
    },
  );
  const submit = (event: FormEvent) => {
    event.preventDefault();
    if (peer) create.mutate(undefined);
  };
  return (
    <form onSubmit={submit} aria-label="Add a manual link">
      <h3>Add a manual link</h3>
      <DevicePicker label="Peer device" value={peer} onChange={setPeer} />
      <Field label="This device's port" hint="Optional, e.g. ge-0/0/1">
        <input value={localPort} onChange={(event) => setLocalPort(event.target.value)} />
      </Field>
      <Field label="Peer port" hint="Optional">
        <input value={peerPort} onChange={(event) => setPeerPort(event.target.value)} />
      </Field>
      <Field label="Link label" hint="Optional, e.g. patch panel B-12">
        <input value={label} onChange={(event) => setLabel(event.target.value)} />
      </Field>
      <Button type="submit" variant="primary" disabled={!peer} pending={create.isPending} pendingLabel="Adding…">
        Add link
      </Button>
      {create.error && <ErrorAlert error={create.error} />}
    </form>
  );
}

function NewZoneForm() {
  const navigate = useNavigate();
  const [name, setName] = useState('');
  const [color, setColor] = useState('#4c6ef5');
  const client = useQueryClient();
  const create = useMutation({
    mutationFn: () => api.post<ZoneT>('/api/v1/zones', { name: name.trim(), color }),
    onSuccess: async (zone) => {
      await client.invalidateQueries({ queryKey: MAP_KEY });
      navigate(mapHref({ layer: 'security', focusType: 'zone', focusId: zone.id, depth: 1, build: true }));
    },
  });
  return (
    <form
      aria-label="New zone"
      onSubmit={(event) => {
        event.preventDefault();
        if (name.trim()) create.mutate();
      }}
    >
      <h3>New zone</h3>
      <Field label="Zone name" hint="The id is derived from it (DMZ → dmz)">
        <input value={name} onChange={(event) => setName(event.target.value)} required maxLength={255} />
      </Field>
      <Field label="Colour">
        <input type="color" value={color} onChange={(event) => setColor(event.target.value)} />
      </Field>
      <Button type="submit" pending={create.isPending} pendingLabel="Creating…" disabled={!name.trim()}>
        Create zone
      </Button>
      {create.error && <ErrorAlert error={create.error} />}
    </form>
  );
}

function ZoneMemberForm({ zoneId, onChanged }: { zoneId: string; onChanged(): void }) {
  const [device, setDevice] = useState<FocusOption | null>(null);
  const add = useBuildMutation(
    (id: string) => api.post(`/api/v1/zones/${encodeURIComponent(zoneId)}/devices/${id}`),
    () => {
      onChanged();
      setDevice(null);
    },
  );
  return (
    <form
      aria-label="Add a device to this zone"
      onSubmit={(event) => {
        event.preventDefault();
        if (device) add.mutate(device.id);
      }}
    >
      <h3>Add a device to this zone</h3>
      <DevicePicker label="Device" value={device} onChange={setDevice} />
      <Button type="submit" disabled={!device} pending={add.isPending} pendingLabel="Adding…">
        Add to zone
      </Button>
      {add.error && <ErrorAlert error={add.error} />}
    </form>
  );
}

function DeviceZoneForm({ deviceId, zones, onChanged }: { deviceId: string; zones: ZoneT[]; onChanged(): void }) {
  const [zone, setZone] = useState('');
  const add = useBuildMutation(
    () => api.post(`/api/v1/zones/${encodeURIComponent(zone)}/devices/${deviceId}`),
    onChanged,
  );
  return (
    <form
      aria-label="Add this device to a zone"
      onSubmit={(event) => {
        event.preventDefault();
        if (zone) add.mutate(undefined);
      }}
    >
      <h3>Add this device to a zone</h3>
      <Field label="Zone">
        <select value={zone} onChange={(event) => setZone(event.target.value)}>
          <option value="" />
          {zones.map((candidate) => (
            <option key={candidate.id} value={candidate.id}>
              {candidate.name}
            </option>
          ))}
        </select>
      </Field>
      <Button type="submit" disabled={!zone} pending={add.isPending} pendingLabel="Adding…">
        Add to zone
      </Button>
      {add.error && <ErrorAlert error={add.error} />}
    </form>
  );
}

function PolicyForm({ zoneId, zones, onChanged }: { zoneId: string; zones: ZoneT[]; onChanged(): void }) {
  const [other, setOther] = useState('');
  const [direction, setDirection] = useState<'from' | 'to'>('from');
  const [protocol, setProtocol] = useState('');
  const [ports, setPorts] = useState('');
  const [action, setAction] = useState<'allow' | 'deny'>('allow');
  const create = useBuildMutation(
    () =>
      api.post('/api/v1/zone-policies', {
        from_zone_id: direction === 'from' ? zoneId : other,
        to_zone_id: direction === 'from' ? other : zoneId,
        protocol: protocol || null,
        ports: ports.trim() || null,
        action,
      }),
    () => {
      onChanged();
      setPorts('');
    },
  );
  return (
    <form
      aria-label="Add a policy"
      onSubmit={(event) => {
        event.preventDefault();
        if (other) create.mutate(undefined);
      }}
    >
      <h3>Add a policy</h3>
      <Field label="Direction">
        <select value={direction} onChange={(event) => setDirection(event.target.value as 'from' | 'to')}>
          <option value="from">From this zone to…</option>
          <option value="to">To this zone from…</option>
        </select>
      </Field>
      <Field label="Other zone">
        <select value={other} onChange={(event) => setOther(event.target.value)}>
          <option value="" />
          {zones.map((zone) => (
            <option key={zone.id} value={zone.id}>
              {zone.name}
            </option>
          ))}
        </select>
      </Field>
      <Field label="Protocol">
        <select value={protocol} onChange={(event) => setProtocol(event.target.value)}>
          <option value="">any</option>
          <option value="tcp">tcp</option>
          <option value="udp">udp</option>
          <option value="icmp">icmp</option>
        </select>
      </Field>
      <Field label="Ports" hint="tcp/udp only: 22, 80,443 or 8000-8100">
        <input
          value={ports}
          onChange={(event) => setPorts(event.target.value)}
          disabled={protocol !== 'tcp' && protocol !== 'udp'}
        />
      </Field>
      <Field label="Action">
        <select value={action} onChange={(event) => setAction(event.target.value as 'allow' | 'deny')}>
          <option value="allow">allow</option>
          <option value="deny">deny</option>
        </select>
      </Field>
      <Button type="submit" variant="primary" disabled={!other} pending={create.isPending} pendingLabel="Adding…">
        Add policy
      </Button>
      {create.error && <ErrorAlert error={create.error} />}
    </form>
  );
}

function DependencyForm({ serviceId, onChanged }: { serviceId: string; onChanged(): void }) {
  const [device, setDevice] = useState<FocusOption | null>(null);
  const [target, setTarget] = useState('');
  // The services projection of the host lists its services with their ids (device facts do not).
  const services = useQuery({
    queryKey: [...MAP_KEY, 'host-services', device?.id],
    queryFn: ({ signal }) =>
      api.get<MapProjectionT>(`/api/v1/map/services?focusType=device&focusId=${device?.id}`, signal),
    enabled: device !== null,
  });
  const create = useBuildMutation(
    () =>
      api.post('/api/v1/service-dependencies', {
        from: { service_id: serviceId },
        to: target === 'device' ? { device_id: device?.id } : { service_id: target },
      }),
    () => {
      onChanged();
      setDevice(null);
      setTarget('');
    },
  );
  return (
    <form
      aria-label="Add a dependency"
      onSubmit={(event) => {
        event.preventDefault();
        if (device && target) create.mutate(undefined);
      }}
    >
      <h3>This service depends on…</h3>
      <DevicePicker label="Host" value={device} onChange={setDevice} />
      {device && (
        <Field label="Service">
          <select value={target} onChange={(event) => setTarget(event.target.value)}>
            <option value="" />
            <option value="device">the host itself</option>
            {(services.data?.nodes ?? [])
              .filter((node) => node.kind === 'service' && node.region_ids.includes(device.id))
              .map((service) => (
                <option key={service.id} value={service.id}>
                  {service.label ?? service.id}
                </option>
              ))}
          </select>
        </Field>
      )}
      <Button type="submit" disabled={!device || !target} pending={create.isPending} pendingLabel="Adding…">
        Add dependency
      </Button>
      {create.error && <ErrorAlert error={create.error} />}
    </form>
  );
}

/** Removes the selected curated element (a manual link, a zone member, a policy, a dependency). */
function RemoveSelected({
  view,
  projection,
  selected,
  onChanged,
}: {
  view: FocusedView;
  projection: MapProjectionT;
  selected: Selection | null;
  onChanged(): void;
}) {
  const remove = useBuildMutation((path: string) => api.delete(path), onChanged);
  if (!selected) return null;
  let action: { label: string; path: string } | undefined;
  if (selected.role === 'edge') {
    const edge = projection.edges.find((candidate) => candidate.id === selected.id);
    if (edge?.kind === 'link' && edge.meta?.source === 'manual') {
      action = { label: 'Remove this manual link', path: `/api/v1/manual-links/${edge.id.replace(/^link:/, '')}` };
    } else if (edge?.kind === 'policy') {
      action = { label: 'Delete this policy', path: `/api/v1/zone-policies/${edge.id}` };
    } else if (edge?.kind === 'dependency') {
      action = { label: 'Delete this dependency', path: `/api/v1/service-dependencies/${edge.id}` };
    }
  } else if (selected.role === 'node' && projection.layer === 'security' && view.focusType === 'zone') {
    action = {
      label: 'Remove from this zone',
      path: `/api/v1/zones/${encodeURIComponent(view.focusId)}/devices/${selected.id}`,
    };
  }
  if (!action) return null;
  const chosen = action;
  return (
    <div>
      <Button
        variant="danger"
        pending={remove.isPending}
        pendingLabel="Removing…"
        onClick={() => remove.mutate(chosen.path)}
      >
        {chosen.label}
      </Button>
      {remove.error && <ErrorAlert error={remove.error} />}
    </div>
  );
}

/**
 * Build mode (admins): curated truth written through core's build-mode APIs, each edit audited by
 * the UI server. What can be written depends on the layer; L2 and L3 come from discovery only.
 */
export function BuildPanel({
  view,
  projection,
  selected,
  onSelect,
  onChanged,
}: {
  view: FocusedView;
  projection: MapProjectionT;
  selected: Selection | null;
  onSelect(selection: Selection | null): void;
  onChanged(): void;
}) {
  const zones = useZones();
  const changed = () => {
    onSelect(null);
    onChanged();
  };
  const selectedService =
    selected?.role === 'node' && projection.nodes.find((node) => node.id === selected.id && node.kind === 'service');
  return (
    <section className="map-build" aria-labelledby="map-build-heading">
      <h2 id="map-build-heading">Build mode</h2>
      <RemoveSelected view={view} projection={projection} selected={selected} onChanged={changed} />
      {view.layer === 'physical' && view.focusType === 'device' && <ManualLinkForm view={view} onChanged={changed} />}
      {view.layer === 'security' && (
        <>
          {view.focusType === 'zone' && projection.regions.some((region) => region.id === view.focusId) && (
            <>
              <ZoneMemberForm zoneId={view.focusId} onChanged={changed} />
              <PolicyForm zoneId={view.focusId} zones={zones.data?.zones ?? []} onChanged={changed} />
            </>
          )}
          {view.focusType === 'device' && (
            <DeviceZoneForm deviceId={view.focusId} zones={zones.data?.zones ?? []} onChanged={changed} />
          )}
          <NewZoneForm />
        </>
      )}
      {view.layer === 'services' &&
        (selectedService ? (
          <DependencyForm serviceId={selectedService.id} onChanged={changed} />
        ) : (
          <p className="muted">Select a service to record what it depends on.</p>
        ))}
      {(view.layer === 'l2' || view.layer === 'l3') && (
        <p className="muted">
          L2 and L3 come from discovery. Curate cables on the Physical layer and zones on the Security layer.
        </p>
      )}
    </section>
  );
}
