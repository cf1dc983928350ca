// The service desk's part of erasing a person (decision 0021). Tickets belong to the organization and stay; the
// person in them becomes nobody (requester, assignee, author set to null). A customer's words (their tickets'
// subject and description, their messages) are replaced; staff wrote theirs as work for the organization, so those
// stay, and so do the files staff attached to ticket messages. Every mention of the person (email, full name, id)
// in any ticket, message or article is redacted, whoever wrote it.
//
// Written with the erasure's transaction (knex), not the caller's permissions: a customer cannot update their own
// messages or other people's mentions of them, and a write through ItemsService with an accountability would record
// the very text being erased in a new revision.
import type { Knex } from 'knex';
import {
  ERASED,
  redactText,
  searchTerms,
  type DomainErasure,
  type ErasureRequest,
} from '../../../platform/src/privacy/core/erasure.js';

const like = (database: Knex, column: string, terms: string[]) =>
  database.raw('??::text ILIKE ANY(?::text[])', [
    column,
    terms.map((term) => `%${term.replace(/[\\%_]/g, (c) => `\\${c}`)}%`),
  ]);

/** Rows of `table` mentioning the person in any of `columns`, rewritten with the mentions redacted. */
async function redactMentions(
  request: ErasureRequest<Knex>,
  table: string,
  key: string,
  columns: string[],
): Promise<number> {
  const { trx, identifiers } = request;
  const terms = searchTerms(identifiers);
  const rows = (await trx(table)
    .where((q) => {
      for (const column of columns) q.orWhere(like(trx, column, terms));
    })
    .select(key, ...columns)) as Array<Record<string, unknown>>;
  for (const row of rows) {
    const update = Object.fromEntries(
      columns.map((column) => {
        const value = row[column];
        return [column, typeof value === 'string' ? redactText(value, identifiers) : value];
      }),
    );
    await trx(table)
      .where(key, row[key] as string)
      .update(update);
  }
  return rows.length;
}

export async function eraseServiceDeskData(request: ErasureRequest<Knex>): Promise<DomainErasure> {
  const { trx, user, staff } = request;
  const id = user.id;
  // No item events for these writes (an assignee set to null would publish tickets.assigned with the person's id);
  // the setting lasts until the erasure's transaction ends.
  await trx.raw("SET LOCAL groundwork.events = 'off'");

  const requested = (await trx('tickets').where({ requester: id }).pluck('id')) as string[];
  const authored = (await trx('ticket_messages').where({ author: id }).pluck('id')) as string[];
  const attachedToAuthored = (await trx('ticket_messages_files')
    .whereIn('ticket_messages_id', authored)
    .distinct()
    .pluck('directus_files_id')) as string[];

  const counts: Record<string, number> = {};
  const set = (key: string, n: number) => {
    if (n > 0) counts[key] = n;
  };
  set(
    'tickets_requested_anonymised',
    await trx('tickets')
      .where({ requester: id })
      .update(
        staff
          ? { requester: null }
          : {
              requester: null,
              subject: ERASED,
              description: trx.raw('CASE WHEN description IS NULL THEN NULL ELSE ? END', [ERASED]),
            },
      ),
  );
  set('tickets_unassigned', await trx('tickets').where({ assignee: id }).update({ assignee: null }));
  // The reports' rollup keeps a cell per assignee (decision 0044): the update above moved this person's tickets to
  // "unassigned" through its trigger, and the emptied cells would still name them.
  await trx('report_ticket_counts').where({ assignee: id }).delete();
  await trx('tickets').where({ user_created: id }).update({ user_created: null });
  await trx('tickets').where({ user_updated: id }).update({ user_updated: null });
  set(
    'messages_anonymised',
    await trx('ticket_messages')
      .where({ author: id })
      .update(staff ? { author: null } : { author: null, body: ERASED }),
  );
  for (const column of ['author', 'reviewer', 'user_created', 'user_updated'])
    await trx('kb_articles')
      .where(column, id)
      .update({ [column]: null });

  set(
    'mentions_redacted',
    (await redactMentions(request, 'tickets', 'id', ['subject', 'description', 'workflow_comment'])) +
      (await redactMentions(request, 'ticket_messages', 'id', ['body'])) +
      (await redactMentions(request, 'kb_articles', 'id', ['title', 'summary', 'body'])),
  );

  if (staff) {
    // What staff attached to ticket messages is part of the ticket's record; their other uploads go.
    const attached = (await trx('directus_files as f')
      .join('ticket_messages_files as j', 'j.directus_files_id', 'f.id')
      .where('f.uploaded_by', id)
      .distinct()
      .pluck('f.id')) as string[];
    return { counts, redacted: [], quotedBy: [], removeFiles: [], keepFiles: attached };
  }
  // Replies by others on the customer's tickets: their notifications quoted the ticket's subject.
  const replies = (await trx('ticket_messages')
    .whereIn('ticket', requested)
    .whereNotIn('id', authored)
    .pluck('id')) as string[];
  return {
    counts,
    redacted: [
      { collection: 'tickets', items: requested, fields: ['subject', 'description', 'workflow_comment'] },
      { collection: 'ticket_messages', items: authored, fields: ['body'] },
    ],
    quotedBy: [{ collection: 'ticket_messages', items: replies }],
    // Files on the customer's own messages are theirs, whoever uploaded them for them (decision 0007).
    removeFiles: attachedToAuthored,
    keepFiles: [],
  };
}
