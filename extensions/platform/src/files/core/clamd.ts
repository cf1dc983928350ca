// clamd's INSTREAM protocol (clamd(8)): the command `zINSTREAM\0`, then the file as chunks each prefixed with its
// length (4 bytes, big-endian), then a zero length; clamd answers one NUL-terminated line. Pure: framing and parsing.

export type ScanResult = { status: 'clean' } | { status: 'infected'; signature: string };

export const INSTREAM_COMMAND = Buffer.from('zINSTREAM\0', 'latin1');
export const END_OF_STREAM = Buffer.alloc(4);

/** One chunk framed for INSTREAM. */
export function frameChunk(chunk: Uint8Array): Buffer {
  const header = Buffer.alloc(4);
  header.writeUInt32BE(chunk.length, 0);
  return Buffer.concat([header, chunk]);
}

/** clamd's answer to INSTREAM: clean, infected with a signature, or an error (thrown: the file was not scanned). */
export function parseInstreamReply(reply: string): ScanResult {
  const line = reply.replace(/\0+$/, '').trim();
  if (/^stream: OK$/.test(line)) return { status: 'clean' };
  const found = /^stream: (.+) FOUND$/.exec(line);
  if (found) return { status: 'infected', signature: found[1]! };
  throw new Error(`clamd did not scan the file: ${line.slice(0, 200) || 'empty reply'}`);
}

/**
 * Splits an INSTREAM request into its chunks (the fake clamd of the tests, and a check of our own framing): the
 * chunks' data and whether the zero-length end was reached; `rest` is what belongs to a chunk not yet complete.
 */
export function readInstream(data: Buffer): { chunks: Buffer[]; ended: boolean; rest: Buffer } {
  const chunks: Buffer[] = [];
  let offset = 0;
  while (offset + 4 <= data.length) {
    const length = data.readUInt32BE(offset);
    if (length === 0) return { chunks, ended: true, rest: Buffer.alloc(0) };
    if (offset + 4 + length > data.length) break;
    chunks.push(data.subarray(offset + 4, offset + 4 + length));
    offset += 4 + length;
  }
  return { chunks, ended: false, rest: data.subarray(offset) };
}
