// Data migration of the sla-watch-index version (copied into snapshots/NNNN-sla-watch-index/ by the authoring
// script): the index the SLA job's two statements walk (extensions/service-desk/src/sla/queries.ts). The open-tickets
// index of 0007 also holds open tickets already marked breached, and those stay open for days: once the backlog is
// marked, every minute's scan and historic-breach mark walked all of them to find the few left (decision 0070).
// The predicate is the queries' own filter, written as knex sends it, so the planner proves it from their values.
// `if not exists`, as the list indexes, for an operator who built it concurrently. Two columns (the statements read
// the id in due order): a one-column index makes Directus report the field as indexed (its inspector counts only
// single-column indexes), which the snapshot's schema would then have to say, and its apply would add a plain index.
import type { Knex } from 'knex';

export async function up({ database }: { database: Knex.Transaction }): Promise<void> {
  await database.raw(
    `create index if not exists tickets_sla_watch_index on tickets (resolution_due_at, id)
     where status not in ('solved', 'closed') and sla_paused_since is null and (sla_state is null or sla_state <> 'breached')`,
  );
}
