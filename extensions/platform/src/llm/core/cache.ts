// Answers by prompt hash (decision 0050): a repeat of the same prompt, with the same models, is answered from here
// without calling the provider. In memory per instance, bounded in entries and age; pure (the clock is given).

export class AnswerCache {
  private readonly entries = new Map<string, { text: string; model: string; expiresAt: number }>();

  constructor(
    private readonly ttlMs: number,
    private readonly maxEntries: number,
  ) {}

  get(key: string, now: number): { text: string; model: string } | null {
    const entry = this.entries.get(key);
    if (!entry) return null;
    if (entry.expiresAt <= now) {
      this.entries.delete(key);
      return null;
    }
    // Map order is insertion order: re-inserting keeps the least recently used first, for eviction.
    this.entries.delete(key);
    this.entries.set(key, entry);
    return { text: entry.text, model: entry.model };
  }

  set(key: string, value: { text: string; model: string }, now: number): void {
    if (this.ttlMs <= 0) return;
    this.entries.delete(key);
    this.entries.set(key, { ...value, expiresAt: now + this.ttlMs });
    while (this.entries.size > this.maxEntries) this.entries.delete(this.entries.keys().next().value!);
  }

  get size(): number {
    return this.entries.size;
  }
}
