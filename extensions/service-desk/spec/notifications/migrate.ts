// Data migration of the notifications version (copied into snapshots/NNNN-notifications/ by the authoring script).
// What Directus's schema API cannot express, all invisible to its schema snapshot (so no drift):
// - the service desk's item events (tickets.created, ticket_messages.created, tickets.assigned), published by
//   triggers into the platform's events outbox (groundwork_publish_event) in the transaction of the write, on every
//   write path (REST, GraphQL, the app, flows, imports, SQL). Why triggers and not Directus filters:
//   docs/decisions/0012-notifications-outbox.md. They are deferred constraint triggers: they run at commit, after
//   Directus has written the write's activity row in the same transaction, which names the actor.
//   `SET LOCAL groundwork.events = 'off'` turns them off for bulk loads; a database without the platform's events
//   function (before Directus's first start) has nowhere to publish, so nothing is published.
import type { Knex } from 'knex';

export async function up({ database }: { database: Knex.Transaction }): Promise<void> {
  await database.raw(`
    create or replace function service_desk_events_on() returns boolean language sql stable as $$
      select coalesce(current_setting('groundwork.events', true), '') <> 'off'
         and to_regprocedure('public.groundwork_publish_event(text,text,text,uuid,jsonb)') is not null
    $$`);
  // The user of the latest activity row Directus wrote for the item (in this transaction, at commit time).
  await database.raw(`
    create or replace function service_desk_actor(p_collection text, p_item text, p_actions text[]) returns uuid
    language sql stable as $$
      select a."user" from directus_activity a
       where a.collection = p_collection and a.item = p_item and a.action = any(p_actions)
       order by a.id desc limit 1
    $$`);
  // A person's role name (lower case) and whether they are staff: people with app access (agents, managers,
  // editors, admins) answer tickets; customers and the integration account do not. No user: the system, staff.
  await database.raw(`
    create or replace function service_desk_person(p_user uuid) returns jsonb language sql stable as $$
      select jsonb_build_object(
        'role', case when p_user is null then 'system' else coalesce(lower(r.name), 'none') end,
        'staff', p_user is null or exists (
          select 1 from directus_access x join directus_policies p on p.id = x.policy
           where (x.role = u.role or x."user" = u.id) and (p.app_access or p.admin_access)))
      from (select p_user as id) q
      left join directus_users u on u.id = q.id
      left join directus_roles r on r.id = u.role
    $$`);

  await database.raw(`
    create or replace function tickets_publish_created() returns trigger language plpgsql as $$
    declare
      actor uuid;
    begin
      if not service_desk_events_on() then return null; end if;
      actor := service_desk_actor('tickets', new.id::text, array['create']);
      perform public.groundwork_publish_event('tickets.created', 'tickets', new.id::text, actor,
        jsonb_build_object('priority', new.priority, 'channel', new.channel, 'organization', new.organization,
                           'actor_role', service_desk_person(actor)->'role'));
      return null;
    end
    $$`);
  await database.raw(`
    create or replace function ticket_messages_publish_created() returns trigger language plpgsql as $$
    declare
      actor uuid;
      person jsonb;
    begin
      if not service_desk_events_on() then return null; end if;
      actor := coalesce(service_desk_actor('ticket_messages', new.id::text, array['create']), new.author);
      person := service_desk_person(actor);
      -- internal and the author's role let rules tell an agent's public reply from a customer's reply or a note.
      perform public.groundwork_publish_event('ticket_messages.created', 'ticket_messages', new.id::text, actor,
        jsonb_build_object('ticket', new.ticket, 'internal', new.internal, 'author', actor,
                           'author_role', person->'role', 'author_is_staff', person->'staff'));
      return null;
    end
    $$`);
  await database.raw(`
    create or replace function tickets_publish_assignment() returns trigger language plpgsql as $$
    begin
      if new.assignee is null or (tg_op = 'UPDATE' and new.assignee is not distinct from old.assignee) then
        return null;
      end if;
      if not service_desk_events_on() then return null; end if;
      perform public.groundwork_publish_event('tickets.assigned', 'tickets', new.id::text,
        service_desk_actor('tickets', new.id::text, array['create', 'update']),
        jsonb_build_object('from', case when tg_op = 'UPDATE' then old.assignee end, 'to', new.assignee));
      return null;
    end
    $$`);

  const triggers: Array<[string, string, string]> = [
    ['tickets_publish_created', 'tickets', 'after insert'],
    ['ticket_messages_publish_created', 'ticket_messages', 'after insert'],
    ['tickets_publish_assignment', 'tickets', 'after insert or update of assignee'],
  ];
  for (const [name, table, timing] of triggers) {
    await database.raw(`drop trigger if exists ${name} on ${table}`);
    await database.raw(
      `create constraint trigger ${name} ${timing} on ${table} deferrable initially deferred for each row execute function ${name}()`,
    );
  }
}
