// What a snapshot version authored by `npm run domain:author` provides: each module in this folder describes one
// change to the reference deployment (schema, access, settings, flows) as REST calls against a throwaway Directus
// already migrated to the versions before it. The types are the platform's (both lines are authored the same way).
export type { Send, VersionAuthor } from '../../../platform/spec/types.js';
