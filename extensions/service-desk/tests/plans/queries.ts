// The service desk's reads that must be served by an index at 1M tickets and 2M messages (issue 14, item 5;
// decision 0031), in one place: query-plans.test.ts explains the SQL Directus runs for each (captured by
// capture.ts) and fails on a sequential scan of a large table, and scripts/bench/ticket-list.ts loads the same
// requests over HTTP, without and with the indexes. The SLA jobs' scans are plain SQL (src/sla/queries.ts).
import type { Knex } from 'knex';
import { SILENT_BREACH_AFTER_MS } from '../../src/sla/core/breach.js';
import { autoCloseQuery, markHistoricBreachesQuery, slaScanQuery } from '../../src/sla/queries.js';

/** The tables a listed query must never read sequentially. */
export const LARGE_TABLES = ['tickets', 'ticket_messages', 'ticket_messages_files'];

export type Caller = 'customer' | 'agent';

export interface ListedRequest {
  name: string;
  who: Caller;
  /** A REST read; `{ticket}` is a ticket of the caller's organization. Filters as JSON, as the app sends them. */
  path: string;
}

const open = { status: { _nin: ['solved', 'closed'] } };
/** The agents' presets (snapshots' settings.json): their filter, sorted by resolution due time, 25 a page. */
const PRESET_FIELDS = 'id,number,subject,status,priority,organization,assignee,resolution_due_at';
const preset = (filter: object) =>
  `/items/tickets?limit=25&sort=resolution_due_at&fields=${PRESET_FIELDS}&filter=${encodeURIComponent(JSON.stringify(filter))}`;

export const LISTED_REQUESTS: ListedRequest[] = [
  // The customer's portal: their organization's tickets (row rule organization = $CURRENT_USER.organization).
  { name: 'customer: my tickets, newest first', who: 'customer', path: '/items/tickets?limit=25&sort=-date_created' },
  {
    // Customers cannot read the `messages` alias (internal notes): the portal reads the ticket, then its messages.
    name: 'customer: open one ticket',
    who: 'customer',
    path: '/items/tickets/{ticket}',
  },
  {
    name: "customer: a ticket's messages, oldest first",
    who: 'customer',
    path: `/items/ticket_messages?limit=-1&sort=date_created&fields=*,attachments.*&filter=${encodeURIComponent(JSON.stringify({ ticket: { _eq: '{ticket}' } }))}`,
  },
  {
    name: 'agent: my open tickets',
    who: 'agent',
    path: preset({ _and: [open, { assignee: { _eq: '$CURRENT_USER' } }] }),
  },
  { name: 'agent: open tickets by due time', who: 'agent', path: preset(open) },
  {
    name: 'agent: past resolution due',
    who: 'agent',
    path: preset({ _and: [open, { resolution_due_at: { _lt: '$NOW' } }] }),
  },
  { name: 'agent: unassigned', who: 'agent', path: preset({ _and: [open, { assignee: { _null: true } }] }) },
  {
    name: 'agent: open one ticket with its messages',
    who: 'agent',
    path: '/items/tickets/{ticket}?fields=*,messages.*,messages.attachments.*',
  },
];

/** The SLA jobs' scans (src/sla/jobs.ts), as the SQL they run. */
export function listedJobQueries(knex: Knex, now = new Date()): Array<{ name: string; sql: Knex.SqlNative }> {
  return [
    { name: 'job: SLA scan', sql: slaScanQuery(knex, now).toSQL().toNative() },
    {
      name: 'job: SLA scan, historic breaches marked',
      sql: markHistoricBreachesQuery(knex, new Date(now.getTime() - SILENT_BREACH_AFTER_MS))
        .toSQL()
        .toNative(),
    },
    { name: 'job: auto-close solved tickets', sql: autoCloseQuery(knex).toSQL().toNative() },
  ];
}

export function withTicket(path: string, ticket: string): string {
  return path.replaceAll('{ticket}', ticket).replaceAll(encodeURIComponent('{ticket}'), ticket);
}

export interface CaptureRequest {
  name: string;
  /** A directus_users id: the caller. */
  user: string;
  /** A REST read: `/items/<collection>[/<id>]?<query>`; `filter` and `deep` as JSON. */
  path: string;
}
export interface CapturedStatement {
  sql: string;
  bindings: unknown[];
}
export interface Captured {
  name: string;
  statements: CapturedStatement[];
}
