// Reads of the platform-owned personal data, each scoped to one user id. They use the context's knex, not the
// caller's permissions: the export is everything held *about* the caller, and roles deliberately read less of it
// (customers have no permission on directus_notifications, the outbox or workflow history, and read a file only
// through the message it is attached to). Every query is filtered on the caller's own id, so nobody else's row
// can come in.
import type { Knex } from 'knex';
import { INBOUND } from '../inbound/store.js';
import { securityStore } from '../security/store.js';
import { accountClientKey, accountKey } from '../security/core/tokens.js';
import {
  ERASED,
  changed,
  erasureThrottleKey,
  filesToRemove,
  ownText,
  redactText,
  redactedFields,
  scrubJson,
  searchTerms,
  type DomainErasure,
  type Identifiers,
} from './core/erasure.js';
import type { PlatformSections } from './core/export.js';

type Row = Record<string, unknown>;

export async function platformSections(database: Knex, user: string): Promise<PlatformSections | null> {
  const account = (await database('directus_users').where({ id: user }).first()) as Row | undefined;
  if (!account) return null;
  const email = typeof account.email === 'string' ? account.email.toLowerCase() : null;
  const [files, inApp, preferences, outbox, history, security, inbound] = await Promise.all([
    database('directus_files').where({ uploaded_by: user }).orderBy('uploaded_on'),
    database('directus_notifications').where({ recipient: user }).orderBy('timestamp'),
    database('notification_preferences').where({ user }).orderBy('id'),
    database('notification_outbox').where({ recipient: user }).orderBy('date_created'),
    database('workflow_history').where({ actor: user }).orderBy('id'),
    // The security capability owns its table; user_id is the account an event is about.
    securityStore(database).about(user) as Promise<Row[]>,
    // Emails received from their address (stored lower-cased): the record, and the raw email while it is held.
    email ? database(INBOUND).where({ sender: email }).orderBy('date_created') : Promise.resolve([]),
  ]);
  return {
    user: account,
    files: files as Row[],
    notifications: { in_app: inApp as Row[], preferences: preferences as Row[], outbox: outbox as Row[] },
    workflow_history: history as Row[],
    security_events: security,
    inbound_emails: inbound as Row[],
  };
}

// Erasure (decision 0021). Everything below runs in the erasure's transaction with knex, not the caller's
// permissions: the traces of a person are spread over rows nobody but an admin reads (other people's
// notifications, Directus's activity and revisions, events, jobs, security events), and a customer erasing
// themself has no permission on any of them. Each query is bounded by the person's id or by a search for their
// identifiers, so nobody else's data is touched beyond redacting mentions of this person.

type Related = Array<{ collection: string; items: string[] }>;

/** `column::text ILIKE ANY(patterns)`: the person's id, email or full name anywhere in the column. */
function mentions(database: Knex, column: string, terms: string[]) {
  const patterns = terms.map((term) => `%${term.replace(/[\\%_]/g, (c) => `\\${c}`)}%`);
  return database.raw(`??::text ILIKE ANY(?::text[])`, [column, patterns]);
}

const ids = async (query: Knex.QueryBuilder): Promise<string[]> =>
  ((await query.pluck('id')) as Array<string | number>).map(String);

/** Rows whose (collection, item) is one of `related`, as an OR of conditions on a query builder. */
function aboutItems(query: Knex.QueryBuilder, related: Related, columns = { collection: 'collection', item: 'item' }) {
  for (const { collection, items } of related) {
    if (items.length > 0)
      query.orWhere((q) => q.where(columns.collection, collection).whereIn(columns.item, items.map(String)));
  }
  return query;
}

export interface PlatformErasureInput {
  identifiers: Identifiers;
  staff: boolean;
  domains: DomainErasure[];
}

/** The person's uploads, their avatar, and the IPs they were seen from (for their login throttle keys). */
export async function erasureFacts(trx: Knex, id: string) {
  const user = (await trx('directus_users').where({ id }).first('avatar')) as { avatar: string | null } | undefined;
  const uploaded = (await trx('directus_files').where({ uploaded_by: id }).pluck('id')) as string[];
  const ips = new Set<string>();
  for (const table of ['directus_activity', 'directus_sessions'] as const) {
    for (const ip of (await trx(table).where('user', id).whereNotNull('ip').distinct().pluck('ip')) as string[])
      ips.add(ip);
  }
  for (const ip of (await trx('groundwork.security_events')
    .where({ user_id: id })
    .whereNotNull('ip')
    .distinct()
    .pluck('ip')) as string[])
    ips.add(ip);
  return { uploaded: user?.avatar ? [...uploaded, user.avatar] : uploaded, ips: [...ips] };
}

/**
 * The platform's part: notifications, preferences, workflow history, events, jobs, security events, the login
 * throttle, Directus's activity, revisions and comments, and the uploader of files. Returns counts and the files to
 * delete (the caller deletes them, with their bytes, as the transaction's last step).
 */
export async function erasePlatformData(
  trx: Knex,
  input: PlatformErasureInput & { facts: { uploaded: string[]; ips: string[] } },
): Promise<{ counts: Record<string, number>; removeFiles: string[] }> {
  const { identifiers, staff, domains } = input;
  const id = identifiers.id;
  const terms = searchTerms(identifiers);
  const counts: Record<string, number> = {};
  const count = (key: string, n: number) => {
    if (n > 0) counts[key] = (counts[key] ?? 0) + n;
  };
  const redacted = domains.flatMap((domain) => domain.redacted);
  const related: Related = [...redacted, ...domains.flatMap((domain) => domain.quotedBy)];
  const blankFields = redactedFields(domains);

  // Rows deleted because they are the person's: their activity and revisions (e.g. an admin's notification to
  // them, whose revision holds its text) are deleted below with the account's own trail.
  const deletedRows: Related = [
    { collection: 'directus_notifications', items: await ids(trx('directus_notifications').where({ recipient: id })) },
    { collection: 'notification_outbox', items: await ids(trx('notification_outbox').where({ recipient: id })) },
    { collection: 'notification_preferences', items: await ids(trx('notification_preferences').where({ user: id })) },
    { collection: 'directus_presets', items: await ids(trx('directus_presets').where({ user: id })) },
  ];

  // Notifications: theirs go; others' that quote them (about a redacted item, or naming them) lose their text.
  count('notifications_deleted', await trx('directus_notifications').where({ recipient: id }).delete());
  await trx('directus_notifications').where({ sender: id }).update({ sender: null });
  count(
    'notifications_redacted',
    await trx('directus_notifications')
      .where((q) => {
        aboutItems(q, related);
        q.orWhere(mentions(trx, 'subject', terms)).orWhere(mentions(trx, 'message', terms));
      })
      .update({ subject: ERASED, message: ERASED }),
  );
  count('outbox_deleted', await trx('notification_outbox').where({ recipient: id }).delete());
  count(
    'outbox_redacted',
    await trx('notification_outbox')
      .where((q) => {
        aboutItems(q, related);
        q.orWhere(mentions(trx, 'subject', terms))
          .orWhere(mentions(trx, 'body', terms))
          .orWhere(mentions(trx, 'last_error', terms))
          .orWhereIn('event_id', trx('groundwork.domain_event').where({ actor: id }).select(trx.raw('id::text')));
      })
      .update({ subject: ERASED, body: ERASED, last_error: null }),
  );
  count('preferences_deleted', await trx('notification_preferences').where({ user: id }).delete());

  // Workflow history: their moves stay (the item's history), without them; their comments by the ownText rule.
  const history = (await trx('workflow_history')
    .where({ actor: id })
    .orWhere(mentions(trx, 'comment', terms))
    .select('id', 'actor', 'comment')) as Array<{ id: number; actor: string | null; comment: string | null }>;
  for (const row of history) {
    const comment =
      row.actor === id ? ownText(row.comment, staff, identifiers) : row.comment && redactText(row.comment, identifiers);
    await trx('workflow_history')
      .where({ id: row.id })
      .update({ actor: row.actor === id ? null : row.actor, comment });
  }
  count('workflow_history_anonymised', history.length);

  // Domain events (the outbox notifications are made from): actor and any mention of them.
  const events = (await trx('groundwork.domain_event')
    .where({ actor: id })
    .orWhere(mentions(trx, 'data', terms))
    .select('id', 'actor', 'data')) as Array<{ id: string; actor: string | null; data: unknown }>;
  for (const event of events) {
    const blank = event.actor === id && !staff ? new Set(['comment']) : new Set<string>();
    await trx('groundwork.domain_event')
      .where({ id: event.id })
      .update({
        actor: event.actor === id ? null : event.actor,
        data: JSON.stringify(scrubJson(event.data, identifiers, blank)),
      });
  }
  count('events_anonymised', events.length);

  // Inbound emails (decision 0049): each row stays, as the Message-ID is what makes a retried delivery a no-op, but
  // not the person: emails from their address lose sender, subject, reason and the held raw email (which would be
  // posted in their name on activation); mentions of them in others' subjects are redacted.
  const inbound = (await trx(INBOUND)
    .modify((q) => (identifiers.email ? q.where({ sender: identifiers.email.toLowerCase() }) : q))
    .orWhere(mentions(trx, 'subject', terms))
    .orWhere(mentions(trx, 'message_id', terms))
    .orWhere(mentions(trx, 'attachments', terms))
    .select('id', 'sender', 'subject', 'message_id', 'attachments')) as Array<{
    id: string;
    sender: string | null;
    subject: string | null;
    message_id: string;
    attachments: unknown;
  }>;
  for (const row of inbound) {
    const theirs = identifiers.email !== null && row.sender === identifiers.email.toLowerCase();
    await trx(INBOUND)
      .where({ id: row.id })
      .update({
        message_id: redactText(row.message_id, identifiers),
        ...(theirs
          ? { sender: null, subject: row.subject === null ? null : ERASED, reason: null, held_mime: null }
          : { subject: row.subject && redactText(row.subject, identifiers) }),
        attachments: row.attachments === null ? null : JSON.stringify(scrubJson(row.attachments, identifiers)),
      });
  }
  count('inbound_emails_anonymised', inbound.length);

  // Jobs (pending, retried, kept for retention): payloads and errors (an SMTP refusal quotes the address).
  const jobs = (await trx('pgboss.job')
    .where(mentions(trx, 'data', terms))
    .orWhere(mentions(trx, 'output', terms))
    .select('id', 'name', 'data', 'output')) as Array<{ id: string; name: string; data: unknown; output: unknown }>;
  for (const job of jobs) {
    await trx('pgboss.job')
      .where({ id: job.id, name: job.name })
      .update({
        data: JSON.stringify(scrubJson(job.data, identifiers)),
        output: job.output === null ? null : JSON.stringify(scrubJson(job.output, identifiers)),
      });
  }
  count('jobs_scrubbed', jobs.length);

  // Security events about them stay as events (counts of failed logins still mean something) without the person:
  // no user id, address hash or IP. Their throttle keys go (others expire within GROUNDWORK_LOGIN_FORGET_SECONDS).
  const account = identifiers.email ? accountKey(identifiers.email) : null;
  const securityRows = (await trx('groundwork.security_events')
    .where({ user_id: id })
    .modify((q) => (account ? q.orWhere({ account_key: account }) : q))
    .orWhere(mentions(trx, 'detail', terms))
    .select('id', 'detail')) as Array<{ id: number; detail: unknown }>;
  for (const row of securityRows) {
    await trx('groundwork.security_events')
      .where({ id: row.id })
      .update({
        user_id: null,
        account_key: null,
        ip: null,
        detail: JSON.stringify(scrubJson(row.detail, identifiers)),
      });
  }
  count('security_events_anonymised', securityRows.length);
  // Events they caused about others (a role change they made as an admin): the other person stays the subject,
  // the actor and the request's IP (theirs) go.
  const acted = (await trx('groundwork.security_events')
    .where({ actor_id: id })
    .update({ actor_id: null, ip: null })) as number;
  count('security_events_actor_removed', acted);
  await trx('groundwork.login_throttle')
    .where({ key: erasureThrottleKey(id) })
    .delete();
  if (identifiers.email) {
    const email = identifiers.email;
    const keys = [
      `login:account:${accountKey(email)}`,
      ...input.facts.ips.map((ip) => `login:client:${accountClientKey(email, ip)}`),
    ];
    await trx('groundwork.login_throttle').whereIn('key', keys).delete();
  }

  // Directus's activity and revisions. The account's own trail (created, updated, logins) and that of the files
  // that go are deleted; their actions on other items stay, without user, IP, user agent or origin.
  const removeFiles = filesToRemove(input.facts.uploaded, domains);
  const ownTrail = (q: Knex.QueryBuilder) =>
    aboutItems(q, [
      { collection: 'directus_users', items: [id] },
      { collection: 'directus_files', items: removeFiles },
      ...deletedRows,
    ]);
  count('revisions_deleted', await trx('directus_revisions').where(ownTrail).delete());
  count('activity_deleted', await trx('directus_activity').where(ownTrail).delete());
  count(
    'activity_anonymised',
    await trx('directus_activity').where({ user: id }).update({ user: null, ip: null, user_agent: null, origin: null }),
  );
  const revisions = (await trx('directus_revisions')
    .where((q) => {
      aboutItems(q, redacted);
      q.orWhere(mentions(trx, 'data', terms)).orWhere(mentions(trx, 'delta', terms));
    })
    .select('id', 'collection', 'item', 'data', 'delta')) as Array<{
    id: number;
    collection: string;
    item: string;
    data: unknown;
    delta: unknown;
  }>;
  let revisionsScrubbed = 0;
  for (const revision of revisions) {
    const blank = blankFields.get(`${revision.collection}:${revision.item}`) ?? new Set<string>();
    const data = scrubJson(revision.data, identifiers, blank);
    const delta = scrubJson(revision.delta, identifiers, blank);
    if (!changed(revision.data, data) && !changed(revision.delta, delta)) continue;
    await trx('directus_revisions')
      .where({ id: revision.id })
      .update({
        data: revision.data === null ? null : JSON.stringify(data),
        delta: revision.delta === null ? null : JSON.stringify(delta),
      });
    revisionsScrubbed += 1;
  }
  count('revisions_scrubbed', revisionsScrubbed);

  // Content versions (drafts of items) hold item fields like revisions do.
  const versions = (await trx('directus_versions')
    .where((q) => {
      aboutItems(q, redacted);
      q.orWhere(mentions(trx, 'delta', terms));
    })
    .select('id', 'collection', 'item', 'delta')) as Array<{
    id: string;
    collection: string;
    item: string;
    delta: unknown;
  }>;
  for (const version of versions) {
    const blank = blankFields.get(`${version.collection}:${version.item}`) ?? new Set<string>();
    await trx('directus_versions')
      .where({ id: version.id })
      .update({ delta: version.delta === null ? null : JSON.stringify(scrubJson(version.delta, identifiers, blank)) });
  }
  count('versions_scrubbed', versions.length);

  // Directus's item comments: theirs by the ownText rule, everyone's without mentions of them.
  const comments = (await trx('directus_comments')
    .where({ user_created: id })
    .orWhere({ user_updated: id })
    .orWhere(mentions(trx, 'comment', terms))
    .select('id', 'comment', 'user_created', 'user_updated')) as Array<{
    id: string;
    comment: string | null;
    user_created: string | null;
    user_updated: string | null;
  }>;
  for (const row of comments) {
    await trx('directus_comments')
      .where({ id: row.id })
      .update({
        comment:
          row.user_created === id
            ? ownText(row.comment, staff, identifiers)
            : row.comment && redactText(row.comment, identifiers),
        user_created: row.user_created === id ? null : row.user_created,
        user_updated: row.user_updated === id ? null : row.user_updated,
      });
  }
  count('comments_anonymised', comments.length);

  // Files: the ones that stay lose their uploader (a foreign key without ON DELETE) and mentions of the person.
  await trx('directus_files').where({ uploaded_by: id }).update({ uploaded_by: null });
  await trx('directus_files').where({ modified_by: id }).update({ modified_by: null });
  const files = (await trx('directus_files')
    .whereNotIn('id', removeFiles)
    .where((q) =>
      q
        .where(mentions(trx, 'title', terms))
        .orWhere(mentions(trx, 'description', terms))
        .orWhere(mentions(trx, 'filename_download', terms)),
    )
    .select('id', 'title', 'description', 'filename_download')) as Array<Record<string, string | null>>;
  for (const file of files) {
    const redact = (text: string | null) => (text === null ? null : redactText(text, identifiers));
    await trx('directus_files')
      .where({ id: file['id'] })
      .update({
        title: redact(file['title'] ?? null),
        description: redact(file['description'] ?? null),
        filename_download: redact(file['filename_download'] ?? null),
      });
  }
  count(
    'files_kept_anonymised',
    domains.reduce((n, domain) => n + domain.keepFiles.length, 0),
  );
  return { counts, removeFiles };
}

/** Other active administrators than `id` (role or user policies with admin access; Directus checks again). */
export async function otherActiveAdmins(database: Knex, id: string): Promise<number> {
  const [row] = (await database('directus_users as u')
    .join('directus_access as a', (join) => join.on('a.user', 'u.id').orOn('a.role', 'u.role'))
    .join('directus_policies as p', 'p.id', 'a.policy')
    .where('p.admin_access', true)
    .where('u.status', 'active')
    .whereNot('u.id', id)
    .countDistinct({ count: 'u.id' })) as Array<{ count: string | number }>;
  return Number(row?.count ?? 0);
}
