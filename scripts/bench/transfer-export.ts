// `npm run bench:transfer-export` (issue 11, Export benchmark): a CSV export of N tickets with three relational fields
// (organization.name, requester.email, assignee.email), as an agent, through our GET /groundwork/v1/exports/tickets
// and through Directus's own GET /items/tickets?export=csv&limit=-1, in one run on one Directus. A throwaway database
// is migrated to the latest version and seeded with the demo set plus N tickets (`npm run seed -- --tickets N`'s
// code). For each route: rows/s (rows in the file over the time to the last byte) and the growth of the Directus
// process's resident memory, sampled every 50 ms from /proc, over its value just before the request. Ours runs first,
// so Directus's buffered export cannot leave our measurement a warmer heap.
// Options: --tickets N (default 200000), --smoke (500 tickets, for CI). Database server: BENCH_DATABASE_URL, else the
// embedded PostgreSQL.
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { buildDemo, DEMO_PASSWORD } from '../../extensions/service-desk/seed/core/demo.js';
import { bulkTickets, ensureDemoData } from '../../extensions/service-desk/seed/database.js';
import { step } from '../lib/log.js';
import { withClient } from '../lib/postgres.js';
import { migrateDatabase, startMigratedInstance } from '../snapshots/instance.js';
import { json, rssPeakSampler } from './lib/http.js';
import { readBenchOptions, SMOKE_NOTE, wholeNumber } from './lib/options.js';
import { formatTable } from './lib/stats.js';
import { benchServer } from './lib/server.js';

const SCOPE = 'bench';
const { smoke, values } = readBenchOptions({ tickets: { full: '200000', smoke: '500' } });
const ticketCount = wholeNumber('tickets', values.tickets);
const FIELDS = 'id,number,subject,status,priority,organization.name,requester.email,assignee.email';

interface Measured {
  route: string;
  rows: number;
  bytes: number;
  seconds: number;
  firstByteMs: number;
  rssBeforeMb: number;
  rssPeakMb: number;
  /** Which read path served our export (x-groundwork-export-read: sql or items, decision 0060); '-' for Directus. */
  readPath: string;
}

/** Downloads `url`, counting lines and bytes as they come, while sampling the server's RSS. */
async function measure(route: string, url: string, token: string, pid: number | undefined): Promise<Measured> {
  const rss = rssPeakSampler(pid);
  const rssBeforeMb = rss.before;
  let rssPeakMb = rssBeforeMb;
  const started = performance.now();
  let firstByteMs = 0;
  let bytes = 0;
  let newlines = 0;
  let lastByte = 10;
  let readPath = '-';
  try {
    const response = await fetch(url, { headers: { authorization: `Bearer ${token}` } });
    if (!response.ok) throw new Error(`GET ${url}: ${response.status} ${await response.text()}`);
    readPath = response.headers.get('x-groundwork-export-read') ?? '-';
    for await (const chunk of response.body as unknown as AsyncIterable<Uint8Array>) {
      if (!firstByteMs) firstByteMs = performance.now() - started;
      bytes += chunk.length;
      for (const byte of chunk) if (byte === 10) newlines += 1;
      if (chunk.length > 0) lastByte = chunk[chunk.length - 1]!;
    }
  } finally {
    rssPeakMb = rss.stop();
  }
  // Lines (the last may lack its newline) less the header; no seeded subject holds a newline.
  return {
    route,
    rows: newlines + (lastByte === 10 ? 0 : 1) - 1,
    bytes,
    seconds: (performance.now() - started) / 1000,
    firstByteMs,
    rssBeforeMb,
    rssPeakMb,
    readPath,
  };
}

const bench = await benchServer(SCOPE);
const db = await bench.database('bench_transfer_export');
const storageRoot = mkdtempSync(path.join(os.tmpdir(), 'groundwork-bench-storage-'));
const results: Measured[] = [];
let ticketsInDb = 0;
let instance: Awaited<ReturnType<typeof startMigratedInstance>> | undefined;
try {
  step(SCOPE, `migrating ${db.database} to the latest version`);
  await migrateDatabase(db, { log: (message) => step(SCOPE, `migrate: ${message}`) });
  const data = buildDemo();
  let agentEmail = '';
  await withClient(db, async (client) => {
    await ensureDemoData(client, data, DEMO_PASSWORD, storageRoot);
    step(SCOPE, `seeding ${ticketCount.toLocaleString('en-US')} tickets`);
    await bulkTickets(client, data, ticketCount, { progress: (line) => step(SCOPE, line) });
    await client.query('vacuum analyze tickets');
    ticketsInDb = Number((await client.query('select count(*) as n from tickets')).rows[0].n);
    agentEmail = (
      await client.query(
        `select u.email from directus_users u join directus_roles r on r.id = u.role where r.name = 'Agent' limit 1`,
      )
    ).rows[0].email as string;
  });

  // QUERY_LIMIT_MAX is 500 in the security baseline; unset here so Directus's limit=-1 exports every row, as in the
  // issue's anchor. Our route does not read it (decision 0043).
  step(SCOPE, 'booting Directus (rate and pressure limiters off, QUERY_LIMIT_MAX=-1, LOG_LEVEL=warn)');
  instance = await startMigratedInstance({
    db,
    name: 'bench-transfer-export',
    env: {
      LOG_LEVEL: 'warn',
      PRESSURE_LIMITER_ENABLED: 'false',
      QUERY_LIMIT_MAX: '-1',
      STORAGE_LOCAL_ROOT: storageRoot,
    },
  });
  const base = instance.baseUrl;
  const token = (
    await json(`${base}/auth/login`, {
      method: 'POST',
      body: JSON.stringify({ email: agentEmail, password: DEMO_PASSWORD }),
    })
  ).access_token as string;
  const pid = instance.process.pid;
  // A small warm-up of each route, so the first measured request does not pay for loading code.
  const ours = (limit: string) =>
    `${base}/groundwork/v1/exports/tickets?${new URLSearchParams({ format: 'csv', fields: FIELDS, limit })}`;
  const directus = (limit: string) =>
    `${base}/items/tickets?${new URLSearchParams({ export: 'csv', fields: FIELDS, limit })}`;
  await measure('warm-up', ours('100'), token, pid);
  await measure('warm-up', directus('100'), token, pid);
  for (const [route, url] of [
    ['ours: /groundwork/v1/exports/tickets?format=csv', ours('-1')],
    ['Directus: /items/tickets?export=csv&limit=-1', directus('-1')],
  ] as const) {
    step(SCOPE, `exporting through ${route}`);
    const result = await measure(route, url, token, pid);
    results.push(result);
    step(SCOPE, `${route}: ${result.rows} rows in ${result.seconds.toFixed(1)} s`);
  }
} finally {
  await instance?.stop();
  await bench.close();
  rmSync(storageRoot, { recursive: true, force: true });
}

console.log('');
console.log(`${ticketsInDb.toLocaleString('en-US')} tickets, CSV, fields ${FIELDS}, as an agent`);
console.log(
  formatTable(
    ['route', 'read path', 'rows', 'MB', 's', 'first byte ms', 'rows/s', 'RSS before MiB', 'RSS growth MiB'],
    results.map((r) => [
      r.route,
      r.readPath,
      r.rows,
      (r.bytes / 1e6).toFixed(1),
      r.seconds.toFixed(2),
      Math.round(r.firstByteMs),
      Math.round(r.rows / r.seconds),
      Math.round(r.rssBeforeMb),
      Math.round(r.rssPeakMb - r.rssBeforeMb),
    ]),
  ),
);
const wrong = results.filter((r) => r.rows !== ticketsInDb);
if (wrong.length > 0) {
  for (const r of wrong) console.error(`${r.route}: ${r.rows} rows, expected ${ticketsInDb}`);
  console.error('the run is not valid: a route did not export every ticket');
  process.exit(1);
}
if (smoke) console.log(SMOKE_NOTE);
process.exit(0);
