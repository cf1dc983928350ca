// Directus's own modules that no extension API exposes (the read pipeline up to the SQL, payload checks, query
// sanitising), loaded at run time from the @directus/api that runs: the very instances, caches, schema and registered
// hooks REST uses. The specifier is computed so the extension bundler leaves it to Node's resolution. They are
// internals, pinned by Directus's version (11.17.x); search, imports and exports use them.
export async function loadDirectusModule<T>(path: string): Promise<T> {
  return (await import(['@directus', 'api', path].join('/'))) as T;
}
