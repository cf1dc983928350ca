// The download name a file is stored with: the client's name reduced to a plain base name (no folders, no control
// or bidirectional characters, nothing a file system or a Content-Disposition header treats specially), with the
// extension of the type its content was found to be. Pure.

const MAX_STEM = 100;

/** `name` made safe, ending in `.extension` (the detected type's, so `invoice.pdf.exe` cannot come back). */
export function sanitizeFileName(name: string, extension: string): string {
  // split() always gives at least one part: the last is the base name.
  const parts = name.normalize('NFC').split(/[/\\]/);
  const base = parts[parts.length - 1]!;
  const stem = base
    // Control characters (C0, C1) and format characters (bidi overrides such as U+202E, zero-width ones).
    .replace(/[\p{Cc}\p{Cf}]/gu, '')
    .replace(/[<>:"|?*;]/g, '_')
    .replace(/\s+/g, ' ')
    // The client's extension goes: the content decides it.
    .replace(/\.[^.]*$/, '')
    .replace(/^[\s.]+|[\s.]+$/g, '');
  const cut = Array.from(stem).slice(0, MAX_STEM).join('').trim();
  return `${cut || 'file'}.${extension}`;
}

/** Fields of directus_files the server sets from the bytes and the request, never a client, whatever its role. */
export const SERVER_FIELDS = [
  'id',
  'storage',
  'filename_disk',
  'filename_download',
  'type',
  'filesize',
  'width',
  'height',
  'duration',
  'charset',
  'embed',
  'metadata',
  'uploaded_by',
  'created_on',
  'uploaded_on',
  'modified_by',
  'modified_on',
  'tus_id',
  'tus_data',
] as const;

/** The server-side fields a payload tries to set (empty when none). */
export function serverFieldsIn(payload: Record<string, unknown>): string[] {
  return SERVER_FIELDS.filter((field) => field in payload);
}
