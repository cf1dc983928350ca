// Uploads checked by content and scanned (decision 0038), attacked over HTTP on a fixture-domain instance with a
// fake clamd: the bytes decide the type, hostile files are refused, server-side fields are the server's for every
// role, and nothing refused, infected or interrupted leaves a row or bytes behind.
import { existsSync, mkdtempSync, readdirSync, readlinkSync, rmSync } from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { MEMBER_POLICY, MEMBER_ROLE } from '../fixtures/domain/model.js';
import { EICAR, startFakeClamd, type FakeClamd } from './harness/fake-clamd.js';
import { useFixtureInstance } from './harness/fixture.js';
import { expectErrorEnvelope, getJson, until } from './http.js';

const quarantine = mkdtempSync(path.join(os.tmpdir(), 'groundwork-files-test-quarantine-'));
// The instance's own temporary folder (os.tmpdir() there), where every upload lands before it is checked: a refused,
// infected or interrupted upload must leave nothing in it either, and no other instance writes to it.
const serverTmp = mkdtempSync(path.join(os.tmpdir(), 'groundwork-files-test-tmp-'));
// Filled in before the instance starts (this beforeAll runs first): the fake clamd's port.
const env: Record<string, string> = {
  GROUNDWORK_CLAMD_HOST: '127.0.0.1',
  GROUNDWORK_FILES_QUARANTINE_PATH: quarantine,
  TMPDIR: serverTmp,
  GROUNDWORK_CLAMD_TIMEOUT_MS: '5000',
  FILES_MAX_UPLOAD_SIZE: '1mb',
  GROUNDWORK_FILES_ROLE_UPLOAD_LIMITS: `${MEMBER_ROLE}=4kb`,
  // The import tests fetch from a server on loopback, which the baseline deny list refuses.
  IMPORT_IP_DENY_LIST: '192.0.2.1',
};
let clamd: FakeClamd;
/**
 * Serves the import tests' sources: /<name> answers the body `sources` holds, with a declared type; `cutAt` sends
 * only that many bytes of it, under the full length, then drops the connection (a transfer cut off midway).
 */
const sources = new Map<string, { type: string; body: Buffer; cutAt?: number }>();
let source: http.Server;
let sourceUrl: string;
beforeAll(async () => {
  clamd = await startFakeClamd();
  env['GROUNDWORK_CLAMD_PORT'] = String(clamd.port);
  source = http.createServer((request, response) => {
    const found = sources.get(new URL(request.url ?? '/', 'http://x').pathname.slice(1));
    if (!found) return void response.writeHead(404).end();
    if (found.cutAt === undefined) return void response.writeHead(200, { 'content-type': found.type }).end(found.body);
    response.writeHead(200, { 'content-type': found.type, 'content-length': found.body.length });
    response.write(found.body.subarray(0, found.cutAt), () => setTimeout(() => response.socket?.destroy(), 100));
  });
  await new Promise<void>((resolve) => source.listen(0, '127.0.0.1', resolve));
  sourceUrl = `http://127.0.0.1:${(source.address() as { port: number }).port}`;
});
afterAll(async () => {
  await clamd?.close();
  await new Promise((resolve) => source?.close(resolve));
  for (const dir of [serverTmp, quarantine]) rmSync(dir, { recursive: true, force: true });
});

const fixture = useFixtureInstance({ name: 'files', members: ['mia', 'max'], env });
const { api, ok } = fixture;

/** A valid 1×1 PNG. */
const PNG = Buffer.from(
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAQAAAC1HAwCAAAAC0lEQVR42mNkYAAAAAYAAjCB0C8AAAAASUVORK5CYII=',
  'base64',
);
const HTML = Buffer.from('<!doctype html><html><body><script>fetch("/users/me")</script></body></html>');

interface Part {
  fields?: Record<string, string>;
  name: string;
  type: string;
  content: Buffer;
  encodeName?: boolean;
}

/** A multipart body built byte by byte, so names with control characters reach the server as they are. */
function multipart({ fields = {}, name, type, content, encodeName }: Part): { body: Buffer; contentType: string } {
  // RFC 5987's filename* carries any character, control ones included, percent-encoded.
  const filename = encodeName ? `filename*=utf-8''${encodeURIComponent(name)}` : `filename="${name}"`;
  const boundary = `----groundwork${Math.random().toString(16).slice(2)}`;
  const parts: Buffer[] = [];
  for (const [key, value] of Object.entries(fields)) {
    parts.push(Buffer.from(`--${boundary}\r\ncontent-disposition: form-data; name="${key}"\r\n\r\n${value}\r\n`));
  }
  parts.push(
    Buffer.from(
      `--${boundary}\r\ncontent-disposition: form-data; name="file"; ${filename}\r\ncontent-type: ${type}\r\n\r\n`,
    ),
    content,
    Buffer.from(`\r\n--${boundary}--\r\n`),
  );
  return { body: Buffer.concat(parts), contentType: `multipart/form-data; boundary=${boundary}` };
}

async function upload(token: string | null, part: Part, method = 'POST', route = '/files') {
  const { body, contentType } = multipart(part);
  return getJson(`${fixture.instance.baseUrl}${route}`, {
    method,
    headers: { 'content-type': contentType, ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: new Uint8Array(body),
  });
}

const storageRoot = () => fixture.instance.env['STORAGE_LOCAL_ROOT'] as string;
const stored = () => (existsSync(storageRoot()) ? readdirSync(storageRoot()).sort() : []);
const rows = async () => Number((await fixture.sql('directus_files').count({ n: '*' }))[0]!.n);

/** Upload folders (upload.ts, import.ts) left in the instance's temporary folder: each is removed once answered. */
const uploadFolders = () => readdirSync(serverTmp).filter((name) => name.startsWith('groundwork-upload-'));

/** Runs `attempt` and checks it left no directus_files row, no bytes in storage and no temporary upload folder. */
async function leavesNothing(attempt: () => Promise<unknown>) {
  const [before, files] = [await rows(), stored()];
  await attempt();
  expect(await rows()).toBe(before);
  expect(stored()).toEqual(files);
  // The folder goes just after the answer (removal is not awaited before it): wait for it (10 s, a loaded machine).
  await until("no upload folder left in the instance's TMPDIR", async () => uploadFolders().length === 0, 10_000, 50);
}

/** Files the Directus process still holds open in an upload's temporary folder: a refused upload closes its file. */
function openUploadFiles(): string[] {
  const fds = `/proc/${fixture.instance.process.pid}/fd`;
  return readdirSync(fds)
    .map((fd) => {
      try {
        return readlinkSync(path.join(fds, fd));
      } catch {
        return ''; // closed meanwhile
      }
    })
    .filter((target) => target.includes('groundwork-upload-'));
}

/** Waits (10 s at most, a loaded machine) until no upload file is open: the server closes it just after it answers. */
const closesUploadFiles = () =>
  until(
    `no open upload file (open: ${openUploadFiles().join(', ')})`,
    async () => openUploadFiles().length === 0,
    10_000,
    100,
  );

type Caller = 'admin' | 'member';
const tokenOf = (caller: Caller) => (caller === 'admin' ? fixture.admin : fixture.members.mia.token);

beforeAll(async () => {
  // Members may upload and read their own files, with every field: the server-side ones must still be refused.
  await ok(fixture.admin, 'POST', '/permissions', [
    { policy: MEMBER_POLICY, collection: 'directus_files', action: 'create', fields: ['*'] },
    {
      policy: MEMBER_POLICY,
      collection: 'directus_files',
      action: 'read',
      fields: ['*'],
      permissions: { uploaded_by: { _eq: '$CURRENT_USER' } },
    },
    {
      policy: MEMBER_POLICY,
      collection: 'directus_files',
      action: 'update',
      fields: ['*'],
      permissions: { uploaded_by: { _eq: '$CURRENT_USER' } },
    },
  ]);
});

describe.each<Caller>(['admin', 'member'])('an upload by the %s', (caller) => {
  it('gets its type, download name and disk name from its bytes, not from the client', async () => {
    const response = await upload(tokenOf(caller), { name: 'picture.html', type: 'text/html', content: PNG });
    expect([response.status, response.text]).toEqual([200, expect.any(String)]);
    const file = response.body.data as { id: string; type: string; filename_download: string };
    expect(file).toMatchObject({ type: 'image/png', filename_download: 'picture.png' });
    const row = await fixture.sql('directus_files').where({ id: file.id }).first();
    expect(row).toMatchObject({ filename_disk: `${file.id}.png`, storage: 'local', width: 1, height: 1 });
    expect(stored()).toContain(`${file.id}.png`);

    const asset = await fetch(`${fixture.instance.baseUrl}/assets/${file.id}`, {
      headers: { authorization: `Bearer ${tokenOf(caller)}` },
    });
    expect(asset.status).toBe(200);
    expect(asset.headers.get('content-type')).toBe('image/png');
    expect(asset.headers.get('x-content-type-options')).toBe('nosniff');
    expect(Buffer.from(await asset.arrayBuffer()).equals(PNG)).toBe(true);
  });

  it('refuses HTML, whatever type and name it is declared with, and keeps nothing', async () => {
    await leavesNothing(async () => {
      const response = await upload(tokenOf(caller), { name: 'photo.png', type: 'image/png', content: HTML });
      expect(response.status).toBe(415);
      expectErrorEnvelope(response, 'UNSUPPORTED_MEDIA_TYPE');
      expect(response.text).toContain('markup');
    });
  });

  it('refuses SVG and an executable', async () => {
    await leavesNothing(async () => {
      const svg = Buffer.from('<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>');
      expect((await upload(tokenOf(caller), { name: 'logo.svg', type: 'image/svg+xml', content: svg })).status).toBe(
        415,
      );
      const exe = Buffer.concat([Buffer.from('MZ'), Buffer.from([0x90, 0, 3, 0, 0, 0, 4, 0]), Buffer.alloc(300)]);
      const response = await upload(tokenOf(caller), { name: 'report.pdf', type: 'application/pdf', content: exe });
      expect(response.status).toBe(415);
    });
  });

  it('refuses a polyglot: a JPEG header on HTML', async () => {
    const jfif = Buffer.from([
      0xff, 0xd8, 0xff, 0xe0, 0x00, 0x10, 0x4a, 0x46, 0x49, 0x46, 0, 1, 1, 0, 0, 1, 0, 1, 0, 0,
    ]);
    await leavesNothing(async () => {
      const response = await upload(tokenOf(caller), {
        name: 'cat.jpg',
        type: 'image/jpeg',
        content: Buffer.concat([jfif, HTML]),
      });
      expect(response.status).toBe(415);
      expectErrorEnvelope(response, 'UNSUPPORTED_MEDIA_TYPE');
    });
  });

  it('refuses a decompression bomb: a small PNG declaring 100 000 × 100 000 pixels', async () => {
    const bomb = Buffer.from(PNG);
    bomb.writeUInt32BE(100_000, 16);
    bomb.writeUInt32BE(100_000, 20);
    await leavesNothing(async () => {
      const response = await upload(tokenOf(caller), { name: 'bomb.png', type: 'image/png', content: bomb });
      expect(response.status).toBe(415);
      expect(response.text).toContain('100000×100000');
    });
  });

  it('refuses a 0-byte file with a 400', async () => {
    await leavesNothing(async () => {
      const response = await upload(tokenOf(caller), {
        name: 'empty.txt',
        type: 'text/plain',
        content: Buffer.alloc(0),
      });
      expect(response.status).toBe(400);
      expectErrorEnvelope(response, 'INVALID_PAYLOAD');
      expect(response.text).toContain('empty');
    });
  });

  it('stores a name with path traversal and control characters as a plain name inside storage', async () => {
    const name = '../../../etc/\u0007pass\u202Ewd\u0001.txt.exe';
    // Raw control characters in the part header are malformed: a clear 400, nothing kept.
    await leavesNothing(async () => {
      const raw = await upload(tokenOf(caller), { name, type: 'text/plain', content: Buffer.from('hi\n') });
      expect(raw.status).toBe(400);
      expect(raw.text).toContain('Malformed part header');
    });
    const response = await upload(tokenOf(caller), {
      encodeName: true,
      name,
      type: 'application/x-msdownload',
      content: Buffer.from('hi\n'),
    });
    expect([response.status, response.status === 200 ? '' : response.text]).toEqual([200, '']);
    const file = response.body.data as { id: string; filename_download: string; type: string };
    expect(file).toMatchObject({ filename_download: 'passwd.txt.txt', type: 'text/plain' });
    const row = await fixture.sql('directus_files').where({ id: file.id }).first();
    expect(row.filename_disk).toBe(`${file.id}.txt`);
    expect(existsSync(path.join(storageRoot(), `${file.id}.txt`))).toBe(true);
  });

  it('refuses server-side fields in an upload, a payload create and an update', async () => {
    const token = tokenOf(caller);
    await leavesNothing(async () => {
      for (const field of ['filename_disk', 'storage', 'type', 'filesize']) {
        const response = await upload(token, {
          fields: { [field]: 'x' },
          name: 'a.txt',
          type: 'text/plain',
          content: Buffer.from('a'),
        });
        expect([field, response.status]).toEqual([field, 403]);
        expect(response.text).toContain('set by the server');
      }
      const created = await api(token, 'POST', '/files', {
        filename_disk: 'other.png',
        storage: 'local',
        type: 'image/png',
      });
      expect(created.status).toBe(403);
      expect((await api(token, 'POST', '/files', { title: 'no bytes', type: 'text/plain' })).status).toBe(403);
      const imported = await api(token, 'POST', '/files/import', {
        url: `${sourceUrl}/nothing.png`,
        data: { filename_disk: 'other.png' },
      });
      expect(imported.status).toBe(403);
    });
    const mine = (await upload(token, { name: 'mine.txt', type: 'text/plain', content: Buffer.from('mine') })).body
      .data as { id: string };
    for (const payload of [{ filename_disk: 'x.txt' }, { type: 'text/html' }, { storage: 'other' }, { filesize: 1 }]) {
      const response = await api(token, 'PATCH', `/files/${mine.id}`, payload);
      expect([payload, response.status]).toEqual([payload, 403]);
    }
    const renamed = await api(token, 'PATCH', `/files/${mine.id}`, { title: 'Renamed' });
    expect(renamed.status).toBe(200);
    expect(await fixture.sql('directus_files').where({ id: mine.id }).first()).toMatchObject({
      title: 'Renamed',
      type: 'text/plain',
      filename_disk: `${mine.id}.txt`,
    });
  });

  it('checks a replacement (PATCH /files/:id multipart) like an upload', async () => {
    const token = tokenOf(caller);
    const file = (await upload(token, { name: 'v1.txt', type: 'text/plain', content: Buffer.from('version 1') })).body
      .data as { id: string };
    const refused = await upload(
      token,
      { name: 'v2.txt', type: 'text/plain', content: HTML },
      'PATCH',
      `/files/${file.id}`,
    );
    expect(refused.status).toBe(415);
    const row = await fixture.sql('directus_files').where({ id: file.id }).first();
    expect(row).toMatchObject({ type: 'text/plain', filename_disk: `${file.id}.txt` });
    const replaced = await upload(
      token,
      { name: 'v2.png', type: 'text/plain', content: PNG },
      'PATCH',
      `/files/${file.id}`,
    );
    expect(replaced.status).toBe(200);
    expect(replaced.body.data).toMatchObject({ type: 'image/png', filename_download: 'v2.png' });
  });
});

describe('imports by URL', () => {
  it.each<Caller>(['admin', 'member'])('pass the same check for the %s', async (caller) => {
    sources.set('photo.txt', { type: 'text/plain', body: PNG });
    sources.set('page.png', { type: 'image/png', body: HTML });
    sources.set('eicar.txt', { type: 'text/plain', body: Buffer.from(EICAR) });
    const imported = await api(tokenOf(caller), 'POST', '/files/import', { url: `${sourceUrl}/photo.txt` });
    expect([imported.status, imported.text]).toEqual([200, expect.any(String)]);
    const file = imported.body.data as { id: string };
    expect(file).toMatchObject({ type: 'image/png', filename_download: 'photo.png' });
    expect(await fixture.sql('directus_files').where({ id: file.id }).first()).toMatchObject({
      filename_disk: `${file.id}.png`,
    });
    await leavesNothing(async () => {
      const html = await api(tokenOf(caller), 'POST', '/files/import', { url: `${sourceUrl}/page.png` });
      expect(html.status).toBe(415);
      expectErrorEnvelope(html, 'UNSUPPORTED_MEDIA_TYPE');
      const infected = await api(tokenOf(caller), 'POST', '/files/import', { url: `${sourceUrl}/eicar.txt` });
      expect(infected.status).toBe(422);
      expectErrorEnvelope(infected, 'FILE_INFECTED');
    });
  });

  it('keep no row, no bytes and no temporary file of a source cut off midway, and answer a clear error', async () => {
    // A PNG whose first half arrives: what did arrive would pass the content check, so only the cut may refuse it.
    const photo = Buffer.concat([PNG, Buffer.alloc(200_000, 0)]);
    sources.set('cut.png', { type: 'image/png', body: photo, cutAt: 100_000 });
    await leavesNothing(async () => {
      const response = await api(fixture.admin, 'POST', '/files/import', { url: `${sourceUrl}/cut.png` });
      expect([response.status, response.text]).toEqual([503, expect.stringContaining('midway')]);
      expectErrorEnvelope(response, 'SERVICE_UNAVAILABLE');
    });
    await closesUploadFiles();
  });
});

describe('uploads other callers make', () => {
  it('a member cannot replace another member’s file, and a public caller cannot upload', async () => {
    const theirs = (
      await upload(fixture.members.max.token, { name: 'max.txt', type: 'text/plain', content: Buffer.from('max') })
    ).body.data as { id: string };
    const replaced = await upload(
      fixture.members.mia.token,
      { name: 'x.txt', type: 'text/plain', content: Buffer.from('mia') },
      'PATCH',
      `/files/${theirs.id}`,
    );
    expect(replaced.status).toBe(403);
    await leavesNothing(async () => {
      const response = await upload(null, { name: 'anon.txt', type: 'text/plain', content: Buffer.from('anon') });
      expect(response.status).toBe(403);
    });
  });

  it('refuses an upload over FILES_MAX_UPLOAD_SIZE with a 413 and keeps nothing', async () => {
    await leavesNothing(async () => {
      const big = Buffer.alloc(1024 * 1024 + 10, 'a');
      const response = await upload(fixture.admin, { name: 'big.txt', type: 'text/plain', content: big });
      expect(response.status).toBe(413);
    });
    await closesUploadFiles();
  });

  it('applies a lower limit to a role that has one (GROUNDWORK_FILES_ROLE_UPLOAD_LIMITS)', async () => {
    const eightKb = Buffer.alloc(8 * 1024, 'm');
    await leavesNothing(async () => {
      const response = await upload(fixture.members.mia.token, { name: 'm.txt', type: 'text/plain', content: eightKb });
      expect(response.status).toBe(413);
      expectErrorEnvelope(response, 'CONTENT_TOO_LARGE');
      sources.set('eight.txt', { type: 'text/plain', body: eightKb });
      const imported = await api(fixture.members.mia.token, 'POST', '/files/import', { url: `${sourceUrl}/eight.txt` });
      expect(imported.status).toBe(413);
    });
    expect((await upload(fixture.admin, { name: 'm.txt', type: 'text/plain', content: eightKb })).status).toBe(200);
  });

  it('keeps no row and no bytes of an upload cut off midway', async () => {
    await leavesNothing(async () => {
      const { body, contentType } = multipart({
        name: 'cut.txt',
        type: 'text/plain',
        content: Buffer.alloc(200_000, 'b'),
      });
      const url = new URL('/files', fixture.instance.baseUrl);
      await new Promise<void>((resolve) => {
        const request = http.request(url, {
          method: 'POST',
          headers: {
            'content-type': contentType,
            'content-length': body.length,
            authorization: `Bearer ${fixture.admin}`,
          },
        });
        request.on('error', () => resolve());
        request.on('response', () => resolve());
        request.write(body.subarray(0, 100_000));
        setTimeout(() => {
          request.destroy();
          resolve();
        }, 500);
      });
      // The server notices the closed connection; give it a moment to clean up.
      await new Promise((resolve) => setTimeout(resolve, 1000));
    });
    await closesUploadFiles();
    // And it still serves.
    expect(
      (await upload(fixture.admin, { name: 'after.txt', type: 'text/plain', content: Buffer.from('ok') })).status,
    ).toBe(200);
  });
});

describe('the malware scan', () => {
  it('scans every accepted upload', async () => {
    const before = clamd.scanned();
    expect(
      (await upload(fixture.admin, { name: 'clean.txt', type: 'text/plain', content: Buffer.from('clean') })).status,
    ).toBe(200);
    expect(clamd.scanned()).toBe(before + 1);
  });

  it.each<Caller>(['admin', 'member'])(
    'quarantines an infected upload by the %s, says so, keeps no row and records a security event',
    async (caller) => {
      const quarantined = readdirSync(quarantine).length;
      await leavesNothing(async () => {
        const response = await upload(tokenOf(caller), {
          name: 'eicar.txt',
          type: 'text/plain',
          content: Buffer.from(EICAR),
        });
        expect(response.status).toBe(422);
        expectErrorEnvelope(response, 'FILE_INFECTED');
        expect(response.text).toContain('Eicar-Test-Signature');
        expect(response.text).toContain('quarantined');
      });
      expect(readdirSync(quarantine).length).toBe(quarantined + 1);
      const user =
        caller === 'admin' ? (await ok<{ id: string }>(fixture.admin, 'GET', '/users/me')).id : fixture.members.mia.id;
      const event = await fixture
        .sql('groundwork.security_events')
        .where({ type: 'file', outcome: 'quarantined', actor_id: user })
        .orderBy('id', 'desc')
        .first();
      expect(event?.detail).toMatchObject({ signature: 'Eicar-Test-Signature', name: 'eicar.txt' });
    },
  );

  it('refuses uploads with a 503 while the scanner is unreachable, and stores nothing unscanned', async () => {
    await clamd.close();
    await leavesNothing(async () => {
      const response = await upload(fixture.admin, {
        name: 'later.txt',
        type: 'text/plain',
        content: Buffer.from('later'),
      });
      expect(response.status).toBe(503);
      expectErrorEnvelope(response, 'SERVICE_UNAVAILABLE');
    });
  });
});
