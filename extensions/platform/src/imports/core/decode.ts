// Bytes to text: a BOM decides (UTF-8, UTF-16 LE/BE); without one the bytes must be valid UTF-8, or, when they are
// not, they are read as Latin-1 (every byte is a Latin-1 character), unless the caller named the encoding.
export const ENCODINGS = ['utf-8', 'utf-16le', 'utf-16be', 'latin1'] as const;
export type Encoding = (typeof ENCODINGS)[number];

export type Decoded = { ok: true; text: string; encoding: Encoding } | { ok: false; reason: string };

function bomOf(bytes: Uint8Array): { encoding: Encoding; length: number } | null {
  if (bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf) return { encoding: 'utf-8', length: 3 };
  if (bytes[0] === 0xff && bytes[1] === 0xfe) return { encoding: 'utf-16le', length: 2 };
  if (bytes[0] === 0xfe && bytes[1] === 0xff) return { encoding: 'utf-16be', length: 2 };
  return null;
}

function strictDecode(bytes: Uint8Array, encoding: Encoding): string | null {
  try {
    // TextDecoder has no utf-16be in every build; swap the bytes and read little-endian instead.
    if (encoding === 'utf-16be') {
      if (bytes.length % 2 !== 0) return null;
      const swapped = new Uint8Array(bytes.length);
      for (let i = 0; i < bytes.length; i += 2) {
        swapped[i] = bytes[i + 1]!;
        swapped[i + 1] = bytes[i]!;
      }
      return new TextDecoder('utf-16le', { fatal: true, ignoreBOM: true }).decode(swapped);
    }
    return new TextDecoder(encoding, { fatal: true, ignoreBOM: true }).decode(bytes);
  } catch {
    return null;
  }
}

export function decodeText(bytes: Uint8Array, chosen?: Encoding): Decoded {
  const bom = bomOf(bytes);
  if (chosen && bom && bom.encoding !== chosen)
    return { ok: false, reason: `The file starts with a ${bom.encoding} byte order mark, but ${chosen} was chosen.` };
  const encoding = chosen ?? bom?.encoding;
  const body = bom ? bytes.subarray(bom.length) : bytes;
  let text: string | null;
  let used: Encoding;
  if (encoding) {
    text = strictDecode(body, encoding);
    used = encoding;
    if (text === null) return { ok: false, reason: `The file is not valid ${encoding}.` };
  } else {
    text = strictDecode(body, 'utf-8');
    used = 'utf-8';
    if (text === null) {
      text = strictDecode(body, 'latin1');
      used = 'latin1';
    }
  }
  // NUL never occurs in text: the bytes are binary, or UTF-16 without a BOM read as one-byte text.
  if (text!.includes('\u0000'))
    return { ok: false, reason: 'The file contains NUL bytes: it is binary or UTF-16 without a byte order mark.' };
  return { ok: true, text: text!, encoding: used };
}
