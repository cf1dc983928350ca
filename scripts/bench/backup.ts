// `npm run bench:backup`: what `npm run backup` and `npm run restore` cost over the bare tools, in one run. A throwaway
// database gets --rows rows in `bench_items` and twice that in `bench_events` (generate_series, no Directus), and a
// storage folder --files files of --file-kb KB. Baseline: pg_dump -Fc, pg_restore --single-transaction into a new
// database, and a plain copy of the folder. Then ours: backup (snapshot export, row counts in the snapshot, sha256 of
// everything) and restore (checksums first, then pg_restore, copy, counts and checksums verified). Options: --rows N
// (default 1000000), --files N (200), --file-kb N (256), --smoke (1000 rows, 5 files of 4 KB, for CI). Database
// server: BENCH_DATABASE_URL, else the embedded PostgreSQL (which needs a pg_dump of its major: docs/operations.md).
import { randomBytes } from 'node:crypto';
import { cpSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { runBackup } from '../backup/backup.js';
import { formatBytes } from '../backup/core/manifest.js';
import { serverMajor } from '../backup/core/tools.js';
import { serverVersion } from '../backup/database.js';
import { findTool, runTool } from '../backup/pg-tools.js';
import { runRestore } from '../backup/restore.js';
import { createTestDatabase, testRunsDir } from '../lib/instance.js';
import { step } from '../lib/log.js';
import { dropDatabase, ensureDatabase, toolServer, withClient } from '../lib/postgres.js';
import { readBenchOptions, SMOKE_NOTE, wholeNumber } from './lib/options.js';

const SCOPE = 'bench';
const { smoke, values } = readBenchOptions({
  rows: { full: '1000000', smoke: '1000' },
  files: { full: '200', smoke: '5' },
  'file-kb': { full: '256', smoke: '4' },
});
const rows = wholeNumber('rows', values.rows);
const fileCount = wholeNumber('files', values.files, 0);
const fileKb = wholeNumber('file-kb', values['file-kb']);

const { server, stop } = await toolServer({
  url: process.env.BENCH_DATABASE_URL,
  dataDirName: 'bench-postgres',
  port: 5459,
  scope: SCOPE,
});
const work = path.join(testRunsDir, 'bench-backup');
rmSync(work, { recursive: true, force: true });
const source = await createTestDatabase(server, 'backup_src');
const databases = [source.database];
const quiet = () => undefined;
const seconds = (ms: number) => (ms / 1000).toFixed(2);

async function timed<T>(run: () => Promise<T>): Promise<{ ms: number; value: T }> {
  const started = Date.now();
  const value = await run();
  return { ms: Date.now() - started, value };
}

try {
  const version = await withClient(source, async (client) => {
    await client.query(`create table bench_items (id uuid primary key default gen_random_uuid(), subject text not null,
      status text not null, details jsonb, date_created timestamptz not null default now())`);
    await client.query(`create table bench_events (id bigint generated always as identity primary key,
      item uuid not null references bench_items (id), body text not null, date_created timestamptz not null default now())`);
    await client.query(
      `insert into bench_items (subject, status, details)
         select 'subject ' || g, (array['open','pending','solved'])[1 + g % 3], jsonb_build_object('n', g, 'tags', array['a','b'])
           from generate_series(1, $1) g`,
      [rows],
    );
    await client.query(
      `insert into bench_events (item, body) select id, repeat('message body ', 8) from bench_items, generate_series(1, 2)`,
    );
    await client.query('analyze');
    return serverVersion(client);
  });
  const uploads = path.join(work, 'uploads');
  mkdirSync(uploads, { recursive: true });
  for (let index = 0; index < fileCount; index++) {
    writeFileSync(path.join(uploads, `${index.toString().padStart(5, '0')}.bin`), randomBytes(fileKb * 1024));
  }
  const size = await withClient(source, async (client) =>
    Number((await client.query('select pg_database_size(current_database()) as size')).rows[0].size),
  );
  step(
    SCOPE,
    `PostgreSQL ${version.version}; database of ${rows.toLocaleString('en-US')} + ${(rows * 2).toLocaleString('en-US')} ` +
      `rows (${formatBytes(size)}), ${fileCount} files of ${fileKb} KB`,
  );

  // Baseline: the bare tools.
  const pgDump = findTool('pg_dump', serverMajor(version.num), 'the benchmark');
  const pgRestore = findTool('pg_restore', pgDump.major, 'the benchmark');
  const plainDump = path.join(work, 'plain.dump');
  const dump = await timed(() =>
    runTool(pgDump, ['--format=custom', `--file=${plainDump}`], { connection: source, log: quiet }),
  );
  const plainTarget = { ...server, database: `${source.database}_plain` };
  databases.push(plainTarget.database);
  await ensureDatabase(server, plainTarget.database);
  const restore = await timed(() =>
    runTool(
      pgRestore,
      [
        '--exit-on-error',
        '--single-transaction',
        '--no-owner',
        '--no-privileges',
        `--dbname=${plainTarget.database}`,
        plainDump,
      ],
      { connection: plainTarget, log: quiet },
    ),
  );
  const copy = await timed(async () => cpSync(uploads, path.join(work, 'plain-copy'), { recursive: true }));

  // Ours.
  const out = path.join(work, 'backup');
  const backup = await timed(() => runBackup({ connection: source, out, storageRoot: uploads, log: quiet }));
  const target = { ...server, database: `${source.database}_restored` };
  databases.push(target.database);
  const restored = await timed(() =>
    runRestore({ from: out, connection: target, storageRoot: path.join(work, 'restored'), log: quiet }),
  );

  const baseBackup = dump.ms + copy.ms;
  const baseRestore = restore.ms + copy.ms;
  console.log('');
  console.log('| step    | bare tools (pg_dump/pg_restore + copy) s | npm run backup/restore s | ratio |');
  console.log('| ------- | ---------------------------------------- | ------------------------ | ----- |');
  console.log(
    `| backup  | ${seconds(baseBackup)} | ${seconds(backup.ms)} | ${(backup.ms / Math.max(1, baseBackup)).toFixed(2)} |`,
  );
  console.log(
    `| restore | ${seconds(baseRestore)} | ${seconds(restored.ms)} | ${(restored.ms / Math.max(1, baseRestore)).toFixed(2)} |`,
  );
  console.log('');
  step(SCOPE, `restore verified ${Object.keys(restored.value.tables).length} tables and ${restored.value.files} files`);
} finally {
  for (const database of databases) await dropDatabase(server, database);
  rmSync(work, { recursive: true, force: true });
  await stop();
}
if (smoke) console.log(SMOKE_NOTE);
process.exit(0);
