// The outbox's admin and housekeeping writes, shared by the jobs routes, the retention job and the medium tests.
import type { Knex } from 'knex';
import { EVENTS_CHANNEL } from './core/outbox.js';

/** A dead event, open again with fresh attempts; the NOTIFY wakes a dispatcher at commit. False: no such dead event. */
export async function retryDeadEvent(database: Knex, id: string): Promise<boolean> {
  return database.transaction(async (trx) => {
    const count = await trx('groundwork.domain_event')
      .where({ id })
      .whereNotNull('dead_at')
      .whereNull('dispatched_at')
      .update({ dead_at: null, attempts: 0, next_attempt_at: trx.fn.now(), locked_until: null });
    if (count === 1) await trx.raw('SELECT pg_notify(?, ?)', [EVENTS_CHANNEL, '']);
    return count === 1;
  });
}

/** A dead event given up for good (deleted). False: no such dead event. */
export async function discardDeadEvent(database: Knex, id: string): Promise<boolean> {
  return (await database('groundwork.domain_event').where({ id }).whereNotNull('dead_at').delete()) === 1;
}

/**
 * Deletes dispatched events older than `days`, `batchSize` rows per statement (short locks, bounded WAL), until
 * none is left. Open and dead events stay. Returns how many went.
 */
export async function deleteDispatchedEvents(database: Knex, days: number, batchSize = 1000): Promise<number> {
  let deleted = 0;
  for (;;) {
    const result = await database.raw<{ rowCount: number }>(
      `DELETE FROM groundwork.domain_event WHERE id IN (
         SELECT id FROM groundwork.domain_event
         WHERE dispatched_at IS NOT NULL AND dispatched_at < now() - make_interval(days => ?)
         LIMIT ?
       )`,
      [days, batchSize],
    );
    deleted += result.rowCount;
    if (result.rowCount < batchSize) return deleted;
  }
}
