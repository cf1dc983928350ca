// `npm run snapshot -- <name>`: captures the live database into the next version folder (nothing when unchanged).
// `npm run snapshot:check`: exits 1 with a readable diff when the database drifted from the latest version.
// `npm run snapshot -- --reseal <folder>`: rewrites the manifest of an unreleased version after editing migrate.ts.
// Options: --dir (default snapshots/, or GROUNDWORK_SNAPSHOTS_DIR), --database-url.
import { parseArgs } from 'node:util';
import { step } from './lib/log.js';
import { captureVersion, checkDrift, resealVersion } from './snapshots/capture.js';
import { openTarget } from './snapshots/connection.js';
import { describeChanges, summarizeChanges } from './snapshots/core/diff.js';
import { labelOf, snapshotsDir } from './snapshots/store.js';

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    check: { type: 'boolean' },
    reseal: { type: 'string' },
    dir: { type: 'string' },
    'database-url': { type: 'string' },
  },
});
const SCOPE = values.check ? 'snapshot:check' : 'snapshot';
const dir = snapshotsDir(values.dir);

async function main(): Promise<number> {
  if (values.reseal) {
    step(SCOPE, `resealed ${values.reseal}: checksum ${resealVersion(dir, values.reseal)}`);
    return 0;
  }
  const name = positionals.join(' ');
  if (!values.check && !name) {
    console.error(
      `[${SCOPE}] name the version: npm run snapshot -- <name>, e.g. npm run snapshot -- add-ticket-priority`,
    );
    return 2;
  }
  const target = await openTarget(values['database-url'], SCOPE);
  try {
    const { connection } = target;
    step(SCOPE, `reading database ${connection.database} on ${connection.host}:${connection.port}`);
    if (values.check) {
      const { latest, changes, drifted } = await checkDrift(connection, dir);
      if (!drifted) {
        step(SCOPE, `the database matches ${latest}`);
        return 0;
      }
      console.error(`[${SCOPE}] the database has drifted from ${latest ?? `(no version in ${labelOf(dir)})`}:`);
      for (const line of describeChanges(changes)) console.error(`  ${line}`);
      console.error(`[${SCOPE}] capture it with \`npm run snapshot -- <name>\`, or undo the change in the database`);
      return 1;
    }
    const result = await captureVersion(connection, dir, name);
    if (!result.folder) {
      step(SCOPE, `nothing changed since ${result.latest}: wrote nothing`);
      return 0;
    }
    step(SCOPE, `wrote ${labelOf(dir)}/${result.folder} (${summarizeChanges(result.changes)})`);
    for (const line of describeChanges(result.changes)) console.log(`  ${line}`);
    return 0;
  } finally {
    await target.close();
  }
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(`[${SCOPE}] ${(error as Error).message ?? String(error)}`);
    process.exit(1);
  },
);
