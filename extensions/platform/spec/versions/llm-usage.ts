// Platform version `llm-usage` (issue 13, LLM adapter, decision 0050): the daily token usage the budgets read, in
// the admin app's Platform folder (made by version `navigation`). Admins only: no policy grants it.
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { llmUsageCollection } from '../llm.js';
import { createCollections, type VersionAuthor } from '../types.js';

const here = path.dirname(fileURLToPath(import.meta.url));

export const version: VersionAuthor = {
  name: 'llm-usage',
  dataMigration: path.join(here, '..', 'llm-usage', 'migrate.ts'),
  async author(send, log) {
    await createCollections(send, log, [llmUsageCollection], []);
    await send('PATCH', '/collections/llm_usage', {
      meta: {
        group: 'groundwork_platform',
        sort: 30,
        translations: [{ language: 'en-US', translation: 'LLM usage', singular: 'LLM usage', plural: 'LLM usage' }],
      },
    });
    log('llm_usage in the Platform folder');
  },
};
