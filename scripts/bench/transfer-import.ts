// `npm run bench:transfer-import` (issue 11, import): a ticket CSV imported through POST /groundwork/v1/imports/tickets
// as the demo manager, organization by `domain` and requester by `email` (resolved in bulk), all checks on (hooks,
// permissions, validation, workflow), against Directus's own POST /utils/import/tickets on the same Directus in the
// same run. Directus's import is slow (342 rows/s measured), so its file is smaller (--baseline-rows, default 2,000)
// and has the foreign keys as ids (it has no natural keys). Also the dry run of a file of the same size.
// Then the same tickets as an XLSX workbook (--xlsx-rows, default 100,000) through our route, for its rows/s and the
// server's peak memory. Options: --rows N (default 20000), --baseline-rows N (default 2000), --xlsx-rows N (default
// 100000; 0 skips it), --smoke (300, 100 and 300 rows, for CI). RSS: the Directus process's peak growth, sampled
// every 50 ms.
// Database server: BENCH_DATABASE_URL, else the embedded PostgreSQL.
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import { buildDemo, DEMO_PASSWORD } from '../../extensions/service-desk/seed/core/demo.js';
import { ensureDemoData } from '../../extensions/service-desk/seed/database.js';
import { writeXlsx } from '../../extensions/platform/src/shared/xlsx.js';
import { step } from '../lib/log.js';
import { withClient, type PgConnection } from '../lib/postgres.js';
import { migrateDatabase, startMigratedInstance } from '../snapshots/instance.js';
import { json, rssPeakSampler } from './lib/http.js';
import { readBenchOptions, SMOKE_NOTE, wholeNumber } from './lib/options.js';
import { formatTable } from './lib/stats.js';
import { benchServer } from './lib/server.js';

const SCOPE = 'bench';
const { smoke, values } = readBenchOptions({
  rows: { full: '20000', smoke: '300' },
  'baseline-rows': { full: '2000', smoke: '100' },
  'xlsx-rows': { full: '100000', smoke: '300' },
});
const rowCount = wholeNumber('rows', values.rows);
const baselineRows = wholeNumber('baseline-rows', values['baseline-rows']);
const xlsxRows = wholeNumber('xlsx-rows', values['xlsx-rows'], 0);

async function sql<T = Record<string, unknown>>(db: PgConnection, text: string, params: unknown[] = []) {
  return withClient(db, async (client) => (await client.query(text, params)).rows as T[]);
}

const PRIORITIES = ['low', 'normal', 'high', 'urgent'];
type Customer = { email: string; id: string; domain: string; organization: string };
const HEADER = ['subject', 'description', 'priority', 'organization', 'requester'];
/** The file's rows after the header, the same for CSV and XLSX. */
function ticketRows(label: string, count: number, customers: Customer[], byKey: boolean): string[][] {
  return Array.from({ length: count }, (_, i) => {
    const who = customers[i % customers.length]!;
    return [
      `${label} ${i}: printer, tray ${i % 7}`,
      `Paper jam "again" on floor ${i % 9}`,
      PRIORITIES[i % 4]!,
      byKey ? who.domain : who.organization,
      byKey ? who.email : who.id,
    ];
  });
}
const csvCell = (cell: string) => (/[",\n]/.test(cell) ? `"${cell.replaceAll('"', '""')}"` : cell);
function ticketCsv(label: string, count: number, customers: Customer[], byKey: boolean): string {
  const lines = [HEADER, ...ticketRows(label, count, customers, byKey)].map((row) => row.map(csvCell).join(','));
  return `${lines.join('\n')}\n`;
}
/** The same rows as a workbook, through the project's own streaming writer (shared/xlsx.ts). */
async function ticketXlsx(label: string, count: number, customers: Customer[]): Promise<Buffer> {
  const chunks: Buffer[] = [];
  const out = new PassThrough();
  out.on('data', (chunk: Buffer) => chunks.push(chunk));
  await writeXlsx(out, 'tickets', HEADER, [ticketRows(label, count, customers, true)]);
  return Buffer.concat(chunks);
}

const XLSX_TYPE = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';
async function upload(url: string, token: string, file: string | Buffer, fields: Record<string, string> = {}) {
  const form = new FormData();
  for (const [key, value] of Object.entries(fields)) form.append(key, value);
  const csv = typeof file === 'string';
  form.append(
    'file',
    new Blob([typeof file === 'string' ? file : new Uint8Array(file)], { type: csv ? 'text/csv' : XLSX_TYPE }),
    csv ? 'tickets.csv' : 'tickets.xlsx',
  );
  const started = performance.now();
  const response = await fetch(url, { method: 'POST', headers: { authorization: `Bearer ${token}` }, body: form });
  const text = await response.text();
  const ms = performance.now() - started;
  const timings = response.headers.get('x-import-timings');
  if (timings) step(SCOPE, `time per phase so far (ms): ${timings}`);
  if (!response.ok) throw new Error(`POST ${url}: ${response.status} ${text.slice(0, 500)}`);
  return { ms, body: text ? (JSON.parse(text) as { data?: { written?: boolean; counts?: { errors: number } } }) : {} };
}

const bench = await benchServer(SCOPE);
const db = await bench.database('bench_transfer_import');
const storageRoot = mkdtempSync(path.join(os.tmpdir(), 'groundwork-bench-storage-'));
let instance: Awaited<ReturnType<typeof startMigratedInstance>> | undefined;
const rows: Array<Array<string | number>> = [];
try {
  step(SCOPE, `migrating ${db.database} to the latest version`);
  await migrateDatabase(db, { log: (message) => step(SCOPE, `migrate: ${message}`) });
  const data = buildDemo();
  await withClient(db, (client) => ensureDemoData(client, data, DEMO_PASSWORD, storageRoot));
  const customers = await sql<{ email: string; id: string; domain: string; organization: string }>(
    db,
    `select u.email, u.id, o.domain, o.id as organization from directus_users u
       join directus_roles r on r.id = u.role join organizations o on o.id = u.organization
      where r.name = 'Customer' order by u.email`,
  );
  const [manager] = await sql<{ email: string }>(
    db,
    `select u.email from directus_users u join directus_roles r on r.id = u.role where r.name = 'Manager' limit 1`,
  );

  step(SCOPE, 'booting Directus (rate and pressure limiters off, LOG_LEVEL=warn)');
  instance = await startMigratedInstance({
    db,
    name: 'bench-transfer-import',
    env: {
      LOG_LEVEL: 'warn',
      PRESSURE_LIMITER_ENABLED: 'false',
      STORAGE_LOCAL_ROOT: storageRoot,
      GROUNDWORK_IMPORT_MAX_BYTES: String(512 * 1024 * 1024),
      GROUNDWORK_IMPORT_PROFILE: '1',
    },
  });
  const base = instance.baseUrl;
  const token = (
    await json(`${base}/auth/login`, {
      method: 'POST',
      body: JSON.stringify({ email: manager!.email, password: DEMO_PASSWORD }),
    })
  ).access_token as string;
  const relations = JSON.stringify({ organization: 'domain', requester: 'email' });
  const ours = `${base}/groundwork/v1/imports/tickets`;
  // Warm-up: loads Directus's modules and the permission caches on both routes.
  await upload(ours, token, ticketCsv('warm-up', 10, customers, true), { relations, dry_run: 'true' });

  const countTickets = async () => Number((await sql<{ n: string }>(db, 'select count(*) as n from tickets'))[0]!.n);
  const measure = async (label: string, count: number, run: () => Promise<{ ms: number; body: unknown }>) => {
    const before = await countTickets();
    const rss = rssPeakSampler(instance?.process.pid);
    let peak = rss.before;
    const { ms, body } = await run().finally(() => {
      peak = rss.stop();
    });
    const written = (await countTickets()) - before;
    const rate = Math.round((count / ms) * 1000);
    step(SCOPE, `${label}: ${count} rows in ${Math.round(ms)} ms = ${rate} rows/s, ${written} written`);
    rows.push([label, count, Math.round(ms), rate, written, `${peak - rss.before}`]);
    return body;
  };

  const dry = (await measure('ours, dry run', rowCount, () =>
    upload(ours, token, ticketCsv('dry', rowCount, customers, true), { relations, dry_run: 'true' }),
  )) as { data: { counts: { errors: number; insert: number } } };
  if (dry.data.counts.errors !== 0 || dry.data.counts.insert !== rowCount) throw new Error('the dry run found errors');
  const real = (await measure('ours, import', rowCount, () =>
    upload(ours, token, ticketCsv('real', rowCount, customers, true), { relations }),
  )) as { data: { written: boolean } };
  if (!real.data.written) throw new Error('our import wrote nothing');
  await measure('Directus /utils/import', baselineRows, () =>
    upload(`${base}/utils/import/tickets`, token, ticketCsv('native', baselineRows, customers, false)),
  );
  if (xlsxRows > 0) {
    step(SCOPE, `writing a workbook of ${xlsxRows} tickets`);
    const workbook = await ticketXlsx('xlsx', xlsxRows, customers);
    step(SCOPE, `workbook: ${(workbook.length / 1024 / 1024).toFixed(1)} MiB`);
    const xlsx = (await measure('ours, XLSX import', xlsxRows, () => upload(ours, token, workbook, { relations }))) as {
      data: { written: boolean; counts: { errors: number } };
    };
    if (!xlsx.data.written) throw new Error(`the XLSX import wrote nothing: ${JSON.stringify(xlsx.data.counts)}`);
  }
} finally {
  await instance?.stop();
  await bench.close();
  rmSync(storageRoot, { recursive: true, force: true });
}

console.log('');
console.log(
  `Ticket CSV import as the demo manager (organization and requester by natural key for ours, by id for Directus)`,
);
console.log(formatTable(['route', 'rows', 'ms', 'rows/s', 'tickets written', 'peak RSS growth MiB'], rows));
const [dryRate, ourRate, theirRate] = [rows[0]![3], rows[1]![3], rows[2]![3]] as number[];
console.log(`import: ${(ourRate! / theirRate!).toFixed(1)}× Directus; dry run ${dryRate} rows/s`);
if (smoke) console.log(SMOKE_NOTE);
process.exit(0);
