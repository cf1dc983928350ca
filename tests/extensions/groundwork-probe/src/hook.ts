// TEST ONLY (see probe.ts): the probe's tables before the server starts, its queue once the platform API is there.
import { defineHook } from '@directus/extensions-sdk';
import { defineProbe, installProbeTables } from './probe.js';

export default defineHook(({ init }, { database, env, logger }) => {
  logger.warn('groundwork-probe: the TEST ONLY diagnostic queue groundwork.probe is loaded');
  init('app.before', () => installProbeTables(database));
  // Synchronously: Directus calls every app.after handler before any resumes from an await, and the platform's
  // runtime reads the queue registry only after its first await, so it starts this queue with the others.
  init('app.after', () => defineProbe(database, env.PROBE_CRON ? String(env.PROBE_CRON) : undefined));
});
