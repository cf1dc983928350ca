// What a snapshot version authored by `npm run domain:author` provides. Each module in this folder describes one
// change to the reference deployment (schema, access, settings, flows) as REST calls against a throwaway Directus
// already migrated to the versions before it; the authoring script captures the result as the next version.
export type Send = (method: string, route: string, body?: unknown) => Promise<unknown>;

export interface VersionAuthor {
  /** The version folder's name after its number: `snapshots/NNNN-<name>/`. */
  name: string;
  /** Makes the change through Directus's REST API as the bootstrap admin. */
  author(send: Send, log: (message: string) => void): Promise<void>;
  /** Absolute path of a data migration (`up({ database })`) copied into the version as migrate.ts. */
  dataMigration?: string;
}
