import type { AuditEventCreateBody } from '../../shared/schemas/audit.ts';
import type { Role } from '../users/user.types.ts';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export interface Actor {
  readonly username: string;
  readonly role: Role | undefined;
}

/**
 * The audit event of a mutation proxied to core (SPEC §9.8, plus the routes added since): `path`
 * is core's path without `/api` (`/v1/devices/<id>/tags`), with its query. Every proxied mutation
 * gets an event whatever core answered; the status is in the details. A non-UUID id goes into the
 * details instead of `target_id`, which core would refuse (and the event would be lost).
 */
export function proxiedMutationEvent(
  actor: Actor,
  method: string,
  pathWithQuery: string,
  status: number,
): AuditEventCreateBody {
  const path = pathWithQuery.split('?')[0] ?? '';
  const segments = path.split('/').filter((segment) => segment !== '');
  const event: AuditEventCreateBody = {
    actor: actor.username,
    actor_role: actor.role ?? null,
    action: `${method} ${pathWithQuery}`,
    details: { status, method, path: pathWithQuery },
  };
  if (segments[0] !== 'v1') return event;
  const [, resource, second, third, fourth] = segments;
  const target = (type: string, id: string | undefined) => {
    event.target_type = type;
    if (id === undefined) return;
    if (UUID.test(id)) event.target_id = id.toLowerCase();
    else (event.details as Record<string, unknown>).target = id;
  };
  if (resource === 'devices') {
    if (method === 'POST' && second === undefined) {
      event.action = 'device.create';
      target('device', undefined);
    } else if (method === 'POST' && second === 'import') {
      event.action = 'device.import_snapshot';
      target('device', undefined);
    } else if (second !== undefined) {
      target('device', second);
      if (third === undefined && method === 'PUT') event.action = 'device.update';
      else if (third === undefined && method === 'DELETE') event.action = 'device.delete';
      else if (third === 'tags' && method === 'PUT') event.action = 'device.tags.update';
      else if (third === 'watch' && fourth === undefined) {
        const verb = { PUT: 'watch', DELETE: 'unwatch' }[method];
        if (verb) event.action = `device.${verb}`;
      } else if (third === 'presence-settings' && fourth === undefined) {
        const verb = { PUT: 'update', DELETE: 'reset' }[method];
        if (verb) event.action = `device.presence_settings.${verb}`;
      }
    }
  } else if (resource === 'discovery') {
    if (method === 'POST' && second === 'run') {
      event.action = 'discovery.trigger';
      target('discovery', undefined);
    } else if (second === 'runs' && third !== undefined) {
      target('discovery_run', third);
      if (fourth === 'cancel' && method === 'POST') event.action = 'discovery.cancel';
    } else if (second === 'schedules') {
      target('discovery_schedule', third);
      const verb = { POST: 'create', PUT: 'update', PATCH: 'update', DELETE: 'delete' }[method];
      if (verb) event.action = `discovery.schedule.${verb}`;
    }
  } else if (resource === 'manual-links') {
    // Build mode (issue 8 item 2).
    target('link', second);
    const verb = second === undefined ? { POST: 'create' }[method] : { PATCH: 'update', DELETE: 'delete' }[method];
    if (verb && third === undefined) event.action = `map.link.${verb}`;
  } else if (resource === 'zones') {
    if (second === undefined) {
      target('zone', undefined);
      if (method === 'POST') event.action = 'zone.create';
    } else if (third === undefined) {
      target('zone', second);
      const verb = { PATCH: 'update', DELETE: 'delete' }[method];
      if (verb) event.action = `zone.${verb}`;
    } else if (third === 'devices' && fourth !== undefined && segments.length === 5) {
      // The device is the target; the zone (a slug, never a UUID) goes into the details.
      target('device', fourth);
      (event.details as Record<string, unknown>).zone = second;
      const verb = { POST: 'add', DELETE: 'remove' }[method];
      if (verb) event.action = `zone.member.${verb}`;
    } else {
      target('zone', second);
    }
  } else if (resource === 'zone-policies') {
    target('zone_policy', second);
    const verb = second === undefined ? { POST: 'create' }[method] : { PATCH: 'update', DELETE: 'delete' }[method];
    if (verb && third === undefined) event.action = `zone.policy.${verb}`;
  } else if (resource === 'service-dependencies') {
    target('service_dependency', second);
    const verb = second === undefined ? { POST: 'create' }[method] : { PATCH: 'update', DELETE: 'delete' }[method];
    if (verb && third === undefined) event.action = `service.dependency.${verb}`;
  } else if (resource === 'map' && third === 'layout' && segments.length === 4) {
    // Saved layouts (issue 8): the key is the layer and the focus as requested (core normalises it).
    target('map_layout', undefined);
    const details = event.details as Record<string, unknown>;
    details.layer = second;
    const query = new URLSearchParams(pathWithQuery.split('?')[1] ?? '');
    const focusType = query.get('focusType');
    const focusId = query.get('focusId');
    if (focusType !== null) details.focus_type = focusType;
    if (focusId !== null) details.focus_id = focusId;
    const verb = { PUT: 'save', DELETE: 'reset' }[method];
    if (verb) event.action = `map.layout.${verb}`;
  } else if (resource === 'alert-rules' || resource === 'alert-channels') {
    // Alerts (issue 11): rules and channels; a channel's test send is audited too.
    const kind = resource === 'alert-rules' ? 'rule' : 'channel';
    target(`alert_${kind}`, second);
    const verb =
      second === undefined
        ? { POST: 'create' }[method]
        : third === undefined
          ? { PUT: 'update', PATCH: 'update', DELETE: 'delete' }[method]
          : third === 'test' && method === 'POST'
            ? 'test'
            : undefined;
    if (verb) event.action = `alert.${kind}.${verb}`;
  } else if (resource === 'presence' && second === 'tag-settings' && third !== undefined) {
    target('tag', undefined);
    (event.details as Record<string, unknown>).tag = decodeURIComponent(third);
    const verb = { PUT: 'update', DELETE: 'reset' }[method];
    if (verb) event.action = `presence.tag_settings.${verb}`;
  } else if (resource === 'inventory' && method === 'POST') {
    event.action = 'inventory.import';
    target('inventory', undefined);
    if (second !== undefined) (event.details as Record<string, unknown>).source = second;
  }
  return event;
}

/** Sign-in and account events, written by the UI server itself (issue 6 item 7). */
export type AccountAction =
  | 'auth.login.succeeded'
  | 'auth.login.failed'
  | 'auth.login.throttled'
  | 'auth.lockout'
  | 'auth.logout'
  | 'auth.password.changed'
  | 'auth.password.reset'
  | 'user.created'
  | 'user.role.changed'
  | 'user.removed';

export function accountEvent(
  actor: Actor,
  action: AccountAction,
  details: Record<string, unknown>,
): AuditEventCreateBody {
  return {
    actor: actor.username === '' ? '(blank)' : actor.username.slice(0, 200),
    actor_role: actor.role ?? null,
    action,
    target_type: 'user',
    details,
  };
}
