/** The focus object, its `focus` field and the base inspector of every layer (SPEC §8.6). */
import {
  crossLayerRelationships,
  type Inspector,
  type LabelValue,
  type MapFocus,
  type MapLayer,
  nonBlank,
  SCAFFOLDING,
} from './model.ts';

export interface DeviceInfo {
  id: string;
  display_name: string | null;
  primary_ip?: string | null;
  owner?: string | null;
  location?: string | null;
}

export interface ServiceInfo {
  id: string;
  device_id: string;
  protocol: string | null;
  port: number | null;
  name: string | null;
  state: string | null;
  source: string | null;
  observed_at: string;
}

/** A validated focus, with what the service looked up for it. */
export type ResolvedFocus =
  | { type: 'device'; id: string; device: DeviceInfo }
  | { type: 'subnet'; id: string }
  | { type: 'vlan'; id: string; vlan: number }
  | { type: 'zone'; id: string }
  | { type: 'service'; id: string; service?: ServiceInfo };

/** The display name, else the primary IP (an unnamed host is known by its address, not its UUID), else the id. */
export const deviceLabel = (device: DeviceInfo): string =>
  nonBlank(device.display_name) ?? nonBlank(device.primary_ip) ?? device.id;

/** `tcp/22 ssh`; just the port or protocol when the other is unknown; '' when nothing is known. */
export function serviceLabel(service: Pick<ServiceInfo, 'protocol' | 'port' | 'name'>): string {
  const protocol = service.protocol?.toLowerCase();
  const head =
    protocol && service.port !== null
      ? `${protocol}/${service.port}`
      : service.port !== null
        ? String(service.port)
        : (protocol ?? '');
  const name = nonBlank(service.name);
  return [head, name].filter((part) => part).join(' ');
}

export function focusOf(focus: ResolvedFocus): MapFocus {
  switch (focus.type) {
    case 'device': {
      const label = nonBlank(focus.device.display_name);
      return { type: 'device', id: focus.id, ...(label ? { label } : {}) };
    }
    case 'subnet':
      return { type: 'subnet', id: focus.id, label: focus.id };
    case 'vlan':
      return { type: 'vlan', id: focus.id, label: `VLAN ${focus.vlan}` };
    case 'zone':
      return { type: 'zone', id: focus.id, label: focus.id };
    case 'service':
      return { type: 'service', id: focus.id, label: (focus.service && serviceLabel(focus.service)) || focus.id };
  }
}

const pair = (label: string, value: string): LabelValue => ({ label, value });

/**
 * The inspector before any layer adds to it: title, identity, `Layer` and `Projection` status, the
 * five cross-layer relationships.
 */
export function baseInspector(layer: MapLayer, focus: ResolvedFocus, projection: string = SCAFFOLDING): Inspector {
  const status = [pair('Layer', layer), pair('Projection', projection)];
  const relationships = crossLayerRelationships(focusOf(focus));
  switch (focus.type) {
    case 'device': {
      const identity = [pair('Type', 'Device'), pair('ID', focus.id)];
      const name = nonBlank(focus.device.display_name);
      const owner = nonBlank(focus.device.owner);
      const location = nonBlank(focus.device.location);
      if (name) identity.push(pair('Display name', name));
      if (owner) identity.push(pair('Owner', owner));
      if (location) identity.push(pair('Location', location));
      return { title: deviceLabel(focus.device), identity, status, relationships };
    }
    case 'subnet': {
      const [address = '', bits = ''] = focus.id.split('/');
      const identity = [
        pair('Type', 'Subnet'),
        pair('CIDR', focus.id),
        pair('Family', address.includes(':') ? 'IPv6' : 'IPv4'),
        pair('Prefix bits', bits),
      ];
      return { title: focus.id, identity, status, relationships };
    }
    case 'vlan':
      return {
        title: `VLAN ${focus.vlan}`,
        identity: [pair('Type', 'VLAN'), pair('ID', focus.id)],
        status,
        relationships,
      };
    case 'zone':
      return { title: focus.id, identity: [pair('Type', 'Zone'), pair('ID', focus.id)], status, relationships };
    case 'service': {
      const identity = [pair('Type', 'Service'), pair('ID', focus.id)];
      const service = focus.service;
      if (!service) return { title: focus.id, identity, status, relationships };
      identity.push(pair('Host device', service.device_id));
      if (service.protocol) identity.push(pair('Protocol', service.protocol));
      if (service.port !== null) identity.push(pair('Port', String(service.port)));
      const name = nonBlank(service.name);
      if (name) identity.push(pair('Name', name));
      if (service.state) status.push(pair('State', service.state));
      if (service.source) status.push(pair('Source', service.source));
      return { title: serviceLabel(service) || focus.id, identity, status, relationships };
    }
  }
}
