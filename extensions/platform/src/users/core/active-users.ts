// A short memory of users seen active, so the status check costs one read per user per second instead of one per
// request. Only "active" is remembered: a deactivation is never hidden for longer than the TTL, and not at all
// when this process saw it (forget). Pure: the clock is given.

export interface ActiveUsers {
  /** True when the user was seen active less than ttlMs ago. */
  isFresh(user: string): boolean;
  remember(user: string): void;
  forget(user: string): void;
}

export function createActiveUsers(options: { ttlMs: number; maxEntries: number; now: () => number }): ActiveUsers {
  const seen = new Map<string, number>();
  return {
    isFresh(user) {
      const until = seen.get(user);
      if (until === undefined) return false;
      if (until > options.now()) return true;
      seen.delete(user);
      return false;
    },
    remember(user) {
      // Bounded: a flood of distinct users empties the memory rather than growing it.
      if (seen.size >= options.maxEntries) seen.clear();
      seen.set(user, options.now() + options.ttlMs);
    },
    forget(user) {
      seen.delete(user);
    },
  };
}
