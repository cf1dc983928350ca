// `npm run seed [-- --tickets N [--messages-per-ticket M]] [--database-url postgres://...] [--storage-root dir]`: writes the service-desk demo data set (demo
// only: every login shares one printed password) and, with --tickets, N extra tickets for benchmarks. Works on
// the database the snapshot commands use (--database-url, else DB_*, else the embedded PostgreSQL), offline:
// plain SQL, Directus need not run. The database must be migrated (`npm run migrate`). Idempotent: the demo set is
// written in one transaction and skipped when its first organization exists; --tickets always adds N (with M
// messages each, default 1).
import { parseArgs } from 'node:util';
import { ROLE, roles } from '../spec/service-desk/access.js';
import { step } from '../../../scripts/lib/log.js';
import { withClient } from '../../../scripts/lib/postgres.js';
import { parseTicketCount, rowsPerSecond } from './core/bulk.js';
import { buildDemo, DEMO_PASSWORD, demoLogins } from './core/demo.js';
import { readEnvFile } from '../../../scripts/lib/env-file.js';
import { bulkTickets, demoStorageRoot, ensureDemoData } from './database.js';
import { openTarget } from '../../../scripts/snapshots/connection.js';

const SCOPE = 'seed';
const { values } = parseArgs({
  options: {
    tickets: { type: 'string' },
    'messages-per-ticket': { type: 'string' },
    'batch-size': { type: 'string' },
    'database-url': { type: 'string' },
    'storage-root': { type: 'string' },
  },
});

let code = 0;
let target: Awaited<ReturnType<typeof openTarget>> | undefined;
try {
  const extra = parseTicketCount(values.tickets);
  const batchSize = values['batch-size'] ? parseTicketCount(values['batch-size']) : undefined;
  const messagesPerTicket = Number(values['messages-per-ticket'] ?? '1');
  if (!Number.isInteger(messagesPerTicket) || messagesPerTicket < 1)
    throw new Error(`--messages-per-ticket takes a whole number >= 1, got "${values['messages-per-ticket']}"`);
  target = await openTarget(values['database-url'], SCOPE);
  const { connection } = target;
  step(SCOPE, `database ${connection.database} on ${connection.host}:${connection.port}`);
  const data = buildDemo();
  const storageRoot = values['storage-root'] ?? demoStorageRoot({ ...process.env, ...readEnvFile() });
  await withClient(connection, async (client) => {
    const demo = await ensureDemoData(client, data, DEMO_PASSWORD, storageRoot);
    if (!demo.written) {
      step(SCOPE, 'demo data already present: nothing to add');
    } else {
      const summary = Object.entries(demo.counts)
        .map(([table, count]) => `${count} ${table}`)
        .join(', ');
      step(SCOPE, `demo data written in ${demo.ms} ms: ${summary}`);
    }
    step(SCOPE, `${demo.attachments} attachments in place (files in ${storageRoot})`);
    // Shown once: stored hashed; the next seed replaces it with a new one.
    step(
      SCOPE,
      `integration account API key (demo only, shown once, replaced by the next seed): ${demo.integrationKey}`,
    );
    step(SCOPE, `demo logins (demo only, never in production), password for all: ${DEMO_PASSWORD}`);
    for (const login of demoLogins(data)) {
      step(
        SCOPE,
        `  ${login.email.padEnd(34)} ${(roles.find((role) => role.id === ROLE[login.role])?.name ?? login.role).padEnd(15)} ${login.organization ?? ''}`.trimEnd(),
      );
    }
    if (extra > 0) {
      step(SCOPE, `adding ${extra.toLocaleString('en-US')} tickets (${messagesPerTicket} message(s) each)`);
      const result = await bulkTickets(client, data, extra, {
        batchSize,
        messagesPerTicket,
        progress: (line) => step(SCOPE, line),
      });
      const rate = (rows: number) => rowsPerSecond(rows, result.elapsedMs).toLocaleString('en-US');
      step(
        SCOPE,
        `added ${result.tickets.toLocaleString('en-US')} tickets and ${result.messages.toLocaleString('en-US')} messages in ${(result.elapsedMs / 1000).toFixed(1)} s: ` +
          `${rate(result.tickets)} tickets/s (${rate(result.tickets + result.messages)} rows/s with messages)`,
      );
    }
  });
} catch (error) {
  console.error(`[${SCOPE}] ${(error as Error).message}`);
  code = 1;
} finally {
  await target?.close();
}
process.exit(code);
