// HTTP adapter for jobs under /groundwork/v1/jobs: staff (app users) list jobs and queue counts; admins retry or
// discard dead jobs. Reads pg-boss's tables with Directus's knex; moves jobs through pg-boss.
import type { Router } from 'express';
import type { Knex } from 'knex';
import { ForbiddenError, NotFoundError, ServiceUnavailableError } from '../shared/errors.js';
import { parseInput, route } from '../shared/http.js';
import { jobIdParams, listJobsQuery } from './core/contract.js';
import { BOSS_SCHEMA, DEAD_LETTER_SUFFIX, deadLetterQueue, sourceOfDeadLetterQueue } from './core/names.js';
import { statesForStatus } from './core/queue-config.js';
import { toJobView, type JobRow } from './core/view.js';
import { jobsRuntime } from './runtime.js';

const JOB_COLUMNS = [
  'j.id',
  'j.name',
  'j.state',
  'j.retry_count',
  'j.retry_limit',
  'j.singleton_key',
  'j.data',
  'j.output',
  'j.created_on',
  'j.start_after',
  'j.started_on',
  'j.completed_on',
  'j.source_name',
  'j.source_retry_count',
  'j.source_output',
];

type Accountability = { admin?: boolean; app?: boolean; user?: string | null } | null | undefined;

/** Staff are users with app access; jobs carry no customer-facing meaning, so customers and integrations see none. */
function assertStaff(accountability: Accountability) {
  if (accountability?.admin !== true && accountability?.app !== true) throw new ForbiddenError();
}

function assertAdmin(accountability: Accountability) {
  if (accountability?.admin !== true) throw new ForbiddenError();
}

async function findDeadJob(database: Knex, id: string): Promise<JobRow | undefined> {
  return (await database({ j: `${BOSS_SCHEMA}.job` })
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
      const rows = (await database({ j: `${BOSS_SCHEMA}.job` })
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
        if (sourceOfDeadLetterQueue(name) === null)
          counts.set(name, { queue: name, queued: 0, active: 0, retrying: 0, failed: 0, dead: 0 });
      }
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
      res.json({ data: [...counts.values()] });
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
      await runningBoss().deleteJob(dead.name, id);
      res.status(204).end();
    }),
  );
}
