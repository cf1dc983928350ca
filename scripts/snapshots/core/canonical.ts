// Snapshot files use the platform's canonical JSON (one implementation for every generated file).
export { canonicalJson, sortKeysDeep, type Json } from '../../../extensions/platform/src/shared/canonical.js';

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
