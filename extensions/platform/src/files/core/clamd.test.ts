import { describe, expect, it } from '@jest/globals';
import { END_OF_STREAM, frameChunk, parseInstreamReply, readInstream } from './clamd.js';

describe('INSTREAM framing', () => {
  it('prefixes each chunk with its big-endian length and ends with a zero length', () => {
    expect([...frameChunk(Buffer.from('abc'))]).toEqual([0, 0, 0, 3, 0x61, 0x62, 0x63]);
    const request = Buffer.concat([frameChunk(Buffer.from('hello ')), frameChunk(Buffer.from('world')), END_OF_STREAM]);
    const read = readInstream(request);
    expect(read.ended).toBe(true);
    expect(Buffer.concat(read.chunks).toString()).toBe('hello world');
  });

  it('keeps an incomplete chunk for later', () => {
    const whole = frameChunk(Buffer.from('hello'));
    const read = readInstream(whole.subarray(0, 6));
    expect(read).toMatchObject({ chunks: [], ended: false });
    expect(read.rest.length).toBe(6);
  });
});

describe('parseInstreamReply', () => {
  it('reads clean, infected and error replies', () => {
    expect(parseInstreamReply('stream: OK\0')).toEqual({ status: 'clean' });
    expect(parseInstreamReply('stream: Eicar-Test-Signature FOUND\0')).toEqual({
      status: 'infected',
      signature: 'Eicar-Test-Signature',
    });
    expect(() => parseInstreamReply('INSTREAM size limit exceeded. ERROR\0')).toThrow(/did not scan/);
    expect(() => parseInstreamReply('')).toThrow(/empty reply/);
  });
});
