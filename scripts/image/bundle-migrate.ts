// Image build step: bundles scripts/migrate.ts into node_modules/.groundwork/migrate.mjs, so the image migrates
// with plain Node (`node node_modules/.groundwork/migrate.mjs`), the way `npm start` and the test stack do.
import { bundleModule } from '../lib/bundle.js';
import { repoRoot } from '../lib/paths.js';
import path from 'node:path';

const file = await bundleModule(path.join(repoRoot, 'scripts', 'migrate.ts'), 'migrate');
console.log(`[image] migrate bundled: ${path.relative(repoRoot, file)}`);
