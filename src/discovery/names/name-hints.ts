import type { NameHint, NameSource } from '../../domain/enrichment.types.ts';

/** Trimmed, one trailing dot removed; null when nothing is left. Normalising proper is domain/naming.ts. */
export function cleanName(raw: string): string | null {
  let name = raw.trim();
  if (name.endsWith('.')) name = name.slice(0, -1).trimEnd();
  return name === '' ? null : name;
}

/** Hints from one source, cleaned and de-duplicated case-insensitively, first spelling wins. */
export function hintsFrom(source: NameSource, raw: Iterable<string>): NameHint[] {
  return mergeHints([[...raw].map((name) => ({ source, name }))]);
}

/**
 * Concatenates hint lists in the given order, dropping blanks and case-insensitive duplicates:
 * the first occurrence (and so the earlier source) wins, as SPEC §5.9.2 asks.
 */
export function mergeHints(lists: readonly (readonly NameHint[])[]): NameHint[] {
  const seen = new Set<string>();
  const merged: NameHint[] = [];
  for (const list of lists) {
    for (const hint of list) {
      const name = cleanName(hint.name);
      if (name === null) continue;
      const key = name.toLowerCase();
      if (seen.has(key)) continue;
      seen.add(key);
      merged.push({ source: hint.source, name });
    }
  }
  return merged;
}
