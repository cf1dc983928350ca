// Platform version `search` (issue 12): the search configuration collection (decision 0039). Its rows come from the
// domain's line, with the indexes they need.
import { searchCollectionsCollection } from '../search.js';
import { createCollections, type VersionAuthor } from '../types.js';

export const version: VersionAuthor = {
  name: 'search',
  async author(send, log) {
    await createCollections(send, log, [searchCollectionsCollection], []);
  },
};
