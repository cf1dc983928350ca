// JSON nested thousands of levels deep (`[[[[…]]]]`) parses fine, then overflows the stack of the first recursive
// walk over it in Directus (a 500, "Maximum call stack size exceeded"). Legitimate bodies and filters nest a few
// levels (relations stop at MAX_RELATIONAL_DEPTH), so a generous bound refuses only abuse.
export const MAX_JSON_DEPTH = 64;

/** Where the recursive checks of a query stop walking: deeper than MAX_JSON_DEPTH is refused anyway (bound kept loose). */
export const MAX_WALK_DEPTH = 100;

/** True when objects and arrays nest deeper than `max`. Iterative: the check itself cannot overflow. */
export function nestsDeeperThan(value: unknown, max = MAX_JSON_DEPTH): boolean {
  const stack: Array<[unknown, number]> = [[value, 0]];
  while (stack.length) {
    const [node, depth] = stack.pop()!;
    if (node === null || typeof node !== 'object') continue;
    if (depth >= max) return true;
    for (const child of Object.values(node)) stack.push([child, depth + 1]);
  }
  return false;
}
