import { RollerError } from './errors.ts';
import { parseRfc3339 } from './timestamps.ts';

/** A keyset position: the sort timestamp and the tie-breaking id of the last row of a page. */
export interface CursorPosition {
  at: string;
  id: string;
}

/** Cursor = unpadded base64url of `<RFC 3339 timestamp>|<id>` (SPEC §4.1). */
export function encodeCursor(position: CursorPosition): string {
  return Buffer.from(`${position.at}|${position.id}`, 'utf8').toString('base64url');
}

export function decodeCursor(cursor: string, idKind: 'uuid' | 'integer' | 'text' = 'uuid'): CursorPosition {
  const invalid = (error: string): RollerError => new RollerError('validation_failed', 'invalid cursor', { error });
  if (!/^[A-Za-z0-9_-]+$/.test(cursor)) throw invalid('cursor is not base64url');
  const text = Buffer.from(cursor, 'base64url').toString('utf8');
  const bar = text.indexOf('|');
  if (bar < 0) throw invalid('cursor has no separator');
  const at = parseRfc3339(text.slice(0, bar));
  if (!at) throw invalid('cursor timestamp is not RFC 3339');
  const id = text.slice(bar + 1);
  if (idKind === 'uuid' && !/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(id)) {
    throw invalid('cursor id is not a uuid');
  }
  if (idKind === 'integer' && !/^\d{1,18}$/.test(id)) throw invalid('cursor id is not an integer');
  if (id.length === 0 || id.length > 200) throw invalid('cursor id is empty or too long');
  return { at, id };
}
