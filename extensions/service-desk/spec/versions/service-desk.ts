// Version service-desk: the collections, relations, roles, policies and permissions of the reference domain
// (definitions in ../service-desk/), plus the ticket-number data migration.
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { links, permissions, policies, roles } from '../service-desk/access.js';
import { collections, relations, userOrganization } from '../service-desk/schema.js';
import type { VersionAuthor } from './types.js';

const here = path.dirname(fileURLToPath(import.meta.url));

export const version: VersionAuthor = {
  name: 'service-desk',
  dataMigration: path.join(here, '..', 'service-desk', 'migrate.ts'),
  async author(send, log) {
    // The schema first (collections, then the links between them), then the access rules.
    for (const spec of collections) {
      const fields = spec.fields.map((field, index) => ({ ...field, meta: { ...field.meta, sort: index + 1 } }));
      await send('POST', '/collections', { collection: spec.collection, meta: spec.meta, schema: {}, fields });
      log(`collection ${spec.collection} (${fields.length} fields)`);
    }
    await send('POST', '/fields/directus_users', userOrganization);
    for (const relation of relations) await send('POST', '/relations', relation);
    log(`${relations.length} relations`);

    for (const role of roles) await send('POST', '/roles', role);
    for (const policy of policies) await send('POST', '/policies', policy);
    for (const link of links) await send('POST', '/access', link);
    await send('POST', '/permissions', permissions);
    log(`${roles.length} roles, ${policies.length} policies, ${permissions.length} permissions`);
  },
};
