// What tests of notifications read, on any domain: an instance's notification outbox, "settled" (every event about
// an item dispatched and every notification it made in a final state) and the SMTP capture server its mail goes to.
import { afterAll, beforeAll } from '@jest/globals';
import type { Knex } from 'knex';
import { startSmtpCapture, type CapturedMail, type SmtpCapture } from '../../../scripts/lib/smtp-capture.js';
import { until } from '../http.js';

export interface OutboxRow {
  id: string;
  recipient: string;
  channel: string;
  status: string;
  rule: string;
  attempts: number;
  subject: string;
  last_error: string | null;
}

export const outboxFor = (sql: Knex, item: string): Promise<OutboxRow[]> =>
  sql('notification_outbox').where({ item }).select();

/** Waits until every event about the item was dispatched and every notification it made reached a final state. */
export async function settled(sql: Knex, item: string): Promise<OutboxRow[]> {
  await until(`events of ${item} dispatched`, async () => {
    const events = await sql('groundwork.domain_event').where({ item }).select('dispatched_at');
    return events.length > 0 && events.every((event) => event.dispatched_at !== null);
  });
  return until(`notifications of ${item} delivered`, async () => {
    const rows = await outboxFor(sql, item);
    return rows.every((row) => !['pending', 'sending'].includes(row.status)) && rows;
  });
}

/** Env for an instance whose notifications retry fast: every second, up to 12 times (SMTP-down tests wait for it). */
export const FAST_RETRIES = {
  GROUNDWORK_NOTIFICATIONS_RETRY_DELAY_SECONDS: '1',
  GROUNDWORK_NOTIFICATIONS_RETRY_LIMIT: '12',
};

export interface MailCapture {
  /** The running capture server (set in beforeAll). */
  server: SmtpCapture;
  /**
   * Env that sends the instance's mail to the capture server (with the env given): completed by this beforeAll, so pass
   * it to an instance whose beforeAll is registered after this call (useFixtureInstance reads its env in its own).
   */
  env: Record<string, string>;
  /** Mails whose text contains the marker. */
  containing(marker: string): CapturedMail[];
}

/** Starts an SMTP capture server in beforeAll and stops it in afterAll; `env` is the instance's other env. */
export function useMailCapture(env: Record<string, string> = {}): MailCapture {
  const capture = { env: { ...env } } as MailCapture;
  capture.containing = (marker) => capture.server.messages.filter((mail) => mail.text.includes(marker));
  beforeAll(async () => {
    capture.server = await startSmtpCapture();
    Object.assign(capture.env, capture.server.env);
  });
  afterAll(async () => {
    await capture.server?.stop();
  });
  return capture;
}
