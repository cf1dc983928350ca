// One text form for generated JSON (snapshot files, the OpenAPI document): sorted keys, two-space indent, trailing newline, so equal states give
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
