// What a snapshot version's authoring module provides (`npm run domain:author`, `npm run platform:author`): one
// change made through Directus's REST API on a throwaway Directus migrated to the versions before it; the script
// captures the result as the next version of the module's line (decision 0029). Domains use these types too.
type Json = Record<string, unknown>;

export type Send = (method: string, route: string, body?: unknown) => Promise<unknown>;

export interface VersionAuthor {
  /** The version folder's name after its number: `NNNN-<name>/`. */
  name: string;
  /** Makes the change through Directus's REST API as the bootstrap admin. */
  author(send: Send, log: (message: string) => void): Promise<void>;
  /** Absolute path of a data migration (`up({ database })`) copied into the version as migrate.ts. */
  dataMigration?: string;
}

/** Collections, fields and relations as the Directus REST API takes them (POST /collections, /fields, /relations). */
export interface FieldSpec {
  field: string;
  type: string;
  meta: Json;
  schema?: Json | null;
}
export interface CollectionSpec {
  collection: string;
  meta: Json;
  fields: FieldSpec[];
}
export interface RelationSpec {
  collection: string;
  field: string;
  related_collection: string;
  meta?: Json;
  schema?: Json;
}

/** Creates collections with their fields in order, then relations. */
export async function createCollections(
  send: Send,
  log: (message: string) => void,
  collections: CollectionSpec[],
  relations: RelationSpec[],
): Promise<void> {
  for (const spec of collections) {
    const fields = spec.fields.map((field, index) => ({ ...field, meta: { ...field.meta, sort: index + 1 } }));
    await send('POST', '/collections', { collection: spec.collection, meta: spec.meta, schema: {}, fields });
    log(`collection ${spec.collection} (${fields.length} fields)`);
  }
  for (const relation of relations) await send('POST', '/relations', relation);
  log(`${relations.length} relations`);
}

/** A folder of the admin app's navigation and the collections it holds, in order, with the names people read. */
export interface NavigationFolder {
  /** The folder's key: a collection without a table (Directus's "folder"), owned by the line that makes it. */
  folder: string;
  name: string;
  icon: string;
  /** Position among the top-level entries. */
  sort: number;
  /** Shown closed until opened (for configuration staff rarely visit). */
  collapsed?: boolean;
  collections: Array<{ collection: string; singular: string; plural: string }>;
}

const english = (translation: string, singular?: string, plural?: string) => [
  { language: 'en-US', translation, ...(singular ? { singular, plural } : {}) },
];

/** Makes the folders and moves each collection into its folder, in order, under its English name. */
export async function arrangeNavigation(
  send: Send,
  log: (message: string) => void,
  folders: NavigationFolder[],
): Promise<void> {
  for (const folder of folders) {
    await send('POST', '/collections', {
      collection: folder.folder,
      meta: {
        icon: folder.icon,
        sort: folder.sort,
        collapse: folder.collapsed ? 'closed' : 'open',
        translations: english(folder.name),
      },
      schema: null,
    });
    for (const [index, entry] of folder.collections.entries()) {
      await send('PATCH', `/collections/${entry.collection}`, {
        meta: {
          group: folder.folder,
          sort: index + 1,
          translations: english(entry.plural, entry.singular, entry.plural),
        },
      });
    }
    log(`folder "${folder.name}": ${folder.collections.map((entry) => entry.collection).join(', ')}`);
  }
}
