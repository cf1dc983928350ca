import { describe, expect, it } from '@jest/globals';
import { imageDimensions } from './images.js';

const SOI = [0xff, 0xd8];
const pad = (n: number) => new Array<number>(n).fill(0);
/** A start-of-frame segment (SOFn) for the given size: length 17, precision 8, 3 components. */
const sof = (marker: number, width: number, height: number) => [
  0xff,
  marker,
  0x00,
  0x11,
  0x08,
  height >> 8,
  height & 0xff,
  width >> 8,
  width & 0xff,
  0x03,
  ...pad(9),
];
const jpeg = (...parts: number[][]) => Uint8Array.from([...SOI, ...parts.flat(), ...pad(16)]);

/** A RIFF/WEBP header with `chunk` at offset 12 and `body` from offset 16, padded to 32 bytes. */
const webp = (chunk: string, body: number[]) => {
  const bytes = [...Buffer.from('RIFF'), ...pad(4), ...Buffer.from('WEBP'), ...Buffer.from(chunk), ...body];
  return Uint8Array.from([...bytes, ...pad(Math.max(0, 32 - bytes.length))]);
};

describe('imageDimensions: JPEG', () => {
  it('reads the first frame after other segments (APP0), fill bytes and markers without a length', () => {
    const app0 = [0xff, 0xe0, 0x00, 0x10, ...pad(14)];
    expect(imageDimensions('image/jpeg', jpeg(app0, sof(0xc0, 800, 600)))).toEqual({ width: 800, height: 600 });
    const fillRestartTem = [0xff, 0xff, 0xd0, 0xff, 0x01];
    expect(imageDimensions('image/jpeg', jpeg(fillRestartTem, sof(0xc0, 64, 32)))).toEqual({ width: 64, height: 32 });
  });

  it('skips the tables that share the SOF marker range (DHT) and reads a progressive frame', () => {
    const dht = [0xff, 0xc4, 0x00, 0x04, 0x00, 0x00];
    expect(imageDimensions('image/jpeg', jpeg(dht, sof(0xc2, 40000, 30000)))).toEqual({
      width: 40000,
      height: 30000,
    });
  });

  it('is null for a header with no frame: end of image, scan first, a bad length, a stray byte, too short', () => {
    expect(imageDimensions('image/jpeg', jpeg([0xff, 0xd9]))).toBeNull();
    expect(imageDimensions('image/jpeg', jpeg([0xff, 0xda, 0x00, 0x0c]))).toBeNull();
    expect(imageDimensions('image/jpeg', jpeg([0xff, 0xe1, 0x00, 0x01]))).toBeNull();
    expect(imageDimensions('image/jpeg', jpeg([0x00, 0xc0]))).toBeNull();
    expect(imageDimensions('image/jpeg', Uint8Array.from(SOI))).toBeNull();
  });
});

describe('imageDimensions: WebP, PNG and other types', () => {
  it('reads lossless (VP8L) and lossy (VP8) headers', () => {
    const bits = 799 | (599 << 14);
    const vp8l = webp('VP8L', [...pad(4), 0x2f, bits & 0xff, (bits >> 8) & 0xff, (bits >> 16) & 0xff, bits >>> 24]);
    expect(imageDimensions('image/webp', vp8l)).toEqual({ width: 800, height: 600 });
    const vp8 = webp('VP8 ', [...pad(7), 0x9d, 0x01, 0x2a, 800 & 0xff, 800 >> 8, 600 & 0xff, 600 >> 8]);
    expect(imageDimensions('image/webp', vp8)).toEqual({ width: 800, height: 600 });
  });

  it('is null for an unknown chunk, a bad signature, a non-RIFF file or a short one', () => {
    expect(imageDimensions('image/webp', webp('ABCD', []))).toBeNull();
    expect(imageDimensions('image/webp', webp('VP8L', [...pad(4), 0x00]))).toBeNull();
    expect(imageDimensions('image/webp', webp('VP8 ', pad(10)))).toBeNull();
    const notRiff = webp('VP8X', []);
    notRiff[0] = 0x58;
    expect(imageDimensions('image/webp', notRiff)).toBeNull();
    expect(imageDimensions('image/webp', webp('VP8X', []).subarray(0, 20))).toBeNull();
  });

  it('is null for a PNG whose first chunk is not IHDR, a short GIF, and types it does not read', () => {
    const png = Uint8Array.from([
      0x89,
      0x50,
      0x4e,
      0x47,
      0x0d,
      0x0a,
      0x1a,
      0x0a,
      ...pad(4),
      ...Buffer.from('IDAT'),
      ...pad(8),
    ]);
    expect(imageDimensions('image/png', png)).toBeNull();
    expect(imageDimensions('image/gif', Uint8Array.from(Buffer.from('GIF89a')))).toBeNull();
    expect(imageDimensions('image/tiff', jpeg(sof(0xc0, 1, 1)))).toBeNull();
  });
});
