// One text form for every snapshot file: sorted keys, two-space indent, trailing newline, so equal states give
// byte-equal files and a review diff shows only the change.
export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

export function sortKeysDeep(value: unknown): Json {
  if (Array.isArray(value)) return value.map(sortKeysDeep);
  if (value instanceof Date) return value.toISOString();
  if (value && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, inner]) => inner !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return Object.fromEntries(entries.map(([key, inner]) => [key, sortKeysDeep(inner)]));
  }
  if (value === undefined) return null;
  return value as Json;
}

export function canonicalJson(value: unknown): string {
  return `${JSON.stringify(sortKeysDeep(value), null, 2)}\n`;
}

/** Orders rows by the given keys (compared as text, nulls first), so row order never depends on the database. */
export function sortRows<T>(rows: readonly T[], key: (row: T) => Array<string | number | null | undefined>): T[] {
  const text = (row: T) => key(row).map((part) => (part === null || part === undefined ? '' : String(part)));
  return [...rows].sort((a, b) => {
    const left = text(a);
    const right = text(b);
    for (let i = 0; i < left.length; i += 1) {
      const l = left[i] ?? '';
      const r = right[i] ?? '';
      if (l !== r) return l < r ? -1 : 1;
    }
    return 0;
  });
}
