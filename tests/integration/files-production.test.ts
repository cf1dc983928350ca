// Files on a production instance (NODE_ENV=production, as the image runs), beyond files.test: a malware scanner is
// required unless it is turned off by name (decision 0061), and an image transform that overruns
// ASSETS_TRANSFORM_TIMEOUT is cut off with a clear 503 while the process keeps serving.
import { readdirSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { describe, expect, it, beforeAll } from '@jest/globals';
import sharp from 'sharp';
import { exitWithin, startInstance } from '../../scripts/lib/instance.js';
import { harness } from './harness/context.js';
import { useFixtureInstance } from './harness/fixture.js';
import { expectErrorEnvelope, getJson } from './http.js';

describe('the malware scanner in production', () => {
  it('is required: without GROUNDWORK_CLAMD_HOST or GROUNDWORK_FILES_SCAN=off the instance refuses to start', async () => {
    const instance = await startInstance({
      db: harness().db,
      name: 'files-scan-required',
      // Unset (empty is unset): the production default, clamd, with no host. The harness opts other instances out.
      env: { GROUNDWORK_FILES_SCAN: '', GROUNDWORK_CLAMD_HOST: '' },
      waitReady: false,
    });
    try {
      // Loading Directus takes over a minute on a loaded 2-core machine; a process that exits answers at once.
      expect(await exitWithin(instance, 180_000)).toBe(1);
      const output = instance.output().join('\n');
      expect(output).toContain(
        'Invalid configuration: GROUNDWORK_FILES_SCAN defaults to clamd when NODE_ENV=production, but ' +
          'GROUNDWORK_CLAMD_HOST is not set',
      );
      expect(output).toContain('GROUNDWORK_FILES_SCAN=off');
      expect(output).not.toContain('Server started');
    } finally {
      await instance.stop();
    }
  });
});

// The lowest bound Directus applies: it rounds ASSETS_TRANSFORM_TIMEOUT to whole seconds for sharp, at least 1.
const fixture = useFixtureInstance({ name: 'files-transform-timeout', env: { ASSETS_TRANSFORM_TIMEOUT: '1s' } });

// The shape of the service desk's largest preset (extensions/service-desk/spec/versions/asset-presets.ts, `full`).
const FULL = {
  key: 'full',
  fit: 'inside',
  width: 1920,
  height: 1920,
  quality: 82,
  withoutEnlargement: true,
  format: 'webp',
  transforms: [],
};

async function uploadJpeg(name: string, jpeg: Buffer): Promise<string> {
  const form = new FormData();
  form.append('file', new Blob([new Uint8Array(jpeg)], { type: 'image/jpeg' }), name);
  const response = await getJson(`${fixture.instance.baseUrl}/files`, {
    method: 'POST',
    headers: { authorization: `Bearer ${fixture.admin}` },
    body: form,
  });
  if (response.status !== 200) throw new Error(`upload ${name}: ${response.status} ${response.text}`);
  return (response.body.data as { id: string }).id;
}

/** Random pixels as a JPEG: nothing compresses, so decoding costs all it can for its size. */
const noiseJpeg = (width: number, height: number, progressive: boolean) =>
  sharp(randomBytes(width * height * 3), { raw: { width, height, channels: 3 } })
    .jpeg({ quality: 90, progressive })
    .toBuffer();

describe('an image transform over ASSETS_TRANSFORM_TIMEOUT', () => {
  let slow: string;
  beforeAll(async () => {
    await fixture.ok(fixture.admin, 'PATCH', '/settings', {
      storage_asset_transform: 'presets',
      storage_asset_presets: [FULL],
    });
    // The costliest image an uploader can send: at ASSETS_TRANSFORM_IMAGE_MAX_DIMENSION (6000) a side, progressive
    // (no cheap shrink-on-load), about 30 MB, under FILES_MAX_UPLOAD_SIZE (50mb). Its `full` took 3.6 s without a
    // timeout on the 2-core development machine (sharp alone, loaded); with a bound of 120 s this test gets a 200.
    slow = await uploadJpeg('noise.jpg', await noiseJpeg(6000, 6000, true));
  }, 120_000);

  it('answers 503 "Transformation timed out", leaves no half-written asset, and the process serves on', async () => {
    const started = Date.now();
    const response = await getJson(`${fixture.instance.baseUrl}/assets/${slow}?key=full`, {
      headers: { authorization: `Bearer ${fixture.admin}` },
    });
    const tookMs = Date.now() - started;
    expect(response.status).toBe(503);
    expectErrorEnvelope(response, 'SERVICE_UNAVAILABLE');
    expect(response.text).toContain('Transformation timed out');
    // Directus deletes the output it began to write: only the original is stored under the file's id.
    const storage = fixture.instance.env['STORAGE_LOCAL_ROOT'] as string;
    const stored = readdirSync(storage).filter((name) => name.startsWith(slow));
    expect(stored).toHaveLength(1);
    expect(stored[0]).not.toContain('__'); // Directus's suffix of a transformed asset
    expect(fixture.instance.process.exitCode).toBeNull();
    expect((await getJson(`${fixture.instance.baseUrl}/server/ping`)).status).toBe(200);
    // sharp checks the bound only once the JPEG is decoded, so the answer comes after the decode, not at 1 s.
    console.log(`transform timeout: 503 after ${tookMs} ms`);

    // A small image through the same preset still transforms (no stuck transform slot, no broken sharp).
    const small = await uploadJpeg('small.jpg', await noiseJpeg(640, 480, false));
    const asset = await fetch(`${fixture.instance.baseUrl}/assets/${small}?key=full`, {
      headers: { authorization: `Bearer ${fixture.admin}` },
    });
    expect(asset.status).toBe(200);
    const meta = await sharp(Buffer.from(await asset.arrayBuffer())).metadata();
    expect(meta).toMatchObject({ format: 'webp', width: 640, height: 480 });
  }, 120_000);

  it('runs on the named opt-out, which the boot log shouts about', () => {
    // The harness gives instances without the fake clamd GROUNDWORK_FILES_SCAN=off (scripts/lib/instance.ts).
    expect(fixture.instance.output().join('\n')).toContain(
      'GROUNDWORK_FILES_SCAN=off in production: uploads are stored and served WITHOUT a malware scan',
    );
  });
});
