// Writes the demo data set and bulk tickets with plain SQL on one pg client. Users get argon2id password hashes
// the way Directus stores them (Directus verifies with argon2.verify, which reads the parameters from the hash),
// so they can log in without a running Directus.
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import argon2 from 'argon2';
import type pg from 'pg';
import { mintKey } from '../../platform/src/api-keys/core/key.js';
import { apiKeyInstallStatements } from '../../platform/src/api-keys/sql.js';
import { POLICY, ROLE } from '../spec/service-desk/access.js';
import { dataDir, repoRoot } from '../../../scripts/lib/paths.js';
import { batches, progressLine } from './core/bulk.js';
import {
  CHANNEL_WEIGHTS,
  DEMO_INTEGRATION_KEY_ID,
  LEGACY_DEMO_INTEGRATION_TOKEN,
  PRIORITY_WEIGHTS,
  STATUS_WEIGHTS,
  type DemoData,
} from './core/demo.js';
import { weightedList } from './core/random.js';

type Row = Record<string, unknown>;

/**
 * Where Directus's local storage keeps uploads for this checkout: STORAGE_LOCAL_ROOT (environment, then .env, as
 * Directus reads it; relative to the repository, where npm start runs Directus), else npm start's default.
 */
export function demoStorageRoot(view: Record<string, string | undefined>): string {
  const configured = view.STORAGE_LOCAL_ROOT;
  return configured ? path.resolve(repoRoot, configured) : path.join(dataDir, 'uploads');
}

async function insertRows(client: pg.Client, table: string, rows: readonly object[], returning = ''): Promise<Row[]> {
  const out: Row[] = [];
  if (!rows.length) return out;
  const columns = Object.keys(rows[0]!);
  const chunk = Math.floor(60_000 / columns.length);
  for (let start = 0; start < rows.length; start += chunk) {
    const slice = rows.slice(start, start + chunk);
    const values: unknown[] = [];
    const tuples = slice.map((row) => {
      const marks = columns.map((column) => {
        const value = (row as Row)[column];
        values.push(Array.isArray(value) ? JSON.stringify(value) : value);
        return `$${values.length}`;
      });
      return `(${marks.join(', ')})`;
    });
    const sql = `insert into ${table} (${columns.map((c) => `"${c}"`).join(', ')}) values ${tuples.join(', ')}${
      returning ? ` returning ${returning}` : ''
    }`;
    out.push(...(await client.query(sql, values)).rows);
  }
  return out;
}

export async function assertServiceDeskSchema(client: pg.Client): Promise<void> {
  const found = await client.query(
    "select to_regclass('public.tickets') as tickets, to_regclass('public.tickets_number_seq') as seq",
  );
  if (!found.rows[0]?.tickets || !found.rows[0]?.seq) {
    throw new Error('the service-desk schema is missing: run `npm run migrate` (or `npm start`) first');
  }
}

/** True when the first demo organization is already there (the demo set is written in one transaction). */
export async function demoSeeded(client: pg.Client, data: DemoData): Promise<boolean> {
  const found = await client.query('select 1 from organizations where id = $1', [data.organizations[0]!.id]);
  return (found.rowCount ?? 0) > 0;
}

/**
 * The demo set, once: written when absent (one transaction), skipped when present. Used by `npm run seed` and by
 * the first `npm start` on the embedded database.
 */
export async function ensureDemoData(
  client: pg.Client,
  data: DemoData,
  password: string,
  storageRoot: string,
): Promise<
  ({ written: false } | { written: true; counts: Record<string, number>; ms: number }) & {
    attachments: number;
    integrationKey: string;
  }
> {
  await assertServiceDeskSchema(client);
  const started = Date.now();
  const result = (await demoSeeded(client, data))
    ? ({ written: false } as const)
    : ({ written: true, counts: await writeDemo(client, data, password), ms: 0 } as const);
  // Attachments and the integration key also reach a demo set written before they existed; both are idempotent.
  const attachments = await ensureAttachments(client, data, storageRoot);
  const integrationKey = await replaceDemoIntegrationKey(client, data);
  return result.written
    ? { ...result, ms: Date.now() - started, attachments, integrationKey }
    : { ...result, attachments, integrationKey };
}

/**
 * The demo Integration account's API key: one row with a fixed id, replaced on every run (the key is stored as a
 * hash, so a re-seed can only print a new one; the previous one stops working). The key acts as the account itself,
 * whose Integration role carries the Integration policy. Clears the static token earlier seeds set.
 */
export async function replaceDemoIntegrationKey(client: pg.Client, data: DemoData): Promise<string> {
  const user = data.users.find((candidate) => candidate.role === 'integration')!.id;
  const minted = mintKey();
  await client.query('begin');
  try {
    for (const statement of apiKeyInstallStatements) await client.query(statement);
    await client.query('update directus_users set token = null where id = $1 and token = $2', [
      user,
      LEGACY_DEMO_INTEGRATION_TOKEN,
    ]);
    await client.query(
      `insert into groundwork.api_keys (id, name, prefix, secret_hash, policy, user_id)
       values ($1, 'Demo integration', $2, $3, $4, $5)
       on conflict (id) do update set prefix = excluded.prefix, secret_hash = excluded.secret_hash,
         policy = excluded.policy, user_id = excluded.user_id, created_at = now(), last_used_at = null,
         revoked_at = null, revoked_by = null, expires_at = null, require_signature = false`,
      [DEMO_INTEGRATION_KEY_ID, minted.prefix, minted.secretHash, POLICY.integration, user],
    );
    await client.query('commit');
  } catch (error) {
    await client.query('rollback');
    throw error;
  }
  return minted.key;
}

/**
 * The demo attachments: bytes into Directus's local storage root (the same relative key Directus's local driver
 * uses, `filename_disk`), then directus_files rows (with `ticket_message`, the link the service-desk hook keeps for
 * files attached over the API) and ticket_messages_files rows. Files are rewritten with the same
 * bytes on every run; rows are inserted when missing. Returns how many attachments the set holds.
 */
export async function ensureAttachments(client: pg.Client, data: DemoData, storageRoot: string): Promise<number> {
  mkdirSync(storageRoot, { recursive: true });
  for (const attachment of data.attachments) {
    writeFileSync(path.join(storageRoot, attachment.filename_disk), attachment.content);
  }
  await client.query('begin');
  try {
    for (const attachment of data.attachments) {
      await client.query(
        `insert into directus_files (id, storage, filename_disk, filename_download, title, type, filesize,
                                     uploaded_by, uploaded_on, modified_on, created_on, ticket_message)
         values ($1, 'local', $2, $3, $4, $5, $6, $7, $8, $8, $8, $9) on conflict (id) do nothing`,
        [
          attachment.id,
          attachment.filename_disk,
          attachment.filename_download,
          attachment.title,
          attachment.type,
          Buffer.byteLength(attachment.content),
          attachment.uploaded_by,
          attachment.uploaded_on,
          attachment.message,
        ],
      );
      await client.query(
        `insert into ticket_messages_files (ticket_messages_id, directus_files_id)
         select $1::uuid, $2::uuid where not exists (
           select 1 from ticket_messages_files where ticket_messages_id = $1::uuid and directus_files_id = $2::uuid)`,
        [attachment.message, attachment.id],
      );
    }
    await client.query('commit');
  } catch (error) {
    await client.query('rollback');
    throw error;
  }
  return data.attachments.length;
}

/**
 * Demo and bulk rows are history, not news: the service desk's event triggers (snapshot 0003-service-desk-operations) would
 * otherwise notify people about every seeded ticket and message. Session-wide, on the seed's own connection.
 */
async function silenceDomainEvents(client: pg.Client): Promise<void> {
  await client.query("select set_config('groundwork.events', 'off', false)");
}

/** Writes the whole demo set in one transaction; returns the number of rows per table. */
export async function writeDemo(client: pg.Client, data: DemoData, password: string): Promise<Record<string, number>> {
  const hash = await argon2.hash(password, { type: argon2.argon2id, memoryCost: 19456, timeCost: 2 });
  await silenceDomainEvents(client);
  await client.query('begin');
  try {
    const policies = await insertRows(
      client,
      'sla_policies',
      data.slaPolicies.map((policy) => ({
        name: policy.name,
        ...Object.fromEntries(Object.entries(policy.first_response).map(([k, v]) => [`first_response_${k}`, v])),
        ...Object.fromEntries(Object.entries(policy.resolution).map(([k, v]) => [`resolution_${k}`, v])),
      })),
      'id, name',
    );
    const policyId = new Map(policies.map((row) => [row.name as string, row.id as number]));
    await insertRows(client, 'tags', data.tags);
    await insertRows(
      client,
      'organizations',
      data.organizations.map((org) => ({ ...org, sla_policy: policyId.get(org.sla_policy) ?? null })),
    );
    await insertRows(
      client,
      'directus_users',
      data.users.map((user) => ({
        ...user,
        role: ROLE[user.role],
        password: hash,
        status: 'active',
        provider: 'default',
      })),
    );
    await insertRows(client, 'tickets', data.tickets);
    await insertRows(client, 'ticket_messages', data.messages);
    const categories = await insertRows(client, 'kb_categories', data.categories, 'id, slug');
    const categoryId = new Map(categories.map((row) => [row.slug as string, row.id as number]));
    await insertRows(
      client,
      'kb_articles',
      data.articles.map((article) => ({ ...article, category: categoryId.get(article.category) })),
    );
    await client.query('commit');
  } catch (error) {
    await client.query('rollback');
    throw error;
  }
  return {
    sla_policies: data.slaPolicies.length,
    tags: data.tags.length,
    organizations: data.organizations.length,
    users: data.users.length,
    tickets: data.tickets.length,
    ticket_messages: data.messages.length,
    kb_categories: data.categories.length,
    kb_articles: data.articles.length,
  };
}

/**
 * N extra tickets, one message each, with INSERT ... SELECT over generate_series in batches (one statement and one
 * transaction per batch). Fields come from a multiplicative hash of the row number, spread like the demo set;
 * requesters are the demo customers and each ticket goes to its requester's organization. Numbers are taken from
 * tickets_number_seq in the statement, so the BEFORE INSERT trigger keeps them (it only fills a missing number).
 */
export async function bulkTickets(
  client: pg.Client,
  data: DemoData,
  total: number,
  options: {
    batchSize?: number;
    progress?: (line: string) => void;
    /** Messages per ticket (default 1): the requester's first, then staff and requester in turn, a minute apart. */
    messagesPerTicket?: number;
  } = {},
): Promise<{ tickets: number; messages: number; elapsedMs: number }> {
  const messagesPerTicket = options.messagesPerTicket ?? 1;
  if (!Number.isInteger(messagesPerTicket) || messagesPerTicket < 1)
    throw new Error(`messagesPerTicket must be a whole number >= 1, got ${messagesPerTicket}`);
  const customers = data.users.filter((user) => user.role === 'customer');
  const agents = data.users.filter((user) => user.role === 'agent');
  const params = [
    weightedList(STATUS_WEIGHTS),
    weightedList(PRIORITY_WEIGHTS),
    weightedList(CHANNEL_WEIGHTS),
    customers.map((user) => user.id),
    customers.map((user) => user.organization),
    agents.map((user) => user.id),
  ];
  const sql = `
    with source as (
      select g, (g * 2654435761) % 4294967296 as h from generate_series($1::bigint, $2::bigint) as g
    ), inserted as (
      insert into tickets (id, number, subject, description, status, priority, channel, organization, requester,
                           assignee, tags, date_created, date_updated)
      select gen_random_uuid(), 'SD-' || nextval('tickets_number_seq'), 'Bulk ticket ' || g,
             'Generated by npm run seed -- --tickets for benchmarks.',
             s.status, ($4::text[])[1 + (h / 7) % cardinality($4::text[])],
             ($5::text[])[1 + (h / 131) % cardinality($5::text[])],
             ($7::uuid[])[c], ($6::uuid[])[c],
             case when s.status = 'new' then null else ($8::uuid[])[1 + (h / 17) % cardinality($8::uuid[])] end,
             '[]'::json, t, t
      from (
        select g, h, ($3::text[])[1 + h % cardinality($3::text[])] as status,
               1 + ((h / 1777) % cardinality($6::uuid[]))::int as c,
               now() - ((h % 10368000) * interval '1 second') as t
        from source
      ) as s
      returning id, requester, assignee, date_created
    )
    insert into ticket_messages (id, ticket, author, body, internal, date_created)
    select gen_random_uuid(), id,
           case when m % 2 = 0 then coalesce(assignee, requester) else requester end,
           'Bulk ticket message.', false, date_created + (m - 1) * interval '1 minute'
    from inserted cross join generate_series(1, $9::int) as m`;
  await silenceDomainEvents(client);
  const started = Date.now();
  let lastPrinted = 0;
  let done = 0;
  for (const [first, last] of batches(total, options.batchSize ?? 10_000)) {
    await client.query(sql, [first, last, ...params, messagesPerTicket]);
    done = last;
    const now = Date.now();
    if (options.progress && (now - lastPrinted >= 1000 || done === total)) {
      lastPrinted = now;
      options.progress(progressLine(done, total, now - started));
    }
  }
  return { tickets: done, messages: done * messagesPerTicket, elapsedMs: Date.now() - started };
}
