import { describe, expect, it } from 'vitest';
import { compareTimestamps, parseRfc3339, pgTimestampToRfc3339 } from './timestamps.ts';

describe('timestamps', () => {
  it('convert PostgreSQL text to RFC 3339 keeping microseconds and trimming zeros', () => {
    expect(pgTimestampToRfc3339('2026-11-26 22:55:04.123450+00')).toBe('2026-11-26T22:55:04.12345Z');
    expect(pgTimestampToRfc3339('2026-11-26 22:55:04+00')).toBe('2026-11-26T22:55:04Z');
    expect(pgTimestampToRfc3339('2026-11-26 22:55:04.000+00')).toBe('2026-11-26T22:55:04Z');
    expect(pgTimestampToRfc3339('2026-11-26 23:55:04.5+01')).toBe('2026-11-26T22:55:04.500Z');
    expect(() => pgTimestampToRfc3339('yesterday')).toThrow();
  });

  it('parse RFC 3339 input strictly', () => {
    expect(parseRfc3339('2026-11-26T22:55:04.123456789Z')).toBe('2026-11-26T22:55:04.123456Z');
    expect(parseRfc3339('2026-11-26 22:55:04Z')).toBeUndefined();
    expect(parseRfc3339('2026-11-26')).toBeUndefined();
  });

  it('compare chronologically, not as text', () => {
    expect(compareTimestamps('2026-11-26T22:55:04.1Z', '2026-11-26T22:55:04Z')).toBe(1);
    expect(compareTimestamps('2026-11-26T22:55:04Z', '2026-11-26T22:55:04.000001Z')).toBe(-1);
    expect(compareTimestamps('2026-11-26T22:55:04.5Z', '2026-11-26T22:55:04.500Z')).toBe(0);
  });
});
