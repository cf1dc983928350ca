// Apart from content.ts: the env check (npm start, migrate) reads sizes and should not load file-type for it.

/** FILES_MAX_UPLOAD_SIZE as Directus reads it (the `bytes` package: `50mb`, `512kb`, `1gb`, a plain number; 1024-based). */
export function parseByteSize(value: unknown): number | null {
  if (typeof value === 'number' && Number.isFinite(value)) return Math.floor(value);
  const match = /^\s*(\d+(?:\.\d+)?)\s*(b|kb|mb|gb|tb)?\s*$/i.exec(String(value ?? ''));
  if (!match) return null;
  const power = ['b', 'kb', 'mb', 'gb', 'tb'].indexOf((match[2] ?? 'b').toLowerCase());
  return Math.floor(Number(match[1]) * 1024 ** power);
}
