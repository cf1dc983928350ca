// `npm run bench:assets`: image transforms through the domain's presets (issue 15, item 4; version
// 0009-asset-presets) on 12-megapixel JPEGs. A throwaway database is migrated, one Directus starts, the admin uploads
// N distinct photos (4000×3000), and each case reads /assets over HTTP:
// - baseline: the original bytes, no transform;
// - since decision 0064 a background job renders every preset after the upload: the time from the upload's answer
//   until all of a photo's presets are ready (one photo after another, as the job takes them);
// - then the first and repeated reads of `card`, `card-avif`, `thumbnail` (the stored renditions: no sharp);
// - 10 first `full` reads at once, with the server's peak RSS growth, sampled from /proc every 20 ms.
// Options: --images N (default 10), --repeat N (cached and baseline reads per photo, default 20), --smoke (2 photos,
// 3 reads, 2 at once). Database server: BENCH_DATABASE_URL, else the embedded PostgreSQL.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import { adminToken, type DirectusInstance } from '../lib/instance.js';
import { withClient } from '../lib/postgres.js';
import { step } from '../lib/log.js';
import { migrateDatabase, startMigratedInstance } from '../snapshots/instance.js';
import { readBenchOptions, SMOKE_NOTE, wholeNumber } from './lib/options.js';
import { formatTable, percentile } from './lib/stats.js';
import { benchServer } from './lib/server.js';

const SCOPE = 'bench';
const { smoke, values } = readBenchOptions({
  images: { full: '10', smoke: '2' },
  repeat: { full: '20', smoke: '3' },
});
const imageCount = wholeNumber('images', values.images);
const repeat = wholeNumber('repeat', values.repeat);
const concurrent = Math.min(10, imageCount);
const WIDTH = 4000;
const HEIGHT = 3000;

/** A photo-like 12 MP JPEG, different for each seed (noise compresses as badly as a photo does). */
async function photo(seed: number): Promise<Buffer> {
  const pixels = Buffer.alloc(WIDTH * HEIGHT * 3);
  for (let i = 0; i < pixels.length; i++) pixels[i] = ((i >> 4) * 31 + seed * 97 + (i % 3) * 50) % 256;
  return sharp(pixels, { raw: { width: WIDTH, height: HEIGHT, channels: 3 } })
    .jpeg({ quality: 85 })
    .toBuffer();
}

function rssKb(pid: number): number {
  const line = readFileSync(`/proc/${pid}/status`, 'utf8')
    .split('\n')
    .find((entry) => entry.startsWith('VmRSS:'));
  return Number(line?.replace(/\D+/g, '') ?? 0);
}

const bench = await benchServer(SCOPE);
const db = await bench.database('bench_assets');
const storageRoot = mkdtempSync(path.join(os.tmpdir(), 'groundwork-bench-assets-'));
const rows: Array<Array<string | number>> = [];
let concurrentLine = '';
let instance: DirectusInstance | undefined;
try {
  step(SCOPE, `migrating ${db.database} to the latest version`);
  await migrateDatabase(db, { log: (message) => step(SCOPE, `migrate: ${message}`) });
  step(SCOPE, 'booting Directus');
  instance = await startMigratedInstance({
    db,
    name: 'bench-assets',
    env: { LOG_LEVEL: 'warn', STORAGE_LOCAL_ROOT: storageRoot, FILES_MAX_UPLOAD_SIZE: '100mb' },
  });
  const base = instance.baseUrl;
  const token = await adminToken(base);
  const read = async (route: string) => {
    const started = performance.now();
    const response = await fetch(`${base}${route}`, { headers: { authorization: `Bearer ${token}` } });
    const bytes = (await response.arrayBuffer()).byteLength;
    if (response.status !== 200) throw new Error(`GET ${route} answered ${response.status}`);
    return { ms: performance.now() - started, bytes };
  };

  const ids: string[] = [];
  const renderedMs: number[] = [];
  /** Waits until the job has settled every preset of `id` (decision 0064); answers the wait in ms. */
  const renditionsReady = (id: string) =>
    withClient(db, async (client) => {
      const started = performance.now();
      for (;;) {
        const { rows: states } = await client.query<{ status: string }>(
          'SELECT status FROM groundwork.file_rendition WHERE file_id = $1',
          [id],
        );
        if (states.some((state) => state.status === 'failed')) throw new Error(`a preset of ${id} failed`);
        if (states.length > 0 && states.every((state) => state.status === 'ready')) return performance.now() - started;
        if (performance.now() - started > 300_000) throw new Error(`the presets of ${id} are still pending`);
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    });
  for (let index = 0; index < imageCount; index++) {
    const jpeg = await photo(index);
    const form = new FormData();
    form.append('file', new Blob([new Uint8Array(jpeg)], { type: 'image/jpeg' }), `photo-${index}.jpg`);
    const response = await fetch(`${base}/files`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}` },
      body: form,
    });
    if (response.status !== 200) throw new Error(`upload answered ${response.status}: ${await response.text()}`);
    const id = ((await response.json()) as { data: { id: string } }).data.id;
    ids.push(id);
    step(SCOPE, `uploaded photo ${index + 1}/${imageCount} (${(jpeg.length / 1e6).toFixed(1)} MB, ${WIDTH}×${HEIGHT})`);
    renderedMs.push(await renditionsReady(id));
  }
  rows.push([
    'upload answered → six presets rendered by the job',
    renderedMs.length,
    percentile(renderedMs, 50).toFixed(1),
    percentile(renderedMs, 95).toFixed(1),
    '',
  ]);

  const measure = async (label: string, routes: string[]) => {
    const samples: number[] = [];
    let bytes = 0;
    for (const route of routes) {
      const one = await read(route);
      samples.push(one.ms);
      bytes = one.bytes;
    }
    rows.push([
      label,
      samples.length,
      percentile(samples, 50).toFixed(1),
      percentile(samples, 95).toFixed(1),
      (bytes / 1024).toFixed(1),
    ]);
    step(SCOPE, `${label}: p50 ${percentile(samples, 50).toFixed(1)} ms`);
  };
  const each = (query: string, times = 1) => ids.flatMap((id) => Array(times).fill(`/assets/${id}${query}`));

  await measure('original, no transform (baseline)', each('', repeat));
  await measure('card (640×360 webp), first read', each('?key=card'));
  await measure('card, repeated', each('?key=card', repeat));
  await measure('card-avif, first read', each('?key=card-avif'));
  await measure('thumbnail (200×200 webp), first read', each('?key=thumbnail'));

  step(SCOPE, `${concurrent} first 'full' reads at once`);
  const pid = instance.process.pid!;
  const before = rssKb(pid);
  let peak = before;
  const sampler = setInterval(() => (peak = Math.max(peak, rssKb(pid))), 20);
  const started = performance.now();
  const answers = await Promise.all(ids.slice(0, concurrent).map((id) => read(`/assets/${id}?key=full`)));
  const wall = performance.now() - started;
  clearInterval(sampler);
  peak = Math.max(peak, rssKb(pid));
  const slowest = Math.max(...answers.map((answer) => answer.ms));
  concurrentLine =
    `${concurrent} first 'full' (1920 webp) reads at once: all in ${wall.toFixed(0)} ms (slowest ` +
    `${slowest.toFixed(0)} ms); server RSS ${(before / 1024).toFixed(0)} MB before, peak ` +
    `${(peak / 1024).toFixed(0)} MB (+${((peak - before) / 1024).toFixed(0)} MB)`;
  step(SCOPE, concurrentLine);
} finally {
  await instance?.stop();
  await bench.close();
  rmSync(storageRoot, { recursive: true, force: true });
}

console.log('');
console.log(
  `${imageCount} photos of ${WIDTH}×${HEIGHT} (12 MP JPEG), ${repeat} reads per photo for the repeated cases`,
);
console.log(formatTable(['case', 'requests', 'p50 ms', 'p95 ms', 'answer KB'], rows));
console.log(concurrentLine);
if (smoke) console.log(SMOKE_NOTE);
