import { describe, expect, it } from 'vitest';
import { decodeCursor, encodeCursor } from './cursor.ts';
import { RollerError } from './errors.ts';

describe('cursors', () => {
  it('round-trip a timestamp with microseconds and an id', () => {
    const position = { at: '2026-11-26T22:55:04.123456Z', id: '0b7e2f52-7f56-4bd1-8f8c-3a3f5c1f1d10' };
    const cursor = encodeCursor(position);
    expect(cursor).toMatch(/^[A-Za-z0-9_-]+$/);
    expect(decodeCursor(cursor)).toEqual(position);
  });

  it('normalise offsets to UTC', () => {
    const cursor = Buffer.from('2026-11-26T23:55:04.5+01:00|0b7e2f52-7f56-4bd1-8f8c-3a3f5c1f1d10').toString(
      'base64url',
    );
    expect(decodeCursor(cursor).at).toBe('2026-11-26T22:55:04.5Z');
  });

  it('accept integer ids for log cursors', () => {
    const cursor = encodeCursor({ at: '2026-11-26T22:55:04Z', id: '42' });
    expect(decodeCursor(cursor, 'integer')).toEqual({ at: '2026-11-26T22:55:04Z', id: '42' });
    expect(() => decodeCursor(cursor, 'uuid')).toThrow(RollerError);
  });

  it('refuse anything malformed with invalid cursor', () => {
    const bad = [
      '***',
      Buffer.from('no separator').toString('base64url'),
      Buffer.from('yesterday|0b7e2f52-7f56-4bd1-8f8c-3a3f5c1f1d10').toString('base64url'),
      Buffer.from('2026-11-26T22:55:04Z|nope').toString('base64url'),
      Buffer.from('2026-13-45T22:55:04Z|0b7e2f52-7f56-4bd1-8f8c-3a3f5c1f1d10').toString('base64url'),
    ];
    for (const cursor of bad) {
      expect(() => decodeCursor(cursor), cursor).toThrow(/invalid cursor/);
    }
  });
});
