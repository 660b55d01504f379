import { describe, expect, it } from 'vitest';
import { type Actor, accountEvent, proxiedMutationEvent } from './audit-events.ts';

const admin: Actor = { username: 'alice', role: 'admin' };
const DEVICE = '0b6c3f4e-9d2a-4c1b-8e7f-123456789abc';
const RUN = 'a1b2c3d4-e5f6-4a7b-8c9d-0e1f2a3b4c5d';

describe('proxiedMutationEvent', () => {
  it('maps POST /v1/devices to device.create', () => {
    expect(proxiedMutationEvent(admin, 'POST', '/v1/devices', 201)).toEqual({
      actor: 'alice',
      actor_role: 'admin',
      action: 'device.create',
      target_type: 'device',
      details: { status: 201, method: 'POST', path: '/v1/devices' },
    });
  });

  it('maps by the path without its query, but records the query', () => {
    const event = proxiedMutationEvent(admin, 'POST', '/v1/devices?dry_run=1', 201);
    expect(event.action).toBe('device.create');
    expect(event.details).toEqual({ status: 201, method: 'POST', path: '/v1/devices?dry_run=1' });
  });

  it('maps POST /v1/devices/import to device.import_snapshot', () => {
    const event = proxiedMutationEvent(admin, 'POST', '/v1/devices/import', 200);
    expect(event).toMatchObject({ action: 'device.import_snapshot', target_type: 'device' });
    expect(event).not.toHaveProperty('target_id');
  });

  it('maps PUT and DELETE of a device, with its id (lower-cased) as target_id', () => {
    expect(proxiedMutationEvent(admin, 'PUT', `/v1/devices/${DEVICE.toUpperCase()}`, 200)).toMatchObject({
      action: 'device.update',
      target_type: 'device',
      target_id: DEVICE,
    });
    expect(proxiedMutationEvent(admin, 'DELETE', `/v1/devices/${DEVICE}`, 204)).toMatchObject({
      action: 'device.delete',
      target_type: 'device',
      target_id: DEVICE,
    });
  });

  it('maps PUT /v1/devices/<id>/tags to device.tags.update with target_id', () => {
    expect(proxiedMutationEvent(admin, 'PUT', `/v1/devices/${DEVICE}/tags`, 200)).toEqual({
      actor: 'alice',
      actor_role: 'admin',
      action: 'device.tags.update',
      target_type: 'device',
      target_id: DEVICE,
      details: { status: 200, method: 'PUT', path: `/v1/devices/${DEVICE}/tags` },
    });
  });

  it('keeps the default action for other device routes, still naming the device', () => {
    expect(proxiedMutationEvent(admin, 'PATCH', `/v1/devices/${DEVICE}`, 200)).toMatchObject({
      action: `PATCH /v1/devices/${DEVICE}`,
      target_type: 'device',
      target_id: DEVICE,
    });
    expect(proxiedMutationEvent(admin, 'POST', `/v1/devices/${DEVICE}/display-name`, 200)).toMatchObject({
      action: `POST /v1/devices/${DEVICE}/display-name`,
      target_id: DEVICE,
    });
  });

  it('puts a non-UUID id into details.target, never into target_id', () => {
    const event = proxiedMutationEvent(admin, 'PUT', '/v1/devices/not-a-uuid', 400);
    expect(event).toMatchObject({ action: 'device.update', target_type: 'device' });
    expect(event).not.toHaveProperty('target_id');
    expect(event.details).toEqual({ status: 400, method: 'PUT', path: '/v1/devices/not-a-uuid', target: 'not-a-uuid' });
  });

  it('maps POST /v1/discovery/run to discovery.trigger', () => {
    expect(proxiedMutationEvent(admin, 'POST', '/v1/discovery/run', 202)).toEqual({
      actor: 'alice',
      actor_role: 'admin',
      action: 'discovery.trigger',
      target_type: 'discovery',
      details: { status: 202, method: 'POST', path: '/v1/discovery/run' },
    });
  });

  it('maps POST /v1/discovery/runs/<id>/cancel to discovery.cancel with the run id', () => {
    expect(proxiedMutationEvent(admin, 'POST', `/v1/discovery/runs/${RUN}/cancel`, 200)).toMatchObject({
      action: 'discovery.cancel',
      target_type: 'discovery_run',
      target_id: RUN,
    });
    const other = proxiedMutationEvent(admin, 'DELETE', `/v1/discovery/runs/${RUN}`, 405);
    expect(other).toMatchObject({ action: `DELETE /v1/discovery/runs/${RUN}`, target_type: 'discovery_run' });
  });

  it('maps schedule changes to discovery.schedule.*', () => {
    const created = proxiedMutationEvent(admin, 'POST', '/v1/discovery/schedules', 201);
    expect(created).toMatchObject({ action: 'discovery.schedule.create', target_type: 'discovery_schedule' });
    expect(created).not.toHaveProperty('target_id');
    for (const [method, verb] of [
      ['PUT', 'update'],
      ['PATCH', 'update'],
      ['DELETE', 'delete'],
    ]) {
      expect(proxiedMutationEvent(admin, method as string, `/v1/discovery/schedules/${RUN}`, 200)).toMatchObject({
        action: `discovery.schedule.${verb}`,
        target_type: 'discovery_schedule',
        target_id: RUN,
      });
    }
  });

  it('maps POST /v1/inventory/<source> to inventory.import with the source', () => {
    expect(proxiedMutationEvent(admin, 'POST', '/v1/inventory/arp?site=x', 200)).toEqual({
      actor: 'alice',
      actor_role: 'admin',
      action: 'inventory.import',
      target_type: 'inventory',
      details: { status: 200, method: 'POST', path: '/v1/inventory/arp?site=x', source: 'arp' },
    });
    const bare = proxiedMutationEvent(admin, 'POST', '/v1/inventory', 200);
    expect(bare.action).toBe('inventory.import');
    expect(bare.details).not.toHaveProperty('source');
    expect(proxiedMutationEvent(admin, 'DELETE', '/v1/inventory/arp', 405).action).toBe('DELETE /v1/inventory/arp');
  });

  it('keeps the default for paths outside v1, and a null role for an unknown one', () => {
    expect(proxiedMutationEvent({ username: 'bob', role: undefined }, 'POST', '/other/thing?x=1', 404)).toEqual({
      actor: 'bob',
      actor_role: null,
      action: 'POST /other/thing?x=1',
      details: { status: 404, method: 'POST', path: '/other/thing?x=1' },
    });
  });

  describe('build mode (issue 8 item 2)', () => {
    const LINK = 'c0ffee00-1234-4abc-8def-0123456789ab';
    const POLICY = 'd1e2f3a4-b5c6-4d7e-8f90-a1b2c3d4e5f6';
    const DEPENDENCY = 'e1e2e3e4-f5f6-4a7b-8c9d-aabbccddeeff';

    it('maps manual links to map.link.create, update and delete with the link id', () => {
      expect(proxiedMutationEvent(admin, 'POST', '/v1/manual-links', 201)).toEqual({
        actor: 'alice',
        actor_role: 'admin',
        action: 'map.link.create',
        target_type: 'link',
        details: { status: 201, method: 'POST', path: '/v1/manual-links' },
      });
      expect(proxiedMutationEvent(admin, 'PATCH', `/v1/manual-links/${LINK}`, 200)).toMatchObject({
        action: 'map.link.update',
        target_type: 'link',
        target_id: LINK,
      });
      expect(proxiedMutationEvent(admin, 'DELETE', `/v1/manual-links/${LINK.toUpperCase()}`, 204)).toMatchObject({
        action: 'map.link.delete',
        target_type: 'link',
        target_id: LINK,
      });
    });

    it('maps zones, keeping the zone slug in details.target', () => {
      expect(proxiedMutationEvent(admin, 'POST', '/v1/zones', 201)).toMatchObject({
        action: 'zone.create',
        target_type: 'zone',
      });
      const update = proxiedMutationEvent(admin, 'PATCH', '/v1/zones/office-lan', 200);
      expect(update).toMatchObject({ action: 'zone.update', target_type: 'zone' });
      expect(update).not.toHaveProperty('target_id');
      expect(update.details).toEqual({
        status: 200,
        method: 'PATCH',
        path: '/v1/zones/office-lan',
        target: 'office-lan',
      });
      expect(proxiedMutationEvent(admin, 'DELETE', '/v1/zones/office-lan', 204)).toMatchObject({
        action: 'zone.delete',
        details: { target: 'office-lan' },
      });
    });

    it('maps zone membership to zone.member.add and remove, targeting the device', () => {
      expect(proxiedMutationEvent(admin, 'POST', `/v1/zones/dmz/devices/${DEVICE}`, 201)).toEqual({
        actor: 'alice',
        actor_role: 'admin',
        action: 'zone.member.add',
        target_type: 'device',
        target_id: DEVICE,
        details: { status: 201, method: 'POST', path: `/v1/zones/dmz/devices/${DEVICE}`, zone: 'dmz' },
      });
      expect(proxiedMutationEvent(admin, 'DELETE', `/v1/zones/dmz/devices/${DEVICE}`, 204)).toMatchObject({
        action: 'zone.member.remove',
        target_type: 'device',
        target_id: DEVICE,
        details: { zone: 'dmz' },
      });
    });

    it('maps zone policies and service dependencies with their ids', () => {
      expect(proxiedMutationEvent(admin, 'POST', '/v1/zone-policies', 201)).toMatchObject({
        action: 'zone.policy.create',
        target_type: 'zone_policy',
      });
      expect(proxiedMutationEvent(admin, 'PATCH', `/v1/zone-policies/${POLICY}`, 200)).toMatchObject({
        action: 'zone.policy.update',
        target_id: POLICY,
      });
      expect(proxiedMutationEvent(admin, 'DELETE', `/v1/zone-policies/${POLICY}`, 204)).toMatchObject({
        action: 'zone.policy.delete',
        target_id: POLICY,
      });
      expect(proxiedMutationEvent(admin, 'POST', '/v1/service-dependencies', 201)).toMatchObject({
        action: 'service.dependency.create',
        target_type: 'service_dependency',
      });
      expect(proxiedMutationEvent(admin, 'PATCH', `/v1/service-dependencies/${DEPENDENCY}`, 200)).toMatchObject({
        action: 'service.dependency.update',
        target_id: DEPENDENCY,
      });
      expect(proxiedMutationEvent(admin, 'DELETE', `/v1/service-dependencies/${DEPENDENCY}`, 404)).toMatchObject({
        action: 'service.dependency.delete',
        target_id: DEPENDENCY,
        details: { status: 404 },
      });
    });

    it('names alert rule and channel changes, channel tests, watching and presence settings (issue 11)', () => {
      expect(proxiedMutationEvent(admin, 'POST', '/v1/alert-rules', 201)).toMatchObject({
        action: 'alert.rule.create',
        target_type: 'alert_rule',
      });
      expect(proxiedMutationEvent(admin, 'PATCH', `/v1/alert-rules/${POLICY}`, 200)).toMatchObject({
        action: 'alert.rule.update',
        target_id: POLICY,
      });
      expect(proxiedMutationEvent(admin, 'DELETE', `/v1/alert-channels/${POLICY}`, 204)).toMatchObject({
        action: 'alert.channel.delete',
        target_type: 'alert_channel',
      });
      expect(proxiedMutationEvent(admin, 'POST', `/v1/alert-channels/${POLICY}/test`, 200)).toMatchObject({
        action: 'alert.channel.test',
        target_id: POLICY,
      });
      expect(proxiedMutationEvent(admin, 'PUT', `/v1/devices/${DEVICE}/watch`, 200)).toMatchObject({
        action: 'device.watch',
        target_id: DEVICE,
      });
      expect(proxiedMutationEvent(admin, 'DELETE', `/v1/devices/${DEVICE}/watch`, 204).action).toBe('device.unwatch');
      expect(proxiedMutationEvent(admin, 'PUT', `/v1/devices/${DEVICE}/presence-settings`, 200).action).toBe(
        'device.presence_settings.update',
      );
      expect(proxiedMutationEvent(admin, 'PUT', '/v1/presence/tag-settings/printer', 200)).toMatchObject({
        action: 'presence.tag_settings.update',
        details: { tag: 'printer' },
      });
    });

    it('maps saved map layouts to map.layout.save and reset, with the layer and focus as requested', () => {
      const path = '/v1/map/l3/layout?focusType=subnet&focusId=10.0.1.7%2F24';
      expect(proxiedMutationEvent(admin, 'PUT', path, 200)).toEqual({
        actor: 'alice',
        actor_role: 'admin',
        action: 'map.layout.save',
        target_type: 'map_layout',
        details: {
          status: 200,
          method: 'PUT',
          path,
          layer: 'l3',
          focus_type: 'subnet',
          focus_id: '10.0.1.7/24',
        },
      });
      const reset = proxiedMutationEvent(
        admin,
        'DELETE',
        `/v1/map/physical/layout?focusType=device&focusId=${DEVICE}`,
        204,
      );
      expect(reset).toMatchObject({
        action: 'map.layout.reset',
        target_type: 'map_layout',
        details: { status: 204, layer: 'physical', focus_type: 'device', focus_id: DEVICE },
      });
      expect(reset).not.toHaveProperty('target_id');
      // A request without the focus (core answers 400) is still recorded, without focus details.
      const bare = proxiedMutationEvent(admin, 'PUT', '/v1/map/l2/layout', 400);
      expect(bare).toMatchObject({ action: 'map.layout.save', details: { layer: 'l2', status: 400 } });
      expect(bare.details).not.toHaveProperty('focus_type');
      expect(bare.details).not.toHaveProperty('focus_id');
      expect(proxiedMutationEvent(admin, 'POST', '/v1/map/l3/layout', 404).action).toBe('POST /v1/map/l3/layout');
      expect(proxiedMutationEvent(admin, 'PUT', '/v1/map/l3', 404)).toEqual({
        actor: 'alice',
        actor_role: 'admin',
        action: 'PUT /v1/map/l3',
        details: { status: 404, method: 'PUT', path: '/v1/map/l3' },
      });
    });

    it('keeps the default action for methods build mode does not have', () => {
      expect(proxiedMutationEvent(admin, 'PUT', `/v1/manual-links/${LINK}`, 404)).toMatchObject({
        action: `PUT /v1/manual-links/${LINK}`,
        target_id: LINK,
      });
      expect(proxiedMutationEvent(admin, 'POST', '/v1/zones/dmz', 404)).toMatchObject({
        action: 'POST /v1/zones/dmz',
        target_type: 'zone',
      });
    });
  });
});

describe('accountEvent', () => {
  it('has the actor, role, action, target type user and the details given', () => {
    expect(accountEvent(admin, 'user.created', { username: 'bob', role: 'read-only' })).toEqual({
      actor: 'alice',
      actor_role: 'admin',
      action: 'user.created',
      target_type: 'user',
      details: { username: 'bob', role: 'read-only' },
    });
  });

  it('records a failed login of an unknown or blank username without a role', () => {
    expect(accountEvent({ username: '', role: undefined }, 'auth.login.failed', { address: '10.0.0.1' })).toEqual({
      actor: '(blank)',
      actor_role: null,
      action: 'auth.login.failed',
      target_type: 'user',
      details: { address: '10.0.0.1' },
    });
  });

  it('cuts an overlong username to the 200 characters core accepts', () => {
    const event = accountEvent({ username: 'x'.repeat(500), role: undefined }, 'auth.login.failed', {});
    expect(event.actor).toBe('x'.repeat(200));
  });
});
