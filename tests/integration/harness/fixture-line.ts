// Where the fixture domain's snapshot line is (tests/fixtures/domain): its own file so that stack.ts can name it
// without loading the fixture helpers.
import path from 'node:path';
import { repoRoot } from '../../../scripts/lib/paths.js';

export const FIXTURE_LINE = path.join(repoRoot, 'tests', 'fixtures', 'domain', 'snapshots');
