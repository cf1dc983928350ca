// `npm run snapshot -- <name>`: captures the live database into the next version folder (nothing when unchanged).
// `npm run snapshot:check`: exits 1 with a readable diff when the database drifted from the latest version.
// `npm run snapshot -- --reseal <folder>`: rewrites the manifest of an unreleased version after editing migrate.ts.
// Two lines of versions (decision 0029): the domain's (snapshots/) and the platform's (extensions/platform/snapshots/).
// A capture or reseal works on the domain's unless `--line platform`; the check checks both unless a line is given.
// Options: --line, --dir (that line's folder; the domain's default is snapshots/ or GROUNDWORK_SNAPSHOTS_DIR),
// --database-url.
import path from 'node:path';
import { parseArgs } from 'node:util';
import { step } from './lib/log.js';
import { captureVersion, checkDrift, resealVersion } from './snapshots/capture.js';
import { openTarget } from './snapshots/connection.js';
import { describeChanges, summarizeChanges } from './snapshots/core/diff.js';
import { defaultLineDirs } from './snapshots/capture.js';
import type { LineName } from './snapshots/core/lines.js';
import { labelOf } from './snapshots/store.js';

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    check: { type: 'boolean' },
    reseal: { type: 'string' },
    dir: { type: 'string' },
    line: { type: 'string' },
    'database-url': { type: 'string' },
  },
});
const SCOPE = values.check ? 'snapshot:check' : 'snapshot';
if (values.line !== undefined && values.line !== 'platform' && values.line !== 'domain') {
  console.error(`[${SCOPE}] --line is platform or domain, not ${values.line}`);
  process.exit(2);
}
const line = (values.line ?? 'domain') as LineName;
const dirs = defaultLineDirs();
if (values.dir) dirs[line] = path.resolve(values.dir);
const dir = dirs[line];

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
      let code = 0;
      const checks = await checkDrift(connection, values.line ? [line] : ['platform', 'domain'], dirs);
      for (const { line: checked, latest, changes, drifted } of checks) {
        const where = labelOf(dirs[checked]);
        if (!drifted) {
          step(SCOPE, `the database matches ${latest} (${where})`);
          continue;
        }
        console.error(
          `[${SCOPE}] the database has drifted from ${latest ? `${where}/${latest}` : `(no version in ${where})`}:`,
        );
        for (const change of describeChanges(changes)) console.error(`  ${change}`);
        const capture =
          checked === 'platform' ? 'npm run snapshot -- --line platform <name>' : 'npm run snapshot -- <name>';
        console.error(`[${SCOPE}] capture it with \`${capture}\`, or undo the change in the database`);
        code = 1;
      }
      return code;
    }
    const result = await captureVersion(connection, name, line, dirs);
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
