// Audience groups: the domain notions a notification rule may name, such as "the people of this ticket's
// organization". The platform knows no domain column; a domain registers a resolver per group name through the
// platform API (decision 0028), and fan-out asks it for the members of the values the matching rules point at.
import type { GroupMembers } from './audience.js';

/** The members of each value: rows of (value, user id). Runs on the fan-out's database handle. */
export type GroupResolver<Db> = (db: Db, values: string[]) => Promise<Array<{ value: string; user: string }>>;

const BUILT_IN = new Set(['field', 'role']);

export function createAudienceGroups<Db>() {
  const resolvers = new Map<string, GroupResolver<Db>>();
  return {
    register(name: string, resolver: GroupResolver<Db>): void {
      if (BUILT_IN.has(name) || !/^[a-z][a-z0-9_]*$/.test(name)) {
        throw new Error(`"${name}" cannot name an audience group: use lower-case words, not "field" or "role"`);
      }
      resolvers.set(name, resolver);
    },
    /** Members per group and value; a group nobody registered reaches nobody and is reported once per call. */
    async members(db: Db, groups: Record<string, string[]>, onUnknown: (group: string) => void): Promise<GroupMembers> {
      const found: GroupMembers = {};
      for (const [group, values] of Object.entries(groups)) {
        if (values.length === 0) continue;
        const resolver = resolvers.get(group);
        if (!resolver) {
          onUnknown(group);
          continue;
        }
        const byValue: Record<string, string[]> = {};
        for (const { value, user } of await resolver(db, values)) (byValue[String(value)] ??= []).push(String(user));
        found[group] = byValue;
      }
      return found;
    },
  };
}
