// S3-compatible storage (issue 15 item 5, decision 0048): a fixture-domain instance whose only storage location is
// an S3 bucket on a local s3rver (harness/s3-server.ts), driven over HTTP. Uploads are still checked by content
// before any byte reaches the bucket; /assets, a preset transform, URL imports and deletes work on objects; a
// refused upload leaves no object. Then `npm run backup` takes the bucket's objects with their checksums, and
// `npm run restore` puts them into a new bucket, verifies them, and refuses a used bucket or a tampered object.
import { cpSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import http from 'node:http';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import sharp from 'sharp';
import { MEMBER_POLICY } from '../fixtures/domain/model.js';
import { parseManifest, type Manifest } from '../../scripts/backup/core/manifest.js';
import { dropDatabase, withClient } from '../../scripts/lib/postgres.js';
import { startInstance, testRunsDir, type DirectusInstance } from '../../scripts/lib/instance.js';
import { harness } from './harness/context.js';
import { FIXTURE_LINE, useFixtureInstance } from './harness/fixture.js';
import { startS3Server, type S3Server } from './harness/s3-server.js';
import { runScript, urlOf } from './harness/scripts.js';
import { adminToken, expectErrorEnvelope, getJson } from './http.js';

// Filled in before the instance starts (this beforeAll runs first): the S3 server's endpoint and bucket.
const env: Record<string, string> = {
  STORAGE_LOCATIONS: 's3',
  // The import test fetches from a server on loopback, which the baseline deny list refuses.
  IMPORT_IP_DENY_LIST: '192.0.2.1',
};
let s3: S3Server;
let source: http.Server;
let sourceUrl: string;
let photo: Buffer;
beforeAll(async () => {
  s3 = await startS3Server();
  Object.assign(env, s3.env('s3'));
  // A 1600×1200 photo-like JPEG (noise compresses badly, as photos do).
  const noise = Buffer.alloc(1600 * 1200 * 3);
  for (let i = 0; i < noise.length; i++) noise[i] = (i * 7919) % 251;
  photo = await sharp(noise, { raw: { width: 1600, height: 1200, channels: 3 } })
    .jpeg({ quality: 85 })
    .toBuffer();
  source = http.createServer((_request, response) => {
    response.writeHead(200, { 'content-type': 'image/jpeg' }).end(photo);
  });
  await new Promise<void>((resolve) => source.listen(0, '127.0.0.1', resolve));
  sourceUrl = `http://127.0.0.1:${(source.address() as { port: number }).port}`;
}, 60_000);

const fixture = useFixtureInstance({ name: 'storage-s3', members: ['mia'], env });
const { ok } = fixture;

const work = path.join(testRunsDir, 'storage-s3-work');
const suffix = Date.now().toString(36);
const restoredName = `gw_test_s3_restored_${suffix}`;
const refusedName = `gw_test_s3_refused_${suffix}`;
const restoredBucket = `restored-${suffix}`;
let restored: DirectusInstance | undefined;

afterAll(async () => {
  await restored?.stop();
  for (const name of [restoredName, refusedName]) await dropDatabase(harness().server, name);
  await new Promise((resolve) => source?.close(resolve));
  await s3?.close();
  rmSync(work, { recursive: true, force: true });
});

const HTML = Buffer.from('<!doctype html><html><body><script>fetch("/users/me")</script></body></html>');
const sha256 = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex');

async function upload(token: string, name: string, type: string, content: Buffer) {
  const form = new FormData();
  form.append('file', new Blob([new Uint8Array(content)], { type }), name);
  return getJson(`${fixture.instance.baseUrl}/files`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}` },
    body: form,
  });
}

async function asset(id: string, query = '', token = fixture.admin) {
  const response = await fetch(`${fixture.instance.baseUrl}/assets/${id}${query}`, {
    headers: { authorization: `Bearer ${token}` },
  });
  return {
    status: response.status,
    type: response.headers.get('content-type'),
    body: Buffer.from(await response.arrayBuffer()),
  };
}

const rows = async () => Number((await fixture.sql('directus_files').count({ n: '*' }))[0]!.n);

beforeAll(async () => {
  // Members may upload and read their own files; the card preset as the domain's settings ship it (decision 0046).
  await ok(fixture.admin, 'POST', '/permissions', [
    { policy: MEMBER_POLICY, collection: 'directus_files', action: 'create', fields: ['*'] },
    {
      policy: MEMBER_POLICY,
      collection: 'directus_files',
      action: 'read',
      fields: ['*'],
      permissions: { uploaded_by: { _eq: '$CURRENT_USER' } },
    },
  ]);
  await ok(fixture.admin, 'PATCH', '/settings', {
    storage_asset_transform: 'presets',
    storage_asset_presets: [
      { key: 'card', fit: 'cover', width: 640, height: 360, quality: 80, withoutEnlargement: true, format: 'webp' },
    ],
  });
});

describe('S3 storage', () => {
  let imageId: string;

  it.each(['admin', 'member'])(
    'stores an upload by the %s in the bucket, typed by its bytes, and serves it from /assets',
    async (caller) => {
      const token = caller === 'admin' ? fixture.admin : fixture.members.mia.token;
      const response = await upload(token, 'holiday.html', 'text/html', photo);
      expect([response.status, response.text]).toEqual([200, expect.any(String)]);
      const file = response.body.data as { id: string; type: string; filename_download: string };
      expect(file).toMatchObject({ type: 'image/jpeg', filename_download: 'holiday.jpg' });
      const row = await fixture.sql('directus_files').where({ id: file.id }).first();
      expect(row).toMatchObject({ storage: 's3', filename_disk: `${file.id}.jpg`, width: 1600, height: 1200 });
      expect(await s3.keys()).toContain(`${file.id}.jpg`);
      expect(sha256(await s3.read(`${file.id}.jpg`))).toBe(sha256(photo));

      const served = await asset(file.id, '', token);
      expect([served.status, served.type]).toEqual([200, 'image/jpeg']);
      expect(sha256(served.body)).toBe(sha256(photo));
      imageId = file.id;
    },
  );

  it('transforms through a preset, keeping the rendition in the bucket, and refuses other transforms', async () => {
    // The job renders the presets after the upload; until then a preset answers 503 (decision 0064).
    for (let tries = 0; ; tries++) {
      const states = await fixture.sql('groundwork.file_rendition').where('file_id', imageId).pluck('status');
      if (states.length > 0 && !states.includes('pending')) break;
      if (tries > 240) throw new Error(`renditions of ${imageId} still pending`);
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
    const card = await asset(imageId, '?key=card');
    expect([card.status, card.type]).toEqual([200, 'image/webp']);
    const meta = await sharp(card.body).metadata();
    expect([meta.format, meta.width, meta.height]).toEqual(['webp', 640, 360]);
    expect((await s3.keys()).filter((key) => key.startsWith(`${imageId}__`))).toHaveLength(1);
    expect((await asset(imageId, '?width=3000')).status).toBe(400);
  });

  it('deletes the object and its renditions with the file', async () => {
    expect((await s3.keys()).filter((key) => key.startsWith(imageId))).toHaveLength(2);
    const response = await getJson(`${fixture.instance.baseUrl}/files/${imageId}`, {
      method: 'DELETE',
      headers: { authorization: `Bearer ${fixture.admin}` },
    });
    expect(response.status).toBe(204);
    expect((await s3.keys()).filter((key) => key.startsWith(imageId))).toEqual([]);
    expect((await asset(imageId)).status).toBe(403);
  });

  it('refuses HTML declared as an image, and leaves no row and no object', async () => {
    const [before, keys] = [await rows(), await s3.keys()];
    const response = await upload(fixture.members.mia.token, 'photo.png', 'image/png', HTML);
    expect(response.status).toBe(415);
    expectErrorEnvelope(response, 'UNSUPPORTED_MEDIA_TYPE');
    expect(await rows()).toBe(before);
    expect(await s3.keys()).toEqual(keys);
  });

  it('leaves no row and no object of an upload cut off midway', async () => {
    const [before, keys] = [await rows(), await s3.keys()];
    // Half of the photo, then the connection drops: what arrived is a valid JPEG head, so only the cut may refuse it.
    const boundary = `----groundwork${Math.random().toString(16).slice(2)}`;
    const body = Buffer.concat([
      Buffer.from(
        `--${boundary}\r\ncontent-disposition: form-data; name="file"; filename="cut.jpg"\r\ncontent-type: image/jpeg\r\n\r\n`,
      ),
      photo,
      Buffer.from(`\r\n--${boundary}--\r\n`),
    ]);
    await new Promise<void>((resolve) => {
      const request = http.request(new URL('/files', fixture.instance.baseUrl), {
        method: 'POST',
        headers: {
          'content-type': `multipart/form-data; boundary=${boundary}`,
          'content-length': body.length,
          authorization: `Bearer ${fixture.admin}`,
        },
      });
      request.on('error', () => resolve());
      request.on('response', () => resolve());
      request.write(body.subarray(0, Math.floor(body.length / 2)));
      setTimeout(() => {
        request.destroy();
        resolve();
      }, 500);
    });
    // The server notices the closed connection; give it a moment.
    await new Promise((resolve) => setTimeout(resolve, 1000));
    expect(await rows()).toBe(before);
    expect(await s3.keys()).toEqual(keys);
    // And it still takes uploads into the bucket.
    expect((await upload(fixture.admin, 'after.jpg', 'image/jpeg', photo)).status).toBe(200);
  });

  it('imports a file by URL into the bucket, checked like an upload', async () => {
    const response = await getJson(`${fixture.instance.baseUrl}/files/import`, {
      method: 'POST',
      headers: { authorization: `Bearer ${fixture.admin}`, 'content-type': 'application/json' },
      body: JSON.stringify({ url: `${sourceUrl}/photo`, data: { title: 'imported' } }),
    });
    expect(response.status).toBe(200);
    const file = response.body.data as { id: string; type: string; storage: string };
    expect(file).toMatchObject({ type: 'image/jpeg', storage: 's3' });
    expect(sha256(await s3.read(`${file.id}.jpg`))).toBe(sha256(photo));
  });
});

describe('backup and restore of an S3 location', () => {
  const backupDir = path.join(work, 'backup');
  const emptyRoot = path.join(work, 'no-local-files');
  const FILE_TEXT = 'an object that must survive the restore\n';
  let fileId: string;
  let manifest: Manifest;
  let scriptEnv: Record<string, string>;

  beforeAll(async () => {
    rmSync(work, { recursive: true, force: true });
    mkdirSync(emptyRoot, { recursive: true });
    const response = await upload(fixture.admin, 'kept.txt', 'text/plain', Buffer.from(FILE_TEXT));
    expect(response.status).toBe(200);
    fileId = (response.body.data as { id: string }).id;
    scriptEnv = { STORAGE_LOCATIONS: 's3', ...s3.env('s3') };
  });

  it('backs up every object of the bucket with its checksum', async () => {
    const backup = await runScript(
      'backup',
      ['--out', backupDir, '--database-url', urlOf(fixture.db), '--storage-root', emptyRoot],
      scriptEnv,
    );
    expect([backup.code, backup.output]).toEqual([0, expect.stringMatching(/objects: \d+ copied from s3/)]);
    const parsed = parseManifest(readFileSync(path.join(backupDir, 'manifest.json'), 'utf8'));
    expect(parsed.ok).toBe(true);
    if (!parsed.ok) return;
    manifest = parsed.value;
    const [store] = manifest.objects;
    expect(store).toMatchObject({ location: 's3', driver: 's3', bucket: s3.bucket, missing: [] });
    // As sets: the manifest's order is not the listing's once renditions (`<id>__<hash>`) sit beside originals.
    expect(store!.files.map((file) => file.path).sort()).toEqual((await s3.keys()).sort());
    expect(store!.files.find((file) => file.path === `${fileId}.txt`)).toEqual({
      path: `${fileId}.txt`,
      bytes: Buffer.byteLength(FILE_TEXT),
      sha256: sha256(Buffer.from(FILE_TEXT)),
    });
    expect(manifest.storage.files).toEqual([]);
  });

  it('refuses a tampered object, and a bucket that holds objects, before it touches anything', async () => {
    const tampered = path.join(work, 'tampered');
    cpSync(backupDir, tampered, { recursive: true });
    writeFileSync(path.join(tampered, 'objects', 's3', `${fileId}.txt`), 'changed\n');
    const refusals = [
      await runScript(
        'restore',
        [
          '--from',
          tampered,
          '--database-url',
          urlOf({ ...harness().server, database: refusedName }),
          '--bucket',
          `refused-${suffix}`,
        ],
        scriptEnv,
      ),
      // No --bucket: the configured bucket, which holds the live objects.
      await runScript(
        'restore',
        [
          '--from',
          backupDir,
          '--database-url',
          urlOf({ ...harness().server, database: refusedName }),
          '--storage-root',
          path.join(work, 'refused-root'),
        ],
        scriptEnv,
      ),
    ];
    expect(refusals.map((result) => result.code)).toEqual([1, 1]);
    expect(refusals[0]!.output).toContain(`objects/s3/${fileId}.txt: sha256`);
    expect(refusals[1]!.output).toMatch(new RegExp(`bucket ${s3.bucket} holds \\d+ object`));
    const created = await withClient({ ...harness().server, database: 'postgres' }, async (client) =>
      Boolean((await client.query('select 1 from pg_database where datname = $1', [refusedName])).rowCount),
    );
    expect(created).toBe(false);
    expect(await s3.keys(`refused-${suffix}`).catch(() => 'no such bucket')).toBe('no such bucket');
  });

  it('restores the objects into a new bucket, verified, and a Directus on it serves them', async () => {
    const restore = await runScript(
      'restore',
      [
        '--from',
        backupDir,
        '--database-url',
        urlOf({ ...harness().server, database: restoredName }),
        '--storage-root',
        path.join(work, 'restored-root'),
        '--bucket',
        `s3=${restoredBucket}`,
      ],
      scriptEnv,
    );
    expect([restore.code, restore.output]).toEqual([
      0,
      expect.stringMatching(/verified: .* \d+ object\(s\) with their checksums/),
    ]);
    expect((await s3.keys(restoredBucket)).sort()).toEqual(manifest.objects[0]!.files.map((file) => file.path).sort());

    restored = await startInstance({
      db: { ...harness().server, database: restoredName },
      name: 'storage-s3-restored',
      env: { GROUNDWORK_SNAPSHOTS_DIR: FIXTURE_LINE, STORAGE_LOCATIONS: 's3', ...s3.env('s3', restoredBucket) },
      shipped: ['platform'],
      testExtensions: ['groundwork-fixture'],
    });
    const token = await adminToken(restored.baseUrl);
    const served = await fetch(`${restored.baseUrl}/assets/${fileId}`, {
      headers: { authorization: `Bearer ${token}` },
    });
    expect([served.status, await served.text()]).toEqual([200, FILE_TEXT]);
  }, 180_000);
});
