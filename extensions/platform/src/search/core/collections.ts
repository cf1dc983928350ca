// Which configured collections a request searches: the `collections` parameter, checked against the configuration.
export type CollectionsChoice = { ok: true; collections: string[] } | { ok: false; reason: string };

export function chooseCollections(requested: string | undefined, configured: readonly string[]): CollectionsChoice {
  if (requested === undefined) return { ok: true, collections: [...configured].sort() };
  const names = [...new Set(requested.split(',').map((name) => name.trim()))].filter((name) => name !== '');
  if (names.length === 0) return { ok: false, reason: 'name at least one collection' };
  const unknown = names.filter((name) => !configured.includes(name));
  if (unknown.length > 0) return { ok: false, reason: `not searchable: ${unknown.join(', ')}` };
  return { ok: true, collections: names.sort() };
}
