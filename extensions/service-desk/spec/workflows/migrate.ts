// Data migration of the workflows version (copied into snapshots/NNNN-workflows/ by the authoring script).
// SLA due times: a BEFORE INSERT / UPDATE OF priority, organization trigger on tickets sets first_response_due_at
// and resolution_due_at from the organization's SLA policy (minutes per priority, counted from date_created), in
// the write's transaction, per row: so batch priority changes, imports and raw SQL get them too (decision 0011).
// A recomputation clears sla_state, and the SLA job classifies the ticket again on its next run.
// The workflow triggers themselves follow workflow_definitions and are made by the platform at boot
// (extensions/platform/src/workflows/triggers.ts).
import type { Knex } from 'knex';

export async function up({ database }: { database: Knex.Transaction }): Promise<void> {
  await database.raw(`
    create or replace function tickets_sla_due() returns trigger language plpgsql as $$
    declare
      policy jsonb;
      base timestamptz;
    begin
      if tg_op = 'UPDATE' and new.priority is not distinct from old.priority
         and new.organization is not distinct from old.organization then
        return new;
      end if;
      select to_jsonb(p) into policy
        from organizations o join sla_policies p on p.id = o.sla_policy
       where o.id = new.organization;
      base := coalesce(new.date_created, now());
      if policy is null then
        new.first_response_due_at := null;
        new.resolution_due_at := null;
      else
        new.first_response_due_at := base + make_interval(mins => (policy ->> ('first_response_' || new.priority))::int);
        new.resolution_due_at := base + make_interval(mins => (policy ->> ('resolution_' || new.priority))::int);
      end if;
      new.sla_state := null;
      return new;
    end
    $$`);
  await database.raw('drop trigger if exists tickets_sla_due on tickets');
  await database.raw(
    'create trigger tickets_sla_due before insert or update of priority, organization on tickets ' +
      'for each row execute function tickets_sla_due()',
  );
}
