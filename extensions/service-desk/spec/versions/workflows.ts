// Version workflows: the fields the domain's workflows need on tickets and kb_articles, who may read the
// platform's workflow definitions and history, the tickets and articles workflows as rows of workflow_definitions
// (config data, carried by snapshots), and the SLA due-time trigger (data migration).
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { newPermissions, widenedPermissions } from '../workflows/access.js';
import { workflows } from '../workflows/definitions.js';
import { addedFields, addedRelations } from '../workflows/schema.js';
import type { VersionAuthor } from './types.js';

const here = path.dirname(fileURLToPath(import.meta.url));

export const version: VersionAuthor = {
  name: 'workflows',
  dataMigration: path.join(here, '..', 'workflows', 'migrate.ts'),
  async author(send, log) {
    for (const { collection, field } of addedFields) await send('POST', `/fields/${collection}`, field);
    for (const relation of addedRelations) await send('POST', '/relations', relation);
    log(`${addedFields.length} fields, ${addedRelations.length} relations on existing collections`);

    await send('POST', '/permissions', newPermissions);
    for (const grant of widenedPermissions) {
      const query = new URLSearchParams({
        'filter[policy][_eq]': grant.policy,
        'filter[collection][_eq]': grant.collection,
        'filter[action][_eq]': grant.action,
      });
      const found = (await send('GET', `/permissions?${query}`)) as { id: number; fields: string[] | null }[];
      if (found.length !== 1) throw new Error(`expected one ${grant.collection} ${grant.action} permission`);
      const fields = [...new Set([...(found[0]!.fields ?? []), ...grant.add])];
      await send('PATCH', `/permissions/${found[0]!.id}`, { fields });
    }
    log(`${newPermissions.length} permissions, ${widenedPermissions.length} widened`);

    for (const workflow of workflows) await send('POST', '/items/workflow_definitions', workflow);
    log(`workflows: ${workflows.map((workflow) => workflow.collection).join(', ')}`);
  },
};
