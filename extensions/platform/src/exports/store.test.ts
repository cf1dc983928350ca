import { describe, expect, it } from '@jest/globals';
import { pipeline } from 'node:stream/promises';
import { Readable } from 'node:stream';
import { CHUNK_BYTES, chunkSink } from './store.js';

describe('chunkSink', () => {
  it('stores what it is given in chunks of about a MiB, in order, and reports the bytes after each', async () => {
    const stored: Array<{ seq: number; bytes: Buffer }> = [];
    const reported: number[] = [];
    const sink = chunkSink(
      {
        writeChunk: async (id, attempt, seq, bytes) => {
          expect([id, attempt]).toEqual(['run', 2]);
          stored.push({ seq, bytes });
        },
      },
      { id: 'run', attempt: 2 },
      async (bytes) => {
        reported.push(bytes);
      },
    );
    const piece = Buffer.alloc(300 * 1024, 'a');
    const pieces = Array.from({ length: 9 }, (_, i) => Buffer.from(piece.map(() => 97 + i)));
    await pipeline(Readable.from(pieces), sink);
    const all = Buffer.concat(pieces);
    expect(stored.map((chunk) => chunk.seq)).toEqual([0, 1, 2]);
    for (const chunk of stored.slice(0, -1)) expect(chunk.bytes.length).toBeGreaterThanOrEqual(CHUNK_BYTES);
    expect(Buffer.concat(stored.map((chunk) => chunk.bytes)).equals(all)).toBe(true);
    expect(reported).toEqual([stored[0]!.bytes.length, stored[0]!.bytes.length + stored[1]!.bytes.length, all.length]);
    expect(sink.bytesWritten()).toBe(all.length);
  });

  it('cuts a write larger than a chunk into chunks of CHUNK_BYTES (a batch of CSV is one write)', async () => {
    const stored: Buffer[] = [];
    const sink = chunkSink(
      { writeChunk: async (_id, _attempt, _seq, bytes) => void stored.push(bytes) },
      { id: 'run', attempt: 1 },
      async () => {},
    );
    const big = Buffer.from(Array.from({ length: 2.5 * CHUNK_BYTES }, (_, i) => i % 251));
    await pipeline(Readable.from([Buffer.from('head,'), big]), sink);
    expect(stored.map((chunk) => chunk.length)).toEqual([CHUNK_BYTES, CHUNK_BYTES, 5 + 0.5 * CHUNK_BYTES]);
    expect(Buffer.concat(stored).equals(Buffer.concat([Buffer.from('head,'), big]))).toBe(true);
  });

  it('stores nothing for nothing, and fails the stream when a chunk cannot be stored', async () => {
    const none = chunkSink({ writeChunk: async () => {} }, { id: 'run', attempt: 1 }, async () => {});
    await pipeline(Readable.from([]), none);
    expect(none.bytesWritten()).toBe(0);
    const broken = chunkSink(
      {
        writeChunk: async () => {
          throw new Error('database gone');
        },
      },
      { id: 'run', attempt: 1 },
      async () => {},
    );
    await expect(pipeline(Readable.from([Buffer.from('x')]), broken)).rejects.toThrow('database gone');
  });
});
