// A short memory of what was read about each user (status, role, access), so the checks cost one read per user per
// second instead of one per request. A change is never hidden for longer than the TTL, and not at all when this
// process saw it (forget). Pure: the clock is given.

export interface UserMemory<T> {
  /** The value remembered less than ttlMs ago, else undefined. */
  get(user: string): T | undefined;
  remember(user: string, value: T): void;
  forget(user: string): void;
  /** Everything: a policy or role change may concern any user. */
  clear(): void;
}

export function createUserMemory<T>(options: { ttlMs: number; maxEntries: number; now: () => number }): UserMemory<T> {
  const seen = new Map<string, { value: T; until: number }>();
  return {
    get(user) {
      const entry = seen.get(user);
      if (entry === undefined) return undefined;
      if (entry.until > options.now()) return entry.value;
      seen.delete(user);
      return undefined;
    },
    remember(user, value) {
      // Bounded: a flood of distinct users empties the memory rather than growing it.
      if (seen.size >= options.maxEntries) seen.clear();
      seen.set(user, { value, until: options.now() + options.ttlMs });
    },
    forget(user) {
      seen.delete(user);
    },
    clear() {
      seen.clear();
    },
  };
}
