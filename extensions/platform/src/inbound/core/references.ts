// Message-ID lists of In-Reply-To and References (RFC 5322 msg-id: `<left@right>`). Pure.

/** Every `<...>` id of the values, in order, without duplicates; bare ids (without brackets) are taken as one. */
export function messageIdsOf(...values: Array<string | string[] | undefined | null>): string[] {
  const found: string[] = [];
  for (const value of values.flat()) {
    if (!value) continue;
    const bracketed = value.match(/<[^<>\s]+>/g);
    const ids = bracketed ?? (value.trim() && !/\s/.test(value.trim()) ? [`<${value.trim()}>`] : []);
    for (const id of ids) if (!found.includes(id) && id.length <= 998) found.push(id);
  }
  return found;
}

/** A Message-ID in its bracketed form, or null when there is none worth keying on. */
export function normalMessageId(value: string | undefined | null): string | null {
  return messageIdsOf(value)[0] ?? null;
}
