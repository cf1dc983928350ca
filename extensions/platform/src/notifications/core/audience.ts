// Who receives a rule's notification. Two steps so the core stays pure: `audienceNeeds` says what to load (users by
// id, roles, and members of domain groups by the value at a path), the adapter loads it once per event through the
// groups the domains registered, `resolveAudience` picks the recipients.
import { idOf, valueAt, type AudienceSpec } from './rules.js';

export interface Person {
  id: string;
  email: string | null;
  first_name: string | null;
  last_name: string | null;
  role: string | null;
  status: string;
}

export interface AudienceNeeds {
  users: string[];
  roles: string[];
  /** group name → the values whose members to load, e.g. `{ organization: ['<org id>'] }`. */
  groups: Record<string, string[]>;
}

/** group name → value → member user ids, as the adapter found them. */
export type GroupMembers = Record<string, Record<string, string[]>>;

export type AudienceTarget =
  | { kind: 'field'; path: string }
  | { kind: 'role'; role: string }
  | { kind: 'group'; group: string; path: string };

/** What a spec asks for; null for a spec that is not one key with a text value (it reaches nobody). */
export function audienceTarget(spec: AudienceSpec): AudienceTarget | null {
  const entries = spec && typeof spec === 'object' ? Object.entries(spec) : [];
  if (entries.length !== 1) return null;
  const [key, value] = entries[0]!;
  if (typeof value !== 'string' || value === '') return null;
  if (key === 'field') return { kind: 'field', path: value };
  if (key === 'role') return { kind: 'role', role: value };
  return { kind: 'group', group: key, path: value };
}

const unique = (values: Array<string | null>) => [...new Set(values.filter((value): value is string => !!value))];

export function audienceNeeds(specs: AudienceSpec[], item: unknown): AudienceNeeds {
  const needs: AudienceNeeds = { users: [], roles: [], groups: {} };
  for (const spec of specs) mergeNeeds(needs, needsOf(audienceTarget(spec), item));
  return needs;
}

function needsOf(target: AudienceTarget | null, item: unknown): AudienceNeeds {
  const none: AudienceNeeds = { users: [], roles: [], groups: {} };
  if (!target) return none;
  if (target.kind === 'role') return { ...none, roles: [target.role] };
  const id = idOf(valueAt(item, target.path));
  if (!id) return none;
  if (target.kind === 'field') return { ...none, users: [id] };
  return { ...none, groups: { [target.group]: [id] } };
}

/** Adds `more` to `into`, each name once (the fan-out merges the needs of every matching rule). */
export function mergeNeeds(into: AudienceNeeds, more: AudienceNeeds): AudienceNeeds {
  into.users = unique([...into.users, ...more.users]);
  into.roles = unique([...into.roles, ...more.roles]);
  for (const [group, values] of Object.entries(more.groups)) {
    into.groups[group] = unique([...(into.groups[group] ?? []), ...values]);
  }
  return into;
}

/** Recipients in the order the specs name them, each once; only active users; the actor left out when asked. */
export function resolveAudience(
  specs: AudienceSpec[],
  item: unknown,
  directory: { people: Person[]; members: GroupMembers },
  options: { actor: string | null; excludeActor: boolean },
): Person[] {
  const active = directory.people.filter((person) => person.status === 'active');
  const byId = new Map(active.map((person) => [person.id, person]));
  const chosen = new Map<string, Person>();
  const add = (person: Person | undefined) => {
    if (!person) return;
    if (options.excludeActor && options.actor && person.id === options.actor) return;
    if (!chosen.has(person.id)) chosen.set(person.id, person);
  };
  for (const spec of specs) {
    const target = audienceTarget(spec);
    if (!target) continue;
    if (target.kind === 'role') {
      for (const person of active) if (person.role === target.role) add(person);
      continue;
    }
    const id = idOf(valueAt(item, target.path));
    if (!id) continue;
    if (target.kind === 'field') add(byId.get(id));
    else for (const member of directory.members[target.group]?.[id] ?? []) add(byId.get(member));
  }
  return [...chosen.values()];
}
