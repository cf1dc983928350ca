// What an upload is, decided by its own bytes (decision 0038): the type `file-type` reads from the magic numbers, or,
// for text without any, the text itself. The declared type and the client's file name count for nothing, except
// that a text file's extension picks between text/plain, text/csv and application/json. Pure (file-type only).
import { fileTypeFromBuffer } from 'file-type';
import { imageDimensions } from './images.js';

/** How many leading bytes the adapter reads for the decision: file-type needs 4100, a JPEG's SOF can come later. */
export const HEAD_BYTES = 256 * 1024;

export type ContentDecision =
  | { ok: true; type: string; extension: string; width?: number; height?: number }
  | { ok: false; status: 400 | 415; reason: string };

export interface ContentPolicy {
  /** FILES_MIME_TYPE_ALLOW_LIST's patterns (`image/*`, `application/pdf`, ...), applied to the detected type. */
  allowList: string[];
  maxImagePixels: number;
}

/** Types refused whatever the allow list says (`image/*` would take SVG): active content a browser runs. */
const ALWAYS_REFUSED = [
  'text/html',
  'application/xhtml+xml',
  'image/svg+xml',
  'application/xml',
  'text/xml',
  'application/javascript',
  'text/javascript',
  'application/x-msdownload',
  'application/x-elf',
  'application/x-mach-binary',
  'application/x-sh',
  'application/java-archive',
  'application/wasm',
  'application/x-shockwave-flash',
];

/** The only images accepted: the ones whose size we read from the header (decompression bombs) and sharp handles. */
const IMAGES = new Set(['image/jpeg', 'image/png', 'image/gif', 'image/webp']);

/**
 * Markup a browser would render or run, looked for in the first bytes of every file (its sniffing reads 512 bytes;
 * of a binary file we read 1 KiB, of a text file the whole head): a JPEG header on HTML is a polyglot, whatever its
 * magic number says.
 */
const MARKUP = /<\s*(?:!doctype|html|head|body|script|svg|iframe|object|embed|frameset|\?xml)/i;

/** Matches a MIME type against one allow-list pattern: exact, `type/*` or `*` / `*\/*`. */
export function mimeMatches(type: string, pattern: string): boolean {
  const p = pattern.trim().toLowerCase();
  if (p === '*' || p === '*/*') return true;
  if (p.endsWith('/*')) return type.startsWith(p.slice(0, -1));
  return type === p;
}

const refused = (status: 400 | 415, reason: string): ContentDecision => ({ ok: false, status, reason });

/** Tab, line feed, form feed, carriage return. */
const TEXT_CONTROLS = new Set([0x09, 0x0a, 0x0c, 0x0d]);

function textOf(head: Uint8Array): string | null {
  try {
    // stream: a multi-byte character cut by the end of the head is not an error.
    const text = new TextDecoder('utf-8', { fatal: true }).decode(head, { stream: true });
    // Control characters other than tab, line feed, form feed and carriage return mean a binary file.
    for (let i = 0; i < text.length; i++) {
      const code = text.charCodeAt(i);
      if ((code < 0x20 && !TEXT_CONTROLS.has(code)) || code === 0x7f) return null;
    }
    return text;
  } catch {
    return null;
  }
}

function textType(text: string, extension: string, complete: boolean): { type: string; extension: string } {
  if (extension === 'csv') return { type: 'text/csv', extension: 'csv' };
  if (extension === 'json' && complete) {
    try {
      JSON.parse(text);
      return { type: 'application/json', extension: 'json' };
    } catch {
      // Not JSON after all: plain text.
    }
  }
  return { type: 'text/plain', extension: 'txt' };
}

/**
 * The decision on one upload. `head` is its first HEAD_BYTES (or all of it), `size` its full size, `name` the
 * client's file name (only a text file's extension is read from it).
 */
export async function decideContent(
  head: Uint8Array,
  size: number,
  name: string,
  policy: ContentPolicy,
): Promise<ContentDecision> {
  if (size === 0) return refused(400, 'The file is empty.');
  const detected = await fileTypeFromBuffer(head);
  const text = detected ? null : textOf(head);
  if (MARKUP.test(text ?? new TextDecoder('latin1').decode(head.subarray(0, 1024)))) {
    return refused(415, 'The file contains HTML, SVG or XML markup, which is not accepted.');
  }
  let type: string;
  let extension: string;
  if (detected) {
    ({ mime: type, ext: extension } = detected);
  } else if (text !== null) {
    if (/^\uFEFF?#!/.test(text)) return refused(415, 'Scripts are not accepted.');
    const given = /\.([a-z0-9]{1,8})$/i.exec(name)?.[1]?.toLowerCase() ?? '';
    ({ type, extension } = textType(text, given, head.length >= size));
  } else {
    return refused(415, 'The file type could not be recognised from its content.');
  }
  if (ALWAYS_REFUSED.includes(type) || !policy.allowList.some((pattern) => mimeMatches(type, pattern))) {
    return refused(415, `Files of type ${type} are not accepted.`);
  }
  if (type.startsWith('image/')) {
    if (!IMAGES.has(type)) return refused(415, `Images of type ${type} are not accepted.`);
    const dimensions = imageDimensions(type, head);
    if (!dimensions || dimensions.width === 0 || dimensions.height === 0) {
      return refused(415, `The file is not a valid ${extension.toUpperCase()} image.`);
    }
    if (dimensions.width * dimensions.height > policy.maxImagePixels) {
      return refused(
        415,
        `The image declares ${dimensions.width}×${dimensions.height} pixels, more than the ${policy.maxImagePixels} accepted.`,
      );
    }
    return { ok: true, type, extension, ...dimensions };
  }
  return { ok: true, type, extension };
}
