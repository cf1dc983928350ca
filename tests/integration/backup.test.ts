// Backup and restore (issue 14, docs/operations.md): `npm run backup` of a fixture-domain instance while tasks keep
// being created over HTTP, `npm run restore` into a new database and storage root, and a Directus started on the
// restored database. The dump is one snapshot: the restored row counts equal the manifest's, which lie strictly
// between the counts before the backup started and after it ended; each task came with its activity row (one
// transaction), and the restore has both or neither. A tampered backup and a non-empty target are refused.
import { cpSync, existsSync, mkdirSync, openSync, readFileSync, rmSync, writeSync, closeSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import knexFactory, { type Knex } from 'knex';
import { dropDatabase, withClient, type PgConnection } from '../../scripts/lib/postgres.js';
import { startInstance, testRunsDir, type DirectusInstance } from '../../scripts/lib/instance.js';
import { parseManifest, type Manifest } from '../../scripts/backup/core/manifest.js';
import { harness } from './harness/context.js';
import { FIXTURE_LINE, useFixtureInstance } from './harness/fixture.js';
import { runScript, urlOf } from './harness/scripts.js';
import { adminToken, getJson } from './http.js';

const fixture = useFixtureInstance({ name: 'backup' });
const work = path.join(testRunsDir, 'backup-work');
const backupDir = path.join(work, 'backup');
const restoredRoot = path.join(work, 'restored-uploads');
const suffix = `${Date.now().toString(36)}`;
const restoredName = `gw_test_backup_restored_${suffix}`;
const refusedName = `gw_test_backup_refused_${suffix}`;
const FILE_TEXT = 'a file that must survive the restore\n';

/** A task created over HTTP by the admin: Directus writes it with its activity and revision in one transaction. */
const addTask = async (title: string) =>
  (await fixture.ok<{ id: string }>(fixture.admin, 'POST', '/items/tasks', { title, project: fixture.project })).id;

const count = async (sql: Knex, table: string) => Number((await sql(table).count({ n: '*' }))[0]!.n);

async function databaseExists(name: string): Promise<boolean> {
  const { server } = harness();
  return withClient({ ...server, database: 'postgres' }, async (client) =>
    Boolean((await client.query('select 1 from pg_database where datname = $1', [name])).rowCount),
  );
}

let fileId: string;
let knownTask: string;
let before: number;
let after: number;
let written = 0;
let backup: { code: number | null; output: string };
let manifest: Manifest;
let restore: { code: number | null; output: string };
let restoredDb: PgConnection;
let restoredSql: Knex;
let restored: DirectusInstance | undefined;

beforeAll(async () => {
  rmSync(work, { recursive: true, force: true });
  mkdirSync(work, { recursive: true });
  const form = new FormData();
  form.append('file', new Blob([FILE_TEXT], { type: 'text/plain' }), 'kept.txt');
  const upload = await getJson(`${fixture.instance.baseUrl}/files`, {
    method: 'POST',
    headers: { authorization: `Bearer ${fixture.admin}` },
    body: form,
  });
  expect(upload.status).toBe(200);
  fileId = (upload.body.data as { id: string }).id;
  knownTask = await addTask('known task before the backup');
  for (let index = 0; index < 20; index++) await addTask(`seed ${index}`);

  // Writes run from before the backup process starts until after it has finished.
  let writing = true;
  const writer = (async () => {
    while (writing) {
      await addTask(`written during the backup ${written}`);
      written++;
    }
  })();
  before = await count(fixture.sql, 'tasks');
  backup = await runScript('backup', [
    '--out',
    backupDir,
    '--database-url',
    urlOf(fixture.db),
    '--storage-root',
    fixture.instance.env.STORAGE_LOCAL_ROOT as string,
  ]);
  // Counted as soon as the backup has exited, while the writes still go on.
  after = await count(fixture.sql, 'tasks');
  writing = false;
  await writer;
  if (backup.code !== 0) throw new Error(`npm run backup failed:\n${backup.output}`);
  const parsed = parseManifest(readFileSync(path.join(backupDir, 'manifest.json'), 'utf8'));
  if (!parsed.ok) throw new Error(parsed.problems.join('\n'));
  manifest = parsed.value;

  restore = await runScript('restore', [
    '--from',
    backupDir,
    '--database-url',
    urlOf({ ...harness().server, database: restoredName }),
    '--storage-root',
    restoredRoot,
  ]);
  if (restore.code !== 0) throw new Error(`npm run restore failed:\n${restore.output}`);
  restoredDb = { ...harness().server, database: restoredName };
  restoredSql = knexFactory({ client: 'pg', connection: { ...restoredDb }, pool: { min: 0, max: 2 } });
}, 300_000);

afterAll(async () => {
  await restored?.stop();
  await restoredSql?.destroy();
  for (const name of [restoredName, refusedName]) await dropDatabase(harness().server, name);
  rmSync(work, { recursive: true, force: true });
});

describe('npm run backup under write load', () => {
  it('prints its progress and takes one snapshot inside the write window', () => {
    expect(backup.output).toMatch(/snapshot \S+ exported/);
    expect(backup.output).toMatch(/dump written: .* tables, .* rows in the snapshot/);
    expect(backup.output).toMatch(/manifest written/);
    // Tasks were created between the start of the backup process and its snapshot, and between the snapshot and
    // the end of the backup (while pg_dump and the file copy ran): none of the latter is in the dump.
    expect(written).toBeGreaterThan(3);
    const inSnapshot = manifest.tables['public.tasks']!;
    expect(inSnapshot).toBeGreaterThan(before);
    expect(inSnapshot).toBeLessThan(after);
  });

  it('records versions, both ledgers and the checksum of the dump and of every file', () => {
    expect(manifest.directus).toBe('11.17.4');
    expect(manifest.ledgers.platform.length).toBeGreaterThan(0);
    expect(manifest.ledgers.domain.length).toBeGreaterThan(0);
    expect(manifest.dump.sha256).toMatch(/^[0-9a-f]{64}$/);
    const diskName = manifest.storage.files.map((file) => file.path).find((name) => name.startsWith(fileId));
    expect(diskName).toBeDefined();
    expect(manifest.storage.missing).toEqual([]);
  });
});

describe('npm run restore into a new database and storage root', () => {
  it('verifies and prints what it did', () => {
    expect(restore.output).toMatch(/checksums match the manifest/);
    expect(restore.output).toMatch(/created database gw_test_backup_restored_/);
    expect(restore.output).toMatch(/verified: \d+ tables with [\d,]+ rows as in the manifest/);
  });

  it('holds the snapshot: row counts of every table equal the manifest, each task with its activity', async () => {
    for (const [table, expected] of Object.entries(manifest.tables)) {
      const [schema, name] = table.split('.') as [string, string];
      expect({ table, rows: await count(restoredSql, `${schema}.${name}`) }).toEqual({ table, rows: expected });
    }
    const tasks = await count(restoredSql, 'tasks');
    const created = Number(
      (await restoredSql('directus_activity').where({ collection: 'tasks', action: 'create' }).count({ n: '*' }))[0]!.n,
    );
    expect(created).toBe(tasks);
  });

  it('restores the files with their checksums', async () => {
    const { createHash } = await import('node:crypto');
    for (const file of manifest.storage.files) {
      const bytes = readFileSync(path.join(restoredRoot, ...file.path.split('/')));
      expect({ path: file.path, sha256: createHash('sha256').update(bytes).digest('hex') }).toEqual({
        path: file.path,
        sha256: file.sha256,
      });
    }
  });

  it('gives a database a Directus starts on: ready, with the known item and the uploaded file', async () => {
    restored = await startInstance({
      db: restoredDb,
      name: 'backup-restored',
      env: { GROUNDWORK_SNAPSHOTS_DIR: FIXTURE_LINE, STORAGE_LOCAL_ROOT: restoredRoot },
      shipped: ['platform'],
      testExtensions: ['groundwork-fixture'],
    });
    const ready = await getJson(`${restored.baseUrl}/groundwork/v1/health/ready`);
    expect(ready.status).toBe(200);
    const token = await adminToken(restored.baseUrl);
    const task = await getJson(`${restored.baseUrl}/items/tasks/${knownTask}`, {
      headers: { authorization: `Bearer ${token}` },
    });
    expect(task.status).toBe(200);
    expect(task.body.data).toMatchObject({ id: knownTask, title: 'known task before the backup' });
    const asset = await fetch(`${restored.baseUrl}/assets/${fileId}`, {
      headers: { authorization: `Bearer ${token}` },
    });
    expect(asset.status).toBe(200);
    expect(await asset.text()).toBe(FILE_TEXT);
  });
});

describe('restore refuses', () => {
  it('a tampered dump or file, before it touches anything', async () => {
    for (const tamper of ['database.dump', `files/${manifest.storage.files[0]!.path}`]) {
      const copy = path.join(work, 'tampered');
      rmSync(copy, { recursive: true, force: true });
      cpSync(backupDir, copy, { recursive: true });
      const target = path.join(copy, ...tamper.split('/'));
      const fd = openSync(target, 'r+');
      writeSync(fd, Buffer.from('X'), 0, 1, 0);
      closeSync(fd);
      const storage = path.join(work, 'refused-uploads');
      const result = await runScript('restore', [
        '--from',
        copy,
        '--database-url',
        urlOf({ ...harness().server, database: refusedName }),
        '--storage-root',
        storage,
      ]);
      expect(result.code).toBe(1);
      expect(result.output).toMatch(/backup refused: it does not match its manifest \(nothing was restored\)/);
      expect(result.output).toContain(`${tamper}: sha256`);
      expect(await databaseExists(refusedName)).toBe(false);
      expect(existsSync(storage)).toBe(false);
    }
  });

  it('a target database that is not empty', async () => {
    const result = await runScript('restore', [
      '--from',
      backupDir,
      '--database-url',
      urlOf(fixture.db),
      '--storage-root',
      path.join(work, 'refused-uploads'),
    ]);
    expect(result.code).toBe(1);
    expect(result.output).toMatch(/restore refused: the target database is not empty/);
    expect(result.output).toContain(`database "${fixture.db.database}" is not empty`);
  });
});
