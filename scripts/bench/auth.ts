// `npm run bench:auth`: the cost of refusing access tokens of inactive users (extensions/platform/src/users/
// revocation.ts, one primary-key read per request that carries a JWT). Baseline in the same run: the same
// database and request on a Directus without our extensions. Request: GET /users/me?fields=id with an admin JWT.
// Options: --duration S (default 10), --connections N (default 10), --rounds N (default 2), --smoke (one round of
// 1 s at 2 connections, for CI). Database: BENCH_DATABASE_URL, else the embedded PostgreSQL (throwaway database).
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { step } from '../lib/log.js';
import { startInstance, TEST_ADMIN } from '../lib/instance.js';
import { runLoad, type LoadResult } from './lib/load.js';
import { readBenchOptions, SMOKE_NOTE, wholeNumber } from './lib/options.js';
import { formatTable } from './lib/stats.js';
import { benchServer } from './lib/server.js';

const SCOPE = 'bench';
const { smoke, values } = readBenchOptions({
  duration: { full: '10', smoke: '1' },
  connections: { full: '10', smoke: '2' },
  rounds: { full: '2', smoke: '1' },
});
const durationSeconds = wholeNumber('duration', values.duration);
const connections = wholeNumber('connections', values.connections);
const rounds = wholeNumber('rounds', values.rounds);

const bench = await benchServer(SCOPE);
const db = await bench.database('bench_auth');
const noExtensions = mkdtempSync(path.join(os.tmpdir(), 'groundwork-no-extensions-'));
const env = { LOG_LEVEL: 'warn', PRESSURE_LIMITER_ENABLED: 'false' };
const variants = [
  { label: 'Directus alone (no extensions)', env: { ...env, EXTENSIONS_PATH: noExtensions } },
  { label: 'with Groundwork (status check per JWT)', env },
];

async function waitForPing(baseUrl: string): Promise<void> {
  const deadline = Date.now() + 60_000;
  for (;;) {
    const ok = await fetch(`${baseUrl}/server/ping`).then(
      (response) => response.ok,
      () => false,
    );
    if (ok) return;
    if (Date.now() > deadline) throw new Error(`${baseUrl} did not answer /server/ping within 60 s`);
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

const results: LoadResult[] = [];
try {
  let bootstrap = true;
  // Rounds alternate the variants, so a change in the machine's load shows as a spread instead of a false difference.
  for (let round = 1; round <= rounds; round += 1) {
    for (const variant of variants) {
      step(SCOPE, `round ${round}: ${variant.label}`);
      // Our readiness route is what startInstance waits for; without extensions, wait for Directus's ping.
      const instance = await startInstance({ db, name: 'bench-auth', bootstrap, env: variant.env, waitReady: false });
      bootstrap = false;
      await waitForPing(instance.baseUrl);
      try {
        const login = await fetch(`${instance.baseUrl}/auth/login`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify(TEST_ADMIN),
        });
        const token = ((await login.json()) as { data: { access_token: string } }).data.access_token;
        const load = {
          label: `${variant.label}, round ${round}`,
          url: `${instance.baseUrl}/users/me?fields=id`,
          connections,
          headers: { authorization: `Bearer ${token}` },
        };
        await runLoad({ ...load, durationSeconds: Math.min(2, durationSeconds) });
        const result = await runLoad({ ...load, durationSeconds });
        results.push(result);
        step(SCOPE, `${result.requestsPerSecond} req/s, p50 ${result.p50Ms} ms, p95 ${result.p95Ms} ms`);
      } finally {
        await instance.stop();
      }
    }
  }
} finally {
  await bench.close();
  rmSync(noExtensions, { recursive: true, force: true });
}

console.log('');
console.log(
  formatTable(
    ['GET /users/me?fields=id', 'connections', 'req/s', 'p50 ms', 'p95 ms', 'p99 ms', 'non-2xx', 'errors'],
    results.map((r) => [r.label, r.connections, r.requestsPerSecond, r.p50Ms, r.p95Ms, r.p99Ms, r.non2xx, r.errors]),
  ),
);
const mean = (label: string) => {
  const rows = results.filter((r) => r.label.startsWith(label));
  return rows.reduce((sum, r) => sum + r.requestsPerSecond, 0) / rows.length;
};
const [alone, ours] = variants.map((variant) => mean(variant.label));
console.log(
  `\nwith Groundwork: ${Math.round((ours! / alone!) * 100)}% of Directus alone's throughput (mean of ${rounds} rounds)`,
);
if (results.some((r) => r.non2xx > 0 || r.errors > 0)) {
  console.error('some requests failed: the figures above are not valid');
  process.exit(1);
}
if (smoke) console.log(SMOKE_NOTE);
