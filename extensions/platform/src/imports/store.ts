// Idempotency: each successful real import is recorded in the same transaction as its rows, under a key (the
// caller's Idempotency-Key, or the file's checksum with the collection and options), so a run repeated after a
// crash, a timeout or a double click finds the first result and writes nothing. In the `groundwork` schema:
// bookkeeping only this code reads (Directus serves only `public`).
import { createHash } from 'node:crypto';
import type { Knex } from 'knex';
import { installUnderLock } from '../shared/install.js';
import type { ImportReport } from './core/report.js';

export async function installImportRuns(database: Knex): Promise<void> {
  await installUnderLock(database, [
    'CREATE SCHEMA IF NOT EXISTS groundwork',
    `CREATE TABLE IF NOT EXISTS groundwork.import_run (
      key text PRIMARY KEY,
      fingerprint text NOT NULL,
      collection text NOT NULL,
      user_id uuid,
      report jsonb NOT NULL,
      created_at timestamptz NOT NULL DEFAULT now()
    )`,
  ]);
}

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

/**
 * The run's keys, per caller (one user's key or file never answers for another's): the file's (checksum, collection
 * and options) always, and the Idempotency-Key's when one is sent. A successful run is recorded under both.
 */
export function runKeys(
  user: string | null,
  idempotencyKey: string | null,
  fingerprint: string,
): { header: string | null; file: string } {
  const who = user ?? 'admin-token';
  return {
    header: idempotencyKey === null ? null : `key:${who}:${sha256(idempotencyKey)}`,
    file: `file:${who}:${sha256(fingerprint)}`,
  };
}

export interface StoredRun {
  fingerprint: string;
  report: ImportReport;
}

export async function findRun(database: Knex, key: string): Promise<StoredRun | null> {
  const row = (await database('groundwork.import_run').select('fingerprint', 'report').where({ key }).first()) as
    | { fingerprint: string; report: ImportReport | string }
    | undefined;
  if (!row) return null;
  return {
    fingerprint: row.fingerprint,
    report: typeof row.report === 'string' ? (JSON.parse(row.report) as ImportReport) : row.report,
  };
}

export async function recordRun(
  trx: Knex.Transaction,
  run: {
    keys: { header: string | null; file: string };
    fingerprint: string;
    collection: string;
    user: string | null;
    report: ImportReport;
  },
): Promise<void> {
  const row = (key: string) => ({
    key,
    fingerprint: sha256(run.fingerprint),
    collection: run.collection,
    user_id: run.user,
    report: JSON.stringify(run.report),
  });
  // The header's key is inserted plainly: a concurrent run with the same key fails here and answers the first.
  if (run.keys.header) await trx('groundwork.import_run').insert(row(run.keys.header));
  await trx('groundwork.import_run').insert(row(run.keys.file)).onConflict('key').ignore();
}

export const fingerprintHash = sha256;
