// Data migration of the sla-rules version (copied into snapshots/NNNN-sla-rules/ by the authoring script). The SLA
// rules live in the database so that every write path (REST one and batch, GraphQL, nested writes, the app, flows,
// imports, raw SQL) follows them in the write's transaction (decisions 0011 and 0023):
// - Pauses. `tickets_sla_due` (replacing the workflows version's function, now also fired by status changes)
//   keeps `sla_paused_since` (set while the ticket is `pending` or `on_hold`) and `sla_paused_seconds` (completed
//   pauses). Due times are always date_created + the policy's minutes for the priority + sla_paused_seconds, so a
//   resume pushes both out by the pause and a priority or organization change keeps every earlier pause. Only a
//   priority or organization change clears `sla_state`: a pause cannot make a state better (the scan skips paused
//   tickets and the due time moves by exactly the paused time), so a resume keeps it and publishes nothing again.
// - First response. `ticket_messages_first_response` stamps `tickets.first_responded_at` once, with the first
//   public message whose author is staff (people with app or admin access, `service_desk_person` of the
//   notifications version): internal notes, customers' replies and authorless rows do not count.
import type { Knex } from 'knex';

/** Statuses in which both SLA clocks stand still (waiting on the customer, or on a third party). */
export const PAUSED_STATUSES = ['pending', 'on_hold'];

export async function up({ database }: { database: Knex.Transaction }): Promise<void> {
  const paused = `array[${PAUSED_STATUSES.map((status) => `'${status}'`).join(', ')}]::text[]`;
  await database.raw(`
    create or replace function tickets_sla_due() returns trigger language plpgsql as $$
    declare
      policy jsonb;
      base timestamptz;
      was_paused boolean := tg_op = 'UPDATE' and old.status = any(${paused});
      is_paused boolean := new.status = any(${paused});
      policy_changed boolean := tg_op = 'INSERT' or new.priority is distinct from old.priority
                                or new.organization is distinct from old.organization;
    begin
      new.sla_paused_seconds := coalesce(new.sla_paused_seconds, 0);
      if tg_op = 'INSERT' then
        -- An import may carry its pause history; otherwise a ticket created paused pauses from now.
        new.sla_paused_since := case when is_paused then coalesce(new.sla_paused_since, now()) end;
      elsif was_paused and not is_paused then
        new.sla_paused_seconds := new.sla_paused_seconds
          + greatest(0, floor(extract(epoch from now() - coalesce(old.sla_paused_since, now()))))::int;
        new.sla_paused_since := null;
      elsif is_paused and not was_paused then
        new.sla_paused_since := now();
      end if;
      if not policy_changed and new.sla_paused_seconds is not distinct from old.sla_paused_seconds then
        return new;
      end if;
      select to_jsonb(p) into policy
        from organizations o join sla_policies p on p.id = o.sla_policy
       where o.id = new.organization;
      base := coalesce(new.date_created, now()) + make_interval(secs => new.sla_paused_seconds);
      if policy is null then
        new.first_response_due_at := null;
        new.resolution_due_at := null;
      else
        new.first_response_due_at := base + make_interval(mins => (policy ->> ('first_response_' || new.priority))::int);
        new.resolution_due_at := base + make_interval(mins => (policy ->> ('resolution_' || new.priority))::int);
      end if;
      if policy_changed then
        new.sla_state := null;
      end if;
      return new;
    end
    $$`);
  await database.raw('drop trigger if exists tickets_sla_due on tickets');
  await database.raw(
    'create trigger tickets_sla_due before insert or update of priority, organization, status, sla_paused_seconds ' +
      'on tickets for each row execute function tickets_sla_due()',
  );
  // Tickets already waiting when this version is applied pause from now (their past waiting is not known).
  await database.raw(`update tickets set sla_paused_since = now() where status = any(${paused})`);

  await database.raw(`
    create or replace function ticket_messages_first_response() returns trigger language plpgsql as $$
    begin
      if new.internal or new.author is null or new.ticket is null then return null; end if;
      -- A note made public later is a response from then on.
      if tg_op = 'UPDATE' and not old.internal then return null; end if;
      if not coalesce((service_desk_person(new.author) ->> 'staff')::boolean, false) then return null; end if;
      update tickets
         set first_responded_at = case when tg_op = 'INSERT' then coalesce(new.date_created, now()) else now() end
       where id = new.ticket and first_responded_at is null;
      return null;
    end
    $$`);
  await database.raw('drop trigger if exists ticket_messages_first_response on ticket_messages');
  await database.raw(
    'create trigger ticket_messages_first_response after insert or update of internal on ticket_messages ' +
      'for each row execute function ticket_messages_first_response()',
  );
}
