// Which handlers an event type reaches. Pure.

const TYPE = /^[a-z0-9_]+(\.[a-z0-9_]+)*$/i;

/** Event types are dot-separated words, e.g. `ticket.created`, `ticket.message.public`. */
export function assertEventType(type: string): void {
  if (!TYPE.test(type) || type.length > 200) {
    throw new Error(`Event type "${type}" must be dot-separated words of letters, digits or "_"`);
  }
}

/** A pattern is an exact type, `prefix.*` (the prefix and anything below it), or `*` (everything). */
export function assertEventPattern(pattern: string): void {
  if (pattern === '*') return;
  assertEventType(pattern.endsWith('.*') ? pattern.slice(0, -2) : pattern);
}

export function matchesEventPattern(pattern: string, type: string): boolean {
  if (pattern === '*') return true;
  if (pattern.endsWith('.*')) {
    const prefix = pattern.slice(0, -2);
    return type === prefix || type.startsWith(`${prefix}.`);
  }
  return pattern === type;
}
