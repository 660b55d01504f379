import { describe, expect, it } from 'vitest';
import { parseInventoryPayload } from './inventory-payload.ts';

describe('inventory payloads', () => {
  it('reads the list response, {devices}, and a bare array (G-10)', () => {
    const device = { name: ' sw1 ', primary_ip4: { address: '10.0.0.2/24' } };
    const expected = { index: 0, name: 'sw1', ip: '10.0.0.2', owner: null, location: null, notes: null };
    expect(parseInventoryPayload('netbox', { count: 1, next: null, previous: null, results: [device] })).toEqual({
      ok: true,
      devices: [expected],
    });
    expect(parseInventoryPayload('netbox', { devices: [device] })).toEqual({ ok: true, devices: [expected] });
    expect(parseInventoryPayload('nautobot', [device])).toEqual({ ok: true, devices: [expected] });
  });

  it('picks primary_ip4, then primary_ip, then primary_ip6, skipping unusable ones', () => {
    const read = (device: Record<string, unknown>) => {
      const parsed = parseInventoryPayload('netbox', [device]);
      return parsed.ok ? parsed.devices[0]?.ip : undefined;
    };
    expect(read({ primary_ip4: { address: ' ' }, primary_ip: { address: '10.1.1.1/32' } })).toBe('10.1.1.1');
    expect(read({ primary_ip4: null, primary_ip6: { address: '2001:db8::1/64' } })).toBe('2001:db8::1');
    expect(read({ primary_ip4: { address: 'bogus' } })).toBeNull();
  });

  it('maps tenant, site/location (name, else display) and comments', () => {
    const parsed = parseInventoryPayload('netbox', [
      {
        name: 'x',
        tenant: { id: 1, display: 'Ops' },
        site: { name: 'DC1' },
        location: { name: 'Hall A' },
        comments: ' note ',
      },
      { name: 'y', location: { id: 'a', object_type: 'dcim.location', url: 'u' }, tenant: null, comments: '' },
    ]);
    expect(parsed.ok && parsed.devices).toEqual([
      { index: 0, name: 'x', ip: null, owner: 'Ops', location: 'DC1 / Hall A', notes: 'note' },
      { index: 1, name: 'y', ip: null, owner: null, location: null, notes: null },
    ]);
  });

  it('explains unreadable and empty payloads', () => {
    expect(parseInventoryPayload('netbox', { name: 'x' })).toMatchObject({
      ok: false,
      message: 'invalid payload json',
    });
    expect(parseInventoryPayload('netbox', 'x')).toMatchObject({ ok: false, message: 'invalid payload json' });
    expect(parseInventoryPayload('netbox', [])).toEqual({ ok: false, message: 'payload contained no devices' });
    expect(parseInventoryPayload('netbox', { results: [], devices: [] })).toEqual({
      ok: false,
      message: 'payload contained no devices',
    });
  });
});
