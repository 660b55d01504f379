/** Numeric OID text helpers: comparison in MIB order, subtree tests and index extraction. */

/** Strips one leading dot (`.1.3.6` is how some tools print an OID). */
export function normaliseOid(oid: string): string {
  return oid.startsWith('.') ? oid.slice(1) : oid;
}

export function oidParts(oid: string): number[] {
  const text = normaliseOid(oid);
  if (text === '') return [];
  return text.split('.').map(Number);
}

/** Lexicographic comparison by numeric component, the order agents serve rows in. */
export function compareOids(a: string, b: string): number {
  const left = oidParts(a);
  const right = oidParts(b);
  const length = Math.min(left.length, right.length);
  for (let i = 0; i < length; i++) {
    const diff = (left[i] as number) - (right[i] as number);
    if (diff !== 0) return diff < 0 ? -1 : 1;
  }
  return left.length === right.length ? 0 : left.length < right.length ? -1 : 1;
}

/** True when `oid` lies strictly below `root` (the root itself is not part of its subtree). */
export function isInSubtree(root: string, oid: string): boolean {
  const prefix = `${normaliseOid(root)}.`;
  return normaliseOid(oid).startsWith(prefix);
}

/** The index components of `oid` below `column`, or undefined when it is not inside that column. */
export function indexOf(column: string, oid: string): number[] | undefined {
  if (!isInSubtree(column, oid)) return undefined;
  return oidParts(normaliseOid(oid).slice(normaliseOid(column).length + 1));
}
