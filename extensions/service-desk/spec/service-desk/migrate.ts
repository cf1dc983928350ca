// Data migration of the service-desk version (copied into snapshots/NNNN-service-desk/ by the authoring script).
// Ticket numbers (SD-1000, SD-1001, ...) come from a Postgres sequence through a BEFORE INSERT trigger: one
// number per insert whoever inserts (REST, GraphQL, flows, imports), no duplicates under concurrency (a rolled-back
// insert leaves a gap), and invisible to Directus's schema snapshot, so it causes no drift. A number given explicitly (an import) is kept.
import type { Knex } from 'knex';

export async function up({ database }: { database: Knex.Transaction }): Promise<void> {
  await database.raw('create sequence if not exists tickets_number_seq start with 1000');
  await database.raw(`
    create or replace function tickets_assign_number() returns trigger language plpgsql as $$
    begin
      if new.number is null then
        new.number := 'SD-' || nextval('tickets_number_seq');
      end if;
      return new;
    end
    $$`);
  await database.raw('drop trigger if exists tickets_assign_number on tickets');
  await database.raw(
    'create trigger tickets_assign_number before insert on tickets for each row execute function tickets_assign_number()',
  );
}
