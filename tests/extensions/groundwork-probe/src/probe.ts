// TEST ONLY: a diagnostic queue and an admin-only enqueue route, so the jobs integration tests and the benchmark drive
// the real runtime (transactions, failures, slow jobs, crashes, cron) through the platform API, as a domain bundle
// would. Shipped nowhere: this extension lives under tests/ and only test instances load it (scripts/lib/instance.ts).
import type { Router } from 'express';
import type { Knex } from 'knex';
import { z } from 'zod';
import type { Job } from '../../../../extensions/platform/src/jobs/index.js';
import { ForbiddenError } from '../../../../extensions/platform/src/shared/errors.js';
import { parseInput, route } from '../../../../extensions/platform/src/shared/http.js';
import { platform } from './platform.js';

export const PROBE_QUEUE = 'groundwork.probe';

export interface ProbeData {
  key: string;
  /** Fail this many attempts first. */
  failTimes?: number;
  sleepMs?: number;
  /** Skip the run and effect rows: the benchmark measures the queue, not these writes. */
  bench?: boolean;
}

const probeTables = [
  `CREATE TABLE IF NOT EXISTS groundwork.probe_run (
    id bigserial PRIMARY KEY, key text NOT NULL, job_id uuid NOT NULL, attempt int NOT NULL,
    pid int NOT NULL, at timestamptz NOT NULL DEFAULT clock_timestamp()
  )`,
  // A key listed here fails every attempt until the test removes it (a dependency that is down, then back).
  `CREATE TABLE IF NOT EXISTS groundwork.probe_fail (key text PRIMARY KEY)`,
  // The side effect: one row per key, written idempotently, so a re-run after a crash cannot repeat it.
  `CREATE TABLE IF NOT EXISTS groundwork.probe_effect (
    key text PRIMARY KEY, job_id uuid NOT NULL, at timestamptz NOT NULL DEFAULT clock_timestamp()
  )`,
];

export async function installProbeTables(database: Knex): Promise<void> {
  await database.transaction(async (trx) => {
    await trx.raw("SELECT pg_advisory_xact_lock(hashtextextended('groundwork.install', 0))");
    await trx.raw('CREATE SCHEMA IF NOT EXISTS groundwork');
    for (const statement of probeTables) await trx.raw(statement);
  });
}

/** The queue, an event handler for `groundwork.probe.*`, and a schedule when `cron` is given. */
export function defineProbe(database: Knex, cron: string | undefined): void {
  const { jobs, events } = platform();
  jobs.defineQueue<ProbeData>(
    PROBE_QUEUE,
    async (job: Job<ProbeData>) => {
      if (job.data.bench) return;
      await database('groundwork.probe_run').insert({
        key: job.data.key,
        job_id: job.id,
        attempt: job.attempt,
        pid: process.pid,
      });
      if (job.data.sleepMs) await new Promise((resolve) => setTimeout(resolve, job.data.sleepMs));
      if (job.attempt <= (job.data.failTimes ?? 0)) throw new Error(`probe failure on attempt ${job.attempt}`);
      if (await database('groundwork.probe_fail').where({ key: job.data.key }).first()) {
        throw new Error(`probe failure on attempt ${job.attempt}: ${job.data.key} is switched to fail`);
      }
      await database('groundwork.probe_effect')
        .insert({ key: job.data.key, job_id: job.id })
        .onConflict('key')
        .ignore();
    },
    { retryLimit: 2, retryDelaySeconds: 1, retryBackoff: true, expireInSeconds: 4 },
  );
  events.onEvent('groundwork.probe.*', async (event, { database: db }) => {
    await db('groundwork.probe_effect')
      .insert({ key: `event:${event.id}`, job_id: event.id })
      .onConflict('key')
      .ignore();
  });
  if (cron) jobs.defineSchedule(PROBE_QUEUE, cron, { key: 'cron' });
}

const probeJob = z.object({
  key: z.string().min(1).max(200),
  failTimes: z.number().int().min(0).max(10).optional(),
  sleepMs: z.number().int().min(0).max(60000).optional(),
  bench: z.boolean().optional(),
});

const probeBody = z.object({
  jobs: z.array(probeJob).max(10000).default([]),
  events: z
    .array(z.object({ type: z.string().regex(/^groundwork\.probe(\.[a-z0-9_]+)+$/), item: z.string().min(1) }))
    .max(1000)
    .default([]),
  singletonKey: z.string().min(1).optional(),
  /** Roll the transaction back after enqueueing. */
  rollback: z.boolean().default(false),
});

class Rollback extends Error {}

/** POST /groundwork-probe/jobs: enqueue jobs and publish events in one transaction (admins only). */
export function registerProbeRoute(router: Router, database: Knex): void {
  router.post(
    '/jobs',
    route(async (req, res) => {
      if (req.accountability?.admin !== true) throw new ForbiddenError();
      const body = parseInput(probeBody, req.body, 'body');
      const { jobs, events } = platform();
      const ids: Array<string | null> = [];
      const published: Array<string | null> = [];
      try {
        await database.transaction(async (trx) => {
          for (const job of body.jobs)
            ids.push(await jobs.enqueue(trx, PROBE_QUEUE, job, { singletonKey: body.singletonKey }));
          for (const event of body.events) {
            published.push(
              await events.publishEvent(trx, {
                type: event.type,
                collection: 'probe',
                item: event.item,
                actor: null,
                data: {},
              }),
            );
          }
          if (body.rollback) throw new Rollback();
        });
      } catch (error) {
        if (!(error instanceof Rollback)) throw error;
      }
      res.json({ data: { ids, events: published, committed: !body.rollback } });
    }),
  );
}
