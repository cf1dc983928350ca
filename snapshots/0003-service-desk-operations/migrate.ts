// Written by `npm run domain:author`: runs the data migrations of workflows, notifications in order.
import type { Knex } from 'knex';
import { up as up0 } from './migrate-workflows.js';
import { up as up1 } from './migrate-notifications.js';

export async function up({ database }: { database: Knex.Transaction }): Promise<void> {
  await up0({ database });
  await up1({ database });
}
