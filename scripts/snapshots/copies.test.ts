// Released versions must be self-contained, so their data migrations are copies of the modules' sources
// (<domain>/spec/<module>/migrate.ts for the domain's line, extensions/platform/spec/ for the platform's). This proves every copy still equals its source: a source edited after its
// version was cut must become a new module and a new version, not a silent difference between a fresh migrate
// and the code a developer reads.
import { describe, expect, it } from '@jest/globals';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import type { VersionAuthor } from '../../extensions/platform/spec/types.js';
import { repoRoot } from '../lib/paths.js';
import { DATA_MIGRATION } from './core/version.js';
import { dataMigrationFiles } from './data-migrations.js';
import { domainModulesDir, listVersions, platformSnapshotsDir, snapshotsDir } from './store.js';

const lines = [
  { line: 'platform', dir: platformSnapshotsDir(), modules: path.join(repoRoot, 'extensions', 'platform', 'spec', 'versions') },
  { line: 'domain', dir: snapshotsDir(), modules: domainModulesDir(snapshotsDir()) },
];

async function modules(versionsDir: string): Promise<VersionAuthor[]> {
  const files = readdirSync(versionsDir).filter((file) => file.endsWith('.ts') && !file.endsWith('.test.ts'));
  const loaded = await Promise.all(
    files
      .filter((file) => file !== 'types.ts')
      .map(
        async (file) =>
          ((await import(pathToFileURL(path.join(versionsDir, file)).href)) as { version: VersionAuthor }).version,
      ),
  );
  return loaded;
}

describe.each(lines)('released data migrations of the $line line', ({ dir, modules: versionsDir }) => {
  it('each version holds exactly the copies its modules make, byte for byte', async () => {
    const all = await modules(versionsDir);
    const byName = new Map(all.map((module) => [module.name, module]));
    const checked: string[] = [];
    for (const version of listVersions(dir)) {
      const folder = path.join(dir, version.folder);
      const present = readdirSync(folder).filter((file) => /^migrate(-.+)?\.ts$/.test(file));
      if (present.length === 0) continue;
      const parts = present.filter((file) => file !== DATA_MIGRATION).map((file) => file.slice('migrate-'.length, -3));
      let sources: VersionAuthor[];
      if (parts.length > 0) {
        // Several modules: their order is the generated migrate.ts's import order.
        const generated = readFileSync(path.join(folder, DATA_MIGRATION), 'utf8');
        const order = [...generated.matchAll(/from '\.\/migrate-(.+)\.js'/g)].map((match) => match[1]!);
        expect({ version: version.folder, modules: [...order].sort() }).toEqual({
          version: version.folder,
          modules: [...parts].sort(),
        });
        sources = order.map((name) => {
          const module = byName.get(name);
          if (!module)
            throw new Error(`${version.folder}: migrate-${name}.ts has no module ${name} in ${versionsDir}`);
          return module;
        });
      } else {
        // One module: the one whose data migration this is a copy of.
        const copy = readFileSync(path.join(folder, DATA_MIGRATION), 'utf8');
        const source = all.find(
          (module) => module.dataMigration && readFileSync(module.dataMigration, 'utf8') === copy,
        );
        if (!source)
          throw new Error(
            `${version.folder}/migrate.ts equals no module's data migration: was its source edited after release?`,
          );
        sources = [source];
      }
      const expected = dataMigrationFiles(sources);
      for (const file of present) {
        expect({ file: `${version.folder}/${file}`, source: readFileSync(path.join(folder, file), 'utf8') }).toEqual({
          file: `${version.folder}/${file}`,
          source: expected.get(file),
        });
      }
      checked.push(version.folder);
    }
    // Every line has versions with data migrations at the time of writing (the domain's 0002-0005, the
    // platform's 0001): a check that found none would prove nothing.
    expect(checked.length).toBeGreaterThanOrEqual(1);
  });
});
