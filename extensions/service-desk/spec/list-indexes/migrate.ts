// Data migration of the list-indexes version (copied into snapshots/NNNN-list-indexes/ by the authoring script):
// the composite and partial indexes the service desk's lists and SLA jobs need (decision 0031). Directus's schema
// snapshot carries only single-column indexes (`schema.is_indexed`, set by the version module for
// ticket_messages.ticket and ticket_messages_files.ticket_messages_id); these have two columns each, so Directus
// never reads them as a column's index and a later schema apply leaves them alone. `if not exists`: on a large
// production table an operator may build them first with `create index concurrently` under these names (decision
// 0031) and the migration then finds them there; otherwise `create index` holds writes on tickets while it builds
// (all six took 15.5 s at 1M tickets, docs/benchmarks.md).
import type { Knex } from 'knex';

/** Statuses that are done: the agents' presets and the SLA scan read only the other ones. */
const OPEN = `status not in ('solved', 'closed')`;

export const LIST_INDEXES: Array<{ name: string; definition: string }> = [
  // The customer's list: their organization's tickets (the row rule), newest first.
  { name: 'tickets_organization_date_created_index', definition: 'tickets (organization, date_created desc)' },
  // "Open tickets by due time", "Past resolution due", "Unassigned" and the SLA scan: open tickets in due order.
  { name: 'tickets_open_resolution_due_index', definition: `tickets (resolution_due_at, assignee) where ${OPEN}` },
  // "My open tickets": one agent's open tickets in due order (exact, however few the agent has).
  { name: 'tickets_open_assignee_index', definition: `tickets (assignee, resolution_due_at) where ${OPEN}` },
  // Auto-close: solved tickets by when they were solved (and any list filtered on one status).
  { name: 'tickets_status_solved_at_index', definition: 'tickets (status, solved_at)' },
];

export async function up({ database }: { database: Knex.Transaction }): Promise<void> {
  for (const index of LIST_INDEXES) {
    await database.raw(`create index if not exists ${index.name} on ${index.definition}`);
  }
}
