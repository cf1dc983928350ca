// The download's file name: the collection and the time, in characters every browser and file system accepts.

export function exportFileName(collection: string, extension: string, now: Date): string {
  const stamp = now
    .toISOString()
    .replace(/\.\d+Z$/, 'Z')
    .replace(/:/g, '');
  const base = collection.replace(/[^A-Za-z0-9_-]+/g, '_').slice(0, 100) || 'export';
  return `${base}-${stamp}.${extension}`;
}

/** Content-Disposition for an attachment; the name is ASCII already, so no filename* is needed. */
export function attachmentHeader(fileName: string): string {
  return `attachment; filename="${fileName.replace(/["\\]/g, '_')}"`;
}
