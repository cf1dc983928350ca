// The events dispatcher on a real PostgreSQL, no Directus (decision 0025): claim, SKIP LOCKED between two
// dispatchers, order per item, retries with backoff, dead events and their retry, NOTIFY wake-up, drain, lease
// expiry, retention, the jobs-routes view of the outbox, and the upgrade from one pg-boss job per event.
import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import type { Knex } from 'knex';
import {
  EVENT_DISPATCH_SETTINGS,
  EVENTS_QUEUE,
  type DispatchSettings,
  type PublishedEvent,
} from '../../extensions/platform/src/events/core/outbox.js';
import { startEventDispatcher, type EventDispatcher } from '../../extensions/platform/src/events/dispatcher.js';
import { eventsInstallStatements } from '../../extensions/platform/src/events/install.js';
import {
  deleteDispatchedEvents,
  discardDeadEvent,
  retryDeadEvent,
} from '../../extensions/platform/src/events/store.js';
import { installDatabaseObjects } from '../../extensions/platform/src/jobs/install.js';
import { jobsAndEventsSql, toJobView, type JobRow } from '../../extensions/platform/src/jobs/core/view.js';
import {
  installPlatformSql,
  startPgBoss,
  throwawayDatabase,
  waitFor,
  type MediumDatabase,
} from './harness/database.js';

let db: MediumDatabase;
let sql: Knex;
const dispatchers: EventDispatcher[] = [];
const quiet = { info: () => undefined, warn: () => undefined, error: () => undefined };
const fast: DispatchSettings = {
  retryLimit: 3,
  retryDelay: 0,
  retryBackoff: false,
  retryDelayMax: 3600,
  expireInSeconds: 60,
};

beforeAll(async () => {
  db = await throwawayDatabase('events');
  sql = db.knex;
  await installPlatformSql(db);
});

afterEach(async () => {
  await Promise.all(dispatchers.splice(0).map((dispatcher) => dispatcher.stop(5000)));
  await sql('groundwork.domain_event').delete();
});

afterAll(async () => {
  await db?.drop();
});

async function publish(type: string, item: string, collection = 'things'): Promise<string> {
  const { rows } = await sql.raw<{ rows: Array<{ id: string }> }>(
    "SELECT groundwork_publish_event(?, ?, ?, NULL, '{}'::jsonb) AS id",
    [type, collection, item],
  );
  return rows[0]!.id;
}

function dispatcher(
  deliver: (event: PublishedEvent) => Promise<void>,
  options: {
    settings?: DispatchSettings;
    batchSize?: number;
    pollIntervalMs?: number;
    listen?: boolean;
    database?: Knex;
  } = {},
): EventDispatcher {
  const started = startEventDispatcher({
    database: options.database ?? sql,
    deliver,
    settings: options.settings ?? fast,
    batchSize: options.batchSize ?? 4,
    pollIntervalMs: options.pollIntervalMs ?? 50,
    listen: options.listen ?? false,
    logger: quiet,
    random: () => 0,
  });
  dispatchers.push(started);
  return started;
}

const rowsOf = (ids: string[]) =>
  sql('groundwork.domain_event')
    .whereIn('id', ids)
    .select('id', 'attempts', 'dispatched_at', 'dead_at', 'last_error', 'locked_until');
const allDispatched = (ids: string[]) => async () =>
  (await rowsOf(ids)).filter((row) => row.dispatched_at !== null).length === ids.length;
const until = async (check: () => Promise<boolean>, what: string, timeoutMs = 15_000) =>
  waitFor(check, (done) => done, timeoutMs, what);

describe('claim and dispatch', () => {
  it('runs every committed event once and stamps it dispatched', async () => {
    const ids = [
      await publish('thing.created', 'a'),
      await publish('thing.created', 'b'),
      await publish('thing.updated', 'c'),
    ];
    const seen: string[] = [];
    dispatcher(async (event) => {
      seen.push(event.id);
    });
    await until(allDispatched(ids), 'three events dispatched');
    expect(seen.sort()).toEqual([...ids].sort());
    expect((await rowsOf(ids)).every((row) => row.attempts === 1 && row.locked_until === null)).toBe(true);
  });

  it('never sees an event whose transaction rolled back', async () => {
    let rolledBack = '';
    await sql
      .transaction(async (trx) => {
        const { rows } = await trx.raw(
          "SELECT groundwork_publish_event('thing.created', 'things', 'r', NULL, NULL) AS id",
        );
        rolledBack = rows[0].id;
        throw new Error('roll back');
      })
      .catch(() => undefined);
    const committed = await publish('thing.created', 'r2');
    const seen: string[] = [];
    dispatcher(async (event) => {
      seen.push(event.id);
    });
    await until(allDispatched([committed]), 'committed event dispatched');
    expect(seen).toEqual([committed]);
    expect(await rowsOf([rolledBack])).toEqual([]);
  });
});

describe('two dispatchers (SKIP LOCKED)', () => {
  it('pass over a row another one holds, and the later events of its item', async () => {
    const held = await publish('thing.created', 'held');
    const after = await publish('thing.updated', 'held');
    const other = await publish('thing.created', 'free');
    // A claim in progress elsewhere: the row is locked until this transaction ends.
    const trx = await sql.transaction();
    await trx.raw('SELECT id FROM groundwork.domain_event WHERE id = ? FOR UPDATE', [held]);
    const seen: string[] = [];
    dispatcher(async (event) => {
      seen.push(event.id);
    });
    await until(allDispatched([other]), 'the free item dispatched');
    expect(seen).toEqual([other]);
    await trx.rollback();
    await until(allDispatched([held, after]), 'the held item dispatched once released');
    expect(seen).toEqual([other, held, after]);
  });

  it('share the backlog and dispatch each event exactly once when nothing fails', async () => {
    const ids: string[] = [];
    for (let i = 0; i < 40; i++) ids.push(await publish('thing.created', `item-${i}`));
    const deliveries: Array<{ by: string; id: string }> = [];
    let secondDelivered!: () => void;
    const secondHasOne = new Promise<void>((resolve) => (secondDelivered = resolve));
    // The first one's first batch waits until the second has dispatched something: both must take part.
    dispatcher(
      async (event) => {
        await secondHasOne;
        deliveries.push({ by: 'first', id: event.id });
      },
      { batchSize: 5, database: db.open(4) },
    );
    dispatcher(
      async (event) => {
        deliveries.push({ by: 'second', id: event.id });
        secondDelivered();
      },
      { batchSize: 5, database: db.open(4) },
    );
    await until(allDispatched(ids), 'forty events dispatched');
    expect(deliveries.map((d) => d.id).sort()).toEqual([...ids].sort());
    expect(new Set(deliveries.map((d) => d.by))).toEqual(new Set(['first', 'second']));
  });
});

describe('order per item', () => {
  it('holds later events of an item while an earlier one retries; other items go on', async () => {
    const first = await publish('thing.created', 'ordered');
    const second = await publish('thing.updated', 'ordered');
    const third = await publish('thing.closed', 'ordered');
    const elsewhere = await publish('thing.created', 'elsewhere');
    const seen: string[] = [];
    let failures = 0;
    dispatcher(async (event) => {
      seen.push(event.id);
      if (event.id === first && failures < 2) {
        failures += 1;
        throw new Error(`not yet (${failures})`);
      }
    });
    await until(allDispatched([first, second, third, elsewhere]), 'all four dispatched');
    const ordered = seen.filter((id) => id !== elsewhere);
    expect(ordered).toEqual([first, first, first, second, third]);
    // The other item did not wait for the retries.
    expect(seen.indexOf(elsewhere)).toBeLessThan(seen.lastIndexOf(first));
    const [row] = await rowsOf([first]);
    expect(row!.attempts).toBe(3);
    expect(row!.last_error).toBeNull();
  });

  it('orders events of one transaction by insertion, not by their equal occurred_at', async () => {
    const ids: string[] = [];
    await sql.transaction(async (trx) => {
      for (const type of ['thing.a', 'thing.b', 'thing.c', 'thing.d']) {
        const { rows } = await trx.raw("SELECT groundwork_publish_event(?, 'things', 'same-trx', NULL, NULL) AS id", [
          type,
        ]);
        ids.push(rows[0].id);
      }
    });
    const seen: string[] = [];
    dispatcher(
      async (event) => {
        seen.push(event.id);
      },
      { batchSize: 10 },
    );
    await until(allDispatched(ids), 'four events dispatched');
    expect(seen).toEqual(ids);
  });
});

describe('retries, backoff and dead events', () => {
  it('backs off as a job does, then marks the event dead with its error; a dead event does not hold its item', async () => {
    const settings: DispatchSettings = { ...fast, retryLimit: 2, retryDelay: 1, retryBackoff: true };
    const doomed = await publish('thing.created', 'doomed');
    const next = await publish('thing.updated', 'doomed');
    const attempts: Array<{ id: string; at: number }> = [];
    dispatcher(
      async (event) => {
        attempts.push({ id: event.id, at: Date.now() });
        if (event.id === doomed) throw new Error(`handler failed on attempt ${attempts.length}`);
      },
      { settings },
    );
    await until(allDispatched([next]), 'the next event dispatched once the first is dead', 20_000);
    const tries = attempts.filter((a) => a.id === doomed);
    expect(tries).toHaveLength(3);
    // random pinned to 0: the first retry waits 1 s, the second 2 s (the jobs core's backoff).
    expect(tries[1]!.at - tries[0]!.at).toBeGreaterThanOrEqual(1000);
    expect(tries[2]!.at - tries[1]!.at).toBeGreaterThanOrEqual(2000);
    const [row] = await rowsOf([doomed]);
    expect(row).toEqual(
      expect.objectContaining({
        attempts: 3,
        dispatched_at: null,
        dead_at: expect.any(Date),
        last_error: { name: 'Error', message: 'handler failed on attempt 3' },
      }),
    );
    expect(attempts.findIndex((a) => a.id === next)).toBeGreaterThan(attempts.lastIndexOf(tries[2]!));
  });

  it('retries a dead event with fresh attempts, and discards one for good', async () => {
    const dead = await publish('thing.created', 'revived');
    const dropped = await publish('thing.created', 'dropped');
    await sql('groundwork.domain_event')
      .whereIn('id', [dead, dropped])
      .update({ dead_at: sql.fn.now(), attempts: 4, last_error: JSON.stringify({ name: 'Error', message: 'gone' }) });
    const seen: string[] = [];
    dispatcher(async (event) => {
      seen.push(event.id);
    });
    expect(await retryDeadEvent(sql, dead)).toBe(true);
    expect(await retryDeadEvent(sql, dead)).toBe(false);
    await until(allDispatched([dead]), 'the retried event dispatched');
    expect(seen).toEqual([dead]);
    expect((await rowsOf([dead]))[0]!.attempts).toBe(1);
    expect(await discardDeadEvent(sql, dead)).toBe(false);
    expect(await discardDeadEvent(sql, dropped)).toBe(true);
    expect(await rowsOf([dropped])).toEqual([]);
  });

  it('takes back an event whose lease ran out (a crashed instance), and marks it dead on its last attempt', async () => {
    const crashed = await publish('thing.created', 'crashed');
    const exhausted = await publish('thing.created', 'exhausted');
    await sql('groundwork.domain_event')
      .where({ id: crashed })
      .update({
        attempts: 1,
        claimed_at: sql.raw("now() - interval '1 hour'"),
        locked_until: sql.raw("now() - interval '1 minute'"),
      });
    await sql('groundwork.domain_event')
      .where({ id: exhausted })
      .update({ attempts: fast.retryLimit + 1, locked_until: sql.raw("now() - interval '1 minute'") });
    const seen: string[] = [];
    dispatcher(async (event) => {
      seen.push(event.id);
    });
    await until(allDispatched([crashed]), 'the crashed event dispatched again');
    const [dead] = await waitFor(
      () => rowsOf([exhausted]),
      ([row]) => row!.dead_at !== null,
      5000,
      'exhausted dead',
    );
    expect(dead!.last_error).toEqual({ name: 'Error', message: 'the dispatch lease ran out on the last attempt' });
    expect(seen).toEqual([crashed]);
    expect((await rowsOf([crashed]))[0]!.attempts).toBe(2);
  });
});

describe('NOTIFY', () => {
  it('wakes an idle dispatcher at commit, long before its next poll', async () => {
    const seen: string[] = [];
    dispatcher(
      async (event) => {
        seen.push(event.id);
      },
      { listen: true, pollIntervalMs: 600_000 },
    );
    // Once it listens (and has found nothing), only a NOTIFY can make it claim within this test.
    await until(
      async () =>
        (
          await sql.raw(
            "SELECT 1 FROM pg_stat_activity WHERE datname = current_database() AND query LIKE 'LISTEN groundwork_events%'",
          )
        ).rows.length === 1,
      'the dispatcher listening',
    );
    await new Promise((resolve) => setTimeout(resolve, 200));
    const id = await publish('thing.created', 'notified');
    await until(allDispatched([id]), 'the notified event dispatched', 10_000);
    expect(seen).toEqual([id]);
  });
});

describe('drain on stop', () => {
  it('waits for running handlers, and hands back what outlives the timeout with the attempt uncounted', async () => {
    const finishes = await publish('thing.created', 'drain-a');
    const outlives = await publish('thing.created', 'drain-b');
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const started = new Set<string>();
    const running = dispatcher(async (event) => {
      started.add(event.id);
      if (event.id === outlives) await gate;
      else await new Promise((resolve) => setTimeout(resolve, 300));
    });
    await until(async () => started.size === 2, 'both running');
    await running.stop(1000);
    const rows = await rowsOf([finishes, outlives]);
    const byId = Object.fromEntries(rows.map((row) => [row.id, row]));
    expect(byId[finishes]!.dispatched_at).toEqual(expect.any(Date));
    expect(byId[outlives]).toEqual(expect.objectContaining({ dispatched_at: null, locked_until: null, attempts: 0 }));
    release();
  });
});

describe('retention', () => {
  it('deletes dispatched events older than the retention in batches; open, dead and recent ones stay', async () => {
    const old: string[] = [];
    for (let i = 0; i < 5; i++) old.push(await publish('thing.created', `old-${i}`));
    const recent = await publish('thing.created', 'recent');
    const openOld = await publish('thing.created', 'open-old');
    const deadOld = await publish('thing.created', 'dead-old');
    await sql('groundwork.domain_event')
      .whereIn('id', old)
      .update({ dispatched_at: sql.raw("now() - interval '31 days'") });
    await sql('groundwork.domain_event')
      .where({ id: recent })
      .update({ dispatched_at: sql.raw("now() - interval '29 days'") });
    await sql('groundwork.domain_event')
      .where({ id: openOld })
      .update({ occurred_at: sql.raw("now() - interval '90 days'") });
    await sql('groundwork.domain_event')
      .where({ id: deadOld })
      .update({ dead_at: sql.raw("now() - interval '90 days'") });
    expect(await deleteDispatchedEvents(sql, 30, 2)).toBe(5);
    const left = (await sql('groundwork.domain_event').select('id')).map((row) => row.id).sort();
    expect(left).toEqual([recent, openOld, deadOld].sort());
    expect(await deleteDispatchedEvents(sql, 30, 2)).toBe(0);
  });
});

describe("the jobs routes' view of the outbox", () => {
  it('shows queued, retrying, completed and dead events as jobs of groundwork.events', async () => {
    const boss = await startPgBoss(db);
    try {
      const queued = await publish('thing.created', 'v1');
      const retrying = await publish('thing.created', 'v2');
      const done = await publish('thing.created', 'v3');
      const dead = await publish('thing.created', 'v4');
      const error = JSON.stringify({ name: 'Error', message: 'smtp down' });
      await sql('groundwork.domain_event')
        .where({ id: retrying })
        .update({ attempts: 2, last_error: error, claimed_at: sql.fn.now() });
      await sql('groundwork.domain_event')
        .where({ id: done })
        .update({ attempts: 1, dispatched_at: sql.fn.now(), claimed_at: sql.fn.now() });
      await sql('groundwork.domain_event')
        .where({ id: dead })
        .update({ attempts: 9, dead_at: sql.fn.now(), last_error: error, claimed_at: sql.fn.now() });
      const { rows } = await sql.raw<{ rows: JobRow[] }>(
        `SELECT * FROM (${jobsAndEventsSql()}) j WHERE j.name LIKE 'groundwork.events%'`,
      );
      const views = Object.fromEntries(
        rows.map((row) => [row.id, toJobView(row, new Date(Date.now() + 1000), { includeData: true })]),
      );
      expect(views[queued]).toEqual(
        expect.objectContaining({ queue: EVENTS_QUEUE, status: 'queued', attempts: 0, maxAttempts: 9 }),
      );
      expect(views[retrying]).toEqual(
        expect.objectContaining({ queue: EVENTS_QUEUE, status: 'retrying', attempts: 2, error: 'smtp down' }),
      );
      expect(views[done]).toEqual(expect.objectContaining({ status: 'completed', attempts: 1 }));
      expect(views[dead]).toEqual(
        expect.objectContaining({
          queue: EVENTS_QUEUE,
          status: 'dead',
          attempts: 9,
          maxAttempts: EVENT_DISPATCH_SETTINGS.retryLimit + 1,
          error: 'smtp down',
        }),
      );
      expect(views[dead]!.data).toEqual(expect.objectContaining({ eventId: dead, type: 'thing.created', item: 'v4' }));
    } finally {
      await boss.stop({ graceful: false, close: true });
    }
  });
});

describe('upgrade from one pg-boss job per event', () => {
  it('keeps queued and retrying events, turns dead letters into dead events, and drops the old queues', async () => {
    const upgrade = await throwawayDatabase('events_upgrade');
    const boss = await startPgBoss(upgrade);
    try {
      const old = upgrade.knex;
      // The install before 0025: the bare outbox table, and a job per event.
      await old.raw('CREATE SCHEMA groundwork');
      await old.raw(eventsInstallStatements[0]!);
      await boss.createQueue('groundwork.events.dead', { retryLimit: 0 });
      await boss.createQueue('groundwork.events', {
        retryLimit: 8,
        retryDelay: 5,
        deadLetter: 'groundwork.events.dead',
      });
      const event = async (item: string, dispatched = false) => {
        const [row] = await old('groundwork.domain_event')
          .insert({
            type: 'thing.created',
            collection: 'things',
            item,
            dispatched_at: dispatched ? old.fn.now() : null,
          })
          .returning('id');
        return row.id as string;
      };
      const queued = await event('queued');
      const retrying = await event('retrying');
      const deadLetter = await event('dead-letter');
      const discarded = await event('discarded');
      const dispatched = await event('dispatched', true);
      await boss.send('groundwork.events', { eventId: queued });
      const retryJob = await boss.send('groundwork.events', { eventId: retrying });
      await old.raw("UPDATE pgboss.job SET state = 'retry', retry_count = 2 WHERE id = ?", [retryJob]);
      const deadJob = await boss.send('groundwork.events.dead', { eventId: deadLetter });
      await old.raw(
        `UPDATE pgboss.job SET source_name = 'groundwork.events', source_retry_count = 8,
           source_output = '{"name":"Error","message":"old failure"}'::jsonb WHERE id = ?`,
        [deadJob],
      );

      await installDatabaseObjects(old);
      await installDatabaseObjects(old); // idempotent: a second boot changes nothing

      const rows = await old('groundwork.domain_event').select(
        'id',
        'dead_at',
        'attempts',
        'last_error',
        'dispatched_at',
      );
      const byId = Object.fromEntries(rows.map((row) => [row.id, row]));
      expect(byId[queued]).toEqual(expect.objectContaining({ dead_at: null, dispatched_at: null, attempts: 0 }));
      expect(byId[retrying]).toEqual(expect.objectContaining({ dead_at: null, dispatched_at: null }));
      expect(byId[deadLetter]).toEqual(
        expect.objectContaining({
          dead_at: expect.any(Date),
          attempts: 9,
          last_error: { name: 'Error', message: 'old failure' },
        }),
      );
      expect(byId[discarded]!.dead_at).toEqual(expect.any(Date));
      expect(byId[dispatched]!.dead_at).toBeNull();
      const queues = await old('pgboss.queue').whereLike('name', 'groundwork.events%').select('name');
      expect(queues).toEqual([]);
      expect(await old('pgboss.job').whereLike('name', 'groundwork.events%').select('id')).toEqual([]);

      const seen: string[] = [];
      dispatcher(
        async (e) => {
          seen.push(e.id);
        },
        { database: old },
      );
      await waitFor(
        () =>
          old('groundwork.domain_event').whereIn('id', [queued, retrying]).whereNotNull('dispatched_at').select('id'),
        (found) => found.length === 2,
        15_000,
        'the converted events dispatched',
      );
      expect(seen.sort()).toEqual([queued, retrying].sort());
    } finally {
      await Promise.all(dispatchers.splice(0).map((d) => d.stop(5000)));
      await boss.stop({ graceful: false, close: true });
      await upgrade.drop();
    }
  });
});
