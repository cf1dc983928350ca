// The data-migration files a version gets from its modules: the one module's data migration as it is, or, for
// several, each as migrate-<module>.ts plus a generated migrate.ts that runs them in the modules' order (one
// transaction: the migrator's). Released versions must be self-contained, so these are copies; `npm run
// domain:author` (or platform:author) writes them and `copies.test.ts` proves every released copy still equals what this returns.
import { readFileSync } from 'node:fs';
import { DATA_MIGRATION } from './core/version.js';
import type { VersionAuthor } from '../../extensions/platform/spec/types.js';

export function dataMigrationFiles(modules: Array<Pick<VersionAuthor, 'name' | 'dataMigration'>>): Map<string, string> {
  const withData = modules.filter((module) => module.dataMigration);
  const files = new Map<string, string>();
  if (withData.length === 1) files.set(DATA_MIGRATION, readFileSync(withData[0]!.dataMigration!, 'utf8'));
  if (withData.length < 2) return files;
  const imports: string[] = [];
  const calls: string[] = [];
  withData.forEach((module, index) => {
    files.set(`migrate-${module.name}.ts`, readFileSync(module.dataMigration!, 'utf8'));
    imports.push(`import { up as up${index} } from './migrate-${module.name}.js';`);
    calls.push(`  await up${index}({ database });`);
  });
  const source = [
    `// Written by \`npm run domain:author\`: runs the data migrations of ${withData.map((m) => m.name).join(', ')} in order.`,
    "import type { Knex } from 'knex';",
    ...imports,
    '',
    'export async function up({ database }: { database: Knex.Transaction }): Promise<void> {',
    ...calls,
    '}',
    '',
  ].join('\n');
  files.set(DATA_MIGRATION, source);
  return files;
}
