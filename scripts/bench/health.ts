// `npm run bench:health`: our readiness and liveness routes against Directus's own /server/ping, in one run on one
// Directus. Readiness does real work (a Postgres round trip); ping is the floor of what Directus can answer.
// Options: --duration S (default 10), --connections N,N (default 10,50), --smoke (1 s at 2 connections, for CI).
// Database: BENCH_DATABASE_URL, else the embedded PostgreSQL (a throwaway database either way).
import { step } from '../lib/log.js';
import { startInstance } from '../lib/instance.js';
import { runLoad, type LoadResult } from './lib/load.js';
import { readBenchOptions, SMOKE_NOTE, wholeNumber } from './lib/options.js';
import { formatTable } from './lib/stats.js';
import { rssMb } from './lib/http.js';
import { benchServer } from './lib/server.js';

const SCOPE = 'bench';
const { smoke, values } = readBenchOptions({
  duration: { full: '10', smoke: '1' },
  connections: { full: '10,50', smoke: '2' },
});
const durationSeconds = wholeNumber('duration', values.duration);
const concurrencies = values.connections.split(',').map((value) => wholeNumber('connections', value));
const warmUpSeconds = Math.min(2, durationSeconds);

const bench = await benchServer(SCOPE);
const db = await bench.database('bench');
// Directus's pressure limiter answers 503 once the event loop saturates; off here, so the figures show each
// route's cost rather than where shedding starts. Rate limiter off; LOG_LEVEL=warn so request logs do not dominate.
step(SCOPE, `booting Directus on ${db.database} (rate and pressure limiters off, LOG_LEVEL=warn)`);
const instance = await startInstance({
  db,
  name: 'bench-health',
  bootstrap: true,
  env: { LOG_LEVEL: 'warn', PRESSURE_LIMITER_ENABLED: 'false' },
});

const targets = [
  { label: 'GET /server/ping (Directus, before its middleware)', path: '/server/ping' },
  { label: 'GET /server/health (Directus’s own health check)', path: '/server/health' },
  { label: 'GET /groundwork/v1/health/live', path: '/groundwork/v1/health/live' },
  { label: 'GET /groundwork/v1/health/ready (Postgres round trip)', path: '/groundwork/v1/health/ready' },
];

const results: LoadResult[] = [];
const memory: Array<[string, number]> = [['after boot', rssMb(instance.process.pid)]];
try {
  for (const connections of concurrencies) {
    for (const target of targets) {
      const url = `${instance.baseUrl}${target.path}`;
      step(SCOPE, `${target.label}: warm-up ${warmUpSeconds} s`);
      await runLoad({ label: target.label, url, connections, durationSeconds: warmUpSeconds });
      step(SCOPE, `${target.label}: ${durationSeconds} s at ${connections} connections`);
      const result = await runLoad({ label: target.label, url, connections, durationSeconds });
      results.push(result);
      memory.push([`after ${target.path}, c=${connections}`, rssMb(instance.process.pid)]);
      step(SCOPE, `${result.requestsPerSecond} req/s, p50 ${result.p50Ms} ms, p95 ${result.p95Ms} ms`);
    }
  }
} finally {
  await instance.stop();
  await bench.close();
}

console.log('');
console.log(
  formatTable(
    ['route', 'connections', 'req/s', 'p50 ms', 'p95 ms', 'p99 ms', 'non-2xx', 'errors'],
    results.map((r) => [r.label, r.connections, r.requestsPerSecond, r.p50Ms, r.p95Ms, r.p99Ms, r.non2xx, r.errors]),
  ),
);
console.log('');
console.log(formatTable(['Directus RSS', 'MiB'], memory));
for (const connections of concurrencies) {
  const at = (path: string) => results.find((r) => r.connections === connections && r.label.includes(path));
  const ping = at('/server/ping');
  const health = at('/server/health');
  const ready = at('/health/ready');
  if (ping && health && ready) {
    const share = (of: LoadResult) => Math.round((ready.requestsPerSecond / of.requestsPerSecond) * 100);
    console.log(
      `c=${connections}: readiness serves ${share(ping)}% of /server/ping's and ${share(health)}% of /server/health's throughput`,
    );
  }
}
const failed = results.filter((r) => r.non2xx > 0 || r.errors > 0);
if (failed.length > 0) {
  for (const r of failed)
    console.error(`${r.label} c=${r.connections}: ${JSON.stringify(r.statusCodes)}, ${r.errors} errors`);
  console.error('some requests failed: the figures above are not valid');
  process.exit(1);
}
if (smoke) console.log(SMOKE_NOTE);
