// Who receives a rule's notification. Two steps so the core stays pure: `audienceNeeds` says which users to load
// (by id, role or organization), the adapter loads them once per event, `resolveAudience` picks the recipients.
import { idOf, valueAt, type AudienceSpec } from './rules.js';

export interface Person {
  id: string;
  email: string | null;
  first_name: string | null;
  last_name: string | null;
  role: string | null;
  organization: string | null;
  status: string;
}

export interface AudienceNeeds {
  users: string[];
  roles: string[];
  organizations: string[];
}

const unique = (values: Array<string | null>) => [...new Set(values.filter((value): value is string => !!value))];

export function audienceNeeds(specs: AudienceSpec[], item: unknown): AudienceNeeds {
  const users: Array<string | null> = [];
  const roles: Array<string | null> = [];
  const organizations: Array<string | null> = [];
  for (const spec of specs) {
    if ('field' in spec) users.push(idOf(valueAt(item, spec.field)));
    else if ('role' in spec) roles.push(spec.role);
    else if ('organization' in spec) organizations.push(idOf(valueAt(item, spec.organization)));
  }
  return { users: unique(users), roles: unique(roles), organizations: unique(organizations) };
}

/** Recipients in the order the specs name them, each once; only active users; the actor left out when asked. */
export function resolveAudience(
  specs: AudienceSpec[],
  item: unknown,
  people: Person[],
  options: { actor: string | null; excludeActor: boolean },
): Person[] {
  const active = people.filter((person) => person.status === 'active');
  const byId = new Map(active.map((person) => [person.id, person]));
  const chosen = new Map<string, Person>();
  const add = (person: Person | undefined) => {
    if (!person) return;
    if (options.excludeActor && options.actor && person.id === options.actor) return;
    if (!chosen.has(person.id)) chosen.set(person.id, person);
  };
  for (const spec of specs) {
    if ('field' in spec) {
      const id = idOf(valueAt(item, spec.field));
      if (id) add(byId.get(id));
    } else if ('role' in spec) {
      for (const person of active) if (person.role === spec.role) add(person);
    } else if ('organization' in spec) {
      const organization = idOf(valueAt(item, spec.organization));
      if (organization) for (const person of active) if (person.organization === organization) add(person);
    }
  }
  return [...chosen.values()];
}
