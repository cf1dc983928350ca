// A short memory of what was read about each user (status, role, access), so the checks cost one read per user per
// second instead of one per request. A change is never hidden for longer than the TTL, and not at all when this
// process saw it (forget). Pure: the clock is given.
//
// A read that started before a forget must not be remembered after it: a sweep or request that read the user's old
// row while the change was committing would otherwise put the old access back for a whole TTL. So a caller takes a
// ticket (`reading()`) before its database read and hands it to `remember`, which drops a value read before the
// latest forget of that user or clear.

export interface UserMemory<T> {
  /** The value remembered less than ttlMs ago, else undefined. */
  get(user: string): T | undefined;
  /** A ticket to take before reading the database, for `remember`. */
  reading(): number;
  /** Remembers a value read after `ticket` was taken, unless the user was forgotten (or all cleared) since. */
  remember(user: string, value: T, ticket: number): void;
  forget(user: string): void;
  /** Everything: a policy or role change may concern any user. */
  clear(): void;
}

export function createUserMemory<T>(options: { ttlMs: number; maxEntries: number; now: () => number }): UserMemory<T> {
  const seen = new Map<string, { value: T; until: number }>();
  const forgottenAt = new Map<string, number>();
  let epoch = 0;
  let clearedAt = 0;
  const clear = () => {
    seen.clear();
    forgottenAt.clear();
    clearedAt = ++epoch;
  };
  return {
    get(user) {
      const entry = seen.get(user);
      if (entry === undefined) return undefined;
      if (entry.until > options.now()) return entry.value;
      seen.delete(user);
      return undefined;
    },
    reading() {
      return epoch;
    },
    remember(user, value, ticket) {
      if (clearedAt > ticket || (forgottenAt.get(user) ?? 0) > ticket) return;
      // Bounded: a flood of distinct users empties the memory rather than growing it.
      if (seen.size >= options.maxEntries) seen.clear();
      seen.set(user, { value, until: options.now() + options.ttlMs });
    },
    forget(user) {
      seen.delete(user);
      // Bounded too: past maxEntries forgets, one clear stands for them all (reads in flight are dropped).
      if (forgottenAt.size >= options.maxEntries) clear();
      else forgottenAt.set(user, ++epoch);
    },
    clear,
  };
}
