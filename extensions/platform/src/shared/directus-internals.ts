// Modules of Directus itself that no extension API exposes (the read pipeline up to the SQL, payload checks, query
// sanitising, its global emitter, the permission cache), imported at run time: the specifier is built, not a
// literal, so the bundler leaves the import alone and Node resolves it from the extension's folder up to the
// install's node_modules, i.e. the very module instance Directus loaded (same file, same singleton, same caches).
// Paths are those of 11.17.4 (`@directus/api` exports `./*` as `./dist/*.js`), pinned by its version.
export async function loadDirectusModule<T>(path: string): Promise<T> {
  return (await import(['@directus', 'api', path].join('/'))) as T;
}

/** One of Directus's own packages (`@directus/utils`, `@directus/validation`), the copy it loaded, the same way. */
export async function loadDirectusPackage<T>(name: 'utils' | 'validation'): Promise<T> {
  return (await import(['@directus', name].join('/'))) as T;
}
