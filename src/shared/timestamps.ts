/**
 * Timestamps travel as RFC 3339 UTC strings with the database's full microsecond precision.
 * We never round-trip through `Date` (millisecond precision) because keyset cursors compare
 * against the exact stored value.
 */
const PG_TIMESTAMPTZ = /^(\d{4}-\d{2}-\d{2})[ T](\d{2}:\d{2}:\d{2})(\.\d+)?(Z|[+-]\d{2}(?::?\d{2})?)$/;
const RFC3339 = /^(\d{4}-\d{2}-\d{2})[Tt](\d{2}:\d{2}:\d{2})(\.\d{1,9})?([Zz]|[+-]\d{2}:\d{2})$/;

/** Converts PostgreSQL's timestamptz text output (session time zone UTC) to RFC 3339 with trimmed fraction. */
export function pgTimestampToRfc3339(text: string): string {
  const match = PG_TIMESTAMPTZ.exec(text);
  if (!match) throw new Error(`unexpected timestamp text from the database: ${text}`);
  const [, date, time, fraction = '', zone] = match;
  if (zone !== 'Z' && zone !== '+00' && zone !== '+00:00' && zone !== '+0000') {
    // The session time zone is always UTC; anything else is a configuration bug worth surfacing.
    return new Date(text).toISOString();
  }
  return `${date}T${time}${trimFraction(fraction)}Z`;
}

function trimFraction(fraction: string): string {
  const trimmed = fraction.replace(/0+$/, '');
  return trimmed === '.' ? '' : trimmed;
}

/** Parses an RFC 3339 timestamp; returns the normalised UTC text (microseconds kept) or undefined. */
export function parseRfc3339(text: string): string | undefined {
  const match = RFC3339.exec(text.trim());
  if (!match) return undefined;
  const [, date, time, fraction = '', zone = 'Z'] = match;
  const millis = Date.parse(`${date}T${time}${zone.toUpperCase() === 'Z' ? 'Z' : zone}`);
  if (Number.isNaN(millis)) return undefined;
  const base = new Date(millis).toISOString().slice(0, 19);
  // PostgreSQL keeps microseconds; digits beyond that cannot match any stored value.
  const micros = fraction.slice(0, 7);
  return `${base}${trimFraction(micros)}Z`;
}

/** Chronological comparison of two RFC 3339 UTC strings from the database (µs precision). */
export function compareTimestamps(a: string, b: string): number {
  const key = (text: string): string => {
    const match = /^(.*?:\d{2})(?:\.(\d+))?Z$/.exec(text);
    return match ? `${match[1]}.${(match[2] ?? '').padEnd(9, '0')}` : text;
  };
  const left = key(a);
  const right = key(b);
  return left < right ? -1 : left > right ? 1 : 0;
}
