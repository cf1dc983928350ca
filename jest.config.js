// Three tiers: `unit` (pure core code, no Directus, fast), `medium` (our SQL and its adapters on a throwaway Postgres
// database, no Directus) and `integration` (a real Directus on a throwaway Postgres database, over HTTP). Sources are ESM TypeScript, so jest runs in ESM mode (see package.json "test").
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const rootDir = path.dirname(fileURLToPath(import.meta.url));

const common = {
  testEnvironment: 'node',
  extensionsToTreatAsEsm: ['.ts'],
  // Sources import './x.js' (NodeNext); jest resolves the .ts file.
  moduleNameMapper: { '^(\\.{1,2}/.*)\\.js$': '$1' },
  transform: { '^.+\\.ts$': ['ts-jest', { useESM: true, diagnostics: false }] },
};

// Every `core/` folder (the pure business rules) under these roots, found at load so that a new capability's core is
// held to the threshold without editing this file.
const coreRoots = [
  ...fs
    .readdirSync(path.join(rootDir, 'extensions'))
    .flatMap((name) => [`extensions/${name}/src`, `extensions/${name}/seed`]),
  'scripts',
];

function coreDirectories(dir) {
  if (!fs.existsSync(dir) || !fs.statSync(dir).isDirectory()) return [];
  const found = [];
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    if (!entry.isDirectory() || entry.name === 'node_modules' || entry.name === 'dist') continue;
    const child = path.join(dir, entry.name);
    if (entry.name === 'core' && hasSource(child)) found.push(child);
    else found.push(...coreDirectories(child));
  }
  return found;
}

function hasSource(dir) {
  return fs
    .readdirSync(dir, { recursive: true })
    .some((file) => String(file).endsWith('.ts') && !String(file).endsWith('.test.ts'));
}

const cores = coreRoots.flatMap((root) => coreDirectories(path.join(rootDir, root)));
const minimum = { statements: 85, branches: 85, functions: 85, lines: 85 };

export default {
  // Integration tests start Directus processes (a hook waits up to 180 s for one to be ready: scripts/lib/instance.ts);
  // unit tests finish in milliseconds either way.
  testTimeout: 300000,
  // Two files at a time, also on a 2-core machine (Jest's default there is one): an integration file spends much of
  // its time waiting (for a Directus to boot, a job, a mail, a cron minute), which the other file's work fills. Each
  // worker gets a main instance of its own (tests/integration/harness/stack.ts), so the two never share one.
  maxWorkers: 2,
  reporters: ['default', '<rootDir>/tests/support/summary-reporter.cjs'],
  testSequencer: '<rootDir>/tests/support/sequencer.mjs',
  // Used by `npm run test:coverage` (unit project with --coverage); plain `npm test` collects nothing.
  collectCoverageFrom: [
    'extensions/*/src/**/core/**/*.ts',
    'extensions/*/seed/**/core/**/*.ts',
    'scripts/**/core/**/*.ts',
    '!**/*.test.ts',
    '!**/*.d.ts',
  ],
  coverageDirectory: '<rootDir>/coverage',
  coverageReporters: ['text', 'json-summary'],
  // One key per core directory: jest aggregates a directory key over its files (a glob key would check each file
  // alone). Jest resolves the keys against the working directory (not rootDir), so they are relative to it; the
  // trailing separator keeps `core/` from also matching a sibling folder that starts with the same name.
  coverageThreshold: Object.fromEntries(cores.map((dir) => [path.relative(process.cwd(), dir) + path.sep, minimum])),
  projects: [
    {
      ...common,
      displayName: 'unit',
      testMatch: [
        '<rootDir>/extensions/*/src/**/*.test.ts',
        '<rootDir>/extensions/*/spec/**/*.test.ts',
        '<rootDir>/extensions/*/seed/**/*.test.ts',
        '<rootDir>/scripts/**/*.test.ts',
      ],
    },
    {
      ...common,
      displayName: 'medium',
      testMatch: ['<rootDir>/tests/medium/**/*.test.ts'],
    },
    {
      ...common,
      displayName: 'integration',
      // The platform's tests, and each domain's own (extensions/<domain>/tests), against the same stack.
      testMatch: ['<rootDir>/tests/integration/**/*.test.ts', '<rootDir>/extensions/*/tests/**/*.test.ts'],
      globalSetup: '<rootDir>/tests/integration/harness/global-setup.mjs',
      globalTeardown: '<rootDir>/tests/integration/harness/global-teardown.mjs',
    },
  ],
};
