// Modules of Directus itself that its extension context does not hand out, imported at run time: the specifier is
// built, not a literal, so the bundler leaves the import alone and Node resolves it from the extension's folder up
// to the install's node_modules, i.e. the very module instance Directus loaded (same file, same singleton). Paths
// are those of 11.17.4 (`@directus/api` exports `./*` as `./dist/*.js`); callers fall back when one is missing.

export function importDirectusModule<T>(path: string): Promise<T> {
  return import(['@directus/api', path].join('/')) as Promise<T>;
}
