// Directus shows a custom app module only once it is enabled in Settings → Module Bar, and snapshot versions do not
// carry directus_settings yet (docs/snapshots.md). So at boot we add the Jobs module to the module bar once: when
// the bar has no entry for it. An admin who later disables or moves it keeps their choice.
import type { Knex } from 'knex';
import { withModule, type ModuleBarEntry } from './core/module-bar.js';

export async function enableModuleOnce(database: Knex, moduleId: string): Promise<boolean> {
  return database.transaction(async (trx) => {
    await trx.raw("SELECT pg_advisory_xact_lock(hashtextextended('groundwork.module_bar', 0))");
    const row = (await trx('directus_settings').select('id', 'module_bar').orderBy('id').first()) as
      | { id: number; module_bar: ModuleBarEntry[] | string | null }
      | undefined;
    const current =
      typeof row?.module_bar === 'string'
        ? (JSON.parse(row.module_bar) as ModuleBarEntry[])
        : (row?.module_bar ?? null);
    const next = withModule(current, moduleId);
    if (!next) return false;
    if (row)
      await trx('directus_settings')
        .where({ id: row.id })
        .update({ module_bar: JSON.stringify(next) });
    else await trx('directus_settings').insert({ module_bar: JSON.stringify(next) });
    return true;
  });
}
