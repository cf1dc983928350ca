/**
 * A collection of the project's own data, named by a caller (a route's path, an operation's options, an import's
 * mapping): in the schema and not a system collection (those have their own services: users, roles, files).
 * `Object.hasOwn`, not `schema.collections[name]`: `constructor` found Object.prototype's function there and went on
 * as if it were a collection (a 500; fuzz seed 431192641).
 */
export function isDataCollection(schema: { collections: Record<string, unknown> }, collection: string): boolean {
  return !collection.startsWith('directus_') && Object.hasOwn(schema.collections, collection);
}
