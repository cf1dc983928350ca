import { describe, expect, it } from '@jest/globals';
import { parseByteSize } from './byte-size.js';
import { decideContent, mimeMatches, type ContentPolicy } from './content.js';
import { imageDimensions } from './images.js';

const policy: ContentPolicy = {
  allowList: ['image/*', 'application/pdf', 'text/plain', 'text/csv', 'application/json'],
  maxImagePixels: 100_000_000,
};
const bytes = (...parts: Array<string | number[]>) =>
  Buffer.concat(parts.map((part) => (typeof part === 'string' ? Buffer.from(part, 'latin1') : Buffer.from(part))));

/** A PNG's signature and IHDR chunk declaring width × height (the rest of the file does not matter to the header). */
export const pngHeader = (width: number, height: number) => {
  const ihdr = Buffer.alloc(25);
  ihdr.writeUInt32BE(13, 0);
  ihdr.write('IHDR', 4, 'latin1');
  ihdr.writeUInt32BE(width, 8);
  ihdr.writeUInt32BE(height, 12);
  ihdr.set([8, 6, 0, 0, 0], 16);
  return Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), ihdr, Buffer.alloc(16)]);
};
/** A minimal JPEG header: SOI, an APP0/JFIF segment, then a SOF0 declaring width × height. */
const jpegHeader = (width: number, height: number) =>
  bytes(
    [0xff, 0xd8, 0xff, 0xe0, 0x00, 0x10],
    'JFIF\0',
    [1, 1, 0, 0, 1, 0, 1, 0, 0],
    [0xff, 0xc0, 0x00, 0x11, 0x08, height >> 8, height & 0xff, width >> 8, width & 0xff, 3],
    [1, 0x22, 0, 2, 0x11, 1, 3, 0x11, 1],
    [0xff, 0xda],
  );

describe('decideContent', () => {
  it('takes the type from the bytes, not the name', async () => {
    const png = pngHeader(640, 480);
    expect(await decideContent(png, png.length, 'photo.txt', policy)).toEqual({
      ok: true,
      type: 'image/png',
      extension: 'png',
      width: 640,
      height: 480,
    });
    const jpeg = jpegHeader(4000, 3000);
    expect(await decideContent(jpeg, jpeg.length, 'x.png', policy)).toMatchObject({ ok: true, type: 'image/jpeg' });
    const pdf = bytes('%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<< /Type /Catalog >>\nendobj\n');
    expect(await decideContent(pdf, pdf.length, 'doc', policy)).toMatchObject({ ok: true, type: 'application/pdf' });
  });

  it('reads text as text: plain, CSV by extension, JSON only when it parses', async () => {
    const text = Buffer.from('Hello, wörld\nline two\n');
    expect(await decideContent(text, text.length, 'notes.exe', policy)).toEqual({
      ok: true,
      type: 'text/plain',
      extension: 'txt',
    });
    const csv = Buffer.from('a,b\n1,2\n');
    expect(await decideContent(csv, csv.length, 'table.CSV', policy)).toMatchObject({ type: 'text/csv' });
    const json = Buffer.from('{"a": [1, 2]}');
    expect(await decideContent(json, json.length, 'data.json', policy)).toMatchObject({ type: 'application/json' });
    const broken = Buffer.from('{"a": ');
    expect(await decideContent(broken, broken.length, 'data.json', policy)).toMatchObject({ type: 'text/plain' });
  });

  it.each([
    ['HTML', '<!DOCTYPE html><html><body>hi</body></html>', 'page.txt'],
    ['HTML behind whitespace and a BOM', '\uFEFF  \n<html><script>alert(1)</script>', 'a.csv'],
    ['a script tag in text', 'notes\n<script src="//evil.example/x.js"></script>', 'notes.txt'],
    ['SVG', '<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>', 'logo.png'],
    ['XML', '<?xml version="1.0"?><x/>', 'a.json'],
    ['a shell script', '#!/bin/sh\nrm -rf /\n', 'run.txt'],
  ])('refuses %s whatever its name', async (_what, content, name) => {
    const data = Buffer.from(content);
    expect(await decideContent(data, data.length, name, policy)).toMatchObject({ ok: false, status: 415 });
  });

  it('refuses a polyglot: a JPEG header on HTML', async () => {
    const polyglot = bytes(
      [0xff, 0xd8, 0xff, 0xe0, 0x00, 0x10],
      'JFIF\0',
      [1, 1, 0, 0, 1, 0, 1, 0, 0],
      '<html><script>alert(document.cookie)</script></html>',
    );
    const decision = await decideContent(polyglot, polyglot.length, 'cat.jpg', policy);
    expect(decision).toMatchObject({ ok: false, status: 415 });
    // Without the markup, a JPEG without a frame header is still no image.
    const frameless = bytes([0xff, 0xd8, 0xff, 0xe0, 0x00, 0x10], 'JFIF\0', [1, 1, 0, 0, 1, 0, 1, 0, 0], [0xff, 0xd9]);
    expect(await decideContent(frameless, frameless.length, 'cat.jpg', policy)).toEqual({
      ok: false,
      status: 415,
      reason: 'The file is not a valid JPG image.',
    });
  });

  it('refuses executables and types off the allow list', async () => {
    const exe = bytes('MZ', [0x90, 0, 3, 0, 0, 0, 4, 0], Buffer.alloc(200).toString('latin1'));
    expect(await decideContent(exe, exe.length, 'setup.txt', policy)).toMatchObject({ ok: false, status: 415 });
    const elf = bytes([0x7f], 'ELF', [2, 1, 1, 0], Buffer.alloc(100).toString('latin1'));
    expect(await decideContent(elf, elf.length, 'a.png', policy)).toMatchObject({ ok: false, status: 415 });
    const zip = bytes('PK\x03\x04', [20, 0, 0, 0, 8, 0], Buffer.alloc(60).toString('latin1'));
    expect((await decideContent(zip, zip.length, 'a.pdf', policy)).ok).toBe(false);
    const png = pngHeader(10, 10);
    expect(await decideContent(png, png.length, 'a.png', { ...policy, allowList: ['application/pdf'] })).toEqual({
      ok: false,
      status: 415,
      reason: 'Files of type image/png are not accepted.',
    });
  });

  it('refuses unrecognisable binary and empty files', async () => {
    const noise = Buffer.from([0x00, 0x13, 0x37, 0xfe, 0x00, 0x01, 0x02]);
    expect(await decideContent(noise, noise.length, 'a.txt', policy)).toMatchObject({ ok: false, status: 415 });
    expect(await decideContent(Buffer.alloc(0), 0, 'a.txt', policy)).toEqual({
      ok: false,
      status: 400,
      reason: 'The file is empty.',
    });
  });

  it('refuses a decompression bomb: huge declared dimensions in a small file', async () => {
    const bomb = pngHeader(100_000, 100_000);
    expect(bomb.length).toBeLessThan(100);
    expect(await decideContent(bomb, bomb.length, 'bomb.png', policy)).toMatchObject({ ok: false, status: 415 });
    const jpeg = jpegHeader(65_000, 65_000);
    expect(await decideContent(jpeg, jpeg.length, 'bomb.jpg', policy)).toMatchObject({ ok: false, status: 415 });
    // 12 megapixels is fine.
    const photo = jpegHeader(4000, 3000);
    expect((await decideContent(photo, photo.length, 'photo.jpg', policy)).ok).toBe(true);
  });
});

describe('mimeMatches', () => {
  it('matches exact types, type/* and *', () => {
    expect(mimeMatches('image/png', 'image/*')).toBe(true);
    expect(mimeMatches('image/png', ' IMAGE/PNG ')).toBe(true);
    expect(mimeMatches('imagex/png', 'image/*')).toBe(false);
    expect(mimeMatches('text/csv', 'text/plain')).toBe(false);
    expect(mimeMatches('text/csv', '*/*')).toBe(true);
  });
});

describe('imageDimensions', () => {
  it('reads GIF and WebP headers and refuses a truncated one', () => {
    expect(imageDimensions('image/gif', bytes('GIF89a', [0x20, 0x03, 0x58, 0x02]))).toEqual({
      width: 800,
      height: 600,
    });
    const vp8x = bytes(
      'RIFF',
      [0, 0, 0, 0],
      'WEBPVP8X',
      [10, 0, 0, 0, 0, 0, 0, 0],
      [0x1f, 0x03, 0x00, 0x57, 0x02, 0x00],
      [0, 0],
    );
    expect(imageDimensions('image/webp', vp8x)).toEqual({ width: 800, height: 600 });
    expect(imageDimensions('image/png', pngHeader(1, 1).subarray(0, 20))).toBeNull();
  });
});

describe('parseByteSize', () => {
  it('reads sizes as Directus does', () => {
    expect(parseByteSize('50mb')).toBe(50 * 1024 * 1024);
    expect(parseByteSize(' 512 KB ')).toBe(512 * 1024);
    expect(parseByteSize(1000)).toBe(1000);
    expect(parseByteSize('1000')).toBe(1000);
    expect(parseByteSize('lots')).toBeNull();
    expect(parseByteSize(undefined)).toBeNull();
  });
});
