// HTTP adapter for jobs under /groundwork/v1/jobs: staff (app users) list jobs and queue counts; admins retry or
// discard dead jobs. Reads pg-boss's tables with Directus's knex; moves jobs through pg-boss. Domain events are
// listed as the queue `groundwork.events`: their rows come from the outbox (eventJobsSql), where a dead event is
// retried (its attempts reset) or discarded (deleted).
import type { Router } from 'express';
import type { Knex } from 'knex';
import { EVENTS_QUEUE } from '../events/core/outbox.js';
import { discardDeadEvent, retryDeadEvent } from '../events/store.js';
import { ForbiddenError, NotFoundError, ServiceUnavailableError } from '../shared/errors.js';
import { parseInput, route } from '../shared/http.js';
import { jobIdParams, listJobsQuery } from './core/contract.js';
import {
  BOSS_SCHEMA,
  DEAD_LETTER_SUFFIX,
  deadLetterQueue,
  isInternalQueue,
  sourceOfDeadLetterQueue,
} from './core/names.js';
import { statesForStatus } from './core/queue-config.js';
import { jobsAndEventsSql, JOB_COLUMNS, toJobView, type JobRow } from './core/view.js';
import { jobsRuntime } from './runtime.js';

// pg-boss's jobs and the outbox's events in one shape (core/view.ts).
const ALL_JOBS = `(${jobsAndEventsSql()})`;

type Accountability = { admin?: boolean; app?: boolean; user?: string | null } | null | undefined;

/** Staff are users with app access; jobs carry no customer-facing meaning, so customers and integrations see none. */
function assertStaff(accountability: Accountability) {
  if (accountability?.admin !== true && accountability?.app !== true) throw new ForbiddenError();
}

function assertAdmin(accountability: Accountability) {
  if (accountability?.admin !== true) throw new ForbiddenError();
}

async function findDeadJob(database: Knex, id: string): Promise<JobRow | undefined> {
  return (await database
    .from(database.raw(`${ALL_JOBS} AS j`))
    .select(JOB_COLUMNS)
    .where('j.id', id)
    .whereLike('j.name', `%${DEAD_LETTER_SUFFIX}`)
    .whereIn('j.state', ['created', 'retry'])
    .first()) as JobRow | undefined;
}

function runningBoss() {
  const runtime = jobsRuntime();
  if (!runtime) throw new ServiceUnavailableError({ service: 'jobs', reason: 'the job runtime has not started' });
  return runtime.boss;
}

export function registerJobRoutes(router: Router, { database }: { database: Knex }): void {
  router.get(
    '/v1/jobs',
    route(async (req, res) => {
      assertStaff(req.accountability);
      const query = parseInput(listJobsQuery, req.query, 'query');
      const rows = (await database
        .from(database.raw(`${ALL_JOBS} AS j`))
        .select(JOB_COLUMNS)
        .modify((builder) => {
          if (query.queue) builder.whereIn('j.name', [query.queue, deadLetterQueue(query.queue)]);
          if (query.status) {
            const { deadLetter, states } = statesForStatus(query.status);
            builder.whereIn('j.state', states);
            if (deadLetter) builder.whereLike('j.name', `%${DEAD_LETTER_SUFFIX}`);
            else builder.whereRaw('j.name NOT LIKE ?', [`%${DEAD_LETTER_SUFFIX}`]);
            if (query.status === 'queued') builder.where('j.start_after', '<=', database.fn.now());
            if (query.status === 'scheduled') builder.where('j.start_after', '>', database.fn.now());
          }
        })
        .orderBy('j.created_on', 'desc')
        .orderBy('j.id')
        .limit(query.limit)
        .offset(query.offset)) as JobRow[];
      const now = new Date();
      // Payloads may carry personal data (addresses, message bodies): admins only.
      const includeData = req.accountability?.admin === true;
      res.json({ data: rows.map((row) => toJobView(row, now, { includeData })) });
    }),
  );

  router.get(
    '/v1/jobs/queues',
    route(async (req, res) => {
      assertStaff(req.accountability);
      const rows = (await database(`${BOSS_SCHEMA}.job`)
        .select('name', 'state')
        .count({ count: '*' })
        .whereIn('state', ['created', 'retry', 'active', 'failed'])
        .groupBy('name', 'state')) as Array<{ name: string; state: string; count: string | number }>;
      const queues = (await database(`${BOSS_SCHEMA}.queue`).select('name').orderBy('name')) as Array<{ name: string }>;
      const counts = new Map<
        string,
        { queue: string; queued: number; active: number; retrying: number; failed: number; dead: number }
      >();
      for (const { name } of queues) {
        if (sourceOfDeadLetterQueue(name) === null && !isInternalQueue(name))
          counts.set(name, { queue: name, queued: 0, active: 0, retrying: 0, failed: 0, dead: 0 });
      }
      // The outbox's counts, under the events queue (a dead event is open until retried or discarded).
      const events = (await database.raw(
        `SELECT
           count(*) FILTER (WHERE dead_at IS NULL AND locked_until > now()) AS active,
           count(*) FILTER (WHERE dead_at IS NULL AND (locked_until IS NULL OR locked_until <= now()) AND attempts = 0) AS queued,
           count(*) FILTER (WHERE dead_at IS NULL AND (locked_until IS NULL OR locked_until <= now()) AND attempts > 0) AS retrying,
           count(*) FILTER (WHERE dead_at IS NOT NULL) AS dead
         FROM groundwork.domain_event WHERE dispatched_at IS NULL`,
      )) as { rows: Array<Record<'active' | 'queued' | 'retrying' | 'dead', string>> };
      const outbox = events.rows[0]!;
      counts.set(EVENTS_QUEUE, {
        queue: EVENTS_QUEUE,
        queued: Number(outbox.queued),
        active: Number(outbox.active),
        retrying: Number(outbox.retrying),
        failed: 0,
        dead: Number(outbox.dead),
      });
      for (const row of rows) {
        const source = sourceOfDeadLetterQueue(row.name);
        const entry = counts.get(source ?? row.name);
        if (!entry) continue;
        const n = Number(row.count);
        if (source !== null) {
          if (row.state === 'created' || row.state === 'retry') entry.dead += n;
        } else if (row.state === 'created') entry.queued += n;
        else if (row.state === 'retry') entry.retrying += n;
        else if (row.state === 'active') entry.active += n;
        else if (row.state === 'failed') entry.failed += n;
      }
      res.json({ data: [...counts.values()].sort((a, b) => a.queue.localeCompare(b.queue)) });
    }),
  );

  // Retry a dead job: pg-boss moves it back to the queue it failed in, as a new job with fresh attempts.
  router.post(
    '/v1/jobs/:id/retry',
    route(async (req, res) => {
      assertAdmin(req.accountability);
      const { id } = parseInput(jobIdParams, req.params, 'params');
      const dead = await findDeadJob(database, id);
      if (!dead) throw new NotFoundError({ what: 'Dead job' });
      const destination = dead.source_name ?? sourceOfDeadLetterQueue(dead.name);
      if (!destination) throw new NotFoundError({ what: 'Dead job' });
      if (destination === EVENTS_QUEUE) {
        if (!(await retryDeadEvent(database, id))) throw new NotFoundError({ what: 'Dead job' });
        res.json({ data: { id, queue: destination } });
        return;
      }
      const moved = await runningBoss().redrive(dead.name, { ids: [id], destination, limit: 1 });
      if (moved !== 1) throw new NotFoundError({ what: 'Dead job' });
      res.json({ data: { id, queue: destination } });
    }),
  );

  // Discard a dead job for good.
  router.delete(
    '/v1/jobs/:id',
    route(async (req, res) => {
      assertAdmin(req.accountability);
      const { id } = parseInput(jobIdParams, req.params, 'params');
      const dead = await findDeadJob(database, id);
      if (!dead) throw new NotFoundError({ what: 'Dead job' });
      if (dead.source_name === EVENTS_QUEUE) {
        if (!(await discardDeadEvent(database, id))) throw new NotFoundError({ what: 'Dead job' });
        res.status(204).end();
        return;
      }
      await runningBoss().deleteJob(dead.name, id);
      res.status(204).end();
    }),
  );
}
