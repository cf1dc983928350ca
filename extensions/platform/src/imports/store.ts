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

/** The run's key, per caller: one user's key or file never answers for another's. */
export function runKey(user: string | null, idempotencyKey: string | null, fingerprint: string): string {
  const who = user ?? 'admin-token';
  return idempotencyKey ? `key:${who}:${sha256(idempotencyKey)}` : `file:${who}:${sha256(fingerprint)}`;
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
  run: { key: string; fingerprint: string; collection: string; user: string | null; report: ImportReport },
): Promise<void> {
  await trx('groundwork.import_run').insert({
    key: run.key,
    fingerprint: sha256(run.fingerprint),
    collection: run.collection,
    user_id: run.user,
    report: JSON.stringify(run.report),
  });
}

export const fingerprintHash = sha256;
