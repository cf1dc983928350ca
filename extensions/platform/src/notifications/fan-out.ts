// Fan-out: a domain event becomes notification rows (one per rule × recipient × channel) and one delivery job per
// row due now, in ONE transaction. Events arrive at least once; the outbox's unique key makes a second run insert
// no row and so enqueue no job.
import type { HookExtensionContext } from '@directus/types';
import type { Knex } from 'knex';
import { enqueue } from '../jobs/index.js';
import type { Person } from './core/audience.js';
import { applyBurstLimit, BURST_WINDOW_MS, fanOutNeeds, planFanOut } from './core/outbox.js';
import { audienceGroups } from './groups.js';
import { createRenderer } from './core/render.js';
import { rulesForEvent, type DomainEventLike } from './core/rules.js';
import {
  insertNotifications,
  loadPeople,
  loadPreferences,
  loadRules,
  loadTemplates,
  recentDeliveries,
  type OutboxInsert,
} from './store.js';

export const DELIVER_QUEUE = 'notifications.deliver';

type Logger = HookExtensionContext['logger'];

export interface FanOutDeps {
  services: HookExtensionContext['services'];
  getSchema: HookExtensionContext['getSchema'];
  logger: Logger;
  publicUrl: string;
}

const personView = (person: Person | undefined | null) =>
  person ? { id: person.id, first_name: person.first_name, last_name: person.last_name, email: person.email } : null;

export function createFanOut(deps: FanOutDeps) {
  const render = createRenderer();

  /** The item the event is about, with one level of relations, for audiences and templates. */
  async function loadItem(database: Knex, event: DomainEventLike): Promise<Record<string, unknown> | null> {
    const schema = await deps.getSchema({ database });
    if (!schema.collections[event.collection]) return null;
    // No accountability: the job renders for many recipients; who may receive what is the rules' job (their
    // conditions keep internal notes from customers), not the reader's permissions.
    const service = new deps.services.ItemsService(event.collection, { schema, knex: database });
    try {
      return (await service.readOne(event.item, { fields: ['*', '*.*'] })) as Record<string, unknown>;
    } catch {
      return null; // deleted since: rules that need the item find no audience
    }
  }

  return async function fanOut(event: DomainEventLike, { database }: { database: Knex }): Promise<void> {
    const rules = await loadRules(database);
    // Events no rule listens to cost one query.
    if (rulesForEvent(rules, event.type).length === 0) return;
    const item = await loadItem(database, event);
    const needs = fanOutNeeds(rules, event, item);
    if (event.actor) needs.users.push(event.actor);
    const members = await audienceGroups.members(database, needs.groups, (group) =>
      deps.logger.warn(
        { group, event: event.type },
        'a notification rule names an audience group no domain registered',
      ),
    );
    const people = await loadPeople(database, needs, members);
    const preferences = await loadPreferences(
      database,
      people.map((person) => person.id),
    );
    const unlimited = planFanOut({ event, rules, item, people, members, preferences });
    if (unlimited.length === 0) return;
    const planned = applyBurstLimit(unlimited, rules, await recentDeliveries(database, unlimited, BURST_WINDOW_MS));

    const templates = await loadTemplates(database, [...new Set(planned.map((row) => row.template))]);
    const actor = personView(people.find((person) => person.id === event.actor));
    const base = deps.publicUrl.replace(/\/$/, '');
    const rows: OutboxInsert[] = [];
    for (const one of planned) {
      const template = templates.get(one.template);
      const context = {
        event: { id: event.id, type: event.type, collection: event.collection, item: event.item, data: event.data },
        item,
        actor,
        recipient: personView(one.recipient),
        app: { url: base, item_url: `${base}/admin/content/${event.collection}/${event.item}` },
      };
      try {
        if (!template) throw new Error(`template "${one.template}" does not exist`);
        rows.push({ planned: one, ...(await render(template, context, one.channel)), error: null });
      } catch (error) {
        // A broken template fails its own rows (visible to staff in the outbox), not the whole event.
        rows.push({ planned: one, subject: '', body: '', error: `template: ${(error as Error).message}` });
      }
    }

    const inserted = await database.transaction(async (trx) => {
      const created = await insertNotifications(trx, event, rows);
      for (const row of created) {
        if (row.status === 'pending') await enqueue(trx, DELIVER_QUEUE, { id: row.id }, { singletonKey: row.id });
      }
      return created;
    });
    deps.logger.debug(
      { event: event.id, type: event.type, planned: planned.length, inserted: inserted.length },
      'fan-out',
    );
  };
}
