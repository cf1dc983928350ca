// The login throttle's store (security/store.ts) on a real PostgreSQL, no Directus: attempts and successful logins
// on one key at once. Several accounts logging in from one address share its address key; a success deletes the key's
// row while another login counts its attempt. The attempt once inserted the row if missing and then selected it
// FOR UPDATE in a second statement, and found nothing when the delete fell in between: a TypeError, a 500 on
// /auth/login (seen in an integration run whose fixture logged several accounts in at once).
import { afterAll, beforeAll, expect, it } from '@jest/globals';
import { installSecurityTables, securityStore } from '../../extensions/platform/src/security/store.js';
import type { ThrottlePolicy } from '../../extensions/platform/src/security/core/throttle.js';
import { throwawayDatabase, type MediumDatabase } from './harness/database.js';

let db: MediumDatabase;

beforeAll(async () => {
  db = await throwawayDatabase('login_throttle_race', 20);
  await installSecurityTables(db.knex);
}, 120_000);

afterAll(async () => {
  await db?.drop();
});

const POLICY: ThrottlePolicy = { freeAttempts: 1000, baseDelayMs: 1000, maxDelayMs: 60_000, forgetAfterMs: 3_600_000 };

it('counts every attempt while successes on the same key delete its row, without an error', async () => {
  const store = securityStore(db.knex);
  const failures: string[] = [];
  let admitted = 0;
  for (let round = 0; round < 60; round++) {
    const key = `address-${round % 3}`;
    const results = await Promise.allSettled([
      ...Array.from({ length: 8 }, () => store.attempt([{ key, policy: POLICY }])),
      ...Array.from({ length: 8 }, () => store.reset([key])),
    ]);
    for (const result of results) {
      if (result.status === 'rejected') failures.push(String(result.reason));
      else if (result.value && (result.value as { admitted?: boolean }).admitted) admitted += 1;
    }
  }
  expect(failures.slice(0, 3)).toEqual([]);
  // Every attempt was admitted (the policy never blocks here), so none was lost to the race either.
  expect(admitted).toBe(60 * 8);
}, 120_000);
