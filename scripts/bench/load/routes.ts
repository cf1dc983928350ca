// The load test's mix over HTTP (decision 0055), shared by `bench:load` and `bench:slow-queries`: the demo callers,
// the tickets each may read, move or reply to, and the weighted routes. The order and the weights are the mix.
import { DEMO_PASSWORD } from '../../../extensions/service-desk/seed/core/demo.js';
import { LISTED_REQUESTS, withTicket } from '../../../extensions/service-desk/tests/plans/queries.js';
import { withClient, type PgConnection } from '../../lib/postgres.js';
import { json } from '../lib/http.js';
import type { MixRoute } from './drive.js';

export const BASELINE = 'baseline: GET /server/health (Directus)';

async function sql<T = Record<string, unknown>>(db: PgConnection, text: string, params: unknown[] = []) {
  return withClient(db, async (client) => (await client.query(text, params)).rows as T[]);
}

/** Cycles through a list: the next caller, the next ticket. */
export function cycle<T>(items: readonly T[]): () => T {
  if (items.length === 0) throw new Error('the seeded data has nothing to cycle through');
  let next = 0;
  return () => items[next++ % items.length]!;
}

/** Picks the callers and tickets from the seeded database; `routesAt` logs them in at one base URL. */
export async function prepareMix(db: PgConnection): Promise<{ routesAt(base: string): Promise<MixRoute[]> }> {
  // The callers: every active demo customer of an organization (up to 8) and every demo agent (up to 4).
  const customers = await sql<{ email: string; organization: string }>(
    db,
    `select u.email, u.organization::text as organization from directus_users u
       join directus_roles r on r.id = u.role
      where r.name = 'Customer' and u.status = 'active' and u.organization is not null order by u.email limit 8`,
  );
  const agents = await sql<{ email: string }>(
    db,
    `select u.email from directus_users u join directus_roles r on r.id = u.role
      where r.name = 'Agent' and u.status = 'active' order by u.email limit 4`,
  );
  // Tickets each customer may read (their organization's), and two disjoint pools of open tickets for the agents:
  // one moved open ⇄ pending, one replied to (a reply must not race a move of the same ticket).
  const readable = new Map<string, () => string>();
  const readableIds: string[] = [];
  for (const customer of customers) {
    const ids = await sql<{ id: string }>(
      db,
      `select id from tickets where organization = $1 order by md5(id::text) limit 200`,
      [customer.organization],
    );
    readable.set(customer.email, cycle(ids.map((row) => row.id)));
    readableIds.push(...ids.map((row) => row.id));
  }
  const open = (
    await sql<{ id: string }>(db, `select id from tickets where status = 'open' order by md5(id::text) limit 4000`)
  ).map((row) => row.id);
  const moving = open.filter((_, i) => i % 2 === 0);
  const replied = cycle(open.filter((_, i) => i % 2 === 1));
  const state = new Map(moving.map((id) => [id, 'open']));
  const nextMoving = cycle(moving);
  const anyTicket = cycle(readableIds);
  return {
    async routesAt(base) {
      const login = async (email: string) =>
        (await json(`${base}/auth/login`, { method: 'POST', body: JSON.stringify({ email, password: DEMO_PASSWORD }) }))
          .access_token as string;
      const customerTokens = await Promise.all(customers.map(async (c) => ({ ...c, token: await login(c.email) })));
      const agentTokens = await Promise.all(agents.map(async (a) => login(a.email)));
      const nextCustomer = cycle(customerTokens);
      const nextAgent = cycle(agentTokens);
      const bearer = (token: string) => ({ authorization: `Bearer ${token}` });
      const agentRead = LISTED_REQUESTS.find((r) => r.name === 'agent: open one ticket with its messages')!.path;
      const customerMessages = LISTED_REQUESTS.find(
        (r) => r.name === "customer: a ticket's messages, oldest first",
      )!.path;
      const myOpen = LISTED_REQUESTS.find((r) => r.name === 'agent: my open tickets')!.path;
      const words = cycle(['password', 'invoice', 'printer', 'export', 'bulk ticket 4711']);
      let replies = 0;
      let searches = 0;

      return [
        {
          name: 'customer: list my tickets',
          weight: 20,
          next: () => ({
            method: 'GET',
            path: '/items/tickets?limit=25&sort=-date_created',
            headers: bearer(nextCustomer().token),
          }),
        },
        {
          name: 'customer: open a ticket',
          weight: 10,
          next: () => {
            const customer = nextCustomer();
            return {
              method: 'GET',
              path: `/items/tickets/${readable.get(customer.email)!()}`,
              headers: bearer(customer.token),
            };
          },
        },
        {
          name: "customer: a ticket's messages",
          weight: 10,
          next: () => {
            const customer = nextCustomer();
            const path = withTicket(customerMessages, readable.get(customer.email)!());
            return { method: 'GET', path, headers: bearer(customer.token) };
          },
        },
        {
          name: 'agent: my open tickets',
          weight: 12,
          next: () => ({ method: 'GET', path: myOpen, headers: bearer(nextAgent()) }),
        },
        {
          name: 'agent: a ticket with its messages',
          weight: 10,
          next: () => ({ method: 'GET', path: withTicket(agentRead, anyTicket()), headers: bearer(nextAgent()) }),
        },
        {
          name: 'agent: reply',
          weight: 8,
          next: () => ({
            method: 'POST',
            path: '/items/ticket_messages',
            headers: bearer(nextAgent()),
            body: JSON.stringify({ ticket: replied(), body: `Load test reply ${++replies}.`, internal: false }),
          }),
        },
        {
          name: 'agent: transition',
          weight: 8,
          next: () => {
            // Round-robin over a pool far larger than the concurrency: a ticket comes back long after its last move.
            const id = nextMoving();
            const to = state.get(id) === 'open' ? 'pending' : 'open';
            state.set(id, to);
            return {
              method: 'PATCH',
              path: `/items/tickets/${id}`,
              headers: bearer(nextAgent()),
              body: JSON.stringify({ status: to }),
            };
          },
        },
        {
          name: 'search (customer and agent)',
          weight: 8,
          next: () => {
            const token = ++searches % 2 ? nextAgent() : nextCustomer().token;
            const query = new URLSearchParams({ q: words(), collections: 'tickets', limit: '10' });
            return { method: 'GET', path: `/groundwork/v1/search?${query}`, headers: bearer(token) };
          },
        },
        {
          name: 'export: 100 tickets as CSV',
          weight: 2,
          next: () => {
            const query = new URLSearchParams({
              format: 'csv',
              fields: 'id,number,subject,status,priority',
              limit: '100',
            });
            return { method: 'GET', path: `/groundwork/v1/exports/tickets?${query}`, headers: bearer(nextAgent()) };
          },
        },
        { name: BASELINE, weight: 12, next: () => ({ method: 'GET', path: '/server/health' }) },
      ];
    },
  };
}
