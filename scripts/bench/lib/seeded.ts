// The service-desk data the read benches share: a database migrated to the latest versions, the demo set (with its
// attachments under `storageRoot`) and `tickets` more tickets of one message each (or `messagesPerTicket`), then each bench's own preparation
// and a `vacuum analyze` of the tables it reads, so plans are made on current statistics.
import type pg from 'pg';
import { buildDemo, DEMO_PASSWORD, type DemoData } from '../../../extensions/service-desk/seed/core/demo.js';
import { bulkTickets, ensureDemoData } from '../../../extensions/service-desk/seed/database.js';
import { step } from '../../lib/log.js';
import { withClient, type PgConnection } from '../../lib/postgres.js';
import { migrateDatabase } from '../../snapshots/instance.js';

export interface SeededServiceDesk {
  data: DemoData;
  /** The bulk seed's own figures. */
  seeded: { tickets: number; messages: number; elapsedMs: number };
}

export async function seedServiceDesk(
  db: PgConnection,
  options: {
    scope: string;
    tickets: number;
    /** Messages per bulk ticket; 1 unless given. */
    messagesPerTicket?: number;
    storageRoot: string;
    /** Runs after the seed, before the analyze (rewrites, dropped indexes, timings). */
    prepare?: (client: pg.Client, seeded: SeededServiceDesk) => Promise<void>;
    /** Tables to `vacuum analyze` last; tickets and ticket_messages unless given. */
    analyze?: string[];
  },
): Promise<SeededServiceDesk> {
  const { scope, tickets, storageRoot } = options;
  step(scope, `migrating ${db.database} to the latest version`);
  await migrateDatabase(db, { log: (message) => step(scope, `migrate: ${message}`) });
  const data = buildDemo();
  return withClient(db, async (client) => {
    await ensureDemoData(client, data, DEMO_PASSWORD, storageRoot);
    const messagesPerTicket = options.messagesPerTicket ?? 1;
    step(scope, `seeding ${tickets.toLocaleString('en-US')} tickets, ${messagesPerTicket} message(s) each`);
    const result = {
      data,
      seeded: await bulkTickets(client, data, tickets, { messagesPerTicket, progress: (line) => step(scope, line) }),
    };
    await options.prepare?.(client, result);
    for (const table of options.analyze ?? ['tickets', 'ticket_messages'])
      await client.query(`vacuum analyze ${table}`);
    return result;
  });
}
