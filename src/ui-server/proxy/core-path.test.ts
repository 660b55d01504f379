import { describe, expect, it } from 'vitest';
import { corePathOf } from './core-proxy.routes.ts';

describe('corePathOf', () => {
  it('keeps /api/v1/… paths as they are', () => {
    expect(corePathOf('/api/v1/devices')).toBe('/api/v1/devices');
    expect(corePathOf('/api/v1/devices/abc/tags')).toBe('/api/v1/devices/abc/tags');
    expect(corePathOf('/api/v1')).toBe('/api/v1');
  });

  it('maps short UI paths onto core v1 paths', () => {
    expect(corePathOf('/api/devices/export')).toBe('/api/v1/devices/export');
    expect(corePathOf('/api/devices/import')).toBe('/api/v1/devices/import');
    expect(corePathOf('/api/v1x/devices')).toBe('/api/v1/v1x/devices');
  });

  it('keeps the query string', () => {
    expect(corePathOf('/api/devices/export?format=json&x=1')).toBe('/api/v1/devices/export?format=json&x=1');
    expect(corePathOf('/api/v1/devices?q=a..b')).toBe('/api/v1/devices?q=a..b');
    expect(corePathOf('/api/v1/devices?')).toBe('/api/v1/devices?');
  });

  it('refuses the auth routes, the bare /api/ and anything outside /api/', () => {
    expect(corePathOf('/api/auth/login')).toBeUndefined();
    expect(corePathOf('/api/auth/session?x=1')).toBeUndefined();
    expect(corePathOf('/api/auth')).toBeUndefined();
    expect(corePathOf('/api/')).toBeUndefined();
    expect(corePathOf('/api/?x=1')).toBeUndefined();
    expect(corePathOf('/api')).toBeUndefined();
    expect(corePathOf('/healthz')).toBeUndefined();
    expect(corePathOf('/apix/v1/devices')).toBeUndefined();
  });

  it('refuses paths with ".."', () => {
    expect(corePathOf('/api/../metrics')).toBeUndefined();
    expect(corePathOf('/api/v1/devices/../audit/events')).toBeUndefined();
    expect(corePathOf('/api/devices/..')).toBeUndefined();
  });
});
